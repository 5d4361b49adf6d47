"""Restore a backup (or an unpacked archive) into a data folder, undoably.

Order of work, so that a failure at any point leaves the ledger exactly as it was:

1. the candidate is verified, opened read-only (models.safety.candidate): manifest hash of ledger.db,
   ``PRAGMA integrity_check``, every row readable, and its schema against this
   program's migrations (every table and column, the migration record; not newer);
   it must belong to the same unit, unless the caller was told and agreed;
2. the current state is backed up first (kind ``pre-restore``/``pre-import``); when
   the current database is too damaged to back up, its raw files are copied aside
   to ``backups/damaged-<time>/`` instead — without a safety copy nothing is replaced;
3. the candidate is copied into a staging folder inside the data folder and prepared
   there: migrated to this program's schema, evidence paths rewritten from the content
   hash (``evidence/aa/<sha256>.<ext>``, never a path the candidate names), this PC's
   settings kept; the staged copy is verified again;
4. evidence files the restored database needs are copied in (content-addressed, never
   over an existing file, nothing outside ``evidence/``);
5. the database is swapped: into the open connection with the online backup API
   (one transaction), or, when no connection is open (start-up with a damaged file,
   CLI), by renaming the staged file over it with the previous file kept aside. A
   failure after the swap puts the previous database back by itself.

The caller holds the data folder's instance lock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from models.safety.backup import (
    LAST_RESULT_SETTING,
    MIRROR_SETTING,
    BackupInfo,
    BackupRefusedError,
    backup_root,
    copy_database,
    copy_verified,
    create_snapshot,
    list_snapshots,
    pool_name,
    verify_snapshot_db,
)
from models.safety.candidate import (
    Source,
    UnitMismatchError,
    _evidence_row_problems,
    _refuse,
    current_unit,
    resolve_source,
    verify_source,
)
from models.core.errors import AppError, UnusableDatabaseError
from models.core.filetypes import ALLOWED_TYPES
from models.store.faults import app_error_from
from models.core.fileio import fsync_dir, fsync_file, replace_with_retry, sha256_file
from models.core.text import clean_display_name
from models.safety.leftovers import PREVIOUS_PREFIX, STAGING_PREFIX, clean_stale_staging
from models.safety.integrity import connect_readonly, quick_check, row_problems, safe_relative, sqlite_problems
from models.store.schema_check import schema_problems
from models.store.settings import UNSAVED_DRAFT_KEY, put_setting
from models.store.connection import DB_FILENAME, connect, open_db

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
# This PC's, not the ledger's: an old backup must not undo them — the mirror folder, the last
# backup's result, and what is being typed in the editor right now (never an old draft back).
MACHINE_SETTINGS = (MIRROR_SETTING, LAST_RESULT_SETTING, UNSAVED_DRAFT_KEY)


@dataclass
class RestoreResult:
    entries: int
    evidence_files: int
    safety_copy: Path | None  # where the state before the restore was saved (undo = restore this)
    missing_evidence: list[str] = field(default_factory=list)


def _is_ours(db_path: Path) -> bool:
    """A ledger of this program (a verified backup of it can be made), not a foreign or newer file."""
    try:
        conn = connect_readonly(db_path)
        try:
            return not schema_problems(conn) and not row_problems(conn)
        finally:
            conn.close()
    except (sqlite3.Error, AppError):
        return False


def _safety_copy(data_dir: Path, *, kind: str) -> Path | None:
    """Back up the current state; raw copy when it is too damaged for a verified backup."""
    db_path = data_dir / DB_FILENAME
    if not db_path.exists():
        return None
    if not quick_check(db_path) and _is_ours(db_path):
        try:
            return create_snapshot(data_dir, kind=kind, rotate=False).path
        except BackupRefusedError:
            pass  # damaged inside (rows unreadable): keep its raw files instead
        except UnusableDatabaseError:
            pass
        except AppError as exc:
            raise AppError(f"恢复前无法备份当前数据，为安全起见没有恢复：{exc}") from exc
    aside = backup_root(data_dir) / f"damaged-{dt.datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
    try:
        aside.mkdir(parents=True)
        for suffix in ("", "-wal", "-shm"):
            part = data_dir / f"{DB_FILENAME}{suffix}"
            if part.is_file():  # a pipe or device in its place holds nothing to keep
                shutil.copy2(part, aside / part.name)
    except OSError as exc:
        shutil.rmtree(aside, ignore_errors=True)
        raise AppError(f"恢复前无法另存当前数据库，为安全起见没有恢复：{app_error_from(exc, doing='另存')}") from exc
    return aside


def canonical_path(sha256: str, ext: str) -> str:
    """Where an evidence file lives, from its content hash alone."""
    return f"evidence/{sha256[:2]}/{sha256}" + (f".{ext}" if ext else "")


def _stage(source: Source, data_dir: Path, keep: dict[str, Any]) -> Path:
    """The candidate, copied, migrated and confined, as it will become ledger.db."""
    work = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir))
    try:
        return _prepare(source, work / DB_FILENAME, keep)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise



def _prepare(source: Source, staged: Path, keep: dict[str, Any]) -> Path:
    src = connect_readonly(source.db_path)
    try:
        dest = connect(staged, journal="DELETE")
        try:
            copy_database(src, dest)
        finally:
            dest.close()
    finally:
        src.close()
    db = open_db(staged)  # migrates an older backup to this program's schema, on the copy
    try:
        rows = db.execute("SELECT sha256, ext, stored_path FROM evidence_files").fetchall()
        with db.atomic():
            problems = _evidence_row_problems(db.conn)
            if problems:
                raise _refuse(source.db_path, problems)
            for sha, ext, stored_path in rows:
                ext = str(ext or "").lower()
                path = canonical_path(sha, ext)
                # path and type from the hash and the extension, never what the candidate says
                db.execute("UPDATE evidence_files SET stored_path = ?, ext = ?, mime = ? WHERE sha256 = ?",
                           [path, ext, ALLOWED_TYPES[ext], sha])
            for row_id, name in db.execute("SELECT id, original_name FROM entry_evidence").fetchall():
                if clean_display_name(name) != name:  # newline, bidi override: never to the screen
                    db.execute("UPDATE entry_evidence SET original_name = ? WHERE id = ?",
                               [clean_display_name(name), row_id])
            for key, value in keep.items():
                put_setting(db, key, value)
        problems = (schema_problems(db.conn, complete=True) or sqlite_problems(db.conn, full=True)
                    or row_problems(db.conn))
        if problems:
            raise _refuse(source.db_path, problems)
    finally:
        db.close()
    fsync_file(staged)
    return staged


def _install_evidence(
    source: Source, staged: Path, data_dir: Path, *, move: bool, progress: Progress | None
) -> tuple[int, list[str]]:
    """Copy in the files the staged database needs; never over an existing file."""
    conn = connect_readonly(staged)
    try:
        refs = conn.execute("SELECT sha256, stored_path FROM evidence_files").fetchall()
    finally:
        conn.close()
    pool = source.info.evidence if source.info else {}
    missing: list[str] = []
    for n, (sha, stored_path) in enumerate(refs, start=1):
        target = data_dir.joinpath(*stored_path.split("/"))  # canonical: made by _stage from the hash
        if target.exists() or target.is_symlink():
            if not (target.is_file() and sha256_file(target) == sha):
                missing.append(stored_path)  # an existing file is never overwritten
            continue
        name = pool_name(sha, stored_path)
        candidates = [base / name for base in source.evidence_bases]
        rel = safe_relative(pool.get(sha, "")) if sha in pool else None
        if rel is not None:
            candidates = [base / rel for base in source.evidence_bases] + candidates
        for candidate in candidates:
            if not candidate.is_file() or candidate.is_symlink():
                continue
            if move and sha256_file(candidate) == sha:
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    replace_with_retry(candidate, target)  # target checked absent above; we hold the lock
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


def _swap_file(staged: Path, data_dir: Path) -> None:
    """Rename the staged database over ledger.db; on any failure put the previous one back."""
    db_path = data_dir / DB_FILENAME
    aside = data_dir / f"{PREVIOUS_PREFIX}{uuid.uuid4().hex}"
    aside.mkdir()
    moved: list[str] = []
    try:
        # The old WAL belongs to the old file: it moves with it, never replayed onto the new one.
        for suffix in ("", "-wal", "-shm"):
            part = data_dir / f"{DB_FILENAME}{suffix}"
            if part.exists():
                replace_with_retry(part, aside / part.name)
                moved.append(part.name)
        replace_with_retry(staged, db_path)
        fsync_dir(data_dir)
        check_conn = connect_readonly(db_path)
        try:
            problems = schema_problems(check_conn, complete=True) or sqlite_problems(check_conn, full=False)
        finally:
            check_conn.close()
        if problems:
            raise AppError("换入的数据库未通过检查：" + "；".join(problems[:3]))
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"{DB_FILENAME}{suffix}").unlink(missing_ok=True)
        for name in moved:
            replace_with_retry(aside / name, data_dir / name)
        fsync_dir(data_dir)
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _swap_live(staged: Path, db: sqlite_utils.Database, work: Path) -> None:
    """Copy the staged database into the open connection (one transaction); undo on failure."""
    previous = work / "previous.db"
    dest = connect(previous, journal="DELETE")
    try:
        copy_database(db.conn, dest)
    finally:
        dest.close()
    src = connect(staged, readonly=True)
    try:
        copy_database(src, db.conn)
        problems = schema_problems(db.conn, complete=True)
        if problems:
            raise AppError("换入的数据库未通过检查：" + "；".join(problems[:3]))
    except BaseException:
        back = connect(previous, readonly=True)
        try:
            copy_database(back, db.conn)
        finally:
            back.close()
        raise
    finally:
        src.close()


def _machine_settings(data_dir: Path) -> dict[str, Any]:
    """Settings of this PC (mirror folder, last backup result, the editor's unsaved typing) that an old
    backup must not undo."""
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


def restore_backup(
    data_dir: Path,
    source_path: Path,
    *,
    db: sqlite_utils.Database | None = None,
    kind: str = "pre-restore",
    move_evidence: bool = False,
    other_unit_ok: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Replace the ledger in ``data_dir`` with the backup at ``source_path``.

    ``db`` is the open connection of the workspace, if any (GUI); without it the file
    is replaced (start-up with a damaged database, CLI). The state before is saved
    first: restoring ``RestoreResult.safety_copy`` undoes the restore. A backup of
    another unit raises :class:`UnitMismatchError` unless ``other_unit_ok``.
    """
    data_dir = Path(data_dir)
    source = resolve_source(source_path)
    if source.db_path.resolve() == (data_dir / DB_FILENAME).resolve():
        raise AppError("所选文件就是当前正在使用的数据库，不能从它自身恢复。请选择备份文件夹中的备份。")
    try:
        unit = verify_source(source)
    except (OSError, sqlite3.Error) as exc:
        raise app_error_from(exc, doing="读取备份", path=source.db_path) from exc
    current = current_unit(data_dir)
    if unit and current and unit != current and not other_unit_ok:
        raise UnitMismatchError(current, unit)
    if progress:
        progress(0, 1, "正在备份当前数据")
    clean_stale_staging(data_dir)
    keep = _machine_settings(data_dir)
    safety = _safety_copy(data_dir, kind=kind)
    work: Path | None = None
    try:
        staged = _stage(source, data_dir, keep)
        work = staged.parent
        evidence_count, missing = _install_evidence(source, staged, data_dir, move=move_evidence, progress=progress)
        if progress:
            progress(0, 1, "正在恢复数据库")
        if db is not None:
            _swap_live(staged, db, work)
        else:
            _swap_file(staged, data_dir)
    except BaseException as exc:
        where = f"恢复前的数据另存在 {safety}。" if safety is not None else ""
        log.warning("restore from %s failed: %r", source.db_path, exc)
        if isinstance(exc, (OSError, sqlite3.Error)):
            exc = app_error_from(exc, doing="恢复", path=data_dir)
        if isinstance(exc, AppError):
            raise AppError(f"{exc}\n恢复没有完成，当前台账保持原样。{where}") from exc
        raise
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
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


def recovery_offer(data_dir: Path) -> str:
    """What to do about a ledger that will not open (the CLI's counterpart of the GUI dialog)."""
    try:
        from_backups = list_snapshots(backup_root(data_dir))
        good = newest_good_backup(from_backups)
    except OSError:
        good = None
    if good is None:
        return "本机没有找到可用的备份。如有U盘或网络文件夹中的备份，可运行：restore <备份文件夹>。程序不会修改这个文件。"
    return (f"最近的完好备份：{good.created_at:%Y-%m-%d %H:%M}（{good.kind_label}），有 {good.entries} 条台账、"
            f"{good.evidence_files} 个佐证文件。恢复请运行：restore \"{good.path}\"（当前文件会先另存一份，恢复可以撤销）。")
