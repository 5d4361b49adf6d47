"""Which unit a data folder belongs to, read without opening the ledger for writing.

The GUI draws its window (title, navigation) from this before the start-up check and the
real opening run, so the first paint waits for neither. Nothing here can write: the file
is opened read-only, and any doubt (no file, no profile, unreadable, damaged, a unit the
district's list does not know) answers None, which sends the caller down the ordinary path
that checks and explains.

It is on the path to the first paint, so it reads the district's unit list with ``json``
alone: the catalog's loader (``models.catalog.units``, with its dataclasses and checks)
validates the same file when the ledger is really opened, a moment later.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import NamedTuple

from models.catalog.locations import available_years
from models.core.errors import AppError
from models.core.paths import resource_path
from models.store.connection import DB_FILENAME, connect
from models.store.start_view import revision_token

PROFILE_KEY = "profile"  # models.store.settings.PROFILE_KEY (a test keeps the two equal)


class FolderUnit(NamedTuple):
    """The unit a folder's profile names, as far as the window's frame needs it."""

    name: str
    kind: str
    revision: str | None = None  # the ledger's revision token (models.store.start_view)
    year: int | None = None  # the working year (the profile's)
    years: tuple[int, ...] = ()  # every year with a task list here, installed or bundled


def unit_kind(name: str, units_file: Path | None = None) -> str | None:
    """The kind of the unit called ``name`` (or by one of its aliases) in the unit list."""
    doc = json.loads((units_file or resource_path("units.json")).read_text(encoding="utf-8"))
    for raw in doc["units"]:
        if name == raw["name"] or name in raw.get("aliases", ()):
            return str(raw["kind"])
    return None


def peek_unit(data_dir: Path) -> FolderUnit | None:
    """The unit of the profile stored in ``data_dir``'s ledger, or None when in any doubt."""
    path = Path(data_dir) / DB_FILENAME
    if not path.is_file():
        return None
    try:
        conn = connect(path, readonly=True)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", [PROFILE_KEY]).fetchone()
            revision = revision_token(conn)
        finally:
            conn.close()
        profile = json.loads(row[0]) if row else {}
        name = profile.get("unit")
        kind = unit_kind(name) if isinstance(name, str) else None
        if not kind:
            return None
        year = profile.get("year")
        year = year if isinstance(year, int) and not isinstance(year, bool) else None
        return FolderUnit(name, kind, revision, year, tuple(available_years(data_dir=Path(data_dir))))
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, AttributeError, AppError):
        return None
