"""The unit profile form, shared by the first-start dialog and the 设置 page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from models.catalog.schema import UNIT_KINDS
from models.catalog.units import load_units
from models.store.settings import UnitProfile, needed_settings
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
        # 0 shows as 未填写 and is stored as not set: 0 is never a real target.
        self.households = QSpinBox()
        self.households.setRange(0, 10_000_000)
        self.households.setGroupSeparatorShown(True)
        self.households.setSuffix(" 户")
        self.households.setSpecialValueText("未填写")
        self.quota = QSpinBox()
        self.quota.setRange(0, 1000)
        self.quota.setSuffix(" 个")
        self.quota.setSpecialValueText("未填写")
        self.year = 2023  # the list the form's profile follows (the set-up dialog chooses it)
        self.data_dir: Path | None = None  # where an installed list of that year is found
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
        self.hint = QLabel("户数用于计算任务6入户宣传覆盖率；达标小区任务数为区里分解给本单位的任务12目标。")
        self.hint.setObjectName("Hint")
        self.hint.setWordWrap(True)
        layout.addRow(self.hint)
        self._layout = layout
        self.unit.currentIndexChanged.connect(self._show_needed)
        self._show_needed()
        enter_moves_on(self, self.findChildren(QWidget))  # Enter in a field moves on, never accepts half-filled

    def needed(self) -> list[tuple[str, str, int]]:
        """(setting, label, task) the chosen unit's own tasks need; none for 区垃分办 or most departments."""
        return needed_settings(self.unit.currentData() or "", self.year, data_dir=self.data_dir)

    def _show_needed(self) -> None:
        names = {name for name, _, _ in self.needed()}
        self._layout.setRowVisible(self.households, "households" in names)
        self._layout.setRowVisible(self.quota, "standard_quota" in names)
        self.hint.setVisible(bool(names))

    def missing(self) -> list[tuple[str, str]]:
        """Problems for settings the unit needs but has left 未填写 (the set-up refuses them)."""
        values = {"households": self.households.value(), "standard_quota": self.quota.value()}
        return [(label, f"请填写（任务{seq}需要；不能为0）") for name, label, seq in self.needed() if not values.get(name)]

    def set_profile(self, profile: UnitProfile) -> None:
        index = self.unit.findData(profile.unit)
        self.unit.setCurrentIndex(max(index, 0))
        self.operator.setText(profile.operator)
        self.phone.setText(profile.phone)
        self.reviewer.setText(profile.reviewer)
        self.year = profile.year
        self.households.setValue(profile.households or 0)
        self.quota.setValue(profile.standard_quota or 0)
        self._show_needed()

    def profile(self, base: UnitProfile | None = None) -> UnitProfile:
        return UnitProfile(
            unit=self.unit.currentData(),
            operator=self.operator.text(),
            phone=self.phone.text(),
            reviewer=self.reviewer.text(),
            households=self._value(self.households, "households"),
            standard_quota=self._value(self.quota, "standard_quota"),
            year=base.year if base else (self.year or 2023),
            target_overrides=dict(base.target_overrides) if base else {},
        )

    def _value(self, box: QSpinBox, name: str) -> int | None:
        """The figure when the unit needs it and it is filled in; None otherwise (never a 0 target)."""
        if name not in {n for n, _, _ in self.needed()}:
            return None
        return box.value() or None

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
