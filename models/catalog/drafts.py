"""The district's draft of a new year's list, in its data folder, and the clerk's quota split.

``import_draft`` reads the district's document (``tasklist_import``), proposes from its
phrases (``proposals``), carries last year's decisions over (``carryover``) and keeps the
result in ``<data>/tasklist_drafts/<year>.json``: the task-list format of
``resources/README.md`` plus per-task ``flags`` and per-indicator ``phrase``/``rule``/``status``,
and ``quotas`` — the units' shares of district-wide targets. ``packages`` publishes it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from models.catalog.carryover import carry_over
from models.catalog.locations import available_years, tasklist_path
from models.catalog.proposals import propose_list
from models.catalog.tasklist_import import read_source
from models.catalog.schema import Unit
from models.catalog.units import load_units
from models.core.errors import AppError, DataFileError
from models.core.fileio import fsync_dir, fsync_file, replace_with_retry

DRAFTS_DIR = "tasklist_drafts"
QUOTA_SETTING = "standard_quota"


class DraftError(AppError):
    """A draft that cannot be published yet; ``problems`` says what to fix."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("清单尚不能发布：" + "；".join(problems))


def _write_json(path: Path, value: Any) -> None:
    """Atomically: a crash leaves the old file or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    fsync_file(tmp)
    replace_with_retry(tmp, path)
    fsync_dir(path.parent)


def draft_path(data_dir: Path, year: int) -> Path:
    return Path(data_dir) / DRAFTS_DIR / f"{year}.json"


def import_draft(data_dir: Path, source: Path, year: int, *, units: tuple[Unit, ...] | None = None) -> dict[str, Any]:
    """Read the district's document and keep the proposed list as the year's draft."""
    if not 2000 <= year <= 2100:
        raise AppError(f"年度“{year}”不正确")
    doc = read_source(Path(source))
    draft = propose_list(doc, year=year, units=units if units is not None else load_units())
    carry_over(draft, previous_list(data_dir, year))
    draft["source_file"] = Path(source).name
    draft["imported_at"] = dt.datetime.now().isoformat(timespec="seconds")
    draft["quotas"] = {}
    save_draft(data_dir, draft)
    return draft


def previous_list(data_dir: Path, year: int) -> dict[str, Any] | None:
    """The raw JSON of the latest list before ``year`` (installed or bundled), for carry-over."""
    earlier = [y for y in available_years(data_dir=data_dir) if y < year]
    path = tasklist_path(earlier[-1], data_dir=data_dir) if earlier else None
    return json.loads(path.read_text(encoding="utf-8")) if path else None


def load_draft(data_dir: Path, year: int) -> dict[str, Any] | None:
    path = draft_path(data_dir, year)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"{year} 年清单草稿 {path} 已损坏：{exc}") from None


def save_draft(data_dir: Path, draft: dict[str, Any]) -> None:
    _write_json(draft_path(data_dir, int(draft["year"])), draft)


def draft_years(data_dir: Path) -> list[int]:
    folder = Path(data_dir) / DRAFTS_DIR
    return sorted(int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()) if folder.exists() else []


def quota_indicators(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """Indicators whose district total is split among the units (task 12's 104)."""
    return [ind for t in draft["tasks"] for ind in t["indicators"]
            if ind.get("target_setting") == QUOTA_SETTING and ind.get("district_target") is not None]


def quota_units(task: dict[str, Any], units: tuple[Unit, ...]) -> list[str]:
    """The units that can hold a quota of a task: its streets and town, not departments."""
    applies = task["applies_to"]
    return [u.name for u in units if u.kind in ("street", "town")
            and (u.kind in applies["kinds"] or u.name in applies["units"])]


def quota_problems(draft: dict[str, Any], units: tuple[Unit, ...]) -> tuple[list[str], list[str]]:
    """(blocking, warnings) about the unit quotas of district-wide targets."""
    blocking: list[str] = []
    warnings: list[str] = []
    quotas = draft.get("quotas") or {}
    for task in draft["tasks"]:
        for ind in task["indicators"]:
            if ind.get("target_setting") != QUOTA_SETTING or ind.get("district_target") is None:
                continue
            shares = quotas.get(ind["code"]) or {}
            label = f"任务{task['seq']}“{ind['name']}”"
            if not shares:
                warnings.append(f"{label}的全区目标 {ind['district_target']:g} 尚未分解到各单位（各单位安装后自行填写任务数）")
                continue
            allowed = set(quota_units(task, units))
            for name, value in shares.items():
                if name not in allowed:
                    blocking.append(f"{label}：“{name}”不是本任务的街道（镇），不能分配任务数")
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    blocking.append(f"{label}：{name} 的任务数应为不小于0的整数")
            total = sum(v for v in shares.values() if isinstance(v, int) and not isinstance(v, bool))
            if total != ind["district_target"]:
                blocking.append(f"{label}：各单位任务数合计 {total}，应等于全区目标 {ind['district_target']:g}")
    return blocking, warnings


def remove_draft(data_dir: Path, year: int) -> None:
    path = draft_path(data_dir, year)
    if path.exists():
        path.unlink()
