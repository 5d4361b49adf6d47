"""钟楼区垃圾分类工作台账: GUI by default, subcommands for scripted use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models import APP_NAME, __version__
from models.cli import add_commands, run
from models.paths import default_data_dir


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description=APP_NAME)
    parser.add_argument("--data-dir", type=Path, default=None, help="数据文件夹（默认为用户应用数据目录）")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--quit-after-startup", action="store_true", help="主窗口显示且空闲后立即退出（用于测量启动时间）"
    )
    add_commands(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    if args.command is None:
        from ui.app import run_gui  # Qt is imported only when the GUI is wanted

        return run_gui(data_dir, quit_after_startup=args.quit_after_startup)
    return run(args, data_dir)


if __name__ == "__main__":
    sys.exit(main())
