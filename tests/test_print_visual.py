"""Visual regression of the printed month and rule checks on its text layer.

A fixed demo month (the demo's June, 填报日期 2023-07-03) is exported; every page is rendered
with pdftoppm at a low resolution and compared with the stored references under
``tests/fixtures/visual/`` within a tolerance. The references depend on the faces used
(``fonts.json`` beside them): on a machine with other fonts the comparison is skipped, the
rule checks still run. ``UPDATE_VISUAL_REFERENCES=1`` rewrites the references.

Rule checks, from the text layer (pypdf): the page with the signature lines also holds
table rows; no number, percentage, date or ratio of the report is split across lines; a
page that begins inside a category names the category.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from models.demo import build_demo
from models.reporting.export import prepare, render_report
from models.reporting.fonts import register_report_fonts
from models.reporting.textblock import UNBREAKABLE

REFERENCES = Path(__file__).parent / "fixtures" / "visual"
DPI = 24
FILL_DATE = dt.date(2023, 7, 3)
# Mean absolute difference per pixel (0-255) a page may differ by: anti-aliasing and
# poppler versions move a few pixels; a moved row, a lost line or another face does not pass.
TOLERANCE = 1.5

needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils")


@pytest.fixture(scope="module")
def demo_month(tmp_path_factory: pytest.TempPathFactory):
    from models.store.workspace import open_workspace

    data = tmp_path_factory.mktemp("demo")
    ws = open_workspace(data)
    try:
        build_demo(ws)
        report = prepare(ws, "monthly", "2023-06", fill_date=FILL_DATE)
        result = render_report(report, tmp_path_factory.mktemp("out"), data_dir=ws.data_dir)
    finally:
        ws.close()
    return report, result.pdf


def _pages(pdf: Path, folder: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(folder / "p")], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))]


def _faces() -> dict[str, str]:
    fonts = register_report_fonts()
    return {"body": fonts.body_label, "title": fonts.title_label}


@needs_poppler
def test_demo_month_pages_match_the_references(demo_month, tmp_path):
    _, pdf = demo_month
    pages = _pages(pdf, tmp_path)
    if os.environ.get("UPDATE_VISUAL_REFERENCES"):
        shutil.rmtree(REFERENCES, ignore_errors=True)
        REFERENCES.mkdir(parents=True)
        for n, page in enumerate(pages, start=1):
            page.quantize(16).save(REFERENCES / f"demo-2023-06-p{n}.png", optimize=True)
        (REFERENCES / "fonts.json").write_text(json.dumps(_faces(), ensure_ascii=False), encoding="utf-8")
    faces = json.loads((REFERENCES / "fonts.json").read_text(encoding="utf-8"))
    if faces != _faces():
        pytest.skip(f"references made with {faces}, this machine prints with {_faces()}")
    refs = sorted(REFERENCES.glob("demo-2023-06-p*.png"), key=lambda p: int(p.stem.split("p")[-1]))
    assert len(pages) == len(refs), "the month prints on a different number of pages"
    for n, (page, ref_path) in enumerate(zip(pages, refs), start=1):
        ref = Image.open(ref_path).convert("L")
        assert page.size == ref.size, f"page {n}: size {page.size} != {ref.size}"
        diff = ImageStat.Stat(ImageChops.difference(page, ref)).mean[0]
        assert diff <= TOLERANCE, f"page {n} differs from its reference by {diff:.2f} (tolerance {TOLERANCE})"


def test_references_are_small():
    sizes = [p.stat().st_size for p in REFERENCES.glob("*.png")]
    assert sizes and sum(sizes) < 200_000


def _page_lines(pdf: Path) -> list[list[str]]:
    return [page.extract_text().split("\n") for page in PdfReader(str(pdf)).pages]


def test_signature_page_holds_the_last_table_rows(demo_month):
    report, pdf = demo_month
    pages = _page_lines(pdf)
    signed = [n for n, lines in enumerate(pages) if any("单位负责人（签字）" in line for line in lines)]
    assert len(signed) == 1
    text = "".join(pages[signed[0]])
    assert "任务（目标内容）" in text  # the table continues on it, header repeated
    last = report.rows[-1]
    assert last.target_text[:8] in text, "the last task row is on the signature page"
    assert "日期：____年__月__日" in text and "填报人（签字）" in text and "审核人（签字）" in text


def test_no_number_is_split_across_lines(demo_month):
    report, pdf = demo_month
    lines = [line for page in _page_lines(pdf) for line in page]
    texts = [str(v) for row in report.rows for v in row.cells() if v is not None]
    texts += [str(v) for d in report.details for v in d.print_cells() if v is not None]
    tokens = {m.group() for t in texts for m in UNBREAKABLE.finditer(t) if any(ch.isdigit() for ch in m.group())}
    assert {"93.1%", "6月27日", "≥80%"} <= tokens
    printed = "\n".join(lines)
    for token in sorted(tokens):
        wanted = sum(t.count(token) for t in texts)
        assert printed.count(token) >= wanted, f"“{token}” is split across lines (or missing)"
    closing = "）」。，、：；"
    assert not any(line.strip()[:1] in closing for line in lines if line.strip()), "a line starts with closing punctuation"


def test_a_page_that_begins_inside_a_category_names_it(demo_month):
    report, pdf = demo_month
    pages = _page_lines(pdf)
    for lines in pages:
        text = "".join(lines)
        if "任务（目标内容）" not in text:
            continue
        on_page = [r for r in report.rows if r.target_text[:10] in text]
        categories = "".join(lines).replace(" ", "")
        for category in {r.category for r in on_page}:
            assert re.sub(r"\s", "", category) in categories, f"{category} not named on its page"
