"""The end of a session (ui.data_safety.close_session): the 工作台 kept for today's and the
next days' starts under the ledger as it is after the exit backup, the folder let go first,
and a window opened again meanwhile waiting for it rather than refused."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from models.store.peek import peek_unit
from models.store.start_view import load_view, revision_token, save_view, view_file, view_key
from models.store.workspace import open_workspace
from start_view_helpers import engine_statuses, households, kept_doc, on_day, start


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
    assert peek_unit(ws.data_dir).revision == kept_doc(ws.data_dir, dt.date.today())["token"]


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
