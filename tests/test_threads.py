"""The real worker thread: background jobs use their own connection, so a write the GUI
thread makes while a job holds a transaction is its own — kept whether the job commits
or rolls back (it used to become a savepoint inside the job's transaction and vanish)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from models.core.errors import AppError
from models.district import consolidation
from models.ledger import entries as entries_mod
from models.ledger.drafts import load_unsaved, save_unsaved
from models.ledger.entries import list_entries
from models.safety import restore as restore_mod
from models.safety.backup import backup_now, list_backups
from tests.test_consolidation import make_unit_reports
from tests.test_ledger_import import fill_template, row6
from ui.worker import TaskRunner

WAIT_S = 10


class Pause:
    """Wraps a function a job calls inside its transaction: the first call signals
    ``inside`` and waits until the test has started the GUI-thread write."""

    def __init__(self, fn, *, fail: bool = False, before: bool = False):
        self.fn, self.fail, self.before = fn, fail, before
        self.inside, self.go_on = threading.Event(), threading.Event()
        self.worker_thread: int | None = None

    def __call__(self, *args, **kwargs):
        if self.before and not self.inside.is_set():
            self.worker_thread = threading.get_ident()
            self.inside.set()
            assert self.go_on.wait(WAIT_S)
            return self.fn(*args, **kwargs)
        result = self.fn(*args, **kwargs)
        if not self.inside.is_set():
            self.worker_thread = threading.get_ident()
            self.inside.set()
            assert self.go_on.wait(WAIT_S)
            if self.fail:
                raise AppError("模拟：后台任务中途失败")
        return result


def _gui_write_while_job_holds_its_transaction(qtbot, runner: TaskRunner, ws, pause: Pause, start_job) -> list:
    """Start the job on the real worker thread; when it is inside its transaction, keep a
    draft from this (the GUI) thread. The draft write waits for the job's lock (busy
    timeout), then commits on its own."""
    outcome: list = []
    start_job(lambda value: outcome.append(("ok", value)), lambda exc: outcome.append(("failed", exc)))
    assert pause.inside.wait(WAIT_S), "the job never reached its transaction"
    assert pause.worker_thread != threading.get_ident()  # really another thread
    threading.Timer(0.3, pause.go_on.set).start()  # the job finishes while our write waits
    save_unsaved(ws.db, {"entry_id": None, "draft": {"title": "GUI 线程的草稿"}, "files": [], "removed": []})
    qtbot.waitUntil(lambda: bool(outcome), timeout=WAIT_S * 1000)
    return outcome


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner()
    assert runner.synchronous is False
    yield runner
    runner.wait()


@pytest.mark.parametrize("fail", [False, True], ids=["import-commits", "import-rolls-back"])
def test_excel_import_and_an_editor_draft_each_keep_their_writes(qtbot, runner, ws, tmp_path, monkeypatch, fail):
    from models.ledger.excel_import import import_workbook

    book = fill_template(ws, tmp_path / "台账.xlsx", [row6(n) for n in range(1, 4)])
    pause = Pause(entries_mod._insert, fail=fail)
    monkeypatch.setattr(entries_mod, "_insert", pause)
    tasklist, tasks = ws.tasklist, ws.tasks()
    changed: list[bool] = []
    runner.data_changed.connect(lambda: changed.append(True))

    def start(ok, failed):
        runner.run_in_workspace(ws, lambda own, progress: import_workbook(own.db, book, tasklist, tasks, actor="张三"),
                                ok, failed, writes=True)
        assert runner.writes_in_flight == 1

    outcome = _gui_write_while_job_holds_its_transaction(qtbot, runner, ws, pause, start)
    assert load_unsaved(ws.db)["draft"]["title"] == "GUI 线程的草稿"
    assert len(list_entries(ws.db)) == (0 if fail else 3)
    assert outcome[0][0] == ("failed" if fail else "ok")
    assert runner.writes_in_flight == 0 and changed == [True]  # one data-changed signal per write job


def test_consolidation_and_an_editor_draft_each_keep_their_writes(qtbot, runner, make_ws, tmp_path, monkeypatch):
    files = make_unit_reports(tmp_path / "units")
    district = make_ws("区垃分办")
    pause = Pause(consolidation._log_attempt)
    monkeypatch.setattr(consolidation, "_log_attempt", pause)

    def start(ok, failed):
        runner.run_in_workspace(district, lambda own, progress: consolidation.import_reports(own, [files["nandajie"]]),
                                ok, failed, writes=True)

    outcome = _gui_write_while_job_holds_its_transaction(qtbot, runner, district, pause, start)
    assert outcome[0][0] == "ok" and outcome[0][1][0].counted
    assert load_unsaved(district.db)["draft"]["title"] == "GUI 线程的草稿"
    assert district.db["district_reports"].count == 1


def test_restore_and_an_editor_draft_each_keep_their_writes(qtbot, runner, ws, monkeypatch):
    from tests.safety_helpers import add_entries

    add_entries(ws, 2)
    assert backup_now(ws.data_dir, kind="manual").ok
    snapshot = list_backups(ws.data_dir)[0]
    add_entries(ws, 3)  # after the backup: the restore takes these away
    # The job pauses once it has begun (the GUI keeps its draft meanwhile), then reads what
    # this PC keeps across a restore and swaps the backup in.
    pause = Pause(restore_mod._machine_settings, before=True)
    monkeypatch.setattr(restore_mod, "_machine_settings", pause)

    def start(ok, failed):
        runner.run_in_workspace(ws, lambda own, progress: restore_mod.restore_backup(ws.data_dir, snapshot.path, db=own.db),
                                ok, failed, writes=True)

    outcome = _gui_write_while_job_holds_its_transaction(qtbot, runner, ws, pause, start)
    assert outcome[0][0] == "ok", outcome
    assert len(list_entries(ws.db)) == 2  # the GUI's own connection sees the restored ledger
    # typed during the restore: kept (the editor's typing is this PC's, never replaced by an old draft)
    assert load_unsaved(ws.db)["draft"]["title"] == "GUI 线程的草稿"


def test_a_worker_never_receives_the_gui_connection(qtbot, runner, ws):
    seen: list = []
    runner.run_in_workspace(ws, lambda own, progress: (own.db.conn is not ws.db.conn, threading.get_ident()),
                            seen.append, seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_S * 1000)
    different_connection, thread = seen[0]
    assert different_connection and thread != threading.get_ident()
    result: list = []
    other = threading.Thread(target=lambda: result.append(_use(ws)))
    other.start()
    other.join()
    assert isinstance(result[0], sqlite3.ProgrammingError) and "thread" in str(result[0])  # Python's check is on


def _use(ws) -> BaseException | None:
    try:
        ws.db.execute("SELECT 1").fetchall()
    except Exception as exc:  # noqa: BLE001 - handed back to the test thread
        return exc
    return None
