"""One program per data folder: the instance lock refuses a second holder, in this process
or another, and is free again the moment its holder ends, even killed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from models.core.errors import InstanceLockedError
from models.store.instance_lock import InstanceLock, LockHeld
from models.store.workspace import open_workspace

ROOT = Path(__file__).resolve().parent.parent


def test_a_second_holder_in_this_process_is_refused_until_the_first_lets_go(tmp_path):
    first, second = InstanceLock(tmp_path / "instance.lock"), InstanceLock(tmp_path / "instance.lock")
    first.acquire()
    with pytest.raises(LockHeld):
        second.acquire()
    first.release()
    second.acquire()
    assert second.is_locked and not first.is_locked
    second.release()


def test_a_second_window_on_the_folder_is_told_in_chinese(ws):
    with pytest.raises(InstanceLockedError, match="正被另一个程序窗口使用"):
        open_workspace(ws.data_dir)


def test_the_lock_of_a_killed_process_is_free_at_once(tmp_path):
    path = tmp_path / "instance.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[1])\n"
         "from models.store.instance_lock import InstanceLock\n"
         "InstanceLock(sys.argv[2]).acquire(); print('held', flush=True); time.sleep(60)", str(ROOT), str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld):
            InstanceLock(path).acquire()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    lock = InstanceLock(path)
    lock.acquire()  # no stale lock: the system dropped it with the process
    lock.release()


def test_a_window_opened_while_the_last_one_is_closing_waits_for_it(ws):
    """The window is gone but its process still backs up (``instance.closing`` beside the
    lock): a window opened again waits for the folder instead of being refused."""
    ws.announce_closing()
    calls: list[int] = []

    def waiting() -> None:
        calls.append(1)
        if len(calls) == 3:
            ws.close()  # the backup is done: the closing window lets go

    again = open_workspace(ws.data_dir, wait_if_closing=10, waiting=waiting)
    try:
        assert len(calls) == 3 and again.db["entries"].count == 0
        assert not (ws.data_dir / "instance.closing").exists()
    finally:
        again.close()


def test_a_window_still_open_is_not_waited_for_and_a_closing_one_not_for_ever(ws):
    import time

    waited: list[int] = []
    with pytest.raises(InstanceLockedError, match="正被另一个程序窗口使用"):
        open_workspace(ws.data_dir, wait_if_closing=10, waiting=lambda: waited.append(1))
    assert waited == []  # open, not closing: refused at once
    ws.announce_closing()
    started = time.monotonic()
    with pytest.raises(InstanceLockedError):
        open_workspace(ws.data_dir, wait_if_closing=0.3, waiting=lambda: waited.append(1))
    assert waited and 0.3 <= time.monotonic() - started < 5


def test_a_closing_mark_left_by_a_killed_window_is_cleared_by_the_next_opening(ws):
    ws.announce_closing()
    ws.release_lock()  # as the system does for a killed process (the mark stays: written again)
    (ws.data_dir / "instance.closing").touch()
    again = open_workspace(ws.data_dir)
    try:
        assert not (ws.data_dir / "instance.closing").exists()
    finally:
        again.close()
        ws.close()


def test_a_command_run_while_the_window_is_closing_waits_and_says_so(ws):
    """A script run just after the program window was closed waits for its exit backup."""
    import threading

    from cli_helpers import run_cli

    import main as entry_point

    entry_point.build_parser()  # the commands' modules loaded: the command reaches the lock at once
    ws.announce_closing()
    threading.Timer(0.5, ws.release_lock).start()  # the closing window lets go (the command waits in this thread)
    done = run_cli("--data-dir", ws.data_dir, "entry", "list")
    assert done.returncode == 0, done.stderr
    assert "上一个程序窗口正在关闭" in done.stderr


def test_a_closing_mark_that_could_not_be_deleted_is_not_waited_for_once_old(ws):
    """A mark a closing window could not delete (a virus scanner holding it, say) must not make
    every later opening wait a minute for a window that is really open."""
    import os
    import time

    mark = ws.data_dir / "instance.closing"
    mark.touch()
    old = time.time() - 600
    os.utime(mark, (old, old))
    waited: list[int] = []
    started = time.monotonic()
    with pytest.raises(InstanceLockedError):
        open_workspace(ws.data_dir, wait_if_closing=10, waiting=lambda: waited.append(1))
    assert waited == [] and time.monotonic() - started < 1


def test_the_lock_let_go_just_as_the_mark_goes_is_taken_not_refused(ws, monkeypatch):
    """The closing window lets go of the lock and then deletes its mark: an opening that saw
    the lock held and then no mark tries the lock once more instead of refusing."""
    import models.store.workspace as workspace

    ws.announce_closing()
    real = workspace._closing
    calls: list[bool] = []

    def closing(data_dir):
        if calls:  # the second look: in between, the window let go of the lock and deleted its mark
            ws.release_lock()
        calls.append(True)
        return real(data_dir)

    monkeypatch.setattr(workspace, "_closing", closing)
    again = open_workspace(ws.data_dir, wait_if_closing=10)
    again.close()
    assert len(calls) == 2


def test_a_restore_run_while_the_window_is_closing_waits_then_does_its_own_checks(ws, tmp_path):
    import threading

    import main as entry_point
    from cli_helpers import run_cli

    entry_point.build_parser()
    ws.announce_closing()
    threading.Timer(0.5, ws.release_lock).start()
    done = run_cli("--data-dir", ws.data_dir, "restore", tmp_path / "no-such-backup")
    assert "上一个程序窗口正在关闭" in done.stderr
    assert "正被另一个程序窗口使用" not in done.stderr and done.returncode != 0  # it got the folder, then refused the source
