"""The report as a print-ready PDF (reportlab platypus), rendered from the one assembly.

A4 landscape, a form a supervisor signs: the task table with its header on every page and
the 类别 label repeated on a page that begins inside a category; the closing summary and
the signature lines on the page of the table's last rows (rows are carried over when they
do not fit, and a last page of one row is avoided by tightening the rows a little); text
too long for half a page continues in a 附注 section at the end ("续见附注1"); then the
detail list (at most ``DETAIL_PRINT_LIMIT`` entries — it says how many it lists and that
the workbook holds them all) and the photo appendix.

Pages are planned from line counts (``pdf_grid``), not by reportlab splitting one long
table: every page is its own small table with explicit row heights, so the work grows
linearly with the entries. "第 X 页 共 Y 页" needs the total only at the end: each
footer draws the total as a reference to one form XObject that is written when the
document is saved, so no page is held in memory.

Two places are meant for additions: ``footer_texts`` (what every footer says) and
``draw_page_one_extras`` (marks on page 1 beside the title, e.g. a QR code).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Image, PageBreak, PageTemplate, Spacer

from models.reporting.assembly import PRINT_DETAIL_COLUMNS, SIGNATURES, Report
from models.reporting.fonts import ReportFonts, register_report_fonts
from models.reporting.verification import draw_verification
from models.reporting.pdf_grid import (
    FRAME_HEIGHT,
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE,
    Grid,
    Note,
    Styles,
    TextBlock,
    best_plan,
    flow_height,
    para,
    render_grid,
    table,
)

PHOTO_BOX = (FRAME_WIDTH / 2 - 8 * mm, 64 * mm)
DETAIL_PRINT_LIMIT = 500  # entries the printed detail list shows; the workbook has them all
TOTAL_FORM = "pageTotal"


@dataclass(frozen=True)


class PhotoImage:
    """A photo ready for the appendix: a downscaled JPEG (or None when unreadable)."""

    path: Path | None
    size: tuple[int, int]
    caption: str
    problem: str = ""


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


# ---------------------------------------------------------------- blocks


def _header_block(report: Report, st: Styles) -> list[Flowable]:
    """Title, unit, people, date (and why a later version was issued), left of the room kept
    for ``draw_page_one_extras`` (``PAGE_ONE_EXTRAS_WIDTH``)."""
    fields = report.header_fields()
    width = FRAME_WIDTH - PAGE_ONE_EXTRAS_WIDTH
    first = [para(f"{fields[0][0]}：{fields[0][1]}", st.info), para(f"报表版本：{report.version_text}", st.info_right)]
    second = [para(f"{label}：{value}", st.info) for label, value in fields[1:]]
    flush = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    title = table([[para(report.title, st.title)]], st,
                   flush + [("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)],
                   colWidths=[width], hAlign="LEFT")
    top = table([first], st, flush, colWidths=[width * 0.7, width * 0.3], hAlign="LEFT")
    bottom = table([second], st, flush, colWidths=[width * w for w in (0.22, 0.28, 0.22, 0.28)], hAlign="LEFT")
    story: list[Flowable] = [title, Spacer(1, 3 * mm), top, bottom]
    reason = report.reissue_reason
    if reason:
        story.append(table([[para(f"重新报送说明：本表为{report.version_text}，因“{reason}”重新报送，替代此前版本。", st.info)]],
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


def _trailer(report: Report, st: Styles) -> list[Flowable]:
    return [Spacer(1, 4 * mm), para(report.summary_text(), st.body), Spacer(1, 6 * mm),
            _SignatureRow(_signature_labels(), st.font)]


def _notes(notes: list[Note], st: Styles) -> list[Flowable]:
    if not notes:
        return []
    story: list[Flowable] = [PageBreak(), para("附注", st.heading), Spacer(1, 3 * mm)]
    for note in notes:
        story.append(TextBlock(f"附注{note.number}（{note.where}，续）：{note.text}", font=st.font, size=st.body.fontSize,
                               leading=st.body.leading))
        story.append(Spacer(1, 3 * mm))
    return story


def _photo_cell(photo: PhotoImage, st: Styles) -> list[Flowable]:
    box_w, box_h = PHOTO_BOX
    if photo.path is None:
        return [Spacer(1, box_h / 2), para(f"（照片无法读取：{photo.problem}）", st.caption), Spacer(1, box_h / 2 - 12),
                para(photo.caption, st.caption)]
    w, h = photo.size
    scale = min(box_w / w, box_h / h)
    image = Image(str(photo.path), width=w * scale, height=h * scale)
    return [image, Spacer(1, 2 * mm), para(photo.caption, st.caption)]


def _appendix(report: Report, photos: list[PhotoImage], st: Styles) -> list[Flowable]:
    if not photos:
        return []
    story: list[Flowable] = [PageBreak(), para(f"附件：{report.period_title}佐证照片（共{len(photos)}张）", st.heading)]
    cell_w = FRAME_WIDTH / 2
    for n in range(0, len(photos), 2):
        pair = [_photo_cell(p, st) for p in photos[n : n + 2]]
        while len(pair) < 2:
            pair.append([Spacer(1, 1)])
        story.append(table([pair], st, [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
                            colWidths=[cell_w, cell_w], rowHeights=[PHOTO_BOX[1] + 16 * mm]))
    return story


def detail_heading(report: Report) -> str:
    total = len(report.details)
    if total <= DETAIL_PRINT_LIMIT:
        return f"台账明细（{report.period_title}，共{total}条）"
    return (f"台账明细（{report.period_title}）：共{total}条，本表列出前{DETAIL_PRINT_LIMIT}条；"
            f"全部{total}条见同名 Excel 文件的“台账明细”表")


def build_story(report: Report, photos: list[PhotoImage], st: Styles) -> list[Flowable]:
    notes: list[Note] = []
    header = _header_block(report, st)
    cells = [row.cells() for row in report.rows]
    main = Grid(report.columns, st, small=False, notes=notes, merge_column=1, sample=cells)
    for row, values in zip(report.rows, cells):
        main.add(values, name=f"任务{row.seq}", run=row.category)
    trailer = _trailer(report, st)
    pages, density = best_plan(main, first=FRAME_HEIGHT - sum(flow_height(f) for f in header),
                                trailer=sum(flow_height(f) for f in trailer))
    story: list[Flowable] = header + render_grid(main, pages, density) + trailer
    if report.details:
        shown = report.details[:DETAIL_PRINT_LIMIT]
        heading = [PageBreak(), para(detail_heading(report), st.heading), Spacer(1, 2 * mm)]
        cells = [d.print_cells() for d in shown]
        grid = Grid(PRINT_DETAIL_COLUMNS, st, small=True, notes=notes, sample=cells)
        for d, values in zip(shown, cells):
            grid.add(values, name=f"明细第{d.n}条")
        first = FRAME_HEIGHT - sum(flow_height(f) for f in heading[1:])
        pages, density = best_plan(grid, first=first, trailer=0.0)
        story += heading + render_grid(grid, pages, density)
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
    verification_code: str = "",
) -> None:
    """Render ``report`` to ``path`` (the caller makes the write atomic).

    ``verification_code`` (the 核验码 of the report's signature) is printed above every
    footer and, with its QR code, at the top right of page 1."""
    fonts = fonts or register_report_fonts()
    st = Styles(fonts)
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
        draw_verification(canv, page=canv.getPageNumber(), code=verification_code, font=fonts.body, page_size=PAGE,
                          margin_x=MARGIN_X, footer_y=MARGIN_BOTTOM - 9 * mm, top=PAGE[1] - MARGIN_TOP)

    frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    doc.build(build_story(report, photos, st), canvasmaker=lambda *a, **k: TotalCanvas(*a, font=fonts.body, **k))
