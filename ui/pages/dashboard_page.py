"""工作台: every applicable task with its status and indicator bars, what is due, reminders.

Answers the unit head's weekly question — which targets are we behind on, and what is due
next — for a chosen month. Clicking a task opens its entries on the 台账 page.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout, QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout,
    QWidget,
)

from models.core import statuses as st
from models.progress.due import DueItem, due_items, ledger_reminder
from models.progress.indicators import TaskProgress, progress
from models.ledger.entries import working_month
from models.core.periods import default_as_of, month_title, months_of_year
from models.exchange.inbox import pending_returns
from ui.context import PageContext
from ui.pages.base import Page, WindowWidth, page_title
from ui.widgets.task_tile import DueRow, TaskTile

ATTENTION = set(st.PROBLEMS) | {st.NO_TARGET, st.NOT_STARTED}
SIDE_WIDTH = 290


class DashboardPage(Page):
    title = "工作台"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        self.tiles: list[TaskTile] = []
        self.due_rows: list[DueRow] = []
        self.results: list[TaskProgress] = []
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
        for status in st.STATUSES:
            label = QLabel()
            colour = st.color(status)
            label.setStyleSheet(f"QLabel {{ color:{colour}; background:#ffffff; border:1px solid #d9e2ec; border-radius:12px; padding:3px 12px; font-weight:bold; }}")
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
        self.reminder.setStyleSheet("QLabel { background:#fffaf0; color:#9c4221; border:1px solid #f6ad55; border-radius:6px; padding:8px 12px; font-weight:bold; }")
        self.reminder.hide()
        layout.addWidget(self.reminder)
        self.returns = QLabel()  # 区垃分办 sent a month back: stays until the correction is submitted
        self.returns.setWordWrap(True)
        self.returns.setObjectName("ReturnNotice")
        self.returns.setStyleSheet("QLabel { background:#fff5f5; color:#9b2c2c; border:1px solid #fc8181; border-radius:6px; padding:8px 12px; }")
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
        side.setStyleSheet("#DueSide { background:#eef2f7; border-radius:6px; }")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(10, 8, 10, 8)
        due_title = QLabel("近60天截止与逾期事项")
        due_title.setStyleSheet("font-weight:bold; font-size:11pt; color:#1f3a5f;")
        side_layout.addWidget(due_title)
        self.due_scroll = QScrollArea()
        self.due_scroll.setWidgetResizable(True)
        self.due_scroll.setStyleSheet("QScrollArea { background: transparent; border: none; } QScrollArea > QWidget > QWidget { background: transparent; }")
        side_layout.addWidget(self.due_scroll, 1)
        body.addWidget(side)
        layout.addLayout(body, 1)
        self._fill_months()
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())

    def _fill_months(self) -> None:
        year = self.ctx.ws.tasklist.year
        self.month.blockSignals(True)
        self.month.clear()
        for month in months_of_year(year):
            self.month.addItem(month_title(month), month)
        self.month.setCurrentIndex(self.month.findData(working_month(self.ctx.ws.reader, year=year)))
        self.month.blockSignals(False)
        self._year = year

    def current_month(self) -> str:
        return str(self.month.currentData())

    def set_month(self, month: str) -> None:
        self.month.setCurrentIndex(self.month.findData(month))

    def on_show(self, **kwargs: object) -> None:
        if self.ctx.ws.tasklist.year != self._year:
            self._fill_months()
        if isinstance(kwargs.get("month"), str):
            self.set_month(str(kwargs["month"]))
        self.refresh()

    def refresh(self) -> None:
        ws = self.ctx.ws
        month = self.current_month()
        as_of = default_as_of(month)
        self.results = progress(ws, month, as_of=as_of)
        self.heading.setText(f"工作台　{ws.unit.name}　{month_title(month)}")
        for status, label in self.counts.items():
            n = sum(1 for tp in self.results if tp.status == status)
            label.setText(f"{status} {n}")
            label.setVisible(n > 0)
        entries = sum(tp.entries_in_month for tp in self.results)
        evidence = sum(tp.evidence_in_month for tp in self.results)
        self.totals.setText(f"适用任务 {len(self.results)} 项　本月台账 {entries} 条　佐证材料 {evidence} 件　统计截至 {as_of:%Y-%m-%d}")
        reminder = ledger_reminder(ws, month, as_of=as_of)
        self.reminder.setText(f"⚠ {reminder}" if reminder else "")
        self.reminder.setVisible(bool(reminder))
        returns = pending_returns(ws)
        self.returns.setText("\n".join(f"↩ 区垃分办退回修改：{n.title}，原因：{n.reason}（{n.issued_at[:10]}）。"
                                        f"请修改台账后重新导出第{n.version + 1}版并报送。" for n in returns))
        self.returns.setVisible(bool(returns))
        self._build_tiles()
        self._build_due(due_items(ws, self.results, month=month, as_of=as_of), as_of)

    def _build_tiles(self) -> None:
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(6)
        self.tiles = []
        ordered = list(self.results)
        if self.order.currentData() == "severity":
            ordered.sort(key=lambda tp: (st.rank(tp.status), tp.task.seq))
        for tp in ordered:
            tile = TaskTile(tp, name_width=self._name_width())
            tile.activated.connect(self.open_task)
            tile.settings_requested.connect(lambda: self.ctx.navigate("settings"))
            column.addWidget(tile)
            self.tiles.append(tile)
        column.addStretch(1)
        self.scroll.setWidget(container)
        self._fit_bars()
        self._apply_filter()

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

    def _build_due(self, items: list[DueItem], as_of: dt.date) -> None:
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.due_rows = []
        for item in items:
            row = DueRow(item, as_of)
            row.activated.connect(self.open_task)
            column.addWidget(row)
            self.due_rows.append(row)
        if not items:
            empty = QLabel("近60天没有截止事项，也没有逾期事项。")
            empty.setObjectName("Hint")
            empty.setWordWrap(True)
            column.addWidget(empty)
        column.addStretch(1)
        self.due_scroll.setWidget(container)

    def _apply_filter(self) -> None:
        only = self.only_attention.isChecked()
        for tile in self.tiles:
            tile.setVisible(not only or tile.progress.status in ATTENTION)

    def open_task(self, seq: int) -> None:
        self.ctx.navigate("ledger", task=seq)
