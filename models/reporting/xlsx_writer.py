"""The report as a print-ready workbook (openpyxl), rendered from the one assembly.

Sheets, in order: the main form (月度台账 / 季度工作进展), 台账明细, 指标数据, 附注 (only when
a cell's text is too long for one row) and the hidden 报表信息 whose layout the district
consolidation reads (see ``digest.py``). Every user text is written as a string cell, so a
title such as "=HYPERLINK(...)" stays text; dates are dates.

Row heights come from the same line breaking as the PDF (``textblock.wrap``, measured in
Excel character units). A row never cuts its text: beyond Excel's 409 pt the cell keeps
what fits and the rest continues on the 附注 sheet. The main form is paginated for print
here (manual page breaks from the estimated heights), so a page that begins inside a
category repeats its 类别 label and the signatures stay with the table's last rows.
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from models.reporting.assembly import DETAIL_COLUMNS, INDICATOR_COLUMNS, SIGNATURES, Column, DetailRow, Report
from models.reporting.digest import FORMAT, FORMAT_VERSION, report_digest, sheet_names
from models.reporting.verification import report_signature
from models.reporting.textblock import excel_width, header_text, paginate, split_after_lines, widest_unit, wrap

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
NOTES_SHEET = "附注"
DATE_FORMAT = "yyyy-mm-dd"
# Print geometry of A4 landscape with the margins below, fitted to the page width.
_PRINT_WIDTH_PT = 841.9 - 0.8 * 72
_PRINT_HEIGHT_PT = 595.3 - 1.1 * 72 - 20  # top + bottom margins, the footer line
_CENTERED = {"序号", "类别", "完成期限", "状态", "佐证材料（件）", "任务序号", "日期", "参与人数", "报告月份", "统计周期", "计量单位"}


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK and full-width characters count double."""
    return int(excel_width(text))


def _usable(width: float) -> float:
    return max(1.0, width - 1.5)


def _wrapped(value: object, width: float) -> list[str]:
    if value is None:
        return [""]
    if isinstance(value, (dt.date, int, float)):
        return [str(value)]
    return wrap(str(value), _usable(width), excel_width)


def _lines(value: object, width: float) -> int:
    return len(_wrapped(value, width))


def _height(lines: int) -> float:
    return LINE_HEIGHT * lines + 6


