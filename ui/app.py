"""Start the GUI: application, translations, fonts, look, error handling, windows."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from models import APP_NAME
from models.core.errors import AppError
from models.core.logsetup import log_path, setup_logging
from models.core.paths import resource_path
from models.exchange.tasklists import restore_installed_lists
from models.store.workspace import Workspace, open_workspace

log = logging.getLogger(__name__)
# Office PCs have 微软雅黑/宋体; Linux gets WenQuanYi from run.sh. First found wins.
UI_FONTS = ["Microsoft YaHei UI", "Microsoft YaHei", "SimSun", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC"]


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    configure_app(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def configure_app(app: QApplication) -> None:
    """Translations, font, icon and style sheet, once per application.

    Idempotent: re-applying an app-wide style sheet re-polishes every live widget and
    installing translators again stacks them, which made each test window slower.
    """
    if app.property("zl_configured"):
        return
    app.setProperty("zl_configured", True)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("钟楼区垃圾分类工作领导小组办公室")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    bundled = str(resource_path("translations"))
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, translations) or translator.load(name, bundled):
            app.installTranslator(translator)
    families = set(QFontDatabase.families())
    chosen = [f for f in UI_FONTS if f in families]
    if chosen:
        font = QFont()
        font.setFamilies(chosen)
        font.setPointSizeF(10.5)
        app.setFont(font)
    icon = resource_path("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    qss = resource_path("theme.qss")
    if qss.exists():
        # $ICONS: the sheet's spin-box arrows, found wherever the resources are (frozen or not).
        app.setStyleSheet(qss.read_text(encoding="utf-8").replace("$ICONS", resource_path("icons").as_posix()))


def install_excepthook(data_dir: Path) -> None:
    """An unhandled exception is logged and shown in Chinese, never a silent exit."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if isinstance(value, AppError):
            message = str(value)
        else:
            message = f"程序遇到意外错误：{value}\n\n操作未完成，已保存的数据不受影响。\n详细信息已写入日志：{log_path(data_dir)}"
        if QApplication.instance() is not None:
            QMessageBox.critical(None, "出错了", message)

    sys.excepthook = hook


def open_or_explain(data_dir: Path) -> Workspace | None:
    from models.safety.leftovers import clean_leftovers
    from models.store.connection import DB_FILENAME, folder_read_only

    try:
        if (data_dir / DB_FILENAME).is_file() and (folder_read_only(data_dir) or folder_read_only(data_dir / DB_FILENAME)):
            # A read-only folder or mount (a CD, a write-protected USB stick, a share): the
            # ledger can still be read; every save says why it cannot be made.
            ws = open_workspace(data_dir, read_only=True)
            QMessageBox.information(None, APP_NAME, f"数据文件夹 {data_dir} 是只读的：可以查看台账和导出到其他位置，"
                                    "但不能保存修改，也不会自动备份。")
            return ws
        return open_workspace(data_dir, prepare=clean_leftovers)
    except AppError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return None


def run_gui(data_dir: Path, *, quit_after_startup: bool = False) -> int:
    from ui.data_safety import DailyBackup, backup_on_exit, startup_check

    app = make_app()
    # A damaged database is never opened for writing: explain, offer the newest good backup.
    if not startup_check(data_dir):
        return 1
    ws = open_or_explain(data_dir)
    if ws is None:
        return 1
    if not ws.read_only:
        setup_logging(data_dir)
    install_excepthook(data_dir)
    if not ws.read_only:
        restore_installed_lists(ws)  # a ledger moved or restored brings its installed task lists back
    window = None
    try:
        if ws.profile is None:
            from ui.setup_dialog import SetupDialog

            dialog = SetupDialog(ws)
            if quit_after_startup:
                # A fresh folder's first window is the set-up dialog: time that, don't block on it.
                QTimer.singleShot(0, dialog.reject)
                dialog.exec()
                return 0
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return 0
        from ui.main_window import MainWindow

        window = MainWindow(ws)
        window.show()
        if not ws.read_only:  # a read-only folder: no backups into it
            DailyBackup(window, window.runner, ws.data_dir, ws.db)
        if quit_after_startup:
            QTimer.singleShot(0, app.quit)  # fires once the event loop is idle
        return app.exec()
    finally:
        if window is not None and not quit_after_startup:
            window.runner.wait()
            if not ws.read_only:
                backup_on_exit(ws.data_dir)
        ws.close()
