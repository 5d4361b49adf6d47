"""``init``, ``settings`` and ``tasks``: set up the unit and list its tasks."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import asdict, replace
from typing import Any

from models.catalog.schema import PERIODS, STANDARD_FIELDS, Task
from models.catalog.tasklists import available_years
from models.cli import print_json
from models.core.errors import AppError
from models.store.keys import installation_signer
from models.store.settings import UnitProfile, needed_settings, set_targets
from models.store.years import save_year_profile
from models.store.workspace import Workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help="设置本单位（首次使用）或修改单位信息")
    init.add_argument("--unit", required=True, help="填报单位名称，如 南大街街道")
    init.add_argument("--operator", required=True, help="填报人")
    init.add_argument("--phone", required=True, help="联系电话")
    init.add_argument("--reviewer", required=True, help="审核人")
    init.add_argument("--households", type=int, help="建成区居民总户数（任务6）")
    init.add_argument("--quota", type=int, help="本单位新增达标小区任务数（任务12）")
    init.add_argument("--year", type=int, default=max(available_years(), default=2023), help="任务清单年度")
    init.set_defaults(handler=cmd_init)

    show = subparsers.add_parser("settings", help="显示或修改本单位设置（户数、任务数、本单位目标）")
    show.add_argument("--households", type=int, help="建成区居民总户数（任务6）")
    show.add_argument("--quota", type=int, help="本单位新增达标小区任务数（任务12）")
    show.add_argument("--target", action="append", metavar="CODE=VALUE", default=[],
                      help="修改可由本单位设定的目标，如 T2_AWARENESS=92（VALUE 为 default 时恢复清单默认值）")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_settings)

    tasks = subparsers.add_parser("tasks", help="列出本单位适用的任务")
    tasks.add_argument("--json", action="store_true", help="以 JSON 输出")
    tasks.set_defaults(handler=cmd_tasks)


def cmd_init(ws: Workspace, args: argparse.Namespace) -> int:
    existing = ws.profile
    profile = UnitProfile(
        unit=args.unit,
        operator=args.operator,
        phone=args.phone,
        reviewer=args.reviewer,
        households=args.households,
        standard_quota=args.quota,
        year=args.year,
        target_overrides=existing.target_overrides if existing else {},
    )
    if existing is not None:  # changing the unit's details keeps settings not given again
        profile = replace(profile, households=args.households if args.households is not None else existing.households,
                          standard_quota=args.quota if args.quota is not None else existing.standard_quota)
    saved = save_year_profile(ws.db, profile, data_dir=ws.data_dir)
    print(f"已设置填报单位：{saved.unit}（{saved.year}年任务清单，适用任务 {len(ws.tasks())} 项）")
    print(f"本机签名密钥指纹：{installation_signer(ws.db).fingerprint}（报表据此签名；请勿删除数据文件夹）")
    for setting, label, seq in needed_settings(saved.unit, saved.year, data_dir=ws.data_dir):
        if saved.setting(setting) is None:
            flag = "--households" if setting == "households" else "--quota"
            print(f"提示：尚未填写{label}（任务{seq}需要），相关指标将显示“未设置目标”。可用 settings {flag} N 补填。",
                  file=sys.stderr)
    this_year = dt.date.today().year
    if this_year not in ws.years():  # never silently on an old year
        print(f"尚未导入{this_year}年任务清单，请向区垃分办索取（tasklist install 文件）；现按{saved.year}年任务清单使用",
              file=sys.stderr)
    return 0


def cmd_settings(ws: Workspace, args: argparse.Namespace) -> int:
    profile = ws.require_profile()
    if args.households is not None or args.quota is not None:
        profile = save_year_profile(ws.db, replace(
            profile, households=args.households if args.households is not None else profile.households,
            standard_quota=args.quota if args.quota is not None else profile.standard_quota), data_dir=ws.data_dir)
    if args.target:
        targets: dict[str, str] = {}
        for pair in args.target:
            code, sep, value = pair.partition("=")
            if not sep or not code.strip():
                raise AppError(f"目标“{pair}”格式不正确，应为 指标代码=目标值，如 T2_AWARENESS=92")
            targets[code.strip()] = value
        profile = set_targets(ws.db, targets, data_dir=ws.data_dir)
        for code, value in targets.items():
            shown = profile.target_overrides.get(code)
            print(f"已设置 {code} 的本单位目标：{shown}" if shown is not None else f"已恢复 {code} 的清单默认目标")
        if not args.json:
            return 0
    if args.json:
        print_json(asdict(profile))
    else:
        for key, value in asdict(profile).items():
            print(f"{key}: {value}")
    return 0


def task_as_dict(task: Task) -> dict[str, Any]:
    return {
        "seq": task.seq,
        "category": task.category,
        "target_text": task.target_text,
        "responsible": task.responsible,
        "deadline": task.deadline.isoformat(),
        "deadline_text": task.deadline_text,
        "applies_to": {"kinds": list(task.applies_kinds), "units": list(task.applies_units)},
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "period": i.period,
                "comparison": i.comparison,
                "target": i.target,
                "target_setting": i.target_setting,
                "scope": i.scope,
                "district_target": i.district_target,
                "editable": i.editable,
                "unit_kinds": list(i.unit_kinds),
            }
            for i in task.indicators
        ],
        "entry_types": [t.name for t in task.entry_types],
        "entry_type_required": {
            t.name: [STANDARD_FIELDS.get(r, r) for r in t.required] for t in task.entry_types
        },
        "fields": [{"code": f.code, "name": f.name, "unit": f.unit, "type": f.type} for f in task.fields],
    }


def cmd_tasks(ws: Workspace, args: argparse.Namespace) -> int:
    tasks = ws.tasks()
    if args.json:
        print_json([task_as_dict(t) for t in tasks])
        return 0
    for category, group in ws.tasklist.categories(tasks):
        print(f"【{category}】")
        for task in group:
            print(f"  {task.seq:>2}. （{task.deadline_text}）{task.target_text}")
            for ind in task.indicators:
                target = ind.target if ind.target is not None else ind.target_setting
                print(f"      - {ind.name} {ind.comparison} {target} {ind.unit}（{PERIODS[ind.period]}）")
    return 0
