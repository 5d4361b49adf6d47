"""工作台: every applicable task with its status and indicator bars, what is due, reminders.

Answers the unit head's weekly question — which targets are we behind on, and what is due
next — for a chosen month. Clicking a task opens its entries on the 台账 page.

The page paints a view (``ui.dashboard_view``): worked out from the engine, or, at start-up,
the one kept from the last time while the ledger has not changed since (then the page is
built before the ledger is opened, without the engine's code, and ``bind`` gives it the
workspace once the start-up check has passed and the folder is open).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout, QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout,
    QWidget,
)

from models.core import statuses as st
from ui.pages.base import Page, WindowWidth, page_title
from ui.widgets import task_tile
from ui.widgets.task_tile import DueRow, TaskTile

if TYPE_CHECKING:
    from ui.context import PageContext

ATTENTION = set(st.PROBLEMS) | {st.NO_TARGET, st.NOT_STARTED}
SIDE_WIDTH = 290


class DashboardPage(Page):
    title = "工作台"

    def __init__(self, ctx: PageContext | None, *, view: dict[str, Any] | None = None, revision: str | None = None):
        super().__init__()
        self.ctx = ctx
        self.tiles: list[TaskTile] = []
        self.due_rows: list[DueRow] = []
        self.view: dict[str, Any] = {}
        self.kept = False  # showing the view kept from the last start, not yet worked out again
        self.kept_revision = revision  # the ledger's revision token that view was kept under
        self._cursors_pending = False  # cards built on an open folder: cursor and focus at the next paint
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Title and controls side by side; on a narrow window the controls go below the title
        # (their row alone is ~780 px, more than a page has at 1366×768 and 150 %).
        header = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.header = header
        self.heading = page_title("工作台")
        header.addWidget(self.heading, 1)
        controls = QHBoxLayout()
        self.order = QComboBox()
        self.order.addItem("问题优先", "severity")
        self.order.addItem("按任务序号", "seq")
        self.order.setToolTip("任务排列顺序：问题优先把逾期、未达标、滞后的任务排在前面")
        self.order.currentIndexChanged.connect(lambda _i: self._build_tiles())
        controls.addWidget(self.order)
        controls.addSpacing(8)
        self.only_attention = QCheckBox("只看需关注的任务")
        self.only_attention.toggled.connect(self._apply_filter)
        controls.addWidget(self.only_attention)
        controls.addSpacing(12)
        controls.addWidget(QLabel("报表月份："))
        self.month = QComboBox()
        self.month.setMinimumWidth(120)
        controls.addWidget(self.month)
        controls.addStretch(0)
        header.addLayout(controls)
        layout.addLayout(header)

        self.summary = QHBoxLayout()
        self.summary.setSpacing(6)
        self.counts: dict[str, QLabel] = {}
        for n, status in enumerate(st.STATUSES):
            label = QLabel()
            label.setObjectName("CountChip")
            label.setProperty("tone", n)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # a chip, when the totals wrap
            self.counts[status] = label
            self.summary.addWidget(label)
        self.totals = QLabel()
        self.totals.setObjectName("Hint")
        self.totals.setWordWrap(True)  # wraps on a narrow window instead of widening the page
        self.summary.addSpacing(10)
        self.summary.addWidget(self.totals, 1)
        layout.addLayout(self.summary)

        self.reminder = QLabel()
        self.reminder.setWordWrap(True)
        self.reminder.setObjectName("Reminder")
        self.reminder.hide()
        layout.addWidget(self.reminder)
        self.returns = QLabel()  # 区垃分办 sent a month back: stays until the correction is submitted
        self.returns.setWordWrap(True)
        self.returns.setObjectName("ReturnNotice")
        self.returns.hide()
        layout.addWidget(self.returns)

        body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.setSpacing(12)
        self.body = body
        self._narrow = False
        self.width_watch = WindowWidth(self, self._reflow)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        body.addWidget(self.scroll, 1)
        side = QFrame()
        self.side = side
        side.setObjectName("DueSide")
        side.setFixedWidth(SIDE_WIDTH)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(10, 8, 10, 8)
        due_title = QLabel("近60天截止与逾期事项")
        due_title.setObjectName("DueTitle")
        side_layout.addWidget(due_title)
        self.due_scroll = QScrollArea()
        self.due_scroll.setWidgetResizable(True)
        self.due_scroll.setObjectName("DueScroll")
        side_layout.addWidget(self.due_scroll, 1)
        body.addWidget(side)
        layout.addLayout(body, 1)
        if view is not None:
            self._fill_months(view["year"], view["months"], view["month"])
            self.show_view(view)
            self.kept = True
            self.set_controls_enabled(False)  # until bind: nothing is open yet
        else:
            self._fill_start_months()
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())

    def bind(self, ctx: PageContext) -> None:
        """The folder is open (a page built from the kept view before it was)."""
        self.ctx = ctx
        self.set_controls_enabled(True)
        for card in [*self.tiles, *self.due_rows]:
            card.enable_input()

    def set_controls_enabled(self, enabled: bool) -> None:
        for control in (self.order, self.only_attention, self.month):
            control.setEnabled(enabled)

    def _fill_start_months(self) -> None:
        from models.core.periods import month_title, months_of_year
        from ui.dashboard_view import start_month

        year = self.ctx.ws.tasklist.year
        self._fill_months(year, [[month_title(m), m] for m in months_of_year(year)], start_month(self.ctx.ws))

    def _fill_months(self, year: int, months: list[list[str]], current: str) -> None:
        self.month.blockSignals(True)
        self.month.clear()
        for title, month in months:
            self.month.addItem(title, month)
        self.month.setCurrentIndex(self.month.findData(current))
        self.month.blockSignals(False)
        self._year = year

    def current_month(self) -> str:
        return str(self.month.currentData())

    def set_month(self, month: str) -> None:
        self.month.setCurrentIndex(self.month.findData(month))

    def on_show(self, **kwargs: object) -> None:
        if self.ctx.ws.tasklist.year != self._year:
            self._fill_start_months()
        if isinstance(kwargs.get("month"), str):
            self.set_month(str(kwargs["month"]))
        if self.kept and not kwargs and self._still_kept_ledger():
            # The start-up painted the view kept for exactly this ledger, day, task list and
            # program (models.store.start_view): working it out again would change nothing.
            self.kept = False
            return
        self.refresh()

    def _still_kept_ledger(self) -> bool:
        """The opened ledger is the one the kept view was painted for (not, say, restored from
        a backup by the start-up check meanwhile, nor written by another program since)."""
        from models.store.start_view import revision_token

        return self.kept_revision is not None and revision_token(self.ctx.ws.conn) == self.kept_revision

    def refresh(self) -> None:
        from ui.dashboard_view import dashboard_view, view_to_keep

        ws = self.ctx.ws
        month = self.current_month()
        self.kept = False
        self.show_view(view_to_keep(ws, month) if ws.view_year is None else dashboard_view(ws, month))

    def show_view(self, view: dict[str, Any]) -> None:
        self.view = view
        self.heading.setText(view["heading"])
        for status, label in self.counts.items():
            n = int(view["counts"].get(status, 0))
            label.setText(f"{status} {n}")
            label.setVisible(n > 0)
        self.totals.setText(view["totals"])
        self.reminder.setText(view["reminder"])
        self.reminder.setVisible(bool(view["reminder"]))
        self.returns.setText(view["returns"])
        self.returns.setVisible(bool(view["returns"]))
        self._build_tiles()
        self._build_due(view["due"])

    def _build_tiles(self) -> None:
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(6)
        self.tiles = []
        ordered = list(self.view.get("tiles", ()))
        if self.order.currentData() == "severity":
            ordered.sort(key=lambda tile: (st.rank(tile["status"]), tile["seq"]))
        for tile_view in ordered:
            tile = TaskTile(tile_view, name_width=self._name_width())
            tile.activated.connect(self.open_task)
            tile.settings_requested.connect(lambda: self.open_page("settings"))
            if self.ctx is not None:
                tile.take_clicks()
            column.addWidget(tile)
            self.tiles.append(tile)
        column.addStretch(1)
        self.scroll.setWidget(container)
        self._fit_bars()
        self._apply_filter()
        self._cards_built()

    def _cards_built(self) -> None:
        """Cards built on an open folder take clicks at once; their hand cursor and Tab focus
        need PySide's Qt namespace (about 30 ms the first time in a process): after the page is
        painted, not before (or a moment later, if the page itself is not repainted)."""
        if self.ctx is None:
            return
        if task_tile.input_ready():
            self._enable_cards()
            return
        self._cursors_pending = True
        QTimer.singleShot(300, self._enable_cards)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if self._cursors_pending:
            QTimer.singleShot(0, self._enable_cards)  # after this paint pass is on screen

    def _enable_cards(self) -> None:
        if not self._cursors_pending and not task_tile.input_ready():
            return
        self._cursors_pending = False
        for card in [*self.tiles, *self.due_rows]:
            card.enable_input()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.width_watch.check()

    def _reflow(self, narrow: bool) -> None:
        # A narrow window (1366×768 at 125/150 %): the due list goes below the tasks, names get shorter.
        self._narrow = narrow
        self.header.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        if narrow:
            self.side.setMinimumWidth(0)
            self.side.setMaximumWidth(16777215)
            self.side.setMaximumHeight(170)
        else:
            self.side.setMaximumHeight(16777215)
            self.side.setFixedWidth(SIDE_WIDTH)
        self._fit_bars()

    def _name_width(self) -> int:
        return 170 if self._narrow else 290

    def _fit_bars(self) -> None:
        for tile in self.tiles:
            tile.set_name_width(self._name_width())

    def _build_due(self, items: list[dict[str, Any]]) -> None:
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.due_rows = []
        for item in items:
            row = DueRow(item)
            row.activated.connect(self.open_task)
            if self.ctx is not None:
                row.take_clicks()
            column.addWidget(row)
            self.due_rows.append(row)
        if not items:
            empty = QLabel("近60天没有截止事项，也没有逾期事项。")
            empty.setObjectName("Hint")
            empty.setWordWrap(True)
            column.addWidget(empty)
        column.addStretch(1)
        self.due_scroll.setWidget(container)
        self._cards_built()

    def _apply_filter(self) -> None:
        only = self.only_attention.isChecked()
        for tile in self.tiles:
            tile.setVisible(not only or tile.status in ATTENTION)

    def open_task(self, seq: int) -> None:
        self.open_page("ledger", task=seq)

    def open_page(self, key: str, **kwargs: object) -> None:
        if self.ctx is not None:  # a click in the moment before the folder is open does nothing
            self.ctx.navigate(key, **kwargs)
