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
from typing import Any

from models.core.errors import AppError, ValidationError
from models.core.logsetup import setup_logging
from models.exchange.tasklists import restore_installed_lists
from models.store.workspace import open_workspace

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
    try:
        ws = open_workspace(data_dir)
    except AppError as exc:
        return fail(str(exc))
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
