"""Nothing left behind: what interrupted jobs leave in a data folder is removed.

A job killed mid-way (power cut, Task Manager, a crash) cannot clean up after itself.
Each job cleans its own leftovers when it next runs; ``clean_leftovers`` does all of
them when the program (GUI or a command) opens a folder, under its instance lock, so
nothing else of this folder is running:

- ``.import-*`` / ``.export-*``   archive import and export work folders
- ``.restore-*``                  restore staging folders
- ``.previous-*``                 the ledger set aside during a swap (put back when the
                                  swap never completed, else removed)
- ``backups/.tmp-*``              snapshots being written
- ``.part-*``                     evidence, backup-pool and cached-photo copies in progress
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from glob import escape as glob_escape

from models.store.connection import DB_FILENAME

log = logging.getLogger(__name__)
# The names interrupted jobs leave behind, in one place (this module is on the start path;
# the jobs themselves — backup, restore, archive — are not).
BACKUP_DIRNAME = "backups"
POOL_DIRNAME = "evidence"  # inside a backups folder: the shared pool of evidence files
IMPORT_PREFIX = ".import-"  # an archive being unpacked
EXPORT_PREFIX = ".export-"  # an archive being written
STAGING_PREFIX = ".restore-"  # a restore's candidate, prepared beside the ledger
PREVIOUS_PREFIX = ".previous-"  # the ledger a restore set aside while swapping
PART_FOLDERS = ("evidence", "thumbnails", f"{BACKUP_DIRNAME}/{POOL_DIRNAME}")


def clean_stale_staging(data_dir: Path) -> None:
    """A killed restore or import leaves its staging folder; the next run removes it."""
    for child in Path(data_dir).glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(child, ignore_errors=True)


def clean_stale_imports(data_dir: Path) -> None:
    """Folders and files a killed import or export left behind (``.import-*``, ``.export-*``).

    Also the older layout, which unpacked beside the data folder (``.<name>-import-*``).
    Called by the next import/export and at program start, under the instance lock.
    """
    data_dir = Path(data_dir)
    leftovers = [*data_dir.glob(f"{IMPORT_PREFIX}*"), *data_dir.glob(f"{EXPORT_PREFIX}*")]
    if data_dir.parent != data_dir:
        leftovers += data_dir.parent.glob(f".{glob_escape(data_dir.name)}-import-*")
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _recover_swap(data_dir: Path) -> None:
    for aside in data_dir.glob(f"{PREVIOUS_PREFIX}*"):
        if not aside.is_dir() or aside.is_symlink():
            continue
        if not (data_dir / DB_FILENAME).exists() and (aside / DB_FILENAME).is_file():
            # Killed between moving the old ledger aside and renaming the new one in.
            for suffix in ("", "-wal", "-shm"):
                part = aside / f"{DB_FILENAME}{suffix}"
                if part.exists():
                    os.replace(part, data_dir / part.name)
            log.warning("put back the ledger an interrupted restore had set aside (%s)", aside)
        shutil.rmtree(aside, ignore_errors=True)


def _remove_parts(folder: Path) -> None:
    """``.part-*`` files in ``folder`` and its subfolders (one level: evidence is kept under
    two-letter folders). Plain directory scans: a pathlib glob per subfolder took ~0.2 ms
    each, and an evidence folder has up to 256 of them, at every start."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no such folder, or not one
        return
    subfolders = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
    for found in [entries, *(_scan(sub) for sub in subfolders)]:
        for entry in found:
            if entry.name.startswith(".part-") and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass


def _scan(folder: str) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []


def clean_leftovers(data_dir: Path) -> None:
    """Remove what killed jobs left in ``data_dir``; never raises (a clean-up is not a job)."""
    data_dir = Path(data_dir)
    try:
        _recover_swap(data_dir)
        clean_stale_staging(data_dir)
        clean_stale_imports(data_dir)
        for tmp in (data_dir / BACKUP_DIRNAME).glob(".tmp-*"):
            if tmp.is_dir() and not tmp.is_symlink():
                shutil.rmtree(tmp, ignore_errors=True)
        for name in PART_FOLDERS:
            _remove_parts(data_dir / name)
    except OSError as exc:
        log.warning("clean-up of %s incomplete: %s", data_dir, exc)
