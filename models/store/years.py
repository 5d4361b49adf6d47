"""One data folder, many years: the working year and the unit settings of each year.

The profile (``settings.profile``) holds who keeps the ledger and the *working* year's
values (households, quota, target overrides). The values of every year the unit has worked
in are also kept under ``settings.year_settings`` — ``{"2023": {"households", "standard_quota",
"target_overrides"}}`` — so switching to 2024 and back gives 2023 its own figures again, and
December 2023's report made in January 2024 uses 2023's households and quota. Nothing of an
earlier year is wiped by a switch: entries, reports, submissions and locks are per date.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.catalog.locations import INSTALLED_DIR, unit_quota
from models.catalog.tasklists import available_years
from models.core.errors import AppError, ValidationError
from models.store.audit import record_change
from models.store.settings import UnitProfile, get_setting, load_profile, needed_settings, put_setting, save_profile

if TYPE_CHECKING:  # the workspace (on the start path) imports this module; sqlite_utils comes later
    import sqlite_utils

YEAR_SETTINGS_KEY = "year_settings"
# The district's packages this ledger installed ({"2024": {"content_hash", "zip"}}, written by
# models/exchange/tasklists.py): they travel with the database in backups and archives.
INSTALLED_PACKAGES_KEY = "tasklist_packages"
YEAR_VALUES = ("households", "standard_quota", "target_overrides")


@dataclass(frozen=True)
class YearSwitch:
    profile: UnitProfile
    previous_year: int
    missing: tuple[str, ...]  # settings the new list needs that are still empty (Chinese labels)
    quota_from_package: bool


def year_settings(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return get_setting(db, YEAR_SETTINGS_KEY, {}) or {}


def _values(profile: UnitProfile) -> dict[str, Any]:
    return {k: asdict(profile)[k] for k in YEAR_VALUES}


def profile_for_year(db: sqlite_utils.Database, year: int) -> UnitProfile | None:
    """The profile as it was for ``year``: the working profile, or a past year's values in it."""
    profile = load_profile(db)
    if profile is None or profile.year == year:
        return profile
    stored = year_settings(db).get(str(year))
    if stored is None:
        # A year worked in before year settings existed: the only values known are the current ones,
        # except the target overrides, which belong to a list's indicator codes.
        return replace(profile, year=year, target_overrides={})
    return replace(profile, year=year, households=stored.get("households"),
                   standard_quota=stored.get("standard_quota"), target_overrides=dict(stored.get("target_overrides") or {}))


def remember_year_values(db: sqlite_utils.Database, profile: UnitProfile) -> None:
    """Keep the profile's year values under its year (called whenever the profile is saved for a year)."""
    stored = year_settings(db)
    stored[str(profile.year)] = _values(profile)
    put_setting(db, YEAR_SETTINGS_KEY, stored)


def switch_year(db: sqlite_utils.Database, data_dir: Path, year: int, *, households: int | None = None,
                quota: int | None = None, actor: str | None = None) -> YearSwitch:
    """Make ``year`` the working year, keeping every year's settings; one transaction."""
    profile = load_profile(db)
    if profile is None:
        raise AppError("尚未设置填报单位，请先运行 init 或在程序中完成单位设置。")
    if year not in available_years(data_dir=data_dir):
        years = "、".join(str(y) for y in available_years(data_dir=data_dir))
        raise AppError(f"尚未导入{year}年任务清单，请向区垃分办索取并导入（tasklist install 文件）。现有：{years}")
    for label, value in (("建成区居民总户数", households), ("新增达标小区任务数", quota)):
        if value is not None and value < 0:
            raise ValidationError([(label, "应为不小于0的整数")])
    stored = year_settings(db).get(str(year), {})
    from_package = False
    new_quota = quota if quota is not None else stored.get("standard_quota")
    if new_quota is None:
        new_quota = unit_quota(data_dir, year, profile.unit)
        from_package = new_quota is not None
    target = replace(
        profile, year=year,
        households=households if households is not None else stored.get("households"),
        standard_quota=new_quota,
        target_overrides=dict(stored.get("target_overrides") or {}) if year != profile.year else profile.target_overrides,
    )
    with db.atomic():
        if profile.year != year:
            remember_year_values(db, profile)
        saved = save_profile(db, target, actor=actor or profile.operator, data_dir=data_dir)
        remember_year_values(db, saved)
        if profile.year != year:
            record_change(db, actor=actor or profile.operator, action="update", table="settings", row_id="working_year",
                          before={"year": profile.year}, after={"year": year})
    missing = tuple(label for name, label, _seq in needed_settings(saved.unit, year, data_dir=data_dir)
                    if saved.setting(name) is None)
    return YearSwitch(profile=saved, previous_year=profile.year, missing=missing, quota_from_package=from_package)


def save_year_profile(db: sqlite_utils.Database, profile: UnitProfile, *, data_dir: Path | None = None,
                      actor: str | None = None) -> UnitProfile:
    """Save the profile (设置, init) and keep its year's values with it.

    When the save changes the year (``init --year``), the year left keeps its values too.
    """
    with db.atomic():
        before = load_profile(db)
        if before is not None and before.year != profile.year and str(before.year) not in year_settings(db):
            remember_year_values(db, before)
        saved = save_profile(db, profile, actor=actor, data_dir=data_dir)
        remember_year_values(db, saved)
    return saved


def carried_years(conn: Any) -> set[int]:
    """The years whose installed package a ledger's settings carry (``conn``: any SQLite connection)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", [INSTALLED_PACKAGES_KEY]).fetchone()
    try:
        return {int(year) for year in json.loads(row[0] or "null") or {}} if row else set()
    except (ValueError, TypeError):
        return set()


def missing_installed_years(conn: Any, data_dir: Path) -> list[int]:
    """Carried years whose list file the data folder lacks (cheap: one settings row, a stat each)."""
    return sorted(y for y in carried_years(conn) if not (Path(data_dir) / INSTALLED_DIR / f"{y}.json").exists())
