"""District mode: import the units' monthly report workbooks (月度台账 .xlsx).

Each file is checked before anything is stored: a real xlsx of sane size that is no zip
bomb (checked with :mod:`zipfile` *before* openpyxl touches it), a report of this app's
format and version for a known unit and a valid month, and a data digest that still
matches the one written at export. A file edited after export is kept as 校验失败 (it is
evidence the district office may need) but never counted. A bad file never stops the
others; each file's rows go in one transaction, so nothing half-imported remains.

Every attempt, refused ones included, is written to ``audit_log`` (table
``district_reports``) so the 版本记录 can show what arrived and why it was refused.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlite_utils

from models.catalog.schema import Unit
from models.catalog.units import find_unit
from models.core.errors import AppError
from models.core.fileio import sha256_file
from models.core.periods import normalize_month
from models.district.versions import read_entry_rows, store_entry_rows
from models.exchange.enrolment import check_signed, enrol
from models.reporting.digest import (
    DETAIL_SHEET, FORMAT, FORMAT_VERSION, INDICATOR_HEADERS, INDICATOR_SHEET, META_SHEET, read_report_meta, report_digest,
    signed_statement, verification_code,
)
from models.core.statuses import SEVERITY
from models.core import workbook_guard
from models.core.workbook_guard import UntrustedWorkbookError
from models.store.faults import explain
from models.store.workspace import Workspace
from models.store.audit import record_change

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]

REPORT_FORMAT = FORMAT
SUPPORTED_FORMAT_VERSIONS = (FORMAT_VERSION,)
VALUES_SHEET = INDICATOR_SHEET
VALUES_HEADER = INDICATOR_HEADERS  # the first ten columns; 说明 after them is for people
STATUS_WORDS = SEVERITY  # every word of models.core.statuses
MAX_VALUE_ROWS = 2000

# Outcome states
IMPORTED = "imported"  # a new current report
REPLACED = "replaced"  # a new current report that replaced an earlier version
OLDER = "older"  # valid, but a later version is already current: kept in the history
DUPLICATE = "duplicate"  # exactly this file was imported before
CHECKSUM_FAILED = "checksum_failed"  # stored as 校验失败, not counted
REFUSED = "refused"  # not stored at all
STATE_LABELS = {
    IMPORTED: "已导入",
    REPLACED: "已替换旧版本",
    OLDER: "已记录（非最新版本）",
    DUPLICATE: "重复文件，已跳过",
    CHECKSUM_FAILED: "校验失败",
    REFUSED: "已拒收",
}


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file."""

    path: Path
    state: str
    reason: str = ""
    unit: str = ""
    period: str = ""
    version: int | None = None
    report_id: int | None = None
    replaced_version: int | None = None
    enrolled_fingerprint: str = ""  # this file enrolled its unit's signing key (trust on first use)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def counted(self) -> bool:
        """The file's values now count in the district view."""
        return self.state in (IMPORTED, REPLACED)

    @property
    def label(self) -> str:
        if self.state == REPLACED and self.replaced_version is not None:
            return f"已导入（替换第{self.replaced_version}版）"
        return STATE_LABELS[self.state]

    def describe(self) -> str:
        who = f"{self.unit} {self.period} 第{self.version}版 " if self.unit and self.version else ""
        enrolled = f"；首次收到该单位的签名，已登记密钥 {self.enrolled_fingerprint}" if self.enrolled_fingerprint else ""
        return f"{self.file_name}：{who}{self.label}" + (f"（{self.reason}）" if self.reason else "") + enrolled


class _Refused(Exception):
    """Internal: the file is refused with a Chinese reason (never escapes this module)."""

    def __init__(self, reason: str, *, unit: str = "", period: str = "", version: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.unit = unit
        self.period = period
        self.version = version


@dataclass
class _Report:
    unit: str
    period: str
    version: int
    generated_at: str
    data_sha256: str
    digest_ok: bool
    rows: list[dict[str, Any]]
    statement: bytes = b""
    public_key: str = ""
    signature: str = ""
    entries: list[dict[str, Any]] | None = None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")




def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any, label: str, row: int) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Refused(f"“{VALUES_SHEET}”第{row}行的{label}不是数字")
    return float(value)


def _valid_month(text: str) -> bool:
    """The file says a month the way the writer does ("2023-06"), as ``core.periods`` reads it."""
    try:
        return normalize_month(text) == text
    except AppError:
        return False


