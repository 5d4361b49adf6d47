"""Verified backups of a data folder, with rotation, a mirror folder and a result record.

Layout of a backup folder (``<data>/backups`` and, optionally, a mirror folder the user
picks, e.g. a USB stick)::

    20231128-175700-123456-daily/   one snapshot
        ledger.db                   consistent copy (SQLite online backup API)
        manifest.json               when, why, entry counts, SHA-256 of ledger.db,
                                    evidence it needs (sha256 -> pool path)
    evidence/ab/<sha256>.<ext>      shared evidence pool, content-addressed

Evidence files are *copied* once into the pool (never hard-linked: a link shares the
bytes, so a damaged or overwritten original would damage its "backup" too). A file
already in the pool is not copied again, so daily backups cost only the database and
new evidence. A snapshot is written to a ``.tmp-*`` folder, checked with
``PRAGMA integrity_check`` and renamed into place only when complete: a power cut
mid-backup leaves no half backup that looks whole.

Rotation keeps the 5 newest snapshots, and the newest of each of the last 7 days,
4 weeks and 12 months that have one; pool files no manifest refers to any more are
then removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import sqlite_utils

from models import __version__
from models.core.errors import AppError
from models.store.faults import app_error_from
from models.core.fileio import fsync_dir, fsync_file, replace_with_retry, sha256_file
from models.safety.backup_record import LAST_RESULT_SETTING
from models.safety.leftovers import BACKUP_DIRNAME
from models.safety.integrity import connect_readonly, safe_relative, sqlite_problems, row_problems
from models.store.settings import PROFILE_KEY, get_setting, put_setting
from models.safety.snapshots import (  # noqa: F401 - re-exported: the backup API in one place
    FORMAT,
    KEEP,
    KIND_LABELS,
    MANIFEST,
    POOL_DIRNAME,
    BackupInfo,
    collect_pool,
    info_as_dict,
    list_snapshots,
    read_manifest,
    rotate_snapshots,
    select_kept,
)
from models.store.connection import DB_FILENAME, connect

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]

MIRROR_SETTING = "backup_mirror_dir"
LEDGER_ID_SETTING = "ledger_id"
STALE_TMP_SECONDS = 3600
BUSY_TIMEOUT_MS = 5000  # another program holding the database: wait this long, then explain
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


class BackupRefusedError(AppError):
    """The database copy failed its checks: no backup was kept (the ledger itself is damaged)."""


@dataclass
class BackupOutcome:
    """What ``backup_now`` did: the kept snapshot(s) and any mirror failure."""

    info: BackupInfo
    mirror: BackupInfo | None = None
    mirror_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.mirror_error and not self.info.missing_evidence


# ---------------------------------------------------------------- helpers


def backup_root(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIRNAME






def copy_verified(source: Path, target: Path, sha256: str) -> bool:
    """Copy ``source`` to ``target`` via a temp file; keep it only if its hash is right."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".part-{uuid.uuid4().hex}")
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            tmp.unlink(missing_ok=True)
            return False
        replace_with_retry(tmp, target)
        return True
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def pool_name(sha256: str, stored_path: str) -> str:
    """Where an evidence file lives in a backup pool (relative POSIX path)."""
    suffix = PurePosixPath(stored_path).suffix.lower()
    return f"{POOL_DIRNAME}/{sha256[:2]}/{sha256}{suffix if _SUFFIX.match(suffix) else ''}"


def side_db(data_dir: Path) -> sqlite_utils.Database:
    """A separate connection: sees only committed data, never joins the GUI's transaction."""
    return sqlite_utils.Database(connect(Path(data_dir) / DB_FILENAME))


