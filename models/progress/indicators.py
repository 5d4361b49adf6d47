"""The indicator engine: entries and the 小区 register rolled up into period indicators.

For a report month M every indicator of every applicable task gets a value, a target and
one of the status words in ``STATUSES``. All rules come from the task list data
(``resources/README.md``); no task number appears here.

Periods (``models.core.periods``): month → M; quarter → the quarter containing M; year →
1 January .. 31 December, counted to date; deadline → 1 January .. the task's deadline,
labelled by the deadline date ("2023-09-30").

``as_of`` defaults to min(today, last day of M). Values count what happened from the
period start up to min(period end, as_of). A period is over when as_of ≥ its end.

Values by ``compute.kind``: count (entries of ``entry_types`` — all the task's types when
absent — optionally only those whose ``where.field`` ≥ ``where.min``), sum (of ``field``),
latest (the most recent entry's ``field``; None without one), ratio (sum of ``field`` ÷
unit setting ``denominator_setting`` × ``scale``; None when the setting is missing or 0),
community (``models.ledger.communities``: facilities_coverage, new_standard, metering_of_new,
demo_villages, each judged at the cut-off day), submission (1 when the unit's monthly /
quarterly report for the period was ever submitted — state submitted or unlocked — else 0;
``period_states.period`` holds "2023-06" / "2023Q2"). Soft-deleted entries never count.

Target: the unit's ``target_overrides[code]``, else the unit setting ``target_setting``,
else the data's ``target``.

Status (``judge``), for ">=":
- the value meets the target → 达标, even while the period runs;
- the period is over and it does not → 未达标 (month/quarter/year) or 逾期 (deadline);
- running with no value or 0 → 未开展;
- running otherwise: pace = target × elapsed days / period days (inclusive through as_of):
  value ≥ pace → 进行中, else 滞后.
For "<=": no value → 未开展 while running (未达标/逾期 when over); value ≤ target → 进行中
while running, 达标 when over; above it → 滞后 running, 未达标/逾期 over.

Deadline indicators judged after their deadline: the value shown counts everything up to
as_of (late work is still reported), but the status is decided at the deadline: met by
then → 达标, else 逾期 even if met later (``late`` is True when met after the deadline).

No unit target (scope "district" — the target is the district's sum — or a target setting
the unit has not filled in): 未开展 with value 0/None, 进行中 while running, 达标 once over.

Task status: the worst problem (逾期, 未达标, 滞后) among its indicators; else 达标 when all
are met, 未开展 when none has started, and 进行中 for any mix (see ``worst``). A task without
indicators: 未开展 with no entries in the year up to as_of; with some, 进行中 while its
period (1 January .. deadline) runs and 达标 once the deadline has passed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from models.catalog.tasklists import Indicator, Task, TaskList
from models.ledger.communities import Community, list_communities
from models.core.errors import AppError
from models.core.periods import (
    Period, default_as_of, month_bounds, month_title, normalize_month, period_for, quarter_last_month,
    quarter_months, quarter_of, quarter_title,
)
from models.store.settings import UnitProfile
from models.store.workspace import Workspace

if TYPE_CHECKING:
    import sqlite_utils

STATUSES = ("达标", "进行中", "滞后", "未达标", "逾期", "未开展")
SEVERITY = ("逾期", "未达标", "滞后", "未开展", "进行中", "达标")  # worst first
STATUS_COLORS = {"达标": "#2f855a", "进行中": "#2b6cb0", "滞后": "#dd6b20", "未达标": "#c53030", "逾期": "#c53030", "未开展": "#718096"}
_EPS = 1e-9


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
    late: bool = False  # deadline indicator met only after its deadline
    note: str = ""  # why there is no value or target, for the user

    @property
    def display_value(self) -> float | int | None:
        return rounded(self.value)

    @property
    def display_target(self) -> float | int | None:
        return rounded(self.target)


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    indicators: list[IndicatorResult]
    entries_in_month: int
    evidence_in_month: int
    status: str
    entries_in_year: int = 0  # non-deleted entries from 1 January up to as_of


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


def worst(statuses: Iterable[str]) -> str:
    """A task's status from its indicators' statuses.

    A problem (逾期/未达标/滞后) wins. Otherwise an indicator whose period has not
    started producing yet (未开展, e.g. an annual summary due in December) does not
    hide work under way on the others: the task is 进行中 unless nothing has started.
    """
    ranked = sorted({SEVERITY.index(s) for s in statuses})
    if not ranked:
        return "未开展"
    found = [SEVERITY[i] for i in ranked]
    if found[0] in ("逾期", "未达标", "滞后"):
        return found[0]
    if found == ["未开展"] or found == ["达标"]:
        return found[0]
    return "进行中"


def judge(
    value: float | None, target: float | None, comparison: str, *, period: Period, as_of: dt.date, met_on_time: bool | None = None
) -> str:
    """The status word for a value against its target in ``period`` as at ``as_of``."""
    over = period.is_over(as_of)
    missed = "逾期" if period.kind == "deadline" else "未达标"
    if target is None:
        if not value:
            return "未开展"
        return "达标" if over else "进行中"
    if comparison == "<=":
        if value is None:
            return missed if over else "未开展"
        if value <= target + _EPS:
            return "达标" if over else "进行中"
        return missed if over else "滞后"
    met = value is not None and value >= target - _EPS
    if period.kind == "deadline" and met_on_time is not None:
        met = met_on_time
    if met:
        return "达标"
    if over:
        return missed
    if not value:
        return "未开展"
    pace = target * period.elapsed_days(as_of) / period.days
    return "进行中" if value >= pace - _EPS else "滞后"


class _Snapshot:
    """Everything the engine reads, loaded once per evaluation."""

    def __init__(self, db: sqlite_utils.Database, tasklist: TaskList, profile: UnitProfile):
        self.tasklist = tasklist
        self.profile = profile
        self.entries: dict[int, list[dict[str, Any]]] = {}
        measures: dict[int, dict[str, float]] = {}
        for m in db.query(
            "SELECT m.entry_id, m.code, m.value FROM entry_measures m JOIN entries e ON e.id = m.entry_id"
            " WHERE e.deleted_at IS NULL AND e.year = ?", [tasklist.year]
        ):
            measures.setdefault(m["entry_id"], {})[m["code"]] = m["value"]
        for row in db.query(
            "SELECT e.id, e.task_seq, e.entry_date, e.entry_type,"
            " (SELECT COUNT(*) FROM entry_evidence v WHERE v.entry_id = e.id) AS evidence"
            " FROM entries e WHERE e.deleted_at IS NULL AND e.year = ? ORDER BY e.entry_date, e.id",
            [tasklist.year],
        ):
            row["date"] = dt.date.fromisoformat(row["entry_date"])
            row["measures"] = measures.get(row["id"], {})
            self.entries.setdefault(row["task_seq"], []).append(row)
        self.communities: list[Community] = list_communities(db)
        self.submitted = {
            (r["kind"], r["period"]) for r in db.query("SELECT kind, period FROM period_states")
        }

    def task_entries(self, seq: int, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        return [e for e in self.entries.get(seq, []) if start <= e["date"] <= end]


def resolve_target(ind: Indicator, profile: UnitProfile) -> tuple[float | None, str]:
    """The unit's target for an indicator, and a note when it cannot be known."""
    if ind.code in (profile.target_overrides or {}):
        return float(profile.target_overrides[ind.code]), ""
    if ind.target_setting:
        value = profile.setting(ind.target_setting)
        if value is None:
            return None, "本单位尚未在“设置”中填写新增达标小区任务数" if ind.target_setting == "standard_quota" else "本单位尚未填写该项设置"
        return float(value), ""
    return (None if ind.target is None else float(ind.target)), ""


