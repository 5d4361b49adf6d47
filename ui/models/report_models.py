"""The 报表 page's tables: the report preview and the period states."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from models.core import statuses as st
from models.reporting.assembly import Report
from models.reporting.submissions import KIND_LABELS, PeriodState

_Index = QModelIndex | QPersistentModelIndex
_HEADER_LINES = {"佐证材料（件）": "佐证\n材料\n（件）", "完成期限": "完成\n期限"}  # narrow columns
STATE_COLOURS = {"未生成": "#718096", "已生成": "#2b6cb0", "已报送": "#2f855a", "已解锁": "#dd6b20"}


class PreviewModel(QAbstractTableModel):
    """The report's main table exactly as both files print it."""

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        self.rows: list[list[Any]] = []

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self.report = report
        self.rows = [r.cells() for r in report.rows] if report else []
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.report is None else len(self.report.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and self.report:
            label = self.report.columns[section].label
            return _HEADER_LINES.get(label, label)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        label = self.report.columns[index.column()].label if self.report else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and label == "状态" and str(value).split("（")[0] in st.COLORS:
            return QBrush(QColor(st.color(str(value).split("（")[0])))  # "逾期（2023年5月10日完成）" too
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if label == "类别":  # merged over its tasks: at the top, where a scrolled view still meets it first
                return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            centre = label in ("序号", "完成期限", "状态", "佐证材料（件）")
            return int((Qt.AlignmentFlag.AlignCenter if centre else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
        return None


class StatesModel(QAbstractTableModel):
    HEADERS = ("期间", "报表", "状态", "版本", "最近导出", "报送时间", "解锁原因")

    def __init__(self) -> None:
        super().__init__()
        self.states: list[PeriodState] = []

    def set_states(self, states: list[PeriodState]) -> None:
        self.beginResetModel()
        self.states = states
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.states)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.states[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            latest = s.latest.generated_at.replace("T", " ") if s.latest else ""
            return [s.title, KIND_LABELS[s.kind], s.label, f"第{s.version}版" if s.state != "none" else "",
                    latest, (s.submitted_at or "").replace("T", " ") if s.state == "submitted" else "",
                    s.unlock_reason if s.state == "unlocked" else ""][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return QBrush(QColor(STATE_COLOURS[s.label]))
        return None
