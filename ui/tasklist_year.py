"""The working year in the GUI: the header's year selector, installing a list, the missing-list notice.

All the work is in ``models.catalog.packages`` (install) and ``models.store.years``
(switch); this module only asks and shows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.catalog.packages import Package, unit_quota
from models.exchange.tasklists import install_signed
from models.core.errors import AppError, ValidationError
from models.store.workspace import Workspace
from models.store.settings import needed_settings
from models.store.years import switch_year, year_settings

PACKAGE_FILTER = "任务清单文件 (*.zip);;所有文件 (*)"


def missing_list_notice(years: list[int], today: dt.date | None = None) -> str | None:
    """What to say when the calendar year has no list: "尚未导入2026年任务清单，请向区垃分办索取"."""
    year = (today or dt.date.today()).year
    if year in years:
        return None
    return f"尚未导入{year}年任务清单，请向区垃分办索取"


def install_from_file(parent: QWidget | None, ws: Workspace, path: str | None = None) -> Package | None:
    """Ask for (or take) a package file and install it; a refused one is explained."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "导入任务清单", "", PACKAGE_FILTER)
        if not path:
            return None
    try:
        package = install_signed(ws, Path(path))
    except AppError as exc:
        QMessageBox.warning(parent, "导入任务清单", f"未导入：{exc}")
        return None
    QMessageBox.information(parent, "导入任务清单", f"已导入 {package.title}。\n\n可在左上角的年度选择中切换到 {package.year} 年。")
    return package


class YearSettingsDialog(QDialog):
    """A year's unit settings, asked for when the year has none yet (quota prefilled from the package)."""

    def __init__(self, ws: Workspace, year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{year}年本单位设置")
        layout = QVBoxLayout(self)
        intro = QLabel(f"请填写本单位 {year} 年的数据（以前年度的数据保留不变）。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.households = QSpinBox()
        self.households.setRange(0, 10_000_000)
        self.households.setGroupSeparatorShown(True)
        self.households.setSuffix(" 户")
        self.quota = QSpinBox()
        self.quota.setRange(0, 1000)
        self.quota.setSuffix(" 个")
        for box in (self.households, self.quota):
            box.setSpecialValueText("未填写")
        profile = ws.require_profile()
        self.households.setValue(profile.households or 0)
        packaged = unit_quota(ws.data_dir, year, profile.unit)
        self.quota.setValue(packaged if packaged is not None else 0)
        needed = {name: label for name, label, _seq in needed_settings(profile.unit, year, data_dir=ws.data_dir)}
        if "households" in needed:
            form.addRow("建成区居民总户数(&H)", self.households)
        if "standard_quota" in needed:
            form.addRow("新增达标小区任务数(&Q)", self.quota)
            if packaged is not None:
                form.addRow("", QLabel("（区垃分办已分解，可核对后修改）"))
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("切换年度")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.needed = needed

    def values(self) -> dict[str, int | None]:
        # 0 is "not filled in" (never a real target), as in the profile form
        return {"households": (self.households.value() or None) if "households" in self.needed else None,
                "quota": (self.quota.value() or None) if "standard_quota" in self.needed else None}


class YearSelector(QComboBox):
    """The header's year: every installed or bundled list; choosing one switches the working year."""

    switched = Signal(int)

    def __init__(self, ws: Workspace, *, ask: Callable[[int], dict[str, int | None] | None] | None = None,
                 may_switch: Callable[[], bool] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.may_switch = may_switch  # unsaved edits on a page are settled (saved or dropped) first
        self.setObjectName("YearSelector")
        self.setToolTip("工作年度：切换后以前年度的台账、报表和报送记录都保留")
        self._ask = ask or self._ask_dialog
        self.reload()
        self.activated.connect(self._chosen)

    def reload(self) -> None:
        self.blockSignals(True)
        self.clear()
        for year in self.ws.years():
            self.addItem(f"{year}年任务清单", year)
        self.setCurrentIndex(max(self.findData(self.ws.year), 0))
        self.blockSignals(False)

    def _ask_dialog(self, year: int) -> dict[str, int | None] | None:
        dialog = YearSettingsDialog(self.ws, year, self.window())
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _chosen(self, index: int) -> None:
        year = self.itemData(index)
        if year is None or year == self.ws.year:
            return
        if self.may_switch is not None and not self.may_switch():
            self.reload()
            return
        values: dict[str, int | None] = {}
        unit = self.ws.require_profile().unit
        if str(year) not in year_settings(self.ws.db) and needed_settings(unit, year, data_dir=self.ws.data_dir):
            answer = self._ask(year)
            if answer is None:
                self.reload()
                return
            values = answer
        try:
            switch_year(self.ws.db, self.ws.data_dir, year, households=values.get("households"), quota=values.get("quota"))
        except (AppError, ValidationError) as exc:
            QMessageBox.warning(self, "切换年度", str(exc))
            self.reload()
            return
        self.reload()
        self.switched.emit(year)
