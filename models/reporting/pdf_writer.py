"""The report as a print-ready PDF (reportlab platypus), rendered from the one assembly.

A4 landscape, a form a supervisor signs: the task table with its header on every page and
the 类别 label repeated on a page that begins inside a category; the closing summary and
the signature lines on the page of the table's last rows (rows are carried over when they
do not fit, and a last page of one row is avoided by tightening the rows a little); text
too long for half a page continues in a 附注 section at the end ("续见附注1"); then the
detail list (at most ``DETAIL_PRINT_LIMIT`` entries — it says how many it lists and that
the workbook holds them all) and the photo appendix.

Pages are planned here from line counts (``textblock.wrap``), not by reportlab splitting
one long table: every page is its own small table with explicit row heights, so the work
grows linearly with the entries. "第 X 页 共 Y 页" needs the total only at the end: each
footer draws the total as a reference to one form XObject that is written when the
document is saved, so no page is held in memory.

Two places are meant for additions: ``footer_texts`` (what every footer says) and
``draw_page_one_extras`` (marks on page 1 beside the title, e.g. a QR code).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence
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
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from models.reporting.assembly import PRINT_DETAIL_COLUMNS, SIGNATURES, Column, Report
from models.reporting.fonts import ReportFonts, register_report_fonts
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
PHOTO_BOX = (FRAME_WIDTH / 2 - 8 * mm, 64 * mm)
GRID = colors.HexColor("#333333")
HEAD_BG = colors.HexColor("#E8EDF3")
DETAIL_PRINT_LIMIT = 500  # entries the printed detail list shows; the workbook has them all
ROW_LIMIT = FRAME_HEIGHT * 0.5  # a row never grows beyond this: the rest of its text goes to 附注
SLACK = 4  # points kept free on every page so rounding never makes reportlab split a table
TOTAL_FORM = "pageTotal"


@dataclass(frozen=True)
class PhotoImage:
    """A photo ready for the appendix: a downscaled JPEG (or None when unreadable)."""

    path: Path | None
    size: tuple[int, int]
    caption: str
    problem: str = ""


@dataclass(frozen=True)
class Density:
    """How tightly table rows are set; ``TIGHT`` is tried to save a last page of one row."""

    leading: float  # factor on a style's leading
    pad: float  # cell padding, points


NORMAL = Density(1.0, 3.0)
TIGHT = Density(0.9, 1.6)


class _Styles:
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


def _table(data: list[list[Any]], st: _Styles, style: list[tuple[Any, ...]], **kwargs: Any) -> Table:
    """A Table whose cell font is ours: reportlab sets each cell's font (Helvetica by
    default) even around flowables, which would put an unembedded font into the PDF."""
    table = Table(data, **kwargs)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.font), *style]))
    return table


def _height(flowable: Flowable) -> float:
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


# ---------------------------------------------------------------- page furniture


def footer_texts(report: Report, digest: str) -> tuple[str, str]:
    """(left, right) of every page's footer; the centre is the page number."""
    return f"{report.unit}　{report.period_title}　{report.version_text}", f"数据校验码 {digest[:16]}"


def draw_footer(canv: Canvas, *, left: str, right: str, font: str) -> None:
    """The footer of the current page: left text, "第 X 页 共 Y 页", right text.

    Y is a form XObject filled in when the document is saved (``TotalCanvas``)."""
    canv.saveState()
    canv.setFont(font, 8.5)
    canv.setFillColor(colors.HexColor("#333333"))
    y = MARGIN_BOTTOM - 9 * mm
    canv.drawString(MARGIN_X, y, left)
    canv.drawRightString(PAGE[0] / 2 - 1, y, f"第 {canv.getPageNumber()} 页")
    canv.translate(PAGE[0] / 2 + 3, y)
    canv.doForm(TOTAL_FORM)
    canv.restoreState()
    canv.saveState()
    canv.setFont(font, 8.5)
    canv.setFillColor(colors.HexColor("#333333"))
    canv.drawRightString(PAGE[0] - MARGIN_X, y, right)
    canv.restoreState()


