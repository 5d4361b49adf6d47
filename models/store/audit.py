"""The audit log: who changed what, when and why — one writer for every table.

An update stores only the fields that changed (old values in ``before``, new ones in
``after``), so the log grows with the edits made, not with the size of the rows edited.
A creation stores the new row (a ledger entry's: the values entered, without what the
audit row itself says — ``models.ledger.entries._entered``); a deletion the old one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (old, new) values of the keys whose value differs between two versions of a row."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record_change(
    db: sqlite_utils.Database, *, actor: str, action: str, table: str, row_id: object,
    before: Any = None, after: Any = None, reason: str = "",
) -> None:
    """One audit row, inside the caller's transaction."""
    if isinstance(before, dict) and isinstance(after, dict):
        before, after = changed_fields(before, after)
    db.execute(
        "INSERT INTO audit_log(at, actor, action, table_name, row_id, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [_now(), actor, action, table, None if row_id is None else str(row_id), _json(before), _json(after), reason],
    )


def audit_rows(db: sqlite_utils.Database, *, table: str, row_id: object | None = None,
               action: str | None = None) -> list[dict[str, Any]]:
    """Audit rows of a table (optionally one row, one action), oldest first, JSON decoded."""
    where, params = ["table_name = ?"], [table]
    if row_id is not None:
        where.append("row_id = ?")
        params.append(str(row_id))
    if action is not None:
        where.append("action = ?")
        params.append(action)
    rows = list(db.query(f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY id", params))
    for row in rows:
        row["before"] = json.loads(row["before"]) if row["before"] else None
        row["after"] = json.loads(row["after"]) if row["after"] else None
    return rows
