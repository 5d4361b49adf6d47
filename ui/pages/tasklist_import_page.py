"""任务清单 → 导入新年度清单 (区垃分办): confirm the draft task by task beside the source text.

The clerk picks the district's .docx/.xlsx, then for each task sees the text as printed and
the proposals read from it; accepts, edits or removes each indicator (checked as they type),
corrects applicability, deadline, entry types and fields, splits district-wide targets among
the street offices in a table that must add up, and publishes the package. Every rule and
check lives in ``models.catalog`` (proposals, draft_edit, packages); this module only shows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.catalog import draft_edit
from models.catalog.drafts import DraftError, import_draft, load_draft, save_draft
from models.catalog.schema import PERIODS, UNIT_KINDS
from models.catalog.tasklists import available_years
from models.catalog.units import load_units
from models.core.errors import AppError
from models.exchange.tasklists import publish_signed
from models.store.workspace import Workspace
from ui.tasklist_widgets import FieldsEditor, IndicatorEditor, QuotaEditor, text_label

SOURCE_FILTER = "任务清单 (*.docx *.xlsx);;Word 文档 (*.docx);;Excel 工作簿 (*.xlsx)"
STATUS_LABELS = {"proposed": "建议", "accepted": "已确认", "needs_target": "待填目标", "carried": "沿用上年，待核对"}


class TasklistImportDialog(QDialog):
    def __init__(self, ws: Workspace, parent: QWidget | None = None, *, year: int | None = None):
        super().__init__(parent)
        self.ws = ws
        self.units = load_units()
        self.draft: dict[str, Any] | None = None
        self.seq: int | None = None
        self.setWindowTitle("导入新年度任务清单")
        self.resize(1280, 720)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("清单年度"))
        self.year_box = QSpinBox()
        self.year_box.setRange(2020, 2100)
        self.year_box.setSuffix(" 年")
        self.year_box.setValue(year or max([*available_years(data_dir=ws.data_dir), dt.date.today().year - 1]) + 1)
        self.year_box.valueChanged.connect(lambda _: self.load())
        top.addWidget(self.year_box)
        self.open_button = QPushButton("选择区里的清单文件（Word/Excel）…")
        self.open_button.setProperty("primary", True)
        self.open_button.clicked.connect(self.choose_source)
        top.addWidget(self.open_button)
        self.summary = text_label(name="Hint")
        top.addWidget(self.summary, 1)
        layout.addLayout(top)

        split = QSplitter()
        self.task_list = QListWidget()
        self.task_list.setMaximumWidth(260)
        self.task_list.currentRowChanged.connect(self._task_chosen)
        split.addWidget(self.task_list)
        split.addWidget(self._task_panel())
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        self.quota_box = QuotaEditor(self.units)
        self.quota_box.changed.connect(lambda: self.status.setText("有未保存的修改。"))
        layout.addWidget(self.quota_box)

        bottom = QHBoxLayout()
        self.status = text_label()
        bottom.addWidget(self.status, 1)
        self.save_button = QPushButton("保存草稿")
        self.save_button.clicked.connect(self.save)
        self.publish_button = QPushButton("发布清单文件…")
        self.publish_button.setProperty("primary", True)
        self.publish_button.clicked.connect(self.publish)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        for button in (self.save_button, self.publish_button, close):
            bottom.addWidget(button)
        layout.addLayout(bottom)
        self.load()

    # ------------------------------------------------------------ building

    def _task_panel(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        columns = QHBoxLayout(body)
        source = QGroupBox("原文（区里下发的清单）")
        source_form = QFormLayout(source)
        self.src_seq = text_label()
        self.src_category = text_label()
        self.src_text = QPlainTextEdit()  # a long text must never be clipped by the layout
        self.src_text.setReadOnly(True)
        self.src_text.setMinimumHeight(110)
        self.src_text.setMaximumHeight(150)
        self.src_responsible = text_label()
        self.src_deadline = text_label()
        for label, widget in (("序号", self.src_seq), ("任务名称", self.src_category), ("目标内容", self.src_text),
                              ("主要责任单位", self.src_responsible), ("完成期限", self.src_deadline)):
            source_form.addRow(label, widget)
        self.flags = text_label(name="ErrorLabel")
        source_form.addRow("需核对", self.flags)
        left = QVBoxLayout()
        left.addWidget(source)
        right = QVBoxLayout()
        indicators = QGroupBox("建议的量化指标")
        ind_layout = QVBoxLayout(indicators)
        self.indicator_list = QListWidget()
        self.indicator_list.setMaximumHeight(72)
        self.indicator_list.currentRowChanged.connect(self._indicator_chosen)
        ind_layout.addWidget(self.indicator_list)
        self.editor = IndicatorEditor(self)
        ind_layout.addWidget(self.editor)

        applies = QGroupBox("适用单位与完成期限")
        applies_layout = QVBoxLayout(applies)
        kinds_row = QHBoxLayout()
        self.kind_boxes: dict[str, QCheckBox] = {}
        for kind in ("street", "town", "department"):
            box = QCheckBox(f"全部{UNIT_KINDS[kind]}")
            box.toggled.connect(self._applies_changed)
            kinds_row.addWidget(box)
            self.kind_boxes[kind] = box
        kinds_row.addStretch(1)
        applies_layout.addLayout(kinds_row)
        self.unit_list = QListWidget()
        self.unit_list.setMaximumHeight(110)
        for unit in self.units:
            if unit.kind == "district":
                continue
            item = QListWidgetItem(unit.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.unit_list.addItem(item)
        self.unit_list.itemChanged.connect(lambda _item: self._applies_changed())
        applies_layout.addWidget(self.unit_list)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(QLabel("完成期限"))
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.dateChanged.connect(self._deadline_changed)
        deadline_row.addWidget(self.deadline)
        deadline_row.addStretch(1)
        applies_layout.addLayout(deadline_row)
        self.applies_error = text_label(name="ErrorLabel")
        applies_layout.addWidget(self.applies_error)

        right.addWidget(indicators)
        right.addWidget(applies)
        entries = QGroupBox("台账类型与填报数值")
        entries_form = QFormLayout(entries)
        self.types = QLineEdit()
        self.types.setToolTip("用顿号或逗号分隔")
        self.types.textChanged.connect(self._types_typed)
        self.types.editingFinished.connect(self._types_done)
        entries_form.addRow("台账类型", self.types)
        self.types_error = text_label(name="ErrorLabel")
        entries_form.addRow("", self.types_error)
        self.field_list = FieldsEditor()
        self.field_list.problem.connect(self.types_error.setText)
        self.field_list.changed.connect(lambda: self.status.setText("有未保存的修改。"))
        entries_form.addRow("填报数值", self.field_list)
        remove_field = QPushButton("删除所选数值")
        remove_field.clicked.connect(self._remove_field)
        entries_form.addRow("", remove_field)
        left.addWidget(entries)
        left.addStretch(1)
        right.addStretch(1)
        for column in (left, right):
            holder = QWidget()
            holder.setLayout(column)
            columns.addWidget(holder, 1)
        scroll.setWidget(body)
        return scroll

    # ------------------------------------------------------------ state

    @property
    def year(self) -> int:
        return self.year_box.value()

    def current_task(self) -> dict[str, Any] | None:
        if self.draft is None or self.seq is None:
            return None
        return draft_edit.task(self.draft, self.seq)

    def current_indicator(self) -> dict[str, Any] | None:
        task = self.current_task()
        row = self.indicator_list.currentRow()
        if task is None or not 0 <= row < len(task["indicators"]):
            return None
        return task["indicators"][row]

    def load(self) -> None:
        self.draft = load_draft(self.ws.data_dir, self.year)
        self.refresh_tasks()

    def choose_source(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择区里下发的任务清单", "", SOURCE_FILTER)
        if path:
            self.import_source(Path(path))

    def import_source(self, path: Path) -> None:
        try:
            self.draft = import_draft(self.ws.data_dir, path, self.year, units=self.units)
        except AppError as exc:
            QMessageBox.warning(self, "导入新年度清单", str(exc))
            return
        self.status.setText(f"已读取 {path.name}，请逐项核对。")
        self.refresh_tasks()

    def refresh_tasks(self) -> None:
        self.task_list.blockSignals(True)
        self.task_list.clear()
        draft = self.draft
        if draft is None:
            self.summary.setText(f"尚无 {self.year} 年的草稿：请选择区里下发的清单文件。")
        else:
            for t in draft["tasks"]:
                mark = "⚠ " if [f for f in t["flags"] if f["kind"] != "no_indicator"] else ""
                self.task_list.addItem(f"{mark}{t['seq']}. {t['target_text'][:14]}…（{len(t['indicators'])}项指标）")
            n_ind = sum(len(t["indicators"]) for t in draft["tasks"])
            self.summary.setText(f"{draft['title']}：任务 {len(draft['tasks'])} 项，建议指标 {n_ind} 项"
                                 f"（来源：{draft.get('source_file', '')}）")
        self.task_list.blockSignals(False)
        for button in (self.save_button, self.publish_button):
            button.setEnabled(draft is not None)
        if draft is not None and draft["tasks"]:
            index = next((i for i, t in enumerate(draft["tasks"]) if t["seq"] == self.seq), 0)
            self.task_list.setCurrentRow(index)
            self._task_chosen(index)
        else:
            self.seq = None
        self.refresh_quotas()

    def _task_chosen(self, row: int) -> None:
        if self.draft is None or not 0 <= row < len(self.draft["tasks"]):
            return
        task = self.draft["tasks"][row]
        self.seq = task["seq"]
        self.src_seq.setText(str(task["seq"]))
        self.src_category.setText(task["category"])
        self.src_text.setPlainText(task["target_text"])
        self.src_responsible.setText(task["responsible"] or "（空白：各地各部门）")
        self.src_deadline.setText(task["deadline_text"])
        self.flags.setText("\n".join(f["message"] for f in task["flags"]) or "—")
        for kind, box in self.kind_boxes.items():
            box.blockSignals(True)
            box.setChecked(kind in task["applies_to"]["kinds"])
            box.blockSignals(False)
        self.unit_list.blockSignals(True)
        for i in range(self.unit_list.count()):
            item = self.unit_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in task["applies_to"]["units"] else Qt.CheckState.Unchecked)
        self.unit_list.blockSignals(False)
        self.deadline.blockSignals(True)
        self.deadline.setDate(QDate.fromString(task["deadline"], "yyyy-MM-dd"))
        self.deadline.blockSignals(False)
        self.applies_error.clear()
        self._show_indicators(task)
        self.types.blockSignals(True)
        self.types.setText("、".join(e["name"] for e in task["entry_types"]))
        self.types.blockSignals(False)
        self.types_error.clear()
        self._show_fields(task)

    def _show_indicators(self, task: dict[str, Any], row: int = 0) -> None:
        self.indicator_list.blockSignals(True)
        self.indicator_list.clear()
        for ind in task["indicators"]:
            target = ind.get("target")
            target_text = "待填写" if target is None and not ind.get("district_target") else (
                f"{target:g}" if target is not None else f"全区{ind['district_target']:g}")
            status = STATUS_LABELS.get(ind.get("status", "proposed"), "建议")
            self.indicator_list.addItem(f"［{status}］{ind['name']} {ind['comparison']} {target_text}{ind['unit']}"
                                        f"（{PERIODS[ind['period']]}）")
        self.indicator_list.blockSignals(False)
        if task["indicators"]:
            row = min(row, len(task["indicators"]) - 1)
            self.indicator_list.setCurrentRow(row)
            self.editor.show_indicator(row, task["indicators"][row])
        else:
            self.editor.show_indicator(None, None)

    def _show_fields(self, task: dict[str, Any]) -> None:
        self.field_list.show_task(self.draft, task["seq"])

    def _indicator_chosen(self, row: int) -> None:
        task = self.current_task()
        if task is not None and 0 <= row < len(task["indicators"]):
            self.editor.show_indicator(row, task["indicators"][row])

    def changed(self, *, reselect: bool = False) -> None:
        task = self.current_task()
        if task is None:
            return
        row = self.indicator_list.currentRow()
        self._show_indicators(task, 0 if reselect else max(row, 0))
        self.task_list.item(self.task_list.currentRow()).setText(
            f"{self.seq}. {task['target_text'][:14]}…（{len(task['indicators'])}项指标）")
        self.refresh_quotas()
        self.status.setText("有未保存的修改。")

    def _applies_changed(self) -> None:
        task = self.current_task()
        if task is None:
            return
        kinds = [k for k, box in self.kind_boxes.items() if box.isChecked()]
        units = [self.unit_list.item(i).text() for i in range(self.unit_list.count())
                 if self.unit_list.item(i).checkState() == Qt.CheckState.Checked]
        problems = draft_edit.set_applies(self.draft, self.seq, kinds, units)
        self.applies_error.setText("\n".join(m for _, m in problems))
        if not problems:
            self.refresh_quotas()
            self.status.setText("有未保存的修改。")

    def _deadline_changed(self, date: QDate) -> None:
        if self.current_task() is None:
            return
        problems = draft_edit.set_deadline(self.draft, self.seq, dt.date(date.year(), date.month(), date.day()))
        self.applies_error.setText("\n".join(m for _, m in problems))

    def _type_names(self) -> list[str]:
        return [n for n in self.types.text().replace("，", "、").replace(",", "、").split("、")]

    def _types_typed(self) -> None:
        task = self.current_task()
        if task is None:
            return
        names = [n.strip() for n in self._type_names() if n.strip()]
        candidate = {**task, "entry_types": [{"name": n, "required": []} for n in names]}
        problems = [m for f, m in draft_edit.check_task(candidate, year=self.year, units=self.units) if f == "台账类型"]
        self.types_error.setText("\n".join(problems))

    def _types_done(self) -> None:
        if self.current_task() is None:
            return
        problems = draft_edit.set_entry_types(self.draft, self.seq, self._type_names())
        self.types_error.setText("\n".join(m for _, m in problems))

    def _remove_field(self) -> None:
        code = self.field_list.current_code()
        task = self.current_task()
        if code is None or task is None:
            return
        problems = draft_edit.remove_field(self.draft, self.seq, code)
        self.types_error.setText("\n".join(m for _, m in problems))
        self._show_fields(task)

    def refresh_quotas(self) -> None:
        self.quota_box.show_draft(self.draft)

    # ------------------------------------------------------------ save / publish

    def save(self) -> None:
        if self.draft is not None:
            self._types_done()
            save_draft(self.ws.data_dir, self.draft)
            self.status.setText("草稿已保存。")

    def publish(self) -> None:
        if self.draft is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "选择保存发布文件的文件夹")
        if folder:
            self.publish_to(Path(folder))

    def publish_to(self, folder: Path) -> Path | None:
        self.save()  # the package is made from the draft as saved
        try:
            path, warnings = publish_signed(self.ws, self.year, folder)
        except DraftError as exc:
            self.status.setText("尚不能发布：" + "；".join(exc.problems))
            QMessageBox.warning(self, "发布清单", "尚不能发布：\n" + "\n".join(exc.problems))
            return None
        note = ("\n\n请注意：\n" + "\n".join(warnings[:8])) if warnings else ""
        self.status.setText(f"已发布：{path}")
        QMessageBox.information(self, "发布清单", f"已写出 {path}\n请通过邮件或U盘发给各单位，在“设置 → 导入任务清单”中导入。{note}")
        return path
