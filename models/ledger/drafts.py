"""The ledger editor's unsaved typing, kept in the database (one slot), so a crash or a
power cut loses nothing: the ledger page offers it back on the next start."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from models.store.faults import DatabaseFaultError, is_read_only_fault
from models.store.settings import UNSAVED_DRAFT_KEY as UNSAVED_KEY, get_setting, put_setting

if TYPE_CHECKING:
    import sqlite_utils


def save_unsaved(db: sqlite_utils.Database, state: dict[str, Any]) -> None:
    try:
        with db.atomic():
            put_setting(db, UNSAVED_KEY, {**state, "kept_at": dt.datetime.now().isoformat(timespec="seconds")})
    except DatabaseFaultError as exc:
        if not is_read_only_fault(exc):
            raise
        # A read-only folder keeps no typing; saving the entry itself says why it cannot be saved.


def load_unsaved(db: sqlite_utils.Database) -> dict[str, Any] | None:
    return get_setting(db, UNSAVED_KEY)


def clear_unsaved(db: sqlite_utils.Database) -> None:
    with db.atomic():
        db.execute("DELETE FROM settings WHERE key = ?", [UNSAVED_KEY])
