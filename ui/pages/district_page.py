"""汇总 (区垃分办 only): import the units' monthly reports, see who reported and where targets lag."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.district.consolidation import STATE_LABELS, ImportOutcome, import_reports
from models.district.views import grace_days, latest_period, set_grace_days, version_history
from models.district.summary_data import STATE_COLOURS, DistrictSummary, build_summary, summary_line
from models.district.summary_report import SummaryResult, export_summary
from models.core.errors import AppError
from ui.context import PageContext
from ui.pages.base import Page, WindowWidth, page_title
from ui.exchange_panel import DistrictExchangePanel
from ui.models.rows_model import STATUS_SIGNS, RowsModel
from ui.ui_state import choose_folder, open_files


def _table(model: RowsModel, *, stretch_from: int | None = None, stretch_col: int | None = None) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_col is not None:
        model.modelReset.connect(lambda: header.setSectionResizeMode(stretch_col, QHeaderView.ResizeMode.Stretch))
    elif stretch_from is None:
        header.setStretchLastSection(True)
    else:  # status columns share the width evenly
        model.modelReset.connect(lambda: [header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
                                          for c in range(stretch_from, model.columnCount())])
    return view


def _default_month(year: int) -> int:
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    return last.month if last.year == year else 12


class DistrictPage(Page):
    title = "汇总"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        self.summary: DistrictSummary | None = None
        self.last_outcomes: list[ImportOutcome] = []
        self.last_export: SummaryResult | None = None
        self.busy = False
        layout = QVBoxLayout(self)
        layout.addWidget(page_title("汇总"))
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.not_district = QLabel()
        self.not_district.setObjectName("Hint")
        self.not_district.setWordWrap(True)
        self.not_district.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack.addWidget(self.not_district)
        self.stack.addWidget(self._build_main())
        self.setAcceptDrops(True)
        self.width_watch = WindowWidth(self, self._reflow)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.width_watch.check()

    def _reflow(self, narrow: bool) -> None:
        self.bar.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)

    # ------------------------------------------------------------ layout

    def _build_main(self) -> QWidget:
        main = QWidget()
        layout = QVBoxLayout(main)
        layout.setContentsMargins(0, 0, 0, 0)
        # The month and grace on one side, the imports and export on the other; on a narrow
        # window (125/150 %) the buttons go on a line of their own.
        self.bar = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("月份："))
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setSuffix(" 年")
        bar.addWidget(self.year)
        self.month = QComboBox()
        self.month.addItems([f"{m}月" for m in range(1, 13)])
        bar.addWidget(self.month)
        bar.addSpacing(12)
        bar.addWidget(QLabel("报送宽限："))
        self.grace = QSpinBox()
        self.grace.setRange(0, 60)
        self.grace.setSuffix(" 天")
        self.grace.setToolTip("月末后多少天内报送算按时（已报送），之后算迟报")
        bar.addWidget(self.grace)
        bar.addStretch(1)
        self.bar.addLayout(bar, 1)
        bar = QHBoxLayout()
        self.import_files_button = QPushButton("导入报表文件(&I)…")
        self.import_files_button.setProperty("primary", True)
        self.import_files_button.clicked.connect(self.choose_files)
        bar.addWidget(self.import_files_button)
        self.import_dir_button = QPushButton("导入文件夹(&F)…")
        self.import_dir_button.clicked.connect(self.choose_folder)
        bar.addWidget(self.import_dir_button)
        self.export_button = QPushButton("导出汇总表(&E)…")
        self.export_button.clicked.connect(self.choose_export_folder)
        bar.addWidget(self.export_button)
        self.bar.addLayout(bar)
        layout.addLayout(self.bar)

        self.drop_hint = QLabel("可将各单位报送的月度台账 .xlsx 文件或整个文件夹拖放到本页面导入。")
        self.drop_hint.setObjectName("Hint")
        layout.addWidget(self.drop_hint)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        self.open_folder_button = QPushButton("打开汇总表所在文件夹")
        self.open_folder_button.setVisible(False)
        self.open_folder_button.clicked.connect(self.open_export_folder)
        layout.addWidget(self.open_folder_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        self.counts_label.setObjectName("IndicatorLine")
        layout.addWidget(self.counts_label)

        self.tabs = QTabWidget()
        self.grid_model = RowsModel(["单位"] + [f"{m}月" for m in range(1, 13)], colour_cols=tuple(range(1, 13)))
        self.matrix_model = RowsModel(["单位", "报送情况"])
        self.matrix_model.signs, self.matrix_model.sign_from = STATUS_SIGNS, 2
        self.totals_model = RowsModel(["任务", "指标", "全区目标", "全区完成", "完成率", "状态", "已报单位", "各单位完成"],
                                      colour_cols=(5,), centre_cols=(0, 2, 3, 4, 6))
        self.behind_model = RowsModel(["单位", "任务", "指标", "完成值", "目标值", "统计周期", "状态"], colour_cols=(6,),
                                      centre_cols=(1, 3, 4))
        self.history_model = RowsModel(["月份", "单位", "版本", "状态", "文件", "生成时间", "导入时间", "原因"], colour_cols=(3,),
                                       centre_cols=(0, 2))
        self.grid_view = _table(self.grid_model, stretch_from=1)
        self.matrix_view = _table(self.matrix_model, stretch_from=2)
        self.history_view = _table(self.history_model)
        self.tabs.addTab(self.grid_view, "报送情况")
        matrix = QWidget()
        ml = QVBoxLayout(matrix)
        ml.setContentsMargins(0, 4, 0, 0)
        self.legend = QLabel(status_legend())
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        ml.addWidget(self.legend)
        ml.addWidget(self.matrix_view, 1)
        self.tabs.addTab(matrix, "任务状态")
        totals = QWidget()
        tl = QVBoxLayout(totals)
        tl.addWidget(QLabel("全区目标完成情况（各单位当前有效报表之和；校验失败的文件不计入）"))
        self.totals_view = _table(self.totals_model)
        self.totals_view.setMaximumHeight(140)
        tl.addWidget(self.totals_view)
        tl.addWidget(QLabel("进度滞后的单位（滞后、未达标、逾期）"))
        self.behind_view = _table(self.behind_model, stretch_col=2)
        tl.addWidget(self.behind_view, 1)
        self.tabs.addTab(totals, "全区指标")
        self.tabs.addTab(self.history_view, "版本记录")
        self.exchange = DistrictExchangePanel(self.ctx, self.current_month)
        self.tabs.addTab(self.exchange, "核验与退回")
        layout.addWidget(self.tabs, 1)

        self.year.valueChanged.connect(lambda _: self.refresh())
        self.month.currentIndexChanged.connect(lambda _: self.refresh())
        self.grace.valueChanged.connect(self._grace_changed)
        return main

    # ------------------------------------------------------------ state

    def is_district(self) -> bool:
        profile = self.ctx.ws.profile
        return profile is not None and self.ctx.ws.unit.kind == "district"

    def current_month(self) -> str:
        return f"{self.year.value()}-{self.month.currentIndex() + 1:02d}"

    def set_month(self, month: str) -> None:
        year, mon = (int(p) for p in month.split("-"))
        self.year.blockSignals(True)
        self.year.setValue(year)
        self.year.blockSignals(False)
        self.month.setCurrentIndex(mon - 1)
        self.refresh()

    def on_show(self, **kwargs: object) -> None:
        if not self.is_district():
            unit = self.ctx.ws.unit.name if self.ctx.ws.profile else "（未设置）"
            self.not_district.setText(
                f"汇总功能供区垃分办使用。\n\n本程序设置的单位是“{unit}”。各单位请在“报表”页面导出月度台账，"
                "按时通过电子邮件报送区垃分办；区垃分办在本页面导入各单位的报表，查看报送情况和全区进度。\n\n"
                "如果这台电脑属于区垃分办，请在“设置”页面把单位改为 区垃分办。"
            )
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        if self.summary is None:  # first visit: the newest month with reports, else last month
            year = self.ctx.ws.require_profile().year
            latest = latest_period(self.ctx.ws.db)
            year, mon = (int(latest[:4]), int(latest[5:])) if latest else (year, _default_month(year))
            self.year.blockSignals(True)
            self.year.setValue(year)
            self.year.blockSignals(False)
            self.month.blockSignals(True)
            self.month.setCurrentIndex(mon - 1)
            self.month.blockSignals(False)
        self.grace.blockSignals(True)
        self.grace.setValue(grace_days(self.ctx.ws.db))
        self.grace.blockSignals(False)
        month = kwargs.get("month")
        if isinstance(month, str):
            self.set_month(month)
        else:
            self.refresh()

    def _grace_changed(self, days: int) -> None:
        set_grace_days(self.ctx.ws.db, days)
        self.refresh()

    def refresh(self) -> None:
        if not self.is_district():
            return
        month = self.current_month()
        summary = self.summary = build_summary(self.ctx.ws, month)
        self.counts_label.setText(summary_line(summary))
        ghead, grows = summary.grid_rows()
        gtips = {}
        for r, row in enumerate(summary.grid):
            for c, sub in enumerate(row, start=1):
                if sub.current_version:
                    gtips[(r, c)] = f"第{sub.current_version}版，生成于 {sub.first_generated_at.replace('T', ' ')}"
        self.grid_model.bold_col = int(month[5:])
        self.grid_model.set_rows(grows, gtips)
        mhead, mrows = summary.matrix_rows()
        mtips = {}
        for r, unit in enumerate(summary.matrix.units):
            for c, task in enumerate(summary.matrix.tasks, start=2):
                cell = summary.matrix.cell(unit.name, task.seq)
                lines = [f"{d.name}：{_val(d.value)} / {_val(d.target)} {d.measure_unit}（{d.period_label}）{d.status}"
                         for d in cell.details]
                mtips[(r, c)] = f"任务{task.seq}：{task.target_text[:60]}" + ("\n" + "\n".join(lines) if lines else "")
        self.matrix_model.colour_cols = tuple(range(1, len(mhead)))
        self.matrix_model.header_tips = {c: f"任务{t.seq}：{t.target_text}" for c, t in enumerate(summary.matrix.tasks, start=2)}
        self.matrix_model.set_rows(mrows, mtips, header=mhead[:2] + [h.replace("任务", "") for h in mhead[2:]])
        self.totals_model.set_rows(summary.totals_rows())
        self.behind_model.set_rows(summary.behind_rows())
        history = version_history(self.ctx.ws.db, period=None)
        year = str(self.year.value())
        rows = [
            [v.period, v.unit or "（未知）", f"第{v.version}版" if v.version else "", v.state, v.file_name,
             v.generated_at.replace("T", " "), v.imported_at.replace("T", " "), v.reason]
            for v in history if not v.period or v.period.startswith(year)
        ]
        self.history_model.set_rows(rows, {(r, 7): row[7] for r, row in enumerate(rows) if row[7]}
                                    | {(r, 4): row[4] for r, row in enumerate(rows)})
        self.exchange.refresh()

    # ------------------------------------------------------------ import

    def choose_files(self) -> None:
        names = open_files(self, "选择各单位的月度台账报表", "Excel 报表 (*.xlsx);;所有文件 (*)", "district-import")
        if names:
            self.import_paths(names)

    def choose_folder(self) -> None:
        folder = choose_folder(self, "选择存放报表的文件夹", "district-import")
        if folder:
            self.import_paths([folder])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if self.is_district() and not self.busy and event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths and not self.busy:
            event.acceptProposedAction()
            self.import_paths(paths)

    def _busy(self, busy: bool) -> None:
        # The worker uses the database meanwhile: no refresh from the controls until it is done.
        for widget in (self.import_files_button, self.import_dir_button, self.export_button, self.year, self.month,
                       self.grace):
            widget.setEnabled(not busy)
        self.busy = busy
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{text}（{done}/{total}）")

    def import_paths(self, paths: list[Path]) -> None:
        ws = self.ctx.ws
        self._busy(True)
        self.result_label.setText("正在导入……")
        self.ctx.runner.run_in_workspace(ws, lambda own, progress: import_reports(own, paths, progress=progress),
                                         self._imported, self._failed, self._on_progress, writes=True)

    def _imported(self, outcomes: list[ImportOutcome]) -> None:
        self._busy(False)
        self.last_outcomes = outcomes
        if not outcomes:
            self.result_label.setText("没有找到 .xlsx 报表文件。")
            return
        counts: dict[str, int] = {}
        for o in outcomes:
            counts[STATE_LABELS[o.state]] = counts.get(STATE_LABELS[o.state], 0) + 1
        parts = "，".join(f"{label} {n}" for label, n in counts.items())
        self.result_label.setText(f"已处理 {len(outcomes)} 个文件：{parts}。各文件的结果和原因见“版本记录”（鼠标停留可看明细）。")
        self.result_label.setToolTip("\n".join(o.describe() for o in outcomes[:40]))
        months = sorted({o.period for o in outcomes if o.counted and o.period})
        if len(months) == 1 and months[0] != self.current_month():
            self.set_month(months[0])  # show the month just imported
        else:
            self.refresh()

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        message = str(exc) if isinstance(exc, AppError) else f"操作失败：{exc}"
        self.result_label.setText(message)

    # ------------------------------------------------------------ export

    def choose_export_folder(self) -> None:
        folder = choose_folder(self, "选择汇总表的保存位置", "district-export")
        if folder:
            self.export_to(folder)

    def export_to(self, folder: Path) -> None:
        ws, month = self.ctx.ws, self.current_month()
        self._busy(True)
        self.ctx.runner.run_in_workspace(ws, lambda own, progress: export_summary(own, month, folder, progress=progress),
                                         self._exported, self._failed, self._on_progress)

    def _exported(self, result: SummaryResult) -> None:
        self._busy(False)
        self.last_export = result
        self.result_label.setText(f"汇总表已生成：\n{result.xlsx}\n{result.pdf}")
        self.open_folder_button.setVisible(True)

    def open_export_folder(self) -> None:
        if self.last_export:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.xlsx.parent)))


def status_legend() -> str:
    """"✓ 达标 ● 进行中 …" in the cells' own colours, above the matrix."""
    chips = [f"<span style='background:#{STATE_COLOURS[word]};'>&nbsp;{sign}&nbsp;</span>&nbsp;{word}"
             for word, sign in STATUS_SIGNS.items()]
    return "图例：" + "　".join(chips) + "　— 应报未报数值　空白 不适用　（鼠标停在格子上看详情）"


def _val(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
