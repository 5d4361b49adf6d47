"""Where the yearly task lists are: the unit's data folder first, then the bundled ones.

Lists the district publishes after the program was installed are kept in the unit's data
folder (``<data>/tasklists/<year>.json``, see models/catalog/packages.py), so a new year
needs no admin rights; the bundled ``resources/tasklists/`` stay the defaults.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from models.core.paths import resource_path

INSTALLED_DIR = "tasklists"


def tasklist_dir() -> Path:
    return resource_path("tasklists")


def tasklist_folders(data_dir: Path | None = None, folder: Path | None = None) -> list[Path]:
    folders = [Path(data_dir) / INSTALLED_DIR] if data_dir is not None else []
    return folders + [folder or tasklist_dir()]


def available_years(folder: Path | None = None, *, data_dir: Path | None = None) -> list[int]:
    """Years for which a task list file ``<year>.json`` exists (installed or bundled)."""
    years = {int(p.stem) for f in tasklist_folders(data_dir, folder) for p in f.glob("*.json") if p.stem.isdigit()}
    return sorted(years)


def missing_list_notice(years: list[int] | tuple[int, ...], today: dt.date | None = None) -> str | None:
    """What to say when the calendar year has no list: "尚未导入2026年任务清单，请向区垃分办索取"."""
    year = (today or dt.date.today()).year
    if year in years:
        return None
    return f"尚未导入{year}年任务清单，请向区垃分办索取"


def tasklist_path(year: int, folder: Path | None = None, *, data_dir: Path | None = None) -> Path | None:
    """The year's list file: installed in the data folder, else bundled; None when neither."""
    for candidate in tasklist_folders(data_dir, folder):
        path = candidate / f"{year}.json"
        if path.exists():
            return path
    return None


def installed_quotas(data_dir: Path, year: int) -> dict[str, dict[str, int]]:
    path = Path(data_dir) / INSTALLED_DIR / f"{year}.quotas.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}


def unit_quota(data_dir: Path, year: int, unit: str) -> int | None:
    """The unit's share of the year's district-wide quota target, as published (task 12)."""
    for shares in installed_quotas(data_dir, year).values():
        if unit in shares:
            return int(shares[unit])
    return None
