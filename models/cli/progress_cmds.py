"""``status``, ``community`` and ``demo``: progress against targets, the 小区 register, a sample ledger."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from models.cli import print_json
from models.ledger.communities import (
    KINDS, add_community, community_as_dict, counts_as_new_standard, get_community, list_communities, pass_score, update_community,
)
from models.ledger.evaluations import record_evaluation
from models.core.errors import AppError
from models.progress.indicators import IndicatorResult, TaskProgress, format_number, progress, rounded, short_title
from models.ledger.entries import working_month
from models.core.periods import month_title, normalize_month
from models.store.workspace import Workspace

_CLEAR = {"none", "无", "-", ""}


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser("status", help="本单位各项指标的完成情况（按月）")
    status.add_argument("--month", help="报表月份 YYYY-MM（默认为当前月份）")
    status.add_argument("--as-of", help="统计截至日期 YYYY-MM-DD（默认为今天与月末中较早者）")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")
    status.set_defaults(handler=cmd_status)

    community = subparsers.add_parser("community", help="小区（村）登记与达标测评")
    sub = community.add_subparsers(dest="community_command", metavar="操作", required=True)
    add = sub.add_parser("add", help="登记小区（或村）")
    add.add_argument("name", help="小区或村名称")
    add.add_argument("--households", help="户数")
    add.add_argument("--village", action="store_true", help="登记为村（农村示范村创建）")
    add.add_argument("--facilities", help="“四分类”投放点、设施和标识到位日期 YYYY-MM-DD")
    add.add_argument("--metering", help="投放点计量数据接入市级平台日期 YYYY-MM-DD")
    add.add_argument("--demo-village", help="示范村创建日期 YYYY-MM-DD（仅村）")
    add.add_argument("--standard-since", help="在本清单年度之前已达标：首次达到95分的日期 YYYY-MM-DD（不计入新增）")
    add.set_defaults(handler=cmd_community_add)

    change = sub.add_parser("set", help="修改登记信息（日期填 none 可清除）")
    change.add_argument("name")
    change.add_argument("--households")
    change.add_argument("--facilities")
    change.add_argument("--metering")
    change.add_argument("--demo-village")
    change.add_argument("--standard-since")
    change.set_defaults(handler=cmd_community_set)

    ev = sub.add_parser("evaluate", help="录入达标测评（逐项得分或总分）")
    ev.add_argument("name")
    ev.add_argument("--date", required=True, help="测评日期 YYYY-MM-DD")
    how = ev.add_mutually_exclusive_group(required=True)
    how.add_argument("--total", help="总分（纸质评分表只记总分时）")
    how.add_argument("--item", action="extend", nargs="+", metavar="CODE=POINTS", help="评分项得分，如 A1=5 B1=9.5")
    ev.add_argument("--note", action="extend", nargs="+", metavar="CODE=TEXT", default=[],
                    help="评分项的现场检查情况，如 C2=抽查混投2处（仅逐项打分时）")
    ev.add_argument("--evaluator", default="", help="测评人")
    ev.set_defaults(handler=cmd_community_evaluate)

    ls = sub.add_parser("list", help="列出已登记的小区（村）")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_community_list)

    demo = subparsers.add_parser("demo", help="生成示例数据（南大街街道2023年第二季度），便于熟悉各页面")
    demo.add_argument("--unit", default="南大街街道", help="示例单位（默认 南大街街道）")
    demo.set_defaults(handler=cmd_demo)


def _month(ws: Workspace, text: str | None) -> str:
    return normalize_month(text) if text else working_month(ws.db, year=ws.tasklist.year)


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise AppError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD") from None


def _indicator_row(r: IndicatorResult) -> dict[str, Any]:
    return {"task": r.task_seq, "code": r.code, "name": r.name, "period": r.period, "value": r.display_value,
            "target": r.display_target, "unit": r.unit, "status": r.status, "late": r.late,
            "completed_on": r.completed_on.isoformat() if r.completed_on else None,
            "target_source": "unit" if r.own_target else ("unset" if r.status == "未设置目标" else "list"),
            "due": rounded(r.due), "note": r.note}


def _task_row(tp: TaskProgress) -> dict[str, Any]:
    """A task without a number: 已开展 / 未开展 by the period's entries."""
    return {"task": tp.task.seq, "code": None, "name": short_title(tp.task), "period": tp.period,
            "value": tp.entries_in_period, "target": None, "unit": "条", "status": tp.status, "late": False,
            "completed_on": None, "target_source": None, "due": None, "note": ""}


