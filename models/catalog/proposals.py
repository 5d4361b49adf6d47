"""Proposing a task list's structure from the district's own words.

Each rule (``models/catalog/phrase_rules.py``) reads one phrase the district writes year
after year ("每季度不少于2次", "不低于建成区居民总户数的25%", "新增达标小区104个", "全覆盖" ...)
and proposes an indicator in the format of ``resources/README.md`` together with the fields and entry types it needs,
keeping the phrase it came from (``phrase``) and the rule's name (``rule``) so the clerk can
judge it beside the source text. Nothing is guessed: a responsible unit that is not in
``units.json`` is flagged, a task no rule fits is tracked by its entries and flagged, a rate
whose target the text does not give is proposed without a target and flagged.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from models.core.periods import last_day
from models.catalog.phrase_rules import (
    FLAG_DEADLINE, FLAG_NO_INDICATOR, FLAG_UNKNOWN_UNIT, RULES, ProposedTask, RuleContext, clauses, flag,
    is_dated, issue_document, number, period_of,
)
from models.catalog.tasklist_import import SourceDocument, SourceRow
from models.catalog.schema import Unit
from models.catalog.units import find_unit

ALL_KINDS = ["street", "town", "department"]
_GROUPS = {  # how the list names groups of units
    "镇（街道）": ["street", "town"], "街道（镇）": ["street", "town"], "各镇（街道）": ["street", "town"],
    "各街道": ["street"], "街道": ["street"], "各镇": ["town"],
    "各地各部门": ALL_KINDS, "各地": ["street", "town"], "各部门": ["department"],
}
_SUFFIX = re.compile(r"(等)*(按职责)?(分工)?(负责|牵头|配合)$")

# -- applicability -------------------------------------------------------------------


def split_responsible(text: str) -> list[str]:
    text = re.sub(r"(（[^（）]+）)\1+", r"\1", text.strip())  # 区委宣传部（文明办）（文明办）
    text = _SUFFIX.sub("", text)
    names = []
    for part in re.split(r"[、，,；;/\s]+", text):
        part = re.sub(r"等+$", "", part.strip())
        part = _SUFFIX.sub("", part)
        if part:
            names.append(part)
    return names


def resolve_unit(name: str, units: tuple[Unit, ...]) -> Unit | None:
    """A printed name as a unit: exactly, or with the 区 the list often leaves out."""
    for candidate in (name, "区" + name):
        unit = find_unit(candidate, units)
        if unit is not None and unit.kind != "district":
            return unit
    return None


def applicability(text: str, units: tuple[Unit, ...]) -> tuple[dict[str, list[str]], list[str]]:
    """``applies_to`` from 主要责任单位, and the names that are no known unit."""
    if not text.strip():
        return {"kinds": list(ALL_KINDS), "units": []}, []
    kinds: list[str] = []
    named: list[str] = []
    unknown: list[str] = []
    for name in split_responsible(text):
        if name in _GROUPS:
            kinds.extend(k for k in _GROUPS[name] if k not in kinds)
            continue
        unit = resolve_unit(name, units)
        if unit is None:
            unknown.append(name)
        elif unit.name not in named:
            named.append(unit.name)
    ordered_kinds = [k for k in ALL_KINDS if k in kinds]
    named = [n for n in named if next(u for u in units if u.name == n).kind not in ordered_kinds]
    return {"kinds": ordered_kinds, "units": named}, unknown


# -- deadlines -----------------------------------------------------------------------


def parse_deadline(text: str, year: int) -> tuple[dt.date, str | None]:
    """完成期限 as a date inside ``year``; a message when the text does not say one."""
    compact = re.sub(r"\s", "", text)
    end_of_year = dt.date(year, 12, 31)
    if not compact:
        return end_of_year, "完成期限为空，暂按全年（12月31日）"
    if compact.startswith("全年") or compact in ("年底", "年底前", "年内", "12月底", "12月底前"):
        return end_of_year, None
    match = (re.match(r"^(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?(底|末)?(前|以前)?$", compact)
             or re.match(r"^(\d{4})[.\-/](\d{1,2})(?:[.\-/](\d{1,2}))?(前|以前)?$", compact))
    if not match:
        return end_of_year, f"看不懂完成期限“{text}”，暂按全年（12月31日），请核对"
    y = int(match.group(1) or year)
    month = int(match.group(2))
    if not 1 <= month <= 12:
        return end_of_year, f"完成期限“{text}”的月份不正确，暂按全年，请核对"
    day = int(match.group(3)) if match.group(3) else last_day(y, month).day
    try:
        date = dt.date(y, month, day)
    except ValueError:
        return end_of_year, f"完成期限“{text}”不是有效日期，暂按全年，请核对"
    if y != year:
        return end_of_year, f"完成期限“{text}”不在 {year} 年内，暂按全年，请核对"
    return date, None


# -- indicator rules -----------------------------------------------------------------

def propose_task(row: SourceRow, *, year: int, units: tuple[Unit, ...], min_score: float | None) -> dict[str, Any]:
    """One task in the task-list format, with proposals, phrases and flags."""
    deadline, deadline_problem = parse_deadline(row.deadline_text, year)
    applies, unknown = applicability(row.responsible, units)
    if "各地各部门" in row.target_text:  # the named units are examples: every unit reports (task 32)
        applies = {"kinds": list(ALL_KINDS), "units": []}
    task = ProposedTask(row)
    if deadline_problem:
        task.flags.append(flag(FLAG_DEADLINE, deadline_problem))
    for name in unknown:
        task.flags.append(flag(FLAG_UNKNOWN_UNIT, f"“{name}”不是已知的填报单位，未列入适用单位，请核对或在单位表中补充"))
    if not applies["kinds"] and not applies["units"]:
        task.flags.append(flag(FLAG_UNKNOWN_UNIT, "没有可识别的责任单位，请选择适用单位"))
    text = row.target_text
    dated = is_dated(row.deadline_text)
    ctx = RuleContext(
        task=task, text=text, dated=dated, whole_period=period_of(text),
        default_period="deadline" if dated else "year", min_score=min_score,
        single_place=len(applies["units"]) >= 1 and not applies["kinds"] and any(
            u.kind in ("street", "town") for u in units if u.name in applies["units"]),
    )
    for clause in clauses(text):
        for rule in RULES:
            rule(ctx, clause)
    issue_document(ctx)
    # Communities and villages are the streets' and the town's: a co-responsible department acts
    # through them and is not judged on the count (the indicator's unit_kinds).
    places = [k for k in ("street", "town") if k in applies["kinds"]
              or any(u.name in applies["units"] and u.kind == k for u in units)]
    for ind in task.indicators:
        if ind["compute"]["kind"] == "community" and places:
            ind["unit_kinds"] = places
    if not task.indicators:
        task.flags.append(flag(FLAG_NO_INDICATOR, "目标内容中没有可量化的指标，按台账记录跟踪（已开展/未开展）"))
    if not task.entry_types:
        task.add_type("工作开展情况")
    return {
        "seq": row.seq,
        "category": row.category,
        "target_text": row.target_text,
        "responsible": row.responsible,
        "deadline_text": row.deadline_text,
        "deadline": deadline.isoformat(),
        "applies_to": applies,
        "fields": task.fields,
        "entry_types": task.entry_types,
        "indicators": task.indicators,
        "flags": task.flags,
        "source_line": row.line,
    }


def min_score_from(notes: list[str], texts: list[str]) -> float | None:
    """The 达标小区 pass mark the notes give ("且评分≥95分")."""
    for text in [*notes, *texts]:
        m = re.search(r"评分\s*(?:≥|>=|不低于|达到)\s*(\d+(?:\.\d+)?)\s*分", text)
        if m:
            return number(m.group(1))
    return None


def propose_list(doc: SourceDocument, *, year: int, units: tuple[Unit, ...]) -> dict[str, Any]:
    """The whole draft: every task proposed, the notes kept, the pass mark read from them."""
    min_score = min_score_from(doc.notes, [r.target_text for r in doc.rows])
    tasks = [propose_task(row, year=year, units=units, min_score=min_score) for row in doc.rows]
    title = doc.title or f"钟楼区{year}年生活垃圾分类工作任务清单"
    problems = list(doc.problems)
    if str(year) not in title:
        problems.append(f"标题“{title}”中没有 {year} 年，请核对年度")
    return {"format": 1, "year": year, "title": title, "source": doc.source or "", "notes": doc.notes,
            "pass_score": min_score, "tasks": sorted(tasks, key=lambda t: t["seq"]), "problems": problems}
