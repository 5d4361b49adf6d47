"""The snapshot list of 数据安全: newest first, one row per backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from models.safety.backup import BackupInfo

Index = QModelIndex | QPersistentModelIndex


class BackupTableModel(QAbstractTableModel):
    """Snapshots, newest first: when, why, how many entries and files, where."""

    COLUMNS = ("备份时间", "类型", "台账（条）", "已删除（条）", "佐证材料（个）", "位置")
    TIME, KIND, ENTRIES, DELETED, FILES, PLACE = range(6)
    InfoRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.infos: list[BackupInfo] = []
        self.local_root: Path | None = None

    def set_backups(self, infos: list[BackupInfo], *, local_root: Path) -> None:
        self.beginResetModel()
        self.infos = list(infos)
        self.local_root = local_root
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.infos)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.infos[index.row()]
        if role == self.InfoRole:
            return info
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == self.TIME:
                return info.created_at.strftime("%Y-%m-%d %H:%M")
            if col == self.KIND:
                return info.kind_label
            if col == self.ENTRIES:
                return info.entries
            if col == self.DELETED:
                return info.deleted_entries
            if col == self.FILES:
                missing = f"（缺 {len(info.missing_evidence)}）" if info.missing_evidence else ""
                return f"{info.evidence_files}{missing}"
            return "本机" if info.root == self.local_root else f"备份文件夹 {info.root}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (self.ENTRIES, self.DELETED, self.FILES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(info.path)
        return None
