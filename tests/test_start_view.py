"""The 工作台 kept from the last start (models.store.start_view): used only while the ledger,
the day, the task list and the program are what it was worked out from; a start that uses it
paints the same statuses the engine gives, and still checks the file before anything opens.
What the close keeps is in test_closing.py."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox

from models.store.peek import peek_unit
from models.store.settings import load_profile, save_profile
from models.store.start_view import load_view, revision_token, save_view, view_file, view_key
from models.store.workspace import open_workspace
from start_view_helpers import engine_statuses, households, start
from test_startup import damage_last_page, quit_at_the_damage_dialog


def test_every_write_gives_the_ledger_a_new_token(ws):
    first = revision_token(ws.conn)
    households(ws, 100)
    second = revision_token(ws.conn)
    profile = load_profile(ws.db)
    profile.households = 13000
    save_profile(ws.db, profile)
    third = revision_token(ws.conn)
    assert len({first, second, third}) == 3 and all(len(t) == 32 for t in (first, second, third))
    assert peek_unit(ws.data_dir).revision == third  # the start reads the same token


def test_a_kept_view_is_used_only_for_its_folder_token_and_key(ws, tmp_path):
    token, key = revision_token(ws.conn), view_key(ws.data_dir)
    view = {"unit": "南大街街道", "tiles": []}
    assert save_view(ws.data_dir, token=token, key=key, view=view)
    assert load_view(ws.data_dir, token=token, key=key) == view
    assert load_view(ws.data_dir, token="0" * 32, key=key) is None  # the ledger changed since
    tomorrow = view_key(ws.data_dir, today=dt.date.today() + dt.timedelta(days=1))
    assert load_view(ws.data_dir, token=token, key=tomorrow) is None  # deadlines and pace moved on
    assert load_view(tmp_path / "other", token=token, key=key) is None  # another folder's
    assert load_view(ws.data_dir, token=None, key=key) is None  # a ledger without a token yet
    view_file(ws.data_dir).write_text("{not json", encoding="utf-8")
    assert load_view(ws.data_dir, token=token, key=key) is None  # damaged: worked out again


def test_installing_a_task_list_changes_the_key(ws):
    before = view_key(ws.data_dir)
    (ws.data_dir / "tasklists").mkdir(exist_ok=True)
    (ws.data_dir / "tasklists" / "2024.json").write_text("{}", encoding="utf-8")
    assert view_key(ws.data_dir) != before


def test_a_cache_folder_that_cannot_be_written_keeps_nothing_and_raises_nothing(ws, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ZL_CACHE_DIR", str(blocker))
    assert not save_view(ws.data_dir, token=revision_token(ws.conn), key=view_key(ws.data_dir), view={"tiles": []})
    assert load_view(ws.data_dir, token=revision_token(ws.conn), key=view_key(ws.data_dir)) is None


def test_the_second_start_paints_the_kept_statuses_before_opening_and_they_are_the_engines(ws, qtbot, gui, monkeypatch):
    households(ws, 3100)  # task 6 达标 in May
    households(ws, 10, day="2023-06-02")
    ws.close()
    expected = engine_statuses(ws.data_dir)
    code, first = start(gui, ws.data_dir, monkeypatch)
    assert code == 0 and [m[0] for m in first] == ["first-paint", "ready", "interactive"]  # worked out, kept
    code, second = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False)
    assert code == 0 and [m[0] for m in second] == ["first-paint", "interactive", "ready"]
    _, (_, ws_at_interactive, nav_at_interactive, chips, kept), (_, ws_at_ready, nav_at_ready, chips_ready, _) = second
    assert ws_at_interactive is None and not nav_at_interactive and kept  # nothing open, nothing can write
    assert chips == expected == chips_ready  # the kept statuses are the ledger's
    assert ws_at_ready is not None and nav_at_ready


def test_a_write_since_the_last_start_is_worked_out_not_taken_from_the_kept_view(ws, qtbot, gui, monkeypatch):
    ws.close()
    code, _ = start(gui, ws.data_dir, monkeypatch)  # keeps the view of an empty ledger
    before = engine_statuses(ws.data_dir)
    again = open_workspace(ws.data_dir)
    try:
        households(again, 3100)  # e.g. through the command line, with the program closed
    finally:
        again.close()
    expected = engine_statuses(ws.data_dir)
    assert expected != before  # task 6 moved: the kept view is out of date
    code, seen = start(gui, ws.data_dir, monkeypatch)
    assert code == 0 and [m[0] for m in seen] == ["first-paint", "ready", "interactive"]
    assert seen[-1][3] == expected


def test_a_damaged_ledger_with_a_kept_view_is_still_checked_explained_and_never_opened(ws, tmp_path, qtbot, gui,
                                                                                     monkeypatch):
    from safety_helpers import filled

    filled(ws, tmp_path, entries=300, photos=0)
    ws.close()
    start(gui, ws.data_dir, monkeypatch)  # a good start keeps the view
    unit = peek_unit(ws.data_dir)
    damage_last_page(ws.db_path)
    if peek_unit(ws.data_dir) != unit:
        pytest.skip("the damage reached the settings page: no kept view can be found")
    damaged = ws.db_path.read_bytes()
    at_dialog = quit_at_the_damage_dialog(monkeypatch)
    code, seen = start(gui, ws.data_dir, monkeypatch)
    assert code == 1 and [m[0] for m in seen] == ["first-paint"]  # never interactive, never opened
    [(text, opened, nav_enabled)] = at_dialog
    assert "已损坏" in text and opened is None and not nav_enabled
    assert ws.db_path.read_bytes() == damaged


def test_a_kept_view_that_cannot_be_painted_is_worked_out_instead(ws, qtbot, gui, monkeypatch):
    """The cache file is the user's and could be anything (another version's, edited): a view
    with the right token and key but a broken shape is not painted; the ledger's is."""
    households(ws, 3100)
    ws.close()
    expected = engine_statuses(ws.data_dir)
    unit = peek_unit(ws.data_dir)
    broken = {"unit": unit.name, "year": 2023, "months": [["2023年6月", "2023-06"]], "month": "2023-06",
              "heading": "工作台", "counts": {}, "totals": "", "reminder": "", "returns": "",
              "tiles": [{"seq": 6, "status": "达标"}], "due": []}  # a tile without its lines
    assert save_view(ws.data_dir, token=unit.revision, key=view_key(ws.data_dir), view=broken)
    code, seen = start(gui, ws.data_dir, monkeypatch)
    assert code == 0 and [m[0] for m in seen] == ["first-paint", "ready", "interactive"]
    assert seen[-1][3] == expected


