"""The report as a print-ready PDF (reportlab platypus), rendered from the one assembly.

A4 landscape; the table header repeats on every page; a row taller than a page splits
inside the row instead of failing; every page carries "第 X 页 共 Y 页" (the total is
known only at the end, so pages are numbered when the document is saved); an appendix
shows the period's photos, downscaled, four to a page with their captions. Fonts are a
CJK TrueType font embedded as a subset (``fonts.py``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from models.reporting.assembly import PRINT_DETAIL_COLUMNS, SIGNATURES, Column, Report
from models.reporting.fonts import ReportFonts, register_report_fonts
from models.reporting.textblock import TextBlock
from models.reporting.verification import draw_verification

PAGE = landscape(A4)
MARGIN_X = 12 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 16 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN_X
FRAME_HEIGHT = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM
PHOTO_BOX = (FRAME_WIDTH / 2 - 8 * mm, 64 * mm)
GRID = colors.HexColor("#333333")
HEAD_BG = colors.HexColor("#E8EDF3")


@dataclass(frozen=True)
class PhotoImage:
    """A photo ready for the appendix: a downscaled JPEG (or None when unreadable)."""

    path: Path | None
    size: tuple[int, int]
    caption: str
    problem: str = ""


class _Styles:
    def __init__(self, fonts: ReportFonts):
        self.font = fonts.body
        base = dict(fontName=fonts.body, wordWrap="CJK")
        self.title = ParagraphStyle("title", fontName=fonts.title, fontSize=18, leading=26, alignment=TA_CENTER, wordWrap="CJK")
        self.heading = ParagraphStyle("heading", fontName=fonts.title, fontSize=13, leading=18, spaceAfter=4, wordWrap="CJK")
        self.info = ParagraphStyle("info", fontSize=10.5, leading=15, **base)
        self.info_right = ParagraphStyle("info_r", fontSize=10.5, leading=15, alignment=TA_RIGHT, **base)
        self.head = ParagraphStyle("head", fontName=fonts.title, fontSize=9.5, leading=12, alignment=TA_CENTER, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", fontSize=9, leading=12, **base)
        self.cell_c = ParagraphStyle("cell_c", fontSize=9, leading=12, alignment=TA_CENTER, **base)
        self.small = ParagraphStyle("small", fontSize=8, leading=10.5, **base)
        self.small_c = ParagraphStyle("small_c", fontSize=8, leading=10.5, alignment=TA_CENTER, **base)
        self.caption = ParagraphStyle("caption", fontSize=9, leading=12, alignment=TA_CENTER, **base)
        self.body = ParagraphStyle("body", fontSize=10.5, leading=16, **base)


def cell(value: object, style: ParagraphStyle) -> TextBlock:
    """A table cell: plain text wrapped fast (``textblock.py``)."""
    return TextBlock("" if value is None else str(value), font=style.fontName, size=style.fontSize,
                     leading=style.leading, align="center" if style.alignment == TA_CENTER else "left")


def para(value: object, style: ParagraphStyle) -> Paragraph:
    text = "" if value is None else str(value)
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each footer can say 第 X 页 共 Y 页."""

    def __init__(self, *args: Any, footer_left: str = "", footer_right: str = "", font: str = "", code: str = "",
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._footer = (footer_left, footer_right, font)
        self._verify_code = code

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        left, right, font = self._footer
        self.saveState()
        self.setFont(font, 8.5)
        self.setFillColor(colors.HexColor("#333333"))
        y = MARGIN_BOTTOM - 9 * mm
        self.drawString(MARGIN_X, y, left)
        self.drawCentredString(PAGE[0] / 2, y, f"第 {number} 页 共 {total} 页")
        self.drawRightString(PAGE[0] - MARGIN_X, y, right)
        self.restoreState()
        draw_verification(self, page=number, code=self._verify_code, font=font, page_size=PAGE, margin_x=MARGIN_X, footer_y=y,
                          top=PAGE[1] - MARGIN_TOP)


def _table(data: list[list[Any]], st: _Styles, style: list[tuple[Any, ...]], **kwargs: Any) -> Table:
    """A Table whose cell font is ours: reportlab sets each cell's font (Helvetica by
    default) even around Paragraphs, which would put an unembedded font into the PDF."""
    table = Table(data, **kwargs)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.font), *style]))
    return table


def _widths(columns: tuple[Column, ...]) -> list[float]:
    total = sum(c.width for c in columns)
    return [FRAME_WIDTH * c.width / total for c in columns]


_CENTERED = {"序号", "类别", "完成期限", "状态", "佐证材料（件）", "任务序号", "任务", "日期", "参与人数"}


PAD = 3  # cell padding, points
# A logical row taller than MAX_ROW_HEIGHT is printed as several physical rows of at
# most CHUNK_HEIGHT (continuations without a rule between them), so the table can always
# break between rows and a page is filled before the row goes on.
MAX_ROW_HEIGHT = FRAME_HEIGHT * 0.6
CHUNK_HEIGHT = FRAME_HEIGHT * 0.2


