"""The record of exported report files: which version, which files and hashes, and what
the report said (its content digest and fill date), so ``submit`` can tell a stale export.

The version rule lives here too: an export carries version 1 until its period is first
unlocked; every unlock makes the next export one version higher.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlite_utils

from models.core.errors import AppError
from models.core.fileio import sha256_file
from models.reporting.assembly import Report
from models.store.audit import record_change


class WrittenFiles(Protocol):
    xlsx: Path
    pdf: Path
    data_sha256: str


@dataclass(frozen=True)
class ExportRecord:
    id: int
    kind: str
    period: str
    version: int
    generated_at: str
    xlsx_path: str
    pdf_path: str
    xlsx_sha256: str
    pdf_sha256: str
    data_sha256: str
    fill_date: str | None = None
    content_sha256: str | None = None


def _export(row: dict) -> ExportRecord:
    return ExportRecord(**{k: row[k] for k in ExportRecord.__dataclass_fields__})


def latest_export(db: sqlite_utils.Database, kind: str, period: str) -> ExportRecord | None:
    rows = list(db.query("SELECT * FROM report_exports WHERE kind = ? AND period = ? ORDER BY id DESC LIMIT 1", [kind, period]))
    return _export(rows[0]) if rows else None


def get_export(db: sqlite_utils.Database, export_id: int) -> ExportRecord:
    rows = list(db.query("SELECT * FROM report_exports WHERE id = ?", [export_id]))
    if not rows:
        raise AppError(f"找不到编号为 {export_id} 的导出记录")
    return _export(rows[0])


def next_version(db: sqlite_utils.Database, kind: str, period: str) -> int:
    """The version the next export of the period carries."""
    rows = list(db.query("SELECT state, version FROM period_states WHERE kind = ? AND period = ?", [kind, period]))
    if not rows:
        return 1
    row = rows[0]
    return int(row["version"]) if row["state"] == "submitted" else int(row["version"]) + 1


def reissue_reason(db: sqlite_utils.Database, kind: str, period: str) -> str:
    """Why the next export is a later version: the reason the period was last unlocked ("" for version 1)."""
    rows = list(db.query("SELECT unlock_reason FROM period_states WHERE kind = ? AND period = ?", [kind, period]))
    return (rows[0]["unlock_reason"] or "") if rows and next_version(db, kind, period) > 1 else ""


def record_export(db: sqlite_utils.Database, report: Report, files: WrittenFiles, *, actor: str) -> ExportRecord:
    """Store an export's files, hashes, version and content digest (right after the files are written)."""
    xlsx, pdf = Path(files.xlsx), Path(files.pdf)
    values = {
        "kind": report.kind, "period": report.period, "version": report.version,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "xlsx_path": str(xlsx.absolute()), "pdf_path": str(pdf.absolute()),
        "xlsx_sha256": sha256_file(xlsx), "pdf_sha256": sha256_file(pdf), "data_sha256": files.data_sha256,
        "fill_date": report.fill_date.isoformat(), "content_sha256": report.content_digest(),
    }
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO report_exports(kind, period, version, generated_at, xlsx_path, pdf_path, xlsx_sha256, pdf_sha256,"
            " data_sha256, fill_date, content_sha256) VALUES (:kind, :period, :version, :generated_at, :xlsx_path,"
            " :pdf_path, :xlsx_sha256, :pdf_sha256, :data_sha256, :fill_date, :content_sha256)",
            values,
        )
        export_id = int(cursor.lastrowid)  # type: ignore[arg-type]
        record_change(db, actor=actor, action="export", table="report_exports", row_id=export_id, after=values)
    return get_export(db, export_id)


def export_fill_date(export: ExportRecord) -> dt.date | None:
    return dt.date.fromisoformat(export.fill_date) if export.fill_date else None
