"""Month locks: a month marked as submitted (已报送) refuses changes to its entries
until it is unlocked with a reason. The submit/unlock workflow lives with the reports;
this module is the check every ledger write goes through."""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from models.errors import AppError


class MonthLockedError(AppError):
    """An entry dated in a submitted month cannot be added, changed or deleted."""


def month_of(date: dt.date) -> str:
    return date.strftime("%Y-%m")


def is_month_locked(db: sqlite_utils.Database, month: str) -> bool:
    rows = list(db.query("SELECT state FROM period_states WHERE kind = 'monthly' AND period = ?", [month]))
    return bool(rows) and rows[0]["state"] == "submitted"


def ensure_month_open(db: sqlite_utils.Database, date: dt.date) -> None:
    month = month_of(date)
    if is_month_locked(db, month):
        year, mon = month.split("-")
        raise MonthLockedError(
            f"{year}年{int(mon)}月的台账已报送并锁定，不能再修改。如确需修改，请在“报表”页面解锁该月（需填写原因）。"
        )
