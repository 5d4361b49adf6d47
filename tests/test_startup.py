"""The GUI start: the window is painted first, the folder is checked and opened after,
and nothing can write before the check has passed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from models.ledger.entries import working_month
from models.progress.indicators import progress
from models.store.peek import peek_unit
from models.store.workspace import open_workspace
from conftest import shown_main_window
from safety_helpers import filled


def damage_last_page(db_path) -> None:
    """Garble the file's last page (entry rows), leaving the settings row readable."""
    raw = bytearray(db_path.read_bytes())
    start = len(raw) - 4096
    for i in range(start + 8, start + 400):
        raw[i] ^= 0x5A
    db_path.write_bytes(bytes(raw))


def quit_at_the_damage_dialog(monkeypatch) -> list[tuple[str, object, bool]]:
    """Answer 退出 to the damage dialog; what it said, and whether the window had a workspace
    and a usable navigation then."""
    at_dialog: list[tuple[str, object, bool]] = []

    def fake_exec(box):
        window = shown_main_window()
        at_dialog.append((box.text(), window.ws, window.nav.isEnabled()))
        next(b for b in box.buttons() if b.text() == "退出").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return at_dialog


def test_first_paint_before_opening_and_quit_once_the_dashboard_shows_statuses(ws, tmp_path, qtbot, gui, monkeypatch):
    import ui.app

    filled(ws, tmp_path, entries=12, photos=1)
    ws.close()
    seen: list[tuple[str, object, bool, list[str]]] = []

    def record(name: str) -> None:
        window = shown_main_window()
        tiles = window.pages["dashboard"].tiles if window.ws is not None and "dashboard" in window.pages else []
        seen.append((name, window.ws, window.nav.isEnabled(), [t.status for t in tiles]))

    monkeypatch.setattr(ui.app, "mark", record)
    assert gui(ws.data_dir, quit_after_startup=True) == 0
    (first, ws_at_paint, nav_at_paint, _), (ready, *_), (second, ws_at_end, nav_at_end, chips) = seen
    assert (first, ready, second) == ("first-paint", "ready", "interactive")  # no view kept yet: worked out
    assert ws_at_paint is None and not nav_at_paint  # painted before anything was opened
    assert ws_at_end is not None and nav_at_end
    again = open_workspace(ws.data_dir)
    try:
        month = working_month(again.db, year=again.tasklist.year)
        assert sorted(chips) == sorted(tp.status for tp in progress(again, month))  # the unit's real statuses
    finally:
        again.close()


def test_a_damaged_ledger_is_explained_over_the_painted_window_and_never_opened(ws, tmp_path, qtbot, gui, monkeypatch):
    filled(ws, tmp_path, entries=300, photos=0)
    ws.close()
    damage_last_page(ws.db_path)
    assert peek_unit(ws.data_dir) is not None  # the frame can still be drawn from the profile
    damaged = ws.db_path.read_bytes()
    at_dialog = quit_at_the_damage_dialog(monkeypatch)
    assert gui(ws.data_dir, quit_after_startup=True) == 1
    [(text, opened, nav_enabled)] = at_dialog
    assert "已损坏" in text and opened is None and not nav_enabled  # no page, no writer
    assert ws.db_path.read_bytes() == damaged
    assert not (ws.data_dir / "ledger.db-wal").exists() or (ws.data_dir / "ledger.db-wal").stat().st_size == 0


def test_peek_answers_none_when_in_doubt(tmp_path):
    assert peek_unit(tmp_path) is None  # no ledger
    (tmp_path / "ledger.db").write_bytes(b"not a database" * 100)
    assert peek_unit(tmp_path) is None


def test_peek_names_the_same_files_as_the_store():
    from models.store import connection, peek, settings

    assert (peek.DB_FILENAME, peek.PROFILE_KEY) == (connection.DB_FILENAME, settings.PROFILE_KEY)


def test_a_failure_while_opening_is_explained_and_the_program_ends(ws, qtbot, gui, monkeypatch):
    from ui.main_window import MainWindow

    ws.close()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))

    def broken(self, workspace):
        raise RuntimeError("task list unreadable")

    monkeypatch.setattr(MainWindow, "attach", broken)
    assert gui(ws.data_dir, quit_after_startup=True) == 1  # not a frame left waiting for ever
    assert len(shown) == 1 and "意外错误" in shown[0] and "task list unreadable" in shown[0]


def test_peek_reads_every_units_kind_as_the_catalog_does():
    """The frame's quick read of units.json (no catalog loader before the first paint) agrees
    with the loader for every name and alias; a name the list does not know is a doubt."""
    from models.catalog.units import load_units
    from models.store.peek import unit_kind

    for unit in load_units():
        for name in (unit.name, *unit.aliases):
            assert unit_kind(name) == unit.kind
    assert unit_kind("不存在的街道") is None


def test_peek_doubts_a_profile_naming_an_unknown_unit(ws):
    import json

    ws.db.execute("UPDATE settings SET value = ? WHERE key = 'profile'", [json.dumps({"unit": "不存在的街道"})])
    ws.close()
    assert peek_unit(ws.data_dir) is None  # the ordinary path checks, opens and explains


def test_the_frame_is_painted_at_its_place_on_the_screen_not_moved_after(ws, tmp_path, qtbot, gui, monkeypatch):
    """The first paint already has the window's remembered (here: first-start) size and place;
    opening the folder does not move or resize it."""
    import ui.app

    ws.close()
    shapes: list[tuple[str, bool, object]] = []

    def record(name: str) -> None:
        window = shown_main_window()
        shapes.append((name, window.isMaximized(), window.geometry()))

    monkeypatch.setattr(ui.app, "mark", record)
    assert gui(ws.data_dir, quit_after_startup=True) == 0
    [(_, maximized_at_paint, at_paint), _ready, (_, maximized_at_end, at_end)] = shapes
    assert maximized_at_paint and maximized_at_end  # a first start on a 1366×768 screen opens maximised
    assert at_paint == at_end


def test_the_start_up_check_runs_beside_the_code_loading_and_its_verdict_still_decides(tmp_path, monkeypatch):
    """The check reads the file on its own thread while the GUI thread loads code; a failure
    found there is raised on the GUI thread, after the loading, before anything opens."""
    import threading

    import models.safety.integrity as integrity
    from models.core.errors import UnusableDatabaseError
    from ui.data_safety import _check_alongside

    loading = threading.Event()
    seen: list[str] = []

    def slow_check(data_dir, *, schema=True) -> None:
        assert loading.wait(5), "the check did not run while the code was loading"
        seen.append(threading.current_thread().name)
        raise UnusableDatabaseError("数据库文件已损坏", path=data_dir, problems=["第3页损坏"])

    def load() -> None:
        loading.set()
        seen.append("loaded")

    monkeypatch.setattr(integrity, "ensure_intact", slow_check)
    with pytest.raises(UnusableDatabaseError, match="已损坏"):
        _check_alongside(tmp_path, load, None)
    assert seen == ["loaded", "start-up check"]
