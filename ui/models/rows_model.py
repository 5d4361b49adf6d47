"""A read-only table of text cells for the 汇总 page; status words get their colour."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from models.core import statuses as st
from models.district.summary_data import STATE_COLOURS

_Index = QModelIndex | QPersistentModelIndex
# The task-status matrix at 1366 pixels: 33 task columns leave room for one sign per cell.
# Signs, colours and a legend tell 未达标 from 未开展; the full word stays in the tooltip.
STATUS_SIGNS = {word: st.SIGNS[word] for word in st.STATUSES}  # the legend's order; models.core.statuses


class RowsModel(QAbstractTableModel):
    """A read-only table of text cells; a cell whose text is a status word gets its colour."""

    def __init__(self, header: list[str], *, colour_cols: tuple[int, ...] = (), centre_cols: tuple[int, ...] = ()):
        super().__init__()
        self.header = header
        self.rows: list[list[str]] = []
        self.tips: dict[tuple[int, int], str] = {}
        self.colour_cols = colour_cols
        self.centre_cols = centre_cols
        self.bold_col: int | None = None  # e.g. the selected month in the year grid
        self.header_tips: dict[int, str] = {}
        self.signs: dict[str, str] = {}  # full cell text -> what the cell shows (STATUS_SIGNS)
        self.sign_from = 0  # the first column shown as signs

    def set_rows(self, rows: list[list[str]], tips: dict[tuple[int, int], str] | None = None,
                 header: list[str] | None = None) -> None:
        self.beginResetModel()
        if header is not None:
            self.header = header
        self.rows = rows
        self.tips = tips or {}
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.header)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        text = self.rows[index.row()][index.column()]
        signed = index.column() >= self.sign_from and text in self.signs
        if role == Qt.ItemDataRole.DisplayRole:
            return self.signs[text] if signed else text
        if role == Qt.ItemDataRole.UserRole:
            return text  # the full word, whatever is shown
        if role == Qt.ItemDataRole.BackgroundRole and index.column() in self.colour_cols and text in STATE_COLOURS:
            return QBrush(QColor("#" + STATE_COLOURS[text]))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.tips.get((index.row(), index.column())) or None
            return f"{text}\n{tip}" if signed and tip else (text if signed else tip)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            centre = index.column() in self.colour_cols or index.column() in self.centre_cols
            return int(Qt.AlignmentFlag.AlignCenter if centre else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.column() == self.bold_col:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tips.get(section)
        if role == Qt.ItemDataRole.ForegroundRole and section == self.bold_col:
            return QBrush(QColor("#c05621"))
        return None
