"""The exported workbook read back as the district office will read it."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from test_reports_data import FORMULA_TITLE, fill_june

from models import __version__
from models.core.errors import AppError
from models.progress.indicators import STATUSES
from models.reporting.assembly import assemble_monthly
from models.reporting.export import export_monthly, export_quarterly
from models.reporting import pdf_writer
from models.reporting.digest import canonical_value, read_report_meta, report_digest
from models.reporting.files import atomic_write
from models.reporting.xlsx_writer import build_workbook

HEADERS = ["填报单位", "报告月份", "任务序号", "指标代码", "指标名称", "统计周期", "完成值", "目标值", "计量单位", "状态", "说明"]


@pytest.fixture
def june(ws, tmp_path):
    fill_june(ws, tmp_path, photos=2)
    result = export_monthly(ws, "2023-06", tmp_path / "out")
    return ws, result, openpyxl.load_workbook(result.xlsx)


def test_file_names_and_sheets(june, tmp_path):
    _, result, wb = june
    assert result.xlsx.name == "钟楼区垃圾分类月度台账_南大街街道_2023年06月.xlsx"
    assert result.pdf.name == "钟楼区垃圾分类月度台账_南大街街道_2023年06月.pdf"
    assert wb.sheetnames == ["月度台账", "台账明细", "指标数据", "报表信息"]
    assert [s.sheet_state for s in wb.worksheets] == ["visible", "visible", "visible", "hidden"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([result.xlsx.name, result.pdf.name])


def test_meta_sheet_and_hash_match_the_data(june):
    _, result, wb = june
    meta = read_report_meta(wb)
    assert [r[0] for r in wb["报表信息"].iter_rows(values_only=True)][:1] == ["项目"]
    assert meta["format"] == "ZHONGLOU-WASTE-LEDGER-REPORT" and meta["format_version"] == 1
    assert (meta["kind"], meta["unit"], meta["period"], meta["version"]) == ("monthly", "南大街街道", "2023-06", 1)
    assert meta["app_version"] == __version__
    dt.datetime.fromisoformat(meta["generated_at"])
    assert meta["data_sha256"] == result.data_sha256 == report_digest(wb)
    # an edit after export no longer matches
    wb["指标数据"]["G2"] = 999
    assert report_digest(wb) != meta["data_sha256"]


def test_indicator_sheet_is_machine_readable(june):
    ws, _, wb = june
    rows = list(wb["指标数据"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) - 1 == sum(len(t.indicators) for t in ws.tasks())
    for unit, month, seq, code, name, period, value, target, unit_label, status, _explanation in rows[1:]:
        assert (unit, month) == ("南大街街道", "2023-06")
        assert isinstance(seq, int) and code and name and status in STATUSES
        assert value is None or isinstance(value, (int, float))
        assert target is None or isinstance(target, (int, float))
    by_code = {r[3]: r for r in rows[1:]}
    assert by_code["T1_LINKAGE"][5] == "2023Q2" and by_code["T1_LINKAGE"][6] == 1
    assert by_code["T2_AWARENESS"][6] == 92.5 and by_code["T2_AWARENESS"][9] == "达标"


def test_main_sheet_form_and_print_setup(june):
    ws, _, wb = june
    main = wb["月度台账"]
    assert main["A1"].value == "钟楼区生活垃圾分类工作月度台账（2023年6月）"
    texts = [c.value for row in main.iter_rows(max_row=3) for c in row if c.value]
    for label in ("填报单位（盖章）：南大街街道", "填报人：张三", "联系电话：0519-88000000", "审核人：李四", "报表版本：第1版"):
        assert label in texts
    assert any(str(t).startswith("填报日期：") for t in texts)
    assert [c.value for c in main[4]] == ["序号", "类别", "任务（目标内容）", "完成期限", "本月工作开展情况", "指标完成情况",
                                          "状态", "佐证材料\n（件）", "备注"]  # broken where a person would
    seqs = [main.cell(row=r, column=1).value for r in range(5, 5 + len(ws.tasks()))]
    assert seqs == [t.seq for t in ws.tasks()]
    assert all(main.cell(row=r, column=7).value.split("（")[0] in STATUSES for r in range(5, 5 + len(seqs)))
    # 习惯培养 (tasks 1-7) is merged within each printed page, labelled again after a page break
    runs = sorted((r.min_row, r.max_row) for r in main.merged_cells.ranges if r.min_col == r.max_col == 2)
    covered = [n for lo, hi in runs if 5 <= lo <= 11 for n in range(lo, hi + 1)]
    assert covered == list(range(5, 12)) and main["B5"].value == "习惯培养"
    breaks = [b.id for b in main.row_breaks.brk]
    for row_no in breaks:
        if row_no + 1 <= 11:
            assert main.cell(row=row_no + 1, column=2).value == "习惯培养"
    signature_row = [c.value for c in main[main.max_row] if c.value]
    assert [t.rstrip("_") for t in signature_row] == ["填报人（签字）：", "审核人（签字）：", "单位负责人（签字）：", "日期：____年__月__日"]
    assert all(t.endswith("____") for t in signature_row[:3])  # a line to sign on
    assert main.page_setup.orientation == "landscape" and int(main.page_setup.paperSize) == 9
    assert main.sheet_properties.pageSetUpPr.fitToPage and main.page_setup.fitToWidth == 1
    assert main.page_setup.fitToHeight == 0
    assert main.print_title_rows == "$4:$4"
    assert main.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert main["E5"].alignment.wrap_text and main.column_dimensions["C"].width >= 30
    for sheet in ("台账明细", "指标数据"):
        assert wb[sheet].print_title_rows == "$1:$1" and wb[sheet].page_setup.orientation == "landscape"


def test_user_text_stays_text_never_a_formula(june):
    _, _, wb = june
    detail = wb["台账明细"]
    titles = [detail.cell(row=r, column=5) for r in range(2, detail.max_row + 1)]
    cell = next(c for c in titles if c.value == FORMULA_TITLE)
    assert cell.data_type == "s"
    for row in wb["月度台账"].iter_rows():
        for c in row:
            assert c.data_type != "f"


def test_detail_sheet_lists_every_entry_with_file_names(june):
    _, _, wb = june
    rows = list(wb["台账明细"].iter_rows(values_only=True))
    assert rows[0][:6] == ("序号", "日期", "任务序号", "台账类型", "标题", "工作内容")
    assert len(rows) == 7
    assert rows[1][1] == dt.datetime(2023, 6, 3) and rows[1][11] == "现场照片1.jpg" and rows[1][10] == 1
    assert wb["台账明细"].cell(row=2, column=2).number_format == "yyyy-mm-dd"  # a real date, shown as one
    assert rows[4][9] == "入户宣传户数：850户"


def test_quarterly_workbook(ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    result = export_quarterly(ws, "2023Q2", tmp_path / "q")
    assert result.xlsx.name == "钟楼区垃圾分类季度工作进展_南大街街道_2023年第2季度.xlsx"
    wb = openpyxl.load_workbook(result.xlsx)
    assert wb.sheetnames == ["季度工作进展", "台账明细", "指标数据", "报表信息"]
    meta = read_report_meta(wb)
    assert (meta["kind"], meta["period"]) == ("quarterly", "2023Q2") and meta["data_sha256"] == report_digest(wb)
    assert {r[1] for r in list(wb["指标数据"].iter_rows(values_only=True))[1:]} == {"2023-06"}


def test_digest_normalises_numbers_and_dates():
    assert canonical_value(2) == canonical_value(2.0) == "n:2"
    assert canonical_value(2.5) != canonical_value("2.5")
    assert canonical_value(dt.datetime(2023, 6, 1)) == canonical_value(dt.date(2023, 6, 1)) == "d:2023-06-01"
    assert canonical_value("") is None and canonical_value(None) is None


def test_interrupted_export_leaves_no_file_under_the_final_name(ws, tmp_path, monkeypatch):
    fill_june(ws, tmp_path, photos=0)
    out = tmp_path / "out"

    def broken(*args, **kwargs):
        raise AppError("模拟中断")

    monkeypatch.setattr(pdf_writer, "write_pdf", broken)
    with pytest.raises(AppError):
        export_monthly(ws, "2023-06", out)
    assert list(out.iterdir()) == []  # neither the xlsx nor any temporary file


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")

    def fail(path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(AppError):
        atomic_write(target, fail)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_very_long_text_is_kept_within_excel_limits(ws):
    report = assemble_monthly(ws, "2023-06")
    report.rows[0] = report.rows[0].__class__(**{**report.rows[0].__dict__, "work_summary": "长" * 40000})
    wb, _ = build_workbook(report)
    assert len(wb["月度台账"]["E5"].value) <= 32767
    assert wb["月度台账"].row_dimensions[5].height <= 409


def test_a_row_never_cuts_its_text_the_rest_goes_to_the_notes_sheet(ws):
    from models.reporting.textblock import excel_width, wrap
    from models.reporting.xlsx_writer import LINE_HEIGHT, NOTES_SHEET

    report = assemble_monthly(ws, "2023-06")
    remark = "".join(f"第{n}条说明：居民反映投放点设置不便，已协调物业调整。" for n in range(300))
    report.rows[0] = report.rows[0].__class__(**{**report.rows[0].__dict__, "remarks": remark})
    wb, _ = build_workbook(report)
    assert wb.sheetnames[-2:] == [NOTES_SHEET, "报表信息"]
    main = wb.worksheets[0]
    shown = main["I5"].value
    assert shown.endswith(f"（续见“{NOTES_SHEET}”表第1条）")
    lines = wrap(shown, main.column_dimensions["I"].width - 1.5, excel_width)
    assert LINE_HEIGHT * len(lines) + 6 <= main.row_dimensions[5].height <= 409  # the row shows all it holds
    notes = wb[NOTES_SHEET]
    parts = [r for r in notes.iter_rows(min_row=2, values_only=True)]
    assert all(r[0] == 1 and r[1] == "任务1“备注”" for r in parts)
    assert shown[: -len(f"（续见“{NOTES_SHEET}”表第1条）")] + "".join(r[2] for r in parts) == remark  # nothing lost
    assert all(notes.row_dimensions[n].height <= 409 for n in range(2, notes.max_row + 1))


def test_row_heights_follow_the_shared_wrap(june):
    from models.reporting.textblock import excel_width, wrap
    from models.reporting.xlsx_writer import LINE_HEIGHT

    _, _, wb = june
    main = wb.worksheets[0]
    for r in range(5, 5 + 10):
        need = max(len(wrap(str(c.value), main.column_dimensions[c.column_letter].width - 1.5, excel_width))
                   for c in main[r] if isinstance(c.value, str) and c.column > 2)
        assert main.row_dimensions[r].height >= LINE_HEIGHT * need + 6


def test_printed_pages_repeat_the_category_and_keep_the_signatures_with_rows(ws):
    report = assemble_monthly(ws, "2023-06")
    for n, row in enumerate(report.rows):
        report.rows[n] = row.__class__(**{**row.__dict__, "work_summary": "开展入户宣传和桶边督导。" * 12})
    wb, _ = build_workbook(report)
    main = wb.worksheets[0]
    first, last = 5, 4 + len(report.rows)
    breaks = [b.id for b in main.row_breaks.brk]
    assert len(breaks) >= 2
    merged = [(r.min_row, r.max_row) for r in main.merged_cells.ranges if r.min_col == r.max_col == 2]
    for row_no in breaks:
        assert first <= row_no < last  # the signatures' page holds table rows
        assert not any(lo <= row_no < hi for lo, hi in merged), "a category merge crosses a page break"
        category = report.rows[row_no + 1 - first].category
        assert main.cell(row=row_no + 1, column=2).value == category  # the label again on the new page
