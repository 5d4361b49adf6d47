"""The page's questions, as small functions the page stores as hooks (tests replace the hooks)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_reason(parent: QWidget, title: str, text: str) -> str | None:
    reason, ok = QInputDialog.getText(parent, title, text)
    return reason if ok else None


def ask_unsaved(parent: QWidget) -> str:
    """保存 / 不保存 / 取消 → "save" / "discard" / "cancel"."""
    box = QMessageBox(QMessageBox.Icon.Question, "未保存的修改", "当前台账有未保存的修改，是否保存？",
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    for button, text in ((QMessageBox.StandardButton.Save, "保存"), (QMessageBox.StandardButton.Discard, "不保存"),
                         (QMessageBox.StandardButton.Cancel, "取消")):
        box.button(button).setText(text)  # the words of Office's own question, on every platform
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel")


def warn(parent: QWidget, title: str, text: str, details: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()
