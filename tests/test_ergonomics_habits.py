"""Office-PC ergonomics, continued (Excel habits, a day's photos, the small things) on a 1366×768 screen (offscreen, tests/fixtures/screen-1366x768.json):
the window fits, unsaved edits are never closed away, the keyboard walks the form top to
bottom, a submitted month looks locked, typed values are kept and marked, and a day's photos
become one entry per day."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtWidgets import QApplication

from models.ledger.entries import list_entries
from models.ledger.evidence import list_attachments
from tests.test_photo_batch import jpeg
from ui.widgets.ledger_table import tsv_cell
from ui.window_geometry import FRAME, restore_window

from ergonomics_helpers import add, lock, page  # noqa: F401,E402  (page: a fixture)


# ---------------------------------------------------------------- 6. Excel habits

def test_ctrl_c_copies_selected_rows_with_headers_as_tsv(page, ws, qtbot):
    add(ws, title="甲", remarks="", entry_date="2023-06-01")
    add(ws, title="乙", entry_date="2023-06-02")
    add(ws, title="丙", entry_date="2023-06-03")
    page.on_show()
    page.table.selectAll()
    page.table.selectionModel().select(page.model.index(1, 0), page.table.selectionModel().SelectionFlag.Deselect
                                       | page.table.selectionModel().SelectionFlag.Rows)
    assert len(page.table.selected_rows()) == 2
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().split("\r\n")
    assert lines[0].split("\t")[:4] == ["日期", "任务", "台账类型", "标题"]
    assert [line.split("\t")[3] for line in lines[1:3]] == ["丙", "甲"] and lines[3] == ""
    assert tsv_cell("两行\n文字\t带制表") == "两行 文字 带制表"  # a cell never splits into two
    menu = [a.text() for a in page.table.build_menu().actions() if a.text()]
    assert menu == ["复制", "复制为新台账", "删除", "打开佐证材料"]


def test_deleting_several_rows_and_column_widths_remembered(main_window, page, ws, qtbot):
    for n in range(3):
        add(ws, title=f"第{n}条", entry_date=f"2023-06-0{n + 1}")
    page.on_show()
    page.table.selectAll()
    page.delete_selected()
    assert list_entries(ws.db) == [] and page.model.rowCount() == 0
    page.table.setColumnWidth(3, 333)
    page.table.save_widths()
    from ui.pages.ledger_page import LedgerPage

    again = LedgerPage(main_window.ctx)
    qtbot.addWidget(again)
    assert again.table.columnWidth(3) == 333


# ---------------------------------------------------------------- 7. a day's photos

def test_a_days_photos_become_one_entry_per_day_with_their_photos(page, ws, tmp_path):
    folder = tmp_path / "照片"
    jpeg(folder / "a.jpg", "2023:06:12 09:00:00")
    jpeg(folder / "b.jpg", "2023:06:12 16:00:00")
    jpeg(folder / "c.jpg", "2023:06:14 10:00:00")
    page.task.setCurrentIndex(page.task.findData(6))
    seen = {}

    def confirm(dialog) -> bool:
        dialog.entry_type.setCurrentIndex(dialog.entry_type.findText("入户宣传"))
        seen["rows"] = dialog.table.rowCount()
        dialog.save()  # a required field is empty: nothing saved, each problem named
        seen["problems"] = dialog.problems.text()
        for row in range(dialog.table.rowCount()):
            dialog.set_cell(row, "households_reached", "150")
            if any(key == "location" for key, _ in dialog.columns):
                dialog.set_cell(row, "location", "南大街社区")
        dialog.save()
        return bool(dialog.created)

    page.run_batch = confirm
    created = page.propose_photos([folder])
    assert seen["rows"] == 2 and "未生成任何台账" in seen["problems"] and "06月12日" in seen["problems"]
    entries = sorted(list_entries(ws.db), key=lambda e: e.entry_date)
    assert [e.entry_date for e in entries] == [dt.date(2023, 6, 12), dt.date(2023, 6, 14)]
    assert [e.title for e in entries] == ["6月12日入户宣传", "6月14日入户宣传"]
    assert [len(list_attachments(ws.db, e.id)) for e in entries] == [2, 1]
    assert len(created) == 2 and page.editor.entry.id == created[0]


def test_editor_warns_of_a_photo_taken_outside_the_entry_month(page, tmp_path):
    editor = page.editor
    editor.date.setDate(QDate(2023, 6, 12))
    editor.evidence.add_paths([jpeg(tmp_path / "march.jpg", "2023:03:02 10:00:00")])
    assert not editor.photo_warning.isHidden()
    assert "照片拍摄于2023-03-02" in editor.photo_warning.text()
    editor.date.setDate(QDate(2023, 3, 20))
    assert editor.photo_warning.isHidden()


def show_active(qtbot, dialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)


def test_community_and_evaluation_dialogs_walk_top_to_bottom(ws, qtbot):
    from ui.widgets.community_forms import CommunityDialog, EvaluationDialog

    dialog = CommunityDialog(None, year=2023, villages=False)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    dialog.name.setFocus()
    dialog.name.setText("锦绣花园")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # moves on, does not accept the dialog
    assert dialog.isVisible() and dialog.result() == 0
    assert QApplication.focusWidget() is dialog.households  # 户数 next (类别 is fixed without villages)
    dialog.name.setFocus()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.households  # Tab never skips 户数
    qtbot.keyClick(dialog.households, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.facilities.check
    assert not dialog.metering.check.isChecked()

    evaluation = EvaluationDialog(None, community="锦绣花园", sheet=ws.tasklist.scoresheet, pass_score=95, year=2023)
    qtbot.addWidget(evaluation)
    show_active(qtbot, evaluation)
    evaluation.evaluator.setFocus()
    qtbot.keyClick(evaluation.evaluator, Qt.Key.Key_Return)
    assert evaluation.isVisible() and QApplication.focusWidget() is evaluation.by_items
    first_spin = next(iter(evaluation.spins.values()))
    first_spin.setFocus()
    qtbot.keyClick(first_spin, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is list(evaluation.spins.values())[1]


# ---------------------------------------------------------------- 9. small things

def test_task_list_counts_follow_the_search_and_a_task_starts_an_entry(main_window, ws):
    main_window.navigate("tasks")
    tasks = main_window.pages["tasks"]
    assert all("▸" not in label.text() for label in tasks.findChildren(type(tasks.summary)))
    tasks.search.setText("入户")
    shown = [(header.text(), len(cards)) for header, _, cards in tasks.headers if header.isVisibleTo(tasks)]
    assert shown and all("/" in text for text, _ in shown)
    assert "找到" in tasks.summary.text()
    tasks.search.setText("")
    assert all("/" not in header.text() for header, _, _ in tasks.headers)
    card = next(c for c in tasks.cards if c.task.seq == 6)
    card.new_button.click()
    ledger = main_window.pages["ledger"]
    assert main_window.current_key() == "ledger"
    assert ledger.editor.entry is None and ledger.editor.task.currentData() == 6
    assert ledger.task.currentData() == 6


PROBE = """
import sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
from ui.app import make_app
app = make_app()
from conftest import make_profile
from models.store.settings import save_profile
from models.store.workspace import open_workspace
from ui.main_window import MainWindow
ws = open_workspace(Path(tempfile.mkdtemp()) / "data")
save_profile(ws.db, make_profile())
window = MainWindow(ws)
window.show()
available = app.primaryScreen().availableGeometry()
for key in window.keys:
    window.navigate(key)
    app.processEvents()
    assert available.contains(window.frameGeometry()), (key, window.frameGeometry(), available)
