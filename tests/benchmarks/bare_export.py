"""The baseline for the monthly export: a bare script writing the same cells with openpyxl
and the same table and photos with reportlab, with none of the app's checks.

``python bare_export.py SPEC.json OUT_DIR``. SPEC (made by run.py from the app's own
export, untimed) holds every sheet's cell values, the main table's rows, the photo files
with captions and the CJK font file. The script does what a straightforward hand-written
exporter does: openpyxl cells, a wrapped reportlab table with a repeated header, each
photo decoded at reduced size (JPEG draft mode), downscaled and placed two per page.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

PHOTO_PIXELS = 900  # longest side after downscaling, as the app does


def write_xlsx(spec: dict, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in spec["sheets"]:
        ws = wb.create_sheet(sheet["title"])
        for row in sheet["rows"]:
            ws.append(row)
    wb.save(path)


def photo_flowable(path: str, width: float, height: float, tmp: Path) -> Image:
    """Decode at reduced scale, downscale, save as a small JPEG file: reportlab then embeds
    the JPEG bytes as they are (a file name, not a buffer, keeps its pass-through path)."""
    with PILImage.open(path) as img:
        w, h = img.size  # ask for the photo's own aspect ratio so JPEG decodes at 1/4 scale
        img.draft("RGB", (PHOTO_PIXELS, PHOTO_PIXELS * h // w) if w >= h else (PHOTO_PIXELS * w // h, PHOTO_PIXELS))
        img = img.convert("RGB")
        img.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS))
        small = tmp / f"{len(list(tmp.iterdir()))}.jpg"
        img.save(small, "JPEG", quality=80)
        w, h = img.size
    scale = min(width / w, height / h)
    return Image(str(small), width=w * scale, height=h * scale)


def write_pdf(spec: dict, path: Path) -> None:
    pdfmetrics.registerFont(TTFont("CJK", spec["font"], subfontIndex=0))
    style = ParagraphStyle("cell", fontName="CJK", fontSize=8, leading=10)
    title = ParagraphStyle("title", fontName="CJK", fontSize=16, leading=20)
    page_w, page_h = landscape(A4)
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm)
    rows = [[Paragraph(str(v), style) if v not in (None, "") else "" for v in row] for row in spec["table"]]
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    table = Table(rows, colWidths=[(page_w - 24 * mm) / ncols] * ncols, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [Paragraph(spec["title"], title), Spacer(1, 4 * mm), table, PageBreak()]
    box_w, box_h = (page_w - 24 * mm) / 2 - 4 * mm, page_h - 40 * mm
    pair = []
    tmp = Path(tempfile.mkdtemp(prefix="bare-photos-"))
    for photo in spec["images"]:
        cell = [photo_flowable(photo["path"], box_w, box_h, tmp), Paragraph(photo["caption"], style)]
        pair.append(cell)
        if len(pair) == 2:
            story.append(Table([pair], colWidths=[box_w + 4 * mm] * 2))
            pair = []
    if pair:
        story.append(Table([pair + [""]], colWidths=[box_w + 4 * mm] * 2))
    try:
        doc.build(story)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    write_xlsx(spec, out / "bare.xlsx")
    write_pdf(spec, out / "bare.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
