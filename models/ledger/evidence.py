"""Evidence files (佐证材料): photos, PDFs and Office documents attached to entries.

Files are copied into the data folder, content-addressed by SHA-256
(``evidence/ab/<sha256>.<ext>``), so the same file attached twice is stored once and
a source that later vanishes (USB stick removed) changes nothing. A file is checked
(type, size, content; models.ledger.evidence_checks) before anything is written; it is copied to a temporary file in
its final folder, fsynced and renamed into place; the database rows then go in one
transaction, audit-logged against the entry (actions ``attach`` / ``detach``).
Removing an attachment unlinks it from the entry; the stored file stays, because other
entries and the audit trail may still refer to it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable

from models.catalog.schema import Task, TaskList
from models.core.errors import AppError, ValidationError
from models.core.fileio import fsync_dir, replace_with_retry
from models.store.faults import explain
from models.core.filetypes import IMAGE_TYPES
from models.core.text import clean_display_name
from models.ledger.evidence_checks import (
    MAX_FILE_SIZE, _check_size, _extension, _inspect_content, _source_stat, inspect_file,
)
from models.ledger.validation import EntryDraft, clean_entry
from models.ledger.entries import add_entries, get_entry, update_entry
from models.ledger.locks import ensure_month_open
from models.store.audit import record_change

if TYPE_CHECKING:
    import sqlite_utils

EVIDENCE_DIR = "evidence"
THUMBNAIL_DIR = "thumbnails"
THUMBNAIL_SIZE = 160
FIELD_LABEL = "佐证材料"


@dataclass(frozen=True)
class Attachment:
    id: int
    entry_id: int
    sha256: str
    original_name: str
    size: int
    ext: str
    mime: str
    stored_path: str  # relative to the data folder, POSIX style
    width: int | None = None
    height: int | None = None
    added_at: str = ""

    @property
    def is_image(self) -> bool:
        return self.ext in IMAGE_TYPES

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredFile:
    """A checked file, copied into the store, not yet linked to any entry."""

    original_name: str
    sha256: str
    size: int
    ext: str
    mime: str
    stored_path: str
    width: int | None
    height: int | None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _copy_aside(source: Path, folder: Path) -> tuple[Path, str, int]:
    """Copy ``source`` into a temp file in ``folder``: (temp path, SHA-256 and size of the bytes copied).

    Refused when the source changes while it is copied (size or modification time
    differ before and after, or it yields more bytes than the size limit).
    """
    before = _source_stat(source)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=folder)
    tmp = Path(tmp_name)
    try:
        import hashlib  # not at import: the ledger page lists entries without hashing

        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out, source.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                size += len(block)
                if size > MAX_FILE_SIZE:
                    raise AppError("文件在复制过程中变大了，请等它保存完再添加")
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        after = _source_stat(source)
        if (size != before.st_size or after.st_size != before.st_size
                or after.st_mtime_ns != before.st_mtime_ns):
            raise AppError("文件在复制过程中被改动，请等它保存完后重新添加")
        return tmp, digest.hexdigest(), size
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def store_file(data_dir: Path, source: Path) -> StoredFile:
    """Check ``source`` and copy it into the evidence store (once per content).

    What is stored is what was hashed: the bytes are copied once, hashed on the way,
    and the copy (not the source) is inspected, so a source that changes meanwhile
    can neither slip past the checks nor be recorded with the wrong size or hash.
    """
    source = Path(source)
    info = _source_stat(source)  # kind, type and size before anything is copied
    ext = _extension(source)
    _check_size(info.st_size)
    staging = Path(data_dir) / EVIDENCE_DIR
    try:
        tmp, sha, size = _copy_aside(source, staging)
    except OSError as exc:
        raise AppError(f"无法复制文件：{explain(exc)}") from None
    try:
        _check_size(size)
        ext, mime, width, height, size = _inspect_content(tmp, ext, size)
        stored_path = f"{EVIDENCE_DIR}/{sha[:2]}/{sha}.{ext}"
        target = Path(data_dir) / stored_path
        if not (target.is_file() and target.stat().st_size == size):
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_with_retry(tmp, target)
            fsync_dir(target.parent)
    except OSError as exc:
        raise AppError(f"无法复制文件：{explain(exc)}") from None
    finally:
        tmp.unlink(missing_ok=True)
    stored = StoredFile(original_name=clean_display_name(source.name), sha256=sha, size=size, ext=ext, mime=mime,
                        stored_path=stored_path, width=width, height=height)
    if ext in IMAGE_TYPES:
        try:
            thumbnail_path(data_dir, stored_path)
        except AppError:
            pass  # a thumbnail is a convenience; it is made again when shown
    return stored


def file_problems(sources: Iterable[Path]) -> list[tuple[str, str]]:
    """One (field, message) per file that cannot be stored, naming the file."""
    problems = []
    for source in sources:
        try:
            inspect_file(source)
        except AppError as exc:
            problems.append((FIELD_LABEL, f"{source.name}：{exc}"))
    return problems


def store_files(data_dir: Path, sources: Iterable[Path]) -> list[StoredFile]:
    """Check every file first (one ValidationError naming each bad file), then store them."""
    sources = [Path(s) for s in sources]
    problems = file_problems(sources)
    if problems:
        raise ValidationError(problems)
    return _store_checked(data_dir, sources)


def _store_checked(data_dir: Path, sources: list[Path]) -> list[StoredFile]:
    stored = []
    for source in sources:
        try:
            stored.append(store_file(data_dir, source))
        except AppError as exc:
            raise ValidationError([(FIELD_LABEL, f"{source.name}：{exc}")]) from None
    return stored


# ---------------------------------------------------------------- database

_SELECT = (
    "SELECT v.id, v.entry_id, v.sha256, v.original_name, v.added_at, f.size, f.ext, f.mime, f.stored_path,"
    " f.width, f.height FROM entry_evidence v JOIN evidence_files f ON f.sha256 = v.sha256"
)


def _attachment(row: dict[str, Any]) -> Attachment:
    return Attachment(
        id=row["id"], entry_id=row["entry_id"], sha256=row["sha256"],
        original_name=clean_display_name(row["original_name"]),  # also names that came in by an archive
        size=row["size"], ext=row["ext"], mime=row["mime"], stored_path=row["stored_path"],
        width=row["width"], height=row["height"], added_at=row["added_at"],
    )


def _audit(db: sqlite_utils.Database, *, actor: str, action: str, entry_id: int, before: Any, after: Any) -> None:
    # Logged against the entry so that audit_trail(entry) shows its files too.
    record_change(db, actor=actor, action=action, table="entries", row_id=entry_id, before=before, after=after)


def _open_entry(db: sqlite_utils.Database, entry_id: int) -> None:
    entry = get_entry(db, entry_id)
    if entry.deleted_at:
        raise AppError("该台账已删除，请先恢复再修改佐证材料。")
    ensure_month_open(db, entry.entry_date)


def link_file(db: sqlite_utils.Database, entry_id: int, stored: StoredFile, *, actor: str) -> Attachment:
    """Link a stored file to an entry (inside the caller's transaction). Idempotent."""
    db.execute(
        "INSERT OR IGNORE INTO evidence_files(sha256, size, ext, mime, stored_path, width, height, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [stored.sha256, stored.size, stored.ext, stored.mime, stored.stored_path, stored.width, stored.height, _now()],
    )
    existing = list(db.query(f"{_SELECT} WHERE v.entry_id = ? AND v.sha256 = ?", [entry_id, stored.sha256]))
    if existing:
        return _attachment(existing[0])
    cursor = db.execute(
        "INSERT INTO entry_evidence(entry_id, sha256, original_name, added_at) VALUES (?, ?, ?, ?)",
        [entry_id, stored.sha256, stored.original_name, _now()],
    )
    db.execute("UPDATE entries SET updated_at = ? WHERE id = ?", [_now(), entry_id])
    attachment = get_attachment(db, int(cursor.lastrowid))  # type: ignore[arg-type]
    _audit(db, actor=actor, action="attach", entry_id=entry_id, before=None, after=attachment.as_dict())
    return attachment


def attach_file(db: sqlite_utils.Database, data_dir: Path, entry_id: int, source: Path, *, actor: str) -> Attachment:
    """Copy ``source`` into the data folder and attach it to the entry."""
    _open_entry(db, entry_id)
    stored = store_file(data_dir, source)
    with db.atomic():
        _open_entry(db, entry_id)
        return link_file(db, entry_id, stored, actor=actor)


def _unlink(db: sqlite_utils.Database, attachment_id: int, *, actor: str) -> None:
    attachment = get_attachment(db, attachment_id)
    _open_entry(db, attachment.entry_id)
    db.execute("DELETE FROM entry_evidence WHERE id = ?", [attachment_id])
    db.execute("UPDATE entries SET updated_at = ? WHERE id = ?", [_now(), attachment.entry_id])
    _audit(db, actor=actor, action="detach", entry_id=attachment.entry_id, before=attachment.as_dict(), after=None)


def remove_attachment(db: sqlite_utils.Database, attachment_id: int, *, actor: str) -> None:
    with db.atomic():
        _unlink(db, attachment_id, actor=actor)


def get_attachment(db: sqlite_utils.Database, attachment_id: int) -> Attachment:
    rows = list(db.query(f"{_SELECT} WHERE v.id = ?", [attachment_id]))
    if not rows:
        raise AppError(f"找不到编号为 {attachment_id} 的佐证材料")
    return _attachment(rows[0])


def list_attachments(db: sqlite_utils.Database, entry_id: int) -> list[Attachment]:
    return [_attachment(r) for r in db.query(f"{_SELECT} WHERE v.entry_id = ? ORDER BY v.id", [entry_id])]


def attachments_for_entries(db: sqlite_utils.Database, entry_ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """Attachments of many entries at once; every requested id is a key."""
    ids = list(entry_ids)
    found: dict[int, list[Attachment]] = {i: [] for i in ids}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        sql = f"{_SELECT} WHERE v.entry_id IN ({','.join('?' * len(chunk))}) ORDER BY v.id"
        for row in db.query(sql, chunk):
            found[row["entry_id"]].append(_attachment(row))
    return found


# ---------------------------------------------------------------- entry + files together

def add_entry_with_files(
    db: sqlite_utils.Database,
    data_dir: Path,
    tasklist: TaskList,
    tasks: Iterable[Task],
    draft: EntryDraft,
    files: Iterable[Path] = (),
    *,
    actor: str,
    today: dt.date | None = None,
) -> int:
    """A new entry with its files, all or nothing: every check runs before any write."""
    files = [Path(p) for p in files]
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    try:
        clean = clean_entry(draft, list(tasks), year=tasklist.year, today=today)
    except ValidationError as exc:
        problems.extend(exc.problems)
    problems.extend(file_problems(files))  # name bad files even when the entry itself is also wrong
    if problems:
        raise ValidationError(problems)
    ensure_month_open(db, clean["entry_date"])
    stored = _store_checked(data_dir, files)
    with db.atomic():
        entry_id = add_entries(db, tasklist, [(clean, None)], actor=actor)[0]
        for item in stored:
            link_file(db, entry_id, item, actor=actor)
    return entry_id


def update_entry_with_files(
    db: sqlite_utils.Database,
    data_dir: Path,
    tasklist: TaskList,
    tasks: Iterable[Task],
    entry_id: int,
    draft: EntryDraft,
    *,
    add: Iterable[Path] = (),
    remove: Iterable[int] = (),
    actor: str,
    today: dt.date | None = None,
) -> None:
    """Save an edited entry, its new files and its removed attachments in one transaction."""
    tasks = list(tasks)
    add = [Path(p) for p in add]
    clean_entry(draft, tasks, year=tasklist.year, today=today)  # fail before copying any file
    stored = store_files(data_dir, add)
    with db.atomic():
        update_entry(db, tasklist, tasks, entry_id, draft, actor=actor, today=today)
        for attachment_id in remove:
            if get_attachment(db, attachment_id).entry_id != entry_id:
                raise AppError(f"佐证材料 {attachment_id} 不属于该台账")
            _unlink(db, attachment_id, actor=actor)
        for item in stored:
            link_file(db, entry_id, item, actor=actor)


# ---------------------------------------------------------------- files on disk

def evidence_file(data_dir: Path, att_or_stored_path: Attachment | StoredFile | str) -> Path:
    """Absolute path of a stored file. Refuses paths that leave the evidence folder."""
    stored = att_or_stored_path if isinstance(att_or_stored_path, str) else att_or_stored_path.stored_path
    parts = PurePosixPath(stored).parts
    if not parts or parts[0] != EVIDENCE_DIR or ".." in parts or PurePosixPath(stored).is_absolute():
        raise AppError(f"佐证材料路径无效：{stored}")
    return Path(data_dir).joinpath(*parts)


def thumbnail_path(data_dir: Path, att_or_stored_path: Attachment | StoredFile | str, size: int = THUMBNAIL_SIZE) -> Path:
    """A small upright JPEG of an image attachment, made on first use."""
    source = evidence_file(data_dir, att_or_stored_path)
    target = Path(data_dir) / THUMBNAIL_DIR / f"{source.stem}_{size}.jpg"
    if target.is_file():
        return target
    from PIL import Image, UnidentifiedImageError  # image code only once a thumbnail is made

    from models.core.images import save_downscaled_jpeg

    try:
        save_downscaled_jpeg(source, target, pixels=size, quality=85)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        raise AppError(f"无法生成缩略图：{explain(exc)}") from None
    return target
