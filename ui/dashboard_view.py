"""The 工作台 as plain data: what its header, task tiles and due list say.

Worked out from the engine (``models.progress``) for a month, then painted by
``ui.pages.dashboard_page`` — and kept as JSON for the next start
(``models.store.start_view``): while the ledger, the day, the task list and the program are
the same, the next start paints this without loading the engine. No Qt here; the tiles'
words, fills and tooltips are decided once, in this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.core import statuses as st
from models.core.periods import default_as_of, month_title, months_of_year
from models.exchange.inbox import pending_returns
from models.ledger.entries import working_month
from models.progress.due import DueItem, due_items, ledger_reminder
from models.progress.indicators import IndicatorResult, TaskProgress, progress, short_title
from models.store.connection import one_reading
from models.store.start_view import load_view, revision_token, save_view, view_key
from ui.widgets.status import fill_fraction, period_words, short_period_words, value_text

View = dict[str, Any]


def line_view(result: IndicatorResult) -> View:
    shown = value_text(result)
    tip = f"{result.name}\n统计周期：{period_words(result)}\n完成：{shown}\n状态：{result.status}"
    if result.late:
        tip += "（截止日期后才完成）"
    if result.note:
        tip += f"\n说明：{result.note}"
    return {"name": result.name, "value_text": shown, "period_text": short_period_words(result),
            "status": result.status, "fill": int(round(fill_fraction(result) * 1000)), "tooltip": tip}


def _meta_text(tp: TaskProgress) -> str:
    deadline = tp.task.deadline_text if len(tp.task.deadline_text) <= 8 else tp.task.deadline_text[:8]
    text = f"期限 {deadline}　本月台账 {tp.entries_in_month} 条"
    if tp.evidence_in_month:
        text += f"・佐证 {tp.evidence_in_month} 件"
    if not tp.indicators:
        text += f"　全年 {tp.entries_in_year} 条"
    return text


def tile_view(tp: TaskProgress) -> View:
    """One task's tile: number, short title, figures, status, a line per indicator; a deadline
    met late and a target not set as notes under their line (line index, text)."""
    task = tp.task
    return {
        "seq": task.seq, "title": short_title(task, 40), "status": tp.status, "meta": _meta_text(tp),
        "tooltip": f"任务{task.seq}（{task.deadline_text}）：{task.target_text}\n单击查看本任务的台账",
        "lines": [line_view(r) for r in tp.indicators],
        "late": [[n, f"ⓘ {r.status_text}"] for n, r in enumerate(tp.indicators) if r.late and r.completed_on],
        "notes": [[n, f"ⓘ {r.note or '未设置目标'}"] for n, r in enumerate(tp.indicators) if r.status == st.NO_TARGET],
    }


def due_view(item: DueItem, as_of: dt.date) -> View:
    days = (item.due - as_of).days
    colour = "#c53030" if item.overdue else ("#dd6b20" if days <= 14 else "#2b6cb0")
    when = f"已逾期 {-days} 天" if days < 0 else ("今天截止" if days == 0 else f"还有 {days} 天")
    if item.overdue and days >= 0:
        when = "已到期"
    return {"seq": item.task_seq, "title": item.title, "due": item.due.isoformat(), "overdue": item.overdue,
            "when": f"{item.due.month}月{item.due.day}日　{when}", "colour": colour}


def dashboard_view(ws: Any, month: str, *, as_of: dt.date | None = None) -> View:
    """Everything the 工作台 shows for ``month`` (judged at ``as_of``, by default the month's
    end or today, whichever is first)."""
    as_of = as_of or default_as_of(month)
    year = ws.tasklist.year
    results = progress(ws, month, as_of=as_of)
    counts = {status: sum(1 for tp in results if tp.status == status) for status in st.STATUSES}
    entries = sum(tp.entries_in_month for tp in results)
    evidence = sum(tp.evidence_in_month for tp in results)
    reminder = ledger_reminder(ws, month, as_of=as_of)
    returns = "\n".join(f"↩ 区垃分办退回修改：{n.title}，原因：{n.reason}（{n.issued_at[:10]}）。"
                        f"请修改台账后重新导出第{n.version + 1}版并报送。" for n in pending_returns(ws))
    return {
        "unit": ws.unit.name, "year": year, "month": month, "as_of": as_of.isoformat(),
        "months": [[month_title(m), m] for m in months_of_year(year)],
        "heading": f"工作台　{ws.unit.name}　{month_title(month)}",
        "counts": counts,
        "totals": f"适用任务 {len(results)} 项　本月台账 {entries} 条　佐证材料 {evidence} 件　统计截至 {as_of:%Y-%m-%d}",
        "reminder": f"⚠ {reminder}" if reminder else "",
        "returns": returns,
        "tiles": [tile_view(tp) for tp in results],
        "due": [due_view(item, as_of) for item in due_items(ws, results, month=month, as_of=as_of)],
    }


def start_month(ws: Any) -> str:
    """The month the 工作台 opens on."""
    return working_month(ws.reader, year=ws.tasklist.year)


def view_to_keep(ws: Any, month: str) -> View:
    """``dashboard_view`` of the month the 工作台 opens on, kept for the next start when the
    folder can be written, under the revision token of the state it was worked out from."""
    with one_reading(ws.reader):  # the token and the view of one state, as at close
        token = revision_token(ws.conn)
        view = dashboard_view(ws, month)
        if not ws.read_only and month == start_month(ws):
            save_view(ws.data_dir, token=token, key=view_key(ws.data_dir), view=view)
    return view


DAYS_AHEAD = 3  # a Friday's close keeps Monday's first start


def judged_at(ws: Any, day: dt.date) -> tuple[str, dt.date]:
    """The month a start on ``day`` opens on and the date it is judged at: every date the
    engine and the due list use comes from these two."""
    month = working_month(ws.reader, year=ws.tasklist.year, today=day)
    return month, default_as_of(month, today=day)


def view_for_day(ws: Any, day: dt.date) -> View:
    """The 工作台 a start on ``day`` opens with, for the ledger as it is now."""
    month, as_of = judged_at(ws, day)
    return dashboard_view(ws, month, as_of=as_of)


def keep_for_next_start(ws: Any, *, moved: tuple[str | None, str | None] = (None, None),
                        today: dt.date | None = None) -> int:
    """At close: the 工作台 of a start today and on each of the next ``DAYS_AHEAD`` days, kept
    under the ledger's token now, so that the next start — later today, tomorrow morning,
    after a weekend — paints it at once instead of working it out. ``moved`` = (old, new):
    the views kept under token ``old`` hold for token ``new`` too (only the exit backup's own
    record was written between them); they are moved as they are while the ledger's token is
    still ``new`` (another window may have written since the folder was let go), the others
    worked out. How many views were kept (0: nothing to do, a read-only or district folder,
    no unit set up yet)."""
    if ws.read_only or ws.view_year is not None or ws.profile is None or ws.unit.kind == "district":
        return 0
    today = today or dt.date.today()
    kept = 0
    worked: dict[tuple[str, dt.date], View] = {}  # days judged alike (a past year's ledger: all) share one view
    with one_reading(ws.reader):  # the token and every view of one state (another window may write)
        token = revision_token(ws.conn)
        old, new = moved
        same_as = old if old and token == new else None
        for day in (today + dt.timedelta(days=n) for n in range(DAYS_AHEAD + 1)):
            key = view_key(ws.data_dir, today=day)
            if load_view(ws.data_dir, token=token, key=key) is not None:
                continue
            view = load_view(ws.data_dir, token=same_as, key=key) if same_as else None
            if view is None:
                judged = judged_at(ws, day)
                if judged not in worked:
                    worked[judged] = view_for_day(ws, day)
                view = worked[judged]
            kept += save_view(ws.data_dir, token=token, key=key, view=view)
    return kept
