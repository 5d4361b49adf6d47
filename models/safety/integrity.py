"""Is the ledger intact? A quick check at start-up, a full check on demand.

``quick_check`` runs SQLite's ``PRAGMA quick_check`` on a read-only connection, so a
damaged file is never opened for writing before the user has decided what to do.
``check`` adds ``PRAGMA integrity_check``, the foreign keys and every evidence file the
database refers to (present, right size, right SHA-256). Problems come back as
Chinese sentences for the user.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import sys
import threading
from pathlib import Path, PurePosixPath
from typing import Callable, NamedTuple

from models.core.errors import AppError, UnusableDatabaseError
from models.core.fileio import sha256_file
from models.store.faults import explain
from models.store.connection import (
    DB_FILENAME,
    connect,
    connect_read_only_file,
    ensure_ours,
    folder_read_only,
    not_a_regular_file,
)

Progress = Callable[[int, int, str], None]
log = logging.getLogger(__name__)
_PAGE = re.compile(r"\bpage (\d+)")


class DatabaseDamagedError(UnusableDatabaseError):
    """The database failed its integrity check; ``problems`` lists what is wrong."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(
            f"数据库文件 {path} 已损坏，为保护数据，程序没有打开它。\n"
            + "\n".join(f"· {p}" for p in problems[:10])
            + "\n请从最近的备份恢复（当前文件会先被另存一份，恢复可以撤销）。",
            path=path, problems=problems,
        )


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write (so cannot make damage worse)."""
    return connect(path, readonly=True)


def _pragma_rows(conn: sqlite3.Connection, pragma: str) -> list[str]:
    return [str(r[0]) for r in conn.execute(pragma).fetchall()]


def sqlite_problems(conn: sqlite3.Connection, *, full: bool = True) -> list[str]:
    """Chinese problems found by integrity_check/quick_check and foreign_key_check."""
    try:
        rows = _pragma_rows(conn, "PRAGMA integrity_check" if full else "PRAGMA quick_check")
    except sqlite3.DatabaseError as exc:
        return [f"数据库文件无法读取：{explain(exc)}"]
    if rows != ["ok"]:
        lines = [line.strip() for r in rows for line in r.splitlines()]
        lines = [line for line in lines if line and not line.startswith("***")] or rows
        return _damage_in_chinese(lines)
    problems: list[str] = []
    if full:
        try:
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall()[:20]:
                problems.append(f"表 {table} 第 {rowid} 行引用了不存在的 {parent} 记录")
        except sqlite3.DatabaseError as exc:
            problems.append(f"无法检查数据关联：{explain(exc)}")
    return problems


def _open_for_check(db_path: Path) -> sqlite3.Connection:
    # On a read-only folder or mount, mode=ro cannot read a WAL file: that is not damage.
    if folder_read_only(db_path.parent):
        return connect_read_only_file(db_path)
    return connect_readonly(db_path)


def _damage_in_chinese(lines: list[str]) -> list[str]:
    """SQLite's findings, said in Chinese (which pages are damaged); its own words go to the log."""
    log.warning("integrity check: %s", lines[:50])
    pages: list[int] = []
    for line in lines:
        match = _PAGE.search(line)
        if match and int(match.group(1)) not in pages:
            pages.append(int(match.group(1)))
    problems = [f"数据库第 {page} 页已损坏" for page in pages[:10]]
    if len(pages) > 10:
        problems.append(f"另有 {len(pages) - 10} 页已损坏")
    if not problems or len(pages) < len(lines):
        problems.append(f"数据库结构损坏（共发现 {len(lines)} 处问题，SQLite 的检查结果已写入日志）")
    return problems


def quick_check(db_path: Path) -> list[str]:
    """Start-up check; an empty list means the database may be opened. A missing file is fine."""
    if not db_path.exists():
        return []
    if not_a_regular_file(db_path):  # a pipe would block the open for ever
        return ["数据库文件不是普通文件（是文件夹、设备或管道）"]
    try:
        conn = _open_for_check(db_path)
    except sqlite3.DatabaseError as exc:
        return [f"数据库文件无法打开：{explain(exc)}"]
    try:
        return sqlite_problems(conn, full=False)
    finally:
        conn.close()


