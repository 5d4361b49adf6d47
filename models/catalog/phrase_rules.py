"""The phrase rules: what the district writes, and the indicator each phrase proposes.

One function per phrase the district uses year after year, applied to each clause of a
task's 目标内容 in the order of ``RULES``; each adds the fields, entry types and indicator it
needs to the task being built, with the phrase it matched. A phrase an earlier rule has
used is not read again (``RuleContext.used``). ``models.catalog.proposals`` runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from models.catalog.tasklist_import import SourceRow

_ACTIVITY_NOUNS = ("活动", "会议", "培训", "检查", "督查", "考核", "研究", "宣传", "通报", "总结")
_CMP_LE = ("不高于", "不超过", "低于", "控制在")

# Flag kinds: a "blocking" flag makes the list invalid until the clerk resolves it.
FLAG_UNKNOWN_UNIT = "unknown_unit"
FLAG_DEADLINE = "deadline"
FLAG_NO_INDICATOR = "no_indicator"
FLAG_NO_TARGET = "no_target"


def flag(kind: str, message: str) -> dict[str, str]:
    return {"kind": kind, "message": message}


def compute_fields(compute: dict[str, Any]) -> set[str]:
    """The field codes an indicator's compute reads (value, weight, denominator, filter)."""
    codes = {compute.get(k) for k in ("field", "weight", "denominator")} | {compute.get("where", {}).get("field")}
    return {c for c in codes if c}


_PERIOD_WORDS = [("每季度", "quarter"), ("按季度", "quarter"), ("每月", "month"), ("按月", "month"),
                 ("每年", "year"), ("按年度", "year")]


def period_of(text: str) -> str | None:
    hits = [(text.find(w), p) for w, p in _PERIOD_WORDS if w in text]
    return min(hits)[1] if hits else None


def _comparison(word: str) -> str:
    return "<=" if word in _CMP_LE else ">="


def number(text: str) -> float | int:
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


class ProposedTask:
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


def clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[；。;]", text) if c.strip()]


def is_dated(deadline_text: str) -> bool:
    return not deadline_text.strip().startswith("全年") and bool(deadline_text.strip())


@dataclass
class RuleContext:
    """What every rule knows of the task it reads."""

    task: ProposedTask
    text: str
    dated: bool  # the deadline is a date, not 全年
    whole_period: str | None  # the first period word of the whole text
    default_period: str  # "deadline" when dated, else "year"
    single_place: bool  # the task names one street or town and no group of units
    min_score: float | None  # the 达标小区 pass mark from the notes
    consumed: list[str] = field(default_factory=list)

    def used(self, phrase: str) -> bool:
        return any(phrase in c or c in phrase for c in self.consumed)


def _submissions(ctx: RuleContext, clause: str) -> None:
    """Reports sent to the district: the unit's own submissions (tasks 32, 33)."""
    for m in re.finditer(r"(每月|按月度?)[^，；。]*?报送[^，；。]*?台账", clause):
        ctx.consumed.append(m.group(0))
        ctx.task.add_type("台账整理")
        ctx.task.add_indicator(rule="submission", phrase=m.group(0), name="月度台账报送", unit="次", period="month",
                               comparison=">=", target=1, compute={"kind": "submission", "report": "monthly"})
    for m in re.finditer(r"(每季度|按季度)[^，；。]*?报送[^，；。]*?(进展|总结|情况)", clause):
        ctx.consumed.append(m.group(0))
        ctx.task.add_type("季度总结")
        ctx.task.add_indicator(rule="submission", phrase=m.group(0), name="季度工作进展报送", unit="次", period="quarter",
                               comparison=">=", target=1, compute={"kind": "submission", "report": "quarterly"})


