"""Every migration upgrades a database made by the previous version (Picard's meta-test)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from models.store.migrations import MIGRATIONS
from models.store.connection import open_db
from models.store.start_view import revision_token


def _db_at(name_before: str | None) -> sqlite_utils.Database:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    if name_before:
        MIGRATIONS.apply(db, stop_before=name_before)
    return db


def _an_entry(db: sqlite_utils.Database) -> None:
    """One entry in the columns every version has (uid u1, task 6, 12 June 2023, 入户宣传一次)."""
    db.execute(
        "INSERT INTO entries(uid, year, task_seq, entry_date, entry_type, title, created_at, updated_at)"
        " VALUES ('u1', 2023, 6, '2023-06-12', '入户宣传', '入户宣传一次', 'now', 'now')"
    )


def upgrade_m001_initial():
    db = _db_at("m001_initial")
    db = open_db(db.conn)
    db.execute(
        "INSERT INTO entries(uid, year, task_seq, entry_date, entry_type, title, created_at, updated_at)"
        " VALUES ('u1', 2023, 6, '2023-06-12', '入户宣传', 't', 'now', 'now')"
    )
    assert db["entries"].count == 1
    return db


def upgrade_m002_export_content_columns():
    db = _db_at("m002_export_content_columns")
    db.execute(
        "INSERT INTO report_exports(id, kind, period, version, generated_at, xlsx_path, pdf_path, xlsx_sha256, pdf_sha256,"
        " data_sha256) VALUES (7, 'monthly', '2023-06', 1, '2023-07-03T10:00:00', 'a.xlsx', 'a.pdf', 'x', 'p', 'd')"
    )
    db.execute(
        "INSERT INTO audit_log(at, actor, action, table_name, row_id, before, after) VALUES ('2023-07-03', '张三', 'export',"
        " 'report_exports', '7', NULL, '{\"fill_date\": \"2023-07-03\", \"content_sha256\": \"abc\"}')"
    )
    db = open_db(db.conn)
    row = next(db.query("SELECT * FROM report_exports WHERE id = 7"))
    assert (row["fill_date"], row["content_sha256"], row["data_sha256"]) == ("2023-07-03", "abc", "d")
    assert db["audit_log"].count == 1
    return db


def upgrade_m003_indicator_truth():
    db = _db_at("m003_indicator_truth")
    db.execute("INSERT INTO communities(id, name, created_at, updated_at) VALUES (3, '青果巷小区', 'now', 'now')")
    db.execute("INSERT INTO evaluations(id, community_id, eval_date, scoresheet, total, by_items, created_at)"
               " VALUES (5, 3, '2023-06-02', 'js', 96.5, 1, 'now')")
    db.execute("INSERT INTO evaluation_items(evaluation_id, item_code, points) VALUES (5, 'A1', 5)")
    db = open_db(db.conn)
    community = next(db.query("SELECT * FROM communities WHERE id = 3"))
    assert (community["name"], community["standard_since"]) == ("青果巷小区", None)  # not known to be 达标 before
    item = next(db.query("SELECT * FROM evaluation_items WHERE evaluation_id = 5"))
    assert (item["points"], item["note"]) == (5, "")
    assert next(db.query("SELECT total FROM evaluations WHERE id = 5"))["total"] == 96.5
    return db


def upgrade_m005_exchange():
    db = _db_at("m005_exchange")
    db.execute(
        "INSERT INTO district_reports(id, unit, kind, period, version, file_name, file_sha256, data_sha256, generated_at,"
        " imported_at, status, reason, current) VALUES (3, '南大街街道', 'monthly', '2023-06', 1, 'a.xlsx', 'f', 'd',"
        " '2023-07-03T10:00:00', '2023-07-04T09:00:00', 'ok', '', 1)"
    )
    db.execute("INSERT INTO district_values(report_id, task_seq, code, name, period_label, value, target, unit, status)"
               " VALUES (3, 6, 'c6', '入户', '2023年6月', 5, 10, '户', '进行中')")
    db = open_db(db.conn)
    row = next(db.query("SELECT * FROM district_reports WHERE id = 3"))
    assert (row["unit"], row["current"], row["public_key"], row["signature"], row["verify_code"]) == ("南大街街道", 1, "", "", "")
    assert db["district_values"].count == 1
    assert db["installation_key"].count == 0 and db["known_keys"].count == 0
    return db


def upgrade_m006_revision():
    db = _db_at("m006_revision")
    _an_entry(db)
    db = open_db(db.conn)
    assert [tuple(r) for r in db.execute("SELECT uid, title FROM entries").fetchall()] == [("u1", "入户宣传一次")]
    token = revision_token(db.conn)
    assert len(token) == 32  # 16 random bytes, hex
    db.execute("UPDATE entries SET title = '入户宣传两次' WHERE uid = 'u1'")
    assert revision_token(db.conn) != token  # the write gave the ledger a new token
    return db


def upgrade_m007_live_entries_index():
    db = _db_at("m007_live_entries_index")
    _an_entry(db)
    db = open_db(db.conn)
    sql = "SELECT id, entry_date, entry_type FROM entries e WHERE task_seq = 6 AND year = 2023 AND deleted_at IS NULL"
    assert [tuple(r)[1:] for r in db.execute(sql).fetchall()] == [("2023-06-12", "入户宣传")]
    plan = " ".join(str(r[-1]) for r in db.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
    assert "COVERING INDEX idx_entries_live" in plan  # the engine's read never touches the wide rows
    return db


UPGRADE_CHECKS = {"m001_initial": upgrade_m001_initial, "m002_export_content_columns": upgrade_m002_export_content_columns,
                  "m003_indicator_truth": upgrade_m003_indicator_truth,
                  "m005_exchange": upgrade_m005_exchange, "m006_revision": upgrade_m006_revision,
                  "m007_live_entries_index": upgrade_m007_live_entries_index}


def test_every_migration_has_an_upgrade_test():
    names = [m.name for m in MIGRATIONS._migrations]
    missing = [n for n in names if n not in UPGRADE_CHECKS]
    assert not missing, f"migrations without an upgrade test: {missing}"


def test_each_upgrade():
    for name, check in UPGRADE_CHECKS.items():
        db = check()
        assert name in {m.name for m in MIGRATIONS.applied(db)}


def test_every_table_changes_the_revision_token_on_every_write():
    """A table without the triggers would let a write leave the token as it was, and the
    start-up would show what the ledger said before it (models.store.start_view)."""
    db = open_db(sqlite3.connect(":memory:"))
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    triggers = {(r[0], r[1].split()[0]) for r in db.execute(
        "SELECT tbl_name, substr(sql, instr(sql, 'AFTER ') + 6) FROM sqlite_master WHERE type = 'trigger'"
        " AND name LIKE 'revision_%'")}
    untracked = {t for t in tables - {"revision", "_sqlite_migrations"}
                 if {a for table, a in triggers if table == t} != {"INSERT", "UPDATE", "DELETE"}}
    assert not untracked, f"tables whose writes leave the revision token unchanged: {untracked}"
    before = revision_token(db.conn)
    db.execute("DELETE FROM settings")  # nothing deleted: no row, no trigger, same token
    assert revision_token(db.conn) == before


def test_a_read_only_ledger_made_before_an_index_only_migration_still_opens(tmp_path):
    """m007 adds an index only: a ledger on a CD or a write-protected stick, made by the
    version before it, opens for reading (the engine gives the same statuses, just slower);
    one missing a migration that changes tables is still refused."""
    from models.core.errors import AppError
    from models.store.connection import open_conn

    path = tmp_path / "ledger.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="m007_live_entries_index")
    _an_entry(db)
    db.conn.commit()
    db.conn.close()
    conn = open_conn(path, read_only=True)
    try:
        assert conn.execute("SELECT title FROM entries").fetchall() == [("入户宣传一次",)]
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'idx_entries_live'").fetchall()
    finally:
        conn.close()
    older = tmp_path / "older.db"
    db = sqlite_utils.Database(sqlite3.connect(older))
    MIGRATIONS.apply(db, stop_before="m006_revision")
    db.conn.close()
    with pytest.raises(AppError, match="需要升级"):
        open_conn(older, read_only=True)
