"""工作台 offscreen: tiles and chips follow the engine, month choice, reminders, drill-down."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from models.progress.indicators import progress
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry
from ui.widgets.status import fill_fraction


def entry(ws, seq: int, day: str, kind: str, **measures: float) -> None:
    draft = EntryDraft(task_seq=seq, entry_date=day, entry_type=kind, title=kind, location="社区", organizer="街道",
                       participants=10, measures=measures)
    add_entry(ws.db, ws.tasklist, ws.tasks(), draft, actor="张三")


def dashboard(main_window, month: str = "2023-06"):
    main_window.navigate("dashboard")
    page = main_window.pages["dashboard"]
    page.set_month(month)
    return page


def test_one_tile_per_task_with_the_engines_status(main_window):
    ws = main_window.ws
    entry(ws, 6, "2023-05-05", "入户宣传", households_reached=3100)  # 3,100 of 12,000 = 25.8%
    page = dashboard(main_window)
    expected = {tp.task.seq: tp.status for tp in progress(ws, "2023-06")}
    assert {t.seq: t.status for t in page.tiles} == expected
    t6 = next(t for t in page.tiles if t.seq == 6)
    [line] = t6.lines
    assert line.value_text == "25.83%／≥25%" and line.fill == 1000
    assert t6.status == "达标" and t6.colour == "#2f855a"
    assert t6.accessibleName().startswith("任务6 ") and t6.accessibleName().endswith("达标")  # for a screen reader
    assert "25.83%／≥25%" in t6.accessibleDescription()


def test_month_selector_defaults_to_the_list_years_last_month_and_refreshes(main_window):
    main_window.navigate("dashboard")
    page = main_window.pages["dashboard"]
    assert page.current_month() == "2023-12"  # today is past 2023: min(today, 31 Dec)
    assert page.month.count() == 12
    entry(main_window.ws, 6, "2023-05-05", "入户宣传", households_reached=1500)
    page.set_month("2023-05")
    assert "2023年5月" in page.heading.text()
    t6 = next(t for t in page.tiles if t.seq == 6)
    assert t6.status == "滞后"  # 12.5% < 25% × 61/91
    assert [line.colour for line in t6.lines] == ["#dd6b20"]


def test_reminder_until_the_monthly_ledger_is_submitted(main_window):
    page = dashboard(main_window, "2023-06")
    assert not page.reminder.isHidden() and "6月" in page.reminder.text() and "尚未报送" in page.reminder.text()
    main_window.ws.db.execute("INSERT INTO period_states(kind, period, state, version) VALUES ('monthly', '2023-06', 'submitted', 1)")
    page.refresh()
    assert page.reminder.isHidden()


def test_due_list_shows_overdue_deadlines(main_window):
    page = dashboard(main_window, "2023-06")
    titles = [row.title for row in page.due_rows]
    assert any(t.startswith("任务11") for t in titles)  # facilities deadline 30 April passed
    assert all(row.overdue for row in page.due_rows if row.seq == 11)
    page.set_month("2023-03")
    upcoming = {row.seq: row for row in page.due_rows}
    assert 11 in upcoming and not upcoming[11].overdue


def test_clicking_a_task_opens_its_entries(main_window, qtbot):
    page = dashboard(main_window)
    calls = []
    page.ctx.navigate = lambda key, **kw: calls.append((key, kw))
    tile = next(t for t in page.tiles if t.seq == 12)
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert calls == [("ledger", {"task": 12})]
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)
    assert calls[-1] == ("ledger", {"task": 12})


def test_tiles_take_clicks_at_once_and_cursor_and_focus_once_painted(main_window, qtbot):
    """Built on an open folder, a tile opens its task when clicked straight away; its hand
    cursor and Tab focus (PySide's Qt namespace, ~30 ms the first time) follow the page's paint."""
    page = dashboard(main_window)
    page.order.setCurrentIndex(1)  # rebuilt: new tiles, not yet painted
    tile = next(t for t in page.tiles if t.seq == 12)
    assert tile.input_enabled
    calls = []
    page.ctx.navigate = lambda key, **kw: calls.append((key, kw))
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert calls == [("ledger", {"task": 12})]
    qtbot.waitUntil(lambda: tile.cursor().shape() == Qt.CursorShape.PointingHandCursor, timeout=2000)
    assert tile.focusPolicy() == Qt.FocusPolicy.StrongFocus and all(
        row.cursor().shape() == Qt.CursorShape.PointingHandCursor for row in page.due_rows)


def test_attention_filter_hides_met_tasks(main_window):
    entry(main_window.ws, 6, "2023-05-05", "入户宣传", households_reached=3100)
    page = dashboard(main_window)
    page.only_attention.setChecked(True)
    hidden = {t.seq for t in page.tiles if t.isHidden()}
    assert 6 in hidden and 12 not in hidden


def test_tile_colours_follow_the_status_and_bar_fill_rules(main_window):
    page = dashboard(main_window, "2023-06")
    t11 = next(t for t in page.tiles if t.seq == 11)  # the facilities deadline passed unmet
    assert t11.status == "逾期" and t11.colour == "#c53030"
    assert {t.colour for t in page.tiles if t.status == "未开展"} == {"#718096"}

    class R:
        value, target, comparison, district_target = 12.0, 25.0, ">=", None

    assert fill_fraction(R()) == 12 / 25
    R.comparison, R.value, R.target = "<=", 320.0, 300.0
    assert fill_fraction(R()) == 300 / 320
    R.value = None
    assert fill_fraction(R()) == 0


def test_missing_household_setting_is_pointed_out(qtbot, make_ws):
    from ui.context import PageContext
    from ui.pages.dashboard_page import DashboardPage
    from ui.worker import TaskRunner

    ws = make_ws("南大街街道", households=None)
    page = DashboardPage(PageContext(ws=ws, runner=TaskRunner(), navigate=lambda *a, **k: None, data_changed=lambda: None))
    qtbot.addWidget(page)
    page.set_month("2023-05")
    t6 = next(t for t in page.tiles if t.seq == 6)
    assert any("建成区居民总户数" in note for note in t6.notes.values())
    assert [b.text() for b in t6.settings_buttons] == ["设置…"] * len(t6.notes)


def test_a_target_not_set_offers_settings_and_settings_edit_targets(main_window, qtbot):
    from PySide6.QtWidgets import QPushButton

    from models.store.settings import load_profile, save_profile

    ws = main_window.ws
    profile = load_profile(ws.db)
    profile.standard_quota = None  # an older folder: the quota was never filled in
    save_profile(ws.db, profile)
    page = dashboard(main_window)
    t12 = next(t for t in page.tiles if t.seq == 12)
    assert t12.status == "未设置目标"
    button = next(b for b in t12.findChildren(QPushButton) if b.text() == "设置…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settings = main_window.pages["settings"]
    settings.on_show()
    assert "T2_AWARENESS" in settings.target_inputs
    settings.form.quota.setValue(10)
    settings.target_inputs["T2_AWARENESS"].setText("92")
    settings.save()
    saved = load_profile(ws.db)
    assert (saved.standard_quota, saved.target_overrides) == (10, {"T2_AWARENESS": 92})
    t2 = next(t for t in dashboard(main_window).tiles if t.seq == 2)
    assert any("（本单位设定）" in line.value_text for line in t2.lines)