def status_rows(ws: Workspace, month: str, as_of: dt.date | None) -> list[dict[str, Any]]:
    """One row per indicator, and one per task without indicators (``"code": null``), in task order."""
    rows: list[dict[str, Any]] = []
    for tp in progress(ws, month, as_of=as_of):
        rows.extend(_indicator_row(r) for r in tp.indicators)
        if not tp.indicators:
            rows.append(_task_row(tp))
    return rows


def cmd_status(ws: Workspace, args: argparse.Namespace) -> int:
    month = _month(ws, args.month)
    ws = ws.for_month(month)  # a month of an earlier year is judged by that year's list
    as_of = _date(args.as_of)
    if args.json:
        print_json(status_rows(ws, month, as_of))
        return 0
    print(f"{ws.unit.name}　{month_title(month)} 指标完成情况")
    for tp in progress(ws, month, as_of=as_of):
        print(f"任务{tp.task.seq:>2}  [{tp.status}]  本月台账 {tp.entries_in_month} 条，佐证材料 {tp.evidence_in_month} 件")
        for r in tp.indicators:
            note = f"（{r.note}）" if r.note else ""
            print(f"      {r.name}［{r.period}］：{format_number(r.value, r.unit)} / {r.target_text}　{r.status_text}{note}")
    return 0


def _actor(ws: Workspace) -> str:
    return ws.require_profile().operator


def _date_arg(value: str | None) -> Any:
    return None if value is not None and value.strip().lower() in _CLEAR else value


def cmd_community_add(ws: Workspace, args: argparse.Namespace) -> int:
    kind = "village" if args.village else "community"
    add_community(ws.db, args.name, kind=kind, households=args.households, facilities=args.facilities,
                  metering=args.metering, demo_village=args.demo_village, standard_since=args.standard_since,
                  year=ws.tasklist.year, actor=_actor(ws))
    print(f"已登记{KINDS[kind]}：{args.name.strip()}")
    return 0


def cmd_community_set(ws: Workspace, args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    if args.households is not None:
        changes["households"] = args.households
    for key in ("facilities", "metering", "demo_village", "standard_since"):
        value = getattr(args, key)
        if value is not None:
            changes[key] = _date_arg(value)
    if not changes:
        raise AppError("请至少给出一项要修改的内容，如 --facilities 2023-04-20")
    update_community(ws.db, args.name, year=ws.tasklist.year, actor=_actor(ws), **changes)
    print(f"已更新：{args.name.strip()}")
    return 0


def cmd_community_evaluate(ws: Workspace, args: argparse.Namespace) -> int:
    items: dict[str, str] | None = None
    if args.item:
        items = {}
        for pair in args.item:
            code, sep, points = pair.partition("=")
            if not sep:
                raise AppError(f"评分项“{pair}”格式不正确，应为 代码=得分，如 A1=5")
            if code.strip() in items:
                raise AppError(f"评分项 {code.strip()} 重复")
            items[code.strip()] = points
    notes: dict[str, str] = {}
    for pair in args.note:
        code, sep, text = pair.partition("=")
        if not sep:
            raise AppError(f"现场检查情况“{pair}”格式不正确，应为 代码=文字，如 C2=抽查混投2处")
        notes[code.strip()] = text
    record_evaluation(ws.db, ws.tasklist, args.name, eval_date=args.date, total=args.total, items=items,
                      evaluator=args.evaluator, notes=notes, actor=_actor(ws))
    community = get_community(ws.db, args.name.strip())
    last = max(community.evaluations, key=lambda e: e.id)
    if last.total < pass_score(ws.tasklist):
        verdict = "未达标（不计入）"
    elif counts_as_new_standard(community, ws.tasklist):
        verdict = "达标（计入新增达标小区）"
    else:
        verdict = f"达标（{ws.tasklist.year}年前已达标，不计入新增）"
    print(f"已录入 {community.name} {last.eval_date} 测评：{format_number(last.total)} 分，{verdict}")
    return 0


def cmd_community_list(ws: Workspace, args: argparse.Namespace) -> int:
    rows = [community_as_dict(c, ws.tasklist) for c in list_communities(ws.db)]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("尚未登记小区（村）。")
    for row in rows:
        best = "—" if row["best_score"] is None else format_number(row["best_score"])
        mark = "✓ 计入新增达标小区" if row["counts_as_new_standard"] else ""
        print(f"{row['name']}（{KINDS[row['kind']]}，{row['households'] or '—'}户）设施：{row['facilities'] or '未到位'}"
              f"　计量：{row['metering'] or '未接入'}　最高分：{best}　{mark}")
    return 0


def cmd_demo(ws: Workspace, args: argparse.Namespace) -> int:
    from models.demo import build_demo

    summary = build_demo(ws, unit=args.unit)
    print(summary)
    return 0
