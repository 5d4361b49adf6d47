"""``backup``, ``backups``, ``restore``, ``archive export|import`` and ``check``.

``restore``, ``archive import`` and ``check`` must work when the database is damaged
or absent, so they do not go through ``open_workspace``: they take the data folder's
instance lock themselves (``check`` only reads, so it needs none) and are run by
``models.cli.run`` through ``direct_handler(data_dir, args)``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path
from typing import Callable

from models.safety.archive import export_archive, import_archive
from models.safety.backup import backup_now, info_as_dict, list_backups, mirror_dir
from models.cli import fail, print_json, say_waiting_once
from models.core.errors import AppError, UnusableDatabaseError
from models.store.faults import explain
from models.safety.integrity import check, ensure_intact
from models.core.logsetup import setup_logging
from models.safety.leftovers import clean_leftovers
from models.safety.restore import recovery_offer, restore_backup
from models.store.workspace import CLOSING_WAIT_S, Workspace, acquire_lock

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser("backup", help="立即备份（数据库与佐证材料，经完整性检查）")
    backup.add_argument("--to", type=Path, help="备份到此文件夹（默认：数据文件夹内的 backups 及设置的备份文件夹）")
    backup.set_defaults(handler=cmd_backup)

    backups = subparsers.add_parser("backups", help="列出备份（时间、类型、台账条数）")
    backups.add_argument("--json", action="store_true")
    backups.set_defaults(handler=cmd_backups)

    restore = subparsers.add_parser("restore", help="从备份恢复（当前数据先自动备份，可撤销）")
    restore.add_argument("file", type=Path, help="备份文件夹，或其中的 ledger.db / manifest.json")
    restore.add_argument("--force", action="store_true", help="备份属于其他单位时仍然恢复（当前数据先自动备份）")
    restore.set_defaults(direct_handler=_locked(cmd_restore))

    archive = subparsers.add_parser("archive", help="迁移包：把整个台账搬到另一台电脑")
    actions = archive.add_subparsers(dest="archive_action", metavar="操作", required=True)
    export = actions.add_parser("export", help="导出迁移包（数据库、佐证材料、设置，附 SHA-256 清单）")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=cmd_archive_export)
    imp = actions.add_parser("import", help="导入迁移包到本数据文件夹（逐一校验哈希值）")
    imp.add_argument("file", type=Path)
    imp.add_argument("--force", action="store_true", help="本数据文件夹已有台账时仍然导入（当前数据先自动备份）")
    imp.set_defaults(direct_handler=_locked(cmd_archive_import))

    chk = subparsers.add_parser("check", help="检查数据库与每个佐证文件是否完好（完好时退出码为 0）")
    chk.set_defaults(direct_handler=_guarded(cmd_check))


def _guarded(fn: Callable[[Path, argparse.Namespace], int]) -> Callable[[Path, argparse.Namespace], int]:
    def run(data_dir: Path, args: argparse.Namespace) -> int:
        try:
            return fn(Path(data_dir), args)
        except AppError as exc:
            return fail(str(exc))
        except BrokenPipeError:
            return 0
        except Exception:
            log.exception("command %s failed", args.command)
            return fail(f"程序内部错误，详情见日志 {Path(data_dir) / 'logs'}", 1)

    return run


def _locked(fn: Callable[[Path, argparse.Namespace], int]) -> Callable[[Path, argparse.Namespace], int]:
    """Hold the instance lock (no second program may use the folder meanwhile)."""

    def run(data_dir: Path, args: argparse.Namespace) -> int:
        created = not data_dir.exists()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AppError(f"无法创建数据文件夹 {data_dir}：{explain(exc)}") from exc
        code = 1
        try:
            # a program window just closed on this folder may still be backing up: wait for it
            lock = acquire_lock(data_dir, wait_if_closing=CLOSING_WAIT_S, waiting=say_waiting_once())
            try:
                try:
                    setup_logging(data_dir)  # internal errors go to the log, not to the screen
                except OSError:
                    pass
                clean_leftovers(data_dir)  # a killed restore/import before this one
                code = fn(data_dir, args)
                return code
            finally:
                lock.release()
        finally:
            if created and code != 0:
                # A refused import/restore into a new folder leaves no trace of itself.
                shutil.rmtree(data_dir, ignore_errors=True)

    return _guarded(run)


def cmd_backup(ws: Workspace, args: argparse.Namespace) -> int:
    outcome = backup_now(ws.data_dir, kind="manual", to=args.to)
    print(outcome.info.path)
    if outcome.mirror is not None:
        print(outcome.mirror.path)
    info = outcome.info
    print(f"已备份 {info.entries} 条台账（另有已删除 {info.deleted_entries} 条）、{info.evidence_files} 个佐证文件。",
          file=sys.stderr)
    for stored_path in info.missing_evidence:
        print(f"警告：佐证文件缺失或已损坏，未能备份：{stored_path}", file=sys.stderr)
    if outcome.mirror_error:
        print(f"警告：{outcome.mirror_error}", file=sys.stderr)
    return 0 if outcome.ok else 3


def cmd_backups(ws: Workspace, args: argparse.Namespace) -> int:
    infos = list_backups(ws.data_dir, mirror=mirror_dir(ws.db))
    if args.json:
        print_json([info_as_dict(i) for i in infos])
        return 0
    if not infos:
        print("还没有备份。")
    for info in infos:
        print(f"{info.created_at:%Y-%m-%d %H:%M:%S}  {info.kind_label:<8}  台账 {info.entries} 条  "
              f"佐证 {info.evidence_files} 个  {info.path}")
    return 0


def cmd_restore(data_dir: Path, args: argparse.Namespace) -> int:
    result = restore_backup(data_dir, args.file, other_unit_ok=args.force)
    print(f"已恢复：{result.entries} 条台账、{result.evidence_files} 个佐证文件。")
    if result.safety_copy is not None:
        print(f"恢复前的数据已保存在 {result.safety_copy}，如需撤销可从该处恢复。")
    for stored_path in result.missing_evidence:
        print(f"警告：备份中找不到佐证文件 {stored_path}", file=sys.stderr)
    return 0 if not result.missing_evidence else 3


def cmd_archive_export(ws: Workspace, args: argparse.Namespace) -> int:
    info = export_archive(ws.data_dir, args.file)
    print(info.path)
    print(f"已导出 {info.entries} 条台账、{info.evidence_files} 个佐证文件（{info.size / 1024**2:.1f} MB）。",
          file=sys.stderr)
    for stored_path in info.missing_evidence:
        print(f"警告：佐证文件缺失或已损坏，未能导出：{stored_path}", file=sys.stderr)
    return 0 if not info.missing_evidence else 3


def cmd_archive_import(data_dir: Path, args: argparse.Namespace) -> int:
    result = import_archive(args.file, data_dir, force=args.force)
    print(f"已导入：{result.entries} 条台账、{result.evidence_files} 个佐证文件，全部通过哈希校验。")
    if result.safety_copy is not None:
        print(f"导入前的数据已保存在 {result.safety_copy}。")
    return 0


def cmd_check(data_dir: Path, args: argparse.Namespace) -> int:
    problems = check(data_dir)
    if not problems:
        print("检查通过：数据库完好，所有佐证文件齐全且哈希值正确。")
        return 0
    print(f"发现 {len(problems)} 个问题：")
    for problem in problems:
        print(f"· {problem}")
    try:
        ensure_intact(data_dir)
    except UnusableDatabaseError:  # the database itself, not only a file: offer the way back
        print(recovery_offer(data_dir))
    except AppError:
        pass
    return 1
