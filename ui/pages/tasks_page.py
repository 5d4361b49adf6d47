"""任务清单: the tasks that apply to this unit, grouped by category as in the source list."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.catalog.schema import PERIODS, Indicator, Task
from ui.context import PageContext
from ui.pages.base import Page, page_title
from ui.pages.tasklist_import_page import TasklistImportDialog


def indicator_text(ind: Indicator) -> str:
    if ind.target_setting == "standard_quota":
        target = "本单位任务数"
    elif ind.target is None:
        target = "—"
    else:
        target = f"{ind.target:g}"
    comparison = "≥" if ind.comparison == ">=" else "≤"
    period = PERIODS[ind.period]
    if ind.period == "deadline":
        period = f"截至{ind.deadline.month}月{ind.deadline.day}日"
    scope = f"（全区目标 {ind.district_target:g}{ind.unit}）" if ind.district_target else ""
    return f"• {ind.name}：{comparison} {target} {ind.unit}　统计周期：{period}{scope}"


class TaskCard(QFrame):
    def __init__(self, task: Task, on_new_entry: Callable[[int], None] | None = None):
        super().__init__()
        self.task = task
        self.setObjectName("Card")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        outer = QHBoxLayout(self)
        seq = QLabel(str(task.seq))
        seq.setObjectName("TaskSeq")
        seq.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        outer.addWidget(seq)
        body = QVBoxLayout()
        text = QLabel(task.target_text)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(text)
        meta = QLabel(f"完成期限：{task.deadline_text}　　责任单位：{task.responsible or '各地各部门'}")
        meta.setObjectName("Deadline")
        meta.setWordWrap(True)
        body.addWidget(meta)
        for ind in task.indicators:
            line = QLabel(indicator_text(ind))
            line.setObjectName("IndicatorLine")
            line.setWordWrap(True)
            body.addWidget(line)
        types = QLabel("台账类型：" + "、".join(t.name for t in task.entry_types))
        types.setObjectName("Hint")
        types.setWordWrap(True)
        body.addWidget(types)
        outer.addLayout(body, 1)
        if on_new_entry is not None:
            button = QPushButton("记台账…")
            button.setToolTip(f"为任务{task.seq}新建一条台账（台账录入页）")
            button.clicked.connect(lambda: on_new_entry(task.seq))
            outer.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.new_button = button

    def matches(self, needle: str) -> bool:
        haystack = " ".join([str(self.task.seq), self.task.category, self.task.target_text, self.task.deadline_text]
                            + [i.name for i in self.task.indicators] + [t.name for t in self.task.entry_types])
        return needle in haystack


class TasksPage(Page):
    title = "任务清单"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        self.heading = page_title("任务清单")
        header.addWidget(self.heading, 1)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索任务（序号、内容、指标）")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self._filter)
        header.addWidget(self.search)
        if ctx.ws.unit.kind == "district":  # the district office turns its yearly document into the list
            self.import_button = QPushButton("导入新年度清单…")
            self.import_button.clicked.connect(lambda: TasklistImportDialog(ctx.ws, self).exec())
            header.addWidget(self.import_button)
        layout.addLayout(header)
        self.summary = QLabel()
        self.summary.setObjectName("Hint")
        layout.addWidget(self.summary)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        layout.addWidget(self.scroll, 1)
        self.cards: list[TaskCard] = []
        self.headers: list[tuple[QLabel, str, list[TaskCard]]] = []
        self.rebuild()

    def rebuild(self) -> None:
        container = QWidget()
        column = QVBoxLayout(container)
        column.setSpacing(8)
        tasks = self.ctx.ws.tasks()
        tasklist = self.ctx.ws.tasklist
        self.cards, self.headers = [], []
        for category, group in tasklist.categories(tasks):
            header = QLabel(f"{category}（{len(group)}项）")
            header.setObjectName("CategoryHeader")
            column.addWidget(header)
            cards = [TaskCard(task, self.new_entry) for task in group]
            for card in cards:
                column.addWidget(card)
            self.cards.extend(cards)
            self.headers.append((header, category, cards))
        column.addStretch(1)
        self.scroll.setWidget(container)
        self.heading.setText(f"{tasklist.title}")
        self._summarise()
        if self.search.text().strip():
            self._filter(self.search.text())

    def _summarise(self) -> None:
        tasks = self.ctx.ws.tasks()
        n_ind = sum(len(t.indicators) for t in tasks)
        self.summary.setText(f"本单位（{self.ctx.ws.unit.name}）适用任务 {len(tasks)} 项，其中量化指标 {n_ind} 个。")

    def _filter(self, text: str) -> None:
        needle = text.strip()
        found = 0
        for header, category, cards in self.headers:
            visible = 0
            for card in cards:
                shown = not needle or card.matches(needle)
                card.setVisible(shown)
                visible += shown
            header.setVisible(visible > 0)
            # The count follows the search: "（2/5项）" while searching, "（5项）" otherwise.
            header.setText(f"{category}（{visible}/{len(cards)}项）" if needle else f"{category}（{len(cards)}项）")
            found += visible
        if needle:
            self.summary.setText(f"搜索“{needle}”：找到 {found} 项任务。" if found else f"没有找到含“{needle}”的任务。")
        else:
            self._summarise()

    def new_entry(self, seq: int) -> None:
        self.ctx.navigate("ledger", task=seq, new=True)

    def on_show(self, **kwargs: object) -> None:
        if kwargs.get("rebuild"):
            self.rebuild()
