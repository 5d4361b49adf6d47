"""Every migration upgrades a database made by the previous version (Picard's meta-test)."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from models.migrations import MIGRATIONS
from models.store import open_db


def _db_at(name_before: str | None) -> sqlite_utils.Database:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    if name_before:
        MIGRATIONS.apply(db, stop_before=name_before)
    return db


def upgrade_m001_initial():
    db = _db_at("m001_initial")
    db = open_db(db.conn)
    db.execute(
        "INSERT INTO entries(uid, year, task_seq, entry_date, entry_type, title, created_at, updated_at)"
        " VALUES ('u1', 2023, 6, '2023-06-12', '入户宣传', 't', 'now', 'now')"
    )
    assert db["entries"].count == 1
    return db


UPGRADE_CHECKS = {"m001_initial": upgrade_m001_initial}


def test_every_migration_has_an_upgrade_test():
    names = [m.name for m in MIGRATIONS._migrations]
    missing = [n for n in names if n not in UPGRADE_CHECKS]
    assert not missing, f"migrations without an upgrade test: {missing}"


def test_each_upgrade():
    for name, check in UPGRADE_CHECKS.items():
        db = check()
        assert name in {m.name for m in MIGRATIONS.applied(db)}