def ledger_counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(active entries, deleted entries, evidence files) of a database."""
    active, deleted = conn.execute(
        "SELECT COUNT(*) FILTER (WHERE deleted_at IS NULL), COUNT(*) FILTER (WHERE deleted_at IS NOT NULL) FROM entries"
    ).fetchone()
    files = conn.execute("SELECT COUNT(*) FROM evidence_files").fetchone()[0]
    return int(active or 0), int(deleted or 0), int(files)


def _profile_unit(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", [PROFILE_KEY]).fetchone()
    try:
        return str(json.loads(row[0]).get("unit", "")) if row else ""
    except (ValueError, AttributeError):
        return ""


def _ledger_id(data_dir: Path) -> str:
    """A stable id of this ledger, so rotation in a shared mirror folder leaves other ledgers alone."""
    try:
        db = side_db(data_dir)
        try:
            value = get_setting(db, LEDGER_ID_SETTING)
            if not value:
                value = uuid.uuid4().hex
                with db.atomic():
                    put_setting(db, LEDGER_ID_SETTING, value)
            return str(value)
        finally:
            db.close()
    except (sqlite3.Error, AppError):
        return ""


# ---------------------------------------------------------------- reading snapshots


def mirror_dir(db: sqlite_utils.Database) -> Path | None:
    value = get_setting(db, MIRROR_SETTING)
    return Path(value) if value else None


def set_mirror_dir(db: sqlite_utils.Database, folder: Path | None) -> None:
    if folder is not None:
        folder = Path(folder)
        if not folder.is_dir():
            raise AppError(f"备份文件夹 {folder} 不存在，请先插入U盘或连接网络文件夹。")
    with db.atomic():
        put_setting(db, MIRROR_SETTING, str(folder) if folder else None)


def list_backups(data_dir: Path, *, mirror: Path | None = None) -> list[BackupInfo]:
    """Every snapshot of the data folder's backups and the mirror folder, newest first."""
    found = list_snapshots(backup_root(data_dir))
    if mirror is not None:
        found += list_snapshots(Path(mirror))
    return sorted(found, key=lambda i: i.created_at, reverse=True)


# ---------------------------------------------------------------- making snapshots


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S-%f")


def _clean_stale_tmp(root: Path) -> None:
    """A killed backup leaves a ``.tmp-*`` folder (and ``.part-*`` copies in the pool); it is
    never mistaken for a snapshot. Only old ones: a shared mirror folder may be in use by
    another PC's backup right now (the data folder's own are removed at start-up)."""
    for child in [*root.glob(".tmp-*"), *root.glob(f"{POOL_DIRNAME}/*/.part-*")]:
        try:
            if time.time() - child.stat().st_mtime > STALE_TMP_SECONDS:
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        except OSError:
            pass


