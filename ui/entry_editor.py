"""The entry editor: one form for every task. The value fields and the required-field
markers come from the task list data; validation is ``models.ledger.validation.clean_entry``, and
its messages appear under the fields they name. Files dropped on the editor are saved
with the entry, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.catalog.schema import STANDARD_FIELDS, Task
from models.core.errors import AppError, ValidationError
from models.ledger.evidence import add_entry_with_files, list_attachments, update_entry_with_files
from models.ledger.drafts import clear_unsaved
from models.ledger.validation import TEXT_LIMITS, EntryDraft
from models.ledger.entries import LedgerEntry, default_entry_date, get_entry
from models.ledger.locks import locking_period, open_entry_date
from models.store.workspace import Workspace
from models.progress.indicators import short_title
from models.store.connection import preload_database_library
from ui.entry_checks import FieldMessages, LiveChecks, ReadOnlyBanner, error_label, lock_text
from ui.entry_drafts import DraftKeeping
from ui.evidence_widgets import EvidencePanel
from ui.widgets.keys import PlainTextField, enter_moves_on, tab_chain
from ui.widgets.measure_fields import MeasureFields

ALWAYS_REQUIRED = ("任务", "日期", "台账类型", "标题")


def _marked(text: str, required: bool) -> str:
    return f"{text}<span style='color:#c53030'> *</span>" if required else text


class EntryEditor(FieldMessages, DraftKeeping, QWidget):
    saved = Signal(int)
    dirty_changed = Signal(bool)
    restore_requested = Signal(int)
    unlock_requested = Signal(str, str)  # kind, period of the submitted report that locks the entry

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *, background_writing: Callable[[], bool] | None = None):
        super().__init__(parent)
        self.ws = ws
        # True while a background job writes the ledger: keeping the draft then would wait
        # for the job's transaction on the GUI thread, so it is postponed instead.
        self._background_writing = background_writing or (lambda: False)
        self.tasks: list[Task] = ws.tasks()
        self.entry: LedgerEntry | None = None
        self._dirty = False
        self._loading = False
        self.labels: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        self._measure_keys: list[str] = []
        self.locked: tuple[str, str] | None = None
        self.required: set[str] = set(ALWAYS_REQUIRED)
        self.setAcceptDrops(True)
        self._keep_timer = QTimer(self)
        self._keep_timer.setSingleShot(True)
        self._keep_timer.setInterval(1500)
        self._keep_timer.timeout.connect(self.keep_unsaved)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setObjectName("CategoryHeader")
        outer.addWidget(self.heading)
        self.banner = ReadOnlyBanner()
        self.banner_label, self.restore_button, self.unlock_button = \
            self.banner.label, self.banner.restore_button, self.banner.unlock_button
        self.restore_button.clicked.connect(lambda: self.entry and self.restore_requested.emit(self.entry.id))
        self.unlock_button.clicked.connect(lambda: self.locked and self.unlock_requested.emit(*self.locked))
        outer.addWidget(self.banner)
        self.general_error = error_label()
        outer.addWidget(self.general_error)

        self.form = QWidget()
        grid = QGridLayout(self.form)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.grid = grid
        self.task = QComboBox()
        self.task.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.task.setMinimumContentsLength(16)
        for task in self.tasks:
            self.task.addItem(f"{task.seq}. {short_title(task, 36)}", task.seq)  # full text in the tooltip
            self.task.setItemData(self.task.count() - 1, task.target_text, Qt.ItemDataRole.ToolTipRole)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        year = ws.tasklist.year
        # Any typed year is kept and marked when outside the list's year, never silently reverted.
        self.date.setDateRange(QDate(2000, 1, 1), QDate(2099, 12, 31))
        self.date.calendarWidget().setMinimumSize(300, 220)  # six week rows, never a cut last week
        self.year = year
        self.entry_type = QComboBox()
        self.title = QLineEdit()
        self.title.setMaxLength(TEXT_LIMITS["title"])
        self.title.setPlaceholderText("如：南大街社区6月入户宣传")
        self.content = PlainTextField()
        # The theme's min-height would override setFixedHeight; say it in the widget's own sheet.
        self.content.setStyleSheet("QPlainTextEdit { min-height: 50px; max-height: 50px; }")
        self.content.setPlaceholderText("做了什么、效果如何")
        self.location = QLineEdit()
        self.organizer = QLineEdit()
        self.participants = QLineEdit()
        self.participants.setMaxLength(10)
        self.participants.setPlaceholderText("人")
        self.remarks = QLineEdit()
        self.remarks.setMaxLength(TEXT_LIMITS["remarks"])
        for widget, key in ((self.location, "location"), (self.organizer, "organizer")):
            widget.setMaxLength(TEXT_LIMITS[key])

        self._row = 0
        self._add("任务", "任务(&T)", self.task, span=True)
        self._add("日期", "日期(&A)", self.date, pair=("台账类型", "类型(&Y)", self.entry_type))
        self._add("标题", "标题(&I)", self.title, span=True)
        self._add("工作内容", "工作内容", self.content, span=True)
        self._add("地点", "地点(&L)", self.location, pair=("组织单位", "组织单位", self.organizer))
        self._add("参与人数", "参与人数", self.participants)
        self._add("备注", "备注", self.remarks, span=True)
        # Fields scroll; the heading and the save buttons stay in view on a 768-pixel screen.
        body = QWidget()
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(0, 0, 6, 0)
        self.body.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # scroll, never squeeze rows
        self.body.addWidget(self.form)

        self.measures_box = MeasureFields()
        self.measures_box.changed.connect(self._touched)
        self.body.addWidget(self.measures_box)

        self.evidence = EvidencePanel(ws.data_dir)
        self.evidence.changed.connect(self._touched)
        self.body.addWidget(self.evidence)
        self.photo_warning = error_label()
        self.body.addWidget(self.photo_warning)
        self.body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)

        buttons = QHBoxLayout()
        self.state_label = QLabel()
        self.state_label.setObjectName("Hint")
        buttons.addWidget(self.state_label, 1)
        self.discard_button = QPushButton("放弃修改")
        self.discard_button.clicked.connect(self.discard)
        self.save_button = QPushButton("保存（Ctrl+S）")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

        self.task.currentIndexChanged.connect(self._task_changed)
        self.entry_type.currentIndexChanged.connect(self._type_changed)
        for line in (self.title, self.location, self.organizer, self.participants, self.remarks):
            line.textChanged.connect(self._touched)
        self.content.textChanged.connect(self._touched)
        self.date.dateChanged.connect(self._touched)
        self.checks = LiveChecks(self)
        # Photo dates are read when the date or the files change, not on every keystroke.
        self.date.dateChanged.connect(lambda: self._loading or self.checks.photos())
        self.evidence.changed.connect(self.checks.photos)
        enter_moves_on(self, [self.task, self.date, self.entry_type, self.title, self.location, self.organizer,
                              self.participants, self.remarks])
        self.new_entry()
        self.scroll.setMinimumWidth(body.minimumSizeHint().width() + 16)

    # ------------------------------------------------------------ layout helpers

    def _cell(self, key: str, label_text: str, widget: QWidget, row: int, col: int, span: int) -> None:
        label = QLabel(label_text)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setBuddy(widget)
        error = error_label()
        self.grid.addWidget(label, row, col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.grid.addWidget(widget, row, col + 1, 1, span)
        self.grid.addWidget(error, row + 1, col + 1, 1, span)
        self.labels[key], self.errors[key], self.inputs[key] = label, error, widget
        label.setProperty("plain", label_text)

    def _add(self, key: str, label: str, widget: QWidget, *, span: bool = False,
             pair: tuple[str, str, QWidget] | None = None) -> None:
        self._cell(key, label, widget, self._row, 0, 3 if span else 1)
        if pair:
            self._cell(pair[0], pair[1], pair[2], self._row, 2, 1)
        self._row += 2

    # ------------------------------------------------------------ task-driven fields

    def current_task(self) -> Task | None:
        seq = self.task.currentData()
        return next((t for t in self.tasks if t.seq == seq), None)

    def _task_changed(self) -> None:
        task = self.current_task()
        kept = {code: w.text() for code, w in self.measure_inputs.items()}
        previous_type = self.entry_type.currentText()
        self.entry_type.blockSignals(True)
        self.entry_type.clear()
        for etype in task.entry_types if task else ():
            self.entry_type.addItem(etype.name)
        index = self.entry_type.findText(previous_type)
        self.entry_type.setCurrentIndex(max(index, 0))
        self.entry_type.blockSignals(False)
        self._build_measures(task, kept)
        self._type_changed()

    @property
    def measure_inputs(self) -> dict[str, QLineEdit]:
        return self.measures_box.inputs

    def _build_measures(self, task: Task | None, values: dict[str, str]) -> None:
        for key in self._measure_keys:
            for store in (self.labels, self.errors, self.inputs):
                store.pop(key, None)
        self.measures_box.build(task, values)
        self._measure_keys = list(self.measures_box.cells)
        for key, (label, error, line) in self.measures_box.cells.items():
            self.labels[key], self.errors[key], self.inputs[key] = label, error, line
        enter_moves_on(self, self.measures_box.lines())
        self._tab_order()

    def _tab_order(self) -> None:
        """Top to bottom: the form, the values, then the evidence, then save."""
        ev = self.evidence
        tab_chain([self.task, self.date, self.entry_type, self.title, self.content, self.location, self.organizer,
                   self.participants, self.remarks, *self.measures_box.lines(), ev.list, ev.add_button,
                   ev.open_button, ev.remove_button, self.discard_button, self.save_button])

    def _type_changed(self) -> None:
        task = self.current_task()
        etype = task.entry_type(self.entry_type.currentText()) if task else None
        required = set(ALWAYS_REQUIRED)
        for key in etype.required if etype else ():
            spec = task.field(key) if task else None
            required.add(STANDARD_FIELDS.get(key) or (spec.name if spec else key))
        for key, label in self.labels.items():
            label.setText(_marked(label.property("plain"), key in required))
        self.required = required
        self._touched()

    # ------------------------------------------------------------ loading

    def new_entry(self, *, task_seq: int | None = None, date: dt.date | None = None,
                  template: EntryDraft | None = None) -> None:
        """An empty form, or a copy of ``template`` (Ctrl+D) as a new, unsaved entry."""
        self.entry = None
        draft = template or EntryDraft(task_seq=task_seq, entry_date=date, entry_type="", title="")
        if not isinstance(draft.entry_date, dt.date):
            draft.entry_date = default_entry_date(self.ws.reader, year=self.year)
        draft.entry_date = open_entry_date(self.ws.reader, draft.entry_date)  # never a month it cannot be saved in
        self._fill(draft)
        self.evidence.set_attachments([])
        self.locked = None
        self._set_read_only(False)
        self.heading.setText("新建台账" if template is None else "新建台账（复制自所选台账）")
        self.checks.photos()
        self._set_dirty(template is not None)

    def load_entry(self, entry_id: int) -> None:
        entry = get_entry(self.ws.reader, entry_id)
        self.entry = entry
        self._fill(entry.draft())
        self.locked = locking_period(self.ws.reader, entry.entry_date.strftime("%Y-%m")) if not entry.deleted_at else None
        read_only = bool(entry.deleted_at) or self.locked is not None
        self.evidence.set_attachments(list_attachments(self.ws.reader, entry.id), read_only=read_only)
        self._set_read_only(read_only)
        lock = "　【已锁定】" if self.locked else ""
        self.heading.setText(f"台账 #{entry.id}　{entry.entry_date}　{entry.operator}{lock}")
        self.state_label.setText(f"最后修改：{entry.updated_at.replace('T', ' ')}")
        self._set_dirty(False)
        self.checks.photos()

    def _fill(self, draft: EntryDraft) -> None:
        self._loading = True
        try:
            self.clear_errors()
            index = self.task.findData(draft.task_seq)
            self.task.setCurrentIndex(max(index, 0))
            self._task_changed()
            type_index = self.entry_type.findText(str(draft.entry_type or ""))
            if type_index >= 0:
                self.entry_type.setCurrentIndex(type_index)
            date = draft.entry_date if isinstance(draft.entry_date, dt.date) else None
            self.date.setDate(QDate(date or default_entry_date(self.ws.reader, year=self.ws.tasklist.year)))
            self.title.setText(str(draft.title or ""))
            self.content.setPlainText(str(draft.content or ""))
            self.location.setText(str(draft.location or ""))
            self.organizer.setText(str(draft.organizer or ""))
            self.participants.setText("" if draft.participants in (None, "") else str(draft.participants))
            self.remarks.setText(str(draft.remarks or ""))
            for code, line in self.measure_inputs.items():
                value = (draft.measures or {}).get(code)
                line.setText("" if value in (None, "") else (f"{value:g}" if isinstance(value, float) else str(value)))
        finally:
            self._loading = False

    def _set_read_only(self, read_only: bool) -> None:
        self.banner.setVisible(read_only)
        self.restore_button.setVisible(self.locked is None)
        self.unlock_button.setVisible(self.locked is not None)
        if self.locked is not None:
            self.banner_label.setText(lock_text(self.ws, *self.locked))
        else:
            self.banner_label.setText("此台账已删除，不计入统计。恢复后才能修改。")
        self.form.setEnabled(not read_only)
        self.measures_box.setEnabled(not read_only)
        self.save_button.setEnabled(not read_only)
        self.discard_button.setEnabled(not read_only)
        if not read_only:
            self.state_label.setText("")

    # ------------------------------------------------------------ state

    def draft(self) -> EntryDraft:
        return EntryDraft(
            task_seq=self.task.currentData(), entry_date=self.date.date().toPython(),
            entry_type=self.entry_type.currentText(), title=self.title.text(), content=self.content.toPlainText(),
            location=self.location.text(), organizer=self.organizer.text(),
            participants=self.participants.text() or None,
            measures=self.measures_box.values(),
            remarks=self.remarks.text(),
        )

    def is_dirty(self) -> bool:
        return self._dirty

    def _touched(self) -> None:
        if not self._loading and self.save_button.isEnabled():
            self._set_dirty(True)
            self._keep_timer.start()
            self.checks.run()

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        if dirty:
            self.state_label.setText("有未保存的修改")
            preload_database_library()  # the typing is kept, then saved: both write

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        # Measured once styled (the theme widens fields): the form is never clipped at 125 %.
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.scroll.setMinimumWidth(self.scroll.widget().minimumSizeHint().width() + bar + 4)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the page or closing the window: keep the typing now, not 1.5 s later.
        if self._keep_timer.isActive():
            self.keep_unsaved(force=True)
        super().hideEvent(event)

    # ------------------------------------------------------------ save

    def save(self) -> int | None:
        """Validate and write; on failure show each problem next to its field."""
        if not self.save_button.isEnabled():
            return None
        self.clear_errors()
        actor = self.ws.require_profile().operator
        draft = self.draft()
        try:
            if self.entry is None:
                entry_id = add_entry_with_files(self.ws.db, self.ws.data_dir, self.ws.tasklist, self.tasks, draft,
                                                self.evidence.pending_paths(), actor=actor)
            else:
                entry_id = self.entry.id
                update_entry_with_files(self.ws.db, self.ws.data_dir, self.ws.tasklist, self.tasks, entry_id, draft,
                                        add=self.evidence.pending_paths(), remove=self.evidence.removed_ids(),
                                        actor=actor)
        except ValidationError as exc:
            self.show_errors(exc.problems)
            return None
        except AppError as exc:
            self.show_errors([("", str(exc))])
            return None
        self._keep_timer.stop()
        clear_unsaved(self.ws.db)
        self.load_entry(entry_id)
        self.state_label.setText("已保存")
        self.saved.emit(entry_id)
        return entry_id

    def discard(self) -> None:
        self._keep_timer.stop()
        clear_unsaved(self.ws.db)
        if self.entry is not None:
            self.load_entry(self.entry.id)
        else:
            self.new_entry(task_seq=self.task.currentData(), date=self.date.date().toPython())
            self._set_dirty(False)

    # ------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self.evidence.read_only and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.evidence.add_paths(paths)
            event.acceptProposedAction()
