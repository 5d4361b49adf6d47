"""The district summary (全区月度汇总) as .xlsx and .pdf, from one data assembly.

Same print conventions as the units' reports: A4 landscape, header rows repeated on every
page, "第 X 页 共 Y 页" in the footer, a CJK TrueType font embedded (found by
``models.reporting.fonts``), written atomically (``models.reporting.files``).
"""

from __future__ import annotations

import datetime as dt
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

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2EC")


def _sheet(wb: Workbook, title: str, heading: str, sub: str, header: list[str], rows: list[list[str]],
           widths: list[float], *, colour_cols: tuple[int, ...] = ()) -> None:
    sheet = wb.create_sheet(title)
    sheet.append([heading])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(name="黑体", size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    sheet.append([sub])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[2].height = 30
    sheet.append(header)
    for c in range(1, len(header) + 1):
        cell = sheet.cell(row=3, column=c)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([str(v) for v in row])  # every cell a string: no user text becomes a formula
        r = sheet.max_row
        for c in range(1, len(header) + 1):
            cell = sheet.cell(row=r, column=c)
            cell.data_type = "s"
            cell.border = _BORDER
            cell.font = Font(name="宋体", size=10)
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="center" if c - 1 in colour_cols or len(str(row[c - 1])) <= 4 else "left")
            if c - 1 in colour_cols and str(row[c - 1]) in STATE_COLOURS:
                cell.fill = PatternFill("solid", fgColor=STATE_COLOURS[str(row[c - 1])])
    if not rows:
        sheet.append(["（无）"])
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.freeze_panes = "B4"


def write_summary_xlsx(summary: DistrictSummary, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    line = summary_line(summary)
    _sheet(wb, "报送情况", summary.title, f"{line}\n汇总单位：{ORGANISER}　生成时间：{summary.generated_at.replace('T', ' ')}",
           ["序号", "单位", "类别", "报送状态", "当前版本", "首次报送（生成时间）", "备注"],
           summary.completeness_rows(), [6, 24, 10, 10, 10, 20, 30], colour_cols=(3,))
    ghead, grows = summary.grid_rows()
    _sheet(wb, "全年报送", f"钟楼区生活垃圾分类工作月度台账报送情况（{summary.month[:4]}年）", line, ghead, grows,
           [24] + [8] * 12, colour_cols=tuple(range(1, 13)))
    _sheet(wb, "全区指标", f"全区目标完成情况（{month_title(summary.month)}）", "全区完成 = 各单位当前有效报表的完成值之和",
           ["任务", "指标", "全区目标", "全区完成", "完成率", "状态", "已报单位", "各单位完成"],
           summary.totals_rows(), [6, 26, 12, 12, 8, 8, 10, 60], colour_cols=(5,))
    mhead, mrows = summary.matrix_rows()
    _sheet(wb, "任务状态", f"各单位任务状态（{month_title(summary.month)}）",
           "单元格为该任务各指标中最差的状态；“—”表示适用但无数据；空白表示该任务不适用于该单位",
           mhead, mrows, [22, 10] + [7] * (len(mhead) - 2), colour_cols=tuple(range(1, len(mhead))))
    _sheet(wb, "进度滞后", f"进度滞后的单位（{month_title(summary.month)}）", "状态为 滞后、未达标 或 逾期 的指标",
           ["单位", "任务", "指标", "完成值", "目标值", "统计周期", "状态"], summary.behind_rows(),
           [22, 6, 30, 12, 12, 16, 8], colour_cols=(6,))
    wb.save(path)


# ---------------------------------------------------------------- pdf


def write_summary_pdf(summary: DistrictSummary, path: Path, *, data_dir: Path | None = None) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from models.reporting.fonts import register_report_fonts

    fonts = register_report_fonts(data_dir=data_dir)
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
        data = [[Paragraph(esc(h), head) for h in header]]
        for row in rows or [["（无）"] + [""] * (len(header) - 1)]:
            data.append([Paragraph(esc(v), cell_c if i in colour_cols or i in centre_cols else cell) for i, v in enumerate(row)])
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

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so the footer can say 共 Y 页."""

        def __init__(self, *args: Any, **kwargs: Any):
            # Otherwise every page starts in (unembedded) Helvetica.
            kwargs["initialFontName"] = fonts.body
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(fonts.body, 9)
                width, _ = landscape(A4)
                self.drawCentredString(width / 2, 8 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
                self.drawRightString(width - 12 * mm, 8 * mm, f"{summary.title}")
                super().showPage()
            super().save()

    story: list[Any] = [
        Paragraph(esc(summary.title), title),
        Paragraph(esc(f"汇总单位：{ORGANISER}　　生成时间：{summary.generated_at.replace('T', ' ')}"), body),
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
    doc.build(story, canvasmaker=NumberedCanvas)


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
