"""The unit profile and preferences, stored as JSON values in the ``settings`` table."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.catalog.schema import Indicator, Unit
from models.catalog.tasklists import available_years, tasklist_for_year
from models.catalog.units import find_unit, load_units
from models.core.errors import ValidationError
from models.store.audit import record_change

if TYPE_CHECKING:
    import sqlite_utils

# The entry editor's typing kept against crashes (models.ledger.drafts): this PC's, not the ledger's.
UNSAVED_DRAFT_KEY = "ledger_unsaved_draft"
PROFILE_KEY = "profile"
_PHONE = re.compile(r"^[0-9+\-（）() 转]{5,30}$")


@dataclass
class UnitProfile:
    """Who keeps this ledger: set at first start, editable in 设置."""

    unit: str
    operator: str
    phone: str
    reviewer: str
    households: int | None = None  # built-up-area households (task 6 denominator)
    standard_quota: int | None = None  # new 达标小区 this unit must create (task 12)
    year: int = 2023  # which task list this ledger follows
    target_overrides: dict[str, float] = field(default_factory=dict)

    def setting(self, name: str) -> int | None:
        """A unit setting an indicator may refer to (``households``, ``standard_quota``)."""
        return {"households": self.households, "standard_quota": self.standard_quota}[name]


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def validate_profile(profile: UnitProfile, units: tuple[Unit, ...] | None = None, *, data_dir: Path | None = None) -> UnitProfile:
    """Normalise and check a profile; raise ValidationError naming each bad field."""
    units = units if units is not None else load_units()
    problems: list[tuple[str, str]] = []
    unit = find_unit(profile.unit.strip(), units)
    if unit is None:
        valid = "、".join(u.name for u in units)
        problems.append(("单位", f"“{profile.unit}” 不是钟楼区的填报单位。可选：{valid}"))
    for label, value in (("填报人", profile.operator), ("审核人", profile.reviewer)):
        if not value.strip():
            problems.append((label, "不能为空"))
        elif len(value.strip()) > 30:
            problems.append((label, "不能超过30个字"))
    if not _PHONE.match(profile.phone.strip()):
        problems.append(("联系电话", "请填写有效的电话号码，如 0519-88000000"))
    for label, value in (("建成区居民总户数", profile.households), ("新增达标小区任务数", profile.standard_quota)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append((label, "应为正整数"))
        elif value == 0:  # 0 households or a quota of 0 is never a real target: leave it unset instead
            problems.append((label, "不能为0；本单位没有该项任务时请留空"))
    if profile.year not in available_years(data_dir=data_dir):
        problems.append(("年度", f"没有 {profile.year} 年的任务清单"))
    if problems:
        raise ValidationError(problems)
    return UnitProfile(
        unit=unit.name,  # type: ignore[union-attr]
        operator=profile.operator.strip(),
        phone=profile.phone.strip(),
        reviewer=profile.reviewer.strip(),
        households=profile.households,
        standard_quota=profile.standard_quota,
        year=profile.year,
        target_overrides=dict(profile.target_overrides),
    )


def get_setting(db: sqlite_utils.Database, key: str, default: Any = None) -> Any:
    rows = list(db.query("SELECT value FROM settings WHERE key = ?", [key]))
    return json.loads(rows[0]["value"]) if rows else default


def put_setting(db: sqlite_utils.Database, key: str, value: Any) -> None:
    db.execute(
        "INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [key, json.dumps(value, ensure_ascii=False), _now()],
    )


def load_profile(db: sqlite_utils.Database) -> UnitProfile | None:
    raw = get_setting(db, PROFILE_KEY)
    return UnitProfile(**raw) if raw else None


def save_profile(db: sqlite_utils.Database, profile: UnitProfile, *, actor: str | None = None,
                 data_dir: Path | None = None) -> UnitProfile:
    """Validate and store the profile; the change is audit-logged in one transaction.

    ``data_dir`` lets the year be one whose list is installed in the data folder.
    """
    profile = validate_profile(profile, data_dir=data_dir)
    with db.atomic():
        before = get_setting(db, PROFILE_KEY)
        put_setting(db, PROFILE_KEY, asdict(profile))
        record_change(db, actor=actor or profile.operator, action="update" if before else "create", table="settings",
                      row_id=PROFILE_KEY, before=before or None, after=asdict(profile))
        if not before:
            from models.store.keys import installation_signer  # cryptography: not on the start path

            installation_signer(db)  # set-up makes this installation's signing key (issue 15)
    return profile


SETTING_LABELS = {"households": "建成区居民总户数", "standard_quota": "新增达标小区任务数"}


def needed_settings(unit_name: str, year: int, *, data_dir: Path | None = None) -> list[tuple[str, str, int]]:
    """The unit settings its own tasks' indicators need: (setting, label, task seq), in task order.

    The district office (区垃分办) and departments whose tasks use none are asked nothing.
    ``data_dir`` also finds a year whose list is installed in the data folder.
    """
    unit = find_unit(unit_name)
    if unit is None or year not in available_years(data_dir=data_dir):
        return []
    out: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    tasklist = tasklist_for_year(year, data_dir=data_dir)
    for task in tasklist.tasks_for(unit):
        for ind in task.indicators:
            if not ind.binds(unit):
                continue
            for name in (ind.target_setting, ind.compute.get("denominator_setting")):
                if name and name not in seen:
                    seen.add(name)
                    out.append((name, SETTING_LABELS.get(name, name), task.seq))
    return out


def editable_indicators(unit_name: str, year: int, *, data_dir: Path | None = None) -> list[Indicator]:
    """Indicators of the unit's tasks whose target the unit may set itself."""
    unit = find_unit(unit_name)
    if unit is None or year not in available_years(data_dir=data_dir):
        return []
    return [i for t in tasklist_for_year(year, data_dir=data_dir).tasks_for(unit) for i in t.indicators
            if i.editable and i.binds(unit)]


def set_targets(db: sqlite_utils.Database, targets: dict[str, Any], *, actor: str | None = None,
                data_dir: Path | None = None) -> UnitProfile:
    """Set (or, with None, reset to the list's default) the unit's own targets of editable indicators.

    Validated against the task list; stored in the profile with one audit row."""
    profile = load_profile(db)
    if profile is None:
        raise ValidationError([("单位", "尚未设置本单位，请先运行 init")])
    allowed = {i.code: i for i in editable_indicators(profile.unit, profile.year, data_dir=data_dir)}
    problems: list[tuple[str, str]] = []
    overrides = dict(profile.target_overrides or {})
    for code, raw in targets.items():
        ind = allowed.get(code)
        if ind is None:
            names = "、".join(allowed) or "无"
            problems.append((code, f"不是本单位可修改目标的指标（可修改：{names}）"))
            continue
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "default", "默认")):
            overrides.pop(code, None)
            continue
        try:
            value = float(str(raw).strip().rstrip("%％"))
        except ValueError:
            problems.append((ind.name, "目标应为数字"))
            continue
        if value != value or value <= 0 or (ind.unit == "%" and value > 100):
            problems.append((ind.name, "目标应大于0" + ("且不超过100" if ind.unit == "%" else "")))
            continue
        overrides[code] = int(value) if value.is_integer() else value
    if problems:
        raise ValidationError(problems)
    changed = UnitProfile(**{**asdict(profile), "target_overrides": overrides})
    return save_profile(db, changed, actor=actor, data_dir=data_dir)
