"""What an indicator shows on screen: its value against the target, its period in words,
how full its bar is. The 工作台 paints them (``ui.widgets.task_tile``) in the status's colour
from ``models.core.statuses`` (达标 green, 进行中 blue, 滞后 orange, 未达标/逾期 red, 未开展
grey, 未设置目标 amber, 不适用 light grey) — the same everywhere.
"""

from __future__ import annotations

from models.core import statuses as st
from models.progress.indicators import IndicatorResult, format_number
from models.core.periods import Period, period_title


def fill_fraction(result: IndicatorResult) -> float:
    """How full the bar is: value against target (or against the district target)."""
    value = result.value
    if value is None:
        return 0.0
    target = result.target if result.target is not None else result.district_target
    if not target:
        return 1.0 if value > 0 else 0.0
    if result.comparison == "<=":
        return 1.0 if value <= target else max(0.0, target / value)
    return max(0.0, min(1.0, value / target))


def value_text(result: IndicatorResult) -> str:
    shown = format_number(result.value, result.unit)
    if result.status == st.NO_TARGET:
        return f"{shown}／未设置目标"
    if result.target is not None:
        return f"{shown}／{result.target_text}"
    if result.district_target is not None:
        return f"{shown}（全区目标 {format_number(result.district_target, result.unit)}）"
    return shown


def period_words(result: IndicatorResult) -> str:
    return period_title(Period(result.period_kind, result.period, result.period_start, result.period_end))


def short_period_words(result: IndicatorResult) -> str:
    """Period words for a page that already names the month: 本月, 第二季度, 全年累计, 截至6月30日."""
    if result.period_kind == "month":
        return "本月"
    if result.period_kind == "quarter":
        return period_words(result)[5:]
    if result.period_kind == "year":
        return "全年累计"
    return f"截至{result.period_end.month}月{result.period_end.day}日"
