"""The district summary read back: xlsx values and print settings, PDF fonts, text and pages."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.district.consolidation import import_reports
from models.district.summary_report import export_summary
from test_consolidation import MONTH, make_unit_reports

NOW = dt.datetime(2023, 7, 25, 9, 0)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_unit_reports(tmp_path_factory.mktemp("units"))


@pytest.fixture
def summary(make_ws, reports, tmp_path):
    ws = make_ws("区垃分办")
    import_reports(ws, [reports["nandajie"].parent, reports["hehuachi_v2"]])
    seen: list[int] = []
    result = export_summary(ws, MONTH, tmp_path / "out", now=NOW, progress=lambda d, t, _: seen.append(d))
    assert seen[-1] == 3
    return result


def test_files_are_named_and_written_atomically(summary):
    assert summary.xlsx.name == "钟楼区垃圾分类月度汇总_2023年06月.xlsx"
    assert summary.pdf.name == "钟楼区垃圾分类月度汇总_2023年06月.pdf"
    assert sorted(p.name for p in summary.xlsx.parent.iterdir()) == sorted([summary.xlsx.name, summary.pdf.name])


def test_xlsx_holds_completeness_totals_and_matrix(summary):
    wb = load_workbook(summary.xlsx)
    assert wb.sheetnames == ["报送情况", "全年报送", "全区指标", "任务状态", "进度滞后"]
    sheet = wb["报送情况"]
    assert sheet["A1"].value == "钟楼区生活垃圾分类工作月度汇总（2023年6月）"
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert len(rows) == 30
    assert rows["南大街街道"][3] == "已报送"
    assert rows["荷花池街道"][3:5] == ("已报送", 2) and sheet["E4"].number_format == '"第"0"版"'
    assert rows["新闸街道"][3] == "校验失败"
    assert rows["邹区镇"][3] == "迟报"
    assert rows["五星街道"][3] == "未报送"
    totals = {r[1]: r for r in wb["全区指标"].iter_rows(min_row=4, values_only=True)}
    assert totals["新增达标小区数"][2:6] == ("个", 104, 6, pytest.approx(6 / 104, abs=1e-6))
    assert wb["全区指标"]["F4"].number_format == "0.00%" and isinstance(wb["全区指标"]["A4"].value, int)
    matrix = wb["任务状态"]
    header = [c.value for c in matrix[3]]
    assert header[:3] == ["单位", "报送情况", "任务1"]
    for sheet in wb.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.print_title_rows == "$3:$3"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert sheet.freeze_panes in ("B4", "C4") and sheet.auto_filter.ref.startswith("A3:")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed")
    return path


def test_pdf_embeds_its_fonts_and_numbers_its_pages(summary):
    fonts = subprocess.run([_tool("pdffonts"), str(summary.pdf)], capture_output=True, text=True, check=True).stdout
    lines = fonts.strip().splitlines()[2:]
    assert lines and all(" yes " in line.split("TrueType")[-1] for line in lines), fonts
    text = subprocess.run([_tool("pdftotext"), "-layout", str(summary.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.count("\f")
    assert pages >= 3
    compact = text.replace(" ", "")
    assert f"第1页共{pages}页" in compact and f"第{pages}页共{pages}页" in compact
    for needle in ("钟楼区生活垃圾分类工作月度汇总（2023年6月）", "校验失败", "迟报", "未报送", "新增达标小区数", "区工商联"):
        assert needle in text


def test_pdf_pages_render(summary, tmp_path):
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "30", "-f", "1", "-l", "1", str(summary.pdf), str(tmp_path / "p")],
                   check=True)
    page = next(tmp_path.glob("p*.png"))
    from PIL import Image

    with Image.open(page) as image:
        assert image.width > image.height  # landscape
        assert image.convert("L").getextrema()[0] < 100  # something is printed


def test_xlsx_is_data_a_clerk_can_sort_and_filter(summary):
    wb = load_workbook(summary.xlsx)
    behind = wb["进度滞后"]
    rows = list(behind.iter_rows(min_row=4))
    assert rows and all(isinstance(r[1].value, int) for r in rows)  # task numbers are numbers
    rates = [r for r in rows if r[5].value == "%"]
    assert rates and all(r[4].number_format == "0.00%" and 0 < r[4].value <= 1 for r in rates)
    counts = [r for r in rows if r[5].value == "次"]
    assert counts and all(isinstance(r[4].value, (int, float)) and r[4].number_format == "#,##0" for r in counts)
    for sheet in wb.worksheets:
        assert sheet.auto_filter.ref == f"A3:{sheet.auto_filter.ref.split(':')[1]}"
        assert all(sheet.row_dimensions[r].height for r in range(3, sheet.max_row + 1))  # heights for wrapped text
        for column in sheet.iter_cols(min_row=4, max_col=sheet.max_column):
            aligned = {c.alignment.horizontal for c in column if c.value is not None}
            assert len(aligned) <= 1, f"{sheet.title}: one alignment per column"


def test_pdf_carries_its_own_code(summary):
    wb = load_workbook(summary.xlsx)
    line = wb["报送情况"]["A2"].value
    code = line.split("汇总校验码：")[1].strip()
    assert len(code) == 19
    text = subprocess.run([_tool("pdftotext"), str(summary.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count(f"汇总校验码 {code}") >= text.count("\f")  # on every page's footer
