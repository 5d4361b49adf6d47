"""The 小区 register as a table model, and the dialogs that add/edit a community and
record an evaluation against the score sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QGridLayout,
    QHBoxLayout, QLabel, QLineEdit, QRadioButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget,
)

from models.catalog.schema import ScoreSheet
from models.ledger.communities import Community
from models.progress.indicators import format_number
from ui.widgets.keys import enter_moves_on, tab_chain


class OptionalDate(QWidget):
    """A check box ("已到位") that enables a date; unchecked means no date."""

    def __init__(self, label: str, default: dt.date):
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(label)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(QDate(default.year, default.month, default.day))
        self.date.calendarWidget().setMinimumSize(300, 220)  # six week rows, never a cut last week
        self.date.setEnabled(False)
        self.check.toggled.connect(self.date.setEnabled)
        row.addWidget(self.check)
        row.addWidget(self.date, 1)

    def set_value(self, day: dt.date | None) -> None:
        self.check.setChecked(day is not None)
        if day:
            self.date.setDate(QDate(day.year, day.month, day.day))

    def value(self) -> dt.date | None:
        return self.date.date().toPython() if self.check.isChecked() else None  # type: ignore[return-value]


class CommunityDialog(QDialog):
    """Add or edit one community (or village)."""

    def __init__(self, parent: QWidget | None, *, year: int, villages: bool, community: Community | None = None):
        super().__init__(parent)
        self.setWindowTitle("修改登记信息" if community else "登记小区（村）")
        self.setMinimumWidth(440)
        default = min(dt.date.today(), dt.date(year, 12, 31))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setMaxLength(50)
        form.addRow("名称", self.name)
        self.kind = QComboBox()
        self.kind.addItem("小区", "community")
        if villages:
            self.kind.addItem("村", "village")
        self.kind.setEnabled(community is None and villages)
        form.addRow("类别", self.kind)
        self.households = QSpinBox()
        self.households.setRange(0, 100000)
        self.households.setSpecialValueText("未填")
        form.addRow("户数", self.households)
        self.facilities = OptionalDate("“四分类”投放点、设施、标识已到位", default)
        form.addRow("设施", self.facilities)
        self.metering = OptionalDate("计量数据已接入市级平台", default)
        form.addRow("计量", self.metering)
        self.demo = OptionalDate("已建成农村垃圾分类示范村", default)
        self.demo_label = QLabel("示范村")
        form.addRow(self.demo_label, self.demo)
        # Already 达标 before the list's year: a re-check this year does not make it new (task 12/28).
        self.standard_since = OptionalDate(f"{year}年之前已达标（首次达到95分的日期）", dt.date(year - 1, 12, 31))
        self.standard_since.date.setMaximumDate(QDate(year - 1, 12, 31))
        self.standard_label = QLabel("此前达标")
        form.addRow(self.standard_label, self.standard_since)
        self.error = QLabel()
        self.error.setObjectName("ErrorLabel")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        # Top to bottom; Enter in a field moves on (it never accepts a half-filled form).
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        fields = [self.name, self.kind, self.households, self.facilities.check, self.facilities.date,
                  self.metering.check, self.metering.date, self.demo.check, self.demo.date]
        tab_chain([*fields, ok, buttons.button(QDialogButtonBox.StandardButton.Cancel)])
        enter_moves_on(self, fields)
        if community:
            self.name.setText(community.name)
            self.kind.setCurrentIndex(max(0, self.kind.findData(community.kind)))
            self.households.setValue(community.households or 0)
            self.facilities.set_value(community.facilities_date if community.facilities_ok else None)
            if community.facilities_ok and community.facilities_date is None:
                self.facilities.check.setChecked(True)
            self.metering.set_value(community.metering_date if community.metering_connected else None)
            self.demo.set_value(community.demo_village_date)
            self.standard_since.set_value(community.standard_since)
        self._kind_changed()

    def _kind_changed(self) -> None:
        village = self.kind.currentData() == "village"
        self.demo.setVisible(village)
        self.demo_label.setVisible(village)
        self.standard_since.setVisible(not village)
        self.standard_label.setVisible(not village)

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "kind": self.kind.currentData(),
            "households": self.households.value() or None,
            "facilities": self.facilities.value(),
            "metering": self.metering.value(),
            "demo_village": self.demo.value() if self.kind.currentData() == "village" else None,
            "standard_since": self.standard_since.value() if self.kind.currentData() != "village" else None,
        }

    def show_error(self, text: str) -> None:
        self.error.setText(text)


def _score_box(points: float, empty: str) -> QDoubleSpinBox:
    """A score that starts empty (shown as ``empty``, value -1), never at full marks."""
    box = QDoubleSpinBox()
    box.setRange(-1, points)
    box.setDecimals(1)
    box.setSingleStep(0.5)
    box.setSpecialValueText(empty)
    box.setValue(-1)
    box.valueChanged.connect(lambda v: box.setValue(0) if -1 < v < 0 else None)
    return box


class EvaluationDialog(QDialog):
    """Record an evaluation: the score sheet item by item, or a paper sheet's total alone."""

    def __init__(self, parent: QWidget | None, *, community: str, sheet: ScoreSheet, pass_score: float, year: int):
        super().__init__(parent)
        self.sheet = sheet
        self.pass_score = pass_score
        self.setWindowTitle(f"录入达标测评 — {community}")
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        source = f"\n来源：{sheet.source}" if sheet.source else ""
        intro = QLabel(f"{sheet.title}（满分 {sheet.total_points:g} 分，≥ {pass_score:g} 分计入新增达标小区）\n依据：{sheet.basis}"
                       f"{source}\n逐项打分须填写全部评分项；纸质评分表只有总分时选“只填总分”。")
        intro.setObjectName("Hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addWidget(QLabel("测评日期"))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.calendarWidget().setMinimumSize(300, 220)
        day = min(dt.date.today(), dt.date(year, 12, 31))
        self.date.setDate(QDate(day.year, day.month, day.day))
        top.addWidget(self.date)
        top.addSpacing(16)
        top.addWidget(QLabel("测评人"))
        self.evaluator = QLineEdit()
        top.addWidget(self.evaluator, 1)
        layout.addLayout(top)
        modes = QHBoxLayout()
        self.by_items = QRadioButton("逐项打分")
        self.by_total = QRadioButton("只填总分（纸质评分表）")
        group = QButtonGroup(self)
        group.addButton(self.by_items)
        group.addButton(self.by_total)
        self.by_items.setChecked(True)
        modes.addWidget(self.by_items)
        modes.addWidget(self.by_total)
        self.total = _score_box(sheet.total_points, "未填写")
        modes.addWidget(self.total)
        modes.addStretch(1)
        layout.addLayout(modes)
        self.spins: dict[str, QDoubleSpinBox] = {}
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        self.notes: dict[str, QLineEdit] = {}
        for col, text in enumerate(("评分项", "检查指标", "评分标准", "分值", "得分", "现场检查情况")):
            head = QLabel(text)
            head.setStyleSheet("font-weight:bold;")
            grid.addWidget(head, 0, col)
        for row, item in enumerate(sheet.items, start=1):
            grid.addWidget(QLabel(f"{item.code} {item.area}"), row, 0)
            grid.addWidget(QLabel(item.indicator), row, 1)
            standard = QLabel(item.standard)
            standard.setWordWrap(True)
            standard.setObjectName("Hint")
            grid.addWidget(standard, row, 2)
            grid.addWidget(QLabel(f"{item.points:g}"), row, 3)
            spin = _score_box(item.points, "未打分")  # more than the item's points cannot be typed
            spin.valueChanged.connect(self._update_total)
            grid.addWidget(spin, row, 4)
            self.spins[item.code] = spin
            note = QLineEdit()
            note.setMaxLength(200)
            note.setPlaceholderText("扣分原因等")
            grid.addWidget(note, row, 5)
            self.notes[item.code] = note
        grid.setColumnStretch(2, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(grid_host)
        layout.addWidget(self.scroll, 1)
        self.result = QLabel()
        self.result.setStyleSheet("font-size:12pt; font-weight:bold;")
        layout.addWidget(self.result)
        self.error = QLabel()
        self.error.setObjectName("ErrorLabel")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.by_items.toggled.connect(self._mode_changed)
        self.total.valueChanged.connect(self._update_total)
        fields = [self.date, self.evaluator, self.by_items, self.by_total, self.total, *self.spins.values()]
        tab_chain([*fields, buttons.button(QDialogButtonBox.StandardButton.Ok),
                   buttons.button(QDialogButtonBox.StandardButton.Cancel)])
        enter_moves_on(self, fields)
        self._mode_changed()

    def _mode_changed(self) -> None:
        items = self.by_items.isChecked()
        self.scroll.setEnabled(items)
        self.total.setEnabled(not items)
        self._update_total()

    def current_total(self) -> float:
        if self.by_items.isChecked():
            return round(sum(max(s.value(), 0.0) for s in self.spins.values()), 2)
        return max(self.total.value(), 0.0)

    def unscored(self) -> list[str]:
        return [code for code, spin in self.spins.items() if spin.value() < 0]

    def _update_total(self) -> None:
        total = self.current_total()
        left = self.unscored() if self.by_items.isChecked() else ([] if self.total.value() >= 0 else ["总分"])
        if left:
            self.result.setText(f"已填 {format_number(total)} 分 — 尚有 {len(left)} 项未填写" if self.by_items.isChecked()
                                else "请填写总分")
            self.result.setStyleSheet("font-size:12pt; font-weight:bold; color:#718096;")
            return
        ok = total >= self.pass_score
        colour = "#2f855a" if ok else "#c53030"
        verdict = "达标，计入新增达标小区" if ok else f"未达 {self.pass_score:g} 分，不计入新增达标小区"
        self.result.setText(f"总分 {format_number(total)} 分 — {verdict}")
        self.result.setStyleSheet(f"font-size:12pt; font-weight:bold; color:{colour};")

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {"eval_date": self.date.date().toPython(), "evaluator": self.evaluator.text()}
        if self.by_items.isChecked():  # an item left 未打分 goes as blank: the model names what is missing
            data["items"] = {code: ("" if spin.value() < 0 else spin.value()) for code, spin in self.spins.items()}
            data["notes"] = {code: line.text() for code, line in self.notes.items() if line.text().strip()}
        else:
            data["total"] = "" if self.total.value() < 0 else self.total.value()
        return data

    def show_error(self, text: str) -> None:
        self.error.setText(text)