def test_a_ledger_restored_by_the_start_up_check_is_worked_out_not_shown_as_kept(ws, tmp_path, qtbot, gui, monkeypatch):
    """The kept view was painted for the damaged ledger; the check restores the newest good
    backup, which says something else: once opened, the 工作台 is the restored ledger's."""
    from models.safety.backup import backup_now
    from safety_helpers import filled

    filled(ws, tmp_path, entries=300, photos=0)
    ws.close()
    assert backup_now(ws.data_dir, kind="manual").ok  # task 6 达标 (25% of 12,000 households visited)
    again = open_workspace(ws.data_dir)
    try:
        profile = load_profile(again.db)
        profile.households = 10_000_000  # now far from 25%
        save_profile(again.db, profile)
    finally:
        again.close()
    start(gui, ws.data_dir, monkeypatch)  # keeps the view with task 6 达标
    unit = peek_unit(ws.data_dir)
    damage_last_page(ws.db_path)
    if peek_unit(ws.data_dir) != unit:
        pytest.skip("the damage reached the settings page: no kept view can be found")

    def restore(box):
        next(b for b in box.buttons() if b.text() == "从该备份恢复").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", restore)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: None))
    code, seen = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False)
    assert code == 0 and [m[0] for m in seen] == ["first-paint", "interactive", "ready"]
    restored = engine_statuses(ws.data_dir)
    assert seen[1][3] != restored  # the kept view, painted before the check found the damage
    assert seen[2][3] == restored  # the opened ledger's own statuses