def _value(ind: Indicator, snap: _Snapshot, start: dt.date, end: dt.date) -> tuple[float | None, str]:
    """The indicator's value from ``start`` to ``end`` (inclusive), and a note when None."""
    compute = ind.compute
    kind = compute["kind"]
    if kind in ("count", "sum", "latest", "ratio"):
        entries = snap.task_entries(ind.task_seq, start, end)
        if kind == "count":
            types = set(compute.get("entry_types") or [])
            rows = [e for e in entries if not types or e["entry_type"] in types]
            where = compute.get("where")
            if where:
                rows = [e for e in rows if e["measures"].get(where["field"], float("-inf")) >= where["min"]]
            return float(len(rows)), ""
        code = compute["field"]
        carrying = [e["measures"][code] for e in entries if code in e["measures"]]
        if kind == "sum":
            return float(sum(carrying)), ""
        if kind == "latest":
            return (carrying[-1], "") if carrying else (None, "本期尚无测评数据")
        denominator = snap.profile.setting(compute["denominator_setting"])
        if not denominator:
            return None, "本单位尚未在“设置”中填写建成区居民总户数" if compute["denominator_setting"] == "households" else "本单位尚未填写该项设置"
        return sum(carrying) / denominator * float(compute.get("scale", 1)), ""
    if kind == "community":
        return _community_value(compute, snap, start, end)
    if kind == "submission":
        return 0.0, ""  # replaced by the caller, which knows the period label
    raise ValueError(f"unknown compute kind {kind!r}")


