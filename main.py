"""钟楼区垃圾分类工作台账: GUI by default, subcommands for scripted use.

Start-up speed matters (users double-click it many times a day): starting the GUI
imports neither the command modules nor openpyxl/reportlab. The full parser, which
imports every module in ``COMMAND_MODULES``, is built only when a command or --help
is given.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from models import APP_NAME, __version__

if TYPE_CHECKING:
    import argparse

    from models.safety.integrity import PendingCheck


def _base_parser(*, add_help: bool) -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog="main.py", description=APP_NAME, add_help=add_help)
    parser.add_argument("--data-dir", type=Path, default=None, help="数据文件夹（默认为用户应用数据目录）")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--quit-after-startup", action="store_true", help="主窗口显示且空闲后立即退出（用于测量启动时间）"
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every subcommand (imports the command modules)."""
    from models.cli import add_commands

    parser = _base_parser(add_help=True)
    add_commands(parser)
    return parser


class GuiArgs(NamedTuple):
    data_dir: Path | None
    quit_after_startup: bool


def _plain_gui_args(argv: list[str]) -> GuiArgs | None:
    """The GUI's two options in their full spelling, read without argparse (whose import the
    start would otherwise pay); None for anything else."""
    data_dir, quit_after, rest = None, False, list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--quit-after-startup":
            quit_after = True
        elif arg == "--data-dir" and rest and not rest[0].startswith("-"):
            data_dir = Path(rest.pop(0))
        elif arg.startswith("--data-dir=") and len(arg) > len("--data-dir="):
            data_dir = Path(arg[len("--data-dir="):])
        else:
            return None
    return GuiArgs(data_dir, quit_after)


def _gui_args(argv: list[str]) -> GuiArgs | None:
    """The parsed options when ``argv`` asks for the GUI (no command, no --help), else None."""
    plain = _plain_gui_args(argv)
    if plain is not None:
        return plain
    if any(arg in ("-h", "--help") for arg in argv):
        return None
    args, rest = _base_parser(add_help=False).parse_known_args(argv)  # abbreviations, odd spellings
    return None if rest else GuiArgs(args.data_dir, args.quit_after_startup)


EARLY_CHECK_BYTES = 4 * 1024 * 1024  # ~3,500 entries


def _early_check(data_dir: Path) -> PendingCheck | None:
    """A large ledger's start-up check, started before Qt loads, or None.

    ``PRAGMA quick_check`` reads the whole file (~10 ms at 5,000 entries, ~85 ms at 50,000)
    without Python's lock, so started now it runs on the second core while Qt loads and the
    window is drawn; a small file's check takes a few milliseconds and starts with the first
    paint instead (started here it delayed the demo's first paint ~14 ms; a 5,000-entry
    ledger's start was ~12 ms sooner started here). The schema is checked at the opening.
    """
    try:
        large = (Path(data_dir) / "ledger.db").stat().st_size >= EARLY_CHECK_BYTES
    except OSError:
        return None
    if not large:
        return None
    from models.safety.integrity import PendingCheck

    return PendingCheck(data_dir, schema=False)


def use_utf8_output() -> None:
    """Write stdout and stderr as UTF-8, whatever the console or pipe would choose.

    Redirected on Windows, Python writes the ANSI code page: cp936 on a Chinese PC, cp1252
    on an English build PC, where "钟楼区" is a UnicodeEncodeError. It must happen before
    argparse prints anything (--version, --help, usage errors), so it is the first thing
    main() does. The windowed GUI has no streams at all (None): nothing to do.
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    use_utf8_output()
    argv = sys.argv[1:] if argv is None else list(argv)
    from models.core.paths import default_data_dir

    gui_args = _gui_args(argv)
    if gui_args is not None:
        import gc

        # The program keeps its own compiled code (__pycache__) even where PYTHONDONTWRITEBYTECODE
        # is set: otherwise every start compiles its modules again (the first start after a
        # change loads some eighty of them). A folder that cannot be written is simply skipped.
        sys.dont_write_bytecode = False
        # No cycle collection while the start allocates its tens of thousands of objects (Qt's
        # enums, our modules): ~2.5% of the start. ui.app turns it back on (and freezes what
        # the start made) once the first page shows the unit's statuses.
        gc.disable()
        data_dir = gui_args.data_dir or default_data_dir()
        check = _early_check(data_dir)
        from ui.app import run_gui  # Qt is imported only when the GUI is wanted

        return run_gui(data_dir, quit_after_startup=gui_args.quit_after_startup, check=check)
    from models.cli import run

    args = build_parser().parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    if args.command is None:  # only reachable with options argparse handled itself
        return 0
    return run(args, data_dir)


def _exit_now(code: int) -> None:
    """End the process without tearing down, one by one, the Qt objects and modules of a
    closed program: by now the database is closed and the log flushed (the benchmarks
    time start-up from outside, up to the process's end). Only the GUI exits this way."""
    import logging
    import os

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_code = main()
    if "PySide6.QtWidgets" in sys.modules:
        _exit_now(exit_code)
    sys.exit(exit_code)
