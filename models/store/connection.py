"""The one place that opens SQLite connections: the ledger, read-only checks, backup files.

WAL journal, foreign keys on, ``synchronous=FULL`` so a power cut loses nothing that
was reported committed. Before pending migrations run on an existing file, the file is
copied aside with SQLite's online backup API.

A connection belongs to the thread that opened it (Python's default check is kept on):
background work opens its own (``workspace.thread_workspace``) and never borrows the GUI's, so a
write on one thread can never become part of, and be rolled back with, another
thread's transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
import stat
from pathlib import Path, PurePath, PureWindowsPath
from typing import TYPE_CHECKING, Any, Iterator

from models.core.errors import AppError, UnusableDatabaseError
from models.store.faults import DAMAGED, READONLY, GuardedConnection, explain, sqlite_fault_message

if TYPE_CHECKING:
    import sqlite_utils

DB_FILENAME = "ledger.db"
PRE_MIGRATION_DIR = "pre-migration"


# Text as the program reads it: a garbled byte inside a record becomes U+FFFD, so pages and
# commands show the damaged field and go on with the other rows instead of failing on the
# whole list; ``check`` names the row (table and id). A C-level callable: a Python function
# here made every text value three times slower to fetch, this costs about 1.4 times.
decode_text = functools.partial(str, encoding="utf-8", errors="replace")


def damaged_error(path: object, problems: list[str]) -> UnusableDatabaseError:
    return UnusableDatabaseError(
        f"数据库文件 {path} 已损坏，为保护数据，程序没有打开它。\n"
        + "\n".join(f"· {p}" for p in problems[:10])
        + "\n请从最近的备份恢复（当前文件会先被另存一份，恢复可以撤销）。",
        path=path, problems=problems,
    )


def not_a_regular_file(path: Path) -> bool:
    """``path`` exists but is a folder, pipe or device: SQLite would block or misread it."""
    try:
        return path.exists() and not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def refuse_irregular(path: Path) -> None:
    if not_a_regular_file(path):
        raise damaged_error(path, ["它不是普通文件（是文件夹、设备或管道）"])


def ensure_ours(conn: sqlite3.Connection, path: object) -> None:
    """Refuse a file that is not this program's ledger before anything writes to it."""
    try:
        from models.store.schema_check import schema_problems  # not on the path to the first paint (peek)

        problems = schema_problems(conn)  # NewerDatabaseError passes through: its own message
    except sqlite3.DatabaseError as exc:
        explained = sqlite_fault_message(exc)
        if explained and explained is not DAMAGED:
            raise AppError(f"无法打开数据库文件 {path}：{explained}") from exc
        raise damaged_error(path, [f"数据库文件无法读取（{explain(exc)}）"]) from exc
    if problems:
        from models.store.schema_check import ForeignDatabaseError

        raise ForeignDatabaseError(path, problems)


def folder_read_only(folder: Path) -> bool:
    """A folder or file (or mount) this process cannot write.

    root ignores permission bits; a folder made read-only on purpose (chmod a-w) still
    counts. Not on Windows: there the read-only flag of a folder means nothing.
    """
    folder = Path(folder)
    if not folder.exists():
        return False
    if not os.access(folder, os.W_OK):
        return True
    return os.name == "posix" and not folder.stat().st_mode & 0o222


def connect_read_only_file(path: Path) -> sqlite3.Connection:
    """Read a ledger on a read-only folder or mount.

    ``mode=ro`` cannot open a WAL database where SQLite may not create ``-shm``; when no
    ``-wal`` lies beside the file (a cleanly closed ledger), nothing can change it while
    we read, so ``immutable=1`` is true.
    """
    uri = sqlite_uri(Path(path).absolute())
    wal = path.with_name(path.name + "-wal")
    if folder_read_only(path.parent) and not (wal.exists() and wal.stat().st_size):
        uri += "&immutable=1"
    conn = sqlite3.connect(uri, uri=True, factory=GuardedConnection)
    conn.text_factory = decode_text
    return conn


BUSY_TIMEOUT_MS = 5000


def _configure(conn: sqlite3.Connection, *, journal: str = "WAL") -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.text_factory = decode_text
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
        conn.text_factory = decode_text
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


