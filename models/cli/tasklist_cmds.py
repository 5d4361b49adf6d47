"""``tasklist`` and ``year``: a new year's list from the district's document to every unit.

``tasklist import`` (区垃分办) reads the .docx/.xlsx into a draft, ``tasklist show`` prints it
(or an installed/bundled list) like ``tasks --json``, ``tasklist quota`` splits a district
target among the units, ``tasklist publish`` writes the package, ``tasklist install`` keeps a
package in this unit's data folder, ``year`` switches the working year.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from models.catalog import draft_edit
from models.catalog.drafts import DraftError, import_draft, load_draft, quota_indicators, quota_units, save_draft
from models.catalog.packages import list_origin
from models.catalog.proposals import resolve_unit
from models.catalog.schema import PERIODS, STANDARD_FIELDS
from models.catalog.tasklists import tasklist_for_year
from models.catalog.units import load_units
from models.cli import print_json
from models.cli.setup_cmds import task_as_dict
from models.core.errors import AppError, ValidationError
from models.exchange.tasklists import install_signed, publish_signed
from models.store.workspace import Workspace
from models.store.years import switch_year


def register(subparsers: argparse._SubParsersAction) -> None:
    tl = subparsers.add_parser("tasklist", help="年度任务清单：导入区里的清单文件、发布、安装")
    sub = tl.add_subparsers(dest="tasklist_command", metavar="操作", required=True)

    imp = sub.add_parser("import", help="（区垃分办）从区里下发的 Word/Excel 任务清单生成草稿")
    imp.add_argument("source", help="任务清单文件（.docx 或 .xlsx）")
    imp.add_argument("--year", type=int, required=True, help="清单年度")
    imp.set_defaults(handler=cmd_import)

    show = sub.add_parser("show", help="显示某年度的清单（草稿或已发布）")
    show.add_argument("--year", type=int, required=True)
    show.add_argument("--json", action="store_true", help="以 JSON 输出（与 tasks --json 相同的格式）")
    show.add_argument("--published", action="store_true", help="显示已安装或内置的清单，而不是草稿")
    show.set_defaults(handler=cmd_show)

    quota = sub.add_parser("quota", help="（区垃分办）把全区目标（如新增达标小区）分解到各单位")
    quota.add_argument("--year", type=int, required=True)
    quota.add_argument("--task", type=int, help="任务序号（草稿中只有一项全区目标时可省略）")
    quota.add_argument("shares", nargs="+", metavar="单位=任务数")
    quota.set_defaults(handler=cmd_quota)

    edit = sub.add_parser("edit", help="（区垃分办）修改草稿中某项任务的适用单位、完成期限或指标目标值")
    edit.add_argument("--year", type=int, required=True)
    edit.add_argument("--task", type=int, required=True)
    edit.add_argument("--kinds", help="适用单位类别，逗号分隔：street,town,department")
    edit.add_argument("--units", help="适用单位名称，逗号分隔")
    edit.add_argument("--deadline", help="完成期限 YYYY-MM-DD")
    edit.add_argument("--target", action="append", default=[], metavar="CODE=VALUE", help="指标目标值")
    edit.add_argument("--remove", action="append", default=[], metavar="CODE", help="删除该指标")
    edit.set_defaults(handler=cmd_edit)

    pub = sub.add_parser("publish", help="（区垃分办）把确认后的清单写成一个发布文件，发给各单位")
    pub.add_argument("--year", type=int, required=True)
    pub.add_argument("--out", required=True, help="输出文件夹")
    pub.set_defaults(handler=cmd_publish)

    inst = sub.add_parser("install", help="导入区垃分办发布的任务清单文件（无需管理员权限）")
    inst.add_argument("package", help="任务清单文件（钟楼区YYYY年任务清单.zip）")
    inst.set_defaults(handler=cmd_install)

    year = subparsers.add_parser("year", help="切换工作年度（以前年度的台账、报表、报送记录都保留）")
    year.add_argument("year", type=int, help="年度，如 2024")
    year.add_argument("--households", type=int, help="该年度建成区居民总户数（任务6）")
    year.add_argument("--quota", type=int, help="该年度本单位新增达标小区任务数（任务12）")
    year.set_defaults(handler=cmd_year)


def _require_district(ws: Workspace, what: str) -> None:
    if ws.unit.kind != "district":
        raise AppError(f"{what}由区垃分办进行；本台账的单位是 {ws.unit.name}。各单位请用 tasklist install 导入区垃分办发布的文件。")


def draft_task_as_dict(raw: dict[str, Any]) -> dict[str, Any]:
    """A draft task in the shape of ``tasks --json``, plus the proposals' phrases and flags."""
    return {
        "seq": raw["seq"],
        "category": raw["category"],
        "target_text": raw["target_text"],
        "responsible": raw["responsible"],
        "deadline": raw["deadline"],
        "deadline_text": raw["deadline_text"],
        "applies_to": raw["applies_to"],
        "indicators": [
            {
                "code": i["code"], "name": i["name"], "unit": i["unit"], "period": i["period"],
                "comparison": i["comparison"], "target": i.get("target"), "target_setting": i.get("target_setting"),
                "scope": i.get("scope", "unit"), "district_target": i.get("district_target"),
                "compute": i["compute"], "phrase": i.get("phrase", ""), "rule": i.get("rule", ""),
                "status": i.get("status", "proposed"),
            }
            for i in raw["indicators"]
        ],
        "entry_types": [t["name"] for t in raw["entry_types"]],
        "entry_type_required": {t["name"]: [STANDARD_FIELDS.get(r, r) for r in t.get("required", [])]
                                for t in raw["entry_types"]},
        "fields": [dict(f) for f in raw["fields"]],
        "flags": [f["message"] for f in raw.get("flags", [])],
    }


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws, "导入区里的任务清单")
    draft = import_draft(ws.data_dir, args.source, args.year)
    tasks = draft["tasks"]
    indicators = sum(len(t["indicators"]) for t in tasks)
    flagged = [t for t in tasks if t["flags"]]
    print(f"已导入 {draft['title']}：任务 {len(tasks)} 项，建议指标 {indicators} 项；"
          f"需核对 {len(flagged)} 项（tasklist show --year {args.year}）")
    for problem in draft["problems"]:
        print(f"注意：{problem}", file=sys.stderr)
    untracked = [str(t["seq"]) for t in tasks if any(f["kind"] == "no_indicator" for f in t["flags"])]
    for task in flagged:
        for f in task["flags"]:
            if f["kind"] != "no_indicator":
                print(f"任务{task['seq']}：{f['message']}", file=sys.stderr)
    if untracked:
        print(f"任务{'、'.join(untracked)}：没有可量化的指标，按台账记录跟踪", file=sys.stderr)
    return 0