def _read_values(sheet: Any, unit: Unit, period: str) -> list[dict[str, Any]]:
    rows = sheet.iter_rows(values_only=True)
    header = tuple(_text(v) for v in next(rows, ()))
    if header[: len(VALUES_HEADER)] != VALUES_HEADER:
        raise _Refused(f"“{VALUES_SHEET}”表的列标题不符合本程序的格式")
    out: list[dict[str, Any]] = []
    codes: set[str] = set()
    for n, raw in enumerate(rows, start=2):
        cells = list(raw[: len(VALUES_HEADER)]) + [None] * (len(VALUES_HEADER) - len(raw))
        if all(_text(c) == "" for c in cells):
            continue
        if len(out) >= MAX_VALUE_ROWS:
            raise _Refused(f"“{VALUES_SHEET}”表行数过多")
        row_unit, row_month, seq, code, name, period_label, value, target, measure_unit, status = cells
        row_unit_found = find_unit(_text(row_unit))
        if row_unit_found is None or row_unit_found.name != unit.name or _text(row_month) != period:
            raise _Refused(f"“{VALUES_SHEET}”第{n}行的填报单位或报告月份与报表信息不一致")
        if isinstance(seq, bool) or not isinstance(seq, (int, float)) or not float(seq).is_integer():
            raise _Refused(f"“{VALUES_SHEET}”第{n}行的任务序号无效")
        code_text = _text(code)
        if not code_text or code_text in codes:
            raise _Refused(f"“{VALUES_SHEET}”第{n}行的指标代码为空或重复")
        codes.add(code_text)
        if _text(status) not in STATUS_WORDS:
            raise _Refused(f"“{VALUES_SHEET}”第{n}行的状态“{_text(status)}”无效")
        out.append(
            {
                "task_seq": int(seq),
                "code": code_text,
                "name": _text(name),
                "period_label": _text(period_label),
                "value": _number(value, "完成值", n),
                "target": _number(target, "目标值", n),
                "unit": _text(measure_unit),
                "status": _text(status),
            }
        )
    return out


def _read_report(path: Path) -> _Report:
    # The one guard for untrusted workbooks (shared with ledger import): real rows, not the
    # declared dimension; rows, columns, cells and time bounded, so one file cannot stall a folder.
    try:
        return _read_guarded(path)
    except UntrustedWorkbookError as exc:
        raise _Refused(exc.reason) from None


def _read_guarded(path: Path) -> _Report:
    wb = workbook_guard.open_untrusted(path)
    try:
        if META_SHEET not in wb.sheetnames:
            raise _Refused("不是本程序导出的月度报表（缺少“报表信息”表）")
        try:
            meta = read_report_meta(wb)
        except UntrustedWorkbookError:
            raise
        except Exception as exc:  # a foreign or damaged meta sheet
            log.info("meta unreadable in %s: %r", path, exc)
            raise _Refused("“报表信息”表无法读取") from None
        if _text(meta.get("format")) != REPORT_FORMAT:
            raise _Refused("不是本程序导出的月度报表（报表格式标识不符）")
        try:
            format_version = int(meta.get("format_version"))
        except (TypeError, ValueError):
            raise _Refused("报表格式版本无效") from None
        if format_version not in SUPPORTED_FORMAT_VERSIONS:
            raise _Refused(f"报表格式版本 {format_version} 不受支持，请升级本程序后再导入")
        if _text(meta.get("kind")) != "monthly":
            raise _Refused("这是季度报表；汇总只接收月度台账报表")
        unit = find_unit(_text(meta.get("unit")))
        if unit is None or unit.kind == "district":
            raise _Refused(f"填报单位“{_text(meta.get('unit'))}”不是钟楼区的填报单位")
        period = _text(meta.get("period"))
        if not _valid_month(period):
            raise _Refused(f"报告月份“{period}”无效", unit=unit.name)
        try:
            version = int(meta.get("version"))
            if version < 1:
                raise ValueError
        except (TypeError, ValueError):
            raise _Refused("报表版本号无效", unit=unit.name, period=period) from None
        generated_at = _text(meta.get("generated_at"))
        try:
            dt.datetime.fromisoformat(generated_at)
        except ValueError:
            raise _Refused("报表生成时间无效", unit=unit.name, period=period, version=version) from None
        stored = _text(meta.get("data_sha256")).lower()
        if VALUES_SHEET not in wb.sheetnames:
            raise _Refused(f"缺少“{VALUES_SHEET}”表", unit=unit.name, period=period, version=version)
        try:
            digest_ok = bool(stored) and report_digest(wb) == stored
        except UntrustedWorkbookError:
            raise
        except Exception as exc:
            log.info("digest failed for %s: %r", path, exc)
            digest_ok = False
        rows: list[dict[str, Any]] = []
        if digest_ok:
            try:
                rows = _read_values(wb[VALUES_SHEET], unit, period)
            except _Refused as exc:
                raise _Refused(exc.reason, unit=unit.name, period=period, version=version) from None
        entries = read_entry_rows(wb[DETAIL_SHEET]) if digest_ok and DETAIL_SHEET in wb.sheetnames else None
        return _Report(unit.name, period, version, generated_at, stored, digest_ok, rows, signed_statement(meta),
                       _text(meta.get("public_key")), _text(meta.get("signature")), entries)
    finally:
        wb.close()


