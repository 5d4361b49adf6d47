"""Month locks: a month marked as submitted (已报送) refuses changes to its entries
until it is unlocked with a reason. The submit/unlock workflow lives in
``models.reporting.submissions``; this module is the check every ledger write goes through.

A month is locked by its own monthly report being submitted, or by the quarterly report
of its quarter being submitted (the quarter's figures must stay what was reported).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from models.core.errors import AppError

if TYPE_CHECKING:
    import sqlite_utils


class MonthLockedError(AppError):
    """An entry dated in a submitted month cannot be added, changed or deleted."""


def month_of(date: dt.date) -> str:
    return date.strftime("%Y-%m")


def _quarter_of(month: str) -> str:
    year, mon = month.split("-")
    return f"{int(year)}Q{(int(mon) - 1) // 3 + 1}"


def lock_reason(db: sqlite_utils.Database, month: str) -> str | None:
    """Which submitted report locks ``month`` ("月度台账" / "季度工作进展"), or None."""
    rows = db.query(
        "SELECT kind FROM period_states WHERE state = 'submitted' AND ((kind = 'monthly' AND period = ?)"
        " OR (kind = 'quarterly' AND period = ?)) ORDER BY kind",
        [month, _quarter_of(month)],
    )
    kinds = [r["kind"] for r in rows]
    if not kinds:
        return None
    return "月度台账" if "monthly" in kinds else "季度工作进展"


def is_month_locked(db: sqlite_utils.Database, month: str) -> bool:
    return lock_reason(db, month) is not None


def ensure_month_open(db: sqlite_utils.Database, date: dt.date) -> None:
    month = month_of(date)
    reason = lock_reason(db, month)
    if reason is not None:
        year, mon = month.split("-")
        if reason == "月度台账":
            raise MonthLockedError(
                f"{year}年{int(mon)}月的台账已报送并锁定，不能再修改。如确需修改，请在“报表”页面解锁该月（需填写原因）。"
            )
        q = _quarter_of(month)[-1]
        raise MonthLockedError(
            f"{year}年第{q}季度的季度工作进展已报送，{int(mon)}月的台账已锁定，不能再修改。"
            "如确需修改，请在“报表”页面解锁该季度（需填写原因）。"
        )


def submitted_at(db: sqlite_utils.Database, kind: str, period: str) -> str | None:
    """When the report (kind, period) was marked submitted ("2023-06-03T10:00:00"), or None."""
    rows = list(db.query("SELECT submitted_at FROM period_states WHERE kind = ? AND period = ? AND state = 'submitted'",
                         [kind, period]))
    return rows[0]["submitted_at"] if rows else None


def locking_period(db: sqlite_utils.Database, month: str) -> tuple[str, str] | None:
    """The submitted report that locks ``month``: ("monthly", "2023-05") or ("quarterly", "2023Q2")."""
    reason = lock_reason(db, month)
    if reason is None:
        return None
    return ("monthly", month) if reason == "月度台账" else ("quarterly", _quarter_of(month))


def open_entry_date(db: sqlite_utils.Database, preferred: dt.date, *, today: dt.date | None = None) -> dt.date:
    """``preferred``, or when its month is locked the nearest open month of the same year:
    later months first (up to today's), then earlier ones. A new entry never starts in a
    month it could not be saved in; if every month is locked, ``preferred`` stays."""
    today = today or dt.date.today()
    if not is_month_locked(db, month_of(preferred)):
        return preferred
    year = preferred.year
    last = today.month if today.year == year else 12
    later = range(preferred.month + 1, last + 1)
    earlier = range(preferred.month - 1, 0, -1)
    for mon in [*later, *earlier]:
        if not is_month_locked(db, f"{year}-{mon:02d}"):
            return today if (year, mon) == (today.year, today.month) else dt.date(year, mon, 1)
    return preferred