def _counts(ctx: RuleContext, clause: str) -> None:
    """Counts: "……每季度不少于2次", "每月至少研究1次……", "每年度开展1次总结"."""
    for m in re.finditer(r"(?P<act>[^，；。]*?)(?P<per>每季度|每月|每年度|每年|每半年)(?P<mid>[^，；。\d]*?)"
                         r"(?P<n>\d+)(?P<u>次|期|场|批|轮)(?P<tail>[^，；。]*)", clause):
        if ctx.used(m.group(0)):
            continue
        ctx.consumed.append(m.group(0))
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
        types = [ctx.task.add_type(n) for n in names]
        ctx.task.add_indicator(rule="count", phrase=m.group(0).strip("，"), name="、".join(names) + "次数",
                               unit="次" if m.group("u") == "次" else m.group("u"), period=period, comparison=">=",
                               target=int(m.group("n")), compute={"kind": "count", "entry_types": types})


def _per_period(ctx: RuleContext, clause: str) -> None:
    """"按月度汇总执法情况，按季度印发检查通报": at least one a period."""
    for m in re.finditer(r"按(?P<per>月度?|季度|年度?)(?P<what>[^，；。]+)", clause):
        if ctx.used(m.group(0)):
            continue
        ctx.consumed.append(m.group(0))
        period = {"月": "month", "月度": "month", "季度": "quarter", "年": "year", "年度": "year"}[m.group("per")]
        what = m.group("what")
        verb = re.match(r"^(印发|开展|组织|汇总|报送|召开|编制)", what)
        obj = what[len(verb.group(0)):] if verb else what
        name = obj if not verb or verb.group(0) in ("印发", "开展", "组织", "召开") else obj + verb.group(0)
        entry = ctx.task.add_type(name)
        ctx.task.add_indicator(rule="count", phrase=m.group(0), name=name, unit="次", period=period, comparison=">=",
                               target=1, compute={"kind": "count", "entry_types": [entry]})


def _intensity(ctx: RuleContext, clause: str) -> None:
    """Intensity: "建筑垃圾排放量每万平米不高于300吨"."""
    for m in re.finditer(r"(?P<what>[^，；。]*?)每万平(?:方)?米(?P<cmp>不高于|不超过|低于|控制在)(?P<n>\d+(?:\.\d+)?)吨", clause):
        ctx.consumed.append(m.group(0))
        what = m.group("what").strip() or "排放量"
        # measured as tonnage over floor area of the period, so two sites' figures add up right
        tonnage = ctx.task.add_field(what, "吨", "number", "tonnage")
        area = ctx.task.add_field("新开工建筑面积", "平方米", "number", "floor_area")
        entry = ctx.task.add_type(f"{what}统计", [tonnage, area])
        ctx.task.add_indicator(rule="intensity", phrase=m.group(0), name=f"{what}（每万平方米）", unit="吨/万平方米",
                               period=period_of(what) or "year", comparison="<=", target=number(m.group("n")),
                               compute={"kind": "ratio_of_sums", "field": tonnage, "denominator": area,
                                        "scale": 10000, "entry_types": [entry]})


def _rates(ctx: RuleContext, clause: str) -> None:
    """Rates: "……不低于10%", "……达到50%", "……不低于建成区居民总户数的25%"."""
    for m in re.finditer(r"(?P<what>[^，；。]*?)(?P<cmp>不低于|不少于|达到|不小于|不高于|不超过|低于)"
                         r"(?P<base>[^，；。\d%]*?的)?(?P<n>\d+(?:\.\d+)?)[%％]", clause):
        if ctx.used(m.group(0)):
            continue
        ctx.consumed.append(m.group(0))
        what = m.group("what").strip()
        base = m.group("base") or ""
        period = period_of(what) or ctx.whole_period or ctx.default_period
        what = re.sub(r"^(每季度|每月|每年度?|年内|全年)", "", what)
        if "户数" in base:  # a share of the unit's households: the denominator is a unit setting
            code = ctx.task.add_field(what, "户", "int", "households")
            ctx.task.add_type(re.sub(r"(居民)?户数$", "", what) or what, [code])
            ctx.task.add_indicator(rule="share_of_households", phrase=m.group(0), name=f"{what}占{base.rstrip('的')}比例",
                                   unit="%", period=period, comparison=_comparison(m.group("cmp")),
                                   target=number(m.group("n")),
                                   compute={"kind": "ratio", "field": code, "denominator_setting": "households", "scale": 100})
            continue
        name = what[-20:] or "比例"
        # a measured rate: the period's measurements averaged by what each was measured over
        code = ctx.task.add_field(name, "%", "percent", "rate")
        weight = ctx.task.add_field(f"{name}统计基数", "", "number", "base")
        ctx.task.add_type(f"{name}统计", [code, weight])
        ctx.task.add_indicator(rule="rate", phrase=m.group(0), name=name, unit="%", period=period,
                               comparison=_comparison(m.group("cmp")), target=number(m.group("n")),
                               compute={"kind": "weighted_mean", "field": code, "weight": weight})