def copy_database(src: sqlite3.Connection, dest: sqlite3.Connection) -> None:
    """``src.backup(dest)`` that gives up when another program holds a lock.

    Python retries a busy backup step for ever; a database locked by another program
    would hang the backup (and the program at exit). After ``BUSY_TIMEOUT_MS`` the
    copy is abandoned with SQLite's own "database is locked", which the caller explains.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000

    def watch(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked")

    src.backup(dest, progress=watch, sleep=0.05)  # all pages in one step: a consistent copy


def snapshot_database(source: Path, target: Path) -> None:
    """Copy a live database consistently (online backup API) into a single-file ``target``."""
    if not source.exists():
        raise AppError(f"找不到数据库文件 {source}")
    src = connect(source, readonly=True)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dest = connect(target, journal="DELETE")
        try:
            copy_database(src, dest)  # committed data only: a separate connection
            dest.execute("PRAGMA journal_mode = DELETE")  # self-contained file, no -wal beside it
        finally:
            dest.close()
    finally:
        src.close()


def create_snapshot(
    data_dir: Path,
    *,
    kind: str = "manual",
    root: Path | None = None,
    now: dt.datetime | None = None,
    ledger_id: str = "",
    rotate: bool = True,
    progress: Progress | None = None,
) -> BackupInfo:
    """Make one verified snapshot of ``data_dir`` in ``root`` (default: its backups folder)."""
    data_dir = Path(data_dir)
    root = Path(root) if root is not None else backup_root(data_dir)
    now = now or dt.datetime.now()
    tmp: Path | None = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        _clean_stale_tmp(root)
        name = f"{_stamp(now)}-{kind}"
        while (root / name).exists():
            now += dt.timedelta(microseconds=1)
            name = f"{_stamp(now)}-{kind}"
        tmp = root / f".tmp-{name}"
        tmp.mkdir()
        if progress:
            progress(0, 1, "正在复制数据库")
        snapshot_database(data_dir / DB_FILENAME, tmp / DB_FILENAME)
        conn = connect(tmp / DB_FILENAME, readonly=True)
        try:
            problems = sqlite_problems(conn, full=True) or row_problems(conn)
            if problems:
                raise BackupRefusedError("备份未保存：数据库副本未通过完整性检查（" + "；".join(problems[:3]) + "）。请运行 check 检查数据。")
            entries, deleted, _ = ledger_counts(conn)
            refs = conn.execute("SELECT sha256, stored_path FROM evidence_files ORDER BY sha256").fetchall()
            unit = _profile_unit(conn)
        finally:
            conn.close()
        evidence: dict[str, str] = {}
        missing: list[str] = []
        for n, (sha, stored_path) in enumerate(refs, start=1):
            rel = safe_relative(stored_path)
            target = root / pool_name(sha, stored_path)
            source = data_dir / rel if rel is not None else None
            if target.is_file() and source is not None and source.is_file() and target.stat().st_size == source.stat().st_size:
                os.utime(target)  # in use again: pool clean-up of a shared folder leaves recent files alone
                evidence[sha] = pool_name(sha, stored_path)
            elif source is not None and source.is_file() and copy_verified(source, target, sha):
                evidence[sha] = pool_name(sha, stored_path)
            elif target.is_file():
                evidence[sha] = pool_name(sha, stored_path)  # original lost, but an earlier backup has it
            else:
                missing.append(stored_path)
            if progress:
                progress(n, len(refs), "正在备份佐证材料")
        manifest = {
            "format": FORMAT, "version": 1, "app_version": __version__, "created_at": now.isoformat(),
            "kind": kind, "unit": unit, "ledger_id": ledger_id, "entries": entries, "deleted_entries": deleted,
            "evidence_files": len(refs), "db_sha256": sha256_file(tmp / DB_FILENAME), "evidence": evidence,
            "missing_evidence": missing,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        fsync_file(tmp / DB_FILENAME)
        fsync_file(tmp / MANIFEST)
        final = root / name
        replace_with_retry(tmp, final)
        tmp = None
        fsync_dir(root)
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise app_error_from(exc, doing="备份", path=root) from exc
        raise
    info = read_manifest(final)
    assert info is not None
    if rotate:
        try:
            rotate_snapshots(root, ledger_id=ledger_id)
        except OSError as exc:  # rotation failing must not turn a good backup into a failure
            log.warning("rotation in %s failed: %s", root, exc)
    return info


# ---------------------------------------------------------------- the whole job


def _record(data_dir: Path, result: dict[str, Any]) -> None:
    try:
        db = side_db(data_dir)
        try:
            with db.atomic():
                put_setting(db, LAST_RESULT_SETTING, result)
        finally:
            db.close()
    except (sqlite3.Error, AppError) as exc:  # e.g. disk full: the caller still sees the outcome
        log.warning("could not record backup result: %s", exc)


def backup_now(
    data_dir: Path, *, kind: str = "manual", to: Path | None = None, progress: Progress | None = None
) -> BackupOutcome:
    """Back up to the data folder's backups folder (or ``to``) and to the mirror folder.

    The result is recorded in the ``last_backup`` setting, failure included, so the GUI
    can show it. Raises AppError when the main backup fails.
    """
    data_dir = Path(data_dir)
    at = dt.datetime.now().isoformat(timespec="seconds")
    mirror: Path | None = None
    try:
        db = side_db(data_dir)
        try:
            mirror = mirror_dir(db)
        finally:
            db.close()
    except (sqlite3.Error, AppError):
        pass
    ledger_id = _ledger_id(data_dir)
    try:
        info = create_snapshot(data_dir, kind=kind, root=to, ledger_id=ledger_id, progress=progress)
    except AppError as exc:
        _record(data_dir, {"ok": False, "at": at, "kind": kind, "message": str(exc), "path": ""})
        raise
    outcome = BackupOutcome(info=info)
    if mirror is not None and to is None:
        try:
            if not mirror.is_dir():
                raise AppError(f"备份文件夹 {mirror} 不存在（U盘未插入或网络文件夹未连接）。")
            outcome.mirror = create_snapshot(data_dir, kind=kind, root=mirror, ledger_id=ledger_id)
        except AppError as exc:
            outcome.mirror_error = str(exc)
    message = f"已备份 {info.entries} 条台账、{info.evidence_files} 个佐证文件"
    if info.missing_evidence:
        message += f"；{len(info.missing_evidence)} 个佐证文件缺失或损坏，未能备份，请运行检查"
    if outcome.mirror_error:
        message += f"；备份到备份文件夹失败：{outcome.mirror_error}"
    _record(data_dir, {
        "ok": outcome.ok, "at": at, "kind": kind, "message": message, "path": str(info.path),
        "mirror_path": str(outcome.mirror.path) if outcome.mirror else "",
    })
    return outcome


def verify_snapshot_db(info: BackupInfo) -> list[str]:
    """Problems of a snapshot's database copy (hash from the manifest, integrity check)."""
    if not info.db_path.is_file():
        return [f"备份中缺少数据库文件 {info.db_path}"]
    if info.db_sha256 and sha256_file(info.db_path) != info.db_sha256:
        return ["备份中的数据库文件与备份时记录的哈希值不符（备份已损坏）"]
    conn = connect_readonly(info.db_path)
    try:
        return sqlite_problems(conn, full=True) or row_problems(conn)
    finally:
        conn.close()
