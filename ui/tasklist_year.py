"""Installing the district's package from the GUI, and the year's settings asked at a switch.

All the work is in ``models.catalog.packages`` (install) and ``models.store.years``
(switch); this module only asks and shows.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
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

from models.catalog.locations import unit_quota
from models.catalog.packages import Package
from models.exchange.tasklists import install_signed
from models.core.errors import AppError
from models.store.workspace import Workspace
from models.store.settings import needed_settings

PACKAGE_FILTER = "任务清单文件 (*.zip);;所有文件 (*)"


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
