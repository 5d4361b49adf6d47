"""工作台: every applicable task with its status and indicator bars, what is due, reminders.

Answers the unit head's weekly question — which targets are we behind on, and what is due
next — for a chosen month. Clicking a task opens its entries on the 台账 page.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QEnterEvent, QFocusEvent, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget,
)

from models.progress.indicators import SEVERITY, STATUS_COLORS, STATUSES, DueItem, TaskProgress, due_items, ledger_reminder, progress, short_title
from models.ledger.entries import working_month
from models.core.periods import default_as_of, month_title, months_of_year
from ui.context import PageContext
from ui.pages.base import Page, page_title
from ui.widgets.status import STATUS_KEYS, IndicatorBar, short_period_words, status_key, status_style_sheet

ATTENTION = {"滞后", "未达标", "逾期", "未开展"}
_URGENCY = {"overdue": "#c53030", "soon": "#dd6b20", "later": "#2b6cb0"}
_VCENTER_LEFT = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft


def _page_style() -> str:
    rules = [
        status_style_sheet(),
        "#DashNote { color:#9c4221; font-size:9pt; padding-left:36px; }",
        "#StatusCount { background:#ffffff; border:1px solid #d9e2ec; border-radius:12px; padding:3px 12px; font-weight:bold; }",
        "#DashReminder { background:#fffaf0; color:#9c4221; border:1px solid #f6ad55; border-radius:6px; padding:8px 12px; font-weight:bold; }",
        "#DueSide { background:#eef2f7; border-radius:6px; }",
        "#DueTitle { font-weight:bold; font-size:11pt; color:#1f3a5f; }",
        "#DueScroll { background: transparent; border: none; } #DueScroll > QWidget > QWidget { background: transparent; }",
        "#DueRow { background:#ffffff; border:1px solid #e4e7eb; border-left:4px solid #2b6cb0; border-radius:4px; }",
        "#DueWhen { font-weight:bold; font-size:9.5pt; }",
        "#DueText { font-size:9.5pt; }",
    ]
    for status, key in STATUS_KEYS.items():
        colour = STATUS_COLORS[status]
        rules.append(f'#StatusCount[status="{key}"] {{ color:{colour}; }}')
    for urgency, colour in _URGENCY.items():
        rules.append(f'#DueRow[urgency="{urgency}"] {{ border-left:4px solid {colour}; }}')
        rules.append(f'#DueRow[urgency="{urgency}"] #DueWhen {{ color:{colour}; }}')
    return "\n".join(rules)


_STYLE = _page_style()


class TileChip:
    """The status chip a tile paints (the text and colour it shows, and where)."""

    def __init__(self, status: str):
        self.status = status
        self.colour = STATUS_COLORS.get(status, "#718096")

    def text(self) -> str:
        return self.status


class TaskTile(QWidget):
    """One task: number, short title, this month's entries, status chip, indicator lines.

    The head (number, title, figures, chip) and the card itself are painted, and only the
    indicator lines are child widgets: the 工作台 builds a card per applicable task as the
    program starts, and each widget Qt styles costs start-up time.
    """

    activated = Signal(int)
    SEQ_WIDTH, GAP, LEFT_BORDER, RADIUS = 28, 8, 5, 6

    def __init__(self, tp: TaskProgress, parent: QWidget | None = None):
        super().__init__(parent)
        self.progress = tp
        task = tp.task
        self.setObjectName("DashTask")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setProperty("status", status_key(tp.status))
        self.chip = TileChip(tp.status)
        self.title_text = short_title(task, 40)
        self.meta_text = self._meta_text(tp)
        base = self.font()
        self._seq_font, self._title_font, self._meta_font, self._chip_font = (QFont(base) for _ in range(4))
        self._seq_font.setBold(True)
        self._seq_font.setPointSizeF(12)
        self._title_font.setBold(True)
        self._meta_font.setPointSizeF(9.5)
        self._chip_font.setBold(True)
        self._chip_font.setPointSizeF(9.5)
        self.head_height = max(QFontMetrics(self._seq_font).height(), QFontMetrics(self._chip_font).height() + 4) + 4
        column = QVBoxLayout(self)
        column.setContentsMargins(10 + self.LEFT_BORDER, 6 + self.head_height + 2, 12, 6)
        column.setSpacing(2)
        self.bars: list[IndicatorBar] = []
        for result in tp.indicators:
            bar = IndicatorBar(result, period=short_period_words(result),
                               status=result.status + ("·补做" if result.late else ""))
            bar.setContentsMargins(36, 0, 0, 0)
            column.addWidget(bar)
            self.bars.append(bar)
            if "设置" in result.note:  # actionable: a unit setting the figure needs is missing
                note = QLabel(f"ⓘ {result.note}")
                note.setObjectName("DashNote")
                column.addWidget(note)
        self.setToolTip(f"任务{task.seq}（{task.deadline_text}）：{task.target_text}\n单击查看本任务的台账")

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.minimumSizeHint().width()), max(hint.height(), self.head_height + 12))

    def minimumSizeHint(self) -> QSize:
        inner = self.layout().minimumSize() if self.layout() is not None else QSize(0, 0)
        head = 10 + self.LEFT_BORDER + self.SEQ_WIDTH + self.GAP + 120 + self.GAP + self._meta_width() + self.GAP \
            + self.chip_rect().width() + 12
        return QSize(max(inner.width(), head), max(inner.height(), self.head_height + 12))

    def _meta_width(self) -> int:
        return QFontMetrics(self._meta_font).horizontalAdvance(self.meta_text)

    def chip_rect(self) -> QRect:
        metrics = QFontMetrics(self._chip_font)
        width = max(58, metrics.horizontalAdvance(self.chip.text()) + 20)
        height = metrics.height() + 4
        return QRect(self.width() - 12 - width, 6 + (self.head_height - height) // 2, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(self.chip.colour)
        hovered, focused = self.underMouse(), self.hasFocus()
        card = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(QColor("#3182ce" if focused else "#90cdf4" if hovered else "#d9e2ec"), 2 if focused else 1))
        painter.setBrush(QColor("#fbfdff" if hovered else "#ffffff"))
        painter.drawRoundedRect(card, self.RADIUS, self.RADIUS)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)  # the status stripe down the left edge
        painter.drawRoundedRect(QRectF(0, 0, self.LEFT_BORDER + self.RADIUS, self.height()), self.RADIUS, self.RADIUS)
        painter.setBrush(QColor("#fbfdff" if hovered else "#ffffff"))
        painter.drawRect(QRectF(self.LEFT_BORDER, 1 if not focused else 2, self.RADIUS, self.height() - (2 if not focused else 4)))
        top, height = 6, self.head_height
        x = 10 + self.LEFT_BORDER
        painter.setFont(self._seq_font)
        painter.setPen(QColor("#2c5282"))
        painter.drawText(QRect(x, top, self.SEQ_WIDTH, height), Qt.AlignmentFlag.AlignCenter, str(self.progress.task.seq))
        x += self.SEQ_WIDTH + self.GAP
        chip = self.chip_rect()
        meta_width = self._meta_width()
        meta_left = chip.left() - self.GAP - meta_width
        painter.setFont(self._title_font)
        painter.setPen(QColor("#1f2933"))
        title_width = max(0, meta_left - self.GAP - x)
        title = QFontMetrics(self._title_font).elidedText(self.title_text, Qt.TextElideMode.ElideRight, title_width)
        painter.drawText(QRect(x, top, title_width, height), _VCENTER_LEFT, title)
        painter.setFont(self._meta_font)
        painter.setPen(QColor("#616e7c"))
        painter.drawText(QRect(meta_left, top, meta_width, height), _VCENTER_LEFT, self.meta_text)
        painter.setBrush(colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(QRectF(chip), chip.height() / 2, chip.height() / 2)
        painter.setFont(self._chip_font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, self.chip.text())
        painter.end()

    def enterEvent(self, event: QEnterEvent) -> None:
        self.update()  # the hover colours
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.update()
        super().leaveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    @staticmethod
    def _meta_text(tp: TaskProgress) -> str:
        deadline = tp.task.deadline_text if len(tp.task.deadline_text) <= 8 else tp.task.deadline_text[:8]
        text = f"期限 {deadline}　本月台账 {tp.entries_in_month} 条"
        if tp.evidence_in_month:
            text += f"・佐证 {tp.evidence_in_month} 件"
        if not tp.indicators:
            text += f"　全年 {tp.entries_in_year} 条"
        return text

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(self.progress.task.seq)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.progress.task.seq)
            return
        super().keyPressEvent(event)


class DueRow(QFrame):
    activated = Signal(int)

    def __init__(self, item: DueItem, as_of: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        urgency = "overdue" if item.overdue else ("soon" if (item.due - as_of).days <= 14 else "later")
        self.setObjectName("DueRow")
        self.setProperty("urgency", urgency)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(0)
        days = (item.due - as_of).days
        when = f"已逾期 {-days} 天" if days < 0 else ("今天截止" if days == 0 else f"还有 {days} 天")
        if item.overdue and days >= 0:
            when = "已到期"
        top = QLabel(f"{item.due.month}月{item.due.day}日　{when}")
        top.setObjectName("DueWhen")
        column.addWidget(top)
        text = QLabel(item.title)
        text.setWordWrap(True)
        text.setObjectName("DueText")
        column.addWidget(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(self.item.task_seq)
        super().mouseReleaseEvent(event)


class DashboardPage(Page):
    title = "工作台"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        self.setStyleSheet(_STYLE)  # once for the page; tiles and chips only carry properties
        self.tiles: list[TaskTile] = []
        self.due_rows: list[DueRow] = []
        self.results: list[TaskProgress] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.heading = page_title("工作台")
        header.addWidget(self.heading, 1)
        self.order = QComboBox()
        self.order.addItem("问题优先", "severity")
        self.order.addItem("按任务序号", "seq")
        self.order.setToolTip("任务排列顺序：问题优先把逾期、未达标、滞后的任务排在前面")
        self.order.currentIndexChanged.connect(lambda _i: self._build_tiles())
        header.addWidget(self.order)
        header.addSpacing(8)
        self.only_attention = QCheckBox("只看需关注的任务")
        self.only_attention.toggled.connect(self._apply_filter)
        header.addWidget(self.only_attention)
        header.addSpacing(12)
        header.addWidget(QLabel("报表月份："))
        self.month = QComboBox()
        self.month.setMinimumWidth(120)
        header.addWidget(self.month)
        layout.addLayout(header)

        self.summary = QHBoxLayout()
        self.summary.setSpacing(6)
        self.counts: dict[str, QLabel] = {}
        for status in STATUSES:
            label = QLabel()
            label.setObjectName("StatusCount")
            label.setProperty("status", status_key(status))
            self.counts[status] = label
            self.summary.addWidget(label)
        self.totals = QLabel()
        self.totals.setObjectName("Hint")
        self.summary.addSpacing(10)
        self.summary.addWidget(self.totals, 1)
        layout.addLayout(self.summary)

        self.reminder = QLabel()
        self.reminder.setWordWrap(True)
        self.reminder.setObjectName("DashReminder")
        self.reminder.hide()
        layout.addWidget(self.reminder)

        body = QHBoxLayout()
        body.setSpacing(12)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        body.addWidget(self.scroll, 1)
        side = QFrame()
        side.setObjectName("DueSide")
        side.setFixedWidth(290)
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
            ordered.sort(key=lambda tp: (SEVERITY.index(tp.status), tp.task.seq))
        for tp in ordered:
            tile = TaskTile(tp)
            tile.activated.connect(self.open_task)
            column.addWidget(tile)
            self.tiles.append(tile)
        column.addStretch(1)
        self.scroll.setWidget(container)
        self._apply_filter()

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
