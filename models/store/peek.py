"""Which unit a data folder belongs to, read without opening the ledger for writing.

The GUI draws its window (title, navigation) from this before the start-up check and the
real opening run, so the first paint waits for neither. Nothing here can write: the file
is opened read-only, and any doubt (no file, no profile, unreadable, damaged) answers
None, which sends the caller down the ordinary path that checks and explains.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from models.catalog.schema import Unit
from models.catalog.units import find_unit
from models.core.errors import AppError, DataFileError
from models.store.connection import DB_FILENAME, connect
from models.store.settings import PROFILE_KEY


def peek_unit(data_dir: Path) -> Unit | None:
    """The unit of the profile stored in ``data_dir``'s ledger, or None when in any doubt."""
    path = Path(data_dir) / DB_FILENAME
    if not path.is_file():
        return None
    try:
        conn = connect(path, readonly=True)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", [PROFILE_KEY]).fetchone()
        finally:
            conn.close()
        name = json.loads(row[0])["unit"] if row else None
        return find_unit(name) if isinstance(name, str) else None
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, AppError, DataFileError):
        return None
