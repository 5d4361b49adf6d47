"""Start the GUI: application, translations, fonts, look, error handling, windows.

A user opens the program many times a day, so the window is painted first: its frame and
navigation come from a read-only look at the folder's profile (``models.store.peek``).
Then the start-up check starts on its own thread, and the first page comes one of two ways:

- the 工作台 kept (at the last close, or the last time it was worked out) for this very
  ledger, day, task list and program (``models.store.start_view``) is painted at once; once
  the check has passed it counts as shown (*interactive*), and the folder is opened (lock,
  migrations, logging) and bound to it — until then nothing can write (navigation, tile
  clicks and controls are off);
- otherwise (a change outside the program, days away, a first start) the check, the opening
  and the page worked out from the ledger, as before.

At close (``ui.data_safety.close_session``) the views of today's and the next days' starts
are kept for the ledger as it is then.

``--quit-after-startup`` quits once the page shows the unit's statuses. Start-up imports
only what the frame and the page need (``tests/test_startup_imports.py``); Qt classes used
only on an error path (message boxes, file dialogs) are imported there, and the ``Qt``
namespace is not touched before the first page is up (its ~90 enums are a fifth of a bare
window's start).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from models import APP_NAME
from models.core.errors import AppError
from models.core.logsetup import log_path
from models.core.paths import resource_path

if TYPE_CHECKING:
    from models.safety.integrity import PendingCheck
    from models.store.peek import FolderUnit
    from models.store.workspace import Workspace
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
# Office PCs have 微软雅黑/宋体; Linux gets WenQuanYi from run.sh. First found wins.
TEXT_COLOUR = "#1f2933"
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
    # Qt takes the first of these it has (listing the installed families first cost 7 ms)
    font = QFont()
    font.setFamilies(UI_FONTS)
    font.setPointSizeF(10.5)
    app.setFont(font)
    palette = app.palette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(role, QColor(TEXT_COLOUR))
    app.setPalette(palette)
    qss = resource_path("theme.qss")
    if qss.exists():
        # $ICONS: the sheet's spin-box arrows, found wherever the resources are (frozen or not).
        from ui.dashboard_style import dashboard_style

        app.setStyleSheet(qss.read_text(encoding="utf-8").replace("$ICONS", resource_path("icons").as_posix())
                          + dashboard_style())


def set_window_icon(app: QApplication) -> None:
    """The window's icon (a Windows taskbar shows the program file's own until then): after the
    first page is up, as the icon's type alone costs a few milliseconds to load."""
    from PySide6.QtGui import QIcon

    icon = resource_path("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))


def install_excepthook(data_dir: Path) -> None:
    """An unhandled exception is logged and shown in Chinese, never a silent exit."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if isinstance(value, AppError):
            message = str(value)
        else:
            message = f"程序遇到意外错误：{value}\n\n操作未完成，已保存的数据不受影响。\n详细信息已写入日志：{log_path(data_dir)}"
        if QApplication.instance() is not None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "出错了", message)

    sys.excepthook = hook


def open_or_explain(data_dir: Path, parent: QWidget | None = None) -> Workspace | None:
    from models.safety.leftovers import clean_leftovers
    from models.store.connection import DB_FILENAME, folder_read_only
    from models.store.workspace import CLOSING_WAIT_S, open_workspace

    try:
        if (data_dir / DB_FILENAME).is_file() and (folder_read_only(data_dir) or folder_read_only(data_dir / DB_FILENAME)):
            # A read-only folder or mount (a CD, a write-protected USB stick, a share): the
            # ledger can still be read; every save says why it cannot be made.
            from PySide6.QtWidgets import QMessageBox

            ws = open_workspace(data_dir, read_only=True)
            QMessageBox.information(parent, APP_NAME, f"数据文件夹 {data_dir} 是只读的：可以查看台账和导出到其他位置，"
                                    "但不能保存修改，也不会自动备份。")
            return ws
        # leftovers of killed jobs go first; a window just closed on this folder may still be
        # backing up: wait for it (the window stays painted, input waits) rather than refuse
        return open_workspace(data_dir, prepare=clean_leftovers, wait_if_closing=CLOSING_WAIT_S,
                              waiting=lambda: waiting_for_closing(parent))
    except AppError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(parent, APP_NAME, str(exc))
        return None


def waiting_for_closing(parent: QWidget | None) -> None:
    """While the folder waits for a window that is closing: the window stays painted, input waits."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QMainWindow

    if isinstance(parent, QMainWindow):
        parent.statusBar().showMessage("上一个程序窗口正在关闭（退出时备份），请稍候…")
    QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)


