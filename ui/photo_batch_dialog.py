"""A day's photos → one proposed entry per day, to confirm in a list.

The worker picks the task and type; each day is a row (date, photos, where the time came
from, title and the fields the type requires), ticked by default. 生成台账 saves every ticked
row with its photos, or — when any row has a problem — none, naming each problem by row.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.catalog.schema import Task
from models.core.errors import AppError
from models.ledger.photo_batch import DayGroup, check_drafts, required_columns, save_days
from models.ledger.validation import EntryDraft
from models.store.workspace import Workspace
from models.progress.indicators import short_title
from ui.widgets.keys import enter_moves_on, tab_chain

DAY, PHOTOS, SOURCE, TITLE = range(4)


class PhotoBatchDialog(QDialog):
    def __init__(self, ws: Workspace, tasks: list[Task], groups: list[DayGroup], *, task_seq: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.tasks, self.groups = ws, tasks, groups
        self.created: list[int] = []
        self.setWindowTitle("按日期生成台账")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        n = sum(len(g.photos) for g in groups)
        intro = QLabel(f"{n} 张照片按拍摄日期分为 {len(groups)} 天，每天生成一条台账并附上当天的照片。"
                       "请选择任务和台账类型，补全必填项，取消勾选不需要的日期。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.task = QComboBox()
        self.task.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.task.setMinimumContentsLength(20)
        for task in tasks:
            self.task.addItem(f"{task.seq}. {short_title(task, 36)}", task.seq)  # full text in the tooltip
            self.task.setItemData(self.task.count() - 1, task.target_text, Qt.ItemDataRole.ToolTipRole)
        self.task.setCurrentIndex(max(self.task.findData(task_seq), 0))
        self.entry_type = QComboBox()
        for label, widget in (("任务", self.task), ("类型", self.entry_type)):
            row.addWidget(QLabel(label))
            row.addWidget(widget, 1 if widget is self.task else 0)
        layout.addLayout(row)
        self.table = QTableWidget()
        self.table.verticalHeader().hide()
        layout.addWidget(self.table, 1)
        self.problems = QLabel()
        self.problems.setObjectName("ErrorLabel")
        self.problems.setWordWrap(True)
        self.problems.hide()
        layout.addWidget(self.problems)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("生成台账", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.columns: list[tuple[str, str]] = []
        self.task.currentIndexChanged.connect(self._task_changed)
        self.entry_type.currentIndexChanged.connect(self._build_rows)
        enter_moves_on(self, [self.task, self.entry_type])
        tab_chain([self.task, self.entry_type, self.table, self.ok_button])
        self._task_changed()

    def current_task(self) -> Task:
        seq = self.task.currentData()
        return next(t for t in self.tasks if t.seq == seq)

    def _task_changed(self) -> None:
        self.entry_type.blockSignals(True)
        self.entry_type.clear()
        for etype in self.current_task().entry_types:
            self.entry_type.addItem(etype.name)
        self.entry_type.blockSignals(False)
        self._build_rows()

    def _build_rows(self) -> None:
        kept = {g.day: self.values(n) for n, g in enumerate(self.groups)} if self.table.rowCount() else {}
        titles = {g.day: self._text(n, TITLE) for n, g in enumerate(self.groups)} if self.table.rowCount() else {}
        self.columns = required_columns(self.current_task(), self.entry_type.currentText())
        headers = ["日期", "照片", "时间依据", "标题"] + [label for _, label in self.columns]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(self.groups))
        for n, group in enumerate(self.groups):
            day = QTableWidgetItem(group.day.isoformat())
            day.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            day.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(n, DAY, day)
            photos = QTableWidgetItem(f"{len(group.photos)} 张")
            photos.setToolTip("\n".join(f"{p.path.name}　{p.label}" for p in group.photos))
            photos.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(n, PHOTOS, photos)
            file_time = group.from_file_time
            source = QTableWidgetItem("拍摄时间" if not file_time else f"{file_time} 张无拍摄时间，按文件时间")
            source.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(n, SOURCE, source)
            self.table.setItem(n, TITLE, QTableWidgetItem(titles.get(group.day) or group.default_title(self.entry_type.currentText())))
            for c, (key, _) in enumerate(self.columns, start=TITLE + 1):
                self.table.setItem(n, c, QTableWidgetItem(kept.get(group.day, {}).get(key, "")))
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def values(self, row: int) -> dict[str, str]:
        return {key: self._text(row, c) for c, (key, _) in enumerate(self.columns, start=TITLE + 1)}

    def set_cell(self, row: int, key: str, text: str) -> None:
        """Fill a required field of one day (``key`` "title", "location", or a value code)."""
        column = TITLE if key == "title" else TITLE + 1 + [k for k, _ in self.columns].index(key)
        self.table.item(row, column).setText(text)

    def checked(self) -> list[int]:
        return [n for n in range(self.table.rowCount()) if self.table.item(n, DAY).checkState() == Qt.CheckState.Checked]

    def drafts(self) -> list[tuple[DayGroup, EntryDraft]]:
        seq, etype = self.task.currentData(), self.entry_type.currentText()
        return [(self.groups[n], self.groups[n].draft(task_seq=seq, entry_type=etype, title=self._text(n, TITLE),
                                                      values=self.values(n))) for n in self.checked()]

    def save(self) -> None:
        pairs = self.drafts()
        if not pairs:
            self.reject()
            return
        problems = check_drafts(self.ws.db, [d for _, d in pairs], self.tasks, year=self.ws.tasklist.year)
        if problems:
            lines = [f"{pairs[n][0].day:%m月%d日}：{field}{message}" for n, field, message in problems]
            self.problems.setText("未生成任何台账，请先补全：\n" + "\n".join(lines[:8])
                                  + (f"\n……共 {len(lines)} 处" if len(lines) > 8 else ""))
            self.problems.show()
            return
        actor = self.ws.require_profile().operator
        try:
            created = save_days(self.ws.db, self.ws.data_dir, self.ws.tasklist, self.tasks, pairs, actor=actor)
        except AppError as exc:
            self.problems.setText(f"未生成任何台账：{exc}")
            self.problems.show()
            return
        self.created = created
        self.accept()
