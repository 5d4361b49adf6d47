"""The community register as a table: one row per 小区/村."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from models.ledger.communities import KINDS, Community
from models.progress.indicators import format_number

_Index = QModelIndex | QPersistentModelIndex


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


class CommunityTableModel(QAbstractTableModel):
    COLUMNS = ("名称", "类别", "户数", "设施到位", "计量接入", "示范村创建", "测评次数", "最高分", "新增达标")
    NAME, KIND, HOUSEHOLDS, FACILITIES, METERING, DEMO, EVALS, BEST, COUNTS = range(9)

    def __init__(self, pass_score: float = 95, year: int = 2023):
        super().__init__()
        self.rows: list[Community] = []
        self.pass_score = pass_score
        self.year = year

    def set_rows(self, rows: list[Community]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def counts(self, c: Community) -> bool:
        return c.kind == "community" and c.first_pass_date(year=self.year, min_score=self.pass_score) is not None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.UserRole:
            return c
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                self.NAME: c.name,
                self.KIND: KINDS[c.kind],
                self.HOUSEHOLDS: "" if c.households is None else str(c.households),
                self.FACILITIES: _d(c.facilities_date) if c.facilities_ok else "未到位",
                self.METERING: _d(c.metering_date) if c.metering_connected else "未接入",
                self.DEMO: _d(c.demo_village_date) if c.kind == "village" else "",
                self.EVALS: str(len(c.evaluations)) if c.evaluations else "",
                self.BEST: "" if c.best_score is None else format_number(c.best_score),
                self.COUNTS: ("✔ 计入" if self.counts(c) else ("未达95分" if c.evaluations else "")) if c.kind == "community" else "",
            }[col]
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COUNTS and self.counts(c):
                return QBrush(QColor("#2f855a"))
            if col == self.COUNTS and c.evaluations or (col == self.FACILITIES and not c.facilities_ok):
                return QBrush(QColor("#c53030"))
            if col == self.METERING and not c.metering_connected:
                return QBrush(QColor("#718096"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.HOUSEHOLDS, self.EVALS, self.BEST):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
