"""First start: ask which unit this installation belongs to."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.core.errors import ValidationError
from models.store.settings import UnitProfile
from models.store.workspace import Workspace
from models.store.years import save_year_profile
from ui.profile_form import ProfileForm
from ui.tasklist_year import install_from_file
from models.catalog.locations import missing_list_notice


def start_year(years: list[int], today: dt.date | None = None) -> int:
    """This calendar year's list when there is one, else the latest (and the dialog says so)."""
    year = (today or dt.date.today()).year
    return year if year in years else max(years, default=2023)


class SetupDialog(QDialog):
    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.saved: UnitProfile | None = None
        self.setWindowTitle("首次使用：设置填报单位")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        title = QLabel("欢迎使用钟楼区垃圾分类工作台账")
        title.setObjectName("PageTitle")
        layout.addWidget(title)
        intro = QLabel("请选择本电脑所属的填报单位并填写联系人信息。以后可在“设置”页面修改。")
        intro.setWordWrap(True)
        intro.setObjectName("Hint")
        layout.addWidget(intro)
        # No list for this year: say so and offer to install it, never silently start on an old year.
        self.notice = QLabel()
        self.notice.setObjectName("ErrorLabel")
        self.notice.setWordWrap(True)
        self.install_button = QPushButton("导入任务清单文件…")
        self.install_button.clicked.connect(self.install)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.install_button)
        layout.addLayout(notice_row)
        self.form = ProfileForm()
        layout.addWidget(self.form)
        self._update_year()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存并开始")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setProperty("primary", True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _update_year(self) -> None:
        years = self.ws.years()
        self.form.year = start_year(years)
        self.form.data_dir = self.ws.data_dir
        self.form._show_needed()
        notice = missing_list_notice(years)
        if notice:
            notice += f"。导入前暂按 {self.form.year} 年任务清单使用。"
        self.notice.setText(notice or f"任务清单：{self.form.year}年")
        self.install_button.setVisible(bool(notice))

    def install(self) -> None:
        if install_from_file(self, self.ws) is not None:
            self._update_year()

    def save(self) -> None:
        missing = self.form.missing()
        try:
            profile = self.form.profile()
            if missing:
                raise ValidationError(missing)
            self.saved = save_year_profile(self.ws.db, profile, data_dir=self.ws.data_dir)
        except ValidationError as exc:
            shown = {f for f, _ in exc.problems}
            self.form.show_errors(list(exc.problems) + [p for p in missing if p[0] not in shown])
            return
        self.accept()
