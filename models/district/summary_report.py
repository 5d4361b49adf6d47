"""The district summary (全区月度汇总) as .xlsx and .pdf, from one data assembly.

Same print conventions as the units' reports: A4 landscape, header rows repeated on every
page, "第 X 页 共 Y 页" in the footer, a CJK TrueType font embedded (found by
``models.reporting.fonts``), written atomically (``models.reporting.files``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from models.core import statuses
from models.district.views import (
    DistrictTotal,
    StatusMatrix,
    UnitSubmission,
    ValueRow,
    district_totals,
    due_at,
    grace_days,
    month_completeness,
    state_counts,
    status_matrix,
    units_behind,
    year_grid,
)
from models.core.periods import month_title, parse_month
from models.reporting.files import atomic_write, ensure_folder
from models.reporting.textblock import excel_width, header_text, wrap
from models.store.workspace import Workspace

Progress = Callable[[int, int, str], None]
ORGANISER = "钟楼区生活垃圾分类工作领导小组办公室（区垃分办）"
# Light fills shared by xlsx, pdf and the GUI, so a colour means the same everywhere.
STATE_COLOURS = {
    "已报送": "C6F6D5", "迟报": "FEEBC8", "未报送": "FED7D7", "校验失败": "E9D8FD", "未到期": "EDF2F7",
    **{word: statuses.tint(word).lstrip("#").upper() for word in statuses.SEVERITY},  # the one status palette
    "当前版本": "C6F6D5", "已被替换": "EDF2F7", "已拒收": "FED7D7",
}


@dataclass(frozen=True)
class SummaryResult:
    xlsx: Path
    pdf: Path


@dataclass
class DistrictSummary:
    """Everything both files show, assembled once."""

    month: str
    title: str
    generated_at: str
    grace: int
    due: dt.datetime
    submissions: list[UnitSubmission]
    counts: dict[str, int]
    grid: list[list[UnitSubmission]]
    totals: list[DistrictTotal]
    matrix: StatusMatrix
    behind: list[ValueRow]

    def completeness_rows(self) -> list[list[str]]:
        rows = []
        for n, s in enumerate(self.submissions, start=1):
            note = []
            if s.versions > 1:
                note.append(f"共{s.versions}个版本")
            if s.failed:
                note.append(f"{s.failed}个文件校验失败")
            rows.append([str(n), s.unit.name, s.unit.kind_label, s.state,
                         f"第{s.current_version}版" if s.current_version else "",
                         s.first_generated_at.replace("T", " ")[:16], "；".join(note)])
        return rows

    def totals_rows(self) -> list[list[str]]:
        rows = []
        for t in self.totals:
            ind = t.indicator
            share = f"{t.total / t.target * 100:.0f}%" if t.target else ""
            parts = "、".join(f"{u} {v:g}" for u, v in t.by_unit.items() if v)
            rows.append([str(ind.task_seq), ind.name, f"{t.target:g}{ind.unit}", f"{t.total:g}{ind.unit}", share,
                         t.status, f"{t.reporting_units}/{t.expected_units}", parts or "—"])
        return rows

    def behind_rows(self) -> list[list[str]]:
        return [[v.unit, str(v.task_seq), v.name, _num(v.value, v.measure_unit), _num(v.target, v.measure_unit),
                 v.period_label, v.status] for v in self.behind]

    def behind_by_unit_rows(self) -> list[list[str]]:
        """One row per lagging unit: counts by status and the indicators (value / target)."""
        grouped: dict[str, list[ValueRow]] = {}
        for v in self.behind:
            grouped.setdefault(v.unit, []).append(v)
        rows = []
        for unit, items in grouped.items():
            counts = [str(sum(v.status == word for v in items) or "") for word in ("滞后", "未达标", "逾期")]
            detail = "；".join(f"{v.task_seq}.{v.name}（{_num(v.value, v.measure_unit) or '—'}/{_num(v.target, v.measure_unit) or '—'}，"
                              f"{v.status}）" for v in items)
            rows.append([unit, *counts, detail])
        return rows

    def matrix_rows(self) -> tuple[list[str], list[list[str]]]:
        """Units × tasks; '—' = the task applies but no value arrived, '' = it does not apply."""
        header = ["单位", "报送情况"] + [f"任务{t.seq}" for t in self.matrix.tasks]
        state = {s.unit.name: s.state for s in self.submissions}
        rows = []
        for unit in self.matrix.units:
            row = [unit.name, state.get(unit.name, "")]
            for task in self.matrix.tasks:
                cell = self.matrix.cell(unit.name, task.seq)
                row.append((cell.status or "—") if cell.applies else "")
            rows.append(row)
        return header, rows

    def grid_rows(self) -> tuple[list[str], list[list[str]]]:
        header = ["单位"] + [f"{m}月" for m in range(1, 13)]
        return header, [[row[0].unit.name] + [s.state for s in row] for row in self.grid]


def _num(value: float | None, unit: str) -> str:
    return "" if value is None else f"{value:g}{unit}"


def build_summary(ws: Workspace, month: str, *, now: dt.datetime | None = None) -> DistrictSummary:
    year, _ = parse_month(month)
    now = now or dt.datetime.now()
    subs = month_completeness(ws, month, now=now)
    grace = grace_days(ws.db)
    return DistrictSummary(
        month=month,
        title=f"钟楼区生活垃圾分类工作月度汇总（{month_title(month)}）",
        generated_at=now.isoformat(timespec="seconds"),
        grace=grace,
        due=due_at(month, grace),
        submissions=subs,
        counts=state_counts(subs),
        grid=year_grid(ws, year, now=now),
        totals=district_totals(ws, month),
        matrix=status_matrix(ws, month),
        behind=units_behind(ws, month),
    )


def summary_line(summary: DistrictSummary) -> str:
    c = summary.counts
    due = summary.due.date()
    return (f"应报送单位 {len(summary.submissions)} 个：按时报送 {c['已报送']}，迟报 {c['迟报']}，"
            f"未报送 {c['未报送'] + c['未到期']}，校验失败 {c['校验失败']}。"
            f"报送截止：{due.year}年{due.month}月{due.day}日（月末后宽限 {summary.grace} 天）。")


def file_stem(month: str) -> str:
    year, mon = parse_month(month)
    return f"钟楼区垃圾分类月度汇总_{year}年{mon:02d}月"


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

# Column kinds: how a value is written, formatted and aligned.
TEXT, STATE, INT, NUM, PCT, VERSION, TIME = "text", "state", "int", "num", "pct", "version", "time"
_FORMATS = {INT: "0", NUM: "#,##0", PCT: "0.00%", VERSION: '"第"0"版"', TIME: "yyyy-mm-dd hh:mm"}
_ALIGN = {TEXT: "left", STATE: "center", INT: "center", NUM: "right", PCT: "right", VERSION: "center", TIME: "center"}


@dataclass(frozen=True)
class SheetColumn:
    label: str
    width: float
    kind: str = TEXT


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 4)


def _rate(value: float | None, unit: str) -> float | None:
    """A value measured in % as the fraction a percent format shows."""
    return None if value is None else round(value / 100, 6) if unit == "%" else value


def completeness_table(summary: DistrictSummary) -> tuple[list[SheetColumn], list[list[object]]]:
    columns = [SheetColumn("序号", 6, INT), SheetColumn("单位", 24), SheetColumn("类别", 10, STATE),
               SheetColumn("报送状态", 10, STATE), SheetColumn("当前版本", 10, VERSION),
               SheetColumn("首次报送（生成时间）", 20, TIME), SheetColumn("有效版本数", 10, INT),
               SheetColumn("校验失败文件数", 12, INT), SheetColumn("备注", 30)]
    rows: list[list[object]] = []
    for n, s in enumerate(summary.submissions, start=1):
        first = dt.datetime.fromisoformat(s.first_generated_at) if s.first_generated_at else None
        note = "；".join(x for x in (f"共{s.versions}个版本" if s.versions > 1 else "",
                                    f"{s.failed}个文件校验失败" if s.failed else "") if x)
        rows.append([n, s.unit.name, s.unit.kind_label, s.state, s.current_version, first, s.versions, s.failed, note])
    return columns, rows


def totals_table(summary: DistrictSummary) -> tuple[list[SheetColumn], list[list[object]]]:
    columns = [SheetColumn("任务", 6, INT), SheetColumn("指标", 26), SheetColumn("计量单位", 8, STATE),
               SheetColumn("全区目标", 10, NUM), SheetColumn("全区完成", 10, NUM), SheetColumn("完成率", 9, PCT),
               SheetColumn("状态", 8, STATE), SheetColumn("已报单位", 8, INT), SheetColumn("应报单位", 8, INT),
               SheetColumn("各单位完成", 60)]
    rows: list[list[object]] = []
    for t in summary.totals:
        ind = t.indicator
        parts = "、".join(f"{u} {v:g}" for u, v in t.by_unit.items() if v)
        rows.append([ind.task_seq, ind.name, ind.unit, _number(t.target), _number(t.total),
                     round(t.total / t.target, 6) if t.target else None, t.status, t.reporting_units, t.expected_units,
                     parts or "—"])
    return columns, rows


def behind_table(summary: DistrictSummary) -> tuple[list[SheetColumn], list[list[object]]]:
    columns = [SheetColumn("单位", 22), SheetColumn("任务", 6, INT), SheetColumn("指标", 30),
               SheetColumn("完成值", 10, NUM), SheetColumn("目标值", 10, NUM), SheetColumn("计量单位", 8, STATE),
               SheetColumn("统计周期", 16, STATE), SheetColumn("状态", 8, STATE)]
    rows: list[list[object]] = []
    for v in summary.behind:
        pct = v.measure_unit == "%"
        rows.append([v.unit, v.task_seq, v.name, _rate(_number(v.value), v.measure_unit),
                     _rate(_number(v.target), v.measure_unit), v.measure_unit, v.period_label, v.status, pct])
    return columns, rows


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
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = 0.5
    sheet.page_margins.bottom = 0.6
    sheet.page_margins.footer = 0.25
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.oddFooter.center.font = "宋体"
    sheet.oddFooter.left.text = footer
    sheet.oddFooter.left.font = "宋体"


def summary_code(summary: DistrictSummary) -> str:
    """The summary's own code: a SHA-256 of what it reports, printed on the PDF and the workbook,
    so a printed page can be matched to its file."""
    data = [summary.month, summary.generated_at, completeness_table(summary)[1], totals_table(summary)[1],
            summary.matrix_rows()[1], summary.grid_rows()[1], behind_table(summary)[1]]
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()


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


# ---------------------------------------------------------------- pdf


def write_summary_pdf(summary: DistrictSummary, path: Path, *, data_dir: Path | None = None) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from models.reporting.fonts import register_report_fonts
    from models.reporting.pdf_grid import TextBlock
    from models.reporting.pdf_writer import TotalCanvas, draw_footer
    from models.reporting.textblock import font_measure

    fonts = register_report_fonts(data_dir=data_dir)  # the data folder's own fonts/ too
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    cell_c = ParagraphStyle("cellc", parent=cell, alignment=TA_CENTER)
    head = ParagraphStyle("head", parent=cell, fontName=fonts.title, alignment=TA_CENTER)
    title = ParagraphStyle("title", fontName=fonts.title, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=fonts.title, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4)

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def table(header: list[str], rows: list[list[str]], widths: list[float], *, colour_cols: tuple[int, ...] = (),
              centre_cols: tuple[int, ...] = ()) -> Table:
        def block(text: str, style: ParagraphStyle, width: float) -> TextBlock:
            # the reports' one line-breaking rule: numbers, dates and ratios stay whole
            align = "center" if style.alignment == TA_CENTER else "left"
            return TextBlock(text, font=style.fontName, size=style.fontSize, leading=style.leading, align=align)

        data = [[block(header_text(h, w * mm - 4, font_measure(head.fontName, head.fontSize)), head, w)
                 for h, w in zip(header, widths)]]
        for row in rows or [["（无）"] + [""] * (len(header) - 1)]:
            data.append([block(v, cell_c if i in colour_cols or i in centre_cols else cell, w)
                         for i, (v, w) in enumerate(zip(row, widths))])
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1, splitByRow=1)
        style = [
            # Table sets each cell's font even for Paragraph cells: without this, unembedded Helvetica.
            ("FONTNAME", (0, 0), (-1, -1), fonts.body),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9E2EC")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
        for r, row in enumerate(rows, start=1):
            for c in colour_cols:
                colour = STATE_COLOURS.get(row[c])
                if colour:
                    style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor("#" + colour)))
        t.setStyle(TableStyle(style))
        return t

    code = summary_code(summary)

    def on_page(canv: Any, _doc: Any) -> None:
        draw_footer(canv, left=f"汇总校验码 {code}", right=summary.title, font=fonts.body)

    story: list[Any] = [
        Paragraph(esc(summary.title), title),
        Paragraph(esc(f"汇总单位：{ORGANISER}　　生成时间：{summary.generated_at.replace('T', ' ')}　　汇总校验码：{code}"), body),
        Paragraph(esc(summary_line(summary)), body),
        Paragraph("一、报送情况", h2),
        table(["序号", "单位", "类别", "报送状态", "当前版本", "首次报送（生成时间）", "备注"], summary.completeness_rows(),
              [12, 60, 22, 24, 22, 40, 90], colour_cols=(3,), centre_cols=(0, 2, 4, 5)),
        CondPageBreak(50 * mm),  # never a section heading alone at a page's foot
        Paragraph("二、全区目标完成情况", h2),
        Paragraph("全区完成 = 各单位当前有效报表的完成值之和；校验失败的文件不计入。", body),
        Spacer(1, 2 * mm),
        table(["任务", "指标", "全区目标", "全区完成", "完成率", "状态", "已报单位", "各单位完成"], summary.totals_rows(),
              [12, 46, 20, 20, 16, 16, 18, 122], colour_cols=(5,), centre_cols=(0, 2, 3, 4, 6)),
        CondPageBreak(40 * mm),
        Paragraph("三、进度滞后的单位", h2),
        Paragraph("各单位当前有效报表中状态为 滞后、未达标 或 逾期 的指标（任务序号.指标（完成值/目标值，状态））；"
                  "逐项明细见 Excel 汇总表“进度滞后”表。", body),
        Spacer(1, 2 * mm),
        table(["单位", "滞后", "未达标", "逾期", "指标"], summary.behind_by_unit_rows(),
              [40, 12, 12, 12, 197], centre_cols=(1, 2, 3)),
        PageBreak(),
        Paragraph(f"四、各单位任务状态（{esc(month_title(summary.month))}）", h2),
        Paragraph("单元格为该任务各指标中最差的状态（逾期 > 未达标 > 滞后 > 未开展 > 进行中 > 达标）；"
                  "“—”表示任务适用但没有数据（未报送或报表中无此指标）；空白表示任务不适用于该单位。", body),
        Spacer(1, 2 * mm),
    ]
    mhead, mrows = summary.matrix_rows()
    seq_width = (273 - 44 - 18) / max(len(mhead) - 2, 1)
    story.append(table(mhead[:2] + [h.replace("任务", "") for h in mhead[2:]], mrows,
                       [44, 18] + [seq_width] * (len(mhead) - 2), colour_cols=tuple(range(1, len(mhead)))))
    ghead, grows = summary.grid_rows()
    story += [
        PageBreak(),
        Paragraph(f"五、全年报送情况（{summary.month[:4]}年）", h2),
        table(ghead, grows, [53] + [18.3] * 12, colour_cols=tuple(range(1, 13))),
        Spacer(1, 12 * mm),
        Paragraph("制表人：________________　　　审核人：________________　　　日期：____年____月____日", body),
    ]
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=15 * mm, title=summary.title, author=ORGANISER)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page,
              canvasmaker=lambda *a, **k: TotalCanvas(*a, font=fonts.body, **k))


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
