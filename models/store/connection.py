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
import os
import sqlite3
from pathlib import Path, PurePath, PureWindowsPath

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


def _escape_uri_path(text: str) -> str:
    # SQLite decodes %HH and ends the path at '?' or '#': those three must be escaped. Other
    # characters (spaces, Chinese) are taken as they are, in UTF-8.
    return text.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def sqlite_uri(path: str | os.PathLike[str] | PurePath, *, mode: str | None = "ro") -> str:
    """The SQLite URI (https://sqlite.org/uri.html) naming ``path``, e.g. ``file:///C:/x.db?mode=ro``.

    Pure (works on a PureWindowsPath on Linux) and never resolve()d: on Windows resolve() turns
    a mapped drive into its UNC path, and pathlib's as_uri() writes UNC paths as
    ``file://server/share/...``, which SQLite refuses ("invalid uri authority"). Here a UNC
    path ``\\\\server\\share\\x.db`` becomes ``file:////server/share/x.db`` (empty authority,
    path ``//server/share/x.db``), a drive path ``file:///C:/x.db``, a relative path ``file:x.db``.
    """
    p = path if isinstance(path, PurePath) else PurePath(os.fspath(path))
    if isinstance(p, PureWindowsPath):
        drive = p.drive
        if drive.startswith("\\\\?\\"):  # long-path prefix: \\?\C:\... or \\?\UNC\server\share\...
            rest = str(p)[4:]
            p = PureWindowsPath("\\\\" + rest[4:] if rest[:4].upper() == "UNC\\" else rest)
            drive = p.drive
        if drive and not p.root:
            raise ValueError(f"not a full path (drive without a root folder): {path}")
        text = p.as_posix()  # forward slashes; a UNC path keeps its leading '//'
        prefix = "file://" if text.startswith("/") or drive else "file:"
        if drive and not drive.startswith("\\\\"):
            text = "/" + text  # file:///C:/...
    else:
        text = p.as_posix()
        prefix = "file://" if p.is_absolute() else "file:"
    uri = prefix + _escape_uri_path(text)
    return f"{uri}?mode={mode}" if mode else uri


def connect(path: Path | str, *, readonly: bool = False, journal: str = "WAL") -> sqlite3.Connection:
    """A configured connection to the SQLite file at ``path``, for the calling thread only.

    ``readonly`` opens it so it cannot write (checks, backups being read); ``journal``
    "DELETE" is for self-contained files (snapshots, staged copies) that must not leave a
    -wal file beside them.
    """
    if readonly:
        if not Path(path).exists():
            raise AppError(f"找不到数据库文件 {path}")
        conn = sqlite3.connect(sqlite_uri(Path(path).absolute()), uri=True, factory=GuardedConnection)
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

