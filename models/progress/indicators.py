"""The indicator engine: entries and the 小区 register rolled up into period indicators.

For a report month M (or a quarter) every indicator of every applicable task gets a value, a
target and one status word of ``models.core.statuses``. All rules come from the task list
data (``resources/README.md``); no task number appears here. Every view — the dashboard,
``status``, the reports and what the district reads from them — takes its statuses from here.

Periods (``models.core.periods``): month → M; quarter → the quarter containing M; year →
1 January .. 31 December, counted to date; deadline → 1 January .. the task's deadline.
``as_of`` defaults to min(today, last day of M); values count what happened from the period
start up to min(period end, as_of). A period is over when as_of ≥ its end.

Values by ``compute.kind``: count / distinct / sum over the period's entries; rates —
weighted_mean (Σ value × sample ÷ Σ sample), ratio_of_sums (Σ ÷ Σ × scale), latest (a
state); ratio (sum ÷ a unit setting); community measures from the register; submission (the
unit's own report for the period: exported or marked submitted, judged by when).

Target: the unit's own (``target_overrides``, for ``editable`` indicators, "本单位设定"),
else the unit setting ``target_setting``, else the data's ``target``. A target the unit has
not set is never met: 未设置目标 (with the note saying where to set it).

Status, for a target "≥ T":
- met → 达标 (a rate or count met while the period runs is met);
- the period is over and it is not → 未达标, or 逾期 for a deadline;
- a deadline indicator met only after its deadline → 逾期, ``late`` with ``completed_on``;
- a rate (weighted_mean, ratio_of_sums, latest, a community share) is compared with T itself,
  never paced: none measured yet → 未开展; below T → 滞后;
- a count or sum is paced (``models.progress.pace``): due = T × whole months elapsed ÷ months
  of the period (counts rounded down to whole activities). Nothing recorded and nothing due
  → 未开展; value ≥ due → 进行中; value < due → 滞后 (also when the value is 0).
For "≤ T" (rates): none measured → 未开展 (未达标 once over); ≤ T → 达标; above → 滞后 / 未达标.

Worked example (quarterly "联动会议、活动 ≥ 2 次", Q2): 30 April — 1 of 3 months elapsed,
due 2 × 1/3 = 0.67 → 0 whole activities: nothing recorded is 未开展, one meeting 进行中.
31 May — 2 of 3 months, due 1.33 → 1: nothing recorded is 滞后, one is 进行中. 30 June —
over: two or more 达标, fewer 未达标. A monthly rate "知晓率 ≥ 90%" with surveys of 400
households at 95% and 20 at 40% on 10 June reads (400×95 + 20×40) ÷ 420 = 92.4% → 达标;
50% ten days into the month is 滞后, not 进行中.

Who an indicator binds: ``unit_kinds`` (data). A unit the task applies to but the indicator
does not bind (a department co-responsible for communities) gets 不适用 and keeps its
entries; task 28's share is 不适用 for a unit with no new 达标小区.

Task status: ``statuses.worst`` of its indicators (不适用 left out). A task without a number —
or whose indicators all do not bind the unit — is 已开展 with entries in the period, else
未开展; never 达标.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from models.catalog.schema import Indicator, Task, TaskList
from models.core import statuses as st
from models.core.errors import AppError
from models.core.periods import (
    Period, default_as_of, month_bounds, normalize_month, parse_quarter, period_for, quarter_bounds,
    quarter_last_month, quarter_months, quarter_period,
)
from models.progress import pace
from models.progress.values import Snapshot, first_met_on, indicator_value, target_met
from models.store.connection import one_reading
from models.store.settings import UnitProfile
from models.store.workspace import Workspace

if TYPE_CHECKING:
    import sqlite_utils

# Back-compatible names; the home of the words is models.core.statuses.
STATUSES = st.STATUSES
SEVERITY = st.SEVERITY
STATUS_COLORS = st.COLORS
worst = st.worst
_EPS = 1e-9
RATE_KINDS = frozenset({"weighted_mean", "ratio_of_sums", "latest"})
RATE_MEASURES = frozenset({"facilities_coverage", "metering_of_new"})
WHOLE_KINDS = frozenset({"count", "distinct"})
WHOLE_MEASURES = frozenset({"new_standard", "demo_villages"})
SUBMISSION_GRACE_DAYS = 5  # a report is on time up to its period's end plus these days


@dataclass(frozen=True)
class IndicatorResult:
    task_seq: int
    code: str
    name: str
    unit: str
    period_kind: str
    period: str
    period_start: dt.date
    period_end: dt.date
    value: float | None
    target: float | None
    comparison: str
    status: str
    scope: str
    district_target: float | None
    late: bool = False  # deadline indicator met only after its deadline (status 逾期)
    note: str = ""  # why there is no value or target, for the user
    completed_on: dt.date | None = None  # deadline / submission: the day the target was first met
    own_target: bool = False  # the unit set this target itself (本单位设定)
    due: float | None = None  # paced indicators: the part of the target due by as_of
    months: tuple["IndicatorResult", ...] = ()  # a monthly rule in a quarter: each month

    @property
    def display_value(self) -> float | int | None:
        return rounded(self.value)

    @property
    def display_target(self) -> float | int | None:
        return rounded(self.target)

    @property
    def target_text(self) -> str:
        """"≥92%", "≥92%（本单位设定）", "未设置目标" or "—"."""
        if self.status == st.NO_TARGET:
            return st.NO_TARGET
        if self.target is None:
            return "—"
        sign = "≥" if self.comparison == ">=" else "≤"
        return f"{sign}{format_number(self.target, self.unit)}" + ("（本单位设定）" if self.own_target else "")

    @property
    def status_text(self) -> str:
        """The status as reports print it: "逾期（2023年5月10日完成）" when done late."""
        if self.late and self.completed_on:
            d = self.completed_on
            return f"{self.status}（{d.year}年{d.month}月{d.day}日完成）"
        return self.status


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    indicators: list[IndicatorResult]
    entries_in_month: int
    evidence_in_month: int
    status: str
    entries_in_year: int = 0  # non-deleted entries from 1 January up to as_of
    period: str = ""  # the month (or quarter) the entry counts speak of
    entries_in_period: int = 0
    evidence_in_period: int = 0
    photos_in_period: int = 0


def rounded(value: float | None, digits: int = 2) -> float | int | None:
    """Numbers as people read them: 26 not 26.0, 16.76 not 16.7582."""
    if value is None:
        return None
    value = round(float(value), digits)
    return int(value) if value.is_integer() else value


def format_number(value: float | None, unit: str = "") -> str:
    shown = rounded(value)
    if shown is None:
        return "—"
    return f"{shown:,}{unit}" if isinstance(shown, int) and abs(shown) >= 10000 else f"{shown}{unit}"


def short_title(task: Task, limit: int = 30) -> str:
    """The first clause of a task's target text, for lists that have one line per task."""
    first = re.split(r"[，。；：,;]", task.target_text, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def is_rate(ind: Indicator) -> bool:
    kind = ind.compute["kind"]
    return kind in RATE_KINDS or (kind == "community" and ind.compute.get("measure") in RATE_MEASURES)


def counts_whole(ind: Indicator) -> bool:
    kind = ind.compute["kind"]
    return kind in WHOLE_KINDS or (kind == "community" and ind.compute.get("measure") in WHOLE_MEASURES)


def judge(
    value: float | None, target: float | None, comparison: str, *, period: Period, as_of: dt.date,
    rate: bool = False, whole: bool = False,
) -> str:
    """The status word for a value against its target in ``period`` as at ``as_of``.

    ``target`` None means the unit has not set it: 未设置目标. Deadline lateness is the
    caller's (it knows when the target was first met).
    """
    if target is None:
        return st.NO_TARGET
    over = period.is_over(as_of)
    missed = st.OVERDUE if period.kind == "deadline" else st.MISSED
    if comparison == "<=":
        if value is None:
            return missed if over else st.NOT_STARTED
        if value <= target + _EPS:
            return st.MET
        return missed if over else st.BEHIND
    if value is not None and value >= target - _EPS:
        return st.MET
    if over:
        return missed
    if rate:
        return st.NOT_STARTED if value is None else st.BEHIND
    owed = pace.due(target, period, as_of, whole=whole)
    if not value:
        return st.BEHIND if owed > _EPS else st.NOT_STARTED
    return st.ON_PACE if value >= owed - _EPS else st.BEHIND


def submission_status(period_end: dt.date, received: dt.date | None, as_of: dt.date, *, grace: int = SUBMISSION_GRACE_DAYS) -> str:
    """A report for a period that ends on ``period_end``, received (exported / arrived) on ``received``.

    The one rule for tasks 32 and 33, used by the unit's own reports and by the district:
    on time up to the period's end plus ``grace`` days → 达标; later → 逾期; not received →
    逾期 once that day has passed, else 未开展.
    """
    due_day = period_end + dt.timedelta(days=grace)
    if received is not None and received <= as_of:
        return st.MET if received <= due_day else st.OVERDUE
    return st.OVERDUE if as_of > due_day else st.NOT_STARTED


def resolve_target(ind: Indicator, profile: UnitProfile) -> tuple[float | None, str, bool]:
    """(the unit's target, a note when it is not set, whether the unit set it itself)."""
    overrides = profile.target_overrides or {}
    if ind.code in overrides and overrides[ind.code] is not None:
        return float(overrides[ind.code]), "", True
    if ind.target_setting:
        value = profile.setting(ind.target_setting)
        if not value:  # unset, or 0 from an older set-up: never a real target
            what = "新增达标小区任务数" if ind.target_setting == "standard_quota" else "建成区居民总户数"
            return None, f"本单位尚未设置{what}，请在“设置”中填写（或 settings --quota / --households）", False
        return float(value), "", False
    return (None if ind.target is None else float(ind.target)), "", False


def _not_applicable(ind: Indicator, snap: Snapshot) -> str | None:
    """Why the indicator does not bind this unit, or None when it does."""
    if snap.unit is not None and not ind.binds(snap.unit):
        return "本单位不直接承担该指标（由镇、街道落实），可在台账中记录配合工作；全区数见区垃分办汇总"
    return None


def _evaluate_indicator(ind: Indicator, snap: Snapshot, month: str, as_of: dt.date) -> IndicatorResult:
    period = period_for(ind.period, month, deadline=ind.deadline)
    cutoff = as_of if ind.period == "deadline" else min(period.end, as_of)  # late work still shows
    target, target_note, own = resolve_target(ind, snap.profile)
    base = dict(task_seq=ind.task_seq, code=ind.code, name=ind.name, unit=ind.unit, period_kind=ind.period,
                period=period.label, period_start=period.start, period_end=period.end, comparison=ind.comparison,
                scope=ind.scope, district_target=ind.district_target, own_target=own)
    reason = _not_applicable(ind, snap)
    if reason:
        return IndicatorResult(**base, value=None, target=None, status=st.NOT_APPLICABLE, note=reason)
    if ind.compute["kind"] == "submission":
        key = (ind.compute["report"], period.label)
        received = snap.received.get(key)
        day = as_of
        if snap.exporting is not None and snap.exporting[0] == key:
            day = max(as_of, snap.exporting[1])  # the report being sent speaks of itself as sent
        status = submission_status(period.end, received, day)
        shown = received if received is not None and received <= day else None
        return IndicatorResult(**base, value=1.0 if shown else 0.0, target=target, status=status,
                               completed_on=shown, late=status == st.OVERDUE and shown is not None)
    value, note = indicator_value(ind, snap, period.start, cutoff)
    if ind.scope == "district" and not own:
        # The target is the district's sum: the unit's share is work done, never 达标 alone.
        status = st.STARTED if value else st.NOT_STARTED
        return IndicatorResult(**base, value=value, target=None, status=status, note=note)
    if ind.compute.get("measure") == "metering_of_new" and value is None:
        return IndicatorResult(**base, value=None, target=None, status=st.NOT_APPLICABLE, note=note)
    rate, whole = is_rate(ind), counts_whole(ind)
    if ind.compute["kind"] == "ratio" and not snap.profile.setting(ind.compute["denominator_setting"]):
        target, target_note = None, note  # a share of a figure the unit has not set cannot be judged
    if target is None:
        return IndicatorResult(**base, value=value, target=None, status=st.NO_TARGET, note=target_note or note)
    late = False
    completed: dt.date | None = None
    if ind.period == "deadline":
        if as_of <= period.end:
            status = judge(value, target, ind.comparison, period=period, as_of=as_of, rate=rate, whole=whole)
        else:  # decided at the deadline; met later shows as 逾期 with its date
            on_time = indicator_value(ind, snap, period.start, period.end)[0]
            status = st.MET if target_met(on_time, target, ind.comparison) else st.OVERDUE
        if target_met(value, target, ind.comparison):
            completed = first_met_on(ind, snap, period, target, cutoff)
            late = status == st.OVERDUE
    else:
        status = judge(value, target, ind.comparison, period=period, as_of=as_of, rate=rate, whole=whole)
    owed = None if rate else pace.due(target, period, min(as_of, period.end), whole=whole)
    return IndicatorResult(**base, value=value, target=target, status=status, note=note, late=late,
                           completed_on=completed, due=owed)


def _task_status(results: list[IndicatorResult], entries: int) -> str:
    bound = [r.status for r in results if r.status != st.NOT_APPLICABLE]
    if bound:
        return st.worst(bound)
    return st.STARTED if entries else st.NOT_STARTED


def _task_progress(task: Task, results: list[IndicatorResult], snap: Snapshot, period: str,
                   start: dt.date, end: dt.date, as_of: dt.date) -> TaskProgress:
    """A task's row: its indicators, its entries and evidence of the period (``start`` to
    ``end``), and its entries of the year up to ``as_of``."""
    rows = snap.task_entries(task.seq, start, end)
    in_year = snap.task_entries(task.seq, dt.date(snap.tasklist.year, 1, 1), as_of)
    evidence = sum(e.evidence for e in rows)
    return TaskProgress(task=task, indicators=results, entries_in_month=len(rows), evidence_in_month=evidence,
                        status=_task_status(results, len(rows)), entries_in_year=len(in_year), period=period,
                        entries_in_period=len(rows), evidence_in_period=evidence,
                        photos_in_period=sum(e.photos for e in rows))


def evaluate_for(
    db: sqlite_utils.Database, *, tasklist: TaskList, tasks: list[Task], profile: UnitProfile, month: str,
    as_of: dt.date | None = None, exporting: tuple[str, str, dt.date] | None = None,
) -> list[TaskProgress]:
    """The engine proper, for any database and profile (a unit's own, or a test's).

    ``exporting`` = (report kind, period label, day): the report being exported counts as
    received that day (its own task-32/33 row must not say it was never sent).
    """
    month = normalize_month(month)
    if not month.startswith(f"{tasklist.year}-"):
        raise AppError(f"月份 {month} 不在 {tasklist.year} 年内（本台账为 {tasklist.year} 年任务清单）")
    as_of = as_of or default_as_of(month)
    m_start, m_end = month_bounds(month)
    out = []
    with one_reading(db):  # task by task, from one state of the ledger
        snap = Snapshot(db, tasklist, profile, exporting)
        for task in sorted(tasks, key=lambda t: t.seq):
            results = [_evaluate_indicator(ind, snap, month, as_of) for ind in task.indicators]
            out.append(_task_progress(task, results, snap, month, m_start, min(m_end, as_of), as_of))
    return out


def _quarter_indicator(ind: Indicator, snap: Snapshot, quarter: str, as_of: dt.date) -> IndicatorResult:
    """One indicator for a quarter: a monthly rule shows each month and the quarter's verdict."""
    q_start, q_end = quarter_bounds(quarter)
    if ind.period != "month":
        last = quarter_last_month(quarter) if as_of >= q_end else f"{as_of.year}-{as_of.month:02d}"
        return _evaluate_indicator(ind, snap, max(last, quarter_months(quarter)[0]), min(as_of, q_end))
    months = [m for m in quarter_months(quarter) if month_bounds(m)[0] <= as_of] or quarter_months(quarter)[:1]
    # Each month as at its end — but a month's report is sent after it ends, so as at as_of.
    submission = ind.compute["kind"] == "submission"
    each = tuple(_evaluate_indicator(ind, snap, m, as_of if submission else min(as_of, month_bounds(m)[1])) for m in months)
    qp = quarter_period(quarter)
    verdicts = [r.status for r in each]
    status = st.worst(verdicts)
    if qp.is_over(as_of) and any(s in (st.MISSED, st.OVERDUE, st.BEHIND) for s in verdicts):
        status = st.MISSED if st.OVERDUE not in verdicts else st.OVERDUE
    if ind.compute["kind"] in ("count", "distinct", "sum"):
        value, note = indicator_value(ind, snap, q_start, min(as_of, q_end))
    elif ind.compute["kind"] == "submission":
        value, note = float(sum(r.value or 0 for r in each)), ""
    else:
        value, note = indicator_value(ind, snap, q_start, min(as_of, q_end))
    first = each[0]
    return replace(first, period_kind="quarter", period=qp.label, period_start=qp.start, period_end=qp.end,
                   value=value, status=status, note=note or first.note, months=each, due=None,
                   late=any(r.late for r in each), completed_on=None)


def evaluate_quarter_for(
    db: sqlite_utils.Database, *, tasklist: TaskList, tasks: list[Task], profile: UnitProfile, quarter: str,
    as_of: dt.date | None = None, exporting: tuple[str, str, dt.date] | None = None,
) -> list[TaskProgress]:
    """The engine for a quarter as a real period: entries, evidence and counts of the quarter."""
    year, _ = parse_quarter(quarter)
    if year != tasklist.year:
        raise AppError(f"季度 {quarter} 不在 {tasklist.year} 年内（本台账为 {tasklist.year} 年任务清单）")
    q_start, q_end = quarter_bounds(quarter)
    as_of = min(as_of or min(dt.date.today(), q_end), q_end)
    out = []
    with one_reading(db):  # task by task, from one state of the ledger
        snap = Snapshot(db, tasklist, profile, exporting)
        for task in sorted(tasks, key=lambda t: t.seq):
            results = [_quarter_indicator(ind, snap, quarter, as_of) for ind in task.indicators]
            out.append(_task_progress(task, results, snap, quarter, q_start, as_of, as_of))
    return out


def progress(ws: Workspace, month: str, *, as_of: dt.date | None = None,
             exporting: tuple[str, str, dt.date] | None = None) -> list[TaskProgress]:
    """One TaskProgress per applicable task, in seq order."""
    return evaluate_for(ws.reader, tasklist=ws.tasklist, tasks=ws.tasks(), profile=ws.require_profile(), month=month,
                        as_of=as_of, exporting=exporting)


def quarter_progress(ws: Workspace, quarter: str, *, as_of: dt.date | None = None,
                     exporting: tuple[str, str, dt.date] | None = None) -> list[TaskProgress]:
    return evaluate_quarter_for(ws.reader, tasklist=ws.tasklist, tasks=ws.tasks(), profile=ws.require_profile(),
                                quarter=quarter, as_of=as_of, exporting=exporting)


def evaluate(ws: Workspace, month: str, *, as_of: dt.date | None = None) -> list[IndicatorResult]:
    return [r for tp in progress(ws, month, as_of=as_of) for r in tp.indicators]


def evaluate_quarter(ws: Workspace, quarter: str, *, as_of: dt.date | None = None) -> list[IndicatorResult]:
    """Every indicator for the quarter (monthly rules carry their months)."""
    return [r for tp in quarter_progress(ws, quarter, as_of=as_of) for r in tp.indicators]


def missing_targets(tasks: list[TaskProgress]) -> list[IndicatorResult]:
    """Indicators the unit cannot be judged on until it sets a figure (export warns first)."""
    return [r for tp in tasks for r in tp.indicators if r.status == st.NO_TARGET]
