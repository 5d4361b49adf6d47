"""Where resources and user data live, frozen (PyInstaller) or not."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from models import APP_ID

_SOURCE_ROOT = Path(__file__).resolve().parents[2]  # models/core/paths.py -> the checkout


def app_root() -> Path:
    """The folder holding ``resources/``: the bundle when frozen, else the checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    return Path(frozen_root) if frozen_root else _SOURCE_ROOT


def resource_path(*parts: str) -> Path:
    """The one function that resolves a file under ``resources/``."""
    return app_root().joinpath("resources", *parts)


def default_data_dir() -> Path:
    """Per-user data folder (``%LOCALAPPDATA%\\ZhonglouWasteLedger`` on Windows).

    It lives outside the install folder so reinstalling or upgrading keeps the data.
    """
    from platformdirs import user_data_dir  # only when no --data-dir is given (start-up cost)

    return Path(user_data_dir(APP_ID, appauthor=False, roaming=False))


def user_cache_dir() -> Path:
    """Per-user cache folder: only this user can write it (a cache is loaded, so never /tmp).

    ``%LOCALAPPDATA%\\ZhonglouWasteLedger\\Cache`` on Windows, ``$XDG_CACHE_HOME`` or
    ``~/.cache`` elsewhere; ``ZL_CACHE_DIR`` overrides (tests). Worked out here rather than
    through platformdirs, which start-up does not otherwise load.
    """
    override = os.environ.get("ZL_CACHE_DIR")
    if override:
        return Path(override)
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / APP_ID / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / APP_ID
