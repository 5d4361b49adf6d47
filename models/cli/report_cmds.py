"""``report``, ``submit`` and ``unlock``: export, submit and unlock monthly/quarterly reports.

``submit`` uses the latest export when it still matches the ledger and its files are
unchanged; otherwise it first exports afresh into ``--out`` (default: the data folder's
``reports/``) and prints the new files' paths.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from models.cli import print_json
from models.core.errors import AppError
from models.reporting.export import export_monthly, export_quarterly
from models.reporting.export_log import latest_export
from models.reporting.submissions import default_reports_dir, list_states, submit, unlock
from models.store.workspace import Workspace


def _period_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--month", help="月份，如 2023-06（月度台账）")
    group.add_argument("--quarter", help="季度，如 2023Q2（季度工作进展）")


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="导出月度台账或季度工作进展（Excel 和 PDF）")
    kinds = report.add_subparsers(dest="report_command", metavar="报表", required=True)
    monthly = kinds.add_parser("monthly", help="导出月度台账")
    monthly.add_argument("--month", required=True, help="月份，如 2023-06")
    monthly.add_argument("--out", type=Path, required=True, help="输出文件夹")
    monthly.add_argument("--fill-date", help="填报日期 YYYY-MM-DD（默认今天；也是报送及时与否的判断日）")
    monthly.set_defaults(handler=cmd_monthly)
    quarterly = kinds.add_parser("quarterly", help="导出季度工作进展")
    quarterly.add_argument("--quarter", required=True, help="季度，如 2023Q2")
    quarterly.add_argument("--out", type=Path, required=True, help="输出文件夹")
    quarterly.add_argument("--fill-date", help="填报日期 YYYY-MM-DD（默认今天）")
    quarterly.set_defaults(handler=cmd_quarterly)
    states = kinds.add_parser("states", help="各月、各季度报表状态（未生成/已生成/已报送/已解锁）")
    states.add_argument("--year", type=int, help="年度（默认为本台账的任务清单年度）")
    states.add_argument("--json", action="store_true", help="以 JSON 输出")
    states.set_defaults(handler=cmd_states)

    sub = subparsers.add_parser("submit", help="标记为已报送并锁定该月（未导出或已过时则先导出）")
    _period_args(sub)
    sub.add_argument("--out", type=Path, help="需要先导出时的输出文件夹（默认为数据文件夹下的 reports）")
    sub.set_defaults(handler=cmd_submit)

    un = subparsers.add_parser("unlock", help="解锁已报送的月份或季度（须填写原因）")
    _period_args(un)
    un.add_argument("--reason", required=True, help="解锁原因")
    un.set_defaults(handler=cmd_unlock)


def _fill_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise AppError(f"填报日期“{text}”格式不正确，应为 YYYY-MM-DD") from None


def _warn(warnings: tuple[str, ...]) -> None:
    if warnings:
        print("注意：以下指标尚未设置目标，报表中显示为“未设置目标”：", file=sys.stderr)
        for line in warnings:
            print(f"  {line}", file=sys.stderr)


def cmd_monthly(ws: Workspace, args: argparse.Namespace) -> int:
    result = export_monthly(ws, args.month, args.out, fill_date=_fill_date(args.fill_date))
    _warn(result.warnings)
    print(result.xlsx)
    print(result.pdf)
    return 0


def cmd_quarterly(ws: Workspace, args: argparse.Namespace) -> int:
    result = export_quarterly(ws, args.quarter, args.out, fill_date=_fill_date(args.fill_date))
    _warn(result.warnings)
    print(result.xlsx)
    print(result.pdf)
    return 0


def cmd_states(ws: Workspace, args: argparse.Namespace) -> int:
    states = list_states(ws.db, args.year or ws.tasklist.year)
    if args.json:
        print_json([s.as_dict() for s in states])
        return 0
    for s in states:
        kind = "月度台账" if s.kind == "monthly" else "季度进展"
        extra = f"第{s.version}版" if s.state != "none" else ""
        when = f"报送于 {s.submitted_at}" if s.state == "submitted" else (f"解锁原因：{s.unlock_reason}" if s.state == "unlocked" else "")
        print(f"{s.period:<8} {kind} {s.label} {extra} {when}".rstrip())
    return 0


def _kind_period(args: argparse.Namespace) -> tuple[str, str]:
    return ("monthly", args.month) if args.month else ("quarterly", args.quarter)


def cmd_submit(ws: Workspace, args: argparse.Namespace) -> int:
    kind, period = _kind_period(args)
    before = latest_export(ws.db, kind, period)
    state = submit(ws, kind, period, export_dir=args.out or default_reports_dir(ws))
    export = state.submitted_export
    if export is not None and (before is None or before.id != export.id):
        print(export.xlsx_path)
        print(export.pdf_path)
    print(f"已报送：{state.title}{'月度台账' if kind == 'monthly' else '季度工作进展'}（第{state.version}版），相关月份的台账已锁定。")
    return 0


def cmd_unlock(ws: Workspace, args: argparse.Namespace) -> int:
    kind, period = _kind_period(args)
    state = unlock(ws, kind, period, reason=args.reason)
    print(f"已解锁：{state.title}，可修改台账；重新导出将为第{state.version}版。")
    return 0