def _order_key(row: dict[str, Any]) -> tuple[int, str, int]:
    # A later version wins; two exports of one version (before submission): the newer one.
    return (row["version"], row["generated_at"] or "", row["id"])


def _recompute_current(db: sqlite_utils.Database, unit: str, period: str) -> int | None:
    rows = list(db.query("SELECT id, version, generated_at FROM district_reports WHERE unit = ? AND kind = 'monthly'"
                         " AND period = ? AND status = 'ok'", [unit, period]))
    db.execute("UPDATE district_reports SET current = 0 WHERE unit = ? AND kind = 'monthly' AND period = ?", [unit, period])
    if not rows:
        return None
    best = max(rows, key=_order_key)
    db.execute("UPDATE district_reports SET current = 1 WHERE id = ?", [best["id"]])
    return int(best["id"])


def _current(db: sqlite_utils.Database, unit: str, period: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT id, version FROM district_reports WHERE unit = ? AND kind = 'monthly' AND period = ?"
                         " AND current = 1", [unit, period]))
    return rows[0] if rows else None


def _log_attempt(db: sqlite_utils.Database, outcome: ImportOutcome, *, actor: str, file_sha256: str) -> None:
    record_change(db, actor=actor, action=f"import_{outcome.state}", table="district_reports", row_id=outcome.report_id,
                  after={"file_name": outcome.file_name, "file_sha256": file_sha256, "unit": outcome.unit,
                         "period": outcome.period, "version": outcome.version}, reason=outcome.reason)


def _signature_problem(db: sqlite_utils.Database, report: _Report, *, actor: str, file_name: str) -> tuple[str, str]:
    """(why a file with a sound digest still must not count, fingerprint enrolled now); a first key is enrolled."""
    check = check_signed(db, owner=report.unit, statement=report.statement, public_key=report.public_key,
                         signature=report.signature)
    if not check.ok:
        return f"{check.problem}，不计入汇总", ""
    if check.first_use:
        return "", enrol(db, owner=report.unit, public_key=report.public_key, source=file_name, actor=actor).fingerprint
    return "", ""


def _store(db: sqlite_utils.Database, path: Path, file_sha256: str, report: _Report, *, actor: str = "") -> ImportOutcome:
    reason = "" if report.digest_ok else "文件在导出后被改动过，数据校验值不符，不计入汇总；请让报送单位重新导出"
    enrolled = ""
    if report.digest_ok:
        reason, enrolled = _signature_problem(db, report, actor=actor, file_name=path.name)
        report.digest_ok = not reason
        if reason:
            report.rows, report.entries = [], None
    status = "ok" if report.digest_ok else "checksum_failed"
    if not report.digest_ok:
        again = list(db.query("SELECT id FROM district_reports WHERE file_sha256 = ? AND status = 'checksum_failed'"
                              " LIMIT 1", [file_sha256]))
        if again:  # the same bad file sent twice is one failure, not two
            return ImportOutcome(path=path, state=CHECKSUM_FAILED, reason=reason, unit=report.unit, period=report.period,
                                 version=report.version, report_id=int(again[0]["id"]))
    before = _current(db, report.unit, report.period)
    cursor = db.execute(
        "INSERT INTO district_reports(unit, kind, period, version, file_name, file_sha256, data_sha256, generated_at,"
        " imported_at, status, reason, current, public_key, signature, verify_code)"
        " VALUES (?, 'monthly', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
        [report.unit, report.period, report.version, path.name, file_sha256, report.data_sha256,
         report.generated_at, _now(), status, reason, report.public_key, report.signature,
         verification_code(report.signature) if report.digest_ok else ""],
    )
    report_id = int(cursor.lastrowid)  # type: ignore[arg-type]
    if report.entries:
        store_entry_rows(db, report_id, report.entries)
    for row in report.rows:
        db.execute(
            "INSERT INTO district_values(report_id, task_seq, code, name, period_label, value, target, unit, status)"
            " VALUES (:report_id, :task_seq, :code, :name, :period_label, :value, :target, :unit, :status)",
            {**row, "report_id": report_id},
        )
    common = dict(path=path, unit=report.unit, period=report.period, version=report.version, report_id=report_id,
                  enrolled_fingerprint=enrolled)
    if not report.digest_ok:
        return ImportOutcome(state=CHECKSUM_FAILED, reason=reason, **common)
    current_id = _recompute_current(db, report.unit, report.period)
    if current_id != report_id:
        newest = _current(db, report.unit, report.period)
        return ImportOutcome(state=OLDER, reason=f"已有第{newest['version']}版（较新），本文件仅记入版本记录", **common)  # type: ignore[index]
    if before is not None:
        return ImportOutcome(state=REPLACED, replaced_version=int(before["version"]), **common)
    return ImportOutcome(state=IMPORTED, **common)