class _Notes:
    """Text that does not fit in a row of at most 409 pt, continued on the 附注 sheet."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, str]] = []

    def bound(self, text: str, width: float, where: str) -> tuple[str, int]:
        """The text a cell shows (the rest continued on the 附注 sheet) and its line count."""
        lines = _wrapped(text, width)
        fit = int((MAX_ROW_HEIGHT - 6) // LINE_HEIGHT)
        if len(lines) <= fit:
            return text, len(lines)
        number = len(self.items) + 1
        suffix = f"（续见“{NOTES_SHEET}”表第{number}条）"
        keep = fit - len(_wrapped(suffix, width))
        while True:
            kept, rest = split_after_lines(text, lines, keep)
            shown = kept + suffix
            count = len(_wrapped(shown, width))
            if count <= fit or keep <= 1:
                break
            keep -= 1
        self.items.append((number, where, rest))
        return shown, count


def put(ws: Worksheet, row: int, column: int, value: object, *, style: Alignment = WRAP, font: Font | None = None) -> Cell:
    """Write one cell; text is always a string cell, never a formula."""
    cell = ws.cell(row=row, column=column)
    _value(cell, value)
    cell.alignment = style
    if font is not None:
        cell.font = font
    return cell


def _value(cell: Cell, value: object) -> None:
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(text) > MAX_CELL_TEXT:
            text = text[: MAX_CELL_TEXT - 20] + "…（超出Excel单元格长度，已截断）"
        # Set as a string cell directly: "=..." must stay text, and openpyxl's type guessing
        # (the ``value`` setter) was a good part of writing 12,000 entries.
        cell._value = text
        cell.data_type = "s"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell._value = value
        cell.data_type = "n"
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT  # a real date, shown as one


def print_setup(ws: Worksheet, *, title_rows: str, kind_label: str) -> None:
    """A4 landscape, one page wide, header rows repeated, "第 &P 页 共 &N 页" in the footer: the
    print settings of every workbook the program writes (the district summary's too)."""
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


def _header(ws: Worksheet, row: int, columns: tuple[Column, ...], bold: Font, *, form: bool = False) -> float:
    """The header row; on the printed form (``form``) a label too wide for its column is broken
    where a person would ("佐证材料 / （件）") instead of where Excel happens to."""
    for c, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
        label = header_text(col.label, col.width - 0.8, excel_width) if form else col.label
        cell = put(ws, row, c, label, style=CENTER, font=bold)
        cell.fill = HEADER_FILL
        cell.border = BORDER
    lines = max(len(header_text(col.label, col.width - 0.8 if form else _usable(col.width), excel_width).split("\n"))
                for col in columns)
    ws.row_dimensions[row].height = _height(lines)
    return _height(lines)


def _table(ws: Worksheet, first_row: int, columns: tuple[Column, ...], rows: list[list[object]], *, body: Font,
           bold: Font, notes: _Notes, names: list[str], form: bool = False) -> list[float]:
    """Header plus rows with borders, wrapped text and row heights; returns the rows' heights.

    A narrow column is widened to its widest unbreakable piece ("2023年10月"), so Excel need
    not break a date or a number either."""
    widest = {n: max((widest_unit(v, excel_width) for v in (r[n] for r in rows)
                      if isinstance(v, str) and excel_width(v) > _usable(col.width)), default=0.0)
              for n, col in enumerate(columns) if col.width < 16}
    columns = tuple(Column(c.label, max(c.width, min(widest.get(n, 0.0) + 2, 16))) for n, c in enumerate(columns))
    _header(ws, first_row, columns, bold, form=form)
    heights: list[float] = []
    aligns = [CENTER if col.label in _CENTERED else WRAP_TOP for col in columns]
    # Styles are set once per column and copied: assigning them cell by cell hashes them
    # every time, which made openpyxl the slowest part of a large export.
    templates: dict[tuple[int, bool], StyleArray] = {}
    for n, values in enumerate(rows):
        row_no = first_row + 1 + n
        lines = 1
        for c, (col, value) in enumerate(zip(columns, values), start=1):
            if isinstance(value, str) and (len(value) > col.width / 2 - 1 or "\n" in value):
                value, count = notes.bound(value, col.width, f"{names[n]}“{col.label}”")
                lines = max(lines, count)
            cell = ws.cell(row=row_no, column=c)
            _value(cell, value)
            key = (c, isinstance(value, dt.date))
            template = templates.get(key)
            if template is None:
                cell.alignment = aligns[c - 1]
                cell.font = body
                cell.border = BORDER
                if key[1]:
                    cell.number_format = DATE_FORMAT
                templates[key] = copy(cell._style)
            else:
                cell._style = copy(template)
        height = min(MAX_ROW_HEIGHT, _height(lines))
        ws.row_dimensions[row_no].height = height
        heights.append(height)
    return heights


def _page_rows(heights: list[float], columns: tuple[Column, ...], *, first_used: float, header: float,
               trailer: float) -> list[list[int]]:
    """The main form's rows per printed page, estimated as Excel prints it fitted to the width."""
    width_pt = sum(c.width * 7 + 5 for c in columns) * 0.75
    scale = min(1.0, _PRINT_WIDTH_PT / width_pt)
    room = _PRINT_HEIGHT_PT / scale * 0.95  # a little room for the estimate's error
    return paginate(heights, first=room - first_used - header, rest=room - header, trailer=trailer)


def _main_sheet(ws: Worksheet, report: Report, notes: _Notes) -> None:
    body, bold = Font(name=BODY_FONT, size=10.5), Font(name=TITLE_FONT, size=10.5)
    columns = report.columns
    last_col = len(columns)
    letter = get_column_letter(last_col)
    put(ws, 1, 1, report.title, style=CENTER, font=Font(name=TITLE_FONT, size=18))
    ws.merge_cells(f"A1:{letter}1")
    ws.row_dimensions[1].height = 34
    fields = report.header_fields()
    # Row 2: unit (to be stamped), why a later version was issued, the version; row 3: the people and the date.
    put(ws, 2, 1, f"{fields[0][0]}：{fields[0][1]}", font=body)
    ws.merge_cells("A2:E2")
    row2 = 22.0
    reason = report.reissue_reason
    if reason:
        text = f"重新报送原因：{reason}"
        put(ws, 2, 6, text, font=body)
        ws.merge_cells(start_row=2, start_column=6, end_row=2, end_column=last_col - 2)
        row2 = max(row2, _height(_lines(text, sum(c.width for c in columns[5 : last_col - 2]))))
    put(ws, 2, last_col - 1, f"报表版本：{report.version_text}", style=Alignment(horizontal="right", vertical="center"), font=body)
    ws.merge_cells(f"{get_column_letter(last_col - 1)}2:{letter}2")
    spots = ((1, 3), (4, 5), (6, 7), (8, 9))
    for (label, value), (a, b) in zip(fields[1:], spots):
        put(ws, 3, a, f"{label}：{value}", font=body)
        if b > a:
            ws.merge_cells(start_row=3, start_column=a, end_row=3, end_column=b)
    ws.row_dimensions[2].height = row2
    ws.row_dimensions[3].height = 22
    header_row = 4
    heights = _table(ws, header_row, columns, [r.cells() for r in report.rows], body=body, bold=bold, notes=notes,
                     names=[f"任务{r.seq}" for r in report.rows], form=True)
    last = header_row + len(report.rows)
    summary = report.summary_text()
    summary_height = _height(_lines(summary, sum(c.width for c in columns)))
    put(ws, last + 2, 1, summary, font=body)
    ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=last_col)
    ws.row_dimensions[last + 2].height = summary_height
    sign_row = last + 4
    for text, (a, b) in zip(_signature_texts(), ((1, 3), (4, 5), (6, 7), (8, 9))):
        put(ws, sign_row, a, text, style=Alignment(vertical="bottom"), font=body)
        ws.merge_cells(start_row=sign_row, start_column=a, end_row=sign_row, end_column=b)
    ws.row_dimensions[sign_row].height = 36
    # Print pages: a manual break after each page's last row; a category is merged within a page
    # only, so a page that begins inside one repeats its label.
    head_height = ws.row_dimensions[header_row].height or 20
    pages = _page_rows(heights, columns, first_used=34 + row2 + 22, header=head_height,
                       trailer=15 + summary_height + 15 + 36)
    category = [r.category for r in report.rows]
    for n, indices in enumerate(pages):
        if n + 1 < len(pages) and indices:
            ws.row_breaks.append(Break(id=header_row + 1 + indices[-1]))
        run_start = None
        for k, index in enumerate(indices):
            if run_start is None or category[index] != category[run_start]:
                run_start = index
                put(ws, header_row + 1 + index, 2, category[index], style=CENTER, font=body)
            ends = k + 1 == len(indices) or category[indices[k + 1]] != category[run_start]
            if ends and index > run_start:
                ws.merge_cells(start_row=header_row + 1 + run_start, start_column=2, end_row=header_row + 1 + index,
                               end_column=2)
            if ends:
                run_start = None
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    print_setup(ws, title_rows=f"{header_row}:{header_row}", kind_label=f"{report.unit}　{report.period_title}　{report.version_text}")