def test_a_schema_changed_behind_the_programs_back_is_refused_at_the_opening(ws, qtbot, gui, monkeypatch):
    """A schema change made with another tool fires no trigger, so the token (and the kept
    view) stay; the start-up check then only reads for damage, and the opening's own schema
    check refuses the file before anything is written."""
    import sqlite3

    ws.close()
    start(gui, ws.data_dir, monkeypatch)  # keeps the view
    conn = sqlite3.connect(ws.db_path)
    conn.execute("ALTER TABLE entries ADD COLUMN extra TEXT")
    conn.commit()
    conn.close()
    before = ws.db_path.read_bytes()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    code, seen = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False)
    assert code == 1 and [m[0] for m in seen] == ["first-paint", "interactive"]  # never ready, never opened
    assert len(shown) == 1 and "不是本程序的台账数据库" in shown[0]
    assert ws.db_path.read_bytes() == before


def test_a_large_ledgers_check_starts_before_qt_and_still_decides(ws, tmp_path, qtbot, gui, monkeypatch):
    """A large file's quick_check (it reads the whole file) starts in main, before Qt loads;
    its verdict still comes before the 工作台 counts as shown, and damage is still explained."""
    import main
    from models.safety.integrity import DatabaseDamagedError, PendingCheck
    from safety_helpers import filled

    filled(ws, tmp_path, entries=300, photos=0)
    ws.close()
    assert main._early_check(ws.data_dir) is None  # a small ledger: the check starts with the first paint
    assert main._early_check(tmp_path / "nowhere") is None
    monkeypatch.setattr(main, "EARLY_CHECK_BYTES", 1)
    early = main._early_check(ws.data_dir)
    assert isinstance(early, PendingCheck) and not early.schema
    early.verdict()  # intact
    start(gui, ws.data_dir, monkeypatch)  # keeps the view
    import ui.app

    seen: list[str] = []
    monkeypatch.setattr(ui.app, "mark", lambda name: seen.append(name))
    assert main.main(["--data-dir", str(ws.data_dir), "--quit-after-startup"]) == 0
    assert seen == ["first-paint", "interactive"]
    import gc

    assert gc.isenabled()  # main turned cycle collection off for the start; the GUI turned it on
    damage_last_page(ws.db_path)
    with pytest.raises(DatabaseDamagedError):
        main._early_check(ws.data_dir).verdict()


@pytest.mark.parametrize("kept", [True, False], ids=["kept start", "worked-out start"])
def test_the_navigation_does_not_move_when_the_folder_opens(ws, qtbot, gui, monkeypatch, kept):
    """The working year's block (selector, the missing-list notice, its button) is drawn with
    the frame from the folder's profile: the opening puts the working selector in its place,
    and the navigation below stays where the user is about to click."""
    import ui.app
    from conftest import shown_main_window
    from PySide6.QtCore import QPoint

    ws.close()
    if kept:
        start(gui, ws.data_dir, monkeypatch)  # the first start keeps the view
    seen: dict[str, tuple] = {}

    def record(name: str) -> None:
        window = shown_main_window()
        window.layout().activate()
        block = window.year_selector or window._year_frame
        seen[name] = (window.nav.mapTo(window, QPoint(0, 0)).y(), block.currentText(), block.isEnabled(),
                      window.year_notice.isVisible(), window.year_notice.text(), window.ws is not None)
        if name == "ready":
            from PySide6.QtCore import QTimer
            from PySide6.QtWidgets import QApplication

            QTimer.singleShot(0, QApplication.quit)

    monkeypatch.setattr(ui.app, "mark", record)
    assert gui(ws.data_dir, quit_after_startup=False) == 0
    first, ready = seen["first-paint"], seen["ready"]
    assert first[5] is False and ready[5] is True  # before and after the opening
    assert first[0] == ready[0] > 0  # the navigation has not moved
    assert first[1] == ready[1] == "2023年任务清单"
    assert first[2] is False and ready[2] is True  # nothing can be switched before the folder is open
    assert first[3:5] == ready[3:5]
    assert ready[3] == (dt.date.today().year != 2023)  # "尚未导入2026年任务清单…" on a 2023-only install
