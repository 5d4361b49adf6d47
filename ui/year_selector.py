"""The header's working year: a selector of every installed or bundled list, and the notice
when this calendar year has none. Light on purpose — it is built with the window; installing a
package and the year's settings dialog (``ui.tasklist_year``) load when used.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QWidget

from models.core.errors import AppError, ValidationError
from models.store.settings import needed_settings
from models.store.workspace import Workspace
from models.store.years import switch_year, year_settings


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
        from ui.tasklist_year import YearSettingsDialog  # dialogs and packages: only when asked

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
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "切换年度", str(exc))
            self.reload()
            return
        self.reload()
        self.switched.emit(year)
