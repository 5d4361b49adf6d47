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
