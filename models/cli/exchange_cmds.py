"""The signed exchange on the command line.

District side (``district …``): ``import`` report files, ``verify`` a printout's 核验码,
``return`` a month for correction (writes a signed notice), ``diff`` two versions,
``enroll --reset`` a unit's key, ``keys`` to list the enrolled ones.
Unit side: ``notice import FILE`` applies the district's notice; ``key`` shows this
installation's fingerprint for a phone check.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from models.cli import print_json
from models.core.errors import AppError
from models.core.periods import parse_month
from models.district.consolidation import import_reports
from models.district.returns import return_for_correction
from models.district.versions import diff_lines, find_by_code, version_diff
from models.exchange.enrolment import key_as_dict, list_known_keys, reset_enrolment
from models.store.keys import installation_signer
from models.exchange.notices import import_notice
from models.catalog.units import find_unit
from models.store.workspace import Workspace


def register_exchange(sub: argparse._SubParsersAction) -> None:
    """The district subcommands of the exchange (called from district_cmds)."""
    imp = sub.add_parser("import", help="导入各单位的月度报表（检查签名与数据校验值）")
    imp.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="报表文件（.xlsx）或包含报表的文件夹")
    imp.add_argument("--json", action="store_true", help="以 JSON 输出")
    imp.set_defaults(handler=cmd_import)

    verify = sub.add_parser("verify", help="用纸质报表上的核验码查找对应的已收报表")
    verify.add_argument("code", metavar="CODE", help="核验码，如 7K3F-Q9ZD-M2XW")
    verify.add_argument("--json", action="store_true", help="以 JSON 输出")
    verify.set_defaults(handler=cmd_verify)

    ret = sub.add_parser("return", help="退回某单位某月的报表要求修改（生成签名的退回通知文件）")
    ret.add_argument("--unit", required=True, help="填报单位")
    ret.add_argument("--month", required=True, help="月份，如 2023-06")
    ret.add_argument("--reason", required=True, help="退回原因")
    ret.add_argument("--out", type=Path, required=True, help="退回通知的输出文件夹")
    ret.set_defaults(handler=cmd_return)

    diff = sub.add_parser("diff", help="比较某单位某月两个版本的报表（指标与台账明细）")
    diff.add_argument("--unit", required=True, help="填报单位")
    diff.add_argument("--month", required=True, help="月份，如 2023-06")
    diff.add_argument("--from", dest="old", type=int, default=None, help="旧版本号（默认为上一版）")
    diff.add_argument("--to", dest="new", type=int, default=None, help="新版本号（默认为最新一版）")
    diff.add_argument("--json", action="store_true", help="以 JSON 输出")
    diff.set_defaults(handler=cmd_diff)

    enroll = sub.add_parser("enroll", help="重新登记某单位的签名密钥（该单位更换电脑后）")
    enroll.add_argument("--unit", required=True, help="填报单位")
    enroll.add_argument("--reset", action="store_true", required=True, help="忘记已登记的密钥，下一份有效报表重新登记")
    enroll.add_argument("--reason", required=True, help="原因（记入操作日志）")
    enroll.set_defaults(handler=cmd_enroll)

    keys = sub.add_parser("keys", help="已登记的各单位签名密钥指纹")
    keys.add_argument("--json", action="store_true", help="以 JSON 输出")
    keys.set_defaults(handler=cmd_keys)


def register(subparsers: argparse._SubParsersAction) -> None:
    notice = subparsers.add_parser("notice", help="区垃分办的通知（退回修改）")
    sub = notice.add_subparsers(dest="notice_command", metavar="子命令", required=True)
    imp = sub.add_parser("import", help="导入区垃分办的退回通知，解锁该月以便修改")
    imp.add_argument("file", type=Path, metavar="FILE", help="退回通知文件（.zlnotice）")
    imp.set_defaults(handler=cmd_notice_import)

    key = subparsers.add_parser("key", help="本机签名密钥的指纹（用于电话核对）")
    key.add_argument("--json", action="store_true", help="以 JSON 输出")
    key.set_defaults(handler=cmd_key)


def _require_district(ws: Workspace) -> None:
    if ws.unit.kind != "district":
        raise AppError(f"本程序设置的单位是“{ws.unit.name}”。此功能供区垃分办使用。")


def _unit_name(text: str) -> str:
    unit = find_unit(text)
    if unit is None or unit.kind == "district":
        raise AppError(f"“{text}”不是钟楼区的填报单位。")
    return unit.name


def _month(text: str) -> str:
    year, mon = parse_month(text)
    return f"{year}-{mon:02d}"


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    outcomes = import_reports(ws, args.paths)
    if args.json:
        print_json([{"file": str(o.path), "state": o.state, "label": o.label, "reason": o.reason, "unit": o.unit,
                     "period": o.period, "version": o.version, "counted": o.counted,
                     "enrolled_fingerprint": o.enrolled_fingerprint or None} for o in outcomes])
        return 0
    for o in outcomes:
        print(o.describe())
    if not outcomes:
        print("没有找到 .xlsx 文件")
    return 0


def cmd_verify(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    matches = find_by_code(ws.db, args.code)
    if args.json:
        print_json([{"unit": m.unit, "period": m.period, "version": m.version, "file": m.file_name,
                     "generated_at": m.generated_at, "imported_at": m.imported_at, "current": m.current}
                    for m in matches])
        return 0 if matches else 1
    if not matches:
        print(f"核验码 {args.code}：没有与之相符的已收报表（纸质报表可能被改动过，或对应的电子报表尚未导入）。")
        return 1
    for m in matches:
        state = "当前版本" if m.current else "已被新版本替换"
        print(f"核验码 {args.code}：{m.unit} {m.period} 第{m.version}版（{state}），文件 {m.file_name}，"
              f"收到于 {m.imported_at.replace('T', ' ')}")
    return 0


def cmd_return(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    sent = return_for_correction(ws, unit=_unit_name(args.unit), month=args.month, reason=args.reason, out_dir=args.out)
    print(sent.path)
    print(f"已退回：{sent.notice.unit} {sent.notice.title}，原因：{sent.notice.reason}。请把退回通知文件发给该单位。")
    return 0


def cmd_diff(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    diff = version_diff(ws.db, _unit_name(args.unit), _month(args.month), old=args.old, new=args.new)
    if args.json:
        print_json({"unit": diff.unit, "period": diff.period, "old_version": diff.old_version,
                    "new_version": diff.new_version, "reasons": diff.reasons,
                    "indicators": [_row(r) for r in diff.indicators], "entries": [_row(r) for r in diff.entries]})
        return 0
    print("\n".join(diff_lines(diff)))
    return 0


def _row(row) -> dict:  # type: ignore[no-untyped-def]
    return {"what": row.what, "change": row.change,
            "fields": [{"field": f.label, "old": f.old, "new": f.new} for f in row.fields]}


def cmd_enroll(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    unit = _unit_name(args.unit)
    old = reset_enrolment(ws.db, owner=unit, reason=args.reason, actor=ws.require_profile().operator)
    print(f"已注销 {unit} 的签名密钥（指纹 {old.fingerprint}）；收到其下一份有效报表时将登记新密钥。")
    return 0


def cmd_keys(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws)
    keys = list_known_keys(ws.db)
    if args.json:
        print_json([key_as_dict(k) for k in keys])
        return 0
    for k in keys:
        print(f"{k.owner}  {k.fingerprint}  登记于 {k.enrolled_at.replace('T', ' ')}（{k.source}）")
    if not keys:
        print("尚未登记任何单位的签名密钥。")
    return 0


def cmd_notice_import(ws: Workspace, args: argparse.Namespace) -> int:
    result = import_notice(ws, args.file)
    print(result.describe())
    return 0


def cmd_key(ws: Workspace, args: argparse.Namespace) -> int:
    signer = installation_signer(ws.db)
    if args.json:
        print_json({"fingerprint": signer.fingerprint, "public_key": signer.public_key})
        return 0
    print(f"本机签名密钥指纹：{signer.fingerprint}")
    return 0
