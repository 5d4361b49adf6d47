"""The 工作台 kept from the last start (models.store.start_view): used only while the ledger,
the day, the task list and the program are what it was worked out from; a start that uses it
paints the same statuses the engine gives, and still checks the file before anything opens."""

from __future__ import annotations

import datetime as dt
import json
import types

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from models.ledger.entries import add_entry, working_month
from models.ledger.validation import EntryDraft
from models.progress.indicators import progress
from models.store.peek import peek_unit
from models.store.settings import load_profile, save_profile
from models.store.start_view import load_view, revision_token, save_view, view_file, view_key
from models.store.workspace import open_workspace
from conftest import main_windows, shown_main_window
from test_startup import damage_last_page, quit_at_the_damage_dialog


def households(ws, n: int, day: str = "2023-05-05") -> None:
    draft = EntryDraft(task_seq=6, entry_date=day, entry_type="入户宣传", title="入户宣传", location="社区",
                       organizer="街道", participants=10, measures={"households_reached": n})
    add_entry(ws.db, ws.tasklist, ws.tasks(), draft, actor="张三")


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


def engine_statuses(data_dir) -> list[str]:
    ws = open_workspace(data_dir)
    try:
        return sorted(tp.status for tp in progress(ws, working_month(ws.db, year=ws.tasklist.year)))
    finally:
        ws.close()


def start(gui, data_dir, monkeypatch, *, quit_after_startup: bool = True, at_ready=None) -> tuple[int, list[tuple]]:
    """run_gui once; each mark with what the window showed then; ``at_ready(window)`` is what
    the user does once the folder is open (then the window is closed)."""
    import ui.app

    seen: list[tuple] = []

    def record(name: str) -> None:
        window = shown_main_window()
        page = window.pages.get("dashboard") if "dashboard" in window.pages else None
        seen.append((name, window.ws, window.nav.isEnabled(), sorted(t.status for t in page.tiles) if page else [],
                     page.kept if page else None))
        if name == "ready" and not quit_after_startup:
            if at_ready is not None:
                at_ready(window)
            QTimer.singleShot(0, QApplication.quit)

    monkeypatch.setattr(ui.app, "mark", record)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warnings.append(text)))
    code = gui(data_dir, quit_after_startup=quit_after_startup)
    assert not warnings, warnings  # e.g. the backup on exit
    for window in main_windows():
        window.hide()
    return code, seen


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


def test_a_days_entries_are_kept_at_close_and_the_next_start_paints_them(ws, qtbot, gui, monkeypatch):
    """The user records entries and closes the program: the next start (the same day) paints
    the 工作台 with them at once instead of working it out, and its statuses are the engine's."""
    ws.close()
    start(gui, ws.data_dir, monkeypatch)  # the first start keeps the view of an empty ledger
    kept_before = view_file(ws.data_dir).read_bytes()
    code, _ = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False,
                    at_ready=lambda window: households(window.ws, 3100))  # saved in the session
    assert code == 0 and view_file(ws.data_dir).read_bytes() != kept_before
    expected = engine_statuses(ws.data_dir)
    code, seen = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False)
    assert code == 0 and [m[0] for m in seen] == ["first-paint", "interactive", "ready"]  # painted as kept
    assert seen[1][3] == expected and seen[1][4]  # with the day's entry: task 6 达标
    assert "达标" in seen[1][3]


def test_the_exit_backups_record_does_not_make_the_next_start_work_the_page_out(ws, qtbot, gui, monkeypatch):
    """Closing backs the ledger up and records that in it (a write: a new token). A session that
    changed nothing else moves the kept view to that token without the engine, and the start
    after it paints it: every ordinary start after the first of a day is a kept one."""
    import ui.dashboard_view

    ws.close()
    start(gui, ws.data_dir, monkeypatch)
    worked_out: list[str] = []
    real = ui.dashboard_view.dashboard_view
    monkeypatch.setattr(ui.dashboard_view, "dashboard_view", lambda w, m: worked_out.append(m) or real(w, m))
    for _ in range(2):
        code, seen = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False)
        assert code == 0 and [m[0] for m in seen] == ["first-paint", "interactive", "ready"]
    assert worked_out == []  # neither start nor either close worked the 工作台 out
    assert peek_unit(ws.data_dir).revision == load_view_token(ws.data_dir)


