"""The status words of progress reports, their order of severity, colours and roll-up.

The one home of these words: the engine (``models.progress``), the reports, the district
views and the GUI's chips all read them from here, so a task reads the same everywhere.

- 达标 / 已完成: target met (已完成 is the same verdict for a deadline task done on time);
- 进行中: period running and on pace (按序时推进);
- 已开展: a task without a number with entries in the period (never 达标: the program
  cannot judge "开展……培训" done from a count);
- 滞后: running and behind pace, or a rate below its target while the period runs;
- 未达标: period over, target missed;
- 逾期: deadline passed and not met by it — also when met later, shown with its date;
- 未开展: nothing recorded and nothing due yet;
- 未设置目标: the unit has not set the figure the target needs (never met);
- 不适用: the indicator does not bind this unit (nothing it could act on).
"""

from __future__ import annotations

from typing import Iterable

MET = "达标"
DONE = "已完成"
ON_PACE = "进行中"
STARTED = "已开展"
BEHIND = "滞后"
MISSED = "未达标"
OVERDUE = "逾期"
NOT_STARTED = "未开展"
NO_TARGET = "未设置目标"
NOT_APPLICABLE = "不适用"

# Worst first. The problems come first; 未设置目标 next (it can never be met until set); then
# 未开展 (nothing due yet, so not a problem), work under way, met, and 不适用 last.
SEVERITY = (OVERDUE, MISSED, BEHIND, NO_TARGET, NOT_STARTED, ON_PACE, STARTED, MET, DONE, NOT_APPLICABLE)
STATUSES = (MET, ON_PACE, STARTED, BEHIND, MISSED, OVERDUE, NOT_STARTED, NO_TARGET, NOT_APPLICABLE)  # legend order
PROBLEMS = frozenset({OVERDUE, MISSED, BEHIND})

COLORS = {
    MET: "#2f855a", DONE: "#2f855a", ON_PACE: "#2b6cb0", STARTED: "#2b6cb0", BEHIND: "#dd6b20",
    MISSED: "#c53030", OVERDUE: "#c53030", NOT_STARTED: "#718096", NO_TARGET: "#b7791f", NOT_APPLICABLE: "#a0aec0",
}
# Light backgrounds for chips on white cards.
TINTS = {
    MET: "#e6f4ea", DONE: "#e6f4ea", ON_PACE: "#e3eefa", STARTED: "#e3eefa", BEHIND: "#fdf0e2",
    MISSED: "#fbe7e7", OVERDUE: "#fbe7e7", NOT_STARTED: "#edf0f3", NO_TARGET: "#fdf6e3", NOT_APPLICABLE: "#f4f5f7",
}
DEFAULT_COLOR = COLORS[NOT_STARTED]
# One sign per word where a cell is too narrow for the word (the district matrix at 1366 px);
# the full word stays in the tooltip and the legend.
SIGNS = {
    MET: "✓", DONE: "✓", ON_PACE: "●", STARTED: "◐", BEHIND: "▲", MISSED: "✗", OVERDUE: "!",
    NOT_STARTED: "○", NO_TARGET: "?", NOT_APPLICABLE: "/",
}


def color(status: str) -> str:
    return COLORS.get(status, DEFAULT_COLOR)


def tint(status: str) -> str:
    return TINTS.get(status, TINTS[NOT_STARTED])


def rank(status: str) -> int:
    """Position in ``SEVERITY`` (0 = worst); unknown words sort after every known one."""
    return SEVERITY.index(status) if status in SEVERITY else len(SEVERITY)


def is_problem(status: str) -> bool:
    return status in PROBLEMS


def worst(statuses: Iterable[str]) -> str:
    """A task's (or a unit's) status from its parts' statuses.

    A problem (逾期 > 未达标 > 滞后) wins, then 未设置目标. Otherwise all met → 达标, all
    未开展 → 未开展, and any mix of met, under way and not yet due → 进行中: an indicator with
    nothing due yet (an annual summary due in December) does not hide the work done on the
    others, and since nothing due is undone the task is on pace. (The district matrix used to
    answer 未开展 for [达标, 未开展]; that read a task with work done as one with none.)
    不适用 parts are left out; all 不适用 → 不适用. Nothing at all → 未开展.
    """
    given = set(statuses)
    found = given - {NOT_APPLICABLE}
    if not found:
        return NOT_APPLICABLE if given else NOT_STARTED
    first = min(found, key=rank)
    if first in PROBLEMS or first == NO_TARGET:
        return first
    if found <= {MET, DONE}:
        return MET
    if found == {NOT_STARTED}:
        return NOT_STARTED
    if found == {STARTED}:
        return STARTED
    return ON_PACE
