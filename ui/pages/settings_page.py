"""设置: edit the unit profile; backups, restore and moving to a new PC."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from models.core.errors import ValidationError
from models.core.logsetup import log_path
from models.progress.indicators import format_number
from models.store.keys import installation_fingerprint
from models.store.settings import editable_indicators, set_targets
from models.store.years import save_year_profile
from ui.backup_panel import BackupPanel
from ui.context import PageContext
from ui.pages.base import Page, page_title
from ui.profile_form import ProfileForm
from ui.tasklist_year import install_from_file


class SettingsPage(Page):
    title = "设置"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(page_title("设置"))
        # Profile form and backup panel together are taller than a 768-pixel office screen.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 8, 0)
        self.form = ProfileForm()
        self.form.data_dir = ctx.ws.data_dir  # the working year's list may be installed here
        self.form.setMaximumWidth(720)
        layout.addWidget(self.form)
        self.targets_box = QGroupBox("本单位目标（可由本单位设定的指标；留空为任务清单默认值）")
        self.targets_box.setMaximumWidth(720)
        self.targets_form = QFormLayout(self.targets_box)
        self.target_inputs: dict[str, QLineEdit] = {}
        layout.addWidget(self.targets_box)
        row = QHBoxLayout()
        self.save_button = QPushButton("保存设置(&S)")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        self.status = QLabel()
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        tasklist_row = QHBoxLayout()
        self.install_button = QPushButton("导入任务清单…")
        self.install_button.setToolTip("导入区垃分办发布的新年度任务清单文件（.zip），无需管理员权限")
        self.install_button.clicked.connect(self.install_tasklist)
        tasklist_row.addWidget(self.install_button)
        tasklist_row.addStretch(1)
        layout.addLayout(tasklist_row)
        info = QLabel(f"数据文件夹：{ctx.ws.data_dir}\n日志文件：{log_path(ctx.ws.data_dir)}")
        info.setObjectName("Hint")
        info.setWordWrap(True)
        layout.addWidget(info)
        self.key_label = QLabel()
        self.key_label.setObjectName("KeyFingerprint")
        self.key_label.setWordWrap(True)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.key_label)
        self.backups = BackupPanel(ctx)
        self.backups.setMaximumWidth(1000)
        layout.addWidget(self.backups)
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    def on_show(self, **kwargs: object) -> None:
        profile = self.ctx.ws.profile
        if profile is not None:
            self.form.set_profile(profile)
            self._fill_targets()
        self.status.clear()
        self.key_label.setText(
            f"本机签名密钥指纹：{installation_fingerprint(self.ctx.ws.db)}\n"
            "报表、退回通知均用此密钥签名。区垃分办可电话核对此指纹。密钥保存在数据文件夹中，"
            "随迁移包和备份一起保存；丢失数据文件夹（且无备份）即丢失密钥，需请区垃分办重新登记。")
        self.backups.refresh()

    def install_tasklist(self) -> None:
        window = self.window()
        if hasattr(window, "install_tasklist"):
            window.install_tasklist()  # the main window also refreshes its year selector
        else:
            install_from_file(self, self.ctx.ws)

    def _fill_targets(self) -> None:
        while self.targets_form.rowCount():
            self.targets_form.removeRow(0)
        self.target_inputs = {}
        profile = self.ctx.ws.profile
        indicators = editable_indicators(profile.unit, profile.year, data_dir=self.ctx.ws.data_dir) if profile else []
        self.targets_box.setVisible(bool(indicators))
        for ind in indicators:
            line = QLineEdit()
            own = (profile.target_overrides or {}).get(ind.code)
            line.setText("" if own is None else format_number(own))
            sign = "≥" if ind.comparison == ">=" else "≤"
            line.setPlaceholderText(f"默认 {sign}{format_number(ind.target, ind.unit)}")
            line.setMaximumWidth(160)
            self.targets_form.addRow(f"任务{ind.task_seq} {ind.name}（{ind.unit}）", line)
            self.target_inputs[ind.code] = line

    def save(self) -> None:
        missing = self.form.missing()
        try:
            profile = self.form.profile(self.ctx.ws.profile)
            if missing:
                raise ValidationError(missing)
            save_year_profile(self.ctx.ws.db, profile, data_dir=self.ctx.ws.data_dir)
            if self.target_inputs:
                set_targets(self.ctx.ws.db, {code: line.text().strip() or None for code, line in self.target_inputs.items()},
                            data_dir=self.ctx.ws.data_dir)
        except ValidationError as exc:
            self.form.show_errors(exc.problems)
            self.status.setText("保存失败：" + "；".join(f"{f}：{m}" for f, m in exc.problems))
            return
        self.form.show_errors([])
        self.status.setText("已保存。")
        self.ctx.data_changed()