def _community_value(compute: dict[str, Any], snap: _Snapshot, start: dt.date, end: dt.date) -> tuple[float | None, str]:
    measure = compute["measure"]
    year = snap.tasklist.year
    communities = [c for c in snap.communities if c.kind == "community"]
    if measure == "facilities_coverage":
        if not communities:
            return None, "尚未在“小区管理”中登记小区"
        return sum(c.facilities_by(end) for c in communities) / len(communities) * 100, ""
    min_score = float(compute.get("min_score", snap.tasklist.scoresheet.pass_score))
    new = [c for c in communities if (d := c.first_pass_date(year=year, min_score=min_score, until=end)) and d >= start]
    if measure == "new_standard":
        return float(len(new)), ""
    if measure == "metering_of_new":
        if not new:
            return None, "尚无新增达标小区"
        return sum(c.metering_by(end) for c in new) / len(new) * 100, ""
    if measure == "demo_villages":
        villages = [c for c in snap.communities if c.kind == "village"]
        return float(sum(1 for c in villages if c.demo_village_date and c.demo_village_date.year == year
                         and start <= c.demo_village_date <= end)), ""
    raise ValueError(f"unknown community measure {measure!r}")


def _evaluate_indicator(ind: Indicator, snap: _Snapshot, month: str, as_of: dt.date) -> IndicatorResult:
    period = period_for(ind.period, month, deadline=ind.deadline)
    cutoff = min(period.end, as_of)
    if ind.period == "deadline":
        cutoff = as_of  # late work still shows; the status is decided at the deadline below
    target, target_note = resolve_target(ind, snap.profile)
    if ind.compute["kind"] == "submission":
        kind = ind.compute["report"]
        label = period.label if ind.period in ("month", "quarter") else month
        value: float | None = 1.0 if (kind, label) in snap.submitted else 0.0
        note = ""
    else:
        value, note = _value(ind, snap, period.start, cutoff)
    met_on_time = None
    late = False
    if ind.period == "deadline" and target is not None and ind.comparison == ">=":
        on_time = value if as_of <= period.end else _value(ind, snap, period.start, period.end)[0]
        met_on_time = on_time is not None and on_time >= target - _EPS
        late = not met_on_time and value is not None and value >= target - _EPS
    if ind.scope == "district" and ind.code not in (snap.profile.target_overrides or {}):
        target = None
        target_note = ""
    status = judge(value, target, ind.comparison, period=period, as_of=as_of, met_on_time=met_on_time)
    return IndicatorResult(
        task_seq=ind.task_seq, code=ind.code, name=ind.name, unit=ind.unit, period_kind=ind.period,
        period=period.label, period_start=period.start, period_end=period.end, value=value, target=target,
        comparison=ind.comparison, status=status, scope=ind.scope, district_target=ind.district_target,
        late=late, note=note or target_note,
    )


def evaluate_for(
    db: sqlite_utils.Database, *, tasklist: TaskList, tasks: list[Task], profile: UnitProfile, month: str, as_of: dt.date | None = None
) -> list[TaskProgress]:
    """The engine proper, for any database and profile (a unit's own, or a test's)."""
    month = normalize_month(month)
    if not month.startswith(f"{tasklist.year}-"):
        raise AppError(f"月份 {month} 不在 {tasklist.year} 年内（本台账为 {tasklist.year} 年任务清单）")
    as_of = as_of or default_as_of(month)
    snap = _Snapshot(db, tasklist, profile)
    m_start, m_end = month_bounds(month)
    out = []
    for task in sorted(tasks, key=lambda t: t.seq):
        results = [_evaluate_indicator(ind, snap, month, as_of) for ind in task.indicators]
        in_month = snap.task_entries(task.seq, m_start, m_end)
        in_year = snap.task_entries(task.seq, dt.date(tasklist.year, 1, 1), as_of)
        if results:
            status = worst(r.status for r in results)
        elif not in_year:
            status = "未开展"
        else:
            status = "达标" if as_of >= task.deadline else "进行中"
        out.append(TaskProgress(task=task, indicators=results, entries_in_month=len(in_month),
                                evidence_in_month=sum(e["evidence"] for e in in_month), status=status,
                                entries_in_year=len(in_year)))
    return out


def progress(ws: Workspace, month: str, *, as_of: dt.date | None = None) -> list[TaskProgress]:
    """One TaskProgress per applicable task, in seq order."""
    return evaluate_for(ws.reader, tasklist=ws.tasklist, tasks=ws.tasks(), profile=ws.require_profile(), month=month, as_of=as_of)


