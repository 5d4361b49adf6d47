"""Ledger entries (工作台账): create/update/soft-delete/restore, and the queries over them.

Validation lives in ``models.ledger.validation`` (shared with the CLI and the import).
Every write runs in a transaction together with its audit-log row; a refused entry
writes nothing.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from models.catalog.schema import Task, TaskList
from models.ledger.validation import EntryDraft, clean_entry
from models.core.errors import AppError
from models.ledger.locks import ensure_month_open
from models.store.audit import audit_rows, record_change

if TYPE_CHECKING:
    import sqlite_utils


@dataclass
class LedgerEntry:
    id: int
    uid: str
    year: int
    task_seq: int
    entry_date: dt.date
    entry_type: str
    title: str
    content: str = ""
    location: str = ""
    organizer: str = ""
    participants: int | None = None
    measures: dict[str, float] = field(default_factory=dict)
    remarks: str = ""
    operator: str = ""
    created_at: str = ""
    updated_at: str = ""
    deleted_at: str | None = None
    evidence_count: int = 0

    @property
    def month(self) -> str:
        return self.entry_date.strftime("%Y-%m")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["entry_date"] = self.entry_date.isoformat()
        return data

    def draft(self) -> EntryDraft:
        """An editable copy (used for edits and for Ctrl+D templates)."""
        return EntryDraft(
            task_seq=self.task_seq, entry_date=self.entry_date, entry_type=self.entry_type, title=self.title,
            content=self.content, location=self.location, organizer=self.organizer,
            participants=self.participants, measures=dict(self.measures), remarks=self.remarks,
        )

def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")

# ---------------------------------------------------------------- persistence

_COLUMNS = ("task_seq", "entry_date", "entry_type", "title", "content", "location", "organizer", "participants", "remarks")


def _audit(db: sqlite_utils.Database, *, actor: str, action: str, row_id: int, before: Any, after: Any, reason: str = "") -> None:
    record_change(db, actor=actor, action=action, table="entries", row_id=row_id, before=before, after=after, reason=reason)


def _write_measures(db: sqlite_utils.Database, entry_id: int, measures: dict[str, float]) -> None:
    db.execute("DELETE FROM entry_measures WHERE entry_id = ?", [entry_id])
    for code, value in measures.items():
        db.execute("INSERT INTO entry_measures(entry_id, code, value) VALUES (?, ?, ?)", [entry_id, code, value])


def add_entry(
    db: sqlite_utils.Database,
    tasklist: TaskList,
    tasks: Iterable[Task],
    draft: EntryDraft,
    *,
    actor: str,
    today: dt.date | None = None,
    import_key: str | None = None,
) -> int:
    """Validate and insert one entry; returns its id. Nothing is written on failure."""
    clean = clean_entry(draft, tasks, year=tasklist.year, today=today)
    with db.atomic():
        return _insert(db, tasklist.year, clean, actor=actor, import_key=import_key)


def _insert(db: sqlite_utils.Database, year: int, clean: dict[str, Any], *, actor: str, import_key: str | None = None) -> int:
    ensure_month_open(db, clean["entry_date"])
    now = _now()
    row = {c: clean[c] for c in _COLUMNS}
    row["entry_date"] = clean["entry_date"].isoformat()
    uid = _new_uid()
    cursor = db.execute(
        "INSERT INTO entries(uid, year, task_seq, entry_date, entry_type, title, content, location, organizer,"
        " participants, remarks, operator, import_key, created_at, updated_at)"
        " VALUES (:uid, :year, :task_seq, :entry_date, :entry_type, :title, :content, :location, :organizer,"
        " :participants, :remarks, :operator, :import_key, :now, :now)",
        {**row, "uid": uid, "year": year, "operator": actor, "import_key": import_key, "now": now},
    )
    entry_id = int(cursor.lastrowid)  # type: ignore[arg-type]
    _write_measures(db, entry_id, clean["measures"])
    created = {"uid": uid, "year": year, **row, "measures": clean["measures"], "import_key": import_key}
    _audit(db, actor=actor, action="create", row_id=entry_id, before=None, after=_entered(created))
    return entry_id


def _entered(values: dict[str, Any]) -> dict[str, Any]:
    """What a creation's audit row keeps: the values entered, without the empty ones and
    without what the audit row holds itself (the entry's id is its row_id, the operator its
    actor, the creation time its ``at``; a new entry is neither deleted nor has files yet).
    A third less audit log than the whole row (at 50,000 entries: 30 MB → 22 MB)."""
    return {key: value for key, value in values.items() if value is not None and value != "" and value != {}}


def add_entries(
    db: sqlite_utils.Database, tasklist: TaskList, cleaned: list[tuple[dict[str, Any], str | None]], *, actor: str
) -> list[int]:
    """Insert already-cleaned entries (from ``clean_entry``) in one transaction."""
    with db.atomic():
        return [_insert(db, tasklist.year, clean, actor=actor, import_key=key) for clean, key in cleaned]


def update_entry(
    db: sqlite_utils.Database,
    tasklist: TaskList,
    tasks: Iterable[Task],
    entry_id: int,
    draft: EntryDraft,
    *,
    actor: str,
    today: dt.date | None = None,
) -> None:
    clean = clean_entry(draft, tasks, year=tasklist.year, today=today)
    with db.atomic():
        before = get_entry(db, entry_id)
        if before.deleted_at:
            raise AppError("该台账已删除，请先恢复再修改。")
        ensure_month_open(db, before.entry_date)
        ensure_month_open(db, clean["entry_date"])
        row = {c: clean[c] for c in _COLUMNS}
        row["entry_date"] = clean["entry_date"].isoformat()
        db.execute(
            "UPDATE entries SET task_seq = :task_seq, entry_date = :entry_date, entry_type = :entry_type, title = :title,"
            " content = :content, location = :location, organizer = :organizer, participants = :participants,"
            " remarks = :remarks, updated_at = :now WHERE id = :id",
            {**row, "now": _now(), "id": entry_id},
        )
        _write_measures(db, entry_id, clean["measures"])
        _audit(db, actor=actor, action="update", row_id=entry_id, before=before.as_dict(), after=get_entry(db, entry_id).as_dict())


def _set_deleted(db: sqlite_utils.Database, entry_id: int, deleted: bool, *, actor: str, reason: str = "") -> None:
    with db.atomic():
        before = get_entry(db, entry_id)
        ensure_month_open(db, before.entry_date)
        db.execute("UPDATE entries SET deleted_at = ?, updated_at = ? WHERE id = ?", [_now() if deleted else None, _now(), entry_id])
        _audit(db, actor=actor, action="delete" if deleted else "restore", row_id=entry_id,
               before=before.as_dict(), after=get_entry(db, entry_id).as_dict(), reason=reason)


def delete_entry(db: sqlite_utils.Database, entry_id: int, *, actor: str, reason: str = "") -> None:
    """Soft delete: the entry leaves every count and report but can be restored."""
    _set_deleted(db, entry_id, True, actor=actor, reason=reason)


def delete_entries(db: sqlite_utils.Database, entry_ids: Iterable[int], *, actor: str, reason: str = "") -> None:
    """Several entries in one transaction: all deleted, or — when one is refused (a locked
    month) — none."""
    with db.atomic():
        for entry_id in entry_ids:
            _set_deleted(db, entry_id, True, actor=actor, reason=reason)


def restore_entry(db: sqlite_utils.Database, entry_id: int, *, actor: str) -> None:
    _set_deleted(db, entry_id, False, actor=actor)


# ---------------------------------------------------------------- queries

_SELECT = (
    "SELECT e.*, (SELECT COUNT(*) FROM entry_evidence v WHERE v.entry_id = e.id) AS evidence_count FROM entries e"
)


def _rows_to_entries(
    db: sqlite_utils.Database, rows: list[dict[str, Any]], measures: dict[int, dict[str, float]] | None = None
) -> list[LedgerEntry]:
    if not rows:
        return []
    if measures is None:
        measures = {}
        ids = [r["id"] for r in rows]
        for chunk_start in range(0, len(ids), 900):
            chunk = ids[chunk_start : chunk_start + 900]
            marks = ",".join("?" * len(chunk))
            for entry_id, code, value in db.execute(
                f"SELECT entry_id, code, value FROM entry_measures WHERE entry_id IN ({marks})", chunk
            ).fetchall():
                measures.setdefault(entry_id, {})[code] = value
    from_iso = dt.date.fromisoformat
    return [
        LedgerEntry(
            id=r["id"], uid=r["uid"], year=r["year"], task_seq=r["task_seq"],
            entry_date=from_iso(r["entry_date"]), entry_type=r["entry_type"], title=r["title"],
            content=r["content"], location=r["location"], organizer=r["organizer"], participants=r["participants"],
            measures=measures.get(r["id"], {}), remarks=r["remarks"], operator=r["operator"],
            created_at=r["created_at"], updated_at=r["updated_at"], deleted_at=r["deleted_at"],
            evidence_count=r["evidence_count"],
        )
        for r in rows
    ]


def get_entry(db: sqlite_utils.Database, entry_id: int) -> LedgerEntry:
    rows = list(db.query(f"{_SELECT} WHERE e.id = ?", [entry_id]))
    if not rows:
        raise AppError(f"找不到编号为 {entry_id} 的台账")
    return _rows_to_entries(db, rows)[0]


def _where(
    *,
    month: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    task_seq: int | None = None,
    task_seqs: Iterable[int] | None = None,
    entry_type: str | None = None,
    text: str | None = None,
    include_deleted: bool = False,
    only_deleted: bool = False,
) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if only_deleted:
        where.append("e.deleted_at IS NOT NULL")
    elif not include_deleted:
        where.append("e.deleted_at IS NULL")
    if month:
        # A range, not LIKE, so the date index serves the month filter.
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise AppError(f"月份“{month}”格式不正确，应为 YYYY-MM，如 2023-06") from None
        after = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        where.append("e.entry_date >= ? AND e.entry_date < ?")
        params.extend([first.isoformat(), after.isoformat()])
    if start:
        where.append("e.entry_date >= ?")
        params.append(start.isoformat())
    if end:
        where.append("e.entry_date <= ?")
        params.append(end.isoformat())
    if task_seq is not None:
        where.append("e.task_seq = ?")
        params.append(task_seq)
    if task_seqs is not None:
        seqs = list(task_seqs)
        where.append(f"e.task_seq IN ({','.join('?' * len(seqs)) or 'NULL'})")
        params.extend(seqs)
    if entry_type:
        where.append("e.entry_type = ?")
        params.append(entry_type)
    if text and text.strip():
        # Every word must occur in some text field, each field asked on its own (so a word
        # never matches across two fields); SQLite stops at the first field that has it,
        # twice as fast at 50,000 entries as one LIKE over the fields joined together.
        for word in text.split():
            where.append("(" + " OR ".join(f"e.{column} LIKE ? ESCAPE '\\'" for column in _TEXT_COLUMNS) + ")")
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params.extend([pattern] * len(_TEXT_COLUMNS))
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _new_uid() -> str:
    import uuid  # here, not at import: uuid loads platform and ctypes, which start-up need not pay

    return uuid.uuid4().hex


_TEXT_COLUMNS = ("title", "content", "location", "organizer", "remarks", "entry_type")


def measure_text(value: float | str, unit: str = "") -> str:
    """A filled-in value as the ledger lists it: a number without trailing zeros and its unit
    (``320户``), a text field (a 中转场's name) as written."""
    return value if isinstance(value, str) else f"{value:g}{unit}"


def list_entries(
    db: sqlite_utils.Database,
    *,
    month: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    task_seq: int | None = None,
    task_seqs: Iterable[int] | None = None,
    entry_type: str | None = None,
    text: str | None = None,
    include_deleted: bool = False,
    only_deleted: bool = False,
    limit: int | None = None,
) -> list[LedgerEntry]:
    """Entries matching every given filter, newest first. ``month`` is 'YYYY-MM';
    ``start``/``end`` are inclusive dates; ``text`` matches every word in any text field."""
    where, params = _where(month=month, start=start, end=end, task_seq=task_seq, task_seqs=task_seqs,
                           entry_type=entry_type, text=text, include_deleted=include_deleted, only_deleted=only_deleted)
    sql = _SELECT + where + " ORDER BY e.entry_date DESC, e.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = list(db.query(sql, params))
    measures = None
    if len(rows) > 900:
        # One pass over the measures of the same selection beats many IN (...) chunks.
        measures = {}
        for entry_id, code, value in db.execute(
            "SELECT m.entry_id, m.code, m.value FROM entry_measures m JOIN entries e ON e.id = m.entry_id" + where, params
        ).fetchall():
            measures.setdefault(entry_id, {})[code] = value
    return _rows_to_entries(db, rows, measures)


# Sort keys the ledger table offers, each an SQL expression; ties break on id.
SORT_KEYS = {
    # Unary + keeps SQLite off the date index: a scan and sort beats 50k index lookups.
    "date": "+e.entry_date",
    "task": "e.task_seq",
    "type": "e.entry_type",
    "title": "e.title",
    "location": "e.location",
    "participants": "COALESCE(e.participants, -1)",
    "measures": "(SELECT COALESCE(MAX(m.value), -1) FROM entry_measures m WHERE m.entry_id = e.id)",
    "evidence": "(SELECT COUNT(*) FROM entry_evidence v WHERE v.entry_id = e.id)",
    "operator": "e.operator",
    "updated": "e.updated_at",
}


def entry_ids(
    db: sqlite_utils.Database, *, sort: str = "date", descending: bool = True, **filters: Any
) -> array[int]:
    """Ids of the entries matching ``filters`` (as for ``list_entries``), sorted in SQL.

    The ledger table keeps only these and loads rows a page at a time (``entries_by_ids``),
    so 50,000 entries open without a pause. Read in chunks into an array of 8 bytes an id (a
    list of ints costs 36, and ``fetchall`` a tuple more each while it reads).
    """
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}")
    where, params = _where(**filters)
    direction = "DESC" if descending else "ASC"
    sql = f"SELECT e.id FROM entries e{where} ORDER BY {SORT_KEYS[sort]} {direction}, e.id {direction}"
    ids: array[int] = array("q")
    cursor = db.execute(sql, params)
    while rows := cursor.fetchmany(4096):
        ids.extend([row[0] for row in rows])
    return ids