MARKS_ENV = "ZL_STARTUP_MARKS"  # set by tests/benchmarks: print when painted / interactive
NO_KEPT_VIEW_ENV = "ZL_NO_KEPT_VIEW"  # set by the benchmarks to time a start that works the 工作台 out


def mark(name: str) -> None:
    """``zl-mark NAME SECONDS`` on stderr (the monotonic clock the benchmark shares)."""
    if os.environ.get(MARKS_ENV):
        print(f"zl-mark {name} {time.perf_counter():.6f}", file=sys.stderr, flush=True)


class _AfterPaint(QObject):
    """Calls ``then`` once, as soon as the event loop is free after ``widget`` was first painted."""

    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.then)  # after this paint pass has reached the screen
        return False


def run_gui(data_dir: Path, *, quit_after_startup: bool = False, check: PendingCheck | None = None) -> int:
    """The GUI on ``data_dir``. ``check`` is the start-up check when a caller started it;
    else it starts with the first paint, beside the first page's building (SQLite reads the
    file without Python's lock, so on a second core it costs that building nothing)."""
    from models.store.peek import peek_unit

    app = make_app()
    install_excepthook(data_dir)
    unit = peek_unit(data_dir)
    if unit is None:  # new, unreadable or damaged folder: check, explain, set up, as ever
        return _run_checked_first(app, data_dir, quit_after_startup=quit_after_startup, check=check)
    checks: list[PendingCheck] = [check] if check is not None else []

    def started_check() -> PendingCheck:
        if not checks:
            from models.safety.integrity import PendingCheck

            # With the kept view, the schema is left to the opening (checked there before any
            # write): the check's Python steps would slow the building of the page meanwhile.
            checks.append(PendingCheck(data_dir, schema=kept is None))
        return checks[0]

    from ui.main_window import MainWindow

    window = MainWindow(unit=unit)
    kept = _kept_view(data_dir, unit)
    state: dict[str, Workspace | int] = {}

    def give_up() -> None:
        state["code"] = 1
        window.hide()
        app.quit()

    def open_folder(*, checked: bool) -> None:
        """The check (unless done), the opening and the first page; then, when the kept view
        was not shown, interactive once the page is painted."""
        try:
            if checked:
                ws = open_or_explain(data_dir, window)
            else:
                ws = _open_checked(data_dir, window, alongside=lambda: _load_opening_code(window), check=started_check())
            if ws is None:
                give_up()
                return
            state["ws"] = ws
            _start_logging(ws)
            window.attach(ws)
            mark("ready")  # the folder is open: every page, every save
            _after_start(app, window, ws, quit_after_startup=quit_after_startup, interactive=checked)
        except Exception:  # noqa: BLE001 - explained (and logged), never a window left waiting
            sys.excepthook(*sys.exc_info())
            give_up()

    def kept_painted() -> None:
        """The kept statuses are on screen: once the check has passed they are the ledger's
        (nothing can be written before the folder is opened just after)."""
        if "kept" in state:
            return
        state["kept"] = 1
        from ui.data_safety import startup_check

        try:
            intact = startup_check(data_dir, parent=window, check=started_check())
        except Exception:  # noqa: BLE001
            sys.excepthook(*sys.exc_info())
            intact = False
        if not intact:
            give_up()
            return
        mark("interactive")
        if quit_after_startup:
            app.quit()
            return
        started_up()
        set_window_icon(app)
        open_folder(checked=True)

    def painted() -> None:
        if "started" in state:
            return
        state["started"] = 1
        mark("first-paint")
        started_check()  # reads the file while the first page is built
        if kept is not None and _shown(window, kept, unit):
            _AfterPaint(window.pages[window.current_key()], kept_painted)
            QTimer.singleShot(5000, kept_painted)  # a window started minimised is not painted
        else:
            open_folder(checked=False)

    _AfterPaint(window.nav_title, painted)
    window.show_placed()  # the size and place it was left in, before the first paint
    QTimer.singleShot(1000, painted)  # a window started minimised is not painted: open anyway
    try:
        code = app.exec()
    finally:
        ws = state.get("ws")
        if ws is not None:
            from ui.data_safety import close_session

            close_session(window, ws, quit_after_startup=quit_after_startup)  # type: ignore[arg-type]
        elif checks:
            checks[0].join()  # quit before the folder was opened: let the check's reading end
        started_up()  # however the window ended
    return int(state.get("code", code))  # type: ignore[arg-type]


