"""What is due: deadlines coming up, everything overdue, the month-end ledger reminder.

Reads the engine's verdicts (``TaskProgress``) and its one submission rule; judges nothing itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.core import statuses as st
from models.core.periods import default_as_of, month_bounds, month_title, normalize_month, quarter_months, quarter_of, quarter_title
from models.progress.indicators import TaskProgress, short_title, submission_status
from models.progress.values import received_reports
from models.store.workspace import Workspace


@dataclass(frozen=True)
class DueItem:
    task_seq: int
    title: str  # what is due, in Chinese
    due: dt.date
    status: str
    overdue: bool


def due_items(ws: Workspace, tasks: list[TaskProgress], *, month: str, as_of: dt.date | None = None, horizon: int = 60) -> list[DueItem]:
    """Deadlines in the next ``horizon`` days and everything overdue, soonest first.

    Dated tasks (deadline before 31 December) show until met — a deadline met late is done
    (its tile says 逾期 with the day): it leaves the list rather than count days it is not
    late any more; 全年 tasks only when nothing or too little has been done. Unsubmitted
    monthly/quarterly reports are overdue once their period is over, from the first month
    holding entries onwards.
    """
    month = normalize_month(month)
    as_of = as_of or default_as_of(month)
    year_end = dt.date(ws.tasklist.year, 12, 31)
    items: list[DueItem] = []
    for tp in tasks:
        task = tp.task
        short = short_title(task)
        if tp.status == "达标" or _done_late(tp) or any(i.compute["kind"] == "submission" for i in task.indicators):
            continue
        if task.deadline < as_of or tp.status == "逾期":
            items.append(DueItem(task.seq, f"任务{task.seq}：{short}", task.deadline, tp.status, True))
        elif (task.deadline - as_of).days <= horizon and (task.deadline < year_end or tp.status in ("未开展", "滞后")):
            items.append(DueItem(task.seq, f"任务{task.seq}：{short}", task.deadline, tp.status, False))
    items.extend(_submission_items(ws, tasks, month=month, as_of=as_of, horizon=horizon))
    return sorted(items, key=lambda i: (not i.overdue, i.due, i.task_seq))


def _done_late(tp: TaskProgress) -> bool:
    """Every target the task is held to is met, some after its deadline: nothing left to do."""
    bound = [r for r in tp.indicators if r.status != st.NOT_APPLICABLE]
    return bool(bound) and all(r.status == st.MET or r.completed_on is not None for r in bound)


def _submission_items(ws: Workspace, tasks: list[TaskProgress], *, month: str, as_of: dt.date, horizon: int) -> list[DueItem]:
    received = received_reports(ws.reader)  # not the whole Snapshot: every entry of the year is not needed
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
                status = submission_status(end, received.get((report, label)), as_of)
                if received.get((report, label)) is not None:
                    continue
                what = f"{month_title(label)}月度台账报送" if ind.period == "month" else f"{quarter_title(label)}工作进展报送"
                if end <= as_of or (end - as_of).days <= horizon:
                    items.append(DueItem(tp.task.seq, f"任务{tp.task.seq}：{what}", end, status, status == st.OVERDUE))
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
