"""Status chips and indicator progress bars, coloured by the status word.

达标 green, 进行中 blue, 滞后 orange, 未达标/逾期 red, 未开展 grey — the same everywhere.

Colours come from one style sheet (``status_style_sheet``) set once on the page that shows
them, matched through each widget's ``status`` property: a style sheet per widget made Qt
build a style for every chip, bar and label, which was most of the 工作台's start-up cost.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from models.progress.indicators import STATUS_COLORS, IndicatorResult, format_number
from models.core.periods import Period, period_title

# Light backgrounds for chips that sit on white cards.
STATUS_TINTS = {"达标": "#e6f4ea", "进行中": "#e3eefa", "滞后": "#fdf0e2", "未达标": "#fbe7e7", "逾期": "#fbe7e7", "未开展": "#edf0f3"}
# Style-sheet property values (ASCII, so selectors stay plain) for each status word.
STATUS_KEYS = {"达标": "met", "进行中": "running", "滞后": "behind", "未达标": "missed", "逾期": "overdue", "未开展": "none"}
_UNKNOWN = "#718096"


def status_key(status: str) -> str:
    return STATUS_KEYS.get(status, "none")


def status_style_sheet() -> str:
    """Every status colour rule, for a page to set once (children inherit it)."""
    rules = [
        "StatusChip { border-radius:10px; padding:2px 10px; font-weight:bold; font-size:9.5pt; min-width:38px; }",
    ]
    for status, key in STATUS_KEYS.items():
        colour, tint = STATUS_COLORS.get(status, _UNKNOWN), STATUS_TINTS[status]
        rules += [
            f'StatusChip[status="{key}"][solid="true"] {{ background:{colour}; color:#ffffff; }}',
            f'StatusChip[status="{key}"][solid="false"] {{ background:{tint}; color:{colour}; border:1px solid {colour}; }}',
            f'QLabel#StatusWord[status="{key}"] {{ color:{colour}; }}',
        ]
    return "\n".join(rules)


class StatusChip(QLabel):
    """A rounded label showing one status word in its colour."""

    def __init__(self, status: str = "未开展", parent: QWidget | None = None, *, solid: bool = True):
        super().__init__(parent)
        self.solid = solid
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.set_status(status)

    def set_status(self, status: str) -> None:
        self.status = status
        self.setText(status)
        self.setProperty("solid", "true" if self.solid else "false")
        self.setProperty("status", status_key(status))
        self.setMinimumWidth(58)
        if self.isVisible():  # a property change alone does not re-apply the style sheet
            self.style().unpolish(self)
            self.style().polish(self)

    @property
    def colour(self) -> str:
        return STATUS_COLORS.get(self.status, _UNKNOWN)


def fill_fraction(result: IndicatorResult) -> float:
    """How full the bar is: value against target (or against the district target)."""
    value = result.value
    if value is None:
        return 0.0
    target = result.target if result.target is not None else result.district_target
    if not target:
        return 1.0 if value > 0 else 0.0
    if result.comparison == "<=":
        return 1.0 if value <= target else max(0.0, target / value)
    return max(0.0, min(1.0, value / target))


def value_text(result: IndicatorResult) -> str:
    shown = format_number(result.value, result.unit)
    if result.target is not None:
        sign = "≥" if result.comparison == ">=" else "≤"
        return f"{shown}／{sign}{format_number(result.target, result.unit)}"
    if result.district_target is not None:
        return f"{shown}（全区目标 {format_number(result.district_target, result.unit)}）"
    return shown


def period_words(result: IndicatorResult) -> str:
    return period_title(Period(result.period_kind, result.period, result.period_start, result.period_end))


def short_period_words(result: IndicatorResult) -> str:
    """Period words for a page that already names the month: 本月, 第二季度, 全年累计, 截至6月30日."""
    if result.period_kind == "month":
        return "本月"
    if result.period_kind == "quarter":
        return period_words(result)[5:]
    if result.period_kind == "year":
        return "全年累计"
    return f"截至{result.period_end.month}月{result.period_end.day}日"


class IndicatorBar(QWidget):
    """One indicator on one painted line: its name, a bar coloured by its status, the value
    against the target and, where the page asks, its period and status word.

    Painted rather than put together from a label, a progress bar and three more labels:
    the 工作台 shows a line per indicator as the program starts, and Qt's cost is per widget.
    """

    NAME_WIDTH, BAR_MIN, VALUE_WIDTH, PERIOD_WIDTH, STATUS_WIDTH, GAP = 290, 80, 118, 82, 66, 8

    def __init__(self, result: IndicatorResult, parent: QWidget | None = None, *, period: str = "", status: str = ""):
        super().__init__(parent)
        self.result = result
        self.setProperty("status", status_key(result.status))
        self.name_text = result.name
        self.value_text = value_text(result)
        self.fill = fill_fraction(result)
        self.period_text = period
        self.status_text = status
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        tip = f"{result.name}\n统计周期：{period_words(result)}\n完成：{self.value_text}\n状态：{result.status}"
        if result.late:
            tip += "（截止日期后才完成）"
        if result.note:
            tip += f"\n说明：{result.note}"
        self.setToolTip(tip)

    @property
    def colour(self) -> str:
        return STATUS_COLORS.get(self.result.status, _UNKNOWN)

    NAME_MIN = 150  # the name is shortened (…) before the bar and the figures are

    def _value_width(self) -> int:
        bold = QFont(self.font())
        bold.setBold(True)
        return max(self.VALUE_WIDTH, QFontMetrics(bold).horizontalAdvance(self.value_text) + 4)

    def _right_width(self) -> int:
        width = self._value_width()
        width += (self.GAP + self.PERIOD_WIDTH) if self.period_text else 0
        width += (self.GAP + self.STATUS_WIDTH) if self.status_text else 0
        return width

    def _name_width(self) -> int:
        room = self.contentsRect().width() - self._right_width() - 2 * self.GAP - self.BAR_MIN
        return max(self.NAME_MIN, min(self.NAME_WIDTH, room))

    def _hint(self, name_width: int) -> QSize:
        margins = self.contentsMargins()
        width = name_width + 2 * self.GAP + self.BAR_MIN + self._right_width() + margins.left() + margins.right()
        return QSize(width, self.fontMetrics().height() + 6 + margins.top() + margins.bottom())

    def sizeHint(self) -> QSize:
        return self._hint(self.NAME_WIDTH)

    def minimumSizeHint(self) -> QSize:
        return self._hint(self.NAME_MIN)

    def bar_rect(self) -> QRect:
        area = self.contentsRect()
        x = area.left() + self._name_width() + self.GAP
        width = max(self.BAR_MIN, area.right() + 1 - x - self._right_width() - self.GAP)
        return QRect(x, area.center().y() - 5, width, 10)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        area = self.contentsRect()
        top, height = area.top(), area.height()
        base = self.font()
        painter.setPen(QColor("#334e68"))
        name_width = self._name_width()
        name = self.fontMetrics().elidedText(self.name_text, Qt.TextElideMode.ElideRight, name_width)
        painter.drawText(QRect(area.left(), top, name_width, height), _LEFT, name)
        bar = self.bar_rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e4e7eb"))
        painter.drawRoundedRect(bar, 5, 5)
        if self.fill > 0:
            painter.setBrush(QColor(self.colour))
            painter.drawRoundedRect(QRect(bar.left(), bar.top(), max(10, round(bar.width() * self.fill)), bar.height()), 5, 5)
        x = bar.right() + 1 + self.GAP
        bold = QFont(base)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(self.colour))
        value_width = self._value_width()
        painter.drawText(QRect(x, top, value_width, height), _RIGHT, self.value_text)
        x += value_width + self.GAP
        if self.period_text:
            small = QFont(base)
            small.setPointSizeF(9)
            painter.setFont(small)
            painter.setPen(QColor("#7b8794"))
            painter.drawText(QRect(x, top, self.PERIOD_WIDTH, height), _LEFT, self.period_text)
            x += self.PERIOD_WIDTH + self.GAP
        if self.status_text:
            small = QFont(base)
            small.setPointSizeF(9.5)
            painter.setFont(small)
            painter.setPen(QColor(self.colour))
            painter.drawText(QRect(x, top, self.STATUS_WIDTH, height), _LEFT, self.status_text)
        painter.end()


_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