def _targets_to_create(ctx: RuleContext, clause: str) -> None:
    """Targets to create: "全区建成区新增达标小区104个", "农村新增示范村1个", "试点2处……中转场"."""
    for m in re.finditer(r"(?P<verb>新增|试点|新建|建成(?!区))(?P<pre>[^，；。\d]*?)(?P<n>\d+)(?P<u>个|处|座|家)(?P<post>[^，；。]*)", clause):
        what = (m.group("pre") + m.group("post")).strip() or "建设项目"
        n = int(m.group("n"))
        ctx.consumed.append(m.group(0))
        district_wide = "全区" in clause or not ctx.single_place
        if "达标小区" in what:
            compute = {"kind": "community", "measure": "new_standard", "min_score": ctx.min_score or 95}
            ctx.task.add_type("达标小区创建")
            ctx.task.add_type("达标小区测评")
            extra = {"target_setting": "standard_quota", "district_target": n} if district_wide else {}
            ctx.task.add_indicator(rule="new_standard", phrase=m.group(0), name="新增达标小区数", unit=m.group("u"),
                                   period=ctx.default_period, comparison=">=", target=None if district_wide else n,
                                   compute=compute, **extra)
            continue
        if "示范村" in what:
            ctx.task.add_type("示范村创建")
            extra = {"scope": "district", "district_target": n} if district_wide else {}
            ctx.task.add_indicator(rule="demo_villages", phrase=m.group(0), name=f"新增{what}数", unit=m.group("u"),
                                   period=ctx.default_period, comparison=">=", target=None if district_wide else n,
                                   compute={"kind": "community", "measure": "demo_villages"}, **extra)
            continue
        compute: dict[str, Any] = {"kind": "count"}
        area = re.search(r"每座[^，；。\d]*?(不低于|不少于|不小于)(\d+(?:\.\d+)?)平方米", ctx.text)
        name = f"{what}数"
        required: list[str] = []
        if area:  # sites of a size: counted by name, so one site entered twice is one
            site = ctx.task.add_field(f"{what[-6:]}名称", "", "text", "site_name")
            code = ctx.task.add_field(f"{what[-6:]}面积", "平方米", "number", "area")
            compute = {"kind": "distinct", "field": site, "where": {"field": code, "min": number(area.group(2))}}
            required = [site, code]
            name = f"{what}数（≥{area.group(2)}平方米）"
            ctx.consumed.append(area.group(0))
        entry = ctx.task.add_type(f"{what}建设", required)
        compute["entry_types"] = [entry]
        extra = {"scope": "district", "district_target": n} if district_wide else {}
        ctx.task.add_indicator(rule="new_count", phrase=m.group(0) + (f"，{area.group(0)}" if area else ""), name=name,
                               unit=m.group("u"), period=ctx.default_period, comparison=">=",
                               target=None if district_wide else n, compute=compute, **extra)


