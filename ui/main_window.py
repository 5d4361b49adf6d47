"""The main window only assembles pages: a navigation list and a stack."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models import APP_NAME, __version__

if TYPE_CHECKING:  # the workspace (and the database library) arrive after the first paint
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent

    from models.catalog.schema import Unit
    from models.store.peek import FolderUnit
    from models.store.workspace import Workspace
    from ui.context import PageContext
    from ui.pages.base import Page
    from ui.worker import TaskRunner

# key, navigation label, "module:Class" (or None while the page is still to be built)
PAGES: list[tuple[str, str, str | None]] = [
    ("dashboard", "工作台", "ui.pages.dashboard_page:DashboardPage"),
    ("tasks", "任务清单", "ui.pages.tasks_page:TasksPage"),
    ("ledger", "台账录入", "ui.pages.ledger_page:LedgerPage"),
    ("communities", "小区管理", "ui.pages.communities_page:CommunitiesPage"),
    ("reports", "报表", "ui.pages.reports_page:ReportsPage"),
    ("district", "汇总", "ui.pages.district_page:DistrictPage"),
    ("settings", "设置", "ui.pages.settings_page:SettingsPage"),
]


def _load(spec: str) -> Callable[[PageContext], Page]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


class _LazyPages(dict):
    """``pages[key]`` builds the page the first time it is asked for."""

    def __init__(self, build: Callable[[str], Page]):
        super().__init__()
        self._build = build

    def __missing__(self, key: str) -> Page:
        page = self[key] = self._build(key)
        return page


class MainWindow(QMainWindow):
    """``MainWindow(ws)`` is ready at once. ``MainWindow(unit=...)`` is the frame alone
    (title, navigation, an empty page), to paint while the folder is checked and opened;
    ``attach(ws)`` then opens the first page and enables the navigation.

    The frame is on the path to the first paint: it touches no ``Qt`` namespace (its enums
    cost ~25 ms to build), and the task runner, the shortcuts and the pages' modules come
    with ``attach``."""

    def __init__(self, ws: Workspace | None = None, runner: TaskRunner | None = None, *,
                 unit: Unit | FolderUnit | None = None):
        super().__init__()
        unit = unit if ws is None else ws.unit
        assert unit is not None, "MainWindow needs a workspace or, to start, its unit"
        self.ws: Workspace | None = None
        self.ctx: PageContext | None = None
        self.runner: TaskRunner = runner  # type: ignore[assignment]  # made by attach when not given
        self.placed = False  # sized and placed for its screen (ui.window_geometry)
        self.setWindowTitle(f"{APP_NAME} — {unit.name}")

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QFrame()  # a frame draws its style-sheet background without WA_StyledBackground
        side.setObjectName("NavSide")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        # Painted with the navigation in the frame's first paint: the start watches it (a widget
        # made here, not one a Qt call hands back, whose Python type PySide would look up
        # among every widget class: ~60 enums, 15 ms).
        self.nav_title = QLabel("垃圾分类工作台账")
        self.nav_title.setObjectName("NavTitle")
        side_layout.addWidget(self.nav_title)
        self.unit_label = QLabel(unit.name)
        self.unit_label.setObjectName("NavUnit")
        side_layout.addWidget(self.unit_label)
        # The working year, always in view (filled in by attach): choosing another switches it.
        self.year_slot = QVBoxLayout()
        self.year_slot.setContentsMargins(0, 0, 0, 0)
        self.year_slot.setSpacing(0)
        side_layout.addLayout(self.year_slot)
        self.year_selector = None
        self.year_notice: QLabel | None = None
        self.install_button: QPushButton | None = None
        self._year_frame: QComboBox | None = None
        if ws is None and getattr(unit, "year", None) is not None:
            self._add_year_frame(unit.year, unit.years)  # type: ignore[union-attr]
        self.nav = QListWidget()
        self.nav.setObjectName("NavList")
        self.nav.setFixedWidth(190)
        side_layout.addWidget(self.nav, 1)
        version = QLabel(f"版本 {__version__}")
        version.setObjectName("NavUnit")
        side_layout.addWidget(version)
        row.addWidget(side)
        self.stack = QStackedWidget()
        self.stack.setContentsMargins(16, 12, 16, 12)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(18, 12, 18, 12)
        holder_layout.addWidget(self.stack)
        row.addWidget(holder, 1)
        self.setCentralWidget(central)

        self.keys: list[str] = []
        self.specs: dict[str, tuple[str, str | None]] = {}
        # Pages are built on first use so start-up only pays for the first page.
        self.pages: dict[str, Page] = _LazyPages(self._build_page)
        for n, (key, label, spec) in enumerate(PAGES, start=1):
            self.keys.append(key)
            self.specs[key] = (label, spec)
            self.stack.addWidget(QWidget())
            item = QListWidgetItem(f"{label}")
            item.setToolTip(f"{label}（Ctrl+{n}）")
            self.nav.addItem(item)
        # The district office's work is consolidation: it starts on 汇总, a unit on 工作台.
        self.first_row = self.keys.index("district") if unit.kind == "district" else 0
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(self.first_row)
        self.nav.blockSignals(False)
        self.stack.setCurrentIndex(self.first_row)
        self.nav.currentRowChanged.connect(self._on_row)
        if ws is not None:
            self.attach(ws)
        else:
            self.nav.setEnabled(False)
            self.statusBar().showMessage("正在检查并打开数据……")

    def attach(self, ws: Workspace) -> None:
        """Open the first page on ``ws``; until now no page existed and nothing could write."""
        from PySide6.QtGui import QKeySequence, QShortcut

        from ui.context import PageContext
        from ui.worker import TaskRunner

        if self.runner is None:
            self.runner = TaskRunner(self)
        self.runner.data_changed.connect(self.data_changed)  # one signal after every background write
        for n, key in enumerate(self.keys, start=1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{n}"), self)
            shortcut.activated.connect(lambda k=key: self.navigate(k))
        self.ws = ws
        self.ctx = PageContext(ws=ws, runner=self.runner, navigate=self.navigate, data_changed=self.data_changed)
        for page in self.pages.values():  # the 工作台 painted from the kept view before the folder was open
            page.bind(self.ctx)
        self._add_year_widgets(ws)
        self.statusBar().showMessage(f"数据文件夹：{ws.data_dir}")
        self._on_row(self.first_row)
        self.nav.setEnabled(True)
        if not self.placed:  # a window opened straight on a workspace; the start placed its frame itself
            from ui.window_geometry import restore_window

            restore_window(self)
            self.placed = True
        self.setAcceptDrops(True)  # a 退回通知 or a task list package dropped anywhere on the window

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        from ui.notice_import import is_notice_file  # notices pull in signing and reports: not at start

        if self.ws is not None and (any(is_notice_file(Path(u.toLocalFile())) for u in event.mimeData().urls())
                                    or self._package_paths(event)):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        from ui.notice_import import is_notice_file

        notices = [Path(u.toLocalFile()) for u in event.mimeData().urls() if is_notice_file(Path(u.toLocalFile()))]
        packages = self._package_paths(event)
        if not notices and not packages:
            event.ignore()
            return
        event.acceptProposedAction()
        if notices:
            self.import_notices(notices)
        for path in packages:
            self.install_tasklist(path)

    def import_notices(self, paths: list[Path]) -> None:
        from ui.notice_import import import_notice_file

        for path in paths:
            import_notice_file(self, self.ctx, path)
        page = self.pages[self.current_key()]
        page.on_show()

    def show_placed(self) -> None:
        """Show the window at the size and place it was last left on this screen (maximised
        when so), before its first paint; ``attach`` then leaves it where it is."""
        from ui.window_geometry import show_placed

        self.placed = True
        show_placed(self)

    def load_first_page_code(self) -> None:
        """Import (without building) what ``attach`` will need for the first page."""
        import ui.context  # noqa: F401
        import ui.worker  # noqa: F401
        import ui.year_selector  # noqa: F401

        spec = self.specs[self.keys[self.first_row]][1]
        if spec:
            _load(spec)

    def show_kept_view(self, view: dict[str, Any], *, revision: str | None) -> bool:
        """The first page (工作台) from the view kept at the last start, before the folder is
        opened; False (and nothing shown) when the window does not start on it or the kept
        view cannot be read (the page is then worked out from the ledger)."""
        if self.keys[self.first_row] != "dashboard" or self.ctx is not None:
            return False
        from ui.pages.dashboard_page import DashboardPage

        try:
            page = DashboardPage(None, view=view, revision=revision)
        except (KeyError, TypeError, ValueError, AttributeError):  # kept by another version, or damaged
            return False
        self.pages["dashboard"] = self._place(page, "dashboard")
        return True

    def _build_page(self, key: str) -> Page:
        from ui.pages.base import PendingPage

        label, spec = self.specs[key]
        page = _load(spec)(self.ctx) if spec else PendingPage(label, "此页面将在后续版本中提供。")
        return self._place(page, key)

    def _place(self, page: Page, key: str) -> Page:
        index = self.keys.index(key)
        placeholder = self.stack.widget(index)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, self._scrolling(page))
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.stack.setCurrentIndex(current)
        return page

    @staticmethod
    def _scrolling(page: Page) -> QScrollArea:
        """A page never makes the window wider or taller than the screen: below its minimum
        size (1366×768 at 150 % scaling) it scrolls instead of pushing the window off-screen."""
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(page)
        return area

    def _on_row(self, row: int) -> None:
        if row < 0 or self.ctx is None:
            return
        if not self._may_leave_page(row):
            return
        page = self.pages[self.keys[row]]
        self.stack.setCurrentIndex(row)
        page.on_show()

    def navigate(self, key: str, **kwargs: object) -> None:
        if self.ctx is None:  # a shortcut pressed while the folder is still being opened
            return
        row = self.keys.index(key)
        if not self._may_leave_page(row):
            return
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)
        page = self.pages[key]
        self.stack.setCurrentIndex(row)
        page.on_show(**kwargs)

    def current_key(self) -> str:
        return self.keys[self.stack.currentIndex()]

    def data_changed(self) -> None:
        assert self.ws is not None
        for page in self.pages.values():
            page.on_data_changed()
        self.unit_label.setText(self.ws.unit.name)
        self.setWindowTitle(f"{APP_NAME} — {self.ws.unit.name}")
        if "tasks" in self.pages:
            self.pages["tasks"].on_show(rebuild=True)

    def _add_year_frame(self, year: int, years: tuple[int, ...]) -> None:
        """The year block as the folder's profile and task lists say, drawn with the frame
        before the folder is open (disabled, like everything else then): ``attach`` puts the
        working selector in its place, so the navigation below never moves."""
        from models.catalog.locations import missing_list_notice

        frame = QComboBox()
        frame.setObjectName("YearSelector")
        for listed in years:
            frame.addItem(f"{listed}年任务清单", listed)
        frame.setCurrentIndex(max(frame.findData(year), 0))
        frame.setEnabled(False)
        self.year_slot.addWidget(frame)
        self._year_frame = frame
        self._add_year_notice(missing_list_notice(years))
        self.install_button.setEnabled(False)

    def _add_year_notice(self, notice: str | None) -> None:
        self.year_notice = QLabel(notice or "")
        self.year_notice.setObjectName("NavNotice")
        self.year_notice.setWordWrap(True)
        self.year_notice.setVisible(bool(notice))
        self.year_slot.addWidget(self.year_notice)
        self.install_button = QPushButton("导入任务清单…")
        self.install_button.setObjectName("NavButton")
        self.install_button.clicked.connect(lambda: self.install_tasklist())
        self.install_button.setVisible(bool(notice))
        self.year_slot.addWidget(self.install_button)

    def _add_year_widgets(self, ws: Workspace) -> None:
        from ui.year_selector import YearSelector

        self.year_selector = YearSelector(ws, may_switch=lambda: all(p.may_leave() for p in list(self.pages.values())))
        self.year_selector.switched.connect(lambda _year: self.reload_pages())
        if self._year_frame is not None:  # drawn with the frame: the selector takes its place
            self.year_slot.replaceWidget(self._year_frame, self.year_selector)
            self.year_selector.show()  # at once, not at the next turn of the event loop (a flicker)
            self._year_frame.hide()
            self._year_frame.deleteLater()
            self._year_frame = None
        else:
            self.year_slot.insertWidget(0, self.year_selector)
        if self.year_notice is None:
            self._add_year_notice(None)
        self.install_button.setEnabled(True)
        self._update_year_notice()

    def _update_year_notice(self) -> None:
        from models.catalog.locations import missing_list_notice

        notice = missing_list_notice(self.ws.years())
        self.year_notice.setText(notice or "")
        self.year_notice.setVisible(bool(notice))
        self.install_button.setVisible(bool(notice))

    def install_tasklist(self, path: str | None = None) -> None:
        from ui.tasklist_year import install_from_file

        if install_from_file(self, self.ws, path) is not None:
            self.year_selector.reload()
            self._update_year_notice()

    def reload_pages(self) -> None:
        """After a year switch every page shows the new year: rebuild them on next use."""
        key = self.current_key()
        for built in list(self.pages):
            index = self.keys.index(built)
            page = self.stack.widget(index)
            self.stack.insertWidget(index, QWidget())
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        self._update_year_notice()
        self.navigate(key)

    def _package_paths(self, event: QDragEnterEvent | QDropEvent) -> list[str]:
        from models.catalog.packages import is_package

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [u.toLocalFile() for u in urls if u.isLocalFile() and is_package(u.toLocalFile())]

    def _may_leave_page(self, row: int) -> bool:
        """Unsaved edits on the page being left: 保存 / 不保存 / 取消 (取消 stays, nav row too)."""
        current = self.stack.currentIndex()
        key = self.keys[current] if 0 <= current < len(self.keys) else None
        if row == current or key is None or key not in self.pages or self.pages[key].may_leave():
            return True
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(current)
        self.nav.blockSignals(False)
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        # Every built page is asked, not only the visible one: an edit is never lost silently.
        if not all(page.may_leave() for page in list(self.pages.values())):
            event.ignore()
            return
        if self.ws is not None:  # a frame closed before the folder was opened has nothing to keep
            from ui.window_geometry import save_window

            save_window(self)
            self.runner.wait()
        super().closeEvent(event)
