"""The database is opened one way: WAL, foreign keys, FULL sync, copied before migrating."""

from __future__ import annotations

import sqlite3

import pytest

from models.store import migrations
from models.core.errors import InstanceLockedError
from models.store.settings import load_profile
from models.store.connection import open_db, schema_version
from models.store.workspace import open_workspace


def test_pragmas(tmp_path):
    db = open_db(tmp_path / "x.db")
    assert next(db.query("PRAGMA journal_mode"))["journal_mode"] == "wal"
    assert next(db.query("PRAGMA foreign_keys"))["foreign_keys"] == 1
    assert next(db.query("PRAGMA synchronous"))["synchronous"] == 2  # FULL
    assert "m001_initial" in schema_version(db)


def test_injected_connection_is_migrated():
    db = open_db(sqlite3.connect(":memory:"))
    assert {"entries", "settings", "audit_log", "communities"} <= set(db.table_names())


def test_file_copied_aside_before_a_pending_migration(tmp_path, monkeypatch):
    path = tmp_path / "ledger.db"
    db = open_db(path)
    db.execute("INSERT INTO settings(key, value, updated_at) VALUES ('x', '1', 'now')")
    db.close()

    @migrations.MIGRATIONS(name="m999_test_only")
    def extra(db):
        db.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")

    try:
        db = open_db(path)
        assert "extra" in db.table_names()
        copies = list((tmp_path / "backups" / "pre-migration").glob("ledger-*.db"))
        assert len(copies) == 1
        old = sqlite3.connect(copies[0])
        assert old.execute("SELECT value FROM settings WHERE key='x'").fetchone() == ("1",)
        assert "extra" not in {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
        old.close()
    finally:
        migrations.MIGRATIONS._migrations.pop()


def test_fresh_database_is_not_copied(tmp_path):
    open_db(tmp_path / "ledger.db").close()
    assert not (tmp_path / "backups").exists()


def test_second_instance_on_same_folder_is_refused(data_dir):
    first = open_workspace(data_dir)
    try:
        with pytest.raises(InstanceLockedError, match="另一个程序窗口"):
            open_workspace(data_dir)
    finally:
        first.close()
    again = open_workspace(data_dir)  # released on close
    assert load_profile(again.db) is None
    again.close()
