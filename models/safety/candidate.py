"""The candidate of a restore, checked before anything is replaced.

Where a backup's database and evidence are (:func:`resolve_source`), and whether it is intact,
readable and this program's ledger of the right unit (:func:`verify_source`,
:func:`current_unit`, :class:`UnitMismatchError`) — read-only throughout. The staged copy in
:mod:`models.safety.restore` is checked again with the same row checks.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from models.safety.backup import MANIFEST, BackupInfo, list_snapshots, read_manifest, verify_snapshot_db
from models.core.errors import AppError, ValidationError
from models.core.filetypes import ALLOWED_TYPES
from models.store.faults import app_error_from, explain
from models.safety.integrity import connect_readonly, quick_check, row_problems, sqlite_problems
from models.store.schema_check import schema_problems
from models.store.settings import PROFILE_KEY, UnitProfile, validate_profile
from models.store.connection import DB_FILENAME
from models.store.years import carried_years

_SHA = re.compile(r"^[0-9a-f]{64}$")
_EXT = re.compile(r"^[a-z0-9]{1,10}$")


@dataclass
class Source:
    """A database to restore and the places its evidence files may be found."""

    db_path: Path
    info: BackupInfo | None
    evidence_bases: list[Path]


def resolve_source(path: Path) -> Source:
    """A snapshot folder, its ledger.db or manifest.json, or any ledger .db file."""
    path = Path(path)
    if not path.exists():
        raise AppError(f"找不到备份 {path}")
    if not path.is_dir() and not path.is_file():  # a pipe or a device: never opened, never its folder
        raise AppError(f"{path} 不是普通文件或文件夹（可能是设备或管道），不能作为备份。")
    folder = path if path.is_dir() else path.parent
    if path.is_file() and path.name not in (DB_FILENAME, MANIFEST):
        return Source(db_path=path, info=None, evidence_bases=[folder])
    if path.is_dir() and not (folder / DB_FILENAME).exists():
        # A backups folder (``backup --to DIR``, a USB stick): take its newest snapshot.
        newest = list_snapshots(folder) or list_snapshots(folder / "backups")
        if newest:
            folder = newest[0].path
    info = read_manifest(folder)
    db_path = folder / DB_FILENAME
    if not db_path.is_file():
        raise AppError(f"{path} 不是本程序的备份（缺少 {DB_FILENAME}）。")
    # own evidence/ (unpacked archive), then the backup folder's shared pool
    return Source(db_path=db_path, info=info, evidence_bases=[folder, folder.parent])


class UnitMismatchError(AppError):
    """The backup belongs to another unit; restoring it needs the user's explicit yes."""

    def __init__(self, current: str, candidate: str):
        self.current, self.candidate = current, candidate
        super().__init__(
            f"该备份属于“{candidate}”，而当前台账属于“{current}”，为免误用其他单位的数据，没有恢复。"
            "如确需恢复，请再次确认（命令行加 --force）。")


def _refuse(source: Path, problems: list[str]) -> AppError:
    return AppError(f"{source} 不能恢复：" + "；".join(problems[:5]) + "。当前台账没有任何改动。")


def _unit_of(conn: sqlite3.Connection) -> str:
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", [PROFILE_KEY]).fetchone()
        return str(json.loads(row[0]).get("unit", "")) if row else ""
    except (sqlite3.Error, ValueError, AttributeError, TypeError):
        return ""


def verify_source(source: Source) -> str:
    """Raise AppError unless the candidate is intact, readable and this program's ledger.

    Read-only throughout: a refused candidate is not touched either. Returns its unit.
    """
    try:
        if source.info is not None:
            problems = verify_snapshot_db(source.info)
            if problems:
                raise _refuse(source.db_path, ["备份已损坏"] + problems)
        conn = connect_readonly(source.db_path)
    except (sqlite3.Error, OSError) as exc:
        raise AppError(f"无法读取备份 {source.db_path}：{app_error_from(exc, doing='读取备份')}") from exc
    try:
        problems = sqlite_problems(conn, full=True)
        if problems:
            raise _refuse(source.db_path, ["备份已损坏"] + problems)
        problems = schema_problems(conn)  # NewerDatabaseError passes through: its own message
        if problems:
            raise _refuse(source.db_path, ["它不是本程序的台账数据库"] + problems)
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entries'").fetchone():
            raise _refuse(source.db_path, ["它不是本程序的台账数据库（没有台账表）"])
        problems = row_problems(conn)
        if problems:
            raise _refuse(source.db_path, ["备份中有无法读取的记录"] + problems)
        problems = _evidence_row_problems(conn) or _profile_problems(conn)
        if problems:
            raise _refuse(source.db_path, problems)
        return _unit_of(conn)
    except sqlite3.DatabaseError as exc:
        raise _refuse(source.db_path, [f"文件无法读取（{explain(exc)}）"]) from exc
    finally:
        conn.close()


def current_unit(data_dir: Path) -> str:
    path = Path(data_dir) / DB_FILENAME
    if not path.exists() or quick_check(path):
        return ""
    try:
        conn = connect_readonly(path)
        try:
            return _unit_of(conn)
        finally:
            conn.close()
    except (sqlite3.Error, AppError):
        return ""


def _profile_problems(conn: sqlite3.Connection) -> list[str]:
    """The unit profile every page and command loads must be one this program accepts."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", [PROFILE_KEY]).fetchone()
    if row is None:
        return []
    try:
        profile = UnitProfile(**json.loads(row[0]))
        validate_profile(profile)
    except (ValueError, TypeError, AttributeError):
        return ["备份中的单位设置无法读取"]
    except ValidationError as exc:
        # a year whose list the ledger carries (installed from a package) comes back when opened
        problems = [m for f, m in exc.problems if not (f == "年度" and profile.year in carried_years(conn))]
        if problems:
            return ["备份中的单位设置无效：" + "；".join(problems[:2])]
    return []


def _evidence_row_problems(conn: sqlite3.Connection) -> list[str]:
    """Evidence rows whose hash or extension could not name a file inside evidence/."""
    problems = []
    for sha, ext in conn.execute("SELECT sha256, ext FROM evidence_files"):
        ext = str(ext or "").lower()
        if not isinstance(sha, str) or not _SHA.match(sha) or (ext and not _EXT.match(ext)):
            problems.append(f"佐证材料登记无效（{str(sha)[:70]}）")
        elif ext not in ALLOWED_TYPES:
            problems.append(f"佐证材料的类型 .{ext} 不是本程序允许的类型")
    return problems[:5]
