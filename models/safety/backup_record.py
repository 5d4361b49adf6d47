"""The last backup's record in the settings (``last_backup``: ``ok``, ``at``, ``message``,
``path``), read by the window's hourly check without loading the backup code and the
database library behind it (the check runs on the GUI thread; the backup on a worker)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.store.settings import get_setting

LAST_RESULT_SETTING = "last_backup"


def last_result(db: Any) -> dict[str, Any] | None:
    """The record of the last backup attempt; ``db`` a Reader or sqlite_utils.Database."""
    return get_setting(db, LAST_RESULT_SETTING)


def needs_daily_backup(db: Any, *, now: dt.datetime | None = None) -> bool:
    """True when no backup succeeded today."""
    now = now or dt.datetime.now()
    result = last_result(db)
    if not result or not result.get("ok") and not result.get("path"):
        return True
    try:
        return dt.datetime.fromisoformat(result["at"]).date() != now.date()
    except (KeyError, ValueError, TypeError):
        return True