def evaluate(ws: Workspace, month: str, *, as_of: dt.date | None = None) -> list[IndicatorResult]:
    return [r for tp in progress(ws, month, as_of=as_of) for r in tp.indicators]


def evaluate_quarter(ws: Workspace, quarter: str, *, as_of: dt.date | None = None) -> list[IndicatorResult]:
    """Every indicator as at the quarter's last month."""
    return evaluate(ws, quarter_last_month(quarter), as_of=as_of)


# ---------------------------------------------------------------- what is due

@dataclass(frozen=True)
class DueItem:
    task_seq: int
    title: str  # what is due, in Chinese
    due: dt.date
    status: str
    overdue: bool


def due_items(ws: Workspace, tasks: list[TaskProgress], *, month: str, as_of: dt.date | None = None, horizon: int = 60) -> list[DueItem]:
    """Deadlines in the next ``horizon`` days and everything overdue, soonest first.

    Dated tasks (deadline before 31 December) show until met; 全年 tasks only when nothing
    or too little has been done. Unsubmitted monthly/quarterly reports are overdue once
    their period is over, from the first month holding entries onwards.
    """
    month = normalize_month(month)
    as_of = as_of or default_as_of(month)
    year_end = dt.date(ws.tasklist.year, 12, 31)
    items: list[DueItem] = []
    for tp in tasks:
        task = tp.task
        short = short_title(task)
        if tp.status == "达标" or any(i.compute["kind"] == "submission" for i in task.indicators):
            continue
        if task.deadline < as_of or tp.status == "逾期":
            items.append(DueItem(task.seq, f"任务{task.seq}：{short}", task.deadline, tp.status, True))
        elif (task.deadline - as_of).days <= horizon and (task.deadline < year_end or tp.status in ("未开展", "滞后")):
            items.append(DueItem(task.seq, f"任务{task.seq}：{short}", task.deadline, tp.status, False))
    items.extend(_submission_items(ws, tasks, month=month, as_of=as_of, horizon=horizon))
    return sorted(items, key=lambda i: (not i.overdue, i.due, i.task_seq))


def _submission_items(ws: Workspace, tasks: list[TaskProgress], *, month: str, as_of: dt.date, horizon: int) -> list[DueItem]:
    states = {(r["kind"], r["period"]) for r in ws.reader.query("SELECT kind, period FROM period_states")}
    first = list(ws.reader.query("SELECT MIN(entry_date) AS d FROM entries WHERE deleted_at IS NULL AND year = ?", [ws.tasklist.year]))
    first_month = first[0]["d"][:7] if first and first[0]["d"] else month
    items = []
    for tp in tasks:
        for ind in tp.task.indicators:
            if ind.compute["kind"] != "submission":
                continue
            report = ind.compute["report"]
            months = [m for m in (f"{ws.tasklist.year}-{n:02d}" for n in range(1, 13)) if first_month <= m <= month]
            labels = months if ind.period == "month" else sorted({quarter_of(m) for m in months})
            for label in labels:
                end = month_bounds(label)[1] if ind.period == "month" else month_bounds(quarter_months(label)[-1])[1]
                if (report, label) in states:
                    continue
                what = f"{month_title(label)}月度台账报送" if ind.period == "month" else f"{quarter_title(label)}工作进展报送"
                if end <= as_of:
                    items.append(DueItem(tp.task.seq, f"任务{tp.task.seq}：{what}", end, "未达标", True))
                elif (end - as_of).days <= horizon:
                    items.append(DueItem(tp.task.seq, f"任务{tp.task.seq}：{what}", end, "进行中", False))
    return items


def ledger_reminder(ws: Workspace, month: str, *, as_of: dt.date | None = None, days: int = 5) -> str | None:
    """In the last ``days`` days of a month, or once it is over: the monthly ledger not yet submitted."""
    month = normalize_month(month)
    as_of = as_of or default_as_of(month)
    end = month_bounds(month)[1]
    if (end - as_of).days >= days:
        return None
    kinds = [i.compute["report"] for t in ws.tasks() for i in t.indicators
             if i.compute["kind"] == "submission" and i.period == "month"]
    if not kinds:
        return None
    if list(ws.reader.query("SELECT 1 FROM period_states WHERE kind = ? AND period = ?", [kinds[0], month])):
        return None
    when = "已结束" if as_of >= end else f"还剩 {(end - as_of).days + 1} 天"
    return f"{month_title(month)}{when}，本月月度台账尚未报送。请核对台账后在“报表”页面导出月度台账并标记报送。"