def cmd_show(ws: Workspace, args: argparse.Namespace) -> int:
    draft = None if args.published else load_draft(ws.data_dir, args.year)
    if draft is not None:
        tasks = [draft_task_as_dict(t) for t in draft["tasks"]]
        title, origin = draft["title"], "草稿"
    else:
        tasklist = tasklist_for_year(args.year, data_dir=ws.data_dir)
        tasks = [task_as_dict(t) for t in tasklist.tasks]
        title, origin = tasklist.title, list_origin(ws.data_dir, args.year)
    if args.json:
        print_json(tasks)
        return 0
    print(f"{title}（{origin}）")
    category = None
    for task in tasks:
        if task["category"] != category:
            category = task["category"]
            print(f"【{category}】")
        print(f"  {task['seq']:>2}. （{task['deadline_text'] or '—'}）{task['target_text']}")
        for ind in task["indicators"]:
            target = ind["target"] if ind["target"] is not None else (
                f"全区{ind['district_target']:g}" if ind.get("district_target") is not None else "待填写")
            phrase = f"　←“{ind['phrase']}”" if ind.get("phrase") else ""
            print(f"      - {ind['name']} {ind['comparison']} {target} {ind['unit']}（{PERIODS[ind['period']]}）{phrase}")
        for message in task.get("flags", []):
            print(f"      ! {message}")
    return 0


def cmd_quota(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws, "分解全区目标")
    draft = load_draft(ws.data_dir, args.year)
    if draft is None:
        raise AppError(f"没有 {args.year} 年的清单草稿，请先 tasklist import")
    candidates = [(t, i) for t in draft["tasks"] for i in t["indicators"] if i in quota_indicators(draft)
                  and (args.task is None or t["seq"] == args.task)]
    if len(candidates) != 1:
        raise AppError("请用 --task 指定要分解的任务" if candidates else "草稿中没有需要分解到各单位的全区目标")
    task, ind = candidates[0]
    allowed = quota_units(task, load_units())
    shares: dict[str, int] = {}
    for pair in args.shares:
        name, _, value = pair.partition("=")
        if name not in allowed:
            raise AppError(f"“{name}”不是任务{task['seq']}的街道（镇）。可选：{'、'.join(allowed)}")
        try:
            shares[name] = int(value)
        except ValueError:
            raise AppError(f"“{pair}”的任务数应为整数") from None
    draft.setdefault("quotas", {})[ind["code"]] = shares
    save_draft(ws.data_dir, draft)
    total = sum(shares.values())
    print(f"任务{task['seq']}：已分解 {total} / 全区 {ind['district_target']:g}"
          + ("" if total == ind["district_target"] else "（合计不等于全区目标，发布前请调整）"))
    return 0


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").replace("，", ",").replace("、", ",").split(",") if n.strip()]


