"""Damage inside records (deliver 6) and faults called by their names (deliver 7, 9)."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from PIL import Image

from adv_helpers import assert_clear_refusal, fingerprint, ledger, run_cli, tree  # noqa: F401
from models.core.errors import AppError, ValidationError
from models.core.text import clean_display_name
from models.ledger import evidence as evidence_mod
from models.reporting import export as export_mod
from models.reporting import photos as photos_mod
from models.safety.backup import BackupRefusedError, backup_now, list_backups
from models.store.faults import DISK_FULL, READONLY, sqlite_fault_message
from models.store.workspace import open_workspace

POSIX = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")
ADD = ["entry", "add", "--task", "6", "--date", "2023-06-02", "--type", "入户宣传", "--title", "新的一条",
       "--measure", "households_reached=5"]


def _garble(ledger: Path, entry_id: int = 2) -> None:
    conn = sqlite3.connect(ledger / "ledger.db")
    conn.execute("UPDATE entries SET title = CAST(X'E585A5FF80E688B7' AS TEXT) WHERE id = ?", [entry_id])
    conn.commit()
    conn.close()


def test_check_reads_every_row_and_names_the_bad_one(ledger):
    _garble(ledger)
    code, out, err = run_cli(ledger, "check")
    assert code == 1 and "entries" in out and "编号 2" in out, out + err


def test_check_names_a_row_whose_json_the_program_cannot_read(ledger):
    conn = sqlite3.connect(ledger / "ledger.db")
    row_id = conn.execute("SELECT MIN(id) FROM audit_log").fetchone()[0]
    conn.execute("UPDATE audit_log SET before = '{cut off' WHERE id = ?", [row_id])
    conn.commit()
    conn.close()
    code, out, err = run_cli(ledger, "check")
    assert code == 1 and f"audit_log 中编号 {row_id}" in out, out + err


def test_pages_and_commands_show_the_damaged_row_and_go_on(ledger):
    _garble(ledger)
    code, out, err = run_cli(ledger, "entry", "list")
    assert code == 0, err
    assert "\ufffd" in out and out.count("入户宣传第") == 4  # the other four, intact; the bad one marked


def test_a_backup_of_a_garbled_database_is_not_kept(ledger):
    _garble(ledger)
    kept = len(list_backups(ledger))
    with pytest.raises(BackupRefusedError, match="编号 2"):
        backup_now(ledger, kind="manual")
    assert len(list_backups(ledger)) == kept
    assert not list((ledger / "backups").glob(".tmp-*"))
    code, out, err = run_cli(ledger, "archive", "export", str(ledger.parent / "move.zip"))
    assert_clear_refusal(code, err, expect="编号 2")  # nor is it packed for another PC
    assert not list(ledger.parent.glob("move.zip*"))


# ---------------------------------------------------------------- evidence that is not a file


def _attach(ledger: Path, source: Path) -> tuple[int, str]:
    code, out, err = run_cli(ledger, "entry", "attach", "1", str(source))
    return code, err


@POSIX
@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "folder", "symlink_to_device"])
def test_devices_pipes_and_folders_are_refused_by_name(ledger, tmp_path, kind):
    if kind == "dev_zero":
        source = Path("/dev/zero")
        expect = "设备"
    elif kind == "fifo":
        source = tmp_path / "管道.jpg"
        os.mkfifo(source)
        expect = "管道"
    elif kind == "folder":
        source = tmp_path / "目录.pdf"
        source.mkdir()
        expect = "文件夹"
    else:
        source = tmp_path / "看起来像照片.jpg"
        source.symlink_to("/dev/zero")
        expect = "设备"
    before = fingerprint(ledger)
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(r=_attach(ledger, source)), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "attaching a pipe or device must not wait for ever"
    code, err = result["r"]
    assert_clear_refusal(code, err, expect=expect)
    assert "找不到" not in err
    assert fingerprint(ledger) == before


@POSIX
@pytest.mark.parametrize("command", ["restore", "archive import", "import"])
def test_a_pipe_or_device_given_to_other_commands_is_refused_by_name(ledger, tmp_path, command):
    fifo = tmp_path / "管道.zip"
    os.mkfifo(fifo)
    before = fingerprint(ledger)
    for source in (fifo, Path("/dev/zero")):
        result: dict = {}
        worker = threading.Thread(target=lambda: result.update(r=run_cli(ledger, *command.split(), str(source))),
                                  daemon=True)
        worker.start()
        worker.join(10)
        assert not worker.is_alive(), f"{command} {source} waits for ever"
        code, out, err = result["r"]
        assert_clear_refusal(code, err)
    assert fingerprint(ledger) == before


def test_a_source_that_changes_during_the_copy_is_refused(ledger, tmp_path, monkeypatch):
    source = tmp_path / "正在保存.png"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(source)
    real_open = Path.open

    def shrinking_open(self, mode="r", *args, **kwargs):
        handle = real_open(self, mode, *args, **kwargs)
        if self == source and "b" in mode:
            with real_open(source, "r+b") as fh:  # another program truncates it while we copy
                fh.truncate(source.stat().st_size // 2)
        return handle

    ws = open_workspace(ledger)
    try:
        before = fingerprint(ledger)
        monkeypatch.setattr(evidence_mod.Path, "open", shrinking_open)
        with pytest.raises(AppError, match="改动"):
            evidence_mod.store_file(ledger, source)
        monkeypatch.undo()
        assert fingerprint(ledger) == before
        assert not list((ledger / "evidence").rglob(".part-*"))
    finally:
        ws.close()


def test_stored_size_and_hash_are_those_of_the_bytes_copied(ledger, tmp_path):
    source = tmp_path / "照片.png"
    Image.new("RGB", (64, 48), (9, 8, 7)).save(source)
    stored = evidence_mod.store_file(ledger, source)
    copy = ledger / stored.stored_path
    assert stored.size == copy.stat().st_size
    import hashlib
    assert stored.sha256 == hashlib.sha256(copy.read_bytes()).hexdigest()


def test_display_names_are_cleaned(ledger, tmp_path):
    name = "会议\n纪要\u202egpj.exe\u200b\x1b[31m.png"
    assert clean_display_name(name) == "会议 纪要gpj.exe[31m.png"
    source = tmp_path / name
    Image.new("RGB", (8, 8), (5, 5, 5)).save(source, "PNG")
    code, err = _attach(ledger, source)
    assert code == 0, err
    code, out, err = run_cli(ledger, "entry", "show", "1", "--json")
    assert "\u202e" not in out and "会议 纪要" in out


# ---------------------------------------------------------------- disk full, read-only


def test_sqlite_disk_full_is_called_by_its_name(ledger):
    ws = open_workspace(ledger)
    try:
        before = fingerprint(ledger)
        count = ws.db.execute("PRAGMA page_count").fetchone()[0]
        ws.db.execute(f"PRAGMA max_page_count = {count}")
        with pytest.raises(AppError) as info:
            with ws.db.atomic():
                for n in range(200):
                    ws.db.execute("INSERT INTO audit_log(at, actor, action, table_name, before) VALUES ('x', 'x', 'x', 'x', ?)",
                                  ["x" * 4000])
        assert str(info.value).startswith(DISK_FULL)
        assert sqlite_fault_message(info.value) == DISK_FULL
    finally:
        ws.close()
    assert fingerprint(ledger) == before


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    point = tmp_path / "small"
    point.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=3m", "tmpfs", str(point)):
        pytest.skip("cannot mount a small tmpfs here")
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_full_disk_while_attaching_is_named_and_leaves_nothing(small_disk, tmp_path):
    data = small_disk / "data"
    code, out, err = run_cli(data, "init", "--unit", "南大街街道", "--operator", "张三", "--phone", "0519-88000000",
                             "--reviewer", "李四", "--households", "12000", "--quota", "15")
    assert code == 0, err
    code, out, err = run_cli(data, *ADD)
    assert code == 0, err
    filler = small_disk / "filler"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * max(free - 600_000, 0))
    photo = tmp_path / "大照片.png"
    Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(photo)  # ~1 MB, incompressible
    before = fingerprint(data)
    code, out, err = run_cli(data, "entry", "attach", "1", str(photo))
    assert_clear_refusal(code, err, expect="磁盘空间不足")
    assert fingerprint(data) == before
    assert not [p for p in (data / "evidence").rglob("*") if p.name.startswith(".part-")]


def test_enospc_inside_the_pdf_writer_is_named_and_leaves_no_file(ledger, tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("models.reporting.pdf_writer.write_pdf", full)
    out_dir = tmp_path / "out"
    ws = open_workspace(ledger)
    try:
        before = fingerprint(ledger)
        with pytest.raises(AppError) as info:
            export_mod.export_monthly(ws, "2023-06", out_dir)
        assert "磁盘空间不足" in str(info.value) and "No space" not in str(info.value)
        assert fingerprint(ledger) == before
    finally:
        ws.close()
    assert list(out_dir.iterdir()) == []  # no report, no .part file under any name


def test_a_truncated_cached_photo_is_made_again(ledger, tmp_path):
    ws = open_workspace(ledger)
    try:
        conn = ws.db.conn
        sha, stored = conn.execute("SELECT sha256, stored_path FROM evidence_files LIMIT 1").fetchone()
        from models.reporting.assembly import Photo

        import datetime as dt

        photo = Photo(source=ledger / stored, stored_path=stored, sha256=sha, task_seq=6,
                      date=dt.date(2023, 6, 1), title="x", original_name="x.png")
        image = photos_mod.prepare_photo(ledger, photo)
        assert image.path is not None
        cached = photos_mod.cached_photo_path(ledger, photo)
        cached.write_bytes(cached.read_bytes()[: cached.stat().st_size // 2])  # a full disk under an old version
        again = photos_mod.prepare_photo(ledger, photo)
        assert again.problem in (None, "") and again.path == cached
        with Image.open(cached) as img:
            img.load()  # complete again
    finally:
        ws.close()


@pytest.fixture
def read_only_mount(ledger, tmp_path):
    view = tmp_path / "ro-view"
    view.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or not _mount("--bind", str(ledger), str(view)):
        pytest.skip("bind mounts not permitted here")
    if not _mount("-o", "remount,bind,ro", str(view)):
        subprocess.run(["umount", "-l", str(view)], capture_output=True)
        pytest.skip("read-only remount not permitted here")
    yield view
    subprocess.run(["umount", "-l", str(view)], capture_output=True)


def test_a_read_only_mount_still_reads_and_refuses_writes_by_name(read_only_mount, ledger):
    assert not (ledger / "ledger.db-shm").exists()  # as a cleanly closed ledger is: SQLite cannot make one here
    before = fingerprint(ledger)
    code, out, err = run_cli(read_only_mount, "entry", "list")
    assert code == 0 and out.count("入户宣传第") == 5, err  # reading works; not called damaged
    code, out, err = run_cli(read_only_mount, "check")
    assert "损坏" not in out, out
    for command in (ADD, ["backup"], ["restore", str(list_backups(ledger)[0].path)]):
        code, out, err = run_cli(read_only_mount, *command)
        assert_clear_refusal(code, err, expect="只读")
        assert "损坏" not in err
    assert fingerprint(ledger) == before


def test_an_unreadable_ledger_is_a_permission_not_damage(ledger, monkeypatch):
    import models.safety.integrity as integrity

    real = os.access
    monkeypatch.setattr(integrity.os, "access", lambda p, mode, **k: False if mode == os.R_OK and str(p).endswith(
        "ledger.db") else real(p, mode, **k))
    before = fingerprint(ledger)
    code, out, err = run_cli(ledger, "entry", "list")
    assert_clear_refusal(code, err, expect="权限")
    assert "损坏" not in err
    assert fingerprint(ledger) == before
