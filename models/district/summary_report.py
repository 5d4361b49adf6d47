"""The district summary (全区月度汇总) as .xlsx and .pdf, from one data assembly.

The assembly is ``models.district.summary_data``, the PDF writer ``models.district.summary_pdf``;
here the workbook and :func:`export_summary`, which writes both. Same print conventions as
the units' reports: A4 landscape, header rows repeated on every page, "第 X 页 共 Y 页" in the
footer, a CJK TrueType font embedded (found by ``models.reporting.fonts``),
written atomically (``models.reporting.files``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from models.core.periods import month_title
from models.district.summary_data import (
    INT,
    NUM,
    ORGANISER,
    PCT,
    STATE,
    STATE_COLOURS,
    TEXT,
    TIME,
    VERSION,
    DistrictSummary,
    SheetColumn,
    behind_table,
    build_summary,
    completeness_table,
    file_stem,
    summary_code,
    summary_line,
    totals_table,
)
from models.district.summary_pdf import write_summary_pdf
from models.reporting.files import atomic_write, ensure_folder
from models.reporting.textblock import excel_width, header_text, wrap
from models.reporting.xlsx_writer import print_setup
from models.store.workspace import Workspace

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SummaryResult:
    xlsx: Path
    pdf: Path


# ---------------------------------------------------------------- xlsx
#
# The workbook is data a clerk sorts and filters: numbers are numbers (units in a column of
# their own), rates are fractions shown with a two-decimal percent format, versions and
# times are typed, every table has an auto-filter and a frozen header, row heights follow
# the wrapped text (``textblock.wrap``), alignment goes by what a column holds.

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2EC")
_LINE = 14.0  # points per wrapped line at 10 pt

_FORMATS = {INT: "0", NUM: "#,##0", PCT: "0.00%", VERSION: '"第"0"版"', TIME: "yyyy-mm-dd hh:mm"}
_ALIGN = {TEXT: "left", STATE: "center", INT: "center", NUM: "right", PCT: "right", VERSION: "center", TIME: "center"}


def _put(cell: Any, value: object, kind: str) -> None:
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # a unit's text never becomes a formula
    else:
        cell.value = value
        if kind == NUM and isinstance(value, float) and not value.is_integer():
            cell.number_format = "#,##0.0#"
        elif kind in _FORMATS:
            cell.number_format = _FORMATS[kind]


def _cell_lines(value: object, width: float) -> int:
    if not isinstance(value, str) or not value:
        return 1
    return len(wrap(value, max(1.0, width - 1.5), excel_width))


def _sheet(wb: Workbook, title: str, heading: str, sub: str, columns: list[SheetColumn], rows: list[list[object]],
           *, footer: str, percent_rows: list[bool] | None = None, freeze: str = "B4") -> None:
    """One table: title, a note, the header on row 3, typed rows; filtered, frozen, print-ready."""
    sheet = wb.create_sheet(title)
    last_col = len(columns)
    sheet.cell(row=1, column=1, value=heading)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    sheet["A1"].font = Font(name="黑体", size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    _put(sheet.cell(row=2, column=1), sub, TEXT)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[2].height = _LINE * _cell_lines(sub, sum(c.width for c in columns)) + 6
    head_lines = 1
    for c, col in enumerate(columns, start=1):
        cell = sheet.cell(row=3, column=c)
        _put(cell, col.label, TEXT)
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(c)].width = col.width
        head_lines = max(head_lines, len(header_text(col.label, col.width - 1.5, excel_width).split("\n")))
    sheet.row_dimensions[3].height = _LINE * head_lines + 6
    body = Font(name="宋体", size=10)
    for r, values in enumerate(rows or [["（无）"] + [None] * (last_col - 1)], start=4):
        lines = 1
        for c, (col, value) in enumerate(zip(columns, values), start=1):
            cell = sheet.cell(row=r, column=c)
            kind = col.kind
            if percent_rows and percent_rows[r - 4] and kind == NUM:
                kind = PCT  # a rate in a column of values: shown as a percent
            _put(cell, value, kind)
            cell.border = _BORDER
            cell.font = body
            cell.alignment = Alignment(horizontal=_ALIGN[col.kind], vertical="center", wrap_text=True)
            if col.kind == STATE and isinstance(value, str) and value in STATE_COLOURS:
                cell.fill = PatternFill("solid", fgColor=STATE_COLOURS[value])
            lines = max(lines, _cell_lines(value, col.width))
        sheet.row_dimensions[r].height = _LINE * lines + 6
    sheet.auto_filter.ref = f"A3:{get_column_letter(last_col)}{3 + max(len(rows), 1)}"
    sheet.freeze_panes = freeze
    print_setup(sheet, title_rows="3:3", kind_label=footer)  # the unit reports' print settings


def _texts(columns: list[str], widths: list[float], kind: str = STATE) -> list[SheetColumn]:
    return [SheetColumn(label, width, TEXT if n == 0 else kind) for n, (label, width) in enumerate(zip(columns, widths))]


def write_summary_xlsx(summary: DistrictSummary, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    line = summary_line(summary)
    code = summary_code(summary)
    footer = f"{summary.title}　汇总校验码 {code}"
    columns, rows = completeness_table(summary)
    _sheet(wb, "报送情况", summary.title,
           f"{line}\n汇总单位：{ORGANISER}　生成时间：{summary.generated_at.replace('T', ' ')}　汇总校验码：{code}",
           columns, rows, freeze="C4", footer=footer)
    ghead, grows = summary.grid_rows()
    _sheet(wb, "全年报送", f"钟楼区生活垃圾分类工作月度台账报送情况（{summary.month[:4]}年）", line,
           _texts(ghead, [24] + [8] * 12), grows, footer=footer)
    columns, rows = totals_table(summary)
    _sheet(wb, "全区指标", f"全区目标完成情况（{month_title(summary.month)}）", "全区完成 = 各单位当前有效报表的完成值之和",
           columns, rows, freeze="C4", footer=footer)
    mhead, mrows = summary.matrix_rows()
    _sheet(wb, "任务状态", f"各单位任务状态（{month_title(summary.month)}）",
           "单元格为该任务各指标中最差的状态；“—”表示适用但无数据；空白表示该任务不适用于该单位",
           _texts(mhead, [22, 10] + [7] * (len(mhead) - 2)), [[v or None for v in row] for row in mrows], freeze="C4", footer=footer)
    columns, rows = behind_table(summary)
    _sheet(wb, "进度滞后", f"进度滞后的单位（{month_title(summary.month)}）",
           "状态为 滞后、未达标 或 逾期 的指标；计量单位为 % 的完成值与目标值以百分数显示", columns,
           [r[:-1] for r in rows], percent_rows=[bool(r[-1]) for r in rows], footer=footer)
    wb.save(path)


def export_summary(ws: Workspace, month: str, out_dir: Path | str, *, progress: Progress | None = None,
                   now: dt.datetime | None = None) -> SummaryResult:
    """Write the summary .xlsx and .pdf into ``out_dir`` atomically; returns their paths."""
    out = ensure_folder(Path(out_dir))
    if progress:
        progress(0, 3, "正在汇总数据")
    summary = build_summary(ws, month, now=now)
    xlsx = out / f"{file_stem(month)}.xlsx"
    pdf = out / f"{file_stem(month)}.pdf"
    if progress:
        progress(1, 3, "正在生成 Excel 汇总表")
    atomic_write(xlsx, lambda tmp: write_summary_xlsx(summary, tmp))
    if progress:
        progress(2, 3, "正在生成 PDF 汇总表")
    atomic_write(pdf, lambda tmp: write_summary_pdf(summary, tmp, data_dir=ws.data_dir))
    if progress:
        progress(3, 3, "汇总表已生成")
    return SummaryResult(xlsx=xlsx, pdf=pdf)
