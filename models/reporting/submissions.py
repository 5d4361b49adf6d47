"""Submission (报送) of monthly and quarterly reports, the month lock and version numbers.

States of a period, as the 报表 page shows them: 未生成 (never exported), 已生成 (exported,
not submitted), 已报送 (submitted: the files' hashes are recorded and the entries of the
month — or of the quarter's three months — are locked, ``models.ledger.locks``), 已解锁 (unlocked
with a reason; editable again). The version of an export is 1 until the period is first
unlocked; every unlock makes the next export one version higher (第2版, 第3版 …).

Submitting checks that the latest export still stands for the data: the files exist
unchanged and the ledger has not changed since (the report is assembled again with the
export's fill date and compared). Otherwise it refuses, or — when given a folder —
exports afresh first (the CLI uses the data folder's ``reports/``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from models.core.errors import AppError, ValidationError
from models.core.periods import month_title, months_of_year, quarter_title
from models.core.fileio import sha256_file
from models.reporting.assembly import assemble, check_period
from models.reporting.export import export_report
from models.reporting.export_log import ExportRecord, export_fill_date, get_export, latest_export
from models.store.audit import record_change
from models.store.workspace import Workspace

STATE_LABELS = {"none": "未生成", "generated": "已生成", "submitted": "已报送", "unlocked": "已解锁"}
KIND_LABELS = {"monthly": "月度台账", "quarterly": "季度工作进展"}
REPORTS_DIR = "reports"
MAX_REASON = 200


@dataclass(frozen=True)
class PeriodState:
    kind: str
    period: str
    state: str  # none | generated | submitted | unlocked
    version: int  # the submitted version, else the version the next export gets
    latest: ExportRecord | None
    submitted_at: str | None = None
    unlocked_at: str | None = None
    unlock_reason: str = ""
    submitted_export: ExportRecord | None = None

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def title(self) -> str:
        return month_title(self.period) if self.kind == "monthly" else quarter_title(self.period)

    @property
    def name(self) -> str:
        """The report as a person names it: "2023年6月月度台账", "2023年第二季度工作进展"
        (not "2023年第二季度季度工作进展")."""
        return f"{self.title}{KIND_LABELS[self.kind]}" if self.kind == "monthly" else f"{self.title}工作进展"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["label"] = self.label
        data["title"] = self.title
        return data


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _state_row(db: sqlite_utils.Database, kind: str, period: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM period_states WHERE kind = ? AND period = ?", [kind, period]))
    return rows[0] if rows else None


def period_state(db: sqlite_utils.Database, kind: str, period: str) -> PeriodState:
    period = check_period(kind, period)
    row = _state_row(db, kind, period)
    latest = latest_export(db, kind, period)
    if row is not None:
        submitted = get_export(db, row["export_id"]) if row["export_id"] else None
        version = int(row["version"]) if row["state"] == "submitted" else int(row["version"]) + 1
        return PeriodState(kind, period, row["state"], version, latest, row["submitted_at"], row["unlocked_at"],
                           row["unlock_reason"], submitted)
    return PeriodState(kind, period, "generated" if latest else "none", 1, latest)


def list_states(db: sqlite_utils.Database, year: int) -> list[PeriodState]:
    """The twelve months, then the four quarters of ``year``."""
    months = [period_state(db, "monthly", month) for month in months_of_year(year)]
    return months + [period_state(db, "quarterly", f"{year}Q{q}") for q in range(1, 5)]


def version_problem(export: ExportRecord | None, version: int) -> str | None:
    """Why there is nothing to submit as version ``version`` (no export, or an older one);
    None when the export is of that version. No file is read: the 报表 page asks it each time
    it shows a period's state (``export_problem`` then checks the files at submission)."""
    if export is None:
        return "该期报表尚未导出。"
    if export.version != version:
        return f"最近一次导出是第{export.version}版，解锁后需重新导出第{version}版。"
    return None


def export_problem(ws: Workspace, export: ExportRecord | None, *, version: int) -> str | None:
    """Why ``export`` cannot be submitted as it is (None when it can)."""
    problem = version_problem(export, version)
    if problem:
        return problem
    for path, sha in ((export.xlsx_path, export.xlsx_sha256), (export.pdf_path, export.pdf_sha256)):
        file = Path(path)
        if not file.is_file():
            return f"导出的文件已被移动或删除：{file.name}。"
        if sha256_file(file) != sha:
            return f"导出的文件在导出后被修改过：{file.name}。"
    fill_date = export_fill_date(export)
    if fill_date is None or not export.content_sha256:
        return "找不到该次导出的记录。"
    report = assemble(ws, export.kind, export.period, fill_date=fill_date, version=export.version, with_photos=False)
    if report.content_digest() != export.content_sha256:
        return "导出后台账数据又有修改，报表已不是最新。"
    return None


