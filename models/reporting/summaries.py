"""The words of a report's cells: a task's work summary, indicator lines, remarks."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from models.catalog.schema import Task
from models.progress.indicators import IndicatorResult, format_number
from models.ledger.entries import LedgerEntry
from models.core.periods import Period, period_title

MAX_TITLES = 5  # entry titles quoted in a task's work summary


def _day(date: dt.date, kind: str) -> str:
    return f"{date.day}日" if kind == "monthly" else f"{date.month}月{date.day}日"


def work_summary(task: Task, entries: list[LedgerEntry], *, kind: str) -> str:
    """What was done for ``task`` in the period, from its entries (oldest first)."""
    where = "本月" if kind == "monthly" else "本季度"
    if not entries:
        return f"{where}无台账记录。"
    types = Counter(e.entry_type for e in entries)
    order = [t.name for t in task.entry_types] + sorted(set(types) - {t.name for t in task.entry_types})
    parts = [f"{where}记录台账{len(entries)}条（" + "、".join(f"{name}{types[name]}次" for name in order if types[name]) + "）。"]
    measures: list[str] = []
    people = [e.participants for e in entries if e.participants is not None]
    if people:
        measures.append(f"参与{sum(people):,}人次")
    for spec in task.fields:
        values = [(e.entry_date, e.measures[spec.code]) for e in entries if spec.code in e.measures]
        if not values:
            continue
        if not spec.numeric:  # names (中转场名称): each once
            names = list(dict.fromkeys(str(v).strip() for _, v in values))
            measures.append(f"{spec.name}：{'、'.join(names)}")
        elif spec.type == "percent":
            date, value = values[-1]
            measures.append(f"{spec.name}{format_number(value, spec.unit)}（{date.month}月{date.day}日）")
        else:
            measures.append(f"{spec.name}合计{format_number(sum(v for _, v in values), spec.unit)}")
    if measures:
        parts.append("；".join(measures) + "。")
    quoted = [f"{_day(e.entry_date, kind)}{e.title}" for e in entries[:MAX_TITLES]]
    more = f"等{len(entries)}项" if len(entries) > MAX_TITLES else ""
    parts.append("主要工作：" + "；".join(quoted) + more + "。")
    return "".join(parts)


def indicator_line(result: IndicatorResult) -> str:
    period = period_title(Period(result.period_kind, result.period, result.period_start, result.period_end))
    value = format_number(result.value, result.unit)
    if result.status == "未设置目标":
        target = "未设置目标"
    elif result.target is not None:
        target = f"目标{result.target_text}"
    else:
        target = "无本单位目标"
    if result.district_target is not None:
        target += f"（全区{format_number(result.district_target, result.unit)}）"
    if result.months:  # a monthly rule over a quarter: each month against the monthly target
        months = "、".join(f"{m.period_start.month}月{format_number(m.value, m.unit)}（{m.status_text}）" for m in result.months)
        whole = "合计" if result.unit in ("次", "期", "个", "处", "份", "件") else ""
        return f"{result.name}：{months}；本季度{whole}{value} / 每月{target}（{period}，{result.status_text}）"
    return f"{result.name}：{value} / {target}（{period}，{result.status_text}）"


def remarks_for(task: Task, start: dt.date, end: dt.date) -> str:
    notes = []
    if start <= task.deadline <= end and task.deadline.month != 12:
        notes.append(f"完成期限为{task.deadline.month}月{task.deadline.day}日")
    if any(i.scope == "district" for i in task.indicators):
        notes.append("全区统一目标，按各单位完成数汇总")
    return "；".join(notes)


def measures_text(task: Task | None, entry: LedgerEntry) -> str:
    parts = []
    for code, value in entry.measures.items():
        spec = task.field(code) if task else None
        shown = value if isinstance(value, str) else format_number(value, spec.unit if spec else "")
        parts.append(f"{spec.name if spec else code}：{shown}")
    return "；".join(parts)
