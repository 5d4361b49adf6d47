"""A unit imports the district's 退回通知: 报表 → 导入通知, or a file dropped on the window.

Kept apart from the district's panel so a unit's start-up loads no report libraries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from models.core.errors import AppError
from models.exchange.notices import NOTICE_SUFFIX, NoticeImport, import_notice
from ui.context import PageContext


def is_notice_file(path: Path) -> bool:
    return path.suffix.lower() == NOTICE_SUFFIX


def import_notice_file(parent: QWidget, ctx: PageContext, path: Path, *,
                       inform: Callable[[str, str], None] | None = None) -> NoticeImport | None:
    """Import one notice and tell the user what happened (or why it was refused)."""
    show = inform or (lambda title, text: QMessageBox.information(parent, title, text))
    try:
        result = import_notice(ctx.ws, path)
    except AppError as exc:
        show("退回通知已拒收", str(exc))
        return None
    show("退回通知", result.describe())
    ctx.data_changed()
    return result


def choose_and_import_notice(parent: QWidget, ctx: PageContext) -> None:
    name, _ = QFileDialog.getOpenFileName(parent, "导入区垃分办的退回通知", "", f"退回通知 (*{NOTICE_SUFFIX})")
    if name:
        import_notice_file(parent, ctx, Path(name))
