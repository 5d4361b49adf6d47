"""Faults of the machine get a clear Chinese message and leave the data as it was.

Tests run as root, where ``chmod`` does not stop writes, so a read-only folder is
simulated the two ways the program can meet it: ``os.access`` saying "not writable"
(checked before the folder is opened) and SQLite refusing to write (a connection
opened with ``mode=ro``, exactly what a read-only medium gives). A full disk is
simulated by raising ``OSError(ENOSPC)`` from the copy routines, and inside SQLite by
``PRAGMA max_page_count`` (SQLite then reports "database or disk is full").
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from models.safety import backup as backup_mod
from models.safety.backup import backup_now, list_backups
from models.core.errors import AppError, InstanceLockedError
from models.store.faults import DISK_FULL, LOCKED, READONLY, GuardedConnection
from models.store.workspace import open_workspace
from cli_helpers import run_cli
from models.store.connection import sqlite_uri
from safety_helpers import add_entries, filled, fingerprint, tree

ROOT = Path(__file__).resolve().parent.parent


def run_main(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    script = f"import sys; sys.argv = ['main.py', *{list(args)!r}]\n{prelude}\nimport main; sys.exit(main.main())"
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


# ---------------------------------------------------------------- read-only folder


def test_read_only_data_folder_is_refused_with_a_message(ws, monkeypatch):
    ws.close()
    real = __import__("os").access
    monkeypatch.setattr("os.access", lambda p, mode, **kw: False if mode & 2 else real(p, mode, **kw))
    with pytest.raises(AppError, match="只读"):
        open_workspace(ws.data_dir)


def test_read_only_data_folder_cli_prints_message_not_traceback(ws, monkeypatch):
    ws.close()
    real = __import__("os").access
    monkeypatch.setattr("os.access", lambda p, mode, **kw: False if mode & 2 else real(p, mode, **kw))
    reading = run_cli("--data-dir", str(ws.data_dir), "settings")
    assert reading.returncode == 0 and "南大街街道" in reading.stdout, reading.stderr  # reading still works
    for command in (["backup"], ["restore", "x"], ["archive", "import", "x.zip"], ["entry", "delete", "1"]):
        result = run_cli("--data-dir", str(ws.data_dir), *command)
        assert result.returncode != 0
        assert "只读" in result.stderr and "Traceback" not in result.stderr, (command, result.stderr)


def test_write_to_read_only_database_explains_and_saves_nothing(ws):
    add_entries(ws, 2)
    before = fingerprint(ws.data_dir)
    uri = sqlite_uri(ws.db_path)
    ro = sqlite_utils.Database(sqlite3.connect(uri, uri=True, factory=GuardedConnection))
    ws.db, writable = ro, ws.db
    try:
        with pytest.raises(AppError) as info:
            add_entries(ws, 1, start=9)
        assert str(info.value).startswith(READONLY) and "未保存" in str(info.value)
    finally:
        ws.db = writable
        ro.close()
    assert fingerprint(ws.data_dir) == before


def test_backup_into_read_only_folder_explains(ws, tmp_path, monkeypatch):
    target = tmp_path / "readonly-usb"

    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(AppError, match="只读的或没有写入权限"):
        backup_now(ws.data_dir, to=target)
    assert not target.exists()


# ---------------------------------------------------------------- disk full


def test_disk_full_inside_sqlite_explains_and_saves_nothing(ws):
    add_entries(ws, 3)
    before = fingerprint(ws.data_dir)
    pages = ws.db.execute("PRAGMA page_count").fetchone()[0]
    ws.db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(AppError) as info:
        add_entries(ws, 60, start=10)
    assert DISK_FULL in str(info.value)
    ws.db.execute("PRAGMA max_page_count = 1073741823")
    assert len(fingerprint(ws.data_dir)["entries"]) >= 3
    assert fingerprint(ws.data_dir)["entries"][:3] == before["entries"]


def test_disk_full_while_copying_evidence_keeps_no_half_backup(ws, tmp_path, monkeypatch):
    filled(ws, tmp_path)
    good = backup_now(ws.data_dir).info
    backups_before = tree(ws.data_dir / "backups")
    data_before = fingerprint(ws.data_dir)
    add_entries(ws, 1, start=40)
    from safety_helpers import attach_photo

    attach_photo(ws, 1, tmp_path / "more", color=(9, 9, 9))  # a new file must be copied: the disk is full

    def full(source, target, sha):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_mod, "copy_verified", full)
    with pytest.raises(AppError, match="磁盘空间不足"):
        backup_now(ws.data_dir)
    assert tree(ws.data_dir / "backups") == backups_before
    assert list_backups(ws.data_dir) == [good]
    assert fingerprint(ws.data_dir)["hashes"].items() >= data_before["hashes"].items()


# ---------------------------------------------------------------- locked database


def test_database_locked_by_another_program_explains_and_saves_nothing(ws):
    add_entries(ws, 2)
    before = fingerprint(ws.data_dir)
    other = sqlite3.connect(ws.db_path)  # e.g. a sync tool or a DB browser
    other.execute("BEGIN EXCLUSIVE")
    ws.db.execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(AppError) as info:
            add_entries(ws, 1, start=9)
        assert str(info.value).startswith(LOCKED)
        assert isinstance(info.value, sqlite3.OperationalError)  # code handling SQLite errors still works
    finally:
        other.rollback()
        other.close()
    assert fingerprint(ws.data_dir) == before
    add_entries(ws, 1, start=9)  # and once released, work goes on


def test_open_refuses_a_database_locked_at_start(data_dir, monkeypatch):
    ws = open_workspace(data_dir)
    ws.close()
    other = sqlite3.connect(data_dir / "ledger.db")
    other.execute("PRAGMA journal_mode = DELETE")
    other.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr("models.store.connection._configure", _quick_configure)
    try:
        with pytest.raises(AppError, match="占用"):
            open_workspace(data_dir)
    finally:
        other.rollback()
        other.close()


def _quick_configure(conn):
    conn.execute("PRAGMA busy_timeout = 50")
    conn.execute("PRAGMA journal_mode = WAL")


# ---------------------------------------------------------------- second instance


def test_second_instance_is_refused_with_a_message(ws):
    with pytest.raises(InstanceLockedError, match="另一个程序窗口"):
        open_workspace(ws.data_dir)
    result = run_main("--data-dir", str(ws.data_dir), "backup")
    assert result.returncode != 0 and "另一个程序窗口" in result.stderr and "Traceback" not in result.stderr
    result = run_main("--data-dir", str(ws.data_dir), "restore", "whatever")
    assert result.returncode != 0 and "另一个程序窗口" in result.stderr


def test_second_gui_instance_shows_message(ws, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.app import open_or_explain

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    assert open_or_explain(ws.data_dir) is None
    assert shown and "另一个程序窗口" in shown[0]


@pytest.mark.skipif(sys.platform == "win32", reason="Windows ignores a folder's read-only flag (chmod 0o555 sets "
                    "only that flag); test_read_only_attribute_on_the_ledger_file_gives_a_message is the counterpart")
def test_chmod_read_only_folder_gives_a_message_even_as_root(ws, tmp_path):
    filled(ws, tmp_path, photos=1)
    ws.close()
    before = fingerprint(ws.data_dir)
    mode = ws.data_dir.stat().st_mode
    ws.data_dir.chmod(0o555)
    try:
        with pytest.raises(AppError, match="只读"):
            open_workspace(ws.data_dir)
        for command in (["backup"], ["restore", "x"]):
            result = run_cli("--data-dir", str(ws.data_dir), *command)
            assert result.returncode != 0 and "只读" in result.stderr and "Traceback" not in result.stderr
        check_run = run_cli("--data-dir", str(ws.data_dir), "check")  # reading is still allowed
        assert check_run.returncode == 0, check_run.stdout + check_run.stderr
    finally:
        ws.data_dir.chmod(mode)
    assert fingerprint(ws.data_dir) == before


def test_read_only_attribute_on_the_ledger_file_gives_a_message(ws, tmp_path):
    """The Windows counterpart of the chmod'ed folder, and it runs everywhere: os.chmod(S_IREAD)
    sets the file's read-only attribute on Windows and mode 0400 on POSIX."""
    filled(ws, tmp_path, photos=1)
    ws.close()
    before = fingerprint(ws.data_dir)
    os.chmod(ws.db_path, stat.S_IREAD)
    try:
        with pytest.raises(AppError, match="只读"):
            open_workspace(ws.data_dir)
        for command in (["backup"],):
            result = run_main("--data-dir", str(ws.data_dir), *command)
            assert result.returncode != 0 and "只读" in result.stderr and "Traceback" not in result.stderr
        reading = run_main("--data-dir", str(ws.data_dir), "settings")
        assert reading.returncode == 0 and "Traceback" not in reading.stderr, reading.stderr  # reading still works
        check_run = run_main("--data-dir", str(ws.data_dir), "check")  # reading is still allowed
        assert check_run.returncode == 0, check_run.stdout + check_run.stderr
    finally:
        os.chmod(ws.db_path, stat.S_IREAD | stat.S_IWRITE)  # else Windows cannot delete tmp_path
    assert fingerprint(ws.data_dir) == before


