"""Move a unit's whole ledger to another PC: one zip archive with a SHA-256 manifest.

Contents (nothing else is accepted on import)::

    manifest.json               format, time, unit, counts, {name: {sha256, size}}
    ledger.db                   consistent snapshot (online backup API), with settings
    settings.json               the settings table, readable without SQLite
    evidence/ab/<sha256>.<ext>  every evidence file the database refers to

Import trusts nothing: member names must match the list above (no ``..``, no absolute
paths, no links), sizes and counts are capped (zip bombs), every file's SHA-256 and
size must equal the manifest's, the database must pass ``integrity_check``. Files are
extracted into a temporary folder beside the target; only a fully verified archive
is installed (through :func:`models.safety.restore.restore_backup`, so the target's previous
state, if any, is backed up first). A refused archive leaves the target untouched.
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
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from models import __version__
from models.safety.backup import (
    LAST_RESULT_SETTING,
    MIRROR_SETTING,
    ledger_counts,
    pool_name,
    side_db,
    snapshot_database,
)
from models.core.errors import AppError
from models.store.faults import app_error_from, explain
from models.safety.leftovers import EXPORT_PREFIX, IMPORT_PREFIX, clean_stale_imports
from models.safety.integrity import connect_readonly, row_problems, safe_relative, sqlite_problems
from models.safety.restore import RestoreResult, canonical_path, restore_backup
from models.store.settings import PROFILE_KEY, put_setting
from models.store.connection import DB_FILENAME, connect, not_a_regular_file
from models.core.fileio import replace_with_retry

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
FORMAT = "zhonglou-ledger-archive"
SUFFIX = ".zip"
SEAL_PREFIX = b"ZLSEAL1:"
MAX_MEMBERS = 200_000
MAX_TOTAL_BYTES = 64 * 1024**3
MAX_MANIFEST_BYTES = 64 * 1024**2
MAX_RATIO = 200  # uncompressed/compressed beyond this is a bomb, not a ledger
_MEMBER = re.compile(r"^(manifest\.json|ledger\.db|settings\.json|evidence/[0-9a-f]{2}/[0-9a-f]{64}(\.[a-z0-9]{1,10})?)$")
_MACHINE_SETTINGS = (MIRROR_SETTING, LAST_RESULT_SETTING)  # meaningless on another PC


@dataclass
class ArchiveInfo:
    path: Path
    entries: int
    evidence_files: int
    size: int
    missing_evidence: list[str] = field(default_factory=list)


def _seal(path: Path) -> None:
    """Put the SHA-256 of every byte before the zip comment into the comment.

    Zip CRCs do not cover names, dates or the directory; the seal does, so a single
    flipped byte anywhere in the file is refused, not only one inside a member.
    """
    with open(path, "rb+") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        prefix = end - len(SEAL_PREFIX) - 64 - 2
        handle.seek(0)
        digest = hashlib.sha256()
        remaining = prefix
        while remaining > 0:
            chunk = handle.read(min(1 << 20, remaining))
            digest.update(chunk)
            remaining -= len(chunk)
        handle.seek(end - 64)
        handle.write(digest.hexdigest().encode("ascii"))
        handle.flush()
        os.fsync(handle.fileno())


def _verify_seal(path: Path) -> None:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        tail = len(SEAL_PREFIX) + 64
        if end < tail + 22:
            raise _bad("文件过短，不是本程序导出的迁移包")
        handle.seek(end - tail - 2)
        trailer = handle.read(tail + 2)
        if trailer[:2] != tail.to_bytes(2, "little") or not trailer[2:].startswith(SEAL_PREFIX):
            raise _bad("文件末尾缺少校验封印，不是本程序导出的迁移包或已损坏")
        expected = trailer[2 + len(SEAL_PREFIX):].decode("ascii", "replace")
        handle.seek(0)
        digest = hashlib.sha256()
        remaining = end - tail - 2
        while remaining > 0:
            chunk = handle.read(min(1 << 20, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
    if digest.hexdigest() != expected:
        raise _bad("整个文件的校验值不符（文件在复制或传输中损坏）")


def _bad(reason: str) -> AppError:
    return AppError(f"迁移包无法导入：{reason}。目标数据文件夹没有任何改动。")


# ---------------------------------------------------------------- export


def _write_member(zf: zipfile.ZipFile, name: str, source: Path, *, compress: bool) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    info = zipfile.ZipInfo(name, date_time=dt.datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with open(source, "rb") as src, zf.open(info, "w", force_zip64=True) as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def export_archive(data_dir: Path, target: Path, *, progress: Progress | None = None) -> ArchiveInfo:
    """Write the whole ledger of ``data_dir`` into the archive file ``target``.

    Written to ``target.part`` and renamed when complete: a full disk or a pulled USB
    stick leaves no half archive under the real name (and an older one stays as it was).
    """
    data_dir, target = Path(data_dir), Path(target)
    if target.suffix.lower() != SUFFIX:
        target = target.with_name(target.name + SUFFIX)
    part = target.with_name(target.name + ".part")
    work = None
    try:
        clean_stale_imports(data_dir)
        _clean_stale_part(part)
        work = Path(tempfile.mkdtemp(prefix=EXPORT_PREFIX, dir=data_dir))
        snapshot_database(data_dir / DB_FILENAME, work / DB_FILENAME)
        conn = connect(work / DB_FILENAME, readonly=True)
        try:
            problems = sqlite_problems(conn, full=True) or row_problems(conn)
            if problems:
                raise AppError("数据库未通过完整性检查，不能导出（请运行 check 查看详情）：" + "；".join(problems[:3]))
            entries, _, _ = ledger_counts(conn)
            refs = conn.execute("SELECT sha256, stored_path FROM evidence_files ORDER BY sha256").fetchall()
            settings = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM settings")}
        finally:
            conn.close()
        for key in _MACHINE_SETTINGS:
            settings.pop(key, None)
        (work / "settings.json").write_text(json.dumps(settings, ensure_ascii=False, indent=1), encoding="utf-8")
        files: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(part, "w", allowZip64=True) as zf:
            for name in (DB_FILENAME, "settings.json"):
                sha, size = _write_member(zf, name, work / name, compress=True)
                files[name] = {"sha256": sha, "size": size}
            for n, (sha, stored_path) in enumerate(refs, start=1):
                rel = safe_relative(stored_path)
                source = data_dir / rel if rel is not None else None
                name = pool_name(sha, stored_path)
                if source is None or not source.is_file():
                    missing.append(stored_path)
                    continue
                got, size = _write_member(zf, name, source, compress=False)  # photos/PDFs are compressed already
                if got != sha:
                    missing.append(stored_path)  # damaged on disk: the manifest must not vouch for it
                    continue
                files[name] = {"sha256": got, "size": size}
                if progress:
                    progress(n, len(refs), "正在打包佐证材料")
            manifest = {
                "format": FORMAT, "version": 1, "app_version": __version__,
                "created_at": dt.datetime.now().isoformat(timespec="seconds"),
                "unit": (settings.get(PROFILE_KEY) or {}).get("unit", ""), "entries": entries,
                "evidence_files": len(refs), "missing_evidence": missing, "files": files,
            }
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            zf.comment = SEAL_PREFIX + b"0" * 64  # filled in by _seal once the file is complete
        if missing:
            # A file damaged on disk was written before its hash was known: rewrite without it.
            _drop_unlisted(part, set(files) | {"manifest.json"})
        _seal(part)
        replace_with_retry(part, target)
    except BaseException as exc:
        part.unlink(missing_ok=True)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise app_error_from(exc, doing="导出迁移包", path=target.parent) from exc
        raise
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return ArchiveInfo(path=target, entries=entries, evidence_files=len(refs) - len(missing),
                       size=target.stat().st_size, missing_evidence=missing)


def _clean_stale_part(part: Path) -> None:
    """A killed export leaves ``<name>.zip.part`` (and its rebuild ``.part.tmp``) in the user's folder."""
    for leftover in (part, part.with_name(part.name + ".tmp")):
        try:
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink()
        except OSError:
            pass


