"""The ledger's table with the habits of Excel: several rows selected at once, Ctrl+C copies
them with their headers as tab-separated text (pastes into Excel and WPS as cells), a
right-click menu, and column widths that are remembered."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ui.ui_state import ui_settings

ROW_HEIGHT = 28


def tsv_cell(value: object) -> str:
    """One cell of tab-separated text: tabs and line breaks inside a cell would split it."""
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


class LedgerTable(QTableView):
    def __init__(self, settings_key: str, widths: dict[int, int], parent: QWidget | None = None):
        super().__init__(parent)
        self.settings_key = settings_key
        self.default_widths = widths
        # Right-click actions: label -> callback, set by the page; None draws a separator.
        self.actions_for_menu: list[tuple[str, Callable[[], None], Callable[[], bool]] | None] = []
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        # Fixed row heights: the view never measures 50,000 rows.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        head = self.horizontalHeader()
        head.setHighlightSections(False)
        head.setStretchLastSection(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
        self._save_timer.timeout.connect(self.save_widths)
        self._restoring = False
        head.sectionResized.connect(lambda *_: self._restoring or self._save_timer.start())

    # ------------------------------------------------------------ widths

    def restore_widths(self) -> None:
        saved = ui_settings().value(f"{self.settings_key}/widths")
        widths = dict(self.default_widths)
        if isinstance(saved, (list, tuple)):
            for column, width in enumerate(saved):
                try:
                    widths[column] = max(24, int(width))
                except (TypeError, ValueError):
                    continue
        self._restoring = True
        try:
            for column, width in widths.items():
                self.setColumnWidth(column, width)
        finally:
            self._restoring = False

    def save_widths(self) -> None:
        model = self.model()
        if model is None:
            return
        ui_settings().setValue(f"{self.settings_key}/widths",
                               [str(self.columnWidth(c)) for c in range(model.columnCount())])

    # ------------------------------------------------------------ copy

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedRows()})

    def selection_as_tsv(self) -> str:
        model = self.model()
        head = self.horizontalHeader()
        columns = [head.logicalIndex(v) for v in range(head.count()) if not head.isSectionHidden(head.logicalIndex(v))]
        lines = ["\t".join(tsv_cell(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
        for row in self.selected_rows():
            lines.append("\t".join(tsv_cell(model.index(row, c).data()) for c in columns))
        return "\r\n".join(lines) + "\r\n"  # CRLF: what Excel and WPS put on the clipboard themselves

    def copy_selection(self) -> None:
        if self.selected_rows():
            QGuiApplication.clipboard().setText(self.selection_as_tsv())

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------ menu

    def build_menu(self) -> QMenu:
        menu = QMenu(self)
        copy = menu.addAction("复制")
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        copy.setEnabled(bool(self.selected_rows()))
        for item in self.actions_for_menu:
            if item is None:
                menu.addSeparator()
                continue
            label, slot, enabled = item
            action = menu.addAction(label)
            action.triggered.connect(slot)
            action.setEnabled(enabled())
        return menu

    def _menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if index.isValid() and not self.selectionModel().isRowSelected(index.row(), index.parent()):
            self.selectRow(index.row())
        self.build_menu().exec(self.viewport().mapToGlobal(pos))
