"""Status chips and indicator progress bars, coloured by the status word.

达标 green, 进行中 blue, 滞后 orange, 未达标/逾期 red, 未开展 grey — the same everywhere.

Colours come from one style sheet (``status_style_sheet``) set once on the page that shows
them, matched through each widget's ``status`` property: a style sheet per widget made Qt
build a style for every chip, bar and label, which was most of the 工作台's start-up cost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

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
        "IndicatorBar QProgressBar { border:none; border-radius:5px; background:#e4e7eb; min-height:10px; max-height:10px; }",
        "IndicatorBar QProgressBar::chunk { border-radius:5px; }",
        "IndicatorBar #IndicatorName { color:#334e68; }",
        "IndicatorBar #IndicatorValue { font-weight:bold; }",
    ]
    for status, key in STATUS_KEYS.items():
        colour, tint = STATUS_COLORS.get(status, _UNKNOWN), STATUS_TINTS[status]
        rules += [
            f'StatusChip[status="{key}"][solid="true"] {{ background:{colour}; color:#ffffff; }}',
            f'StatusChip[status="{key}"][solid="false"] {{ background:{tint}; color:{colour}; border:1px solid {colour}; }}',
            f'IndicatorBar[status="{key}"] QProgressBar::chunk {{ background:{colour}; }}',
            f'IndicatorBar[status="{key}"] #IndicatorValue {{ color:{colour}; }}',
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
    """One indicator: name and period, a coloured bar, value against target."""

    def __init__(self, result: IndicatorResult, parent: QWidget | None = None):
        super().__init__(parent)
        self.result = result
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 1, 0, 1)
        row.setSpacing(8)
        self.setProperty("status", status_key(result.status))
        self.name = QLabel(f"{result.name}")
        self.name.setObjectName("IndicatorName")
        self.name.setMinimumWidth(290)  # bars line up across tasks
        self.name.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        row.addWidget(self.name)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(round(fill_fraction(result) * 1000)))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setMinimumWidth(80)
        row.addWidget(self.bar, 1)
        self.value = QLabel(value_text(result))
        self.value.setObjectName("IndicatorValue")
        self.value.setMinimumWidth(118)
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.value)
        tip = f"{result.name}\n统计周期：{period_words(result)}\n完成：{value_text(result)}\n状态：{result.status}"
        if result.late:
            tip += "（截止日期后才完成）"
        if result.note:
            tip += f"\n说明：{result.note}"
        self.setToolTip(tip)

    @property
    def colour(self) -> str:
        return STATUS_COLORS.get(self.result.status, _UNKNOWN)
