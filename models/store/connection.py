"""The one place that opens SQLite connections: the ledger, read-only checks, backup files.

WAL journal, foreign keys on, ``synchronous=FULL`` so a power cut loses nothing that
was reported committed. Before pending migrations run on an existing file, the file is
copied aside with SQLite's online backup API.

A connection belongs to the thread that opened it (Python's default check is kept on):
background work opens its own with :func:`thread_db` and never borrows the GUI's, so a
write on one thread can never become part of, and be rolled back with, another
thread's transaction.
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


BUSY_TIMEOUT_MS = 5000


def _configure(conn: sqlite3.Connection, *, journal: str = "WAL") -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")


def sqlite_uri(path: Path | str, *, mode: str = "ro") -> str:
    """A ``file:`` URI for SQLite that keeps the path as given (no resolve(): a mapped drive
    must not turn into a UNC path) and is right for drive letters and UNC shares."""
    from urllib.parse import quote

    text = str(path).replace("\\", "/")
    if text.startswith("//"):  # \\server\share\x.db -> file:////server/share/x.db
        prefix, text = "////", text[2:]
    elif len(text) > 1 and text[1] == ":":  # C:/x.db -> file:///C:/x.db
        prefix = "///"
    elif text.startswith("/"):
        prefix = "//"
    else:
        prefix = ""
    return f"file:{prefix}{quote(text, safe='/:')}?mode={mode}"


def connect(path: Path | str, *, readonly: bool = False, journal: str = "WAL") -> sqlite3.Connection:
    """A configured connection to the SQLite file at ``path``, for the calling thread only.

    ``readonly`` opens it so it cannot write (checks, backups being read); ``journal``
    "DELETE" is for self-contained files (snapshots, staged copies) that must not leave a
    -wal file beside them.
    """
    if readonly:
        if not Path(path).exists():
            raise AppError(f"找不到数据库文件 {path}")
        conn = sqlite3.connect(sqlite_uri(path), uri=True, factory=GuardedConnection)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn
    conn = sqlite3.connect(path, factory=GuardedConnection)
    try:
        _configure(conn, journal=journal)
    except BaseException:
        conn.close()
        raise
    return conn


def _copy_aside(db: sqlite_utils.Database, path: Path) -> Path:
    folder = path.parent / "backups" / PRE_MIGRATION_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}.db"
    dest = connect(target, journal="DELETE")
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
            conn = sqlite3.connect(path, factory=GuardedConnection)
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