def _drop_unlisted(path: Path, keep: set[str]) -> None:
    rebuilt = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rebuilt, "w", allowZip64=True) as dst:
        dst.comment = src.comment
        for info in src.infolist():
            if info.filename in keep:
                with src.open(info) as data, dst.open(info, "w", force_zip64=True) as out:
                    shutil.copyfileobj(data, out, 1 << 20)
    replace_with_retry(rebuilt, path)


# ---------------------------------------------------------------- import


def _read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = zf.getinfo("manifest.json")
    except KeyError:
        raise _bad("缺少清单文件 manifest.json，这不是本程序导出的迁移包") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _bad("清单文件过大")
    try:
        manifest = json.loads(zf.read(info).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise _bad("清单文件 manifest.json 已损坏") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad("这不是本程序导出的迁移包")
    files = manifest.get("files")
    if not isinstance(files, dict) or DB_FILENAME not in files:
        raise _bad("清单中没有数据库文件")
    for name, meta in files.items():
        if (not isinstance(name, str) or not _MEMBER.match(name) or not isinstance(meta, dict)
                or not re.fullmatch(r"[0-9a-f]{64}", str(meta.get("sha256", "")))
                or not isinstance(meta.get("size"), int) or meta["size"] < 0):
            raise _bad(f"清单中的条目无效：{str(name)[:80]}")
    return manifest


def _check_members(zf: zipfile.ZipFile, manifest: dict[str, Any], free_bytes: int) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _bad("文件数量过多")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _bad("包内有重复的文件名")
    total = 0
    for info in infos:
        if not _MEMBER.match(info.filename):
            raise _bad(f"包内有不允许的文件 {info.filename[:80]}（可能试图写到数据文件夹以外）")
        if info.external_attr >> 28 == 0xA or info.is_dir():  # symlink or folder entry
            raise _bad(f"包内有不允许的链接或文件夹 {info.filename[:80]}")
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bad(f"文件 {info.filename} 的压缩比异常（疑似压缩炸弹）")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _bad("解压后的总大小超过上限")
    if total > free_bytes:
        raise AppError(f"磁盘空间不足：迁移包解压后约需 {total / 1024**2:.0f} MB，目标位置只剩 {free_bytes / 1024**2:.0f} MB。目标数据文件夹没有任何改动。")
    listed = set(manifest["files"])
    present = set(names) - {"manifest.json"}
    if present != listed:
        extra, lacking = sorted(present - listed), sorted(listed - present)
        detail = f"缺少 {lacking[0]}" if lacking else f"多出未登记的文件 {extra[0]}"
        raise _bad(f"包内文件与清单不一致（{detail}）")
    return [i for i in infos if i.filename != "manifest.json"]


def _extract_verified(zf: zipfile.ZipFile, info: zipfile.ZipInfo, meta: dict[str, Any], work: Path) -> None:
    target = work.joinpath(*info.filename.split("/"))
    if work.resolve() not in target.resolve().parents:  # belt and braces; names are whitelisted
        raise _bad(f"路径不安全：{info.filename}")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with zf.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            size += len(chunk)
            if size > meta["size"]:
                raise _bad(f"文件 {info.filename} 比清单登记的大")
            digest.update(chunk)
            out.write(chunk)
    if size != meta["size"] or digest.hexdigest() != meta["sha256"]:
        raise _bad(f"文件 {info.filename} 的校验值与清单不符（文件已损坏或被改动）")


def target_entry_count(data_dir: Path) -> int:
    path = Path(data_dir) / DB_FILENAME
    if not path.exists():
        return 0
    if not_a_regular_file(path):
        return -1  # a pipe or device named ledger.db: never opened
    try:
        conn = connect_readonly(path)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, AppError):
        return -1  # unreadable: treat as "has data", never overwrite silently


