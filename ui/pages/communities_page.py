"""小区管理: the register of communities (and, for the town, villages), their facilities,
metering and 达标 evaluations against the score sheet."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
    QSplitter, QTableView, QVBoxLayout, QWidget,
)

from models.ledger.communities import (
    Community, add_community, delete_community, list_communities, pass_score, update_community,
)
from models.ledger.evaluations import delete_evaluation, record_evaluation
from models.core.errors import AppError, ValidationError
from models.progress.indicators import format_number
from ui.context import PageContext
from ui.pages.base import Page, page_title
from ui.models.community_table_model import CommunityTableModel
from ui.widgets.community_forms import CommunityDialog, EvaluationDialog


def _message(exc: AppError) -> str:
    if isinstance(exc, ValidationError):
        return "\n".join(f"{field}：{text}" for field, text in exc.problems)
    return str(exc)


class CommunitiesPage(Page):
    title = "小区管理"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page_title("小区管理"))
        self.summary = QLabel()
        self.summary.setObjectName("Hint")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("登记小区(&N)")
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.add_clicked)
        self.edit_button = QPushButton("修改(&E)")
        self.edit_button.clicked.connect(self.edit_clicked)
        self.eval_button = QPushButton("录入测评(&P)")
        self.eval_button.clicked.connect(self.evaluate_clicked)
        self.delete_button = QPushButton("删除")
        self.delete_button.clicked.connect(self.delete_clicked)
        for button in (self.add_button, self.edit_button, self.eval_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.model = CommunityTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortLocaleAware(True)  # names in pinyin order under the Chinese locale
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(CommunityTableModel.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CommunityTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit_clicked())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_detail())

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 6, 0, 0)
        self.detail_title = QLabel("测评记录")
        self.detail_title.setStyleSheet("font-weight:bold; color:#2c5282;")
        detail_layout.addWidget(self.detail_title)
        self.evaluations = QListWidget()
        detail_layout.addWidget(self.evaluations, 1)
        row = QHBoxLayout()
        self.delete_eval_button = QPushButton("删除所选测评")
        self.delete_eval_button.clicked.connect(self.delete_evaluation_clicked)
        row.addWidget(self.delete_eval_button)
        row.addStretch(1)
        detail_layout.addLayout(row)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self.refresh()

    # ------------------------------------------------------------ data

    def _measure_applies(self, measure: str) -> bool:
        return any(i.compute.get("measure") == measure for t in self.ctx.ws.tasks() for i in t.indicators)

    @property
    def villages_apply(self) -> bool:
        return self._measure_applies("demo_villages")

    def refresh(self) -> None:
        ws = self.ctx.ws
        selected = self.selected()
        self.model.pass_score = pass_score(ws.tasklist)
        self.model.year = ws.tasklist.year
        rows = list_communities(ws.db)
        self.model.set_rows(rows)
        self.add_button.setText("登记小区或村(&N)" if self.villages_apply else "登记小区(&N)")
        communities = [c for c in rows if c.kind == "community"]
        new = [c for c in communities if self.model.counts(c)]
        profile = ws.require_profile()
        quota = f"（本单位任务 {profile.standard_quota} 个）" if profile.standard_quota is not None else ""
        text = f"已登记小区 {len(communities)} 个，“四分类”设施到位 {sum(c.facilities_ok for c in communities)} 个。"
        if new or self._measure_applies("new_standard"):
            quota = quota if self._measure_applies("new_standard") else ""
            text += (f"{ws.tasklist.year}年新增达标小区 {len(new)} 个{quota}，其中计量数据已接入 "
                     f"{sum(c.metering_connected for c in new)} 个。测评总分 ≥ {self.model.pass_score:g} 分方计入新增达标小区。")
        villages = [c for c in rows if c.kind == "village"]
        self.table.setColumnHidden(CommunityTableModel.DEMO, not (villages or self.villages_apply))
        if villages or self.villages_apply:
            text += f"已登记村 {len(villages)} 个，建成示范村 {sum(1 for v in villages if v.demo_village_date)} 个。"
        self.summary.setText(text)
        if selected:
            self.select(selected.name)
        elif rows:
            self.table.selectRow(0)
        self._show_detail()

    def selected(self) -> Community | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.proxy.data(rows[0], Qt.ItemDataRole.UserRole)

    def select(self, name: str) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.data(index, Qt.ItemDataRole.UserRole).name == name:
                self.table.selectRow(row)
                return

    def _show_detail(self) -> None:
        community = self.selected()
        self.evaluations.clear()
        for button in (self.edit_button, self.eval_button, self.delete_button):
            button.setEnabled(community is not None)
        self.delete_eval_button.setEnabled(False)
        if community is None:
            self.detail_title.setText("测评记录（请先在上表中选择一个小区）")
            return
        self.detail_title.setText(f"{community.name} 的测评记录")
        for ev in reversed(community.evaluations):
            ok = ev.total >= self.model.pass_score
            how = "逐项打分" if ev.by_items else "只记总分"
            text = f"{ev.eval_date}　{format_number(ev.total)} 分　{'✔ 达标' if ok else '✘ 未达标'}　（{how}{'，测评人 ' + ev.evaluator if ev.evaluator else ''}）"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, ev.id)
            item.setForeground(Qt.GlobalColor.darkGreen if ok else Qt.GlobalColor.darkRed)
            if ev.items:
                item.setToolTip("\n".join(f"{code}：{format_number(points)} 分" for code, points in ev.items.items()))
            self.evaluations.addItem(item)
        if not community.evaluations:
            self.evaluations.addItem("尚无测评记录。")
        self.delete_eval_button.setEnabled(bool(community.evaluations))

    def _changed(self, name: str | None = None) -> None:
        self.refresh()
        if name:
            self.select(name)
        self.ctx.data_changed()

    # ------------------------------------------------------------ actions (also called by tests)

    def save_new(self, values: dict[str, Any]) -> None:
        ws = self.ctx.ws
        add_community(ws.db, values["name"], kind=values.get("kind", "community"), households=values.get("households"),
                      facilities=values.get("facilities"), metering=values.get("metering"),
                      demo_village=values.get("demo_village"), standard_since=values.get("standard_since"),
                      year=ws.tasklist.year, actor=ws.require_profile().operator)
        self._changed(str(values["name"]).strip())

    def save_edit(self, community: Community, values: dict[str, Any]) -> None:
        ws = self.ctx.ws
        changes = {k: values[k] for k in ("name", "households", "facilities", "metering") if k in values}
        if community.kind == "community" and "standard_since" in values:
            changes["standard_since"] = values["standard_since"]
        if community.kind == "village" and "demo_village" in values:
            changes["demo_village"] = values["demo_village"]
        update_community(ws.db, community.id, year=ws.tasklist.year, actor=ws.require_profile().operator, **changes)
        self._changed(str(values.get("name", community.name)).strip())

    def save_evaluation(self, community: Community, values: dict[str, Any]) -> None:
        ws = self.ctx.ws
        record_evaluation(ws.db, ws.tasklist, community.id, actor=ws.require_profile().operator, **values)
        self._changed(community.name)

    def _run_dialog(self, dialog: Any, save: Any) -> None:
        while dialog.exec():
            try:
                save(dialog.values())
                return
            except AppError as exc:
                dialog.show_error(_message(exc))

    def add_clicked(self) -> None:
        dialog = CommunityDialog(self, year=self.ctx.ws.tasklist.year, villages=self.villages_apply)
        self._run_dialog(dialog, self.save_new)

    def edit_clicked(self) -> None:
        community = self.selected()
        if community is None:
            return
        dialog = CommunityDialog(self, year=self.ctx.ws.tasklist.year, villages=self.villages_apply, community=community)
        self._run_dialog(dialog, lambda values: self.save_edit(community, values))

    def evaluate_clicked(self) -> None:
        community = self.selected()
        if community is None:
            return
        ws = self.ctx.ws
        dialog = EvaluationDialog(self, community=community.name, sheet=ws.tasklist.scoresheet,
                                  pass_score=self.model.pass_score, year=ws.tasklist.year)
        self._run_dialog(dialog, lambda values: self.save_evaluation(community, values))

    def delete_clicked(self) -> None:
        community = self.selected()
        if community is None:
            return
        answer = QMessageBox.question(self, "删除", f"确定删除“{community.name}”吗？删除后它不再计入各项指标。")
        if answer == QMessageBox.StandardButton.Yes:
            delete_community(self.ctx.ws.db, community.id, actor=self.ctx.ws.require_profile().operator)
            self._changed()

    def delete_evaluation_clicked(self) -> None:
        item = self.evaluations.currentItem()
        community = self.selected()
        if item is None or community is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        answer = QMessageBox.question(self, "删除测评", f"确定删除这条测评记录吗？\n{item.text()}")
        if answer == QMessageBox.StandardButton.Yes:
            delete_evaluation(self.ctx.ws.db, int(item.data(Qt.ItemDataRole.UserRole)), actor=self.ctx.ws.require_profile().operator)
            self._changed(community.name)

    def on_show(self, **kwargs: object) -> None:
        self.refresh()
