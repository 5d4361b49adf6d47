"""报表: preview, export (xlsx + PDF in the background), submit and unlock a month or quarter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QDate, QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.core.errors import AppError
from models.ledger.entries import working_month
from models.core.periods import quarter_of
from models.reporting.assembly import Report
from models.reporting.export import ExportResult, prepare, record, render_report
from models.store.settings import get_setting, put_setting
from models.reporting.submissions import default_reports_dir, list_states, period_state, submit, unlock, version_problem
from ui.context import PageContext
from ui.pages.base import Page, WindowWidth, page_title
from ui.notice_import import choose_and_import_notice
from ui.models.report_models import STATE_COLOURS, PreviewModel, StatesModel
from ui.ui_state import choose_folder

OUT_DIR_SETTING = "reports.out_dir"

def _button(text: str, tip: str, slot: Callable[[], None], *, primary: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    if primary:
        button.setProperty("primary", True)
    return button


class ReportsPage(Page):
    title = "报表"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        ws = ctx.ws
        self.year = ws.tasklist.year
        self.last_export: ExportResult | None = None
        self._busy_now = False
        # Dialog hooks: tests replace these instead of clicking modal boxes.
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.ask_reason: Callable[[str], str | None] = self._ask_reason
        self.inform: Callable[[str, str], None] = lambda title, text: QMessageBox.information(self, title, text)
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page_title("报表"))
        hint = QLabel("月末导出月度台账、季末导出季度工作进展：同时生成 Excel（报送区垃分办）和 PDF（打印、签字、盖章）。")
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)

        # Two rows of choices and actions, each in two groups; on a narrow window (1366×768 at
        # 125/150 %) each group takes a line of its own instead of widening the page.
        self.rows: list[QBoxLayout] = []
        pick_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.rows.append(pick_row)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("报表："))
        self.kind_box = QComboBox()
        self.kind_box.addItem("月度台账", "monthly")
        self.kind_box.addItem("季度工作进展", "quarterly")
        self.kind_box.currentIndexChanged.connect(self._fill_periods)
        pick.addWidget(self.kind_box)
        pick.addWidget(QLabel("期间："))
        self.period_box = QComboBox()
        self.period_box.setMinimumWidth(150)
        self.period_box.currentIndexChanged.connect(lambda _: self.refresh())
        pick.addWidget(self.period_box)
        pick.addWidget(QLabel("填报日期："))
        self.fill_date_edit = QDateEdit(QDate.currentDate())
        self.fill_date_edit.setCalendarPopup(True)
        self.fill_date_edit.setDisplayFormat("yyyy-MM-dd")
        self.fill_date_edit.setToolTip("报表表头的填报日期，也是判断各项任务状态的日期（默认为今天）")
        self.fill_date_edit.dateChanged.connect(lambda _: self.refresh())
        pick.addWidget(self.fill_date_edit)
        pick_row.addLayout(pick)
        pick_row.addSpacing(16)
        where = QHBoxLayout()
        where.addWidget(QLabel("保存到："))
        self.out_edit = QLineEdit(str(get_setting(ws.db, OUT_DIR_SETTING) or default_reports_dir(ws)))
        self.out_edit.setReadOnly(True)
        where.addWidget(self.out_edit, 1)
        where.addWidget(_button("选择文件夹…", "选择报表文件的保存位置", self.choose_folder))
        pick_row.addLayout(where, 1)
        layout.addLayout(pick_row)

        actions_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.rows.append(actions_row)
        actions = QHBoxLayout()
        self.export_button = _button("导出 Excel 和 PDF", "按预览的内容生成两个文件（后台进行，可继续操作）", self.export, primary=True)
        actions.addWidget(self.export_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        actions.addWidget(self.progress, 1)
        self.open_folder_button = _button("打开文件夹", "在资源管理器中打开报表所在文件夹", self.open_folder)
        self.open_xlsx_button = _button("打开 Excel", "用默认程序打开导出的 Excel 文件", lambda: self._open_file("xlsx"))
        self.open_pdf_button = _button("打开 PDF", "用默认程序打开导出的 PDF 文件", lambda: self._open_file("pdf"))
        for button in (self.open_folder_button, self.open_xlsx_button, self.open_pdf_button):
            button.setEnabled(False)
            actions.addWidget(button)
        actions.addStretch(0)  # the buttons keep their size while the progress bar is hidden
        actions_row.addLayout(actions, 1)
        actions_row.addSpacing(16)
        actions = QHBoxLayout()
        self.submit_button = _button("标记为已报送", "记录已报送文件的校验码并锁定该期台账", self.submit)
        self.unlock_button = _button("解锁…", "解锁已报送的期间以便更正（须填写原因，记入操作日志）", self.unlock)
        actions.addWidget(self.submit_button)
        actions.addWidget(self.unlock_button)
        self.notice_button = _button("导入通知…", "导入区垃分办的退回通知（.zlnotice），该月解锁以便修改",
                                     lambda: choose_and_import_notice(self, self.ctx))
        actions.addWidget(self.notice_button)
        actions.addStretch(1)
        actions_row.addLayout(actions)
        layout.addLayout(actions_row)
        self.width_watch = WindowWidth(self, self._reflow)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        layout.addWidget(self.state_label)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.preview_model = PreviewModel()
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.setWordWrap(True)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        splitter.addWidget(self._titled("预览（主表）", self.preview))
        self.states_model = StatesModel()
        self.states_view = QTableView()
        self.states_view.setModel(self.states_model)
        self.states_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.states_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.states_view.verticalHeader().setVisible(False)
        self.states_view.verticalHeader().setDefaultSectionSize(26)
        self.states_view.horizontalHeader().setStretchLastSection(True)
        for column in range(len(StatesModel.HEADERS) - 1):  # whole periods and times; 解锁原因 takes the rest
            self.states_view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.states_view.doubleClicked.connect(self._pick_state)
        splitter.addWidget(self._titled(f"{self.year}年各期报表状态（双击选择）", self.states_view))
        # At 1366×768 with a taskbar the history keeps five rows in view, not two.
        splitter.setSizes([400, 320])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self._fill_periods()

    @staticmethod
    def _titled(text: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 6, 0, 0)
        label = QLabel(text)
        label.setObjectName("CategoryHeader")
        column.addWidget(label)
        column.addWidget(widget, 1)
        return box

    # ------------------------------------------------------------ selection

    def kind(self) -> str:
        return self.kind_box.currentData()

    def period(self) -> str:
        return self.period_box.currentData()

    def fill_date(self) -> dt.date:
        d = self.fill_date_edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def _fill_periods(self) -> None:
        month = working_month(self.ctx.ws.db, year=self.year)
        self.period_box.blockSignals(True)
        self.period_box.clear()
        # Last year's periods too: December's report is made in January, after the switch.
        years = [y for y in (self.year - 1, self.year) if y == self.year or y in self.ctx.ws.years()]
        if self.kind() == "monthly":
            for year in years:
                for m in range(1, 13):
                    self.period_box.addItem(f"{year}年{m}月", f"{year}-{m:02d}")
            self.period_box.setCurrentIndex(self.period_box.findData(month))
        else:
            for year in years:
                for q in range(1, 5):
                    self.period_box.addItem(f"{year}年第{'一二三四'[q - 1]}季度", f"{year}Q{q}")
            self.period_box.setCurrentIndex(self.period_box.findData(quarter_of(month)))
        self.period_box.blockSignals(False)
        self.refresh()

    def select(self, kind: str, period: str) -> None:
        self.kind_box.setCurrentIndex(self.kind_box.findData(kind))
        self.period_box.setCurrentIndex(self.period_box.findData(period))

    def _pick_state(self, index: QModelIndex) -> None:
        state = self.states_model.states[index.row()]
        self.select(state.kind, state.period)

    # ------------------------------------------------------------ refresh

    def on_show(self, **kwargs: object) -> None:
        """``navigate("reports", month="2023-06")`` or ``quarter="2023Q2"`` opens that period."""
        if isinstance(kwargs.get("month"), str):
            self.select("monthly", str(kwargs["month"]))
        elif isinstance(kwargs.get("quarter"), str):
            self.select("quarterly", str(kwargs["quarter"]))
        self.refresh()

    def refresh(self) -> None:
        if self.period() is None:
            return
        try:
            report = prepare(self.ctx.ws, self.kind(), self.period(), fill_date=self.fill_date(), with_photos=False)
        except AppError as exc:
            self.preview_model.set_report(None)
            self.state_label.setText(str(exc))
            return
        self.preview_model.set_report(report)
        self.preview.clearSpans()
        for first, count, _ in report.category_spans():
            if count > 1:
                self.preview.setSpan(first, 1, count, 1)
        self._fit_columns()
        self.states_model.set_states(list_states(self.ctx.ws.db, self.year))
        row = next((n for n, s in enumerate(self.states_model.states)
                    if s.kind == self.kind() and s.period == self.period()), None)
        if row is not None:  # the period on screen is the row in view
            self.states_view.selectRow(row)
            self.states_view.scrollTo(self.states_model.index(row, 0))
        self._show_state()

    def _fit_columns(self) -> None:
        """Column widths in the report's proportions, filling the view's width."""
        report = self.preview_model.report
        if report is None:
            return
        total = sum(c.width for c in report.columns)
        available = self.preview.viewport().width() - 4
        scale = max(6.0, available / total) if available > 300 else 7.5
        header = self.preview.horizontalHeader()
        widths = [max(44, int(column.width * scale)) for column in report.columns]
        # A status such as "逾期（2023年5月8日完成）" wraps, but a year's digits do not: the
        # 状态 column holds "（2026年" whole (else it showed "（20…"), taken from the widest column.
        labels = [column.label for column in report.columns]
        if "状态" in labels:
            n = labels.index("状态")
            need = self.preview.fontMetrics().horizontalAdvance("（0000年") + 14 - widths[n]
            if need > 0:
                widest = max(range(len(widths)), key=widths.__getitem__)
                widths[n] += need
                widths[widest] = max(44, widths[widest] - need)
        for n, width in enumerate(widths):
            header.resizeSection(n, width)
        self.preview.resizeRowsToContents()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit_columns()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.width_watch.check()

    def _reflow(self, narrow: bool) -> None:
        for row in self.rows:
            row.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)

    def _show_state(self) -> None:
        state = period_state(self.ctx.ws.db, self.kind(), self.period())
        colour = STATE_COLOURS[state.label]
        text = f"<b>{state.name}</b>：<span style='color:{colour}'><b>{state.label}</b></span>"
        if state.state == "submitted":
            text += f"（第{state.version}版，{state.submitted_at.replace('T', ' ')} 报送；该期台账已锁定）"
        elif state.state == "unlocked":
            text += f"（原因：{state.unlock_reason}；重新导出将为第{state.version}版）"
        elif state.latest:
            text += f"（第{state.latest.version}版，{state.latest.generated_at.replace('T', ' ')} 导出）"
        self.state_label.setText(text)
        # Only an export of the version to be sent can be marked: say so on the button, not after
        # "确认已将…（第1版）报送区垃分办？" for a version that was never made.
        exported = version_problem(state.latest, state.version) is None
        self.submit_button.setEnabled(state.state != "submitted" and exported and not self._busy_now)
        self.submit_button.setToolTip("记录已报送文件的校验码并锁定该期台账" if exported or state.state == "submitted"
                                      else f"请先导出第{state.version}版报表，再标记为已报送")
        self.unlock_button.setEnabled(state.state == "submitted" and not self._busy_now)

    # ------------------------------------------------------------ export

    def out_dir(self) -> Path:
        return Path(self.out_edit.text())

    def choose_folder(self) -> None:
        folder = choose_folder(self, "选择报表的保存位置", "reports", self.out_edit.text())
        if folder:
            self.set_out_dir(folder)

    def set_out_dir(self, folder: Path) -> None:
        self.out_edit.setText(str(folder))
        with self.ctx.ws.db.atomic():
            put_setting(self.ctx.ws.db, OUT_DIR_SETTING, str(folder))

    def _busy(self, busy: bool) -> None:
        self._busy_now = busy
        self.export_button.setEnabled(not busy)
        self.kind_box.setEnabled(not busy)
        self.period_box.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self._show_state()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{text}　%p%")

    def export(self) -> None:
        ws = self.ctx.ws
        try:
            report = prepare(ws, self.kind(), self.period(), fill_date=self.fill_date())  # reads the database: GUI thread
        except AppError as exc:
            self.inform("无法导出", str(exc))
            return
        if report.warnings and not self.confirm(
                "尚未设置目标", "以下指标尚未设置目标，报表中将显示为“未设置目标”：\n" + "\n".join(report.warnings)
                + "\n\n可先到“设置”页面填写。仍要导出吗？"):
            return
        folder = self.out_dir()
        self._busy(True)
        # Only file writing runs in the worker; the export is recorded back on the GUI thread.
        self.ctx.runner.run_task(lambda progress: render_report(report, folder, data_dir=ws.data_dir, progress=progress),
                                 lambda result: self._exported(report, result), self._failed, self._on_progress)

    def _exported(self, report: Report, result: ExportResult) -> None:
        self.last_export = record(self.ctx.ws, report, result)
        self._busy(False)
        for button in (self.open_folder_button, self.open_xlsx_button, self.open_pdf_button):
            button.setEnabled(True)
        self.refresh()
        self.state_label.setText(self.state_label.text() + f"<br>已保存：{result.xlsx.name}、{result.pdf.name}")

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self.inform("导出失败", str(exc) if isinstance(exc, AppError) else f"导出失败：{exc}")

    def open_folder(self) -> None:
        if self.last_export:
            self.open_url(QUrl.fromLocalFile(str(self.last_export.xlsx.parent)))

    def _open_file(self, which: str) -> None:
        if self.last_export:
            self.open_url(QUrl.fromLocalFile(str(getattr(self.last_export, which))))

    # ------------------------------------------------------------ submit / unlock

    def submit(self) -> None:
        state = period_state(self.ctx.ws.db, self.kind(), self.period())
        what = state.name
        months = "该月" if state.kind == "monthly" else "该季度三个月"
        if not self.confirm("标记为已报送", f"确认已将{what}（第{state.version}版）报送区垃分办？\n报送后{months}的台账将锁定，不能再修改。"):
            return
        try:
            submit(self.ctx.ws, state.kind, state.period)
        except AppError as exc:
            self.inform("不能报送", str(exc))
            return
        self.refresh()
        self.ctx.data_changed()

    def unlock(self) -> None:
        state = period_state(self.ctx.ws.db, self.kind(), self.period())
        reason = self.ask_reason(f"解锁{state.name}后可修改台账，重新导出为第{state.version + 1}版。\n请填写解锁原因：")
        if reason is None:
            return
        try:
            unlock(self.ctx.ws, state.kind, state.period, reason=reason)
        except AppError as exc:
            self.inform("不能解锁", str(exc))
            return
        self.refresh()
        self.ctx.data_changed()

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_reason(self, text: str) -> str | None:
        reason, ok = QInputDialog.getText(self, "解锁", text)
        return reason if ok else None