def import_archive(
    archive: Path,
    data_dir: Path,
    *,
    force: bool = False,
    db: Any = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Verify ``archive`` completely, then install it into ``data_dir``.

    Refuses (AppError, nothing changed) a damaged or foreign archive, and a target that
    already holds entries unless ``force``; with ``force`` the target is backed up first.
    ``db`` is the target's open connection when the GUI imports into its own folder.
    """
    archive, data_dir = Path(archive), Path(data_dir)
    existing = target_entry_count(data_dir)
    if existing and not force:
        what = f"已有 {existing} 条台账" if existing > 0 else "已有无法读取的数据库"
        raise AppError(f"目标数据文件夹 {data_dir} {what}。为免覆盖，没有导入；确需替换请使用 --force（当前数据会先备份）。")
    work: Path | None = None
    created = False
    ok = False
    try:
        try:
            if archive.exists() and not archive.is_file():  # a pipe would block the read for ever
                raise _bad("所选路径不是普通文件（可能是文件夹、设备或管道）")
            _verify_seal(archive)
            zf = zipfile.ZipFile(archive)
        except FileNotFoundError:
            raise AppError(f"找不到迁移包 {archive}") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile) and exc.errno is not None:
                raise app_error_from(exc, doing="读取迁移包", path=archive) from exc
            raise _bad("文件已损坏或不是 zip 格式的迁移包") from None
        with zf:
            manifest = _read_manifest(zf)
            existing_dir = data_dir
            while not existing_dir.exists() and existing_dir.parent != existing_dir:
                existing_dir = existing_dir.parent
            members = _check_members(zf, manifest, shutil.disk_usage(existing_dir).free)
            created = not data_dir.exists()
            data_dir.mkdir(parents=True, exist_ok=True)
            clean_stale_imports(data_dir)
            # Unpacked inside the data folder (same drive, so evidence moves instead of
            # copying); a killed import's folder is removed by the next one or at start-up.
            work = Path(tempfile.mkdtemp(prefix=IMPORT_PREFIX, dir=data_dir))
            for n, info in enumerate(members, start=1):
                _extract_verified(zf, info, manifest["files"][info.filename], work)
                if progress:
                    progress(n, len(members), "正在校验迁移包")
        conn = connect_readonly(work / DB_FILENAME)
        try:
            problems = sqlite_problems(conn, full=True)
            if problems:
                raise _bad("包内数据库未通过完整性检查（" + "；".join(problems[:3]) + "）")
            refs = conn.execute("SELECT sha256, ext, stored_path FROM evidence_files").fetchall()
        except sqlite3.DatabaseError as exc:
            raise _bad(f"包内数据库无法读取（{explain(exc)}）") from None
        finally:
            conn.close()
        allowed_missing = set(manifest.get("missing_evidence") or [])
        for sha, ext, stored_path in refs:
            # Where the file is installed comes from its hash and type, never from the row's path.
            if (canonical_path(str(sha), str(ext or "").lower()) not in manifest["files"]
                    and stored_path not in allowed_missing):
                raise _bad(f"包内缺少佐证文件 {stored_path}")
        # Lay the unpacked files out as restore expects: evidence at its stored path.
        result = restore_backup(data_dir, work, db=db, kind="pre-import", move_evidence=True,
                                other_unit_ok=force, progress=progress)
        ok = True
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        log.info("archive %s unreadable: %r", archive, exc)  # "Bad CRC-32 ...": the log, not the screen
        raise _bad("文件已损坏（包内文件的校验值不符或无法解压）") from None
    except (OSError, sqlite3.Error) as exc:
        raise app_error_from(exc, doing="导入迁移包", path=data_dir) from exc
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        if created and not ok:
            shutil.rmtree(data_dir, ignore_errors=True)  # a refused import into a new folder leaves no trace
    _forget_machine_settings(data_dir, db)
    return result


def _forget_machine_settings(data_dir: Path, db: Any) -> None:
    target = db if db is not None else side_db(data_dir)
    try:
        with target.atomic():
            for key in _MACHINE_SETTINGS:
                put_setting(target, key, None)
    except (sqlite3.Error, AppError):
        pass  # harmless leftovers: a backup to a missing mirror is reported, not fatal
    finally:
        if db is None:
            target.close()
