"""Proposing a task list's structure from the district's own words.

Each rule below reads one phrase the district writes year after year ("每季度不少于2次",
"不低于建成区居民总户数的25%", "新增达标小区104个", "全覆盖" ...) and proposes an indicator
in the format of ``resources/README.md`` together with the fields and entry types it needs,
keeping the phrase it came from (``phrase``) and the rule's name (``rule``) so the clerk can
judge it beside the source text. Nothing is guessed: a responsible unit that is not in
``units.json`` is flagged, a task no rule fits is tracked by its entries and flagged, a rate
whose target the text does not give is proposed without a target and flagged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from models.catalog.tasklist_import import SourceDocument, SourceRow
from models.catalog.tasklists import Unit, find_unit

ALL_KINDS = ["street", "town", "department"]
_GROUPS = {  # how the list names groups of units
    "镇（街道）": ["street", "town"], "街道（镇）": ["street", "town"], "各镇（街道）": ["street", "town"],
    "各街道": ["street"], "街道": ["street"], "各镇": ["town"],
    "各地各部门": ALL_KINDS, "各地": ["street", "town"], "各部门": ["department"],
}
_SUFFIX = re.compile(r"(等)*(按职责)?(分工)?(负责|牵头|配合)$")
_ACTIVITY_NOUNS = ("活动", "会议", "培训", "检查", "督查", "考核", "研究", "宣传", "通报", "总结")
_CMP_GE = ("不低于", "不少于", "达到", "不小于", "至少")
_CMP_LE = ("不高于", "不超过", "低于", "控制在")

# Flag kinds: a "blocking" flag makes the list invalid until the clerk resolves it.
FLAG_UNKNOWN_UNIT = "unknown_unit"
FLAG_DEADLINE = "deadline"
FLAG_NO_INDICATOR = "no_indicator"
FLAG_NO_TARGET = "no_target"
FLAG_QUOTA = "quota"


def flag(kind: str, message: str) -> dict[str, str]:
    return {"kind": kind, "message": message}


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
    day = int(match.group(3)) if match.group(3) else calendar.monthrange(y, month)[1]
    try:
        date = dt.date(y, month, day)
    except ValueError:
        return end_of_year, f"完成期限“{text}”不是有效日期，暂按全年，请核对"
    if y != year:
        return end_of_year, f"完成期限“{text}”不在 {year} 年内，暂按全年，请核对"
    return date, None


# -- indicator rules -----------------------------------------------------------------

_PERIOD_WORDS = [("每季度", "quarter"), ("按季度", "quarter"), ("每月", "month"), ("按月", "month"),
                 ("每年", "year"), ("按年度", "year")]


def _period_of(text: str) -> str | None:
    hits = [(text.find(w), p) for w, p in _PERIOD_WORDS if w in text]
    return min(hits)[1] if hits else None


def _comparison(word: str) -> str:
    return "<=" if word in _CMP_LE else ">="


def _number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def _strip_lead(text: str) -> str:
    text = re.sub(r"^(开展|组织|进行|推进|落实)", "", text)
    text = re.sub(r"^(全区范围的|全区|全市)", "", text)
    text = re.sub(r"^(垃圾分类|生活垃圾分类)(?=.{2,})", "", text)
    return text


def _activity_names(text: str) -> list[str]:
    """Entry type names from "联动会议、活动" → 联动会议, 联动活动; others kept whole."""
    text = _strip_lead(text.strip("，、 "))
    parts = [p for p in re.split(r"[、或和及]", text) if p]
    if len(parts) > 1 and all(p.endswith(_ACTIVITY_NOUNS) for p in parts):
        stem = parts[0][:-2]
        return [p if len(p) > 2 else stem + p for p in parts]
    return [text] if text else []


class _Task:
    """A task's proposals as they are built: fields, entry types, indicators."""

    def __init__(self, row: SourceRow):
        self.seq = row.seq
        self.fields: list[dict[str, Any]] = []
        self.entry_types: list[dict[str, Any]] = []
        self.indicators: list[dict[str, Any]] = []
        self.flags: list[dict[str, str]] = []

    def add_field(self, name: str, unit: str, ftype: str, stem: str) -> str:
        for existing in self.fields:
            if existing["name"] == name:
                return existing["code"]
        code = f"{stem}{len(self.fields) + 1}"
        self.fields.append({"code": code, "name": name, "unit": unit, "type": ftype})
        return code

    def add_type(self, name: str, required: list[str] | None = None) -> str:
        name = name[:30]
        if not any(t["name"] == name for t in self.entry_types):
            self.entry_types.append({"name": name, "required": list(required or [])})
        return name

    def add_indicator(self, *, rule: str, phrase: str, name: str, unit: str, period: str, comparison: str,
                      target: float | None, compute: dict[str, Any], **extra: Any) -> dict[str, Any]:
        indicator = {"code": f"T{self.seq}_{rule.upper()}{len(self.indicators) + 1}", "name": name[:60], "unit": unit,
                     "period": period, "comparison": comparison, "target": target, "compute": compute,
                     **extra, "phrase": phrase, "rule": rule}
        self.indicators.append(indicator)
        return indicator


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[；。;]", text) if c.strip()]


