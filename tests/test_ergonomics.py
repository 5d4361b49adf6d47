"""Office-PC ergonomics on a 1366×768 screen (offscreen, tests/fixtures/screen-1366x768.json):
the window fits, unsaved edits are never closed away, the keyboard walks the form top to
bottom, a submitted month looks locked, typed values are kept and marked, and a day's photos
become one entry per day."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtWidgets import QApplication

from models.ledger.entries import list_entries
from ui.window_geometry import FRAME, fit_rect, restore_window, save_window

from ergonomics_helpers import add, lock, page  # noqa: F401,E402  (page: a fixture)


# ---------------------------------------------------------------- 1. fits the screen

def test_window_fits_the_1366x768_screen_it_opens_on(main_window):
    screen = QApplication.primaryScreen()
    assert (screen.size().width(), screen.size().height()) == (1366, 768)
    available = screen.availableGeometry()
    assert available.contains(main_window.frameGeometry())
    assert main_window.isMaximized()  # first start on a screen smaller than the default size
    for key in main_window.keys:  # no page makes the window grow past the screen
        main_window.navigate(key)
        QApplication.processEvents()
        assert available.contains(main_window.frameGeometry()), key
        assert main_window.minimumSizeHint().width() <= available.width()


def test_the_evidence_buttons_are_in_view_without_scrolling_the_editor(page, ws, tmp_path):
    """On the 1366×768 screen an entry with a figure and a photo shows 添加文件…, 打开 and 移除
    in the editor as it opens (they sat below its fold); the counts are in the panel's title,
    what can be dropped inside the empty list."""
    from PySide6.QtWidgets import QScrollArea

    from PIL import Image

    from models.ledger.evidence import attach_file

    entry_id = add(ws, title="六月宣传", entry_date="2023-06-05")
    Image.new("RGB", (120, 80), "orange").save(tmp_path / "a.jpg")
    attach_file(ws.db, ws.data_dir, entry_id, tmp_path / "a.jpg", actor="张三")
    page.window().showMaximized()
    page.on_show()
    page.select_entry(entry_id)
    QApplication.processEvents()
    editor = page.editor
    area = editor.findChild(QScrollArea)
    for button in (editor.evidence.add_button, editor.evidence.open_button, editor.evidence.remove_button):
        bottom = button.mapTo(area.viewport(), button.rect().bottomLeft()).y()
        assert 0 < bottom <= area.viewport().height(), button.text()
    assert editor.evidence.title() == "佐证材料（共 1 件）"
    page.new_entry()
    assert editor.evidence.title() == "佐证材料" and "拖到此处" in editor.evidence.list.placeholder


def test_fit_rect_keeps_frame_inside_the_taskbar_screen_and_pulls_back_lost_windows():
    taskbar = QRect(0, 0, 1366, 728)  # 1366×768 less a 40-pixel Windows taskbar
    first = fit_rect(None, taskbar)
    assert first.marginsAdded(FRAME).height() <= 728 and first.marginsAdded(FRAME).width() <= 1366
    big = fit_rect(QRect(0, 0, 1600, 1000), taskbar)  # remembered from a bigger monitor
    assert taskbar.contains(big.marginsAdded(FRAME))
    lost = fit_rect(QRect(2500, 900, 800, 600), taskbar)  # was on a second monitor, now unplugged
    assert taskbar.contains(lost.marginsAdded(FRAME)) and lost.size().width() == 800
    kept = fit_rect(QRect(100, 80, 900, 560), QRect(0, 0, 1600, 960))
    assert kept == QRect(100, 80, 900, 560)


def test_size_and_place_are_remembered_per_screen(main_window, ws, qtbot):
    from ui.main_window import MainWindow

    main_window.showNormal()
    main_window.setGeometry(QRect(60, 50, 1000, 600))
    save_window(main_window)
    again = MainWindow(ws)
    qtbot.addWidget(again)
    assert again.geometry() == QRect(60, 50, 1000, 600) and not again.isMaximized()
    restore_window(again, QApplication.primaryScreen())
    assert again.geometry().size() == main_window.geometry().size()


# ---------------------------------------------------------------- 2. no silent loss

def test_closing_with_unsaved_edits_asks_and_cancel_keeps_the_window(main_window, page, ws):
    page.editor.task.setCurrentIndex(page.editor.task.findData(6))
    page.editor.title.setText("关窗前没保存")
    page.answer = "cancel"
    main_window.close()
    assert page.asked and main_window.isVisible() and page.editor.is_dirty()
    page.answer = "save"
    page.editor.location.setText("南大街社区")
    for line in page.editor.measure_inputs.values():
        line.setText("30")
    page.editor.date.setDate(QDate(2023, 6, 12))
    assert main_window.close()
    assert [e.title for e in list_entries(ws.db)] == ["关窗前没保存"]


def test_switching_page_or_entry_with_unsaved_edits_asks(main_window, page, ws):
    a, b = add(ws, title="甲"), add(ws, title="乙", entry_date="2023-06-13")
    page.on_show()
    page.select_entry(a)
    page.editor.title.setText("甲（改）")
    page.answer = "cancel"
    main_window.nav.setCurrentRow(main_window.keys.index("dashboard"))
    assert main_window.current_key() == "ledger" and main_window.nav.currentRow() == main_window.keys.index("ledger")
    page.select_entry(b)
    assert page.editor.entry.id == a and page.editor.title.text() == "甲（改）"
    page.answer = "discard"
    main_window.navigate("dashboard")
    assert main_window.current_key() == "dashboard" and len(page.asked) == 3


# ---------------------------------------------------------------- 3. keyboard

def test_tab_order_runs_top_to_bottom_and_leaves_the_multiline_field(page, qtbot):
    editor = page.editor
    editor.task.setCurrentIndex(editor.task.findData(6))
    order, widget = [], editor.task
    for _ in range(12):
        order.append(widget)
        widget = widget.nextInFocusChain()
        while widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(editor) \
                or widget.focusProxy() is not None:
            widget = widget.nextInFocusChain()
    value = next(iter(editor.measure_inputs.values()))
    expected = [editor.task, editor.date, editor.entry_type, editor.title, editor.content, editor.location,
                editor.organizer, editor.participants, editor.remarks, value]
    assert order[:10] == expected
    assert order.index(value) < (order + [editor.evidence.add_button]).index(editor.evidence.add_button)
    editor.content.setFocus()
    qtbot.keyClick(editor.content, Qt.Key.Key_Tab)
    assert editor.content.toPlainText() == "" and QApplication.focusWidget() is editor.location
    qtbot.keyClick(editor.content, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert editor.content.toPlainText() == "\t"


def test_enter_in_a_single_line_field_moves_on(page, qtbot):
    editor = page.editor
    editor.title.setFocus()
    qtbot.keyClick(editor.title, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is editor.content
    editor.location.setFocus()
    qtbot.keyClick(editor.location, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert QApplication.focusWidget() is editor.organizer


def test_every_page_has_a_shortcut(main_window, qtbot):
    for n, key in enumerate(main_window.keys, start=1):
        qtbot.keyClick(main_window, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.ControlModifier)
        assert main_window.current_key() == key


# ---------------------------------------------------------------- 4. locked months

def test_entry_of_a_submitted_month_opens_read_only_with_the_lock_and_unlock(page, ws):
    entry_id = add(ws, title="五月宣传", entry_date="2023-05-20")
    lock(ws, "2023-05")
    page.on_show()
    page.select_entry(entry_id)
    editor = page.editor
    assert editor.banner.isVisibleTo(page) and editor.unlock_button.isVisibleTo(page)
    assert not editor.restore_button.isVisibleTo(page)
    assert "2023年5月月度台账已于 2023-06-03 10:00 报送" in editor.banner_label.text()
    assert not editor.form.isEnabled() and not editor.save_button.isEnabled()
    assert "已锁定" in editor.heading.text()
    page.ask_reason = lambda title, text: "补录遗漏的照片"
    editor.unlock_button.click()
    assert not editor.banner.isVisibleTo(page) and editor.form.isEnabled() and editor.save_button.isEnabled()


def test_a_locked_entry_cannot_be_deleted_and_says_why_before_asking(page, ws):
    entry_id = add(ws, title="五月宣传", entry_date="2023-05-20")
    lock(ws, "2023-05")
    page.on_show()
    page.select_entry(entry_id)
    assert not page.delete_button.isEnabled() and "已报送并锁定" in page.delete_button.toolTip()
    asked: list[str] = []
    page.confirm = lambda title, text: asked.append(text) or True
    page.delete_selected()  # what the Delete key does
    assert asked == [] and page.messages[-1][0] == "无法删除" and "已报送并锁定" in page.messages[-1][1]
    assert [e.id for e in list_entries(ws.db)] == [entry_id]


def test_delete_follows_a_lock_made_while_the_entry_was_on_screen(page, ws):
    """Locked from 报表 (标记为已报送) after the entry was shown: back on 台账录入 删除 is off."""
    entry_id = add(ws, title="六月宣传", entry_date="2023-06-05")
    page.on_show()
    page.select_entry(entry_id)
    assert page.delete_button.isEnabled()
    lock(ws, "2023-06")
    page.on_show()
    assert not page.delete_button.isEnabled() and "已报送并锁定" in page.delete_button.toolTip()


def test_after_new_no_row_is_current_so_copy_and_delete_act_on_nothing(page, ws):
    entry_id = add(ws, title="六月宣传", entry_date="2023-06-05")
    page.on_show()
    page.select_entry(entry_id)
    assert page.copy_button.isEnabled() and page.delete_button.isEnabled()
    page.new_entry()
    assert not page.copy_button.isEnabled() and not page.delete_button.isEnabled()
    page.copy_entry()  # Ctrl+D
    assert page.editor.title.text() == "" and "复制" not in page.editor.heading.text()
    page.delete_selected()  # the Delete key
    assert [e.id for e in list_entries(ws.db) if not e.deleted_at] == [entry_id]


def test_new_entries_never_start_in_a_locked_month(page, ws):
    lock(ws, "2023-06")
    page.month.setCurrentIndex(page.month.findData("2023-06"))
    page.new_entry()
    assert page.editor.date.date().toPython() == dt.date(2023, 7, 1)
    assert page.editor.errors["日期"].isHidden()
    page.editor.date.setDate(QDate(2023, 6, 5))  # typed into the locked month on purpose: said at once
    assert "已报送并锁定" in page.editor.errors["日期"].text() and not page.editor.errors["日期"].isHidden()


def test_a_dashboard_filter_shows_the_tasks_first_entry_or_an_empty_form(main_window, page, ws):
    other = add(ws, task_seq=1, entry_type="联动会议", title="联动会议", measures={}, location="会议室",
                participants=9)
    page.on_show()
    page.select_entry(other)
    main_window.navigate("ledger", task=6)
    assert page.model.rowCount() == 0
    assert page.editor.entry is None and page.editor.task.currentData() == 6
    sixth = add(ws, title="入户宣传")
    main_window.navigate("ledger", task=1)
    main_window.navigate("ledger", task=6)
    assert page.editor.entry is not None and page.editor.entry.id == sixth


# ---------------------------------------------------------------- 5. say no out loud

def test_negative_and_out_of_year_values_are_kept_and_marked_as_typed(page):
    editor = page.editor
    editor.task.setCurrentIndex(editor.task.findData(6))
    line = next(iter(editor.measure_inputs.values()))
    name = next(iter(editor.measures_box.cells))
    line.setText("-5")
    assert line.text() == "-5"
    assert editor.errors[name].text() == "应为不小于0的整数" and not editor.errors[name].isHidden()
    assert line.property("invalid") is True
    line.setText("5")
    assert editor.errors[name].isHidden() and line.property("invalid") is False
    editor.participants.setText("-3")
    assert editor.errors["参与人数"].text() == "应为不小于0的整数"
    editor.date.setDate(QDate(2031, 3, 1))
    assert editor.date.date() == QDate(2031, 3, 1)  # never reverted
    assert "应在 2023 年内" in editor.errors["日期"].text()
