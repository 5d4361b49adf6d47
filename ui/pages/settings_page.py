"""设置: edit the unit profile."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from models.errors import ValidationError
from models.logsetup import log_path
from models.settings import save_profile
from ui.context import PageContext
from ui.pages.base import Page, page_title
from ui.profile_form import ProfileForm


class SettingsPage(Page):
    title = "设置"

    def __init__(self, ctx: PageContext):
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(page_title("设置"))
        self.form = ProfileForm()
        self.form.setMaximumWidth(720)
        layout.addWidget(self.form)
        row = QHBoxLayout()
        self.save_button = QPushButton("保存设置(&S)")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        self.status = QLabel()
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        info = QLabel(f"数据文件夹：{ctx.ws.data_dir}\n日志文件：{log_path(ctx.ws.data_dir)}")
        info.setObjectName("Hint")
        info.setWordWrap(True)
        layout.addWidget(info)
        layout.addStretch(1)

    def on_show(self, **kwargs: object) -> None:
        profile = self.ctx.ws.profile
        if profile is not None:
            self.form.set_profile(profile)
        self.status.clear()

    def save(self) -> None:
        try:
            save_profile(self.ctx.ws.db, self.form.profile(self.ctx.ws.profile))
        except ValidationError as exc:
            self.form.show_errors(exc.problems)
            self.status.setText("保存失败，请按提示修改。")
            return
        self.form.show_errors([])
        self.status.setText("已保存。")
        self.ctx.data_changed()