def _coverage(ctx: RuleContext, clause: str) -> None:
    """Coverage: "……实现垃圾“四分类”全覆盖" (100% by the deadline)."""
    for m in re.finditer(r"(?P<what>[^，；。]*?)全覆盖(?=$|[，；。])", clause):
        ctx.consumed.append(m.group(0))
        what = re.sub(r"(实现|达到)", "", m.group("what")).strip()
        name = f"{what}覆盖率"
        code = ctx.task.add_field(name, "%", "percent", "coverage")
        ctx.task.add_type("覆盖情况统计", [code])
        ctx.task.add_indicator(rule="coverage", phrase=m.group(0), name=name, unit="%",
                               period="deadline" if ctx.dated else "year", comparison=">=", target=100,
                               compute={"kind": "latest", "field": code})


def _facilities(ctx: RuleContext, clause: str) -> None:
    """Every residential community equipped: "住宅小区均要按“四分类”要求设置投放点……"."""
    for m in re.finditer(r"(住宅)?小区(均|全部|都)(要|应|需)?[^，；。]*?(设置|配置|配齐)[^，；。]*", clause):
        if ctx.used(m.group(0)):
            continue
        ctx.consumed.append(m.group(0))
        ctx.task.add_type("投放点设置")
        ctx.task.add_type("设施配置")
        ctx.task.add_indicator(rule="facilities", phrase=m.group(0), name="住宅小区“四分类”投放点、设施和标识设置率",
                               unit="%", period="deadline" if ctx.dated else "year", comparison=">=", target=100,
                               compute={"kind": "community", "measure": "facilities_coverage"})


def _metering(ctx: RuleContext, clause: str) -> None:
    """The year's new 达标小区 connected to the city platform."""
    for m in re.finditer(r"新增达标小区[^，；。]*?(接入|联网)[^，；。]*", clause):
        ctx.consumed.append(m.group(0))
        ctx.task.add_type("计量数据接入")
        ctx.task.add_indicator(rule="metering", phrase=m.group(0), name="新增达标小区投放点计量数据接入率", unit="%",
                               period="deadline" if ctx.dated else "year", comparison=">=", target=100,
                               compute={"kind": "community", "measure": "metering_of_new", "min_score": ctx.min_score or 95})


def _rates_to_raise(ctx: RuleContext, clause: str) -> None:
    """Rates to raise with no number given: "提高生活垃圾分类知晓率和投放准确率"."""
    for m in re.finditer(r"提高(?P<what>[^，；。]*率)", clause):
        if ctx.used(m.group(0)):
            continue
        ctx.consumed.append(m.group(0))
        names = [p for p in re.split(r"[和、及与]", m.group("what")) if p.endswith("率")]
        codes = [ctx.task.add_field(n, "%", "percent", "rate") for n in names]
        respondents = ctx.task.add_field("受访户数", "户", "int", "respondents")  # a survey's sample
        ctx.task.add_type("成效测评", [*codes, respondents])
        for name, code in zip(names, codes):
            ind = ctx.task.add_indicator(rule="rate", phrase=m.group(0), name=name, unit="%",
                                         period=ctx.whole_period or "month", comparison=">=", target=None,
                                         compute={"kind": "weighted_mean", "field": code, "weight": respondents})
            ind["status"] = "needs_target"
            ctx.task.flags.append(flag(FLAG_NO_TARGET, f"“{name}”未写明目标值，请填写（未填写的指标发布时不列入）"))


def issue_document(ctx: RuleContext) -> None:
    """A plan to issue by a date: "出台年度实施方案或工作计划" (task 29), when nothing else was found."""
    m = re.match(r"^(?P<verb>出台|制定|印发|编制)(?P<what>[^，；。]+)", ctx.text)
    if m and ctx.dated and not ctx.task.indicators:
        entry = ctx.task.add_type(m.group(0)[:30])
        ctx.task.add_indicator(rule="issue_document", phrase=m.group(0), name=m.group(0), unit="份", period="deadline",
                               comparison=">=", target=1, compute={"kind": "count", "entry_types": [entry]})


RULES: tuple[Callable[[RuleContext, str], None], ...] = (
    _submissions, _counts, _per_period, _intensity, _rates, _targets_to_create,
    _coverage, _facilities, _metering, _rates_to_raise,
)