def _grid_table(
    columns: tuple[Column, ...], rows: list[list[object]], st: _Styles, *, small: bool = False,
    merged_first: set[int] | None = None, merge_column: int | None = None,
) -> Table:
    """Header plus rows of plain-text cells, with rules drawn per logical row.

    ``merge_column`` shows its text only where ``merged_first`` (row indices) start a
    run and draws no rule inside a run: a merged cell that, unlike a SPAN, still lets
    the table break between any two rows.
    """
    left, center = (st.small, st.small_c) if small else (st.cell, st.cell_c)
    widths = _widths(columns)
    data: list[list[Flowable]] = [[cell(c.label, st.head) for c in columns]]
    style: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), 0.5, GRID),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, GRID),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
    ]
    for n, values in enumerate(rows):
        blocks = [cell(v, center if col.label in _CENTERED else left) for col, v in zip(columns, values)]
        if merge_column is not None and merged_first is not None and n not in merged_first:
            blocks[merge_column] = cell("", left)
        lines = [b.lines_for(w - 2 * PAD) for b, w in zip(blocks, widths)]
        leading = max(b.leading for b in blocks)
        total = max(len(x) for x in lines)
        per_row = total if total * leading <= MAX_ROW_HEIGHT else max(1, int(CHUNK_HEIGHT // leading))
        first_physical = len(data)
        for k in range(0, total, per_row):
            if k:  # continuation chunks sit flush against each other
                style.append(("TOPPADDING", (0, len(data)), (-1, len(data)), 0))
                style.append(("BOTTOMPADDING", (0, len(data) - 1), (-1, len(data) - 1), 0))
            data.append([b.part(x[k : k + per_row]) for b, x in zip(blocks, lines)])
        rule_from = 0
        if merge_column is not None and merged_first is not None and n not in merged_first:
            rule_from = merge_column + 1  # no rule across the merged column inside its run
            if merge_column > 0:
                style.append(("LINEABOVE", (0, first_physical), (merge_column - 1, first_physical), 0.5, GRID))
        style.append(("LINEABOVE", (rule_from, first_physical), (-1, first_physical), 0.5, GRID))
    return _table(data, st, style, colWidths=widths, repeatRows=1)


def _main_table(report: Report, st: _Styles) -> Table:
    starts = {first for first, _, _ in report.category_spans()}
    return _grid_table(report.columns, [r.cells() for r in report.rows], st, merged_first=starts, merge_column=1)


def _header_block(report: Report, st: _Styles) -> list[Flowable]:
    fields = report.header_fields()
    first = [para(f"{fields[0][0]}：{fields[0][1]}", st.info), para(f"报表版本：{report.version_text}", st.info_right)]
    second = [para(f"{label}：{value}", st.info) for label, value in fields[1:]]
    flush = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    top = _table([first], st, flush, colWidths=[FRAME_WIDTH * 0.7, FRAME_WIDTH * 0.3])
    bottom = _table([second], st, flush, colWidths=[FRAME_WIDTH * w for w in (0.22, 0.28, 0.22, 0.28)])
    return [para(report.title, st.title), Spacer(1, 3 * mm), top, bottom, Spacer(1, 2 * mm)]


def _signatures(report: Report, st: _Styles) -> Flowable:
    sign = _table([[para(text, st.info) for text in SIGNATURES]], st,
                  [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
                  colWidths=[FRAME_WIDTH / 4] * 4, rowHeights=[16 * mm])
    return KeepTogether([Spacer(1, 4 * mm), para(report.summary_text(), st.body), sign])


def _photo_cell(photo: PhotoImage, st: _Styles) -> list[Flowable]:
    box_w, box_h = PHOTO_BOX
    if photo.path is None:
        return [Spacer(1, box_h / 2), para(f"（照片无法读取：{photo.problem}）", st.caption), Spacer(1, box_h / 2 - 12),
                para(photo.caption, st.caption)]
    w, h = photo.size
    scale = min(box_w / w, box_h / h)
    image = Image(str(photo.path), width=w * scale, height=h * scale)
    return [image, Spacer(1, 2 * mm), para(photo.caption, st.caption)]


def _appendix(report: Report, photos: list[PhotoImage], st: _Styles) -> list[Flowable]:
    if not photos:
        return []
    story: list[Flowable] = [PageBreak(), para(f"附件：{report.period_title}佐证照片（共{len(photos)}张）", st.heading)]
    cell_w = FRAME_WIDTH / 2
    for n in range(0, len(photos), 2):
        pair = [_photo_cell(p, st) for p in photos[n : n + 2]]
        while len(pair) < 2:
            pair.append([Spacer(1, 1)])
        story.append(_table([pair], st, [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
                            colWidths=[cell_w, cell_w], rowHeights=[PHOTO_BOX[1] + 16 * mm]))
    return story


def build_story(report: Report, photos: list[PhotoImage], st: _Styles) -> list[Flowable]:
    story: list[Flowable] = _header_block(report, st)
    story.append(_main_table(report, st))
    story.append(_signatures(report, st))
    if report.details:
        story.append(PageBreak())
        story.append(para(f"台账明细（{report.period_title}，共{len(report.details)}条）", st.heading))
        story.append(_grid_table(PRINT_DETAIL_COLUMNS, [d.print_cells() for d in report.details], st, small=True))
    story.extend(_appendix(report, photos, st))
    return story


def write_pdf(
    report: Report,
    path: Path,
    *,
    photos: list[PhotoImage],
    digest: str,
    fonts: ReportFonts | None = None,
    verification_code: str = "",
) -> None:
    """Render ``report`` to ``path`` (the caller makes the write atomic)."""
    fonts = fonts or register_report_fonts()
    st = _Styles(fonts)
    doc = BaseDocTemplate(
        str(path), pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=report.title, author=report.unit, subject=f"{report.kind} {report.period}",
        creator="钟楼区垃圾分类工作台账", initialFontName=fonts.body, initialFontSize=10,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    canvasmaker = functools.partial(
        _NumberedCanvas, footer_left=f"{report.unit}　{report.period_title}　{report.version_text}",
        footer_right=f"数据校验码 {digest[:16]}", font=fonts.body, code=verification_code,
    )
    doc.build(build_story(report, photos, st), canvasmaker=canvasmaker)
