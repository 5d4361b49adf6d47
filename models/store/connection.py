"""The one place that opens the database.

WAL journal, foreign keys on, ``synchronous=FULL`` so a power cut loses nothing that
was reported committed. Before pending migrations run on an existing file, the file is
copied aside with SQLite's online backup API.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from models.core.errors import AppError
from models.store.faults import DAMAGED, GuardedConnection, sqlite_fault_message
from models.store.migrations import MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

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


class Reader:
    """The reading half of ``sqlite_utils.Database`` (``query``, ``execute``) over a plain
    connection: what the first page needs, without loading the database library."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters if parameters is not None else [])

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row))


def as_database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """``sqlite_utils.Database`` over ``conn``. Installed sqlite-utils plugins are not run on
    the ledger's connection (they could change it; scanning for them also cost start-up)."""
    import sqlite_utils

    return sqlite_utils.Database(conn, execute_plugins=False)


def connect(path: Path) -> sqlite3.Connection:
    """A configured connection to the ledger file (WAL, foreign keys, synchronous=FULL)."""
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
    return conn


def open_conn(path: Path) -> sqlite3.Connection:
    """``connect``, migrated: the database library is loaded only when a step is pending."""
    conn = connect(path)
    if not MIGRATIONS.up_to_date(conn):
        try:
            open_db(conn, path=path)
        except Exception:
            conn.close()
            raise
    return conn


def open_db(path_or_conn: Path | str | sqlite3.Connection, *, migrate: bool = True,
            path: Path | None = None) -> sqlite_utils.Database:
    """Open (and migrate) the ledger database at ``path_or_conn``.

    A connection may be injected (tests, backups; ``path`` names its file so that it is
    copied aside before any pending migration touches it).
    """
    if isinstance(path_or_conn, sqlite3.Connection):
        conn = path_or_conn
    else:
        path = Path(path_or_conn)
        conn = connect(path)
    db = as_database(conn)
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
