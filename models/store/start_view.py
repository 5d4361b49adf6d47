"""What the GUI shows first, kept from the last time it was worked out (issue 16).

A worker opens the program many times a day and the ledger rarely changed in between: the
工作台's statuses are worked out again only when something they depend on did. The view
(plain JSON, made and read by ``ui.dashboard_view``) is kept in the user's cache folder
with what it was worked out from:

- the ledger's **revision token**, which every insert, update and delete replaces in the
  same transaction (triggers, ``models.store.migrations.m006_revision``), whoever writes:
  this program, its command line, a restore (a backup brings its own token back, with its
  own content);
- the **key**: the view's format, the program's version (its rules), the day (deadlines and
  pace move with it) and the task-list files (name, size, time) of the data folder and of
  the program.

One file per folder and day: the program keeps, as it closes, the views of the next few days
as well (``ui.dashboard_view.keep_for_next_start``), so that the first start of a day is not
the one start that works everything out; keeping a view prunes the folder's days gone by.

Anything else (no file, another folder's, another token or key, unreadable) is no view:
the caller works the statuses out from the ledger, as it always could.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import zlib
from pathlib import Path
from typing import Any

from models import __version__
from models.catalog.locations import tasklist_folders
from models.core.paths import user_cache_dir

# Bump when the files change shape or the engine's rules change what a kept view would say
# (the program's version is in the key too, but a fix shipped under the same version number
# would otherwise show yesterday's rules until the next day). 2: one file per folder and day;
# 3: a deadline met late leaves the due list.
VIEW_FORMAT = 3
log = logging.getLogger(__name__)


def revision_token(conn: sqlite3.Connection) -> str | None:
    """The ledger's revision token (32 hex digits), or None for a ledger that has none yet."""
    try:
        row = conn.execute("SELECT token FROM revision WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # made before m006: migrated at its opening
        return None
    return str(row[0]) if row else None


def _tasklist_signature(data_dir: Path) -> str:
    parts = []
    for folder in tasklist_folders(data_dir):
        try:
            with os.scandir(folder) as found:
                files = sorted((e.name, e.stat()) for e in found if e.is_file())
        except OSError:
            continue
        parts.extend(f"{folder.name}/{name}:{st.st_size}:{st.st_mtime_ns}" for name, st in files)
    return ";".join(parts)


def view_key(data_dir: Path, *, today: dt.date | None = None) -> str:
    """What a kept view depends on beside the ledger's content."""
    day = (today or dt.date.today()).isoformat()
    return f"{VIEW_FORMAT}|{__version__}|{day}|{_tasklist_signature(Path(data_dir))}"


def _key_day(key: str) -> str:
    return key.split("|")[2]


def _folder_id(data_dir: Path) -> str:
    return os.path.normcase(os.path.abspath(data_dir))


def _folder_stem(data_dir: Path) -> str:
    return f"{zlib.crc32(_folder_id(data_dir).encode('utf-8')):08x}"


def view_file(data_dir: Path, day: str | None = None) -> Path:
    """Where the view of ``data_dir`` for ``day`` (ISO date, today by default) is kept."""
    return user_cache_dir() / "start" / f"{_folder_stem(data_dir)}.{day or dt.date.today().isoformat()}.json"


def load_view(data_dir: Path, *, token: str | None, key: str) -> dict[str, Any] | None:
    """The view kept for ``data_dir`` at ``token`` and ``key``; None when there is none."""
    if not token:
        return None
    try:
        doc = json.loads(view_file(data_dir, _key_day(key)).read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("view"), dict):
        return None
    if (doc.get("folder"), doc.get("token"), doc.get("key")) != (_folder_id(data_dir), token, key):
        return None
    return doc["view"]


def save_view(data_dir: Path, *, token: str | None, key: str, view: dict[str, Any]) -> bool:
    """Keep ``view`` for the next start; False (and nothing kept) when it cannot be written.

    Written whole to a temporary name and renamed over the old one, so a kill at any moment
    leaves either view, never half of one. A cache: failing to write it is never an error.
    """
    if not token:
        return False
    target = view_file(data_dir, _key_day(key))
    partial = target.with_name(f"{target.stem}.{os.getpid()}.tmp")
    doc = {"folder": _folder_id(data_dir), "token": token, "key": key, "view": view}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        log.info("start view not kept: %s", exc)
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    _prune(data_dir)
    return True


def _prune(data_dir: Path) -> None:
    """This folder's views of the days gone by (and of the one-file format before them)."""
    stem, today = _folder_stem(data_dir), dt.date.today().isoformat()
    try:
        with os.scandir(user_cache_dir() / "start") as found:
            old = [e.path for e in found if e.name.startswith(f"{stem}.") and e.name.endswith(".json")
                   and e.name[len(stem) + 1:-len(".json")] < today]
        for path in old:
            os.unlink(path)
    except OSError as exc:  # a cache: what stays is never used (its day is over)
        log.info("old start views not pruned: %s", exc)
