"""The clerk's edits to a draft list, checked as they type (the 导入新年度清单 page uses these).

Every function takes the draft dict (``models/catalog/packages.py``) and changes it in
memory; the page saves with ``save_draft``. Checks return (field, message) pairs in Chinese
so a form can put each message under its field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from models.catalog.phrase_rules import compute_fields
from models.catalog.schema import COMPARISONS, FIELD_TYPES, PERIODS, STANDARD_FIELDS, Unit

Problems = list[tuple[str, str]]
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def task(draft: dict[str, Any], seq: int) -> dict[str, Any]:
    return next(t for t in draft["tasks"] if t["seq"] == seq)


def parse_target(text: str) -> float | int | None:
    """A typed target: "" → None, "95" → 95, "12.5" → 12.5; ValueError otherwise."""
    text = text.strip().rstrip("%％")
    if not text:
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def check_indicator(ind: dict[str, Any], *, year: int) -> Problems:
    problems: Problems = []
    if not str(ind.get("name", "")).strip():
        problems.append(("指标名称", "不能为空"))
    if ind.get("period") not in PERIODS:
        problems.append(("统计周期", f"应为 {'、'.join(PERIODS.values())} 之一"))
    if ind.get("comparison") not in COMPARISONS:
        problems.append(("比较", "应为 ≥ 或 ≤"))
    target = ind.get("target")
    if target is None and not ind.get("target_setting") and ind.get("scope") != "district":
        problems.append(("目标值", "请填写目标值（或删除该指标）"))
    if target is not None:
        if not isinstance(target, (int, float)) or isinstance(target, bool) or target < 0:
            problems.append(("目标值", "应为不小于0的数字"))
        elif ind.get("unit") == "%" and target > 100:
            problems.append(("目标值", "百分比不能超过100"))
    district = ind.get("district_target")
    if district is not None and (not isinstance(district, (int, float)) or district <= 0):
        problems.append(("全区目标", "应为大于0的数字"))
    if not str(ind.get("unit", "")).strip():
        problems.append(("单位", "请填写计量单位，如 次、%、个"))
    return problems


def check_task(t: dict[str, Any], *, year: int, units: tuple[Unit, ...]) -> Problems:
    problems: Problems = []
    applies = t["applies_to"]
    if not applies["kinds"] and not applies["units"]:
        problems.append(("适用单位", "至少选择一类单位或一个单位"))
    names = {u.name for u in units}
    for name in applies["units"]:
        if name not in names:
            problems.append(("适用单位", f"“{name}”不是已知单位"))
    try:
        deadline = dt.date.fromisoformat(t["deadline"])
        if deadline.year != year:
            problems.append(("完成期限", f"应在 {year} 年内"))
    except ValueError:
        problems.append(("完成期限", "应为日期 YYYY-MM-DD"))
    types = [e["name"] for e in t["entry_types"]]
    if not types:
        problems.append(("台账类型", "至少一种"))
    if len(set(types)) != len(types):
        problems.append(("台账类型", "名称重复"))
    codes = [f["code"] for f in t["fields"]]
    for f in t["fields"]:
        if not _CODE.match(f["code"]) or f["code"] in STANDARD_FIELDS or codes.count(f["code"]) > 1:
            problems.append(("填报数值", f"代码“{f['code']}”无效或重复"))
        if not f["name"].strip():
            problems.append(("填报数值", "名称不能为空"))
        if f["type"] not in FIELD_TYPES:
            problems.append(("填报数值", f"“{f['name']}”的类型应为 {'/'.join(sorted(FIELD_TYPES))}"))
    for ind in t["indicators"]:
        compute = ind["compute"]
        for name in compute.get("entry_types", []):
            if name not in types:
                problems.append(("台账类型", f"指标“{ind['name']}”按“{name}”计数，不能删除该类型"))
        if compute_fields(compute) - set(codes):
            problems.append(("填报数值", f"指标“{ind['name']}”要用到的数值已被删除"))
        if ind.get("status") != "needs_target":
            problems += [(f"指标“{ind['name']}”的{field}", msg) for field, msg in check_indicator(ind, year=year)]
    return problems


def update_indicator(draft: dict[str, Any], seq: int, index: int, changes: dict[str, Any]) -> Problems:
    """Apply the clerk's edit to one proposal; it becomes 已确认 when it checks out."""
    ind = task(draft, seq)["indicators"][index]
    candidate = {**ind, **changes}
    problems = check_indicator(candidate, year=int(draft["year"]))
    if problems:
        return problems
    ind.update(changes)
    ind["status"] = "accepted"
    return []