# Room kept free at the right of page 1's header block (title, unit, people, date) for the
# marks ``draw_page_one_extras`` draws there, e.g. a QR code; 0 while nothing is drawn.
PAGE_ONE_EXTRAS_WIDTH = 0.0


def draw_page_one_extras(canv: Canvas, report: Report, digest: str) -> None:
    """Marks on page 1 only, drawn before its content: the box right of the header block,
    ``PAGE_ONE_EXTRAS_WIDTH`` wide, from the top margin down to the table. Nothing yet."""


class TotalCanvas(Canvas):
    """A canvas that writes the page total once, at the end, as the form every footer uses."""

    def __init__(self, *args: Any, font: str = "", **kwargs: Any):
        kwargs["initialFontName"] = font  # otherwise every page starts in (unembedded) Helvetica
        super().__init__(*args, **kwargs)
        self._total_font = font

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        total = self.getPageNumber() - 1
        self.beginForm(TOTAL_FORM)
        self.setFont(self._total_font, 8.5)
        self.setFillColor(colors.HexColor("#333333"))
        self.drawString(0, 0, f"共 {total} 页")
        self.endForm()
        super().save()


# ---------------------------------------------------------------- grid tables


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


class _Grid:
    """A table of plain-text cells planned into pages: one small reportlab Table per page."""

    def __init__(self, columns: Sequence[Column], st: _Styles, *, small: bool, notes: list[Note],
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

    def page_table(self, indices: list[int], density: Density) -> Table:
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
        return _table(data, st, style, colWidths=self.widths, rowHeights=heights)


def _render_grid(grid: _Grid, pages: list[list[int]], density: Density) -> list[Flowable]:
    story: list[Flowable] = []
    for n, indices in enumerate(pages):
        if n:
            story.append(PageBreak())
        if indices:
            story.append(grid.page_table(indices, density))
    return story


# ---------------------------------------------------------------- blocks


def _header_block(report: Report, st: _Styles) -> list[Flowable]:
    """Title, unit, people, date (and why a later version was issued), left of the room kept
    for ``draw_page_one_extras`` (``PAGE_ONE_EXTRAS_WIDTH``)."""
    fields = report.header_fields()
    width = FRAME_WIDTH - PAGE_ONE_EXTRAS_WIDTH
    first = [para(f"{fields[0][0]}：{fields[0][1]}", st.info), para(f"报表版本：{report.version_text}", st.info_right)]
    second = [para(f"{label}：{value}", st.info) for label, value in fields[1:]]
    flush = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    title = _table([[para(report.title, st.title)]], st,
                   flush + [("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)],
                   colWidths=[width], hAlign="LEFT")
    top = _table([first], st, flush, colWidths=[width * 0.7, width * 0.3], hAlign="LEFT")
    bottom = _table([second], st, flush, colWidths=[width * w for w in (0.22, 0.28, 0.22, 0.28)], hAlign="LEFT")
    story: list[Flowable] = [title, Spacer(1, 3 * mm), top, bottom]
    reason = report.reissue_reason
    if reason:
        story.append(_table([[para(f"重新报送说明：本表为{report.version_text}，因“{reason}”重新报送，替代此前版本。", st.info)]],
                            st, flush, colWidths=[width], hAlign="LEFT"))
    story.append(Spacer(1, 2 * mm))
    return story


SIGN_DATE = "____年__月__日"


class _SignatureRow(Flowable):
    """填报人（签字） / 审核人（签字） / 单位负责人（签字） with a line to sign on each, and the date."""

    def __init__(self, labels: Sequence[str], font: str, size: float = 10.5):
        super().__init__()
        self.labels = labels
        self.font = font
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab API)
        self.width = availWidth
        return availWidth, 14 * mm

    def draw(self) -> None:
        canv, slot = self.canv, self.width / len(self.labels)
        canv.setFont(self.font, self.size)
        canv.setLineWidth(0.6)
        y = 3 * mm
        for n, label in enumerate(self.labels):
            x = n * slot
            canv.drawString(x, y, label)
            start = x + canv.stringWidth(label, self.font, self.size) + 2
            if not label.endswith("日"):
                canv.line(start, y - 1.5, x + slot - 8 * mm, y - 1.5)


def _signature_labels() -> list[str]:
    """The signers from the assembly, each with a line to sign on; the date as ____年__月__日."""
    return [text if "签字" in text else "日期：" + SIGN_DATE for text in SIGNATURES]


def _trailer(report: Report, st: _Styles) -> list[Flowable]:
    return [Spacer(1, 4 * mm), para(report.summary_text(), st.body), Spacer(1, 6 * mm),
            _SignatureRow(_signature_labels(), st.font)]


def _notes(notes: list[Note], st: _Styles) -> list[Flowable]:
    if not notes:
        return []
    story: list[Flowable] = [PageBreak(), para("附注", st.heading), Spacer(1, 3 * mm)]
    for note in notes:
        story.append(TextBlock(f"附注{note.number}（{note.where}，续）：{note.text}", font=st.font, size=st.body.fontSize,
                               leading=st.body.leading))
        story.append(Spacer(1, 3 * mm))
    return story


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


def detail_heading(report: Report) -> str:
    total = len(report.details)
    if total <= DETAIL_PRINT_LIMIT:
        return f"台账明细（{report.period_title}，共{total}条）"
    return (f"台账明细（{report.period_title}）：共{total}条，本表列出前{DETAIL_PRINT_LIMIT}条；"
            f"全部{total}条见同名 Excel 文件的“台账明细”表")


def _best_plan(grid: _Grid, *, first: float, trailer: float) -> tuple[list[list[int]], Density]:
    """The pages at normal density, or tightened when that saves a last page of one row."""
    pages = grid.plan(first=first, trailer=trailer)
    if len(pages) > 1 and len(pages[-1]) == 1:
        tight = grid.plan(first=first, trailer=trailer, density=TIGHT)
        if len(tight) < len(pages):
            return tight, TIGHT
    return pages, NORMAL


def build_story(report: Report, photos: list[PhotoImage], st: _Styles) -> list[Flowable]:
    notes: list[Note] = []
    header = _header_block(report, st)
    cells = [row.cells() for row in report.rows]
    main = _Grid(report.columns, st, small=False, notes=notes, merge_column=1, sample=cells)
    for row, values in zip(report.rows, cells):
        main.add(values, name=f"任务{row.seq}", run=row.category)
    trailer = _trailer(report, st)
    pages, density = _best_plan(main, first=FRAME_HEIGHT - sum(_height(f) for f in header),
                                trailer=sum(_height(f) for f in trailer))
    story: list[Flowable] = header + _render_grid(main, pages, density) + trailer
    if report.details:
        shown = report.details[:DETAIL_PRINT_LIMIT]
        heading = [PageBreak(), para(detail_heading(report), st.heading), Spacer(1, 2 * mm)]
        cells = [d.print_cells() for d in shown]
        grid = _Grid(PRINT_DETAIL_COLUMNS, st, small=True, notes=notes, sample=cells)
        for d, values in zip(shown, cells):
            grid.add(values, name=f"明细第{d.n}条")
        first = FRAME_HEIGHT - sum(_height(f) for f in heading[1:])
        pages, density = _best_plan(grid, first=first, trailer=0.0)
        story += heading + _render_grid(grid, pages, density)
    story.extend(_notes(notes, st))
    story.extend(_appendix(report, photos, st))
    return story


def write_pdf(
    report: Report,
    path: Path,
    *,
    photos: list[PhotoImage],
    digest: str,
    fonts: ReportFonts | None = None,
) -> None:
    """Render ``report`` to ``path`` (the caller makes the write atomic)."""
    fonts = fonts or register_report_fonts()
    st = _Styles(fonts)
    doc = BaseDocTemplate(
        str(path), pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=report.title, author=report.unit, subject=f"{report.kind} {report.period}",
        creator="钟楼区垃圾分类工作台账", initialFontName=fonts.body, initialFontSize=10,
    )
    left, right = footer_texts(report, digest)

    def on_page(canv: Canvas, _doc: Any) -> None:
        if canv.getPageNumber() == 1:
            draw_page_one_extras(canv, report, digest)
        draw_footer(canv, left=left, right=right, font=fonts.body)

    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    doc.build(build_story(report, photos, st), canvasmaker=lambda *a, **k: TotalCanvas(*a, font=fonts.body, **k))
