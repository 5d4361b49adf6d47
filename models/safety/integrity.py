"""Is the ledger intact? A quick check at start-up, a full check on demand.

``quick_check`` runs SQLite's ``PRAGMA quick_check`` on a read-only connection, so a
damaged file is never opened for writing before the user has decided what to do.
``check`` adds ``PRAGMA integrity_check``, the foreign keys and every evidence file the
database refers to (present, right size, right SHA-256). Problems come back as
Chinese sentences for the user.
"""

from __future__ import annotations


import sqlite3
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from models.core.errors import AppError
from models.core.fileio import sha256_file
from models.store.connection import DB_FILENAME, connect

Progress = Callable[[int, int, str], None]


class DatabaseDamagedError(AppError):
    """The database failed its integrity check; ``problems`` lists what is wrong."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = list(problems)
        super().__init__(
            f"数据库文件 {path} 已损坏，为保护数据，程序没有打开它。\n"
            + "\n".join(f"· {p}" for p in self.problems[:10])
            + "\n请从最近的备份恢复（当前文件会先被另存一份，恢复可以撤销）。"
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
        return [f"数据库文件无法读取：{exc}"]
    if rows != ["ok"]:
        lines = [line.strip() for r in rows for line in r.splitlines()]
        lines = [line for line in lines if line and not line.startswith("***")] or rows
        return [f"数据库结构损坏：{line}" for line in lines[:20]]
    problems: list[str] = []
    if full:
        try:
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall()[:20]:
                problems.append(f"表 {table} 第 {rowid} 行引用了不存在的 {parent} 记录")
        except sqlite3.DatabaseError as exc:
            problems.append(f"无法检查数据关联：{exc}")
    return problems


def quick_check(db_path: Path) -> list[str]:
    """Start-up check; an empty list means the database may be opened. A missing file is fine."""
    if not db_path.exists():
        return []
    try:
        conn = connect_readonly(db_path)
    except sqlite3.DatabaseError as exc:
        return [f"数据库文件无法打开：{exc}"]
    try:
        return sqlite_problems(conn, full=False)
    finally:
        conn.close()


def ensure_intact(data_dir: Path) -> None:
    """Raise DatabaseDamagedError when the start-up check finds damage."""
    path = Path(data_dir) / DB_FILENAME
    problems = quick_check(path)
    if problems:
        raise DatabaseDamagedError(path, problems)


@dataclass(frozen=True)
class EvidenceRef:
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
    try:
        conn = connect_readonly(path)
    except (sqlite3.DatabaseError, AppError) as exc:
        return [f"数据库文件无法打开：{exc}"]
    try:
        problems = sqlite_problems(conn, full=True)
        if problems:
            return problems  # table contents cannot be trusted; stop here
        try:
            problems.extend(evidence_problems(conn, data_dir, progress=progress))
        except sqlite3.DatabaseError as exc:
            problems.append(f"无法读取佐证材料登记表：{exc}")
        return problems
    finally:
        conn.close()