def remove_indicator(draft: dict[str, Any], seq: int, index: int) -> None:
    t = task(draft, seq)
    t["indicators"].pop(index)
    if not t["indicators"] and not any(f["kind"] == "no_indicator" for f in t["flags"]):
        t["flags"].append({"kind": "no_indicator", "message": "无量化指标，按台账记录跟踪（已开展/未开展）"})
    for code in list((draft.get("quotas") or {})):
        if not any(i["code"] == code for tt in draft["tasks"] for i in tt["indicators"]):
            draft["quotas"].pop(code)


def set_entry_types(draft: dict[str, Any], seq: int, names: list[str]) -> Problems:
    t = task(draft, seq)
    names = [n.strip() for n in names if n.strip()]
    before = {e["name"]: e for e in t["entry_types"]}
    candidate = {**t, "entry_types": [before.get(n, {"name": n, "required": []}) for n in names]}
    problems = [p for p in check_task(candidate, year=int(draft["year"]), units=()) if p[0] == "台账类型"]
    if problems:
        return problems
    t["entry_types"] = candidate["entry_types"]
    return []


def remove_field(draft: dict[str, Any], seq: int, code: str) -> Problems:
    t = task(draft, seq)
    users = [i["name"] for i in t["indicators"] if code in compute_fields(i["compute"])]
    if users:
        return [("填报数值", f"指标“{users[0]}”要用到这个数值，请先删除该指标")]
    t["fields"] = [f for f in t["fields"] if f["code"] != code]
    for e in t["entry_types"]:
        e["required"] = [r for r in e.get("required", []) if r != code]
    return []


def update_field(draft: dict[str, Any], seq: int, code: str, *, name: str, unit: str, ftype: str) -> Problems:
    """Rename a value an entry carries, or change its unit or type (its code, which entries use, stays)."""
    problems: Problems = []
    if not name.strip():
        problems.append(("填报数值", "名称不能为空"))
    if ftype not in FIELD_TYPES:
        problems.append(("填报数值", f"类型应为 {'/'.join(sorted(FIELD_TYPES))} 之一"))
    if problems:
        return problems
    field = next(f for f in task(draft, seq)["fields"] if f["code"] == code)
    field.update(name=name.strip(), unit=unit.strip(), type=ftype)
    return []


def set_applies(draft: dict[str, Any], seq: int, kinds: list[str], units: list[str]) -> Problems:
    t = task(draft, seq)
    if not kinds and not units:
        return [("适用单位", "至少选择一类单位或一个单位")]
    t["applies_to"] = {"kinds": list(kinds), "units": list(units)}
    # the clerk has decided: the unknown-name flags are settled
    t["flags"] = [f for f in t["flags"] if f["kind"] != "unknown_unit"]
    return []


def set_deadline(draft: dict[str, Any], seq: int, date: dt.date) -> Problems:
    if date.year != int(draft["year"]):
        return [("完成期限", f"应在 {draft['year']} 年内")]
    t = task(draft, seq)
    t["deadline"] = date.isoformat()
    t["flags"] = [f for f in t["flags"] if f["kind"] != "deadline"]
    return []


def set_quota(draft: dict[str, Any], code: str, unit: str, value: int) -> None:
    shares = draft.setdefault("quotas", {}).setdefault(code, {})
    if value:
        shares[unit] = int(value)
    else:
        shares.pop(unit, None)


def quota_total(draft: dict[str, Any], code: str) -> int:
    return sum((draft.get("quotas") or {}).get(code, {}).values())
