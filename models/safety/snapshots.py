"""Snapshots in a backup folder: what a manifest says, listing, and rotation.

The making of snapshots is in :mod:`models.safety.backup`; this module only reads them and
decides which to keep, so it can be tested on made-up dates.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable

from models.store.connection import DB_FILENAME
from models.safety.leftovers import POOL_DIRNAME

MANIFEST = "manifest.json"
FORMAT = "zhonglou-ledger-backup"
KIND_LABELS = {
    "manual": "手动备份", "daily": "每日自动备份", "exit": "退出时备份",
    "pre-restore": "恢复前自动备份", "pre-import": "导入前自动备份",
}
PROTECTED_KINDS = ("pre-restore", "pre-import")  # the newest of these is never rotated away
RECENT_POOL_SECONDS = 3600
KEEP = {"last": 5, "daily": 7, "weekly": 4, "monthly": 12}
_SNAPSHOT_NAME = re.compile(r"^\d{8}-\d{6}-\d{6}-[a-z-]+$")


@dataclass
class BackupInfo:
    """One snapshot as read from its manifest."""

    path: Path
    created_at: dt.datetime
    kind: str
    entries: int
    deleted_entries: int
    evidence_files: int
    unit: str = ""
    ledger_id: str = ""
    missing_evidence: list[str] = field(default_factory=list)
    db_sha256: str = ""
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def db_path(self) -> Path:
        return self.path / DB_FILENAME


def read_manifest(folder: Path) -> BackupInfo | None:
    """The snapshot in ``folder``, or None when it has no readable manifest."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        return BackupInfo(
            path=folder, created_at=dt.datetime.fromisoformat(data["created_at"]), kind=str(data["kind"]),
            entries=int(data["entries"]), deleted_entries=int(data.get("deleted_entries", 0)),
            evidence_files=int(data.get("evidence_files", 0)), unit=str(data.get("unit", "")),
            ledger_id=str(data.get("ledger_id", "")), missing_evidence=list(data.get("missing_evidence", [])),
            db_sha256=str(data.get("db_sha256", "")), evidence=dict(data.get("evidence", {})),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def list_snapshots(root: Path) -> list[BackupInfo]:
    """Snapshots in one backup folder, newest first."""
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        if child.is_dir() and _SNAPSHOT_NAME.match(child.name):
            info = read_manifest(child)
            if info is not None:
                found.append(info)
    return sorted(found, key=lambda i: (i.created_at, i.path.name), reverse=True)


def select_kept(infos: Iterable[BackupInfo], *, keep: dict[str, int] = KEEP) -> set[Path]:
    """Which snapshots rotation keeps: the newest 5, newest per day (7), ISO week (4), month (12)."""
    ordered = sorted(infos, key=lambda i: (i.created_at, i.path.name), reverse=True)
    kept: set[Path] = set()
    if not ordered:
        return kept
    # The last few whatever their day: a manual backup must not evict this morning's.
    kept.update(i.path for i in ordered[: keep.get("last", 1)])
    buckets: dict[str, Callable[[dt.datetime], Any]] = {
        "daily": lambda d: d.date(),
        "weekly": lambda d: d.isocalendar()[:2],
        "monthly": lambda d: (d.year, d.month),
    }
    for name, key in buckets.items():
        seen: set[Any] = set()
        for info in ordered:
            bucket = key(info.created_at)
            if bucket in seen:
                continue
            if len(seen) >= keep.get(name, 0):
                break
            seen.add(bucket)
            kept.add(info.path)
    for kind in PROTECTED_KINDS:
        newest = next((i for i in ordered if i.kind == kind), None)
        if newest is not None:
            kept.add(newest.path)
    return kept


def rotate_snapshots(root: Path, *, ledger_id: str = "", keep: dict[str, int] = KEEP) -> list[Path]:
    """Delete snapshots of this ledger that rotation does not keep; then unused pool files."""
    mine = [i for i in list_snapshots(root) if i.ledger_id == ledger_id]
    kept = select_kept(mine, keep=keep)
    removed = []
    for info in mine:
        if info.path not in kept:
            shutil.rmtree(info.path, ignore_errors=True)
            removed.append(info.path)
    if removed:
        collect_pool(root)
    return removed


def collect_pool(root: Path) -> int:
    """Remove pool files that no snapshot in ``root`` refers to (any ledger)."""
    used = {PurePosixPath(p).name for info in list_snapshots(root) for p in info.evidence.values()}
    pool = root / POOL_DIRNAME
    removed = 0
    if pool.is_dir():
        recent = time.time() - RECENT_POOL_SECONDS
        for path in pool.glob("*/*"):
            # recent files may belong to a backup still being written (a folder shared by two PCs)
            if path.is_file() and path.name not in used and path.stat().st_mtime < recent:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def info_as_dict(info: BackupInfo) -> dict[str, Any]:
    data = asdict(info)
    data["path"] = str(info.path)
    data["created_at"] = info.created_at.isoformat(timespec="seconds")
    data["kind_label"] = info.kind_label
    data.pop("evidence")
    return data