@pytest.mark.skipif(sys.platform != "win32", reason="POSIX lets a rename replace a file another program has open; "
                    "tests/test_fileio.py simulates the Windows refusal everywhere")
def test_report_file_held_open_is_named_in_use_on_windows(tmp_path, monkeypatch):
    from models.core import fileio as fileio
    from models.core.fileio import FileInUseError
    from models.reporting.files import atomic_write

    monkeypatch.setattr(fileio, "RETRY_SECONDS", 0.3)
    target = tmp_path / "南大街街道_2023年6月_月度台账.xlsx"
    target.write_bytes(b"last month")
    with open(target, "rb"):  # as Excel holds an open workbook: no FILE_SHARE_DELETE
        with pytest.raises(FileInUseError, match="文件被其他程序占用"):
            atomic_write(target, lambda tmp: tmp.write_bytes(b"this month"))
    assert target.read_bytes() == b"last month"
    atomic_write(target, lambda tmp: tmp.write_bytes(b"this month"))  # closed: the export goes through
    assert target.read_bytes() == b"this month"


def test_backup_while_another_program_locks_the_database_explains(ws, monkeypatch):
    add_entries(ws, 2)
    ws.close()
    monkeypatch.setattr(backup_mod, "BUSY_TIMEOUT_MS", 100)
    other = sqlite3.connect(ws.db_path)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(AppError) as info:
            backup_mod.create_snapshot(ws.data_dir)
        assert "占用" in str(info.value) and "备份失败" in str(info.value)
    finally:
        other.rollback()
        other.close()
    assert list_backups(ws.data_dir) == []
    assert not list((ws.data_dir / "backups").glob(".tmp-*"))


def test_restore_while_another_program_locks_the_database_explains(ws, monkeypatch):
    from models.safety.restore import restore_backup

    add_entries(ws, 2)
    info = backup_now(ws.data_dir).info
    add_entries(ws, 2, start=20)
    before = fingerprint(ws.data_dir)
    monkeypatch.setattr(backup_mod, "BUSY_TIMEOUT_MS", 100)
    other = sqlite3.connect(ws.db_path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(AppError) as info_exc:
            restore_backup(ws.data_dir, info.path, db=ws.db)
        assert "恢复失败" in str(info_exc.value) and "占用" in str(info_exc.value)
    finally:
        other.rollback()
        other.close()
    assert fingerprint(ws.data_dir) == before
