"""Restore candidates that must change nothing (deliver 1), and ledgers that will not open (2, 4)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from adv_helpers import assert_clear_refusal, copy_of_ledger, fingerprint, ledger, other_ledger, run_cli, tree  # noqa: F401
from models.core.errors import AppError
from models.safety import restore as restore_mod
from models.safety.backup import list_backups
from models.safety.restore import restore_backup


def _foreign(conn: sqlite3.Connection) -> None:
    # The case: any .db with tables named entries and evidence_files.
    conn.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, note TEXT)")
    conn.execute("CREATE TABLE evidence_files (sha256 TEXT, stored_path TEXT)")
    conn.execute("INSERT INTO entries(note) VALUES ('其他程序的数据')")


def _candidate(ledger: Path, tmp_path: Path, kind: str) -> Path:
    target = tmp_path / f"candidate-{kind}.db"
    if kind == "foreign":
        conn = sqlite3.connect(target)
        _foreign(conn)
        conn.commit()
        conn.close()
    elif kind == "garbage":
        target.write_bytes(os.urandom(8192))
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "text":
        target.write_text("这不是数据库", encoding="utf-8")
    elif kind == "extra_column":
        copy_of_ledger(ledger, target, lambda c: c.execute("ALTER TABLE entries ADD COLUMN secret TEXT"))
    elif kind == "missing_table":
        copy_of_ledger(ledger, target, lambda c: c.execute("DROP TABLE district_values"))
    elif kind == "extra_table":
        copy_of_ledger(ledger, target, lambda c: c.execute("CREATE TABLE payload (x)"))
    elif kind == "newer":
        copy_of_ledger(ledger, target, lambda c: c.execute(
            "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('zhonglou_ledger', 'm999_future', 'x')"))
    elif kind == "no_record":
        copy_of_ledger(ledger, target, lambda c: c.execute("DROP TABLE _sqlite_migrations"))
    elif kind == "garbled_row":
        copy_of_ledger(ledger, target, lambda c: c.execute(
            "UPDATE entries SET title = CAST(X'E5A4A7FF80' AS TEXT) WHERE id = 2"))
    elif kind == "bad_sha":
        copy_of_ledger(ledger, target, lambda c: c.executescript(
            "PRAGMA foreign_keys=OFF; CREATE TEMP TABLE one AS SELECT sha256 FROM evidence_files LIMIT 1;"
            " UPDATE entry_evidence SET sha256 = '../../../x' WHERE sha256 IN (SELECT sha256 FROM one);"
            " UPDATE evidence_files SET sha256 = '../../../x' WHERE sha256 IN (SELECT sha256 FROM one);"))
    elif kind == "bad_profile":
        copy_of_ledger(ledger, target, lambda c: c.execute(
            "UPDATE settings SET value = '{\"unit\": \"火星街道\", \"x\": 1}' WHERE key = 'profile'"))
    elif kind == "exe_evidence":
        copy_of_ledger(ledger, target, lambda c: c.execute(
            "UPDATE evidence_files SET ext = 'exe' WHERE rowid = (SELECT MIN(rowid) FROM evidence_files)"))
    elif kind == "bad_json":
        copy_of_ledger(ledger, target, lambda c: c.execute(
            "UPDATE audit_log SET after = '{not json' WHERE id = (SELECT MIN(id) FROM audit_log)"))
    elif kind == "trigger":
        copy_of_ledger(ledger, target, lambda c: c.execute(
            "CREATE TRIGGER wipe AFTER INSERT ON entries BEGIN DELETE FROM entries; END"))
    elif kind == "view":
        copy_of_ledger(ledger, target, lambda c: c.execute("CREATE VIEW everything AS SELECT * FROM entries"))
    elif kind == "constraint_dropped":
        copy_of_ledger(ledger, target, lambda c: c.executescript(
            "PRAGMA writable_schema = ON;"
            " UPDATE sqlite_master SET sql = replace(sql, 'CHECK (participants IS NULL OR participants >= 0)', '')"
            " WHERE name = 'entries'; PRAGMA writable_schema = OFF;"))
    else:
        raise AssertionError(kind)
    return target


KINDS = ["foreign", "garbage", "empty", "text", "extra_column", "missing_table", "extra_table", "newer",
         "no_record", "garbled_row", "bad_sha", "bad_profile", "exe_evidence", "bad_json",
         "trigger", "view", "constraint_dropped"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_candidate_changes_nothing(ledger, tmp_path, kind):
    candidate = _candidate(ledger, tmp_path, kind)
    before, files_before = fingerprint(ledger), tree(ledger, skip=("logs", "instance.lock", "backups"))
    code, out, err = run_cli(ledger, "restore", str(candidate))
    assert_clear_refusal(code, err)
    assert fingerprint(ledger) == before
    assert tree(ledger, skip=("logs", "instance.lock", "backups")) == files_before
    # and the ledger still opens: every command works afterwards
    code, out, err = run_cli(ledger, "entry", "list", "--json")
    assert code == 0, err


def test_a_tampered_backup_is_refused(ledger):
    info = list_backups(ledger)[0]
    data = bytearray(info.db_path.read_bytes())
    data[-100] ^= 0xFF  # one flipped bit of content, deep in the file
    info.db_path.write_bytes(bytes(data))
    before = fingerprint(ledger)
    code, _, err = run_cli(ledger, "restore", str(info.path))
    assert_clear_refusal(code, err, expect="哈希")
    assert fingerprint(ledger) == before


def test_another_units_backup_asks_first(ledger, other_ledger):
    before = fingerprint(ledger)
    backup = list_backups(other_ledger)[0].path
    code, _, err = run_cli(ledger, "restore", str(backup))
    assert_clear_refusal(code, err, expect="邹区镇")
    assert fingerprint(ledger) == before
    code, out, err = run_cli(ledger, "restore", str(backup), "--force")
    assert code == 0, err
    assert "恢复前的数据已保存在" in out


@pytest.mark.parametrize("where", ["swap_check", "evidence"])
def test_a_failure_after_the_swap_puts_the_previous_file_back(ledger, other_ledger, monkeypatch, where):
    before = fingerprint(ledger)
    backup = list_backups(other_ledger)[0].path
    if where == "swap_check":
        real = restore_mod.schema_problems
        calls = {"n": 0}

        def failing(conn, *, complete=False):
            calls["n"] += 1
            if complete and calls["n"] >= 3:  # the check just after the rename
                raise sqlite3.OperationalError("disk I/O error")
            return real(conn, complete=complete)

        monkeypatch.setattr(restore_mod, "schema_problems", failing)
    else:
        def failing_copy(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(restore_mod, "_install_evidence", failing_copy)
    with pytest.raises(AppError) as info:
        restore_backup(ledger, backup, other_unit_ok=True)
    message = str(info.value)
    if where == "evidence":
        assert "磁盘空间不足" in message and "No space" not in message
    assert "保持原样" in message and "另存在" in message and "Traceback" not in message
    assert fingerprint(ledger) == before
    assert not list(ledger.glob(".restore-*")) and not list(ledger.glob(".previous-*"))


def test_restore_into_the_open_ledger_is_undone_when_it_fails(ledger, other_ledger, monkeypatch):
    from models.store.workspace import open_workspace

    ws = open_workspace(ledger)
    try:
        before = fingerprint(ledger)
        backup = list_backups(other_ledger)[0].path
        real = restore_mod.schema_problems

        def failing(conn, *, complete=False):
            if complete and isinstance(conn, sqlite3.Connection) and conn is ws.db.conn:
                raise sqlite3.OperationalError("disk I/O error")
            return real(conn, complete=complete)

        monkeypatch.setattr(restore_mod, "schema_problems", failing)
        with pytest.raises(AppError, match="保持原样"):
            restore_backup(ledger, backup, db=ws.db, other_unit_ok=True)
        assert fingerprint(ledger) == before
        assert ws.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 5
    finally:
        ws.close()


# ---------------------------------------------------------------- a folder that will not open


def _damage_page(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(db_path, "r+b") as fh:
        fh.seek((root - 1) * page_size + 8)
        fh.write(b"\xff" * 64)


@pytest.mark.parametrize("kind", ["garbage", "foreign", "damaged_page", "newer", "trigger", "fifo"])
def test_a_folder_that_will_not_open_explains_and_writes_nothing(ledger, kind):
    db = ledger / "ledger.db"
    if kind == "garbage":
        db.write_bytes(os.urandom(16384))
        for side in ("ledger.db-wal", "ledger.db-shm"):
            (ledger / side).unlink(missing_ok=True)
    elif kind == "foreign":
        db.unlink()
        for side in ("ledger.db-wal", "ledger.db-shm"):
            (ledger / side).unlink(missing_ok=True)
        conn = sqlite3.connect(db)
        _foreign(conn)
        conn.commit()
        conn.close()
    elif kind == "damaged_page":
        _damage_page(db)
    elif kind == "fifo":  # a pipe where the file should be: opening it would wait for ever
        if os.name != "posix":
            pytest.skip("FIFOs are POSIX")
        for side in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
            (ledger / side).unlink(missing_ok=True)
        os.mkfifo(db)
    elif kind == "trigger":  # another tool added a trigger that would run on our own writes
        conn = sqlite3.connect(db)
        conn.execute("CREATE TRIGGER wipe AFTER INSERT ON entries BEGIN DELETE FROM entries; END")
        conn.commit()
        conn.close()
    else:
        conn = sqlite3.connect(db)
        conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
                     " VALUES ('zhonglou_ledger', 'm999_future', 'x')")
        conn.commit()
        conn.close()
    raw = db.read_bytes() if kind != "fifo" else b""
    for command in (["entry", "add", "--task", "6", "--date", "2023-06-01", "--type", "入户宣传", "--title", "x"],
                    ["entry", "list"], ["settings"], ["backup"], ["report", "monthly", "--month", "2023-06", "--out", str(ledger.parent / "out")]):
        code, out, err = run_cli(ledger, *command)
        assert_clear_refusal(code, err)
        assert out == "", out  # nothing reported as saved
        if kind != "newer":
            assert "restore" in err or "备份" in err, err  # the offer of a backup
    if kind == "fifo":
        assert stat.S_ISFIFO(db.stat().st_mode)
    else:
        assert db.read_bytes() == raw
    if kind in ("garbage", "foreign", "damaged_page", "trigger", "fifo"):
        _, _, err = run_cli(ledger, "settings")
        assert str(list_backups(ledger)[0].path) in err  # the newest good backup, named


@pytest.mark.parametrize("kind", ["garbage", "foreign", "garbled_row", "fifo"])
def test_the_offered_backup_restores_the_folder(ledger, kind):
    db = ledger / "ledger.db"
    if kind == "garbled_row":
        conn = sqlite3.connect(db)
        conn.execute("UPDATE entries SET title = CAST(X'FF' AS TEXT) WHERE id = 1")
        conn.commit()
        conn.close()
    for side in ("ledger.db-wal", "ledger.db-shm"):
        (ledger / side).unlink(missing_ok=True)
    if kind == "garbage":
        db.write_bytes(os.urandom(16384))
    elif kind == "foreign":
        db.unlink()
        conn = sqlite3.connect(db)
        _foreign(conn)
        conn.commit()
        conn.close()
    elif kind == "fifo":
        if os.name != "posix":
            pytest.skip("FIFOs are POSIX")
        db.unlink()
        os.mkfifo(db)
    raw = db.read_bytes() if kind != "fifo" else None
    good = list_backups(ledger)[0].path
    code, out, err = run_cli(ledger, "restore", str(good))
    assert code == 0, err
    code, out, err = run_cli(ledger, "entry", "list", "--json")
    assert code == 0 and out.count('"uid"') == 5, err
    damaged = sorted((ledger / "backups").glob("damaged-*"))
    if raw is not None:
        assert damaged and (damaged[-1] / "ledger.db").read_bytes() == raw  # the bad file kept aside, as it was
