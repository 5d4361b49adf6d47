"""台账录入: the entry table (filters, SQL-side sort) beside the entry editor, with
Ctrl+N / Ctrl+S / Ctrl+D / Delete, deleted entries and restore, Excel template and import."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.core.errors import AppError
from models.ledger.drafts import clear_unsaved, load_unsaved
from models.ledger.entries import default_entry_date
from models.ledger.locks import locking_period
from models.progress.indicators import short_title
from ui.context import PageContext
from ui.entry_editor import EntryEditor
from ui.models.ledger_table_model import (
    COL_DATE,
    COL_EVIDENCE,
    COL_LOCATION,
    COL_MEASURES,
    COL_OPERATOR,
    COL_PARTICIPANTS,
    COL_TASK,
    COL_TITLE,
    COL_TYPE,
    LedgerTableModel,
)
from ui.pages.base import Page, WindowWidth, page_title
from ui.pages.ledger_excel import ExcelActions
from ui.pages.ledger_photos import PhotoActions
from ui.pages.ledger_rows import RowActions
from ui.widgets import dialogs
from ui.widgets.ledger_table import LedgerTable

COLUMN_WIDTHS = {COL_DATE: 92, COL_TASK: 46, COL_TYPE: 104, COL_TITLE: 200, COL_MEASURES: 150, COL_LOCATION: 100,
                 COL_PARTICIPANTS: 50, COL_EVIDENCE: 50, COL_OPERATOR: 64}


def _button(text: str, tip: str, slot: Callable[[], Any]) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class LedgerPage(RowActions, ExcelActions, PhotoActions, Page):
    title = "台账录入"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        ws = ctx.ws
        self.tasks = ws.tasks()
        # Dialog hooks: tests replace these instead of clicking modal boxes.
        self.confirm: Callable[[str, str], bool] = lambda title, text: dialogs.confirm(self, title, text)
        self.ask_unsaved: Callable[[], str] = lambda: dialogs.ask_unsaved(self)
        self.inform: Callable[[str, str], None] = lambda title, text: QMessageBox.information(self, title, text)
        self.warn: Callable[[str, str, str], None] = lambda title, text, details: dialogs.warn(self, title, text, details)
        self.ask_reason: Callable[[str, str], str | None] = lambda title, text: dialogs.ask_reason(self, title, text)
        self.open_file: Callable[[object], object] = lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(page_title("台账录入"))
        header.addStretch(1)
        self.new_button = _button("新建", "新建一条台账（Ctrl+N）", self.new_entry)
        self.copy_button = _button("复制为新台账", "以所选台账为模板新建，适合周期性活动（Ctrl+D）", self.copy_entry)
        self.delete_button = _button("删除", "删除所选台账，可恢复（Delete）", self.delete_selected)
        self.restore_button = _button("恢复", "恢复所选的已删除台账", self.restore_selected)
        self.import_button = _button("从 Excel 导入…", "从 .xlsx 文件批量导入台账", self.choose_import)
        self.template_button = _button("下载导入模板…", "生成带下拉选项的 Excel 导入模板", self.choose_template)
        for button in (self.new_button, self.copy_button, self.delete_button, self.restore_button):
            header.addWidget(button)
        header.addSpacing(12)
        header.addWidget(self.import_button)
        header.addWidget(self.template_button)
        layout.addLayout(header)
        self._button_words = {self.copy_button: ("复制为新台账", "复制"), self.import_button: ("从 Excel 导入…", "导入…"),
                              self.template_button: ("下载导入模板…", "模板…")}
        self.width_watch = WindowWidth(self, self._reflow)

        self.unsaved_bar = QWidget()
        self.unsaved_bar.setObjectName("Card")
        bar = QHBoxLayout(self.unsaved_bar)
        bar.setContentsMargins(10, 4, 10, 4)
        self.unsaved_label = QLabel()
        bar.addWidget(self.unsaved_label, 1)
        bar.addWidget(_button("恢复草稿", "", self.recover_unsaved))
        bar.addWidget(_button("丢弃", "", self.drop_unsaved))
        self.unsaved_bar.hide()
        layout.addWidget(self.unsaved_bar)

        filters = QHBoxLayout()
        year = ws.tasklist.year
        self.month = QComboBox()
        self.month.addItem("全部月份", None)
        for m in range(1, 13):
            self.month.addItem(f"{year}年{m}月", f"{year}-{m:02d}")
        self.task = QComboBox()
        self.task.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.task.setMinimumContentsLength(14)
        self.task.addItem("全部任务", None)
        for task in self.tasks:
            self.task.addItem(f"{task.seq}. {short_title(task, 36)}", task.seq)  # full text in the tooltip
            self.task.setItemData(self.task.count() - 1, task.target_text, Qt.ItemDataRole.ToolTipRole)
        self.entry_type = QComboBox()
        self.entry_type.setMinimumContentsLength(8)
        self.entry_type.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索标题、内容、地点…")
        self.search.setClearButtonEnabled(True)
        self.show_deleted = QCheckBox("显示已删除")
        self.count_label = QLabel()
        self.count_label.setObjectName("Hint")
        for label, widget in (("月份", self.month), ("任务", self.task), ("类型", self.entry_type)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.show_deleted)
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        self.model = LedgerTableModel(ws.reader, self.tasks, self)
        self.table = LedgerTable("ledger", COLUMN_WIDTHS)
        self.table.setModel(self.model)
        self.table.restore_widths()
        self.table.actions_for_menu = [
            ("复制为新台账", self.copy_entry, lambda: self._current() is not None),
            ("删除", self.delete_selected, lambda: any(not e.deleted_at for e in self._selected())),
            ("打开佐证材料", self.open_evidence, lambda: any(e.evidence_count for e in self._selected())),
        ]
        self.table.horizontalHeader().setSortIndicator(COL_DATE, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.editor = EntryEditor(ws, background_writing=lambda: self.ctx.runner.writes_in_flight > 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([650, 490])  # at 1366x768 the table keeps its main columns visible
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda: self._search_timer.start())
        self.month.currentIndexChanged.connect(self.apply_filters)
        self.task.currentIndexChanged.connect(self._task_filter_changed)
        self.entry_type.currentIndexChanged.connect(self.apply_filters)
        self.show_deleted.toggled.connect(self.apply_filters)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.editor.saved.connect(self._saved)
        self.editor.restore_requested.connect(self.restore_entry)
        self.editor.unlock_requested.connect(self.unlock_period)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_entry)
        QShortcut(QKeySequence("Ctrl+S"), self, self.editor.save)
        QShortcut(QKeySequence("Ctrl+D"), self, self.copy_entry)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.delete_selected)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._guard = False
        self.setAcceptDrops(True)  # a day's photos dropped on the page (ui/pages/ledger_photos.py)
        self._fill_types()
        self.apply_filters()
        self._just_loaded = True  # the first on_show need not read 50,000 ids again
        self._check_unsaved()

    # ------------------------------------------------------------ filters and table

    def _fill_types(self) -> None:
        seq = self.task.currentData()
        tasks = [t for t in self.tasks if seq is None or t.seq == seq]
        names = list(dict.fromkeys(et.name for t in tasks for et in t.entry_types))
        current = self.entry_type.currentData()
        self.entry_type.blockSignals(True)
        self.entry_type.clear()
        self.entry_type.addItem("全部类型", None)
        for name in names:
            self.entry_type.addItem(name, name)
        self.entry_type.setCurrentIndex(max(self.entry_type.findData(current), 0))
        self.entry_type.blockSignals(False)

    def _task_filter_changed(self) -> None:
        self._fill_types()
        self.apply_filters()

    def apply_filters(self) -> None:
        current = self.selected_entry_id()
        self.model.set_filters(
            month=self.month.currentData(), task_seq=self.task.currentData(),
            entry_type=self.entry_type.currentData(), text=self.search.text().strip(),
            include_deleted=self.show_deleted.isChecked(),
        )
        self._after_reload(current)

    def refresh(self, select: int | None = None) -> None:
        current = select if select is not None else self.selected_entry_id()
        self.model.refresh()
        self._after_reload(current)

    def _after_reload(self, entry_id: int | None) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"共 {n} 条")
        row = self.model.row_of(entry_id) if entry_id is not None else None
        if row is not None:
            self._guard = True
            try:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
            finally:
                self._guard = False
        self._update_buttons()

    def _deselect(self) -> None:
        """The editor holds a new entry: no row is current, so 复制 and 删除 have nothing to act
        on (a cleared selection alone left the last row current: 复制 copied an entry no longer
        shown, 删除 did nothing)."""
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self._update_buttons()

    def _current(self) -> Any:
        index = self.table.currentIndex()
        return self.model.entry_at(index.row()) if index.isValid() else None

    def _selected(self) -> list[Any]:
        entries = [self.model.entry_at(row) for row in self.table.selected_rows()]
        return [e for e in entries if e is not None]

    def selected_entry_id(self) -> int | None:
        index = self.table.currentIndex()
        entry = self.model.entry_at(index.row()) if index.isValid() else None
        return entry.id if entry else None

    def select_entry(self, entry_id: int) -> bool:
        row = self.model.row_of(entry_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._guard:
            return
        entry = self.model.entry_at(current.row()) if current.isValid() else None
        if entry is None or (self.editor.entry is not None and self.editor.entry.id == entry.id):
            self._update_buttons()
            return
        if not self._settle_unsaved():
            self._guard = True  # go back to the entry being edited
            try:
                if previous.isValid():
                    self.table.selectRow(previous.row())
                else:
                    self.table.clearSelection()
            finally:
                self._guard = False
            return
        self.editor.load_entry(entry.id)
        self._update_buttons()

    def _update_buttons(self) -> None:
        entry = self._current()
        if entry is None:  # Ctrl+A after 新建: rows selected, none current
            rows = self.table.selected_rows()
            entry = self.model.entry_at(rows[0]) if rows else None
        self.copy_button.setEnabled(entry is not None)
        # A submitted month's entry cannot be deleted: say so on the button, not after a
        # confirmation. Asked of the ledger (one small query), not of the editor, whose entry
        # may have been locked from 报表 since it was shown; several rows are checked on delete.
        deletable = entry is not None and not entry.deleted_at
        locked = deletable and locking_period(self.ctx.ws.reader, entry.entry_date.strftime("%Y-%m")) is not None
        self.delete_button.setEnabled(deletable and not locked)
        self.delete_button.setToolTip("该月台账已报送并锁定，需先在“报表”页面解锁" if locked
                                      else "删除所选台账，可恢复（Delete）")
        self.restore_button.setVisible(self.show_deleted.isChecked())
        self.restore_button.setEnabled(entry is not None and bool(entry.deleted_at))

    # ------------------------------------------------------------ actions

    def _settle_unsaved(self) -> bool:
        """Before leaving unsaved edits: save, discard, or stay. True when it is safe to go."""
        if not self.editor.is_dirty():
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.editor.save() is not None
        if answer == "discard":
            self.editor.discard()
            return True
        return False

    def may_leave(self) -> bool:
        return self._settle_unsaved()

    def _default_date(self) -> dt.date:
        year = self.ctx.ws.tasklist.year
        today = dt.date.today()
        month = self.month.currentData()
        if month:
            first = dt.date.fromisoformat(f"{month}-01")
            return today if today.strftime("%Y-%m") == month else first
        return default_entry_date(self.ctx.ws.reader, year=year, today=today)

    def new_entry(self) -> None:
        if not self._settle_unsaved():
            return
        seq = self.task.currentData() or self.editor.task.currentData()
        self.editor.new_entry(task_seq=seq, date=self._default_date())
        self._deselect()
        self.editor.title.setFocus()

    def copy_entry(self) -> None:
        entry = self._current()
        if entry is None or not self._settle_unsaved():
            return
        draft = entry.draft()
        today = dt.date.today()
        if today.year == entry.year:  # a recurring activity is usually recorded on the day
            draft.entry_date = today
        self.editor.new_entry(template=draft)  # a locked month's date moves to an open month
        self._deselect()
        self.editor.title.setFocus()
        self.editor.title.selectAll()

    def _saved(self, entry_id: int) -> None:
        self.refresh(select=entry_id)

    # ------------------------------------------------------------ unsaved drafts

    def _check_unsaved(self) -> None:
        state = load_unsaved(self.ctx.ws.reader)
        if not state:
            self.unsaved_bar.hide()
            return
        title = (state.get("draft") or {}).get("title") or "（无标题）"
        kept = str(state.get("kept_at", "")).replace("T", " ")
        self.unsaved_label.setText(f"发现上次未保存的台账“{title}”（{kept}），可恢复后继续编辑。")
        self.unsaved_bar.show()

    def recover_unsaved(self) -> None:
        state = load_unsaved(self.ctx.ws.reader)
        self.unsaved_bar.hide()
        if state:
            try:
                self.editor.restore_state(state)
            except AppError as exc:  # the entry was deleted meanwhile, or similar
                self.warn("无法恢复草稿", str(exc), "")

    def drop_unsaved(self) -> None:
        clear_unsaved(self.ctx.ws.db)
        self.unsaved_bar.hide()

    # ------------------------------------------------------------ navigation

    def on_show(self, **kwargs: object) -> None:
        just_loaded, self._just_loaded = self._just_loaded, False
        task = kwargs.get("task")
        if task is not None:
            index = self.task.findData(int(task))  # type: ignore[call-overload]
            if index >= 0 and index != self.task.currentIndex():
                self.task.setCurrentIndex(index)  # refilters via _task_filter_changed
            else:
                self.apply_filters()
            if kwargs.get("new"):  # 任务清单's 记台账…: an empty form for that task
                if self._settle_unsaved():
                    self.editor.new_entry(task_seq=int(task), date=self._default_date())  # type: ignore[call-overload]
                    self._deselect()
                    self.editor.title.setFocus()
                return
            self._show_first_of_task(int(task))  # type: ignore[call-overload]
            return
        if not just_loaded:
            self.apply_filters()  # entries may have changed elsewhere (CLI, import, other pages)

    def _show_first_of_task(self, seq: int) -> None:
        """Coming from 工作台 for task ``seq``: its first entry, or an empty form for it —
        never another task's entry left in the editor."""
        if self.editor.entry is not None and self.editor.entry.task_seq == seq and self.model.row_of(self.editor.entry.id) is not None:
            self.table.selectRow(self.model.row_of(self.editor.entry.id))
            return
        if self.model.rowCount() > 0:
            self.table.selectRow(0)
        if self.editor.entry is None or self.editor.entry.task_seq != seq:
            if self.editor.is_dirty():  # the page was reached through may_leave: settled already
                return
            self.editor.new_entry(task_seq=seq, date=self._default_date())
            self._deselect()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.width_watch.check()

    def _reflow(self, narrow: bool) -> None:
        """A narrow window (125/150 % scaling): the header buttons say less, the tooltips say it
        all; the task filter shows fewer characters of a task's name (its list shows them all)."""
        for button, (wide, short) in self._button_words.items():
            button.setText(short if narrow else wide)
        # An explicit minimum width wins over the combo's own hint (which Qt keeps cached even
        # when its minimum contents length changes); 0 gives the hint back.
        self.task.setMinimumWidth(self.task.fontMetrics().horizontalAdvance("中" * 5) + 36 if narrow else 0)

    def hideEvent(self, event: QHideEvent) -> None:
        self._search_timer.stop()  # on_show applies the typed search when the page returns
        super().hideEvent(event)
