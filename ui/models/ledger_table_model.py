"""The ledger table: a model over entry ids sorted and filtered in SQL, rows loaded a page
at a time, so 50,000 entries open and filter without a pause (after Vorta's table models:
column constants, custom roles, tested without a view)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from models.catalog.schema import Task
from models.ledger.entries import LedgerEntry, entries_by_ids, entry_ids, measure_text


COL_DATE, COL_TASK, COL_TYPE, COL_TITLE, COL_MEASURES, COL_LOCATION, COL_PARTICIPANTS, COL_EVIDENCE, COL_OPERATOR = range(9)
HEADERS = ["日期", "任务", "台账类型", "标题", "填报数值", "地点", "人数", "佐证", "填报人"]
SORT_KEYS = ["date", "task", "type", "title", "measures", "location", "participants", "evidence", "operator"]
NUMERIC_COLUMNS = {COL_TASK, COL_PARTICIPANTS, COL_EVIDENCE}

EntryIdRole = Qt.ItemDataRole.UserRole + 1
EntryRole = Qt.ItemDataRole.UserRole + 2
DeletedRole = Qt.ItemDataRole.UserRole + 3
# The roles as plain ints: a view asks ~8 roles of every visible cell at each repaint, and an
# enum member looked up and compared per call was most of data()'s time.
_DISPLAY, _TOOLTIP, _ALIGNMENT, _FOREGROUND, _FONT = (int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole))
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, _ALIGNMENT, _FOREGROUND, _FONT, int(EntryIdRole), int(EntryRole),
                       int(DeletedRole)})
_RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

_Index = QModelIndex | QPersistentModelIndex


def format_measures(entry: LedgerEntry, fields: dict[int, dict[str, tuple[str, str]]]) -> str:
    """'入户宣传户数 320户' style text for an entry's values, in the task's field order."""
    names = fields.get(entry.task_seq, {})
    parts = []
    for code, (name, unit) in names.items():
        if code in entry.measures:
            value = entry.measures[code]
            parts.append(f"{name} {measure_text(value, unit)}")
    parts += [f"{code} {measure_text(value)}" for code, value in entry.measures.items() if code not in names]
    return "；".join(parts)


class LedgerTableModel(QAbstractTableModel):
    PAGE_SIZE = 200
    MAX_PAGES = 50  # pages kept in memory; a view shows a few at a time

    def __init__(self, db: Any, tasks: Iterable[Task], parent: Any = None):  # db: the workspace's handle
        super().__init__(parent)
        self.db = db
        self.set_tasks(tasks)
        self.filters: dict[str, Any] = {}
        self.sort_column = COL_DATE
        self.sort_order = Qt.SortOrder.DescendingOrder
        self._ids: Sequence[int] = ()
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, list[LedgerEntry]] = OrderedDict()

    def set_tasks(self, tasks: Iterable[Task]) -> None:
        self._fields = {t.seq: {f.code: (f.name, f.unit) for f in t.fields} for t in tasks}

    # ------------------------------------------------------------ loading

    def set_filters(self, **filters: Any) -> None:
        """Filters as for ``models.ledger.entries.list_entries`` (month, task_seq, entry_type, text, include_deleted)."""
        self.filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._ids = entry_ids(self.db, sort=SORT_KEYS[self.sort_column],
                              descending=self.sort_order == Qt.SortOrder.DescendingOrder, **self.filters)
        self._row_of = None
        self._pages.clear()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        if (column, order) == (self.sort_column, self.sort_order):
            return  # e.g. the view enabling sorting on the order the model already has
        self.sort_column, self.sort_order = column, order
        self.refresh()

    def _page(self, number: int) -> list[LedgerEntry]:
        page = self._pages.get(number)
        if page is None:
            ids = self._ids[number * self.PAGE_SIZE : (number + 1) * self.PAGE_SIZE]
            found = entries_by_ids(self.db, ids)
            page = [found[i] for i in ids if i in found]
            self._pages[number] = page
            while len(self._pages) > self.MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page

    def entry_at(self, row: int) -> LedgerEntry | None:
        if not 0 <= row < len(self._ids):
            return None
        page = self._page(row // self.PAGE_SIZE)
        offset = row % self.PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def row_of(self, entry_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {entry_id: row for row, entry_id in enumerate(self._ids)}
        return self._row_of.get(entry_id)

    def entry_ids(self) -> list[int]:
        return list(self._ids)

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return f"按“{HEADERS[section]}”排序"
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        role = int(role)
        if role not in _ANSWERED or not index.isValid():
            return None
        entry = self.entry_at(index.row())
        if entry is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            return self._display(entry, column)
        if role == EntryIdRole:
            return entry.id
        if role == EntryRole:
            return entry
        if role == DeletedRole:
            return entry.deleted_at is not None
        if role == _TOOLTIP:
            if entry.deleted_at:
                return f"已于 {entry.deleted_at.replace('T', ' ')} 删除，可恢复"
            if column in (COL_TITLE, COL_MEASURES, COL_LOCATION):
                return self._display(entry, column) or None
            return None
        if role == _ALIGNMENT and column in NUMERIC_COLUMNS:
            return _RIGHT_ALIGNED
        if role == _FOREGROUND and entry.deleted_at:
            return QBrush(QColor("#9aa5b1"))
        if role == _FONT and entry.deleted_at:
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None

    def _display(self, entry: LedgerEntry, column: int) -> str:
        if column == COL_DATE:
            return entry.entry_date.isoformat()
        if column == COL_TASK:
            return str(entry.task_seq)
        if column == COL_TYPE:
            return entry.entry_type
        if column == COL_TITLE:
            return entry.title
        if column == COL_MEASURES:
            return format_measures(entry, self._fields)
        if column == COL_LOCATION:
            return entry.location
        if column == COL_PARTICIPANTS:
            return "" if entry.participants is None else str(entry.participants)
        if column == COL_EVIDENCE:
            return f"{entry.evidence_count}件" if entry.evidence_count else ""
        if column == COL_OPERATOR:
            return entry.operator
        return ""
