"""The one place that opens the database.

WAL journal, foreign keys on, ``synchronous=FULL`` so a power cut loses nothing that
was reported committed. Before pending migrations run on an existing file, the file is
copied aside with SQLite's online backup API.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import sqlite_utils

from models.core.errors import AppError
from models.store.faults import DAMAGED, GuardedConnection, sqlite_fault_message
from models.store.migrations import MIGRATIONS

DB_FILENAME = "ledger.db"
PRE_MIGRATION_DIR = "pre-migration"


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")


def _copy_aside(db: sqlite_utils.Database, path: Path) -> Path:
    folder = path.parent / "backups" / PRE_MIGRATION_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}.db"
    dest = sqlite3.connect(target)
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def open_db(path_or_conn: Path | str | sqlite3.Connection, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and migrate) the ledger database at ``path_or_conn``.

    A connection may be injected (tests, backups). A file is copied aside before any
    pending migration touches it.
    """
    if isinstance(path_or_conn, sqlite3.Connection):
        conn = path_or_conn
        path = None
    else:
        path = Path(path_or_conn)
        try:
            # GuardedConnection turns locked/read-only/disk-full errors into Chinese AppErrors.
            conn = sqlite3.connect(path, check_same_thread=False, factory=GuardedConnection)
        except sqlite3.OperationalError as exc:
            raise AppError(f"无法打开数据库文件 {path}：{sqlite_fault_message(exc) or exc}") from exc
    try:
        _configure(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        explained = sqlite_fault_message(exc)
        if explained and explained is not DAMAGED:  # locked, read-only, disk: not the file's fault
            raise AppError(f"无法打开数据库文件 {path}：{explained}") from exc
        raise AppError(f"数据库文件 {path} 无法使用（{exc}），请从备份恢复。") from exc
    db = sqlite_utils.Database(conn)
    if migrate:
        pending = MIGRATIONS.pending(db)
        if pending:
            has_data = path is not None and bool(db.table_names())
            if has_data:
                _copy_aside(db, path)
            MIGRATIONS.apply(db)
    return db


def schema_version(db: sqlite_utils.Database) -> list[str]:
    return [m.name for m in MIGRATIONS.applied(db)]