def count_entries(db: sqlite_utils.Database, **filters: Any) -> int:
    where, params = _where(**filters)
    return int(db.execute(f"SELECT COUNT(*) FROM entries e{where}", params).fetchone()[0])


def entries_by_ids(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, LedgerEntry]:
    """Full entries for ``ids`` (deleted ones included), keyed by id."""
    wanted = list(ids)
    found: dict[int, LedgerEntry] = {}
    for chunk_start in range(0, len(wanted), 900):
        chunk = wanted[chunk_start : chunk_start + 900]
        rows = list(db.query(f"{_SELECT} WHERE e.id IN ({','.join('?' * len(chunk))})", chunk))
        found.update((entry.id, entry) for entry in _rows_to_entries(db, rows))
    return found


def entry_months(db: sqlite_utils.Database, *, year: int) -> list[str]:
    """Months of ``year`` ('YYYY-MM') that hold at least one live entry, oldest first."""
    rows = db.execute(
        "SELECT DISTINCT substr(entry_date, 1, 7) FROM entries WHERE deleted_at IS NULL AND year = ? ORDER BY 1", [year]
    ).fetchall()
    return [row[0] for row in rows]


def audit_trail(db: sqlite_utils.Database, entry_id: int) -> list[dict[str, Any]]:
    """The audit rows of one entry, oldest first, with before/after decoded."""
    return audit_rows(db, table="entries", row_id=entry_id)


def working_month(db: sqlite_utils.Database, *, year: int, today: dt.date | None = None) -> str:
    """The month a user most likely wants to see first.

    During the list's year: the current month. For a past year's ledger (being reviewed or
    reported late): the latest month that holds entries, rather than an empty December.
    """
    from models.core.periods import default_month

    today = today or dt.date.today()
    if today.year == year:
        return default_month(year, today)
    # The newest live entry by the date index, read backwards: one row, not every month of the year.
    latest = db.execute("SELECT entry_date FROM entries WHERE deleted_at IS NULL AND year = ?"
                        " ORDER BY entry_date DESC LIMIT 1", [year]).fetchone()
    return str(latest[0])[:7] if latest else default_month(year, today)


def default_entry_date(db: sqlite_utils.Database, *, year: int, today: dt.date | None = None) -> dt.date:
    """The date a new entry starts with: today during the list's year; for a past year's
    ledger, the first day of the latest month holding entries (not 31 December)."""
    today = today or dt.date.today()
    if today.year == year:
        return today
    return dt.date.fromisoformat(f"{working_month(db, year=year, today=today)}-01")