def load_view_token(data_dir) -> str:
    import json

    return json.loads(view_file(data_dir).read_text(encoding="utf-8"))["token"]


def on_day(monkeypatch, day: dt.date) -> None:
    """Every "today" the start, the engine and the kept views read is ``day``."""
    import models.core.periods
    import models.ledger.entries
    import models.progress.indicators
    import models.store.start_view
    import ui.dashboard_view

    class Day(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return day

    clock = types.ModuleType("datetime")
    clock.__dict__.update(vars(dt))
    clock.date = Day
    for module in (models.core.periods, models.ledger.entries, models.progress.indicators, models.store.start_view,
                   ui.dashboard_view):
        monkeypatch.setattr(module, "dt", clock)


def kept_doc(data_dir, day: dt.date) -> dict:
    return json.loads(view_file(data_dir, day.isoformat()).read_text(encoding="utf-8"))


def test_a_fridays_close_keeps_mondays_first_start(ws, qtbot, gui, monkeypatch):
    """Closed on Friday 30 June: Monday 3 July's first start paints the 工作台 the engine works
    out on Monday — another month (July), the monthly report now overdue — without working it
    out; a start after the days kept (Tuesday) works it out."""
    households(ws, 3100, day="2023-05-05")
    households(ws, 10, day="2023-06-02")
    ws.close()
    friday, monday = dt.date(2023, 6, 30), dt.date(2023, 7, 3)
    on_day(monkeypatch, friday)
    friday_statuses = engine_statuses(ws.data_dir)
    code, _ = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False)  # Friday's session, closed
    assert code == 0
    assert [kept_doc(ws.data_dir, friday + dt.timedelta(days=n))["view"]["as_of"] for n in range(4)] == [
        "2023-06-30", "2023-07-01", "2023-07-02", "2023-07-03"]
    on_day(monkeypatch, monday)
    monday_statuses = engine_statuses(ws.data_dir)
    assert monday_statuses != friday_statuses  # the view of Friday would be wrong on Monday
    code, seen = start(gui, ws.data_dir, monkeypatch)
    assert code == 0 and [m[0] for m in seen] == ["first-paint", "interactive"]  # quit before the opening
    assert seen[-1][3] == monday_statuses and seen[-1][4]  # painted as kept, and the engine's
    view = kept_doc(ws.data_dir, monday)["view"]
    assert view["heading"].endswith("2023年7月") and view["as_of"] == "2023-07-03"
    due = {item["title"]: item["when"] for item in view["due"]}
    assert due["任务32：2023年6月月度台账报送"] == "6月30日　已逾期 3 天"  # on Friday: 今天截止
    assert due["任务32：2023年7月月度台账报送"] == "7月31日　还有 28 天"
    on_day(monkeypatch, monday + dt.timedelta(days=1))
    code, seen = start(gui, ws.data_dir, monkeypatch)
    assert code == 0 and [m[0] for m in seen] == ["first-paint", "ready", "interactive"]  # not kept: worked out
    assert seen[-1][3] == engine_statuses(ws.data_dir)


def test_a_window_opened_again_while_the_close_keeps_its_views_is_not_refused(ws, qtbot, gui, monkeypatch):
    """Once the exit backup is done nothing more is written: the folder's lock is let go
    before the next days' views are worked out, so a window opened again at once is not told
    the folder is in use by a window already gone."""
    import ui.dashboard_view
    from models.store.workspace import acquire_lock

    ws.close()
    start(gui, ws.data_dir, monkeypatch)
    opened: list[bool] = []
    real = ui.dashboard_view.view_for_day

    def view_for_day(w, day):
        if not opened:
            acquire_lock(w.data_dir).release()  # another window opens the folder now
            opened.append(True)
        return real(w, day)

    monkeypatch.setattr(ui.dashboard_view, "view_for_day", view_for_day)
    code, _ = start(gui, ws.data_dir, monkeypatch, quit_after_startup=False)
    assert code == 0 and opened == [True]