def _shown(window: MainWindow, kept: dict, unit: FolderUnit) -> bool:
    """The kept 工作台 painted; False (logged) when it cannot be: the page is worked out."""
    try:
        return window.show_kept_view(kept, revision=unit.revision)
    except Exception:  # noqa: BLE001 - a kept view is only a shortcut: never a start that hangs
        log.exception("kept start view not shown")
        return False


def _kept_view(data_dir: Path, unit: FolderUnit) -> dict | None:
    """The 工作台 kept from the last start for this ledger as it is now (models.store.start_view),
    or None: then the page is worked out from the ledger once it is open."""
    if os.environ.get(NO_KEPT_VIEW_ENV) or unit.kind == "district":  # the district starts on 汇总
        return None
    from models.store.start_view import load_view, view_key

    view = load_view(data_dir, token=unit.revision, key=view_key(data_dir))
    return view if view is not None and view.get("unit") == unit.name else None


def _open_checked(data_dir: Path, parent: QWidget | None, *, alongside: Callable[[], None] | None = None,
                  check: PendingCheck | None = None) -> Workspace | None:
    """The start-up check (with ``alongside`` run meanwhile), then the workspace (lock,
    migrations); None to quit."""
    from ui.data_safety import startup_check

    # A damaged database is never opened for writing: explain, offer the newest good backup.
    if not startup_check(data_dir, parent=parent, alongside=alongside, check=check):
        return None
    return open_or_explain(data_dir, parent)


def _load_opening_code(window: MainWindow) -> None:
    """What opening the folder and its first page will import, loaded while the start-up
    check reads the file: the workspace, the leftovers' clean-up, the first page's module."""
    import models.safety.leftovers  # noqa: F401
    import models.store.workspace  # noqa: F401

    window.load_first_page_code()


def _start_logging(ws: Workspace) -> None:
    from models.core.logsetup import setup_logging
    from models.store.years import missing_installed_years

    if not ws.read_only:  # a read-only folder takes no log file
        setup_logging(ws.data_dir)
        if missing_installed_years(ws.conn, ws.data_dir):  # a ledger moved or restored: its lists come back
            from models.exchange.tasklists import restore_installed_lists

            restore_installed_lists(ws)
    install_excepthook(ws.data_dir)


def _after_start(app: QApplication, window: MainWindow, ws: Workspace, *, quit_after_startup: bool,
                 interactive: bool = False) -> None:
    """Backups once a day; ``interactive`` (and the quit it asks for) once the first page is
    painted, unless it was already (the kept view)."""
    from ui.data_safety import DailyBackup

    if not ws.read_only:  # a read-only folder: no backups into it
        DailyBackup(window, window.runner, ws.data_dir, lambda: ws.reader)
    if interactive:
        return

    def became_interactive() -> None:
        mark("interactive")
        if quit_after_startup:
            app.quit()
        else:
            started_up()
            _after_interactive(app)

    done: list[bool] = []

    def once() -> None:
        if not done:
            done.append(True)
            became_interactive()

    # the first page with the unit's statuses has been painted, and the loop is idle (the page
    # itself: the stack holds it inside a scroll area)
    _AfterPaint(window.pages[window.current_key()], once)
    QTimer.singleShot(5000, once)  # a window started minimised is not painted: never wait for ever


def started_up() -> None:
    """The start is over: cycle collection on again (``main`` turns it off for the start), what
    the start made moved out of its way (modules, classes, Qt's enums live as long as the
    program)."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _after_interactive(app: QApplication) -> None:
    QTimer.singleShot(0, lambda: set_window_icon(app))


def _run_checked_first(app: QApplication, data_dir: Path, *, quit_after_startup: bool,
                       check: PendingCheck | None = None) -> int:
    """No profile to draw a window from: the check and the opening come first."""
    started_up()  # a set-up dialog, an explanation: nothing here is timed
    set_window_icon(app)
    # A damaged database is never opened for writing: explain, offer the newest good backup.
    ws = _open_checked(data_dir, None, check=check)
    if ws is None:
        return 1
    _start_logging(ws)
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
            if dialog.exec() != dialog.DialogCode.Accepted:
                return 0
        from ui.main_window import MainWindow

        window = MainWindow(ws)
        _AfterPaint(window.nav_title, lambda: mark("first-paint"))
        window.show()
        _after_start(app, window, ws, quit_after_startup=quit_after_startup)
        return app.exec()
    finally:
        if window is not None:
            from ui.data_safety import close_session

            close_session(window, ws, quit_after_startup=quit_after_startup)
        else:
            ws.close()