def ensure_intact(data_dir: Path, *, schema: bool = True) -> None:
    """Raise an UnusableDatabaseError when the start-up check finds damage or a foreign file.

    ``DatabaseDamagedError`` for damage; ``ForeignDatabaseError`` for a file that is not
    this program's ledger; ``NewerDatabaseError`` (a plain AppError) for a newer program's.
    ``schema=False`` leaves the schema to the opening, which checks it again before anything
    writes (``models.store.connection.ensure_ours``): a start that paints the view kept for
    this very ledger and program needs only to know the file is not damaged.
    """
    path = Path(data_dir) / DB_FILENAME
    if path.exists() and not os.access(path, os.R_OK):  # a permission, not damage: nothing to restore
        raise AppError(f"没有读取数据库文件 {path} 的权限。请检查文件权限（或以有权限的用户运行）。")
    problems = quick_check(path)
    if problems:
        raise DatabaseDamagedError(path, problems)
    if not path.exists() or not schema:
        return
    conn = _open_for_check(path)
    try:
        ensure_ours(conn, path)
    finally:
        conn.close()


CHECK_NICE = 10  # Linux: a tenth of a normal thread's share when both want the core
THREAD_PRIORITY_BELOW_NORMAL = -1  # Windows' SetThreadPriority


def yield_to_the_window() -> None:
    """Lower the calling thread's priority below the window's. On a busy or single-core PC
    the start-up check (SQLite reading the whole file) otherwise takes turns with drawing the
    window: 50,000 entries on one core, first paint 405 → 300 ms and the 工作台 shown 521 →
    501 ms; with a free second core it changes nothing. Linux: the thread's nice value (a
    thread already nicer keeps its own); Windows: below-normal thread priority. Best effort:
    a refusal leaves the priority as it was."""
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetThreadPriority(kernel32.GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL)
        elif sys.platform.startswith("linux"):
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), CHECK_NICE))
    except (OSError, AttributeError, ValueError):
        pass


class PendingCheck:
    """``ensure_intact(data_dir)`` on a thread of its own, started at once.

    The GUI starts it with its first paint (a large ledger's before Qt loads): the check is
    SQLite reading the whole file, which it does without Python's lock, so on a second core it
    costs the start little; on a busy one it gives way to the window (``yield_to_the_window``).
    Nothing may open the ledger for writing before ``verdict`` has returned.
    """

    def __init__(self, data_dir: Path, *, schema: bool = True):
        self.data_dir = Path(data_dir)
        self.schema = schema
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="start-up check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            yield_to_the_window()
            ensure_intact(self.data_dir, schema=self.schema)
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that asks for the verdict
            self._failure = exc

    def join(self) -> None:
        self._thread.join()

    def verdict(self) -> None:
        """Wait for the check; raise what ``ensure_intact`` raised."""
        self._thread.join()
        if self._failure is not None:
            raise self._failure


def _undecodable(value: object) -> bool:
    if isinstance(value, bytes):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return True
    return False


# Columns the program reads back with json.loads: a value that does not parse is a damaged row.
JSON_COLUMNS = {"settings": ("value",), "audit_log": ("before", "after")}


def _json_ok(value: object) -> bool:
    try:
        json.loads(value.decode("utf-8") if isinstance(value, bytes) else str(value))
        return True
    except (ValueError, UnicodeDecodeError):
        return False