window.navigate("ledger")
app.processEvents()
ledger = window.pages["ledger"]
assert ledger.editor.save_button.isVisibleTo(window)
print("fits", available.width(), available.height())
ws.close()
"""


@pytest.mark.parametrize("scale", ["1.25", "1.5"])
def test_window_fits_1366x768_at_125_and_150_percent(scale, tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT, SCREEN_CONFIG

    env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": f"offscreen:configfile={SCREEN_CONFIG}",
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(ROOT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    width, height = (int(n) for n in done.stdout.split()[1:3])
    assert (width, height) == (round(1366 / float(scale)), round(768 / float(scale))) or abs(width - 1366 / float(scale)) < 2


def test_deleting_several_rows_with_one_locked_deletes_none(page, ws):
    a = add(ws, title="六月", entry_date="2023-06-05")
    b = add(ws, title="五月", entry_date="2023-05-05")
    lock(ws, "2023-05")
    page.on_show()
    page.table.selectAll()
    page.delete_selected()
    assert sorted(e.id for e in list_entries(ws.db)) == sorted([a, b])
    assert page.messages[-1][0] == "无法删除" and "已报送并锁定" in page.messages[-1][1]


def test_dropping_a_folder_on_the_ledger_proposes_its_days(page, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    folder = tmp_path / "一天的照片"
    jpeg(folder / "a.jpg", "2023:06:20 09:00:00")
    jpeg(folder / "b.jpg", mtime=dt.datetime(2023, 6, 20, 18, 0))  # no EXIF: dated by its file, and said so
    seen = {}

    def look(dialog) -> bool:
        seen["days"] = [g.day for g in dialog.groups]
        seen["source"] = dialog.table.item(0, 2).text()
        return False  # 取消: nothing is saved

    page.run_batch = look
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    page.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier))
    assert seen["days"] == [dt.date(2023, 6, 20)]
    assert seen["source"] == "1 张无拍摄时间，按文件时间"
    assert page.model.rowCount() == 0


def test_ctrl_n_without_a_month_filter_skips_locked_months(page, ws):
    add(ws, title="五月", entry_date="2023-05-20")  # the latest month with entries: the usual default
    lock(ws, "2023-05")
    page.new_entry()
    assert page.editor.date.date().toPython() == dt.date(2023, 6, 1)


class TaskbarScreen:
    """A 1366×768 screen whose Windows taskbar takes the bottom 40 pixels."""

    def name(self) -> str:
        return "taskbar-1366"

    def size(self):
        from PySide6.QtCore import QSize

        return QSize(1366, 768)

    def availableGeometry(self) -> QRect:  # noqa: N802 (Qt API)
        return QRect(0, 0, 1366, 728)


def test_a_window_remembered_on_a_big_monitor_opens_inside_the_taskbar_screen(qtbot):
    from PySide6.QtWidgets import QWidget

    from ui.ui_state import ui_settings
    from ui.window_geometry import screen_key

    screen = TaskbarScreen()
    ui_settings().setValue(f"{screen_key(screen)}/rect", QRect(200, 150, 1600, 1000))
    ui_settings().setValue(f"{screen_key(screen)}/maximized", False)
    window = QWidget()
    qtbot.addWidget(window)
    restore_window(window, screen)  # type: ignore[arg-type]
    frame = window.geometry().marginsAdded(FRAME)
    assert QRect(0, 0, 1366, 728).contains(frame), frame
    assert not window.isMaximized()
    fresh = QWidget()
    qtbot.addWidget(fresh)
    ui_settings().clear()
    restore_window(fresh, screen)  # type: ignore[arg-type]
    assert fresh.windowState() & Qt.WindowState.WindowMaximized  # first start on a small screen


def test_pages_reflow_on_a_narrow_window(main_window, page):
    from PySide6.QtWidgets import QBoxLayout

    main_window.showNormal()
    main_window.resize(1000, 640)  # 1366×768 at 150 % leaves about this much
    QApplication.processEvents()
    assert page.import_button.text() == "导入…" and ".xlsx" in page.import_button.toolTip()
    main_window.navigate("dashboard")
    QApplication.processEvents()
    dashboard = main_window.pages["dashboard"]
    assert dashboard.body.direction() == QBoxLayout.Direction.TopToBottom
    assert dashboard.header.direction() == QBoxLayout.Direction.TopToBottom  # controls below the title
    main_window.setMinimumSize(0, 0)  # at 150 % the window's minimum is the screen's 910 px (restore_window)
    main_window.resize(910, 600)  # 1366 / 1.5: the 工作台 fits the width, no scrolling sideways
    QApplication.processEvents()
    scroller = dashboard.parentWidget().parentWidget()  # the main window's scroll area around the page
    assert not scroller.horizontalScrollBar().isVisible(), (dashboard.minimumSizeHint(), scroller.viewport().width())
    main_window.navigate("ledger")  # 台账录入 too: its task filter shows fewer characters
    QApplication.processEvents()
    scroller = page.parentWidget().parentWidget()
    assert not scroller.horizontalScrollBar().isVisible(), (page.minimumSizeHint(), scroller.viewport().width())
    assert page.editor.save_button.isVisibleTo(main_window)
    main_window.navigate("reports")  # 报表: its choices and actions each take two lines
    QApplication.processEvents()
    reports = main_window.pages["reports"]
    scroller = reports.parentWidget().parentWidget()
    assert not scroller.horizontalScrollBar().isVisible(), (reports.minimumSizeHint(), scroller.viewport().width())
    assert reports.export_button.isVisibleTo(main_window)
    main_window.navigate("dashboard")
    main_window.resize(1340, 720)
    QApplication.processEvents()
    assert dashboard.body.direction() == QBoxLayout.Direction.LeftToRight
    main_window.navigate("ledger")
    assert page.import_button.text() == "从 Excel 导入…"
