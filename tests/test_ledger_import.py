"""Excel template and bulk import: all rows or none, no duplicates, untrusted files."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from models.core import workbook_guard
from models.ledger import excel_import as ledger_import
from models.core.errors import AppError, ValidationError
from models.ledger.entries import list_entries
from models.ledger.excel_import import import_workbook, template_headers
from models.ledger.excel_template import write_template

TODAY = dt.date(2026, 11, 28)


def fill_template(ws, path: Path, rows: list[dict]) -> Path:
    write_template(path, ws.tasklist, ws.tasks())
    book = load_workbook(path)
    sheet = book["台账"]
    headers = [c.value for c in sheet[1]]
    for n, row in enumerate(rows, start=2):
        for key, value in row.items():
            cell = sheet.cell(row=n, column=headers.index(key) + 1, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # as Excel keeps it in the template's text-formatted column
    book.save(path)
    return path


def row6(n: int = 1, **kw) -> dict:
    values = {"任务序号": 6, "日期": dt.datetime(2023, 6, 12), "台账类型": "入户宣传", "标题": f"入户宣传第{n}批",
              "地点": "南大街社区", "入户宣传户数（户）": 100 + n}
    values.update(kw)
    return values


def do_import(ws, path: Path):
    return import_workbook(ws.db, path, ws.tasklist, ws.tasks(), actor="张三", today=TODAY)


def test_template_has_header_lists_and_an_example(ws, tmp_path):
    path = write_template(tmp_path / "模板.xlsx", ws.tasklist, ws.tasks())
    book = load_workbook(path)
    assert book.sheetnames[:2] == ["台账", "说明"] and book["选项"].sheet_state == "hidden"
    sheet = book["台账"]
    headers = [c.value for c in sheet[1]]
    assert headers[:8] == ["任务序号", "日期", "台账类型", "标题", "工作内容", "地点", "组织单位", "参与人数"]
    assert "入户宣传户数（户）" in headers and "知晓率（%）" in headers and headers[-1] == "备注"
    assert headers == template_headers(ws.tasks())
    assert sheet.max_row == 1 or all(c.value is None for row in sheet.iter_rows(min_row=2) for c in row)
    lists = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    assert lists["A2"].type == "list" and lists["C2"].type == "list" and lists["B2"].type == "date"
    seqs = [r[0] for r in book["选项"].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    assert seqs == [t.seq for t in ws.tasks()]
    types = {r[1] for r in book["选项"].iter_rows(min_row=2, values_only=True)}
    assert "入户宣传" in types and "联动会议" in types
    help_rows = [r for r in book["说明"].iter_rows(values_only=True)]
    assert any(r[0] == "任务序号" and r[1] == "日期" for r in help_rows)  # example header + row on 说明
    assert any(r[0] == 6 and "入户宣传（必填：入户宣传户数）" in (r[2] or "") for r in help_rows)


def test_filled_template_imports_and_twice_gives_no_duplicates(ws, tmp_path):
    path = fill_template(ws, tmp_path / "台账.xlsx", [
        row6(1, 标题='=HYPERLINK("x")'),
        row6(2, 日期="2023/7/3"),
        {"任务序号": 2, "日期": "2023-06-30", "台账类型": "分类成效测评", "标题": "6月测评",
         "知晓率（%）": 95, "参与率（%）": "85%", "投放准确率（%）": 88.5},
    ])
    result = do_import(ws, path)
    assert (result.imported, result.duplicates, result.rows) == (3, 0, 3)
    entries = {e.title: e for e in list_entries(ws.db)}
    assert '=HYPERLINK("x")' in entries
    assert entries["入户宣传第2批"].entry_date == dt.date(2023, 7, 3)
    assert entries["6月测评"].measures == {"awareness_rate": 95, "participation_rate": 85, "accuracy_rate": 88.5}
    assert entries["入户宣传第2批"].operator == "张三"
    again = do_import(ws, path)
    assert (again.imported, again.duplicates) == (0, 3)
    assert len(list_entries(ws.db)) == 3
    assert "导入 0 条" in again.summary() and "跳过重复 3 条" in again.summary()


def test_200_rows_with_one_bad_row_import_nothing_and_name_the_row(ws, tmp_path):
    rows = [row6(n) for n in range(200)]
    rows[136]["入户宣传户数（户）"] = -3
    rows[137]["日期"] = "2022-12-01"
    path = fill_template(ws, tmp_path / "大.xlsx", rows)
    with pytest.raises(ValidationError) as info:
        do_import(ws, path)
    problems = info.value.problems
    assert problems == [("第138行", "入户宣传户数：应为不小于0的整数"),
                        ("第139行", "日期：应在 2023 年内（本台账为 2023 年任务清单）")]
    assert ws.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0


def test_value_in_a_column_the_task_lacks_is_refused(ws, tmp_path):
    path = fill_template(ws, tmp_path / "x.xlsx", [row6(1, **{"知晓率（%）": 90})])
    with pytest.raises(ValidationError) as info:
        do_import(ws, path)
    assert info.value.problems == [("第2行", "知晓率（%）：任务6没有这一项数值，请留空")]


def test_existing_ledger_layout_is_understood(ws, tmp_path):
    """A unit's own sheet: a title row, a 序号 column, other header words, % cells."""
    book = Workbook()
    sheet = book.active
    sheet.append(["南大街街道2023年垃圾分类台账"])
    sheet.append(["序号", "任务", "开展日期", "类型", "活动名称", "内容", "人数", "投放准确率", "知晓率", "参与率", "备注"])
    sheet.append([1, "任务2", dt.date(2023, 5, 4), "分类成效测评", "5月测评", "入户抽查", None, 0.9, 0.95, 0.8, ""])
    for col in "HIJ":
        sheet[f"{col}3"].number_format = "0%"
    sheet.append([None] * 11)  # blank rows are skipped
    path = tmp_path / "旧台账.xlsx"
    book.save(path)
    assert do_import(ws, path).imported == 1
    entry = list_entries(ws.db)[0]
    assert entry.measures == {"accuracy_rate": 90, "awareness_rate": 95, "participation_rate": 80}


