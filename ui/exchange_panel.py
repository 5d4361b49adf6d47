"""The district's 核验与退回 tab of 汇总 (the unit side is ``ui.notice_import``).

Check a printout's 核验码, list enrolled keys (newest first) and re-enrol one with a reason,
send a month back (退回修改) and show what changed between versions. All work goes through
models/; dialogs sit only in the button handlers so tests call the methods directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.catalog.units import load_units
from models.core.errors import AppError
from models.district.returns import return_for_correction
from models.district.versions import diff_lines, find_by_code, version_diff
from models.exchange.enrolment import list_known_keys, reset_enrolment
from ui.context import PageContext


def _error_text(exc: AppError) -> str:
    return str(exc)


class DistrictExchangePanel(QWidget):
    def __init__(self, ctx: PageContext, month: Callable[[], str]):
        super().__init__()
        self.ctx = ctx
        self.month = month
        layout = QVBoxLayout(self)

        verify = QGroupBox("核验纸质报表")
        vl = QHBoxLayout(verify)
        vl.addWidget(QLabel("核验码："))
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("如 7K3F-Q9ZD-M2XW（纸质报表第1页与页脚）")
        self.code_edit.returnPressed.connect(lambda: self.verify_code(self.code_edit.text()))
        vl.addWidget(self.code_edit, 1)
        button = QPushButton("核验")
        button.clicked.connect(lambda: self.verify_code(self.code_edit.text()))
        vl.addWidget(button)
        self.verify_result = QLabel()
        self.verify_result.setWordWrap(True)
        vl.addWidget(self.verify_result, 2)
        layout.addWidget(verify)

        work = QHBoxLayout()
        ret = QGroupBox("退回修改 / 版本差异")
        rl = QVBoxLayout(ret)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("单位："))
        self.unit_combo = QComboBox()
        self.unit_combo.addItems([u.name for u in load_units() if u.kind != "district"])
        pick.addWidget(self.unit_combo, 1)
        rl.addLayout(pick)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("退回原因（如：任务12新增达标小区数与测评记录不符）")
        rl.addWidget(self.reason_edit)
        buttons = QHBoxLayout()
        self.return_button = QPushButton("退回修改…")
        self.return_button.clicked.connect(self._choose_return_folder)
        buttons.addWidget(self.return_button)
        self.diff_button = QPushButton("查看版本差异")
        self.diff_button.clicked.connect(lambda: self.show_diff(self.unit_combo.currentText()))
        buttons.addWidget(self.diff_button)
        buttons.addStretch(1)
        rl.addLayout(buttons)
        self.diff_text = QPlainTextEdit()
        self.diff_text.setReadOnly(True)
        rl.addWidget(self.diff_text, 1)
        work.addWidget(ret, 3)

        keys = QGroupBox("已登记的签名密钥（新登记的在上）")
        kl = QVBoxLayout(keys)
        self.keys_table = QTableWidget(0, 3)
        self.keys_table.setHorizontalHeaderLabels(["单位", "密钥指纹", "登记时间"])
        self.keys_table.horizontalHeader().setStretchLastSection(True)
        self.keys_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.keys_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        kl.addWidget(self.keys_table, 1)
        self.reset_button = QPushButton("重新登记所选单位…")
        self.reset_button.clicked.connect(self._ask_reset)
        kl.addWidget(self.reset_button)
        work.addWidget(keys, 2)
        layout.addLayout(work, 1)

    def refresh(self) -> None:
        keys = list_known_keys(self.ctx.ws.db)
        self.keys_table.setRowCount(len(keys))
        for r, key in enumerate(keys):
            for c, text in enumerate((key.owner, key.fingerprint, key.enrolled_at.replace("T", " "))):
                item = QTableWidgetItem(text)
                item.setToolTip(f"来源：{key.source}")
                self.keys_table.setItem(r, c, item)
        self.keys_table.resizeColumnsToContents()

    def verify_code(self, code: str) -> str:
        code = code.strip()
        if not code:
            text = "请输入核验码。"
        else:
            matches = find_by_code(self.ctx.ws.db, code)
            text = "；".join(f"✔ {m.unit} {m.period} 第{m.version}版（{'当前版本' if m.current else '已被新版本替换'}），"
                            f"收到于 {m.imported_at.replace('T', ' ')}，文件 {m.file_name}" for m in matches)
            text = text or "✘ 没有与之相符的已收报表：纸质报表可能被改动过，或对应的电子报表尚未导入。"
        self.verify_result.setText(text)
        return text

    def show_diff(self, unit: str) -> str:
        try:
            text = "\n".join(diff_lines(version_diff(self.ctx.ws.db, unit, self.month())))
        except AppError as exc:
            text = _error_text(exc)
        self.diff_text.setPlainText(text)
        return text

    def return_to(self, unit: str, reason: str, folder: Path) -> Path:
        sent = return_for_correction(self.ctx.ws, unit=unit, month=self.month(), reason=reason, out_dir=folder)
        self.diff_text.setPlainText(f"已生成退回通知：{sent.path}\n请把此文件发给{unit}；对方导入后该月解锁，"
                                    f"修改后将报送第{sent.notice.version + 1}版。")
        return sent.path

    def reset_key(self, unit: str, reason: str) -> None:
        actor = self.ctx.ws.require_profile().operator
        reset_enrolment(self.ctx.ws.db, owner=unit, reason=reason, actor=actor)
        self.refresh()

    # ------------------------------------------------------------ dialogs

    def _choose_return_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "退回通知保存到")
        if not folder:
            return
        try:
            self.return_to(self.unit_combo.currentText(), self.reason_edit.text(), Path(folder))
        except AppError as exc:
            QMessageBox.warning(self, "无法退回", _error_text(exc))

    def _ask_reset(self) -> None:
        row = self.keys_table.currentRow()
        if row < 0:
            QMessageBox.information(self, "重新登记", "请先在列表中选择一个单位。")
            return
        unit = self.keys_table.item(row, 0).text()
        reason, ok = QInputDialog.getText(self, "重新登记签名密钥",
                                          f"注销“{unit}”已登记的密钥，下一份有效报表将登记新密钥。\n原因（记入操作日志）：")
        if not ok:
            return
        try:
            self.reset_key(unit, reason)
        except AppError as exc:
            QMessageBox.warning(self, "未能重新登记", _error_text(exc))