def _signature_texts() -> list[str]:
    """The signers with a line to sign on; the date as ____年__月__日."""
    return [f"{text}____________" if "签字" in text else "日期：____年__月__日" for text in SIGNATURES]


def _plain_sheet(ws: Worksheet, report: Report, columns: tuple[Column, ...], rows: list[list[object]], *,
                 notes: _Notes, names: list[str]) -> None:
    body, bold = Font(name=BODY_FONT, size=10), Font(name=TITLE_FONT, size=10)
    _table(ws, 1, columns, rows, body=body, bold=bold, notes=notes, names=names)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    print_setup(ws, title_rows="1:1", kind_label=f"{report.unit}　{report.period_title}　{ws.title}")


NOTE_COLUMNS = (Column("附注", 6), Column("位置", 24), Column("内容（续）", 100))


def _notes_sheet(ws: Worksheet, report: Report, notes: _Notes) -> None:
    """Each continued text in rows of at most 409 pt, so nothing is cut in print either."""
    body, bold = Font(name=BODY_FONT, size=10), Font(name=TITLE_FONT, size=10)
    _header(ws, 1, NOTE_COLUMNS, bold)
    width = NOTE_COLUMNS[2].width
    fit = int((MAX_ROW_HEIGHT - 6) // LINE_HEIGHT)
    row = 1
    for number, where, text in notes.items:
        rest = text
        while rest:
            lines = _wrapped(rest, width)
            part, rest = split_after_lines(rest, lines, fit) if len(lines) > fit else (rest, "")
            row += 1
            for c, value in enumerate((number, where, part), start=1):
                put(ws, row, c, value, style=WRAP_TOP, font=body).border = BORDER
            ws.row_dimensions[row].height = _height(min(fit, len(lines)))
    ws.freeze_panes = "A2"
    print_setup(ws, title_rows="1:1", kind_label=f"{report.unit}　{report.period_title}　{ws.title}")


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


def _detail_cells(detail: DetailRow) -> list[object]:
    cells = detail.cells()
    cells[1] = detail.date  # a real date, sortable and filterable
    return cells


def build_workbook(report: Report) -> tuple[Workbook, str]:
    """The finished workbook and the data SHA-256 stored in its 报表信息 sheet."""
    wb = Workbook()
    main_name, detail_name, indicator_name, meta_name = sheet_names(report.kind)
    main = wb.active
    main.title = main_name
    notes = _Notes()
    _main_sheet(main, report, notes)
    _plain_sheet(wb.create_sheet(detail_name), report, DETAIL_COLUMNS, [_detail_cells(d) for d in report.details],
                 notes=notes, names=[f"明细第{d.n}条" for d in report.details])
    _plain_sheet(wb.create_sheet(indicator_name), report, INDICATOR_COLUMNS, [i.cells() for i in report.indicators],
                 notes=notes, names=[f"任务{i.task_seq} {i.code}" for i in report.indicators])
    if notes.items:
        _notes_sheet(wb.create_sheet(NOTES_SHEET), report, notes)
    digest = report_digest(wb)
    _meta_sheet(wb.create_sheet(meta_name), report, digest)
    wb.active = 0
    return wb, digest


def report_data_digest(report: Report) -> str:
    return build_workbook(report)[1]


def write_xlsx(report: Report, path: Path) -> str:
    """Save the workbook to ``path`` (the caller makes it atomic); returns the data SHA-256."""
    wb, digest = build_workbook(report)
    wb.save(path)
    return digest
