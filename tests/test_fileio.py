"""Renames into place on Windows: retried while another program holds the file, then
"文件被其他程序占用" rather than "read-only".

Linux never reports winerror, so the Windows errors are simulated: os.replace is replaced by
one raising PermissionError with ``winerror`` 32 (ERROR_SHARING_VIOLATION) or 5
(ERROR_ACCESS_DENIED), as Python on Windows raises them.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from models.core import fileio as fileio
from models.safety.backup import backup_now, list_backups
from models.core.errors import AppError
from models.core.fileio import FileInUseError, replace_with_retry
from models.reporting.files import atomic_write

REAL_REPLACE = os.replace


def windows_error(winerror: int, path: str = "") -> PermissionError:
    exc = PermissionError(errno.EACCES, "另一个程序正在使用此文件，进程无法访问。", path)
    exc.winerror = winerror  # type: ignore[attr-defined]  (set by Python on Windows)
    return exc


class HeldFile:
    """os.replace failing with ``winerror`` the first ``times`` calls (None: always) whose
    target matches ``where``."""

    def __init__(self, winerror: int = 32, times: int | None = None, where: str = ""):
        self.winerror, self.times, self.where, self.failed = winerror, times, where, 0

    def __call__(self, source, target) -> None:
        if self.where in str(target) and (self.times is None or self.failed < self.times):
            self.failed += 1
            raise windows_error(self.winerror, str(target))
        REAL_REPLACE(source, target)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    source, target = tmp_path / "new.part", tmp_path / "report.xlsx"
    source.write_text("new", encoding="utf-8")
    target.write_text("old", encoding="utf-8")
    return source, target


def test_a_brief_hold_is_waited_out(files, monkeypatch):
    source, target = files
    held = HeldFile(32, times=3)
    monkeypatch.setattr(os, "replace", held)
    slept: list[float] = []
    replace_with_retry(source, target, sleep=slept.append)
    assert target.read_text(encoding="utf-8") == "new" and not source.exists()
    assert held.failed == 3 and len(slept) == 3 and all(0 < s <= 0.25 for s in slept)


@pytest.mark.parametrize("winerror", [32, 5])
def test_a_lasting_hold_is_reported_as_in_use_after_about_two_seconds(files, monkeypatch, winerror):
    source, target = files
    monkeypatch.setattr(os, "replace", HeldFile(winerror))
    slept: list[float] = []
    with pytest.raises(FileInUseError) as info:
        replace_with_retry(source, target, sleep=slept.append)
    assert "文件被其他程序占用" in str(info.value) and str(target) in str(info.value)
    assert "只读" not in str(info.value)
    assert isinstance(info.value, AppError) and isinstance(info.value, PermissionError)
    assert 1.5 <= sum(slept) <= fileio.RETRY_SECONDS
    assert source.exists() and target.read_text(encoding="utf-8") == "old"  # nothing half-done


def test_access_denied_in_a_folder_where_nothing_can_be_made_stays_a_permission_error(files, monkeypatch):
    source, target = files
    monkeypatch.setattr(os, "replace", HeldFile(5))
    monkeypatch.setattr(fileio, "_folder_is_writable", lambda folder: False)
    with pytest.raises(PermissionError) as info:
        replace_with_retry(source, target, sleep=lambda s: None)
    assert not isinstance(info.value, FileInUseError)  # callers explain it as a read-only folder


@pytest.mark.parametrize("exc", [PermissionError(errno.EACCES, "Permission denied"),
                                 OSError(errno.EXDEV, "Invalid cross-device link"),
                                 FileNotFoundError(errno.ENOENT, "No such file")])
def test_other_errors_are_raised_at_once(files, monkeypatch, exc):
    source, target = files

    def fail(src, dst):
        raise exc

    monkeypatch.setattr(os, "replace", fail)
    slept: list[float] = []
    with pytest.raises(type(exc)):
        replace_with_retry(source, target, sleep=slept.append)
    assert slept == []


def test_report_file_held_open_by_excel_is_named_in_use(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(os, "replace", HeldFile(32, where="月度台账"))
    target = tmp_path / "南大街街道_2023年6月_月度台账.xlsx"
    with pytest.raises(FileInUseError, match="文件被其他程序占用"):
        atomic_write(target, lambda tmp: tmp.write_bytes(b"xlsx"))
    assert not target.exists() and list(tmp_path.iterdir()) == []  # the temp file is gone too


def test_backup_rename_held_by_a_scanner_is_not_called_read_only(ws, monkeypatch):
    monkeypatch.setattr(fileio, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(os, "replace", HeldFile(5, where="backups"))
    with pytest.raises(AppError) as info:
        backup_now(ws.data_dir)
    assert "文件被其他程序占用" in str(info.value) and "只读" not in str(info.value)
    assert list_backups(ws.data_dir) == []


def test_backup_succeeds_when_the_scanner_lets_go(ws, monkeypatch):
    monkeypatch.setattr(os, "replace", HeldFile(32, times=2, where="backups"))
    backup_now(ws.data_dir)
    assert len(list_backups(ws.data_dir)) == 1


def test_a_thumbnail_another_thread_holds_open_is_used_as_it_is(ws, tmp_path, monkeypatch):
    from PIL import Image

    from models.ledger.evidence import thumbnail_path
    from safety_helpers import add_entries, attach_photo

    attach_photo(ws, add_entries(ws, 1)[0], tmp_path / "src", color=(10, 20, 30))
    stored = ws.db.execute("SELECT stored_path FROM evidence_files").fetchone()[0]
    made = thumbnail_path(ws.data_dir, stored)
    before = made.read_bytes()
    made.unlink()
    real_open = Image.open

    def slow_open(*args, **kwargs):  # the other thread finishes first and keeps the file open
        made.write_bytes(before)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", slow_open)
    monkeypatch.setattr(os, "replace", HeldFile(32, where="thumbnails"))
    monkeypatch.setattr(fileio, "RETRY_SECONDS", 0.05)
    assert thumbnail_path(ws.data_dir, stored) == made and made.read_bytes() == before
    assert not list(made.parent.glob(".part-*"))


def test_the_start_removes_part_files_of_killed_copies_and_nothing_else(tmp_path):
    """``clean_leftovers`` (every start, under the instance lock): ``.part-*`` files in the
    evidence, thumbnail and backup-pool folders and their subfolders go; real files, folders
    named like a part and whatever a symlinked folder points to stay."""
    from models.safety.leftovers import clean_leftovers

    data = tmp_path / "data"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".part-keep").write_bytes(b"not ours")
    parts, kept = [], []
    for folder in ("evidence", "evidence/ab", "thumbnails", "backups/evidence", "backups/evidence/cd"):
        (data / folder).mkdir(parents=True, exist_ok=True)
        parts.append(data / folder / ".part-123abc")
        kept.append(data / folder / "ab12cd.jpg")
    for path in parts + kept:
        path.write_bytes(b"x")
    (data / "evidence" / ".part-dir").mkdir()  # a folder with a part's name is not a part
    os.symlink(outside, data / "evidence" / "ef", target_is_directory=True)
    clean_leftovers(data)
    assert [p for p in parts if p.exists()] == []
    assert all(p.is_file() for p in kept)
    assert (data / "evidence" / ".part-dir").is_dir() and (outside / ".part-keep").is_file()
    clean_leftovers(tmp_path / "no-such-folder")  # nothing there: nothing raised