def _dated(deadline_text: str) -> bool:
    return not deadline_text.strip().startswith("全年") and bool(deadline_text.strip())


def propose_task(row: SourceRow, *, year: int, units: tuple[Unit, ...], min_score: float | None) -> dict[str, Any]:
    """One task in the task-list format, with proposals, phrases and flags."""
    deadline, deadline_problem = parse_deadline(row.deadline_text, year)
    applies, unknown = applicability(row.responsible, units)
    if "各地各部门" in row.target_text:  # the named units are examples: every unit reports (task 32)
        applies = {"kinds": list(ALL_KINDS), "units": []}
    task = _Task(row)
    if deadline_problem:
        task.flags.append(flag(FLAG_DEADLINE, deadline_problem))
    for name in unknown:
        task.flags.append(flag(FLAG_UNKNOWN_UNIT, f"“{name}”不是已知的填报单位，未列入适用单位，请核对或在单位表中补充"))
    if not applies["kinds"] and not applies["units"]:
        task.flags.append(flag(FLAG_UNKNOWN_UNIT, "没有可识别的责任单位，请选择适用单位"))
    text = row.target_text
    dated = _dated(row.deadline_text)
    whole_period = _period_of(text)
    default_period = "deadline" if dated else "year"
    single_place = len(applies["units"]) >= 1 and not applies["kinds"] and any(
        u.kind in ("street", "town") for u in units if u.name in applies["units"])
    consumed: list[str] = []

    def used(phrase: str) -> bool:
        return any(phrase in c or c in phrase for c in consumed)

    for clause in _clauses(text):
        # Reports sent to the district: the unit's own submissions (tasks 32, 33).
        for m in re.finditer(r"(每月|按月度?)[^，；。]*?报送[^，；。]*?台账", clause):
            consumed.append(m.group(0))
            task.add_type("台账整理")
            task.add_indicator(rule="submission", phrase=m.group(0), name="月度台账报送", unit="次", period="month",
                               comparison=">=", target=1, compute={"kind": "submission", "report": "monthly"})
        for m in re.finditer(r"(每季度|按季度)[^，；。]*?报送[^，；。]*?(进展|总结|情况)", clause):
            consumed.append(m.group(0))
            task.add_type("季度总结")
            task.add_indicator(rule="submission", phrase=m.group(0), name="季度工作进展报送", unit="次", period="quarter",
                               comparison=">=", target=1, compute={"kind": "submission", "report": "quarterly"})
        # Counts: "……每季度不少于2次", "每月至少研究1次……", "每年度开展1次总结".
        for m in re.finditer(r"(?P<act>[^，；。]*?)(?P<per>每季度|每月|每年度|每年|每半年)(?P<mid>[^，；。\d]*?)"
                             r"(?P<n>\d+)(?P<u>次|期|场|批|轮)(?P<tail>[^，；。]*)", clause):
            if used(m.group(0)):
                continue
            consumed.append(m.group(0))
            period = {"每季度": "quarter", "每月": "month", "每年度": "year", "每年": "year", "每半年": "year"}[m.group("per")]
            mid = re.sub(r"^.*?(至少|不少于|不低于)", "", m.group("mid"))
            verb_noun = re.sub(r"^(对[^，；。]*?)?(组织|开展|进行)?", "", mid)
            tail = m.group("tail").strip()
            if tail:
                names = [_strip_lead(tail) if not verb_noun or verb_noun in ("组织", "开展") else verb_noun + tail]
            elif verb_noun:
                names = [verb_noun]
            else:
                names = _activity_names(m.group("act"))
            names = [n for n in names if n] or ["工作开展"]
            types = [task.add_type(n) for n in names]
            task.add_indicator(rule="count", phrase=m.group(0).strip("，"), name="、".join(names) + "次数",
                               unit="次" if m.group("u") == "次" else m.group("u"), period=period, comparison=">=",
                               target=int(m.group("n")), compute={"kind": "count", "entry_types": types})
        # "按月度汇总执法情况，按季度印发检查通报": at least one a period.
        for m in re.finditer(r"按(?P<per>月度?|季度|年度?)(?P<what>[^，；。]+)", clause):
            if used(m.group(0)):
                continue
            consumed.append(m.group(0))
            period = {"月": "month", "月度": "month", "季度": "quarter", "年": "year", "年度": "year"}[m.group("per")]
            what = m.group("what")
            verb = re.match(r"^(印发|开展|组织|汇总|报送|召开|编制)", what)
            obj = what[len(verb.group(0)):] if verb else what
            name = obj if not verb or verb.group(0) in ("印发", "开展", "组织", "召开") else obj + verb.group(0)
            entry = task.add_type(name)
            task.add_indicator(rule="count", phrase=m.group(0), name=name, unit="次", period=period, comparison=">=",
                               target=1, compute={"kind": "count", "entry_types": [entry]})
        # Intensity: "建筑垃圾排放量每万平米不高于300吨".
        for m in re.finditer(r"(?P<what>[^，；。]*?)每万平(?:方)?米(?P<cmp>不高于|不超过|低于|控制在)(?P<n>\d+(?:\.\d+)?)吨", clause):
            consumed.append(m.group(0))
            what = m.group("what").strip() or "排放量"
            code = task.add_field(what, "吨/万平方米", "number", "intensity")
            task.add_type(f"{what}统计", [code])
            task.add_indicator(rule="intensity", phrase=m.group(0), name=f"{what}（每万平方米）", unit="吨/万平方米",
                               period=_period_of(what) or "year", comparison="<=",
                               target=_number(m.group("n")), compute={"kind": "latest", "field": code})
        # Rates: "……不低于10%", "……达到50%", "……不低于建成区居民总户数的25%".
        for m in re.finditer(r"(?P<what>[^，；。]*?)(?P<cmp>不低于|不少于|达到|不小于|不高于|不超过|低于)"
                             r"(?P<base>[^，；。\d%]*?的)?(?P<n>\d+(?:\.\d+)?)[%％]", clause):
            if used(m.group(0)):
                continue
            consumed.append(m.group(0))
            what = m.group("what").strip()
            base = m.group("base") or ""
            period = _period_of(what) or whole_period or default_period
            what = re.sub(r"^(每季度|每月|每年度?|年内|全年)", "", what)
            if "户数" in base:  # a share of the unit's households: the denominator is a unit setting
                code = task.add_field(what, "户", "int", "households")
                entry = task.add_type(re.sub(r"(居民)?户数$", "", what) or what, [code])
                task.add_indicator(rule="share_of_households", phrase=m.group(0), name=f"{what}占{base.rstrip('的')}比例",
                                   unit="%", period=period, comparison=_comparison(m.group("cmp")),
                                   target=_number(m.group("n")),
                                   compute={"kind": "ratio", "field": code, "denominator_setting": "households", "scale": 100})
                continue
            name = what[-20:] or "比例"
            code = task.add_field(name, "%", "percent", "rate")
            task.add_type(f"{name}统计", [code])
            task.add_indicator(rule="rate", phrase=m.group(0), name=name, unit="%", period=period,
                               comparison=_comparison(m.group("cmp")), target=_number(m.group("n")),
                               compute={"kind": "latest", "field": code})
        # Targets to create: "全区建成区新增达标小区104个", "农村新增示范村1个", "试点2处……中转场".
        for m in re.finditer(r"(?P<verb>新增|试点|新建|建成(?!区))(?P<pre>[^，；。\d]*?)(?P<n>\d+)(?P<u>个|处|座|家)(?P<post>[^，；。]*)", clause):
            what = (m.group("pre") + m.group("post")).strip() or "建设项目"
            n = int(m.group("n"))
            consumed.append(m.group(0))
            district_wide = "全区" in clause or not single_place
            if "达标小区" in what:
                compute = {"kind": "community", "measure": "new_standard", "min_score": min_score or 95}
                task.add_type("达标小区创建")
                task.add_type("达标小区测评")
                extra = {"target_setting": "standard_quota", "district_target": n} if district_wide else {}
                task.add_indicator(rule="new_standard", phrase=m.group(0), name="新增达标小区数", unit=m.group("u"),
                                   period=default_period, comparison=">=", target=None if district_wide else n,
                                   compute=compute, **extra)
                continue
            if "示范村" in what:
                task.add_type("示范村创建")
                extra = {"scope": "district", "district_target": n} if district_wide else {}
                task.add_indicator(rule="demo_villages", phrase=m.group(0), name=f"新增{what}数", unit=m.group("u"),
                                   period=default_period, comparison=">=", target=None if district_wide else n,
                                   compute={"kind": "community", "measure": "demo_villages"}, **extra)
                continue
            compute: dict[str, Any] = {"kind": "count"}
            area = re.search(r"每座[^，；。\d]*?(不低于|不少于|不小于)(\d+(?:\.\d+)?)平方米", text)
            name = f"{what}数"
            required: list[str] = []
            if area:
                code = task.add_field(f"{what[-6:]}面积", "平方米", "number", "area")
                compute["where"] = {"field": code, "min": _number(area.group(2))}
                required = [code]
                name = f"{what}数（≥{area.group(2)}平方米）"
                consumed.append(area.group(0))
            entry = task.add_type(f"{what}建设", required)
            compute["entry_types"] = [entry]
            extra = {"scope": "district", "district_target": n} if district_wide else {}
            task.add_indicator(rule="new_count", phrase=m.group(0) + (f"，{area.group(0)}" if area else ""), name=name,
                               unit=m.group("u"), period=default_period, comparison=">=",
                               target=None if district_wide else n, compute=compute, **extra)
        # Coverage: "……实现垃圾“四分类”全覆盖" (100% by the deadline).
        for m in re.finditer(r"(?P<what>[^，；。]*?)全覆盖(?=$|[，；。])", clause):
            consumed.append(m.group(0))
            what = re.sub(r"(实现|达到)", "", m.group("what")).strip()
            name = f"{what}覆盖率"
            code = task.add_field(name, "%", "percent", "coverage")
            task.add_type("覆盖情况统计", [code])
            task.add_indicator(rule="coverage", phrase=m.group(0), name=name, unit="%",
                               period="deadline" if dated else "year", comparison=">=", target=100,
                               compute={"kind": "latest", "field": code})
        # Every residential community equipped: "住宅小区均要按“四分类”要求设置投放点……".
        for m in re.finditer(r"(住宅)?小区(均|全部|都)(要|应|需)?[^，；。]*?(设置|配置|配齐)[^，；。]*", clause):
            if used(m.group(0)):
                continue
            consumed.append(m.group(0))
            task.add_type("投放点设置")
            task.add_type("设施配置")
            task.add_indicator(rule="facilities", phrase=m.group(0), name="住宅小区“四分类”投放点、设施和标识设置率",
                               unit="%", period="deadline" if dated else "year", comparison=">=", target=100,
                               compute={"kind": "community", "measure": "facilities_coverage"})
        # The year's new 达标小区 connected to the city platform.
        for m in re.finditer(r"新增达标小区[^，；。]*?(接入|联网)[^，；。]*", clause):
            consumed.append(m.group(0))
            task.add_type("计量数据接入")
            task.add_indicator(rule="metering", phrase=m.group(0), name="新增达标小区投放点计量数据接入率", unit="%",
                               period="deadline" if dated else "year", comparison=">=", target=100,
                               compute={"kind": "community", "measure": "metering_of_new", "min_score": min_score or 95})
        # Rates to raise with no number given: "提高生活垃圾分类知晓率和投放准确率".
        for m in re.finditer(r"提高(?P<what>[^，；。]*率)", clause):
            if used(m.group(0)):
                continue
            consumed.append(m.group(0))
            names = [p for p in re.split(r"[和、及与]", m.group("what")) if p.endswith("率")]
            codes = [task.add_field(n, "%", "percent", "rate") for n in names]
            task.add_type("成效测评", codes)
            for name, code in zip(names, codes):
                ind = task.add_indicator(rule="rate", phrase=m.group(0), name=name, unit="%",
                                         period=whole_period or "month", comparison=">=", target=None,
                                         compute={"kind": "latest", "field": code})
                ind["status"] = "needs_target"
                task.flags.append(flag(FLAG_NO_TARGET, f"“{name}”未写明目标值，请填写（未填写的指标发布时不列入）"))
    # A plan to issue by a date: "出台年度实施方案或工作计划" (task 29).
    m = re.match(r"^(?P<verb>出台|制定|印发|编制)(?P<what>[^，；。]+)", text)
    if m and dated and not task.indicators:
        entry = task.add_type(m.group(0)[:30])
        task.add_indicator(rule="issue_document", phrase=m.group(0), name=m.group(0), unit="份", period="deadline",
                           comparison=">=", target=1, compute={"kind": "count", "entry_types": [entry]})
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
            return _number(m.group(1))
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
