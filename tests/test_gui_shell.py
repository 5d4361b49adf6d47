"""The main window shell and the 任务清单 page, offscreen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from models.store.settings import load_profile
from models.store.workspace import open_workspace
from ui.main_window import PAGES
from ui.pages.tasks_page import TaskCard


def test_navigation_has_every_page(main_window):
    labels = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    assert labels == ["工作台", "任务清单", "台账录入", "小区管理", "报表", "汇总", "设置"]
    assert len(PAGES) == 7


def test_tasks_page_shows_applicable_tasks_with_full_text(main_window, qtbot):
    main_window.navigate("tasks")
    page = main_window.pages["tasks"]
    seqs = [card.task.seq for card in page.cards]
    assert 12 in seqs and 8 not in seqs and len(seqs) == 21
    card6 = next(c for c in page.cards if c.task.seq == 6)
    texts = [lbl.text() for lbl in card6.findChildren(QLabel)]
    assert "持续开展入户宣传，每季度入户宣传居民户数不低于建成区居民总户数的25%" in texts
    assert any("25 %" in t and "季度" in t for t in texts)


def test_task_search_filters_cards(main_window, qtbot):
    page = main_window.pages["tasks"]
    main_window.navigate("tasks")
    page.search.setText("入户宣传")  # QTest.keyClicks aborts on non-ASCII text
    visible = [c.task.seq for c in page.cards if not c.isHidden()]
    assert visible == [6]


def test_keyboard_shortcut_switches_pages(main_window, qtbot):
    qtbot.keyClick(main_window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_key() == "settings"


def test_qt_dialogs_are_translated(main_window):
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消"])
    assert QApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_settings_page_saves_and_shows_errors_next_to_fields(main_window, qtbot):
    main_window.navigate("settings")
    page = main_window.pages["settings"]
    page.form.operator.clear()
    page.save()
    assert page.form.errors["填报人"].isVisibleTo(page) and "不能为空" in page.form.errors["填报人"].text()
    assert load_profile(main_window.ws.db).operator == "张三"  # nothing saved
    page.form.operator.setText("王五")
    page.form.households.setValue(20000)
    page.save()
    saved = load_profile(main_window.ws.db)
    assert saved.operator == "王五" and saved.households == 20000


def test_first_start_dialog_saves_profile(qtbot, data_dir):
    from ui.setup_dialog import SetupDialog

    ws = open_workspace(data_dir)
    try:
        dialog = SetupDialog(ws)
        qtbot.addWidget(dialog)
        dialog.form.unit.setCurrentIndex(dialog.form.unit.findData("五星街道"))
        dialog.save()
        assert not dialog.result()  # refused: names missing
        dialog.form.operator.setText("赵六")
        dialog.form.reviewer.setText("钱七")
        dialog.form.phone.setText("0519-86660000")
        dialog.save()
        assert load_profile(ws.db) is None  # a street must give its households and quota, never 0
        assert dialog.form.errors["新增达标小区任务数"].text().startswith("请填写")
        dialog.form.households.setValue(9000)
        dialog.form.quota.setValue(12)
        dialog.save()
        saved = load_profile(ws.db)
        assert (saved.unit, saved.households, saved.standard_quota) == ("五星街道", 9000, 12)
    finally:
        ws.close()


def test_district_office_is_asked_no_households_or_quota(qtbot, data_dir):
    from ui.setup_dialog import SetupDialog

    ws = open_workspace(data_dir)
    try:
        dialog = SetupDialog(ws)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.form.unit.setCurrentIndex(dialog.form.unit.findData("区垃分办"))
        assert not dialog.form.households.isVisible() and not dialog.form.quota.isVisible()
        dialog.form.unit.setCurrentIndex(dialog.form.unit.findData("邹区镇"))
        assert dialog.form.households.isVisible() and not dialog.form.quota.isVisible()  # task 6 only, no task 12
        dialog.form.unit.setCurrentIndex(dialog.form.unit.findData("区垃分办"))
        for box, text in ((dialog.form.operator, "赵六"), (dialog.form.reviewer, "钱七"), (dialog.form.phone, "0519-86660000")):
            box.setText(text)
        dialog.save()
        saved = load_profile(ws.db)
        assert (saved.unit, saved.households, saved.standard_quota) == ("区垃分办", None, None)
    finally:
        ws.close()


def test_chinese_font_is_available():
    from PySide6.QtGui import QFontDatabase

    families = QFontDatabase.families()
    assert any(f in families for f in ("WenQuanYi Micro Hei", "Microsoft YaHei UI", "SimSun", "Noto Sans CJK SC"))
    assert TaskCard is not None


def test_district_office_starts_on_consolidation(qtbot, make_ws):
    from ui.main_window import MainWindow

    ws = make_ws("区垃分办")
    window = MainWindow(ws)
    qtbot.addWidget(window)
    assert window.current_key() == "district"
    assert ws.tasks() == []


def test_the_style_sheet_is_applied_with_its_icons_found(qapp):
    """The theme reaches the application whole: its icon folder substituted (Qt refuses a
    sheet it cannot parse and the window falls back to the bare look)."""
    from ui.app import configure_app

    configure_app(qapp)
    sheet = qapp.styleSheet()
    assert sheet and "$ICONS" not in sheet and "spin" in sheet.lower()
