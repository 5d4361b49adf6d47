"""The district's yearly task lists: loading, validating and caching them.

Everything here is read from validated JSON files under ``resources/`` (format in
``resources/README.md``), so a new year's task list is a new file, not new code.
Validation errors name the file, the task and the field.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from models import __version__
from models.catalog.locations import available_years, tasklist_path
from models.core.errors import DataFileError
from models.core.paths import resource_path, user_cache_dir

from models.catalog.datafile import Checker, read_json
from models.catalog.schema import (
    COMMUNITY_MEASURES, COMPARISONS, COMPUTE_KINDS, FIELD_TYPES, PERIODS, STANDARD_FIELDS, UNIT_KINDS, UNIT_SETTINGS,
    EntryType, Indicator, MeasureField, Task, TaskList, Unit,
)
from models.catalog.scoresheets import load_scoresheet
from models.catalog.units import load_units


_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _load_indicator(check: Checker, raw: Any, task_seq: int, deadline: dt.date, fields: dict[str, MeasureField], types: set[str]) -> Indicator:
    where = f"任务{task_seq}的指标"
    code = check.get(raw, "code", str, where)
    where = f"任务{task_seq}的指标 {code}"
    if not _CODE.match(code):
        raise check.fail(where, "指标代码只能由字母、数字和下划线组成")
    period = check.get(raw, "period", str, where)
    if period not in PERIODS:
        raise check.fail(where, f"字段 “period” 应为 {'/'.join(PERIODS)} 之一")
    comparison = check.get(raw, "comparison", str, where)
    if comparison not in COMPARISONS:
        raise check.fail(where, "字段 “comparison” 应为 >= 或 <=")
    target = check.get(raw, "target", (int, float), where, optional=True)
    target_setting = check.get(raw, "target_setting", str, where, optional=True)
    if target is None and target_setting is None and raw.get("scope") != "district":
        raise check.fail(where, "缺少字段 “target”（或 “target_setting”）")
    if target_setting is not None and target_setting not in UNIT_SETTINGS:
        raise check.fail(where, f"字段 “target_setting” 应为 {'/'.join(sorted(UNIT_SETTINGS))} 之一")
    compute = check.get(raw, "compute", dict, where)
    kind = check.get(compute, "kind", str, f"{where} 的 compute")
    if kind not in COMPUTE_KINDS:
        raise check.fail(where, f"compute.kind 应为 {'/'.join(sorted(COMPUTE_KINDS))} 之一")
    for name in compute.get("entry_types", []):
        if name not in types:
            raise check.fail(where, f"compute.entry_types 中的 “{name}” 不是本任务的台账类型")
    for key in ("field", "weight", "denominator"):
        if key in compute and compute[key] not in fields:
            raise check.fail(where, f"compute.{key} “{compute[key]}” 不是本任务的填报数值")
        if key in compute and not fields[compute[key]].numeric and not (kind == "distinct" and key == "field"):
            raise check.fail(where, f"compute.{key} “{compute[key]}” 不是数值型填报项")
    if "where" in compute and compute["where"].get("field") not in fields:
        raise check.fail(where, "compute.where.field 不是本任务的填报数值")
    if kind in ("sum", "latest", "ratio", "weighted_mean", "ratio_of_sums", "distinct") and "field" not in compute:
        raise check.fail(where, f"compute.kind 为 {kind} 时须给出 field")
    if kind == "weighted_mean" and "weight" not in compute:
        raise check.fail(where, "compute.kind 为 weighted_mean 时须给出 weight（样本量填报项）")
    if kind == "ratio_of_sums" and "denominator" not in compute:
        raise check.fail(where, "compute.kind 为 ratio_of_sums 时须给出 denominator")
    if kind == "ratio" and compute.get("denominator_setting") not in UNIT_SETTINGS:
        raise check.fail(where, "compute.denominator_setting 应为单位设置项 households 或 standard_quota")
    if kind == "community" and compute.get("measure") not in COMMUNITY_MEASURES:
        raise check.fail(where, f"compute.measure 应为 {'/'.join(sorted(COMMUNITY_MEASURES))} 之一")
    if kind == "submission" and compute.get("report") not in ("monthly", "quarterly"):
        raise check.fail(where, "compute.report 应为 monthly 或 quarterly")
    scope = raw.get("scope", "unit")
    if scope not in ("unit", "district"):
        raise check.fail(where, "字段 “scope” 应为 unit 或 district")
    district_target = check.get(raw, "district_target", (int, float), where, optional=True)
    unit_kinds = tuple(check.get(raw, "unit_kinds", list, where, optional=True) or ())
    for unit_kind in unit_kinds:
        if unit_kind not in UNIT_KINDS:
            raise check.fail(where, f"unit_kinds 中的 “{unit_kind}” 不是单位类别")
    return Indicator(
        task_seq=task_seq,
        code=code,
        name=check.get(raw, "name", str, where),
        unit=check.get(raw, "unit", str, where),
        period=period,
        comparison=comparison,
        target=target,
        compute=dict(compute),
        deadline=deadline,
        target_setting=target_setting,
        district_target=district_target,
        scope=scope,
        editable=bool(raw.get("editable", False)),
        unit_kinds=unit_kinds,
    )


def _load_task(check: Checker, raw: Any, n: int, year: int, unit_names: set[str]) -> Task:
    seq = check.get(raw, "seq", int, f"第{n}个任务")
    where = f"任务{seq}"
    deadline = check.date(raw, "deadline", where)
    if deadline.year != year:
        raise check.fail(where, f"字段 “deadline” 不在 {year} 年内")
    applies = check.get(raw, "applies_to", dict, where)
    kinds = tuple(check.get(applies, "kinds", list, f"{where} 的 applies_to"))
    units = tuple(check.get(applies, "units", list, f"{where} 的 applies_to"))
    for kind in kinds:
        if kind not in UNIT_KINDS:
            raise check.fail(where, f"applies_to.kinds 中的 “{kind}” 不是单位类别")
    for name in units:
        if name not in unit_names:
            raise check.fail(where, f"applies_to.units 中的 “{name}” 不是已知单位")
    if not kinds and not units:
        raise check.fail(where, "applies_to 至少应包含一个单位类别或单位")
    fields: dict[str, MeasureField] = {}
    for raw_field in check.get(raw, "fields", list, where):
        code = check.get(raw_field, "code", str, f"{where} 的填报数值")
        fwhere = f"{where} 的填报数值 {code}"
        if not _CODE.match(code) or code in STANDARD_FIELDS or code in fields:
            raise check.fail(fwhere, "代码无效或重复")
        ftype = check.get(raw_field, "type", str, fwhere)
        if ftype not in FIELD_TYPES:
            raise check.fail(fwhere, f"字段 “type” 应为 {'/'.join(sorted(FIELD_TYPES))} 之一")
        unit = check.get(raw_field, "unit", str, fwhere, optional=ftype == "text") or ""
        fields[code] = MeasureField(code, check.get(raw_field, "name", str, fwhere), unit, ftype)
    entry_types: list[EntryType] = []
    for raw_type in check.get(raw, "entry_types", list, where):
        name = check.get(raw_type, "name", str, f"{where} 的台账类型")
        twhere = f"{where} 的台账类型 {name}"
        if any(t.name == name for t in entry_types):
            raise check.fail(twhere, "名称重复")
        required = tuple(check.get(raw_type, "required", list, twhere, optional=True) or ())
        for req in required:
            if req not in STANDARD_FIELDS and req not in fields:
                raise check.fail(twhere, f"必填项 “{req}” 既不是标准字段也不是本任务的填报数值")
        entry_types.append(EntryType(name, required))
    if not entry_types:
        raise check.fail(where, "至少应有一种台账类型（entry_types）")
    type_names = {t.name for t in entry_types}
    indicators = tuple(
        _load_indicator(check, ind, seq, deadline, fields, type_names) for ind in check.get(raw, "indicators", list, where)
    )
    return Task(
        seq=seq,
        category=check.get(raw, "category", str, where),
        target_text=check.get(raw, "target_text", str, where),
        responsible=check.get(raw, "responsible", str, where, optional=True) or "",
        deadline_text=check.get(raw, "deadline_text", str, where),
        deadline=deadline,
        applies_kinds=kinds,
        applies_units=units,
        fields=tuple(fields.values()),
        entry_types=tuple(entry_types),
        indicators=indicators,
    )


def load_tasklist(path: Path, units: tuple[Unit, ...] | None = None) -> TaskList:
    units = units if units is not None else load_units()
    check = Checker(path)
    doc = read_json(path)
    if check.get(doc, "format", int, "文件") != 1:
        raise check.fail("文件", "不支持的格式版本 format")
    year = check.get(doc, "year", int, "文件")
    unit_names = {u.name for u in units}
    tasks = [_load_task(check, raw, n, year, unit_names) for n, raw in enumerate(check.get(doc, "tasks", list, "文件"), start=1)]
    seqs = [t.seq for t in tasks]
    if len(set(seqs)) != len(seqs):
        raise check.fail("文件", "任务序号 seq 重复")
    codes = [i.code for t in tasks for i in t.indicators]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise check.fail("文件", f"指标代码重复：{'、'.join(sorted(dupes))}")
    sheet_name = check.get(doc, "scoresheet", str, "文件")
    sheet_path = path.parent.parent / "scoresheets" / sheet_name
    return TaskList(
        year=year,
        title=check.get(doc, "title", str, "文件"),
        tasks=tuple(sorted(tasks, key=lambda t: t.seq)),
        scoresheet=load_scoresheet(sheet_path),
        path=path,
    )


CACHE_FORMAT = 1  # bump when the dataclasses above change shape


def _catalog_hash(path: Path, units: Path) -> str:
    """What a loaded task list depends on: its file, the units, the score sheets, this code.
    Each part by its length and two checksums (zlib: hashlib would map OpenSSL, 3 MB, into
    every start for this): an edited file changes the key; a crafted collision could only
    bring back a list that was validated before, never skip validating a new one's content."""
    digest = [f"{CACHE_FORMAT}:{__version__}"]
    scoresheets = sorted((path.parent.parent / "scoresheets").glob("*.json"))
    for part in (Path(__file__), path, units, *scoresheets):
        try:
            data = part.read_bytes()
        except OSError:
            digest.append("-")
            continue
        digest.append(f"{len(data)}.{zlib.crc32(data):08x}.{zlib.adler32(data):08x}")
    whole = "/".join(digest).encode()
    return f"{zlib.crc32(whole):08x}{zlib.adler32(whole):08x}{len(whole):x}"


