"""Integrity: quick check at start, full check of database and every evidence file, CLI."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from models.safety.backup import backup_now, list_backups
from models.safety.integrity import DatabaseDamagedError, check, connect_readonly, ensure_intact, quick_check
from models.store.connection import sqlite_uri
from models.safety.restore import newest_good_backup
import pytest
import sqlite3
import sys
from safety_helpers import filled, fingerprint
from cli_helpers import Completed, run_cli

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> Completed:
    return run_cli(*args)


def damage_page(db_path: Path, page: int = 3) -> None:
    raw = bytearray(db_path.read_bytes())
    for i in range(4096 * (page - 1) + 8, 4096 * (page - 1) + 200):
        raw[i] ^= 0x5A
    db_path.write_bytes(bytes(raw))


def test_intact_ledger_passes(ws, tmp_path):
    filled(ws, tmp_path)
    assert quick_check(ws.db_path) == [] and check(ws.data_dir) == []
    ensure_intact(ws.data_dir)


def test_missing_and_altered_evidence_are_named_in_chinese(ws, tmp_path):
    filled(ws, tmp_path, photos=3)
    files = sorted((ws.data_dir / "evidence").rglob("*.png"))
    files[0].unlink()
    files[1].write_bytes(files[1].read_bytes()[:-1] + b"\0")
    problems = check(ws.data_dir)
    assert len(problems) == 2
    assert any("缺失" in p and files[0].name in p for p in problems)
    assert any("哈希值不符" in p and files[1].name in p for p in problems)


def test_damaged_database_is_found_by_quick_check(ws, tmp_path):
    filled(ws, tmp_path, entries=40, photos=0)
    ws.close()
    damage_page(ws.db_path)
    problems = quick_check(ws.db_path)
    assert problems and all("损坏" in p or "无法" in p for p in problems)
    with pytest.raises(DatabaseDamagedError, match="已损坏") as info:
        ensure_intact(ws.data_dir)
    assert info.value.problems == problems
    assert check(ws.data_dir)


def test_header_damage_is_reported_not_raised(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "ledger.db").write_bytes(b"this is no database" * 300)
    problems = check(data_dir)
    assert problems and "无法" in problems[0]


def test_cli_check_and_restore_of_a_damaged_database(ws, tmp_path):
    filled(ws, tmp_path, entries=40, photos=2)
    good = fingerprint(ws.data_dir)
    info = backup_now(ws.data_dir).info
    ws.close()
    data = str(ws.data_dir)
    ok = cli("--data-dir", data, "check")
    assert ok.returncode == 0 and "检查通过" in ok.stdout

    damage_page(ws.db_path)
    bad = cli("--data-dir", data, "check")
    assert bad.returncode != 0 and "损坏" in bad.stdout and "Traceback" not in bad.stderr

    assert newest_good_backup(list_backups(ws.data_dir)) == info
    restored = cli("--data-dir", data, "restore", str(info.path))
    assert restored.returncode == 0, restored.stderr
    assert "40 条台账" in restored.stdout and "恢复前的数据已保存在" in restored.stdout
    assert cli("--data-dir", data, "check").returncode == 0
    assert fingerprint(ws.data_dir) == good
    # the damaged file was kept aside, not thrown away
    aside = [p for p in (ws.data_dir / "backups").iterdir() if p.name.startswith("damaged-")]
    assert len(aside) == 1 and (aside[0] / "ledger.db").exists()


def test_cli_check_reports_missing_evidence_with_exit_code(ws, tmp_path):
    filled(ws, tmp_path, photos=1)
    ws.close()
    next((ws.data_dir / "evidence").rglob("*.png")).unlink()
    result = cli("--data-dir", str(ws.data_dir), "check")
    assert result.returncode == 1 and "佐证文件缺失" in result.stdout


# ---------------------------------------------------------------- start-up in the GUI


def _click(text: str):
    def fake_exec(box):
        shown.append(box.text() + "\n" + box.informativeText() + "\n" + box.detailedText())
        buttons = [b for b in box.buttons() if b.text() == text]
        if buttons:
            buttons[0].click()
        return 0

    shown: list[str] = []
    return fake_exec, shown


def test_gui_start_on_damaged_database_offers_newest_good_backup(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=1)
    good = fingerprint(ws.data_dir)
    backup_now(ws.data_dir)
    ws.close()
    damage_page(ws.db_path)
    damaged = ws.db_path.read_bytes()
    fake_exec, shown = _click("从该备份恢复")
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text, *a: told.append(text)))
    assert startup_check(ws.data_dir) is True
    assert "已损坏" in shown[0] and "40 条台账" in shown[0] and "是否从该备份恢复" in shown[0]
    assert told and "已从备份恢复 40 条台账" in told[0]
    assert fingerprint(ws.data_dir) == good and check(ws.data_dir) == []
    aside = next(p for p in (ws.data_dir / "backups").iterdir() if p.name.startswith("damaged-"))
    assert (aside / "ledger.db").read_bytes() == damaged  # kept, byte for byte


def test_gui_start_on_damaged_database_without_backup_changes_nothing(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=0)
    ws.close()
    damage_page(ws.db_path)
    damaged = ws.db_path.read_bytes()
    fake_exec, shown = _click("退出")
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert startup_check(ws.data_dir) is False
    assert "没有找到可用的备份" in shown[0]
    assert ws.db_path.read_bytes() == damaged


def test_gui_start_on_damaged_database_can_restore_from_a_usb_backup(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=1)
    good = fingerprint(ws.data_dir)
    usb = tmp_path / "usb"
    backup_now(ws.data_dir, to=usb)
    ws.close()
    damage_page(ws.db_path)
    fake_exec, shown = _click("选择其他备份文件夹…")
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a: None))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(usb)))
    assert startup_check(ws.data_dir) is True
    assert fingerprint(ws.data_dir) == good


def test_gui_start_declining_the_restore_changes_nothing(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=0)
    backup_now(ws.data_dir)
    ws.close()
    damage_page(ws.db_path)
    damaged = ws.db_path.read_bytes()
    fake_exec, shown = _click("退出")
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert startup_check(ws.data_dir) is False
    assert ws.db_path.read_bytes() == damaged


# --- SQLite URIs for the paths Windows takes (built on Linux from Windows-style paths) ---

@pytest.mark.parametrize(("path", "uri"), [
    (PureWindowsPath(r"\\server\share\x.db"), "file:////server/share/x.db?mode=ro"),
    (PureWindowsPath(r"\\nas01\台账备份\南大街街道\ledger.db"), "file:////nas01/台账备份/南大街街道/ledger.db?mode=ro"),
    (PureWindowsPath(r"Z:\备份\a.db"), "file:///Z:/备份/a.db?mode=ro"),
    (PureWindowsPath(r"C:\Users\张三\AppData\Local\ZhonglouWasteLedger\ledger.db"),
     "file:///C:/Users/张三/AppData/Local/ZhonglouWasteLedger/ledger.db?mode=ro"),
    (PureWindowsPath(r"D:\My Backups\#1 100%\what?.db"), "file:///D:/My Backups/%231 100%25/what%3F.db?mode=ro"),
    (PureWindowsPath(r"\\?\C:\very\long\ledger.db"), "file:///C:/very/long/ledger.db?mode=ro"),
    (PureWindowsPath(r"\\?\UNC\server\share\ledger.db"), "file:////server/share/ledger.db?mode=ro"),
    (PureWindowsPath(r"backups\ledger.db"), "file:backups/ledger.db?mode=ro"),
    (PurePosixPath("/media/usb/备份 #2/ledger.db"), "file:///media/usb/备份 %232/ledger.db?mode=ro"),
])
def test_sqlite_uri_for_windows_and_posix_paths(path, uri):
    assert sqlite_uri(path) == uri


def test_sqlite_uri_takes_strings_and_other_modes():
    assert sqlite_uri("/tmp/a.db", mode="rw") == "file:///tmp/a.db?mode=rw"
    assert sqlite_uri("/tmp/a.db", mode=None) == "file:///tmp/a.db"
    with pytest.raises(ValueError):
        sqlite_uri(PureWindowsPath("C:ledger.db"))  # relative to the drive's current folder


def test_pathlib_as_uri_is_what_sqlite_refuses_for_unc_paths():
    """Why sqlite_uri exists: as_uri() puts the server in the authority, which SQLite rejects."""
    assert PureWindowsPath(r"\\server\share\x.db").as_uri() == "file://server/share/x.db"
    with pytest.raises(sqlite3.OperationalError, match="authority"):
        sqlite3.connect("file://server/share/x.db?mode=ro", uri=True)


@pytest.mark.skipif(sys.platform == "win32", reason="'//' is an ordinary root only on POSIX")
def test_sqlite_opens_the_unc_shaped_uri_with_an_empty_authority(tmp_path):
    """file:////… parses (empty authority, path '//…'); POSIX treats '//tmp' as '/tmp'."""
    db = tmp_path / "x.db"
    sqlite3.connect(db).execute("CREATE TABLE t (a)").connection.commit()
    uri = sqlite_uri(PurePosixPath("/" + db.as_posix()))
    assert uri.startswith("file:////")
    conn = sqlite3.connect(uri, uri=True)
    try:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    finally:
        conn.close()