def test_unknown_or_missing_headers_are_reported(ws, tmp_path):
    book = Workbook()
    book.active.append(["日期", "标题", "天气"])
    book.active.append(["2023-06-01", "x", "晴"])
    path = tmp_path / "h.xlsx"
    book.save(path)
    with pytest.raises(ValidationError) as info:
        do_import(ws, path)
    text = str(info.value)
    assert "无法识别列“天气”" in text and "缺少必填列“任务序号”" in text and "缺少必填列“台账类型”" in text


def test_locked_month_rows_are_refused(ws, tmp_path):
    ws.db.execute("INSERT INTO period_states(kind, period, state, version) VALUES ('monthly', '2023-06', 'submitted', 1)")
    with pytest.raises(ValidationError, match="第2行.*已报送并锁定"):
        do_import(ws, fill_template(ws, tmp_path / "x.xlsx", [row6(1)]))


def test_empty_file_says_so(ws, tmp_path):
    with pytest.raises(AppError, match="没有可导入"):
        do_import(ws, write_template(tmp_path / "空.xlsx", ws.tasklist, ws.tasks()))


def test_untrusted_files_are_refused_before_parsing(ws, tmp_path, monkeypatch):
    xls = tmp_path / "旧.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(AppError, match="另存为"):
        do_import(ws, xls)
    text = tmp_path / "a.xlsx"
    text.write_text("任务序号,日期\n6,2023-06-01", encoding="utf-8")
    with pytest.raises(AppError, match="不是 Excel 工作簿"):
        do_import(ws, text)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(AppError, match="压缩比异常"):
        do_import(ws, bomb)
    big = fill_template(ws, tmp_path / "big.xlsx", [row6(1)])
    monkeypatch.setattr(workbook_guard, "LIMITS", workbook_guard.Limits(file_bytes=1000))
    with pytest.raises(AppError, match="太大"):
        do_import(ws, big)
    assert ws.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0


def test_the_row_cap_counts_data_rows_exactly_and_refuses_before_checking_them(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_import, "MAX_ROWS", 5)
    # five entries with blank rows between them, and formatted blank rows after: exactly the cap
    path = fill_template(ws, tmp_path / "五行.xlsx", [row6(1), {}, row6(2), row6(3), {}, {}, row6(4), row6(5)])
    book = load_workbook(path)
    for r in range(20, 60):
        book["台账"].cell(row=r, column=4).number_format = "@"  # styled but empty: not an entry
    book.save(path)
    result = do_import(ws, path)
    assert (result.imported, result.rows) == (5, 5)
    # a sixth entry is one too many: refused at once, before the bad rows after it are checked
    too_many = fill_template(ws, tmp_path / "六行.xlsx",
                             [row6(n) for n in range(10, 16)] + [row6(99, 日期="不是日期")] * 3)
    with pytest.raises(AppError, match="超过 5 行（第7行已是第6行台账）") as info:
        do_import(ws, too_many)
    assert not isinstance(info.value, ValidationError)
    assert len(list_entries(ws.db)) == 5