@lru_cache(maxsize=8)
def _cached_tasklist(path: str, mtime: float, units_path: str | None = None, units_mtime: float = 0.0) -> TaskList:
    """Validated once per version of the files: a checked copy is kept in the user's cache
    folder under the files' hash, so a start with unchanged files does not validate again.
    An installed list is checked against the units it was published with (``units_path``)."""
    source = Path(path)
    units = Path(units_path) if units_path else resource_path("units.json")
    key = _catalog_hash(source, units)
    cached = user_cache_dir() / "catalog" / f"tasklist-{key[:32]}.pickle"
    try:
        with cached.open("rb") as fh:
            loaded = pickle.load(fh)
        if isinstance(loaded, TaskList) and loaded.path == source:
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, ImportError):
        pass  # no copy yet, or one this code cannot read: validate the file
    tasklist = load_tasklist(source, load_units(units) if units_path else None)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(tasklist, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, cached)
    except OSError:
        pass  # a read-only home folder only costs the validation next time
    return tasklist


def tasklist_for_year(year: int, folder: Path | None = None, *, data_dir: Path | None = None) -> TaskList:
    path = tasklist_path(year, folder, data_dir=data_dir)
    if path is None:
        years = "、".join(str(y) for y in available_years(folder, data_dir=data_dir)) or "无"
        raise DataFileError(f"没有 {year} 年的任务清单（现有：{years}）")
    # An installed list brings the units it was published with (a new year may name a new unit).
    units = path.with_name(f"{year}.units.json")
    if units.exists():
        return _cached_tasklist(str(path), path.stat().st_mtime, str(units), units.stat().st_mtime)
    return _cached_tasklist(str(path), path.stat().st_mtime)
