"""The unit profile form, shared by the first-start dialog and the 设置 page."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from models.catalog.tasklists import UNIT_KINDS, load_units
from models.store.settings import UnitProfile
from ui.widgets.keys import enter_moves_on

_FIELD_WIDGETS = {"单位": "unit", "填报人": "operator", "联系电话": "phone", "审核人": "reviewer",
                  "建成区居民总户数": "households", "新增达标小区任务数": "quota"}


class ProfileForm(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.unit = QComboBox()
        for unit in load_units():
            self.unit.addItem(f"{unit.name}（{UNIT_KINDS[unit.kind]}）", unit.name)
        self.operator = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("如 0519-88000000")
        self.reviewer = QLineEdit()
        self.households = QSpinBox()
        self.households.setRange(0, 10_000_000)
        self.households.setGroupSeparatorShown(True)
        self.households.setSuffix(" 户")
        self.quota = QSpinBox()
        self.quota.setRange(0, 1000)
        self.quota.setSuffix(" 个")
        self.errors: dict[str, QLabel] = {}
        rows = [
            ("填报单位(&U)", self.unit), ("填报人(&O)", self.operator), ("联系电话(&P)", self.phone),
            ("审核人(&R)", self.reviewer), ("建成区居民总户数(&H)", self.households),
            ("新增达标小区任务数(&Q)", self.quota),
        ]
        for label, widget in rows:
            layout.addRow(label, widget)
            error = QLabel()
            error.setObjectName("ErrorLabel")
            error.hide()
            layout.addRow("", error)
            self.errors[label.split("(")[0]] = error
        hint = QLabel("户数用于计算任务6入户宣传覆盖率；达标小区任务数为区里分解给本单位的任务12目标。")
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        layout.addRow(hint)
        enter_moves_on(self, self.findChildren(QWidget))  # Enter in a field moves on, never accepts half-filled

    def set_profile(self, profile: UnitProfile) -> None:
        index = self.unit.findData(profile.unit)
        self.unit.setCurrentIndex(max(index, 0))
        self.operator.setText(profile.operator)
        self.phone.setText(profile.phone)
        self.reviewer.setText(profile.reviewer)
        self.households.setValue(profile.households or 0)
        self.quota.setValue(profile.standard_quota or 0)

    def profile(self, base: UnitProfile | None = None) -> UnitProfile:
        return UnitProfile(
            unit=self.unit.currentData(),
            operator=self.operator.text(),
            phone=self.phone.text(),
            reviewer=self.reviewer.text(),
            households=self.households.value(),
            standard_quota=self.quota.value(),
            year=base.year if base else 2023,
            target_overrides=dict(base.target_overrides) if base else {},
        )

    def show_errors(self, problems: list[tuple[str, str]]) -> None:
        """Validation messages appear under the fields they name."""
        for error in self.errors.values():
            error.hide()
        for field, message in problems:
            label_key = {"单位": "填报单位"}.get(field, field)
            label = self.errors.get(label_key)
            if label is not None:
                label.setText(message)
                label.show()
