"""Restore a backup (or an unpacked archive) into a data folder, undoably.

Order of work, so that a failure at any point leaves a usable ledger:

1. the source is verified (manifest hash of ledger.db, ``PRAGMA integrity_check``,
   schema not newer than this program) — a bad source changes nothing;
2. the current state is backed up first (kind ``pre-restore``/``pre-import``); when
   the current database is too damaged to back up, its raw files are copied aside
   to ``backups/damaged-<time>/`` instead — without a safety copy nothing is replaced;
3. evidence files the restored database needs are copied in (content-addressed, so
   adding files never harms the current ledger);
4. the database is replaced: into the open connection with the online backup API
   (one transaction: all or nothing), or, when no connection is open (start-up with a
   damaged file, CLI), by writing a complete new file beside it and renaming it over.

The caller holds the data folder's instance lock.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from models.safety.backup import (
    LAST_RESULT_SETTING,
    MIRROR_SETTING,
    MANIFEST,
    BackupInfo,
    backup_root,
    copy_database,
    copy_verified,
    create_snapshot,
    list_snapshots,
    pool_name,
    read_manifest,
    side_db,
    snapshot_database,
    verify_snapshot_db,
)
from models.core.errors import AppError
from models.store.faults import app_error_from
from models.core.fileio import fsync_file, sha256_file, replace_with_retry
from models.safety.integrity import connect_readonly, quick_check, safe_relative, sqlite_problems
from models.store.migrations import MIGRATIONS
from models.store.settings import put_setting
from models.store.connection import DB_FILENAME, connect

Progress = Callable[[int, int, str], None]
MACHINE_SETTINGS = (MIRROR_SETTING, LAST_RESULT_SETTING)


@dataclass
class RestoreResult:
    entries: int
    evidence_files: int
    safety_copy: Path | None  # where the state before the restore was saved (undo = restore this)
    missing_evidence: list[str] = field(default_factory=list)


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


def verify_source(source: Source) -> None:
    """Raise AppError unless the source database is intact and not from a newer program."""
    if source.info is not None:
        problems = verify_snapshot_db(source.info)
    else:
        try:
            conn = connect_readonly(source.db_path)
        except (sqlite3.Error, AppError) as exc:
            raise AppError(f"无法读取备份 {source.db_path}：{exc}") from exc
        try:
            problems = sqlite_problems(conn, full=True)
        finally:
            conn.close()
    if problems:
        raise AppError("该备份已损坏，不能恢复：" + "；".join(problems[:5]))
    conn = connect_readonly(source.db_path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "entries" not in tables or "evidence_files" not in tables:
            raise AppError(f"{source.db_path} 不是本程序的台账数据库。")
        applied = set()
        if "_sqlite_migrations" in tables:
            applied = {r[0] for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATIONS.name])}
    except sqlite3.Error as exc:
        raise AppError(f"无法读取备份 {source.db_path}：{exc}") from exc
    finally:
        conn.close()
    known = {m.name for m in MIGRATIONS._migrations}  # type: ignore[attr-defined]
    if applied - known:
        raise AppError("该备份由更新版本的程序创建，请先升级本程序再恢复。")


def _safety_copy(data_dir: Path, *, kind: str) -> Path | None:
    """Back up the current state; raw copy when it is too damaged for a verified backup."""
    db_path = data_dir / DB_FILENAME
    if not db_path.exists():
        return None
    if not quick_check(db_path):
        try:
            return create_snapshot(data_dir, kind=kind, rotate=False).path
        except AppError as exc:
            if "完整性" not in str(exc):
                raise AppError(f"恢复前无法备份当前数据，为安全起见没有恢复：{exc}") from exc
    aside = backup_root(data_dir) / f"damaged-{dt.datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
    try:
        aside.mkdir(parents=True)
        for suffix in ("", "-wal", "-shm"):
            part = data_dir / f"{DB_FILENAME}{suffix}"
            if part.exists():
                shutil.copy2(part, aside / part.name)
    except OSError as exc:
        raise AppError(f"恢复前无法另存当前数据库，为安全起见没有恢复：{app_error_from(exc, doing='另存')}") from exc
    return aside


def _install_evidence(
    source: Source, data_dir: Path, *, move: bool, progress: Progress | None
) -> tuple[int, list[str]]:
    conn = connect_readonly(source.db_path)
    try:
        refs = conn.execute("SELECT sha256, stored_path FROM evidence_files").fetchall()
    finally:
        conn.close()
    pool = source.info.evidence if source.info else {}
    missing: list[str] = []
    for n, (sha, stored_path) in enumerate(refs, start=1):
        rel = safe_relative(stored_path)
        if rel is None:
            missing.append(stored_path)
            continue
        target = data_dir / rel
        if target.is_file() and sha256_file(target) == sha:
            continue
        candidates = [base / rel for base in source.evidence_bases]
        candidates += [base / pool_name(sha, stored_path) for base in source.evidence_bases]
        if sha in pool:
            candidates = [base / pool[sha] for base in source.evidence_bases] + candidates
        for candidate in candidates:
            if candidate.is_file():
                if move and sha256_file(candidate) == sha:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        replace_with_retry(candidate, target)
                        break
                    except OSError:
                        pass  # another drive (data folder is a mount point): copy instead
                if copy_verified(candidate, target, sha):
                    break
        else:
            missing.append(stored_path)
        if progress:
            progress(n, len(refs), "正在恢复佐证材料")
    return len(refs), missing


def _replace_file(source_db: Path, data_dir: Path) -> None:
    """Swap in a new database file when no connection is open."""
    db_path = data_dir / DB_FILENAME
    tmp = data_dir / f"{DB_FILENAME}.restoring"
    tmp.unlink(missing_ok=True)
    snapshot_database(source_db, tmp)
    connect(tmp).close()  # opened once in WAL mode, as the live file is
    fsync_file(tmp)
    # The old WAL must not be replayed onto the new file; the safety copy holds it.
    for suffix in ("-wal", "-shm"):
        (data_dir / f"{DB_FILENAME}{suffix}").unlink(missing_ok=True)
    replace_with_retry(tmp, db_path)


def _replace_live(source_db: Path, db: sqlite_utils.Database) -> None:
    src = connect(source_db, readonly=True)
    try:
        copy_database(src, db.conn)  # written as one transaction into the open database
    finally:
        src.close()
    if MIGRATIONS.pending(db):
        MIGRATIONS.apply(db)


def _machine_settings(data_dir: Path) -> dict[str, Any]:
    """Settings of this PC (mirror folder, last backup result) that an old backup must not undo."""
    path = data_dir / DB_FILENAME
    if not path.exists() or quick_check(path):
        return {}
    try:
        conn = connect_readonly(path)
        try:
            marks = ",".join("?" * len(MACHINE_SETTINGS))
            rows = conn.execute(f"SELECT key, value FROM settings WHERE key IN ({marks})", MACHINE_SETTINGS).fetchall()
        finally:
            conn.close()
        return {key: json.loads(value) for key, value in rows}
    except (sqlite3.Error, ValueError, AppError):
        return {}


def _put_settings(data_dir: Path, db: sqlite_utils.Database | None, values: dict[str, Any]) -> None:
    if not values:
        return
    target = db if db is not None else side_db(data_dir)
    try:
        with target.atomic():
            for key, value in values.items():
                put_setting(target, key, value)
    finally:
        if db is None:
            target.close()


def restore_backup(
    data_dir: Path,
    source_path: Path,
    *,
    db: sqlite_utils.Database | None = None,
    kind: str = "pre-restore",
    move_evidence: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Replace the ledger in ``data_dir`` with the backup at ``source_path``.

    ``db`` is the open connection of the workspace, if any (GUI); without it the file
    is replaced (start-up with a damaged database, CLI). The state before is saved
    first: restoring ``RestoreResult.safety_copy`` undoes the restore.
    """
    data_dir = Path(data_dir)
    source = resolve_source(source_path)
    if source.db_path.resolve() == (data_dir / DB_FILENAME).resolve():
        raise AppError("所选文件就是当前正在使用的数据库，不能从它自身恢复。请选择备份文件夹中的备份。")
    try:
        verify_source(source)
    except (OSError, sqlite3.Error) as exc:
        raise app_error_from(exc, doing="读取备份", path=source.db_path) from exc
    if progress:
        progress(0, 1, "正在备份当前数据")
    keep = _machine_settings(data_dir)
    try:
        safety = _safety_copy(data_dir, kind=kind)
        evidence_count, missing = _install_evidence(source, data_dir, move=move_evidence, progress=progress)
        if progress:
            progress(0, 1, "正在恢复数据库")
        if db is not None:
            _replace_live(source.db_path, db)
        else:
            _replace_file(source.db_path, data_dir)
        if db is None:
            from models.store.connection import open_db  # migrate an older backup to this program's schema

            open_db(data_dir / DB_FILENAME).close()
        _put_settings(data_dir, db, keep)
    except (OSError, sqlite3.Error) as exc:
        raise app_error_from(exc, doing="恢复", path=data_dir) from exc
    conn = connect_readonly(data_dir / DB_FILENAME)
    try:
        entries = int(conn.execute("SELECT COUNT(*) FROM entries WHERE deleted_at IS NULL").fetchone()[0])
    finally:
        conn.close()
    return RestoreResult(entries=entries, evidence_files=evidence_count, safety_copy=safety, missing_evidence=missing)


def newest_good_backup(infos: list[BackupInfo]) -> BackupInfo | None:
    """The newest snapshot whose database passes its checks (offered at a damaged start)."""
    for info in infos:
        try:
            if not verify_snapshot_db(info):
                return info
        except (OSError, sqlite3.Error, AppError):
            continue
    return None