def test_a_window_opened_during_the_exit_backup_waits_for_it(ws, qtbot, monkeypatch):
    """The closing window marks the folder while it backs up; a window opened meanwhile
    waits, painted, and opens once the backup is done instead of calling the folder in use."""
    import ui.app
    import ui.data_safety
    from models.store.workspace import open_workspace as open_ws
    from ui.main_window import MainWindow

    seen: list[bool] = []
    real_backup = ui.data_safety.backup_on_exit
    monkeypatch.setattr(ui.data_safety, "backup_on_exit",
                        lambda data_dir: seen.append((data_dir / "instance.closing").exists()) or real_backup(data_dir))
    ws.close()
    first = open_ws(ws.data_dir)
    window = MainWindow(first)
    qtbot.addWidget(window)
    first.announce_closing()  # as close_session does, before its backup
    QTimer.singleShot(300, lambda: first.close())  # the backup is done: the folder is let go
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text, *a: messages.append(text)))
    again = ui.app.open_or_explain(ws.data_dir, window)
    try:
        assert messages == [] and again is not None  # waited (the timer ran meanwhile), then opened
        assert "正在关闭" in window.statusBar().currentMessage()
    finally:
        if again is not None:
            again.close()
    second = open_ws(ws.data_dir)
    ui.data_safety.close_session(window, second, quit_after_startup=False)
    assert seen == [True]  # the mark was there during the exit backup
    assert not (ws.data_dir / "instance.closing").exists()
    open_ws(ws.data_dir).close()  # and the lock is free


def test_views_moved_past_the_exit_backup_only_while_nobody_else_wrote(ws, monkeypatch):
    """The close lets the folder go before keeping its views: when another window writes in
    between, the views of before the backup no longer hold and are worked out, never moved
    under the new token (which would paint yesterday's figures for today's ledger)."""
    from ui.dashboard_view import keep_for_next_start, view_for_day

    on_day(monkeypatch, dt.date(2023, 6, 30))
    before = revision_token(ws.conn)
    assert keep_for_next_start(ws) == 4  # kept at the session's start, say
    from models.store.settings import put_setting

    put_setting(ws.db, "last_backup", {"ok": True})  # the exit backup's record
    ws.conn.commit()
    after = revision_token(ws.conn)
    assert after != before
    ws.release_lock()
    other = open_workspace(ws.data_dir)  # a window opened again at once, writing
    try:
        households(other, 10, day="2023-06-02")
    finally:
        other.close()
    assert keep_for_next_start(ws, moved=(before, after)) == 4
    now = revision_token(ws.conn)
    kept = load_view(ws.data_dir, token=now, key=view_key(ws.data_dir))
    assert kept == view_for_day(ws, dt.date(2023, 6, 30)) and "本月台账 1 条" in kept["totals"]


def test_views_of_days_gone_by_are_pruned_when_a_view_is_kept(ws, monkeypatch):
    token = revision_token(ws.conn)
    old_day, today = dt.date(2023, 6, 29), dt.date(2023, 6, 30)
    on_day(monkeypatch, old_day)
    assert save_view(ws.data_dir, token=token, key=view_key(ws.data_dir), view={"tiles": []})
    legacy = view_file(ws.data_dir).parent / f"{view_file(ws.data_dir).name.split('.')[0]}.json"
    legacy.write_text("{}", encoding="utf-8")  # the one-file format of before
    on_day(monkeypatch, today)
    assert save_view(ws.data_dir, token=token, key=view_key(ws.data_dir), view={"tiles": []})
    assert not view_file(ws.data_dir, old_day.isoformat()).exists() and not legacy.exists()
    assert load_view(ws.data_dir, token=token, key=view_key(ws.data_dir)) == {"tiles": []}


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
