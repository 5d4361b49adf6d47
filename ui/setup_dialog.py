"""First start: ask which unit this installation belongs to."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from models.core.errors import ValidationError
from models.store.settings import UnitProfile, save_profile
from models.store.workspace import Workspace
from ui.profile_form import ProfileForm


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
        self.form = ProfileForm()
        layout.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存并开始")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setProperty("primary", True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        missing = self.form.missing()
        try:
            profile = self.form.profile()
            if missing:
                raise ValidationError(missing)
            self.saved = save_profile(self.ws.db, profile)
        except ValidationError as exc:
            shown = {f for f, _ in exc.problems}
            self.form.show_errors(list(exc.problems) + [p for p in missing if p[0] not in shown])
            return
        self.accept()
