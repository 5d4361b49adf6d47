"""The report as a print-ready workbook (openpyxl), rendered from the one assembly.

Sheets, in order: the main form (月度台账 / 季度工作进展), 台账明细, 指标数据 and the hidden
报表信息 whose layout the district consolidation reads (see ``digest.py``). Every user
text is written as a string cell, so a title such as "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.reporting.assembly import DETAIL_COLUMNS, INDICATOR_COLUMNS, SIGNATURES, Column, Report
from models.reporting.digest import FORMAT, FORMAT_VERSION, report_digest, sheet_names
from models.reporting.verification import report_signature

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
LINE_HEIGHT = 14.0  # points per text line at 10.5 pt
MAX_ROW_HEIGHT = 409.0  # Excel's limit
_CENTERED = {"序号", "类别", "完成期限", "状态", "佐证材料（件）", "任务序号", "日期", "参与人数", "报告月份", "统计周期", "计量单位"}





def text_width(text: str) -> int:
    """Display width in Excel character units: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(value: object, width: float) -> int:
    if value is None:
        return 1
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in str(value).split("\n"))


def put(ws: Worksheet, row: int, column: int, value: object, *, style: Alignment = WRAP, font: Font | None = None) -> Cell:
    """Write one cell; text is always a string cell, never a formula."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(text) > MAX_CELL_TEXT:
            text = text[: MAX_CELL_TEXT - 20] + "…（超出Excel单元格长度，已截断）"
        cell.value = text
        cell.data_type = "s"  # "=..." must stay text
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    cell.alignment = style
    if font is not None:
        cell.font = font
    return cell


def _print_setup(ws: Worksheet, *, title_rows: str, kind_label: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.5
    ws.page_margins.bottom = 0.6
    ws.page_margins.footer = 0.25
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.font = BODY_FONT
    ws.oddFooter.left.text = kind_label
    ws.oddFooter.left.font = BODY_FONT


def _table(ws: Worksheet, first_row: int, columns: tuple[Column, ...], rows: list[list[object]], *, body: Font, bold: Font) -> int:
    """Header plus rows with borders, wrapped text and estimated row heights; returns the last row."""
    for c, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
        cell = put(ws, first_row, c, col.label, style=CENTER, font=bold)
        cell.fill = HEADER_FILL
        cell.border = BORDER
    ws.row_dimensions[first_row].height = LINE_HEIGHT * max(_lines(col.label, col.width) for col in columns) + 6
    row_no = first_row
    for values in rows:
        row_no += 1
        lines = 1
        for c, (col, value) in enumerate(zip(columns, values), start=1):
            cell = put(ws, row_no, c, value, style=CENTER if col.label in _CENTERED else WRAP_TOP, font=body)
            cell.border = BORDER
            lines = max(lines, _lines(value, col.width))
        ws.row_dimensions[row_no].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 6)
    return row_no


def _main_sheet(ws: Worksheet, report: Report) -> None:
    body, bold = Font(name=BODY_FONT, size=10.5), Font(name=TITLE_FONT, size=10.5)
    columns = report.columns
    last_col = len(columns)
    letter = get_column_letter(last_col)
    put(ws, 1, 1, report.title, style=CENTER, font=Font(name=TITLE_FONT, size=18))
    ws.merge_cells(f"A1:{letter}1")
    ws.row_dimensions[1].height = 34
    fields = report.header_fields()
    # Row 2: unit (to be stamped) and version; row 3: the people and the date.
    put(ws, 2, 1, f"{fields[0][0]}：{fields[0][1]}", font=body)
    ws.merge_cells("A2:E2")
    put(ws, 2, last_col - 1, f"报表版本：{report.version_text}", style=Alignment(horizontal="right", vertical="center"), font=body)
    ws.merge_cells(f"{get_column_letter(last_col - 1)}2:{letter}2")
    spots = ((1, 3), (4, 5), (6, 7), (8, 9))
    for (label, value), (a, b) in zip(fields[1:], spots):
        put(ws, 3, a, f"{label}：{value}", font=body)
        if b > a:
            ws.merge_cells(start_row=3, start_column=a, end_row=3, end_column=b)
    ws.row_dimensions[2].height = ws.row_dimensions[3].height = 22
    header_row = 4
    last = _table(ws, header_row, columns, [r.cells() for r in report.rows], body=body, bold=bold)
    for first, count, _ in report.category_spans():
        if count > 1:
            top = header_row + 1 + first
            ws.merge_cells(start_row=top, start_column=2, end_row=top + count - 1, end_column=2)
    put(ws, last + 2, 1, report.summary_text(), font=body)
    ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=last_col)
    ws.row_dimensions[last + 2].height = 30
    sign_row = last + 4
    for text, (a, b) in zip(SIGNATURES, ((1, 3), (4, 5), (6, 7), (8, 9))):
        put(ws, sign_row, a, text, style=Alignment(vertical="bottom"), font=body)
        ws.merge_cells(start_row=sign_row, start_column=a, end_row=sign_row, end_column=b)
    ws.row_dimensions[sign_row].height = 36
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print_setup(ws, title_rows=f"{header_row}:{header_row}", kind_label=f"{report.unit}　{report.period_title}　{report.version_text}")


def _plain_sheet(ws: Worksheet, report: Report, columns: tuple[Column, ...], rows: list[list[object]]) -> None:
    body, bold = Font(name=BODY_FONT, size=10), Font(name=TITLE_FONT, size=10)
    last = _table(ws, 1, columns, rows, body=body, bold=bold)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"
    _print_setup(ws, title_rows="1:1", kind_label=f"{report.unit}　{report.period_title}　{ws.title}")


def _meta_sheet(ws: Worksheet, report: Report, digest: str) -> None:
    values: list[tuple[str, object]] = [
        ("format", FORMAT), ("format_version", FORMAT_VERSION), ("kind", report.kind), ("unit", report.unit),
        ("period", report.period), ("app_version", report.app_version),
        ("generated_at", report.generated_at.isoformat(timespec="seconds")), ("version", report.version),
        ("data_sha256", digest),
    ]
    if report.signer is not None:
        signed = report_signature(report.signer, report, digest)
        values += [("public_key", signed.public_key), ("signature", signed.signature)]
    put(ws, 1, 1, "项目")
    put(ws, 1, 2, "值")
    for n, (key, value) in enumerate(values, start=2):
        put(ws, n, 1, key)
        put(ws, n, 2, value)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 70
    ws.sheet_state = "hidden"


def build_workbook(report: Report) -> tuple[Workbook, str]:
    """The finished workbook and the data SHA-256 stored in its 报表信息 sheet."""
    wb = Workbook()
    main_name, detail_name, indicator_name, meta_name = sheet_names(report.kind)
    main = wb.active
    main.title = main_name
    _main_sheet(main, report)
    _plain_sheet(wb.create_sheet(detail_name), report, DETAIL_COLUMNS, [d.cells() for d in report.details])
    _plain_sheet(wb.create_sheet(indicator_name), report, INDICATOR_COLUMNS, [i.cells() for i in report.indicators])
    digest = report_digest(wb)
    _meta_sheet(wb.create_sheet(meta_name), report, digest)
    wb.active = 0
    return wb, digest


def write_xlsx(report: Report, path: Path) -> str:
    """Save the workbook to ``path`` (the caller makes it atomic); returns the data SHA-256."""
    wb, digest = build_workbook(report)
    wb.save(path)
    return digest