def test_connect_readonly_on_a_folder_with_uri_characters_and_no_resolve(ws, tmp_path, monkeypatch):
    name = "备份 #1 100%" + ("" if sys.platform == "win32" else " 可以?")  # '?' is no Windows file name character
    odd = tmp_path / name / "ledger.db"
    odd.parent.mkdir()
    ws.close()
    odd.write_bytes(ws.db_path.read_bytes())
    monkeypatch.chdir(odd.parent.parent)

    def no_resolve(self, strict=False):
        raise AssertionError("resolve() turns a mapped drive into a UNC path on Windows")

    monkeypatch.setattr(Path, "resolve", no_resolve)
    conn = connect_readonly(Path(odd.parent.name) / "ledger.db")  # relative: made absolute, not resolved
    try:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        with pytest.raises(sqlite3.OperationalError, match="只读"):  # explained in Chinese by GuardedConnection
            conn.execute("CREATE TABLE nope (a)")
    finally:
        conn.close()
    assert quick_check(odd) == []


# ---------------------------------------------------------------- the check gives way to the window


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux thread nice values")
def test_the_start_up_check_runs_below_the_windows_priority_and_still_decides(ws):
    """On a busy or single-core PC the check must not take turns with drawing the window:
    its thread is niced (the window's stays as it was), and the verdict is the same."""
    import os
    import threading

    from models.safety.integrity import CHECK_NICE, PendingCheck, yield_to_the_window

    seen: list[int] = []

    def lowered() -> None:
        yield_to_the_window()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    worker = threading.Thread(target=lowered)
    worker.start()
    worker.join()
    assert seen == [max(before, CHECK_NICE)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # this thread untouched
    ws.close()
    PendingCheck(ws.data_dir).verdict()  # an intact ledger still passes
    damage_page(ws.data_dir / "ledger.db")
    with pytest.raises(DatabaseDamagedError):
        PendingCheck(ws.data_dir).verdict()


def test_on_windows_the_check_asks_for_a_below_normal_thread_priority(monkeypatch):
    """Only a Windows PC can show the effect; here: the call it makes (a refusal is ignored)."""
    import ctypes

    from models.safety import integrity

    calls: list[tuple] = []

    class Kernel32:
        @staticmethod
        def GetCurrentThread():  # noqa: N802 - the Win32 name
            return "this-thread"

        @staticmethod
        def SetThreadPriority(handle, priority):  # noqa: N802 - the Win32 name
            calls.append((handle, priority))
            return 1

    class WinDLL:
        kernel32 = Kernel32

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", WinDLL, raising=False)
    integrity.yield_to_the_window()
    assert calls == [("this-thread", integrity.THREAD_PRIORITY_BELOW_NORMAL)]
    monkeypatch.delattr(ctypes, "windll")
    integrity.yield_to_the_window()  # no windll at all: nothing raised