def row_problems(conn: sqlite3.Connection, *, limit: int = 50) -> list[str]:
    """Read every row of every table as the program does; name each row that cannot be read.

    ``integrity_check`` vouches for the file's structure, not for what a record holds: a
    garbled byte inside a text passes it, and then the page that lists the row fails.
    Text is fetched as bytes here so each bad value is found with its table and id.
    """
    problems: list[str] = []
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    layout = {t: [(str(r[1]), str(r[2]).upper()) for r in conn.execute(f"PRAGMA table_info([{t}])")] for t in tables}
    saved = conn.text_factory
    conn.text_factory = bytes
    try:
        for table, columns in layout.items():
            names = ", ".join(f"[{name}]" for name, _ in columns)
            try:
                cursor = conn.execute(f"SELECT rowid, {names} FROM [{table}]")
                for row in cursor:
                    for (name, declared), value in zip(columns, row[1:]):
                        # text fetched as bytes: in a number column it is damage too
                        bad = _undecodable(value) or (declared in ("INTEGER", "REAL") and isinstance(value, bytes))
                        if not bad and name in JSON_COLUMNS.get(table, ()) and value is not None:
                            bad = not _json_ok(value)
                        if bad:
                            problems.append(f"表 {table} 中编号 {row[0]} 的记录无法读取（{name} 列内容已损坏）")
                            break
                    if len(problems) >= limit:
                        return problems
            except sqlite3.DatabaseError as exc:
                problems.append(f"表 {table} 无法完整读取：{explain(exc)}")
    finally:
        conn.text_factory = saved
    return problems


class EvidenceRef(NamedTuple):  # not a dataclass: the start path would load dataclasses for it
    sha256: str
    size: int
    stored_path: str


def evidence_refs(conn: sqlite3.Connection) -> list[EvidenceRef]:
    rows = conn.execute("SELECT sha256, size, stored_path FROM evidence_files ORDER BY sha256").fetchall()
    return [EvidenceRef(str(r[0]), int(r[1]), str(r[2])) for r in rows]


def safe_relative(stored_path: str) -> PurePosixPath | None:
    """A stored path that stays inside its folder, else None (never follow ``..``)."""
    rel = PurePosixPath(stored_path.replace("\\", "/"))
    if rel.is_absolute() or not rel.parts or any(p in ("..", "") for p in rel.parts) or ":" in rel.parts[0]:
        return None
    return rel


def evidence_problems(
    conn: sqlite3.Connection, base: Path, *, progress: Progress | None = None
) -> list[str]:
    """Every evidence file the database lists must exist under ``base`` with its hash."""
    problems: list[str] = []
    refs = evidence_refs(conn)
    for n, ref in enumerate(refs, start=1):
        rel = safe_relative(ref.stored_path)
        if rel is None:
            problems.append(f"佐证文件路径不安全：{ref.stored_path}")
            continue
        path = base / rel
        if not path.is_file():
            problems.append(f"佐证文件缺失：{ref.stored_path}")
        elif path.stat().st_size != ref.size:
            problems.append(f"佐证文件大小不符（已损坏或被改动）：{ref.stored_path}")
        elif sha256_file(path) != ref.sha256:
            problems.append(f"佐证文件内容与登记的哈希值不符（已损坏或被改动）：{ref.stored_path}")
        if progress:
            progress(n, len(refs), "正在核对佐证文件")
    return problems


def check(data_dir: Path, *, progress: Progress | None = None) -> list[str]:
    """Full check of a data folder; an empty list means everything is intact."""
    data_dir = Path(data_dir)
    path = data_dir / DB_FILENAME
    if not path.exists():
        return [f"找不到数据库文件 {path}"]
    if not_a_regular_file(path):
        return ["数据库文件不是普通文件（是文件夹、设备或管道）"]
    try:
        conn = _open_for_check(path)
    except (sqlite3.DatabaseError, AppError) as exc:
        return [f"数据库文件无法打开：{explain(exc)}"]
    try:
        problems = sqlite_problems(conn, full=True)
        if problems:
            return problems  # table contents cannot be trusted; stop here
        try:
            ensure_ours(conn, path)
        except UnusableDatabaseError as exc:
            return exc.problems
        except AppError as exc:
            return [str(exc)]
        problems.extend(row_problems(conn))
        try:
            problems.extend(evidence_problems(conn, data_dir, progress=progress))
        except sqlite3.DatabaseError as exc:
            problems.append(f"无法读取佐证材料登记表：{explain(exc)}")
        return problems
    finally:
        conn.close()
