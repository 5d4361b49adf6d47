"""What the start-view and closing tests share: a ledger entry, the engine's statuses, one
in-process start with its marks, and a clock that says another day."""

from __future__ import annotations

import datetime as dt
import json
import types

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from models.ledger.entries import add_entry, working_month
from models.ledger.validation import EntryDraft
from models.progress.indicators import progress
from models.store.start_view import view_file
from models.store.workspace import open_workspace
from conftest import main_windows, shown_main_window


def households(ws, n: int, day: str = "2023-05-05") -> None:
    draft = EntryDraft(task_seq=6, entry_date=day, entry_type="入户宣传", title="入户宣传", location="社区",
                       organizer="街道", participants=10, measures={"households_reached": n})
    add_entry(ws.db, ws.tasklist, ws.tasks(), draft, actor="张三")


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
