"""The PDF's table layout: pages planned from line counts, one small reportlab Table per page.

``Grid`` holds a table's rows as wrapped lines (``textblock.wrap``) and their heights; ``plan``
gives the rows of each page (``textblock.paginate``: the trailer — the signatures — stays
with the last rows), ``render_grid`` makes a Table per page with explicit row heights, the
merged column (类别) spanned within the page and labelled again on a page that begins inside
a run. A cell taller than ``ROW_LIMIT`` keeps what fits and continues in a ``Note`` (附注).
Nothing here lets reportlab split a long table, so the work grows linearly with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Table, TableStyle

from models.reporting.assembly import Column
from models.reporting.fonts import ReportFonts
from models.reporting.textblock import (
    break_lines,
    char_width,
    font_measure,
    header_phrases,
    header_text,
    paginate,
    split_after_lines,
    widest_unit,
)

PAGE = landscape(A4)
MARGIN_X = 12 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 16 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN_X
FRAME_HEIGHT = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM
GRID = colors.HexColor("#333333")
HEAD_BG = colors.HexColor("#E8EDF3")
ROW_LIMIT = FRAME_HEIGHT * 0.5  # a row never grows beyond this: the rest of its text goes to 附注
SLACK = 4  # points kept free on every page so rounding never makes reportlab split a table


@dataclass(frozen=True)


class Density:
    """How tightly table rows are set; ``TIGHT`` is tried to save a last page of one row."""

    leading: float  # factor on a style's leading
    pad: float  # cell padding, points


NORMAL = Density(1.0, 3.0)
TIGHT = Density(0.9, 1.6)


class Styles:
    def __init__(self, fonts: ReportFonts):
        self.font = fonts.body
        self.title_font = fonts.title
        base = dict(fontName=fonts.body, wordWrap="CJK")
        self.title = ParagraphStyle("title", fontName=fonts.title, fontSize=18, leading=26, alignment=TA_CENTER, wordWrap="CJK")
        self.heading = ParagraphStyle("heading", fontName=fonts.title, fontSize=13, leading=18, wordWrap="CJK")
        self.info = ParagraphStyle("info", fontSize=10.5, leading=15, **base)
        self.info_right = ParagraphStyle("info_r", fontSize=10.5, leading=15, alignment=TA_RIGHT, **base)
        self.head = ParagraphStyle("head", fontName=fonts.title, fontSize=9.5, leading=12, alignment=TA_CENTER)
        self.cell = ParagraphStyle("cell", fontSize=9, leading=12, **base)
        self.cell_c = ParagraphStyle("cell_c", fontSize=9, leading=12, alignment=TA_CENTER, **base)
        self.small_head = ParagraphStyle("small_head", fontName=fonts.title, fontSize=8.5, leading=11, alignment=TA_CENTER)
        self.small = ParagraphStyle("small", fontSize=8, leading=10.5, **base)
        self.small_c = ParagraphStyle("small_c", fontSize=8, leading=10.5, alignment=TA_CENTER, **base)
        self.caption = ParagraphStyle("caption", fontSize=9, leading=12, alignment=TA_CENTER, **base)
        self.body = ParagraphStyle("body", fontSize=10.5, leading=16, **base)


def para(value: object, style: ParagraphStyle) -> Paragraph:
    text = "" if value is None else str(value)
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def table(data: list[list[Any]], st: Styles, style: list[tuple[Any, ...]], **kwargs: Any) -> Table:
    """A Table whose cell font is ours: reportlab sets each cell's font (Helvetica by
    default) even around flowables, which would put an unembedded font into the PDF."""
    table = Table(data, **kwargs)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.font), *style]))
    return table


def flow_height(flowable: Flowable) -> float:
    _, h = flowable.wrap(FRAME_WIDTH, FRAME_HEIGHT)
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()


class TextBlock(Flowable):
    """A plain-text table cell: wrapped once per width (``textblock.wrap``) with cached
    character widths, split between lines. reportlab's Paragraph parses markup and
    re-measures every character on each wrap, which dominated long exports."""

    def __init__(self, text: str, *, font: str, size: float, leading: float, align: str = "left",
                 lines: list[str] | None = None):
        super().__init__()
        self.text = text
        self.font = font
        self.size = size
        self.leading = leading
        self.align = align
        self._fixed = lines is not None  # a split part keeps the lines it was given
        self._lines: list[str] = lines or []
        self._wrapped_for: float | None = None

    def _layout(self, width: float) -> list[str]:
        if not self._fixed and self._wrapped_for != width:
            self._lines = break_lines(self.text, width, self.font, self.size)
            self._wrapped_for = width
        return self._lines

    def lines_for(self, width: float) -> list[str]:
        return list(self._layout(width))

    def part(self, lines: list[str]) -> TextBlock:
        """A block of the same style holding exactly ``lines``."""
        return TextBlock("", font=self.font, size=self.size, leading=self.leading, align=self.align, lines=lines)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab API)
        self.width = availWidth
        self.height = len(self._layout(availWidth)) * self.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        lines = self._layout(self._wrapped_for or availWidth)  # keep the lines measured by wrap()
        fit = int(availHeight // self.leading)
        if fit <= 0 or fit >= len(lines):
            return [] if fit <= 0 else [self]
        return [self.part(lines[:fit]), self.part(lines[fit:])]

    def draw(self) -> None:
        # One text object for all lines: far fewer PDF operators than a drawString per line.
        text = self.canv.beginText()
        text.setFont(self.font, self.size, self.leading)
        y = self.height - self.size  # first baseline, about one font size below the top
        for line in self._lines:
            if line:
                x = (self.width - sum(char_width(c, self.font, self.size) for c in line)) / 2 if self.align == "center" else 0
                text.setTextOrigin(x, y)
                text.textOut(line)
            y -= self.leading
        self.canv.drawText(text)


_CENTERED = {"序号", "类别", "完成期限", "状态", "佐证材料（件）", "任务序号", "任务", "日期", "参与人数"}


@dataclass


class Note:
    number: int
    where: str
    text: str


@dataclass


class _Row:
    lines: list[list[str]]  # per column
    leading: float
    run: str | None = None  # the merged column's text (the category), None for no merging

    def height(self, density: Density) -> float:
        return max(len(x) for x in self.lines) * self.leading * density.leading + 2 * density.pad


def _fit_widths(columns: Sequence[Column], head_measure: Any, cells: Sequence[float] = ()) -> list[float]:
    """Column widths on the page in proportion to the columns', but never narrower than a
    header's longest phrase ("完成期限", "佐证材料" of "佐证材料（件）") nor than the widest
    unbreakable piece of its cells (``cells``, e.g. "2023年10月"): the room comes from the
    wide text columns."""
    total = sum(c.width for c in columns)
    widths = [FRAME_WIDTH * c.width / total for c in columns]
    cells = list(cells) or [0.0] * len(columns)
    need = [max(max(head_measure(p) for p in header_phrases(c.label)), min(cell, FRAME_WIDTH * 0.12)) + 2 * NORMAL.pad + 1
            for c, cell in zip(columns, cells)]
    short = sum(max(0.0, n - w) for n, w in zip(need, widths))
    if short <= 0:
        return widths
    wide = [n for n, c in enumerate(columns) if c.width >= 20]
    spare = sum(widths[n] for n in wide)
    out = [max(w, n) for w, n in zip(widths, need)]
    for n in wide:
        out[n] = widths[n] - short * widths[n] / spare
    return out


class Grid:
    """A table of plain-text cells planned into pages: one small reportlab Table per page."""

    def __init__(self, columns: Sequence[Column], st: Styles, *, small: bool, notes: list[Note],
                 merge_column: int | None = None, sample: Sequence[Sequence[object]] = ()):
        self.columns = columns
        self.st = st
        self.merge_column = merge_column
        self.notes = notes
        self.left, self.center = (st.small, st.small_c) if small else (st.cell, st.cell_c)
        self.head_style = st.small_head if small else st.head
        self.rows: list[_Row] = []
        head_measure = font_measure(self.head_style.fontName, self.head_style.fontSize)
        widest = [0.0] * len(columns)
        for values in sample:  # the rows to come: no column narrower than what may not break
            for n, value in enumerate(values):
                if value is not None and n < len(widest) and self.columns[n].width < 20:
                    style = self._style(n)
                    widest[n] = max(widest[n], widest_unit(str(value), font_measure(style.fontName, style.fontSize)))
        self.widths = _fit_widths(columns, head_measure, widest)
        self.head_lines = [header_text(c.label, w - 2 * NORMAL.pad, head_measure).split("\n")
                           for c, w in zip(columns, self.widths)]

    def _style(self, n: int) -> ParagraphStyle:
        return self.center if self.columns[n].label in _CENTERED else self.left

    def add(self, values: Sequence[object], *, name: str, run: str | None = None) -> None:
        """One row; a cell taller than ``ROW_LIMIT`` keeps what fits and continues in a note."""
        lines: list[list[str]] = []
        leading = self.left.leading
        max_lines = max(2, int((ROW_LIMIT - 2 * NORMAL.pad) // leading))
        for n, (column, value, width) in enumerate(zip(self.columns, values, self.widths)):
            style = self._style(n)
            text = "" if value is None else str(value)
            if n == self.merge_column:
                text = run or ""
            wrapped = break_lines(text, width - 2 * NORMAL.pad, style.fontName, style.fontSize)
            if len(wrapped) > max_lines:
                note = Note(len(self.notes) + 1, f"{name}“{column.label}”", split_after_lines(text, wrapped, max_lines - 1)[1])
                self.notes.append(note)
                wrapped = wrapped[: max_lines - 1] + break_lines(f"（续见附注{note.number}）", width - 2 * NORMAL.pad,
                                                                 style.fontName, style.fontSize)
            lines.append(wrapped)
        self.rows.append(_Row(lines, leading, run))

    def head_height(self, density: Density) -> float:
        return max(len(x) for x in self.head_lines) * self.head_style.leading * density.leading + 2 * density.pad

    def plan(self, *, first: float, trailer: float = 0.0, density: Density = NORMAL) -> list[list[int]]:
        """Row indices per page (``first``: the room on the table's first page)."""
        head = self.head_height(density)
        heights = [r.height(density) for r in self.rows]
        return paginate(heights, first=first - head - SLACK, rest=FRAME_HEIGHT - head - SLACK, trailer=trailer)

    def pagetable(self, indices: list[int], density: Density) -> Table:
        st, pad = self.st, density.pad
        head = self.head_style
        data: list[list[Flowable]] = [[
            TextBlock("", font=head.fontName, size=head.fontSize, leading=head.leading * density.leading, align="center",
                      lines=lines) for lines in self.head_lines
        ]]
        heights = [self.head_height(density)]
        style: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("VALIGN", (0, 1), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), NORMAL.pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), NORMAL.pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ]
        run_start, run_text = 1, None
        for k, index in enumerate(indices, start=1):
            row = self.rows[index]
            cells: list[Flowable] = []
            for n, lines in enumerate(row.lines):
                style_n = self._style(n)
                if n == self.merge_column and row.run == run_text and k > 1:
                    lines = []  # inside a merged run: the label sits in the run's first row
                cells.append(TextBlock("", font=style_n.fontName, size=style_n.fontSize,
                                       leading=style_n.leading * density.leading,
                                       align="center" if style_n.alignment == TA_CENTER else "left", lines=lines))
            data.append(cells)
            heights.append(row.height(density))
            if self.merge_column is not None and (row.run != run_text or k == 1):
                if k - 1 > run_start:
                    style.append(("SPAN", (self.merge_column, run_start), (self.merge_column, k - 1)))
                run_start, run_text = k, row.run
        if self.merge_column is not None and len(indices) > run_start:
            style.append(("SPAN", (self.merge_column, run_start), (self.merge_column, len(indices))))
        if self.merge_column is not None:
            style.append(("VALIGN", (self.merge_column, 1), (self.merge_column, -1), "MIDDLE"))
        return table(data, st, style, colWidths=self.widths, rowHeights=heights)


def render_grid(grid: Grid, pages: list[list[int]], density: Density) -> list[Flowable]:
    story: list[Flowable] = []
    for n, indices in enumerate(pages):
        if n:
            story.append(PageBreak())
        if indices:
            story.append(grid.pagetable(indices, density))
    return story


def best_plan(grid: Grid, *, first: float, trailer: float) -> tuple[list[list[int]], Density]:
    """The pages at normal density, or tightened when that saves a last page of one row."""
    pages = grid.plan(first=first, trailer=trailer)
    if len(pages) > 1 and len(pages[-1]) == 1:
        tight = grid.plan(first=first, trailer=trailer, density=TIGHT)
        if len(tight) < len(pages):
            return tight, TIGHT
    return pages, NORMAL