def cmd_edit(ws: Workspace, args: argparse.Namespace) -> int:
    """The confirm page's edits for a clerk working from the command line; nothing saved on an error."""
    _require_district(ws, "修改清单草稿")
    draft = load_draft(ws.data_dir, args.year)
    if draft is None:
        raise AppError(f"没有 {args.year} 年的清单草稿，请先 tasklist import")
    if not any(t["seq"] == args.task for t in draft["tasks"]):
        raise AppError(f"草稿中没有任务{args.task}")
    task = draft_edit.task(draft, args.task)
    problems: list[tuple[str, str]] = []
    if args.kinds is not None or args.units is not None:
        kinds = _names(args.kinds) if args.kinds is not None else task["applies_to"]["kinds"]
        units = task["applies_to"]["units"]
        if args.units is not None:  # a name or an alias; an unknown name is refused below, not guessed
            units = [(resolve_unit(n, load_units()) or n) for n in _names(args.units)]
            units = [u if isinstance(u, str) else u.name for u in units]
        problems += draft_edit.set_applies(draft, args.task, kinds, units)
    if args.deadline:
        try:
            problems += draft_edit.set_deadline(draft, args.task, dt.date.fromisoformat(args.deadline))
        except ValueError:
            problems.append(("完成期限", "应为日期 YYYY-MM-DD"))
    for pair in args.target:
        code, _, value = pair.partition("=")
        index = next((i for i, ind in enumerate(task["indicators"]) if ind["code"] == code), None)
        if index is None:
            problems.append(("指标", f"任务{args.task}没有指标 {code}"))
            continue
        try:
            problems += draft_edit.update_indicator(draft, args.task, index, {"target": draft_edit.parse_target(value)})
        except ValueError:
            problems.append(("目标值", f"“{value}”不是数字"))
    for code in args.remove:
        index = next((i for i, ind in enumerate(task["indicators"]) if ind["code"] == code), None)
        if index is None:
            problems.append(("指标", f"任务{args.task}没有指标 {code}"))
        else:
            draft_edit.remove_indicator(draft, args.task, index)
    problems += draft_edit.check_task(task, year=args.year, units=load_units())
    if problems:
        raise ValidationError(problems)
    save_draft(ws.data_dir, draft)
    print(f"已修改草稿任务{args.task}")
    return 0


def cmd_publish(ws: Workspace, args: argparse.Namespace) -> int:
    _require_district(ws, "发布任务清单")
    try:
        path, warnings = publish_signed(ws, args.year, args.out)
    except DraftError as exc:
        for problem in exc.problems:
            print(f"错误：{problem}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"注意：{warning}", file=sys.stderr)
    print(path)
    return 0


def cmd_install(ws: Workspace, args: argparse.Namespace) -> int:
    package = install_signed(ws, args.package)
    current = ws.year
    print(f"已导入 {package.title}（{package.year}年，区垃分办签名已核验，内容哈希 {package.manifest['content_hash'][:12]}…）")
    if package.year != current:
        print(f"当前工作年度仍为 {current} 年；切换请运行 year {package.year}", file=sys.stderr)
    return 0


def cmd_year(ws: Workspace, args: argparse.Namespace) -> int:
    switch = switch_year(ws.db, ws.data_dir, args.year, households=args.households, quota=args.quota)
    profile = switch.profile
    print(f"工作年度：{profile.year}年（{ws.tasklist.title}，适用任务 {len(ws.tasks())} 项）")
    if switch.quota_from_package:
        print(f"新增达标小区任务数 {profile.standard_quota}（区垃分办分解）", file=sys.stderr)
    if switch.missing:
        print(f"请填写 {profile.year} 年的{'、'.join(switch.missing)}：year {profile.year} --households N --quota N，"
              "或在“设置”中填写", file=sys.stderr)
    if switch.previous_year != profile.year:
        print(f"{switch.previous_year}年的台账、报表和报送记录都已保留，仍可查看和导出（如 report monthly --month "
              f"{switch.previous_year}-12）", file=sys.stderr)
    return 0
