"""``consolidate`` and ``district status``: the district office's scripted use."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from models.cli import print_json
from models.cli.exchange_cmds import register_exchange
from models.district.consolidation import import_reports
from models.core.periods import parse_month
from models.district.views import district_totals, grace_days, latest_period, month_completeness, units_behind
from models.district.summary_report import export_summary
from models.core.errors import AppError
from models.store.workspace import Workspace


def _default_month() -> str:
    first = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def register(subparsers: argparse._SubParsersAction) -> None:
    cons = subparsers.add_parser("consolidate", help="导入各单位月度报表并生成全区汇总（区垃分办）")
    cons.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="报表文件（.xlsx）或包含报表的文件夹")
    cons.add_argument("--month", default=None, help="汇总月份，如 2023-06（默认为导入报表中最新的月份）")
    cons.add_argument("--out", type=Path, default=None, help="汇总表输出文件夹（默认不生成汇总表）")
    cons.add_argument("--json", action="store_true", help="以 JSON 输出")
    cons.set_defaults(handler=cmd_consolidate)

    district = subparsers.add_parser("district", help="全区报送情况（区垃分办）")
    sub = district.add_subparsers(dest="district_command", metavar="子命令", required=True)
    status = sub.add_parser("status", help="某月各单位报送情况与全区指标")
    status.add_argument("--month", default=None, help="月份，如 2023-06（默认为已导入报表中最新的月份）")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")
    status.set_defaults(handler=cmd_status)
    register_exchange(sub)


def _require_district(ws: Workspace) -> None:
    if ws.unit.kind != "district":
        raise AppError(f"本程序设置的单位是“{ws.unit.name}”。汇总功能供区垃分办使用："
                       "请在区垃分办的电脑上（单位设置为 区垃分办）运行。")


def _status_payload(ws: Workspace, month: str) -> dict:
    subs = month_completeness(ws, month)
    return {
        "month": month,
        "grace_days": grace_days(ws.db),
        "units": [
            {"unit": s.unit.name, "kind": s.unit.kind_label, "state": s.state, "version": s.current_version,
             "versions": s.versions, "failed_files": s.failed, "first_generated_at": s.first_generated_at or None}
            for s in subs
        ],
        "district_totals": [
            {"task_seq": t.indicator.task_seq, "code": t.indicator.code, "name": t.indicator.name,
             "unit": t.indicator.unit, "total": t.total, "target": t.target, "status": t.status,
             "reporting_units": t.reporting_units, "by_unit": t.by_unit}
            for t in district_totals(ws, month)
        ],
        "units_behind": [
            {"unit": v.unit, "task_seq": v.task_seq, "code": v.code, "name": v.name, "value": v.value,
             "target": v.target, "status": v.status}
            for v in units_behind(ws, month)
        ],
    }


def _print_states(ws: Workspace, month: str) -> None:
    for s in month_completeness(ws, month):
        extra = f"（第{s.current_version}版）" if s.current_version else ""
        print(f"{s.unit.name} {s.state}{extra}")


def cmd_consolidate(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    if args.month:
        parse_month(args.month)  # refuse a typo before importing anything
    outcomes = import_reports(ws, args.paths)
    month = args.month or max((o.period for o in outcomes if o.counted), default=None) or _default_month()
    result = export_summary(ws, month, args.out) if args.out else None
    if args.json:
        payload = _status_payload(ws, month)
        payload["imported"] = [
            {"file": str(o.path), "state": o.state, "label": o.label, "reason": o.reason, "unit": o.unit,
             "period": o.period, "version": o.version}
            for o in outcomes
        ]
        payload["summary"] = {"xlsx": str(result.xlsx), "pdf": str(result.pdf)} if result else None
        print_json(payload)
        return 0
    print(f"导入文件 {len(outcomes)} 个：")
    for o in outcomes:
        print(f"  {o.describe()}")
    if not outcomes:
        print("  （没有找到 .xlsx 文件）")
    if result:
        print(f"汇总表：{result.xlsx}")
        print(f"汇总表：{result.pdf}")
    print(f"{month[:4]}年{int(month[5:])}月报送情况：")
    _print_states(ws, month)
    return 0


def cmd_status(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    month = args.month or latest_period(ws.db) or _default_month()
    parse_month(month)
    if args.json:
        print_json(_status_payload(ws, month))
        return 0
    print(f"{month[:4]}年{int(month[5:])}月报送情况（宽限 {grace_days(ws.db)} 天）：")
    _print_states(ws, month)
    for t in district_totals(ws, month):
        print(f"全区 {t.indicator.name}：{t.total:g} / {t.target:g} {t.indicator.unit} {t.status}")
    return 0