def submit(ws: Workspace, kind: str, period: str, *, actor: str | None = None, export_dir: Path | None = None) -> PeriodState:
    """Mark the period's latest export as submitted (已报送) and lock its entries.

    With ``export_dir`` a missing or stale export is made afresh there first; without
    it such a submit is refused with the reason.
    """
    period = check_period(kind, period)
    actor = actor or ws.require_profile().operator
    state = period_state(ws.db, kind, period)
    if state.state == "submitted":
        raise AppError(f"{state.title}的{KIND_LABELS[kind]}已于 {state.submitted_at} 报送（{_v(state.version)}），无需重复报送。")
    export = latest_export(ws.db, kind, period)
    problem = export_problem(ws, export, version=state.version)
    if problem:
        if export_dir is None:
            raise AppError(f"不能报送{state.title}的{KIND_LABELS[kind]}：{problem}请先导出报表，再标记为已报送。")
        export_report(ws, kind, period, export_dir, actor=actor)
        export = latest_export(ws.db, kind, period)
    assert export is not None
    now = _now()
    with ws.db.atomic():
        ws.db.execute(
            "INSERT INTO period_states(kind, period, state, version, submitted_at, export_id, unlocked_at, unlock_reason)"
            " VALUES (?, ?, 'submitted', ?, ?, ?, NULL, '') ON CONFLICT(kind, period) DO UPDATE SET state = 'submitted',"
            " version = excluded.version, submitted_at = excluded.submitted_at, export_id = excluded.export_id",
            [kind, period, export.version, now, export.id],
        )
        record_change(ws.db, actor=actor, action="submit", table="period_states", row_id=f"{kind}:{period}",
               after={"version": export.version, "export_id": export.id, "xlsx_sha256": export.xlsx_sha256,
                      "pdf_sha256": export.pdf_sha256, "data_sha256": export.data_sha256})
    return period_state(ws.db, kind, period)


def unlock(ws: Workspace, kind: str, period: str, *, reason: str, actor: str | None = None) -> PeriodState:
    """Unlock a submitted period for corrections; the reason goes into the audit log."""
    period = check_period(kind, period)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError([("解锁原因", "请填写解锁原因（如：补录遗漏台账）")])
    if len(reason) > MAX_REASON:
        raise ValidationError([("解锁原因", f"不能超过{MAX_REASON}个字")])
    actor = actor or ws.require_profile().operator
    state = period_state(ws.db, kind, period)
    if state.state != "submitted":
        raise AppError(f"{state.title}的{KIND_LABELS[kind]}当前为“{state.label}”，只有已报送的报表才需要解锁。")
    now = _now()
    with ws.db.atomic():
        ws.db.execute(
            "UPDATE period_states SET state = 'unlocked', unlocked_at = ?, unlock_reason = ? WHERE kind = ? AND period = ?",
            [now, reason, kind, period],
        )
        record_change(ws.db, actor=actor, action="unlock", table="period_states", row_id=f"{kind}:{period}",
               after={"version": state.version, "next_version": state.version + 1}, reason=reason)
    return period_state(ws.db, kind, period)


def reopen_returned(ws: Workspace, kind: str, period: str, *, version: int, reason: str, actor: str) -> PeriodState:
    """The district sent ``version`` back: the period opens and the next export is one higher.

    A submitted period is unlocked with the district's reason; one never marked as
    submitted here (the file was sent anyway) is recorded as submitted-and-unlocked at
    the returned version, so the correction cannot go out under the same number.
    Runs inside the caller's transaction when there is one.
    """
    period = check_period(kind, period)
    state = period_state(ws.db, kind, period)
    now = _now()
    with ws.db.atomic():
        if state.state == "submitted":
            ws.db.execute("UPDATE period_states SET state = 'unlocked', unlocked_at = ?, unlock_reason = ?"
                          " WHERE kind = ? AND period = ?", [now, reason, kind, period])
            after = {"version": state.version, "next_version": state.version + 1}
        else:
            done = max(version, state.version - 1 if state.state == "unlocked" else version)
            ws.db.execute(
                "INSERT INTO period_states(kind, period, state, version, submitted_at, export_id, unlocked_at, unlock_reason)"
                " VALUES (?, ?, 'unlocked', ?, NULL, NULL, ?, ?) ON CONFLICT(kind, period) DO UPDATE SET state = 'unlocked',"
                " version = excluded.version, unlocked_at = excluded.unlocked_at, unlock_reason = excluded.unlock_reason",
                [kind, period, done, now, reason])
            after = {"version": done, "next_version": done + 1}
        record_change(ws.db, actor=actor, action="unlock", table="period_states", row_id=f"{kind}:{period}",
                      after={**after, "returned_version": version}, reason=reason)
    return period_state(ws.db, kind, period)


def _v(version: int) -> str:
    return f"第{version}版"


def default_reports_dir(ws: Workspace) -> Path:
    return ws.data_dir / REPORTS_DIR