def import_report_file(ws: Workspace, path: Path | str, *, actor: str = "") -> ImportOutcome:
    """Check and import one unit report. Never raises for a bad file: it is refused with a reason."""
    path = Path(path)
    actor = actor or (ws.profile.operator if ws.profile else "")
    try:
        if not path.is_file():
            raise _Refused("文件不存在或不是普通文件")
        file_sha256 = sha256_file(path)
    except (_Refused, OSError) as exc:
        reason = exc.reason if isinstance(exc, _Refused) else f"无法读取文件（{explain(exc)}）"
        outcome = ImportOutcome(path=path, state=REFUSED, reason=reason)
        with ws.db.atomic():
            _log_attempt(ws.db, outcome, actor=actor, file_sha256="")
        return outcome
    # A file that failed before is checked again: after a re-enrolment the same file may count.
    known = list(ws.db.query("SELECT id, unit, period, version FROM district_reports WHERE file_sha256 = ?"
                             " AND status = 'ok' LIMIT 1", [file_sha256]))
    if known:
        k = known[0]
        return ImportOutcome(path=path, state=DUPLICATE, unit=k["unit"], period=k["period"], version=k["version"],
                             report_id=k["id"], reason="此文件此前已导入")
    try:
        report = _read_report(path)
    except _Refused as exc:
        outcome = ImportOutcome(path=path, state=REFUSED, reason=exc.reason, unit=exc.unit, period=exc.period,
                                version=exc.version)
        with ws.db.atomic():
            _log_attempt(ws.db, outcome, actor=actor, file_sha256=file_sha256)
        return outcome
    if report.digest_ok:
        # The same report re-saved (or re-zipped by a mail client): same data, different bytes.
        same = list(ws.db.query("SELECT id FROM district_reports WHERE unit = ? AND kind = 'monthly' AND period = ?"
                                " AND version = ? AND data_sha256 = ? AND status = 'ok' LIMIT 1",
                                [report.unit, report.period, report.version, report.data_sha256]))
        if same:
            return ImportOutcome(path=path, state=DUPLICATE, unit=report.unit, period=report.period,
                                 version=report.version, report_id=same[0]["id"], reason="内容与此前导入的同一版本相同")
    with ws.db.atomic():
        outcome = _store(ws.db, path, file_sha256, report, actor=actor)
        _log_attempt(ws.db, outcome, actor=actor, file_sha256=file_sha256)
    log.info("district import %s", outcome.describe())
    return outcome


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and the ``.xlsx`` files inside given folders (sorted, Excel lock files skipped)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xlsx"
                              and not p.name.startswith("~$")))
        else:
            out.append(path)
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]  # type: ignore[func-returns-value]


def import_reports(ws: Workspace, paths: Iterable[Path | str], *, progress: Progress | None = None) -> list[ImportOutcome]:
    """Import many files and folders; one bad file never stops the others."""
    files = expand_paths(paths)
    outcomes: list[ImportOutcome] = []
    for n, path in enumerate(files):
        if progress:
            progress(n, len(files), f"正在导入 {path.name}")
        outcomes.append(import_report_file(ws, path))
    if progress:
        progress(len(files), len(files), f"已处理 {len(files)} 个文件")
    return outcomes
