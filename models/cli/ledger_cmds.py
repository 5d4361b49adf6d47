"""``entry add|list|show|delete|restore|attach``, ``template`` and ``import``: the ledger
from a script, through the same model functions as the GUI."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from models.cli import print_json
from models.core.errors import ValidationError
from models.ledger.evidence import add_entry_with_files, attach_file, attachments_for_entries, list_attachments, store_files
from models.ledger.validation import EntryDraft
from models.ledger.entries import LedgerEntry, delete_entry, get_entry, list_entries, measure_text, restore_entry
from models.ledger.excel_import import import_workbook
from models.ledger.excel_template import write_template
from models.store.workspace import Workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    entry = subparsers.add_parser("entry", help="台账：新增、列出、删除、恢复")
    commands = entry.add_subparsers(dest="entry_command", metavar="操作", required=True)

    add = commands.add_parser("add", help="新增一条台账，成功后输出其编号")
    add.add_argument("--task", required=True, help="任务序号")
    add.add_argument("--date", required=True, help="日期，如 2023-06-12")
    add.add_argument("--type", required=True, dest="entry_type", help="台账类型（见 tasks --json 的 entry_types）")
    add.add_argument("--title", required=True, help="标题")
    add.add_argument("--content", default="", help="工作内容")
    add.add_argument("--location", default="", help="地点")
    add.add_argument("--organizer", default="", help="组织单位")
    add.add_argument("--participants", default=None, help="参与人数")
    add.add_argument("--measure", action="append", default=[], metavar="CODE=VALUE",
                     help="填报数值（CODE 见 tasks --json 的 fields），可重复")
    add.add_argument("--attach", action="append", default=[], type=Path, metavar="FILE", help="佐证材料文件，可重复")
    add.add_argument("--remarks", default="", help="备注")
    add.set_defaults(handler=cmd_add)

    show = commands.add_parser("list", help="列出台账（默认不含已删除）")
    show.add_argument("--month", help="月份 YYYY-MM")
    show.add_argument("--task", type=int, help="任务序号")
    show.add_argument("--type", dest="entry_type", help="台账类型")
    show.add_argument("--text", help="按关键词查找（标题、内容、地点等）")
    show.add_argument("--deleted", action="store_true", help="只列出已删除的台账（可用 entry restore 恢复）")
    show.add_argument("--json", action="store_true", help="以 JSON 输出")
    show.set_defaults(handler=cmd_list)

    one = commands.add_parser("show", help="显示一条台账及其佐证材料")
    one.add_argument("id", type=int)
    one.add_argument("--json", action="store_true")
    one.set_defaults(handler=cmd_show)

    delete = commands.add_parser("delete", help="删除台账（可恢复）")
    delete.add_argument("id", type=int)
    delete.add_argument("--reason", default="", help="删除原因")
    delete.set_defaults(handler=cmd_delete)

    restore = commands.add_parser("restore", help="恢复已删除的台账")
    restore.add_argument("id", type=int)
    restore.set_defaults(handler=cmd_restore)

    attach = commands.add_parser("attach", help="为台账添加佐证材料")
    attach.add_argument("id", type=int)
    attach.add_argument("files", nargs="+", type=Path, metavar="FILE")
    attach.set_defaults(handler=cmd_attach)

    template = subparsers.add_parser("template", help="生成台账批量导入模板（.xlsx）")
    template.add_argument("--out", required=True, type=Path, help="输出文件，如 台账模板.xlsx")
    template.set_defaults(handler=cmd_template)

    imp = subparsers.add_parser("import", help="从 .xlsx 批量导入台账（有任何一行错误则全部不导入）")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=cmd_import)


def parse_measures(pairs: list[str]) -> dict[str, str]:
    measures: dict[str, str] = {}
    problems = []
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep or not code.strip():
            problems.append(("--measure", f"“{pair}”格式应为 CODE=VALUE，如 households_reached=320"))
        else:
            measures[code.strip()] = value.strip()
    if problems:
        raise ValidationError(problems)
    return measures


def entry_as_dict(entry: LedgerEntry, attachments: list[str]) -> dict[str, Any]:
    data = entry.as_dict()
    data["measures"] = {k: int(v) if float(v).is_integer() else v for k, v in entry.measures.items()}
    data["attachments"] = attachments
    return data


def cmd_add(ws: Workspace, args: argparse.Namespace) -> int:
    actor = ws.require_profile().operator
    draft = EntryDraft(
        task_seq=args.task, entry_date=args.date, entry_type=args.entry_type, title=args.title,
        content=args.content, location=args.location, organizer=args.organizer,
        participants=args.participants, measures=parse_measures(args.measure), remarks=args.remarks,
    )
    entry_id = add_entry_with_files(ws.db, ws.data_dir, ws.tasklist, ws.tasks(), draft, args.attach,
                                    actor=actor, today=dt.date.today())
    print(entry_id)
    return 0


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    ws.require_profile()
    entries = list_entries(ws.db, month=args.month, task_seq=args.task, entry_type=args.entry_type,
                           text=args.text, only_deleted=args.deleted)
    names = {k: [a.original_name for a in v] for k, v in attachments_for_entries(ws.db, [e.id for e in entries]).items()}
    if args.json:
        print_json([entry_as_dict(e, names[e.id]) for e in entries])
        return 0
    for e in entries:
        values = "　".join(f"{k}={measure_text(v)}" for k, v in e.measures.items())
        flag = "（已删除）" if e.deleted_at else ""
        print(f"{e.id:>6}  {e.entry_date}  任务{e.task_seq:<3} {e.entry_type}：{e.title}{flag}"
              f"{'　' + values if values else ''}{'　佐证' + str(len(names[e.id])) + '件' if names[e.id] else ''}")
    print(f"共 {len(entries)} 条", file=sys.stderr)
    return 0


def cmd_show(ws: Workspace, args: argparse.Namespace) -> int:
    entry = get_entry(ws.db, args.id)
    attachments = list_attachments(ws.db, entry.id)
    data = entry_as_dict(entry, [a.original_name for a in attachments])
    if args.json:
        data["attachment_files"] = [a.as_dict() for a in attachments]
        print_json(data)
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return 0


def cmd_delete(ws: Workspace, args: argparse.Namespace) -> int:
    delete_entry(ws.db, args.id, actor=ws.require_profile().operator, reason=args.reason)
    print(f"已删除台账 {args.id}（可用 entry restore {args.id} 恢复）")
    return 0


def cmd_restore(ws: Workspace, args: argparse.Namespace) -> int:
    restore_entry(ws.db, args.id, actor=ws.require_profile().operator)
    print(f"已恢复台账 {args.id}")
    return 0


def cmd_attach(ws: Workspace, args: argparse.Namespace) -> int:
    actor = ws.require_profile().operator
    get_entry(ws.db, args.id)
    store_files(ws.data_dir, args.files)  # check every file before attaching any
    for source in args.files:
        attachment = attach_file(ws.db, ws.data_dir, args.id, source, actor=actor)
        print(f"已添加：{attachment.original_name}")
    return 0


def cmd_template(ws: Workspace, args: argparse.Namespace) -> int:
    path = write_template(args.out, ws.tasklist, ws.tasks())
    print(f"已生成导入模板：{path}")
    return 0


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    result = import_workbook(ws.db, args.file, ws.tasklist, ws.tasks(), actor=ws.require_profile().operator,
                             today=dt.date.today())
    print(result.summary())
    return 0
