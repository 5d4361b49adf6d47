"""Exporting a report: next version → assemble → render → record, in one place.

``export_report(ws, "monthly", "2023-06", out_dir)`` does all four steps. The GUI runs
them on two threads: ``prepare`` (reads the database) and ``record`` (writes it) on the
GUI thread, ``render_report`` (only writes files) in the worker. Submissions build on
this module; nothing here knows about submitting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from models.store.keys import installation_signer
from models.reporting.assembly import Report, assemble, check_period
from models.reporting.export_log import next_version, record_export, reissue_reason
from models.reporting.files import StagedFile, ensure_folder, report_basename, discard_stale_parts
from models.store.faults import app_error_from
from models.store.workspace import Workspace

Progress = Callable[[int, int, str], None]
STEPS = 100  # progress is reported on a 0..100 scale


@dataclass(frozen=True)
class ExportResult:
    xlsx: Path
    pdf: Path
    version: int
    data_sha256: str
    kind: str = "monthly"
    period: str = ""
    export_id: int | None = None
    warnings: tuple[str, ...] = ()  # what the unit should fix before sending (targets not set)


def _report(progress: Progress | None, done: int, text: str) -> None:
    if progress is not None:
        progress(done, STEPS, text)


def prepare(ws: Workspace, kind: str, period: str, *, fill_date: dt.date | None = None, with_photos: bool = True) -> Report:
    """The report the next export of the period would be (version included); reads only."""
    period = check_period(kind, period)
    report = assemble(ws, kind, period, fill_date=fill_date, version=next_version(ws.db, kind, period),
                      with_photos=with_photos)
    report.signer = installation_signer(ws.db)  # the key is read (or made) here, not in the worker
    report.reissue_reason = reissue_reason(ws.db, kind, period)
    return report


def render_report(report: Report, out_dir: Path, *, data_dir: Path, progress: Progress | None = None) -> ExportResult:
    """Write the report's xlsx and PDF into ``out_dir``; touches no database.

    Both files are staged under temporary names and renamed only when both are complete.
    """
    from models.reporting.fonts import register_report_fonts
    from models.reporting.pdf_writer import write_pdf
    from models.reporting.photos import prepare_photos
    from models.reporting.verification import report_signature
    from models.reporting.xlsx_writer import write_xlsx

    fonts = register_report_fonts(data_dir=data_dir)  # fail before writing anything when no font is usable
    folder = ensure_folder(Path(out_dir))
    base = report_basename(report.kind, report.unit, report.period, version=report.version)
    for leftover_of in (folder / f"{base}.xlsx", folder / f"{base}.pdf"):
        discard_stale_parts(leftover_of)  # a killed export of this report before
    staged_xlsx, staged_pdf = StagedFile(folder / f"{base}.xlsx"), StagedFile(folder / f"{base}.pdf")
    try:
        _report(progress, 5, "正在生成 Excel 报表")
        try:
            digest = write_xlsx(report, staged_xlsx.tmp)
        except OSError as exc:
            raise app_error_from(exc, doing="生成 Excel 报表", path=folder) from exc
        _report(progress, 15, "正在处理照片")

        def photo_progress(done: int, total: int, text: str) -> None:
            _report(progress, 15 + 60 * done // max(total, 1), text)

        photos = prepare_photos(data_dir, report.photos, progress=photo_progress)
        _report(progress, 75, "正在生成 PDF")
        code = report_signature(report.signer, report, digest).code if report.signer else ""
        try:
            write_pdf(report, staged_pdf.tmp, photos=photos, digest=digest, fonts=fonts, verification_code=code)
        except OSError as exc:  # ENOSPC, a pulled USB stick: named, not 程序内部错误
            raise app_error_from(exc, doing="生成 PDF 报表", path=folder) from exc
        _report(progress, 97, "正在保存文件")
        xlsx, pdf = staged_xlsx.commit(), staged_pdf.commit()
    finally:
        staged_xlsx.discard()
        staged_pdf.discard()
    return ExportResult(xlsx=xlsx, pdf=pdf, version=report.version, data_sha256=digest, kind=report.kind, period=report.period,
                        warnings=report.warnings)


def record(ws: Workspace, report: Report, result: ExportResult, *, actor: str | None = None) -> ExportResult:
    """Remember the export (hashes, version, content digest) for the submission workflow."""
    export = record_export(ws.db, report, result, actor=actor or report.operator)
    return replace(result, export_id=export.id)


def export_report(
    ws: Workspace, kind: str, period: str, out_dir: Path, *, progress: Progress | None = None, actor: str | None = None,
    fill_date: dt.date | None = None,
) -> ExportResult:
    _report(progress, 0, "正在汇总台账数据")
    report = prepare(ws, kind, period, fill_date=fill_date)
    result = render_report(report, out_dir, data_dir=ws.data_dir, progress=progress)
    result = record(ws, report, result, actor=actor)
    _report(progress, STEPS, "导出完成")
    return result


def export_monthly(ws: Workspace, month: str, out_dir: Path, *, progress: Progress | None = None,
                   fill_date: dt.date | None = None) -> ExportResult:
    """钟楼区垃圾分类月度台账_<单位>_<YYYY年MM月>[_第N版].xlsx and .pdf in ``out_dir``."""
    return export_report(ws, "monthly", month, out_dir, progress=progress, fill_date=fill_date)


def export_quarterly(ws: Workspace, quarter: str, out_dir: Path, *, progress: Progress | None = None,
                     fill_date: dt.date | None = None) -> ExportResult:
    """钟楼区垃圾分类季度工作进展_<单位>_<YYYY年第N季度>[_第N版].xlsx and .pdf in ``out_dir``."""
    return export_report(ws, "quarterly", quarter, out_dir, progress=progress, fill_date=fill_date)
