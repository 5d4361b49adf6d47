"""Widgets of the 导入新年度清单 dialog: one indicator's editor and the quota table.

They show and collect; every check is ``models.catalog.draft_edit``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from models.catalog import draft_edit
from models.catalog.drafts import quota_indicators, quota_units
from models.catalog.schema import FIELD_TYPES, PERIODS, Unit

if TYPE_CHECKING:  # the dialog owns the editor; typing only
    from ui.pages.tasklist_import_page import TasklistImportDialog

COMPARISON_LABELS = {">=": "≥ 不低于", "<=": "≤ 不高于"}


def text_label(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class IndicatorEditor(QGroupBox):
    """One proposal: period, comparison, target, unit — checked on every keystroke."""

    def __init__(self, dialog: "TasklistImportDialog"):
        super().__init__("指标")
        self.dialog = dialog
        self.index: int | None = None
        form = QFormLayout(self)
        self.phrase = text_label(name="Hint")
        form.addRow("来源原文", self.phrase)
        self.name = QLineEdit()
        form.addRow("指标名称", self.name)
        self.period = QComboBox()
        for key, label in PERIODS.items():
            self.period.addItem(label, key)
        form.addRow("统计周期", self.period)
        self.comparison = QComboBox()
        for key, label in COMPARISON_LABELS.items():
            self.comparison.addItem(label, key)
        form.addRow("比较", self.comparison)
        self.target = QLineEdit()
        self.target.setPlaceholderText("如 2、25、100")
        form.addRow("目标值", self.target)
        self.unit = QLineEdit()
        form.addRow("单位", self.unit)
        self.district = text_label()
        form.addRow("全区目标", self.district)
        self.error = text_label(name="ErrorLabel")
        form.addRow("", self.error)
        row = QHBoxLayout()
        self.accept_button = QPushButton("采纳")
        self.accept_button.setProperty("primary", True)
        self.accept_button.clicked.connect(self.accept)
        self.remove_button = QPushButton("删除此指标")
        self.remove_button.clicked.connect(self.remove)
        row.addWidget(self.accept_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        form.addRow(row)
        for signal in (self.name.textChanged, self.target.textChanged, self.unit.textChanged):
            signal.connect(self.validate)
        self.period.currentIndexChanged.connect(self.validate)
        self.comparison.currentIndexChanged.connect(self.validate)

    def show_indicator(self, index: int | None, ind: dict[str, Any] | None) -> None:
        self.index = index
        self.setEnabled(ind is not None)
        if ind is None:
            self.phrase.setText("")
            return
        for widget in (self.name, self.target, self.unit, self.period, self.comparison):
            widget.blockSignals(True)
        self.phrase.setText(f"“{ind.get('phrase', '')}”（规则：{ind.get('rule', '手工')}）")
        self.name.setText(ind["name"])
        self.period.setCurrentIndex(max(self.period.findData(ind["period"]), 0))
        self.comparison.setCurrentIndex(max(self.comparison.findData(ind["comparison"]), 0))
        self.target.setText("" if ind.get("target") is None else f"{ind['target']:g}")
        self.target.setEnabled(not ind.get("target_setting"))
        self.unit.setText(ind["unit"])
        district = ind.get("district_target")
        self.district.setText("—" if district is None else f"{district:g}{ind['unit']}（在下方表格中分解到各单位）"
                              if ind.get("target_setting") else f"{district:g}{ind['unit']}（全区合计）")
        for widget in (self.name, self.target, self.unit, self.period, self.comparison):
            widget.blockSignals(False)
        self.validate()

    def changes(self) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        changes: dict[str, Any] = {"name": self.name.text().strip(), "period": self.period.currentData(),
                                   "comparison": self.comparison.currentData(), "unit": self.unit.text().strip()}
        problems: list[tuple[str, str]] = []
        if self.target.isEnabled():
            try:
                changes["target"] = draft_edit.parse_target(self.target.text())
            except ValueError:
                problems.append(("目标值", f"“{self.target.text()}”不是数字"))
        return changes, problems

    def validate(self) -> bool:
        ind = self.dialog.current_indicator()
        if ind is None:
            return False
        changes, problems = self.changes()
        if not problems:
            problems = draft_edit.check_indicator({**ind, **changes}, year=self.dialog.year)
        self.error.setText("\n".join(f"{field}：{message}" for field, message in problems))
        self.target.setProperty("invalid", any(f == "目标值" for f, _ in problems))
        self.target.style().unpolish(self.target)
        self.target.style().polish(self.target)
        self.accept_button.setEnabled(not problems)
        return not problems

    def accept(self) -> None:
        if self.index is None or not self.validate():
            return
        changes, _ = self.changes()
        problems = draft_edit.update_indicator(self.dialog.draft, self.dialog.seq, self.index, changes)
        if problems:
            self.error.setText("\n".join(f"{f}：{m}" for f, m in problems))
            return
        self.dialog.changed()

    def remove(self) -> None:
        if self.index is None:
            return
        draft_edit.remove_indicator(self.dialog.draft, self.dialog.seq, self.index)
        self.dialog.changed(reselect=True)


class QuotaEditor(QGroupBox):
    """A district-wide target split among its street offices; the total must equal the target."""

    changed = Signal()

    def __init__(self, units: tuple[Unit, ...]):
        super().__init__("分解全区目标（各街道任务数合计须等于全区目标）")
        self.units = units
        self.draft: dict[str, Any] | None = None
        self.code = ""
        self.target: float = 0
        self.spins: dict[str, QSpinBox] = {}
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 0)
        self.table.setMaximumHeight(66)
        self.table.horizontalHeader().setMinimumSectionSize(96)
        layout.addWidget(self.table)
        self.total = text_label()
        layout.addWidget(self.total)

    def show_draft(self, draft: dict[str, Any] | None) -> None:
        self.draft = draft
        targets = quota_indicators(draft) if draft else []
        self.setVisible(bool(targets))
        if not targets:
            return
        ind = targets[0]  # the list has one split target (task 12); more would stack tables
        task = next(t for t in draft["tasks"] if ind in t["indicators"])
        names = quota_units(task, self.units)
        self.code, self.target = ind["code"], ind["district_target"]
        self.setTitle(f"分解全区目标：任务{task['seq']} {ind['name']} 全区 {ind['district_target']:g}{ind['unit']}")
        self.table.clear()
        self.table.setRowCount(1)
        self.table.setColumnCount(len(names))
        self.table.setHorizontalHeaderLabels(names)
        self.table.setVerticalHeaderLabels(["任务数"])
        shares = (draft.get("quotas") or {}).get(ind["code"], {})
        self.spins = {}
        for col, name in enumerate(names):
            spin = QSpinBox()
            spin.setRange(0, 10_000)
            spin.setValue(int(shares.get(name, 0)))
            spin.valueChanged.connect(lambda value, n=name: self._changed(n, value))
            self.table.setCellWidget(0, col, spin)
            self.spins[name] = spin
        self._show_total()

    def _changed(self, unit: str, value: int) -> None:
        draft_edit.set_quota(self.draft, self.code, unit, value)
        self._show_total()
        self.changed.emit()

    def _show_total(self) -> None:
        total = draft_edit.quota_total(self.draft, self.code)
        ok = total == self.target
        self.total.setObjectName("" if ok else "ErrorLabel")
        self.total.style().unpolish(self.total)
        self.total.style().polish(self.total)
        gap = ("　✓" if ok else f"　还差 {self.target - total:g}" if total < self.target else f"　多了 {total - self.target:g}")
        self.total.setText(f"合计 {total} / 全区 {self.target:g}{gap}")


class FieldsEditor(QTableWidget):
    """The values a task's entries carry: name and unit edited in place, type from a list."""

    changed = Signal()
    problem = Signal(str)
    TYPE_LABELS = {"int": "整数", "number": "数字", "percent": "百分比", "text": "文字"}

    def __init__(self) -> None:
        super().__init__(0, 3)
        self.setHorizontalHeaderLabels(["名称", "单位", "类型"])
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setVisible(False)
        self.setMaximumHeight(96)
        self.draft: dict[str, Any] | None = None
        self.seq: int | None = None
        self.cellChanged.connect(lambda row, _col: self._commit(row))

    def show_task(self, draft: dict[str, Any], seq: int) -> None:
        self.draft, self.seq = draft, seq
        fields = draft_edit.task(draft, seq)["fields"]
        self.blockSignals(True)
        self.setRowCount(len(fields))
        for row, f in enumerate(fields):
            name = QTableWidgetItem(f["name"])
            name.setData(Qt.ItemDataRole.UserRole, f["code"])
            self.setItem(row, 0, name)
            self.setItem(row, 1, QTableWidgetItem(f["unit"]))
            combo = QComboBox()
            for key in sorted(FIELD_TYPES):
                combo.addItem(self.TYPE_LABELS.get(key, key), key)
            combo.setCurrentIndex(max(combo.findData(f["type"]), 0))
            combo.currentIndexChanged.connect(lambda _i, r=row: self._commit(r))
            self.setCellWidget(row, 2, combo)
        self.blockSignals(False)

    def current_code(self) -> str | None:
        item = self.item(self.currentRow(), 0) if self.currentRow() >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _commit(self, row: int) -> None:
        if self.draft is None or self.item(row, 0) is None or self.item(row, 1) is None:
            return
        problems = draft_edit.update_field(
            self.draft, self.seq, self.item(row, 0).data(Qt.ItemDataRole.UserRole), name=self.item(row, 0).text(),
            unit=self.item(row, 1).text(), ftype=self.cellWidget(row, 2).currentData())
        self.problem.emit("\n".join(m for _, m in problems))
        if not problems:
            self.changed.emit()