@contextlib.contextmanager
def one_reading(db: Any) -> Iterator[None]:
    """Several SELECTs on ``db`` (a Reader or sqlite_utils.Database) that see one state of the
    ledger: another connection (an import in a worker) may commit between them otherwise.
    Inside a transaction already, that transaction is the one state."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")  # nothing was written: this only ends the reading


def preload_database_library() -> None:
    """Import sqlite_utils in a background thread, once: a caller about to write (the entry
    editor's first keystroke) calls this, so the save does not wait for the import. Reading
    pages (the 工作台, 台账录入's list) never load it: ~8 MB of click, dateutil and pluggy."""
    import sys

    global _preloading
    if _preloading or "sqlite_utils" in sys.modules:
        return
    _preloading = True
    import importlib
    import threading

    threading.Thread(target=importlib.import_module, args=("sqlite_utils",), name="warm-up", daemon=True).start()


_preloading = False


def as_database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """``sqlite_utils.Database`` over ``conn``. Installed sqlite-utils plugins are not run on
    the ledger's connection (they could change it; scanning for them also cost start-up)."""
    import sqlite_utils

    return sqlite_utils.Database(conn, execute_plugins=False)


def _open_file(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection to the ledger file, checked to be this program's (or empty) and configured."""
    refuse_irregular(path)
    try:
        # GuardedConnection turns locked/read-only/disk-full errors into Chinese AppErrors.
        conn = connect_read_only_file(path) if read_only else sqlite3.connect(path, factory=GuardedConnection)
    except sqlite3.OperationalError as exc:
        raise AppError(f"无法打开数据库文件 {path}：{explain(exc)}。") from exc
    _check_and_configure(conn, path, read_only=read_only)
    return conn


def _check_and_configure(conn: sqlite3.Connection, path: Path | None, *, read_only: bool) -> None:
    try:
        if path is not None:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            ensure_ours(conn, path)
        if read_only:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.text_factory = decode_text
        else:
            _configure(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        explained = sqlite_fault_message(exc)
        if explained and explained is not DAMAGED:  # locked, read-only, disk: not the file's fault
            raise AppError(f"无法打开数据库文件 {path}：{explained}") from exc
        raise damaged_error(path, [f"数据库文件无法使用（{explain(exc)}）"]) from exc
    except BaseException:
        conn.close()
        raise


def _migrate(db: sqlite_utils.Database, path: Path | None, *, read_only: bool) -> None:
    from models.store.migrations import MIGRATIONS, READ_WITHOUT

    pending = MIGRATIONS.pending(db)
    if pending and read_only:
        if all(step.name in READ_WITHOUT for step in pending):
            return  # only indexes missing: read as it is (slower at 50,000 entries, not different)
        raise AppError(f"数据库文件 {path} 需要升级到本程序的版本，但{READONLY}")
    if pending:
        has_data = path is not None and bool(db.table_names())
        if has_data:
            _copy_aside(db, path)
        MIGRATIONS.apply(db)


def open_conn(path: Path | str, *, read_only: bool = False) -> sqlite3.Connection:
    """The ledger at ``path`` on a plain connection, checked, configured and migrated; the
    database library is loaded only when a migration is pending (the GUI's start path)."""
    path = Path(path)
    conn = _open_file(path, read_only=read_only)
    from models.store.migrations import MIGRATIONS

    if not MIGRATIONS.up_to_date(conn):
        try:
            _migrate(as_database(conn), path, read_only=read_only)
        except BaseException:
            conn.close()
            raise
    return conn


def open_db(
    path_or_conn: Path | str | sqlite3.Connection, *, migrate: bool = True, read_only: bool = False
) -> sqlite_utils.Database:
    """Open (and migrate) the ledger database at ``path_or_conn``.

    A connection may be injected (tests, backups). A file must be this program's ledger
    (or empty): a foreign or newer file is refused before anything writes to it. A file
    is copied aside before any pending migration touches it. ``read_only`` (a read-only
    folder or mount) reads without writing anything; writes fail with a clear message.
    """
    if isinstance(path_or_conn, sqlite3.Connection):
        conn, path = path_or_conn, None
        _check_and_configure(conn, None, read_only=read_only)
    else:
        path = Path(path_or_conn)
        conn = _open_file(path, read_only=read_only)
    db = as_database(conn)
    if migrate:
        try:
            _migrate(db, path, read_only=read_only)
        except BaseException:
            db.close()
            raise
    return db


def schema_version(db: sqlite_utils.Database) -> list[str]:
    from models.store.migrations import MIGRATIONS

    return [m.name for m in MIGRATIONS.applied(db)]

