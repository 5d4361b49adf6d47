"""Scripted use: subcommands that run the same model code as the GUI.

Each module in ``COMMAND_MODULES`` has ``register(subparsers)``, which adds its
subcommands and sets ``handler(ws, args) -> int`` on each. ``main.py`` builds the
parser and calls :func:`run`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable

from models.core.errors import AppError, UnusableDatabaseError, ValidationError
from models.core.logsetup import setup_logging
from models.exchange.tasklists import restore_installed_lists
from models.safety.integrity import ensure_intact
from models.safety.leftovers import clean_leftovers
from models.safety.restore import recovery_offer
from models.store.connection import folder_read_only
from models.store.workspace import CLOSING_WAIT_S, open_workspace

COMMAND_MODULES = [
    "models.cli.setup_cmds",
    "models.cli.ledger_cmds",
    "models.cli.district_cmds",
    "models.cli.progress_cmds",
    "models.cli.report_cmds",
    "models.cli.safety_cmds",
    "models.cli.tasklist_cmds",
    "models.cli.exchange_cmds",
]
log = logging.getLogger(__name__)
# Commands that only read the ledger: they still work on a read-only folder or mount.
READING_COMMANDS = {
    ("models.cli.setup_cmds", "cmd_settings"), ("models.cli.setup_cmds", "cmd_tasks"),
    ("models.cli.ledger_cmds", "cmd_list"), ("models.cli.ledger_cmds", "cmd_show"),
    ("models.cli.ledger_cmds", "cmd_template"), ("models.cli.progress_cmds", "cmd_status"),
    ("models.cli.progress_cmds", "cmd_community_list"), ("models.cli.district_cmds", "cmd_status"),
    ("models.cli.report_cmds", "cmd_states"), ("models.cli.safety_cmds", "cmd_backups"),
}


def only_reads(handler: Any) -> bool:
    return (getattr(handler, "__module__", ""), getattr(handler, "__name__", "")) in READING_COMMANDS


def add_commands(parser: argparse.ArgumentParser) -> None:
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 2) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace, data_dir: Path) -> int:
    """Open the workspace, run the chosen command's handler, map errors to exit codes.

    Output is UTF-8: main.use_utf8_output() switched it before the arguments were parsed.
    """
    direct = getattr(args, "direct_handler", None)
    if direct is not None:  # restore/check/archive import must work on a damaged database
        return int(direct(data_dir, args) or 0)
    # As the GUI does at start: quick_check (read-only) before anything may write, and a
    # foreign ledger.db is never opened; the answer offers the newest good backup.
    try:
        ensure_intact(data_dir)
        read_only = folder_read_only(data_dir) or folder_read_only(data_dir / "ledger.db")
        if read_only and not only_reads(args.handler):
            return fail(f"数据文件夹 {data_dir} 是只读的，无法保存台账（查看类命令仍可使用）。"
                        "请检查文件夹权限，或把数据放到可以写入的位置。")
        # A program window just closed on this folder may still be backing up: wait for it.
        ws = open_workspace(data_dir, read_only=read_only, prepare=clean_leftovers, wait_if_closing=CLOSING_WAIT_S,
                            waiting=say_waiting_once())
    except UnusableDatabaseError as exc:
        log.error("ledger in %s unusable: %s", data_dir, exc.problems)
        return fail(f"{exc}\n{recovery_offer(data_dir)}")
    except AppError as exc:
        return fail(str(exc))
    if not read_only:
        setup_logging(data_dir)
        restore_installed_lists(ws)  # a ledger moved or restored brings its installed task lists back
    try:
        return int(args.handler(ws, args) or 0)
    except ValidationError as exc:
        for field, message in exc.problems:
            print(f"{field}：{message}", file=sys.stderr)
        return 2
    except AppError as exc:
        return fail(str(exc))
    except BrokenPipeError:  # output piped into e.g. `head`
        return 0
    except Exception:
        log.exception("command %s failed", args.command)
        return fail(f"程序内部错误，详情见日志 {data_dir / 'logs'}", 1)
    finally:
        ws.close()


def say_waiting_once() -> Callable[[], None]:
    """A ``waiting`` for ``acquire_lock``: says once on stderr what the command waits for."""
    said: list[bool] = []

    def waiting() -> None:
        if not said:
            said.append(True)
            print("上一个程序窗口正在关闭（退出时备份），稍候即继续…", file=sys.stderr, flush=True)

    return waiting
