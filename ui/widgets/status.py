"""Status chips and indicator progress bars, coloured by the status word.

Colours come from ``models.core.statuses`` (达标 green, 进行中 blue, 滞后 orange, 未达标/逾期
red, 未开展 grey, 未设置目标 amber, 不适用 light grey) — the same everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

from models.core import statuses as st
from models.progress.indicators import IndicatorResult, format_number
from models.core.periods import Period, period_title
from ui.widgets.elided_label import ElidedLabel

STATUS_TINTS = st.TINTS  # light backgrounds for chips on white cards


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
        colour = st.color(status)
        if self.solid:
            style = f"background:{colour}; color:#ffffff;"
        else:
            style = f"background:{st.tint(status)}; color:{colour}; border:1px solid {colour};"
        self.setStyleSheet(f"QLabel {{ {style} border-radius:10px; padding:2px 10px; font-weight:bold; font-size:9.5pt; }}")
        self.setMinimumWidth(58)


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
    if result.status == st.NO_TARGET:
        return f"{shown}／未设置目标"
    if result.target is not None:
        return f"{shown}／{result.target_text}"
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
    """One indicator: name and period, a coloured bar, value against target."""

    def __init__(self, result: IndicatorResult, parent: QWidget | None = None):
        super().__init__(parent)
        self.result = result
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 1, 0, 1)
        row.setSpacing(8)
        # A long name ends in "…" (full text in the tooltip) instead of running into the bar.
        self.name = ElidedLabel(f"{result.name}")
        self.name.setStyleSheet("color:#334e68;")
        self.name.setFixedWidth(290)  # bars line up across tasks
        self.name.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        row.addWidget(self.name)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(round(fill_fraction(result) * 1000)))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setMinimumWidth(80)
        colour = st.color(result.status)
        self.bar.setStyleSheet(
            "QProgressBar { border: none; border-radius: 5px; background: #e4e7eb; min-height: 10px; max-height: 10px; }"
            f"QProgressBar::chunk {{ background: {colour}; border-radius: 5px; }}"
        )
        row.addWidget(self.bar, 1)
        self.value = QLabel(value_text(result))
        self.value.setStyleSheet(f"color:{colour}; font-weight:bold;")
        self.value.setMinimumWidth(max(118, self.value.sizeHint().width() + 10))  # bold is wider
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.value)
        tip = f"{result.name}\n统计周期：{period_words(result)}\n完成：{value_text(result)}\n状态：{result.status}"
        if result.late:
            tip += "（截止日期后才完成）"
        if result.note:
            tip += f"\n说明：{result.note}"
        self.setToolTip(tip)
