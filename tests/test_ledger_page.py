"""The ledger table model (no view) and the 台账录入 page (offscreen)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from models.ledger.evidence import list_attachments
from models.ledger.drafts import load_unsaved
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry, get_entry, list_entries
from ui.models.ledger_table_model import (
    COL_DATE,
    COL_EVIDENCE,
    COL_MEASURES,
    COL_PARTICIPANTS,
    COL_TITLE,
    DeletedRole,
    EntryIdRole,
    EntryRole,
    LedgerTableModel,
)

TODAY = dt.date(2026, 11, 28)


def add(ws, **kw) -> int:
    values = dict(task_seq=6, entry_date="2023-06-12", entry_type="入户宣传", title="入户宣传",
                  measures={"households_reached": 320})
    values.update(kw)
    return add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(**values), actor="张三", today=TODAY)


# ---------------------------------------------------------------- model, no view

def test_model_columns_roles_and_sql_sorting(ws, qapp):
    a = add(ws, title="乙", entry_date="2023-05-01", participants=5)
    b = add(ws, title="甲", entry_date="2023-06-01", participants=50)
    model = LedgerTableModel(ws.db, ws.tasks())
    model.refresh()
    assert model.rowCount() == 2 and model.columnCount() == 9
    assert model.headerData(COL_TITLE, Qt.Orientation.Horizontal) == "标题"
    first = model.index(0, COL_DATE)
    assert model.data(first) == "2023-06-01" and model.data(first, EntryIdRole) == b
    assert model.data(model.index(0, COL_MEASURES)) == "入户宣传户数 320户"
    assert model.data(model.index(0, COL_EVIDENCE)) == ""
    assert model.data(first, EntryRole).title == "甲" and model.data(first, DeletedRole) is False
    model.sort(COL_PARTICIPANTS, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, COL_PARTICIPANTS)) for r in range(2)] == ["5", "50"]
    model.sort(COL_DATE, Qt.SortOrder.AscendingOrder)
    assert model.entry_ids() == [a, b] and model.row_of(b) == 1


def test_model_filters(ws, qapp):
    add(ws, title="五月", entry_date="2023-05-01")
    add(ws, title="六月 会议", task_seq=1, entry_type="联动会议", location="会议室", participants=9, measures={})
    model = LedgerTableModel(ws.db, ws.tasks())
    model.set_filters(month="2023-05")
    assert [model.data(model.index(r, COL_TITLE)) for r in range(model.rowCount())] == ["五月"]
    model.set_filters(task_seq=1)
    assert model.rowCount() == 1
    model.set_filters(entry_type="入户宣传", text="五月")
    assert model.rowCount() == 1
    model.set_filters(text="没有这个")
    assert model.rowCount() == 0


def test_model_pages_through_many_rows(ws, qapp):
    rows = [(6, f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}", "入户宣传", f"第{n}条") for n in range(1200)]
    with ws.db.atomic():  # bulk rows straight in: this test is about paging, not validation
        for n, (seq, date, etype, title) in enumerate(rows):
            ws.db.execute("INSERT INTO entries(uid, year, task_seq, entry_date, entry_type, title, created_at, updated_at)"
                          " VALUES (?, 2023, ?, ?, ?, ?, '', '')", [f"u{n}", seq, date, etype, title])
    model = LedgerTableModel(ws.db, ws.tasks())
    model.PAGE_SIZE = 100
    model.refresh()
    assert model.rowCount() == 1200
    titles = {model.data(model.index(r, COL_TITLE)) for r in range(model.rowCount())}
    assert len(titles) == 1200
    assert len(model._pages) <= model.MAX_PAGES


# ---------------------------------------------------------------- page

@pytest.fixture
def page(main_window):
    main_window.resize(1366, 768)
    main_window.navigate("ledger")
    page = main_window.pages["ledger"]
    page.confirm = lambda title, text: True
    page.asked = []
    page.ask_unsaved = lambda: page.asked.append(1) or "cancel"
    page.messages = []
    page.inform = lambda title, text: page.messages.append((title, text))
    page.warn = lambda title, text, details: page.messages.append((title, text + details))
    return page


def fill(editor, *, task=6, title="社区入户宣传", households="300") -> None:
    editor.task.setCurrentIndex(editor.task.findData(task))
    editor.title.setText(title)
    editor.location.setText("南大街社区")
    for code, line in editor.measure_inputs.items():
        line.setText(households)


def test_ledger_page_is_registered_and_shows_entries(main_window, page, ws):
    add(ws, title="命令行添加的台账")
    page.on_show()
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, COL_TITLE)) == "命令行添加的台账"


def test_new_entry_saves_with_ctrl_s_and_shows_in_table(page, ws, qtbot):
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = page.editor
    fill(editor, title='=HYPERLINK("x")')
    editor.date.setDate(dt.date(2023, 6, 12))
    assert editor.is_dirty()
    qtbot.keyClick(editor.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    entries = list_entries(ws.db)
    assert [e.title for e in entries] == ['=HYPERLINK("x")']
    assert entries[0].measures == {"households_reached": 300} and entries[0].operator == "张三"
    assert page.model.rowCount() == 1 and page.selected_entry_id() == entries[0].id
    assert not editor.is_dirty() and load_unsaved(ws.db) is None


def test_measure_fields_and_required_markers_follow_the_task(page):
    editor = page.editor
    editor.task.setCurrentIndex(editor.task.findData(2))
    assert set(editor.measure_inputs) == {"awareness_rate", "participation_rate", "accuracy_rate", "respondents"}
    editor.entry_type.setCurrentIndex(editor.entry_type.findText("分类成效测评"))
    assert "*" in editor.labels["知晓率"].text()
    editor.entry_type.setCurrentIndex(editor.entry_type.findText("红黑榜公示"))
    assert "*" not in editor.labels["知晓率"].text()
    editor.task.setCurrentIndex(editor.task.findData(1))
    assert editor.measure_inputs == {} and editor.measures_box.isHidden()
    editor.entry_type.setCurrentIndex(editor.entry_type.findText("联动会议"))
    assert "*" in editor.labels["地点"].text() and "*" in editor.labels["参与人数"].text()


def test_validation_errors_show_next_to_fields_and_nothing_is_saved(page, ws):
    editor = page.editor
    page.new_entry()
    fill(editor, title="", households="")
    assert editor.save() is None
    assert editor.errors["标题"].isVisibleTo(page) and editor.errors["标题"].text() == "不能为空"
    assert "必须填写" in editor.errors["入户宣传户数"].text()
    assert editor.inputs["标题"].property("invalid") is True
    assert list_entries(ws.db) == []
    editor.title.setText("补上标题")
    editor.measure_inputs["households_reached"].setText("10")
    assert editor.save() is not None
    assert not editor.errors["标题"].isVisibleTo(page)


def test_filters_and_on_show_task(page, ws):
    add(ws, title="入户")
    add(ws, task_seq=1, entry_type="联动会议", title="会议", location="会议室", participants=9, measures={})
    page.on_show(task=1)
    assert page.task.currentData() == 1
    assert [page.model.data(page.model.index(r, COL_TITLE)) for r in range(page.model.rowCount())] == ["会议"]
    assert page.entry_type.findText("联动会议") > 0 and page.entry_type.findText("入户宣传") < 0
    page.task.setCurrentIndex(0)
    page.search.setText("入户")
    page.apply_filters()  # the debounce timer would do this 250 ms later
    assert page.model.rowCount() == 1 and "共 1 条" in page.count_label.text()
    page.month.setCurrentIndex(page.month.findData("2023-07"))
    assert page.model.rowCount() == 0


def test_copy_as_template_delete_and_restore(page, ws, qtbot):
    entry_id = add(ws, title="每周入户", content="固定活动", location="A小区")
    page.on_show()
    page.select_entry(entry_id)
    assert page.editor.entry.id == entry_id
    qtbot.keyClick(page.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    editor = page.editor
    assert editor.entry is None and editor.title.text() == "每周入户" and editor.location.text() == "A小区"
    assert editor.date.date().toPython() == dt.date(2023, 6, 12)  # today is outside the list's year: kept
    editor.title.setText("每周入户（第2周）")
    new_id = editor.save()
    assert new_id and new_id != entry_id and get_entry(ws.db, new_id).content == "固定活动"

    page.select_entry(entry_id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert get_entry(ws.db, entry_id).deleted_at is not None
    assert page.model.row_of(entry_id) is None
    page.show_deleted.setChecked(True)
    assert page.select_entry(entry_id)
    assert page.editor.banner.isVisibleTo(page) and not page.editor.save_button.isEnabled()
    assert page.restore_button.isEnabled()
    page.restore_selected()
    assert get_entry(ws.db, entry_id).deleted_at is None and not page.editor.banner.isVisibleTo(page)


def test_delete_asks_first(page, ws):
    entry_id = add(ws)
    page.on_show()
    page.select_entry(entry_id)
    page.confirm = lambda title, text: False
    page.delete_selected()
    assert get_entry(ws.db, entry_id).deleted_at is None


def test_unsaved_edits_are_not_lost_when_switching(page, ws):
    first, second = add(ws, title="一"), add(ws, title="二")
    page.on_show()
    page.select_entry(first)
    page.editor.title.setText("一（改）")
    page.select_entry(second)  # the user cancels the question: stays on the edited entry
    assert page.asked and page.editor.entry.id == first and page.editor.title.text() == "一（改）"
    page.ask_unsaved = lambda: "save"
    page.select_entry(second)
    assert get_entry(ws.db, first).title == "一（改）" and page.editor.entry.id == second


def test_unsaved_typing_survives_a_crash(page, ws):
    page.new_entry()
    fill(page.editor, title="还没保存的台账")
    page.editor.keep_unsaved()  # what the 1.5 s timer does
    assert load_unsaved(ws.db)["draft"]["title"] == "还没保存的台账"
    page._check_unsaved()  # as on the next start
    assert page.unsaved_bar.isVisibleTo(page) and "还没保存的台账" in page.unsaved_label.text()
    page.editor.new_entry()
    page.recover_unsaved()
    assert page.editor.title.text() == "还没保存的台账" and page.editor.is_dirty()
    assert page.editor.save()
    assert load_unsaved(ws.db) is None


def test_dropped_files_are_saved_with_the_entry(page, ws, tmp_path):
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (120, 80), "orange").save(photo)
    bad = tmp_path / "程序.exe"
    bad.write_bytes(b"MZ")
    page.new_entry()
    fill(page.editor)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo)), QUrl.fromLocalFile(str(bad))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    page.editor.dropEvent(event)
    panel = page.editor.evidence
    assert panel.pending_paths() == [photo]
    assert "程序.exe" in panel.error.text() and "不能添加" in panel.error.text()
    entry_id = page.editor.save()
    photo.unlink()
    attachments = list_attachments(ws.db, entry_id)
    assert [a.original_name for a in attachments] == ["现场.jpg"]
    assert panel.list.count() == 1 and not panel.list.item(0).icon().isNull()
    opened: list[Path] = []
    panel.opener = opened.append
    panel.list.item(0).setSelected(True)
    panel.open_selected()
    assert opened and opened[0].exists()
    panel.remove_selected()
    page.editor.save()
    assert list_attachments(ws.db, entry_id) == []


def test_template_and_import_from_the_page(page, ws, tmp_path):
    from openpyxl import load_workbook

    template = tmp_path / "模板.xlsx"
    page.save_template(template)
    assert template.exists() and page.messages[-1][0] == "导入模板"
    book = load_workbook(template)
    sheet = book["台账"]
    headers = [c.value for c in sheet[1]]
    for col, value in enumerate([6, "2023-06-01", "入户宣传", "导入的台账"], start=1):
        sheet.cell(row=2, column=col, value=value)
    sheet.cell(row=2, column=headers.index("入户宣传户数（户）") + 1, value=-1)
    book.save(tmp_path / "bad.xlsx")
    page.import_file(tmp_path / "bad.xlsx")
    assert page.messages[-1][0] == "未导入任何台账" and "第2行" in page.messages[-1][1]
    sheet.cell(row=2, column=headers.index("入户宣传户数（户）") + 1, value=80)
    book.save(tmp_path / "good.xlsx")
    page.import_file(tmp_path / "good.xlsx")
    assert page.messages[-1][0] == "导入完成" and "导入 1 条" in page.messages[-1][1]
    assert page.model.rowCount() == 1 and page.isEnabled()


def test_screenshot_reads_well_at_1366x768(main_window, page, ws, tmp_path):
    for n in range(30):
        add(ws, title=f"第{n}次入户宣传", entry_date=f"2023-06-{1 + n % 28:02d}")
    page.on_show()
    page.table.selectRow(0)
    image = main_window.grab()
    assert image.width() == 1366
    assert image.save(str(tmp_path / "ledger.png"))
    # The table shows its key columns without horizontal scrolling away from them.
    visible = page.table.viewport().width()
    assert visible >= sum(page.table.columnWidth(c) for c in (0, 1, 2, 3))
    assert page.editor.save_button.isVisibleTo(page)
