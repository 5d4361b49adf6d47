"""The Qt client: only widgets, models for views and wiring; all logic is in ``models``.

Importing it loads PySide6 the way ``ui.pyside_boot`` describes: shiboken's support code
compiled once per user, and PySide's question about every later import answered without
reading the module's source.
"""

from __future__ import annotations

from pathlib import Path

from models.core.paths import user_cache_dir
from ui.pyside_boot import import_pyside


def _cache_folder() -> Path | None:
    try:
        return user_cache_dir()
    except (OSError, RuntimeError, KeyError):  # no home folder to be found: compiled as PySide does
        return None


import_pyside(_cache_folder())
