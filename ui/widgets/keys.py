"""Keyboard habits of office forms: Enter moves on, Tab leaves a multi-line field, and the Tab
order follows the form from top to bottom."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class PlainTextField(QPlainTextEdit):
    """A multi-line field Tab leaves like any other field; Ctrl+Tab types a tab character."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.insertPlainText("\t")
            return
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Ctrl+Tab is otherwise taken for focus or shortcut handling before keyPressEvent sees it.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.accept()
            return True
        return super().event(event)


class EnterMovesOn(QObject):
    """Installed on single-line fields: Enter goes to the next field, as Tab does.

    Dialog default buttons never fire from a field, so Enter in the middle of a form
    cannot accept it half-filled; Enter on a button still presses it.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in _ENTER \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if isinstance(watched, QComboBox) and watched.view().isVisible():
                return False  # Enter picks the highlighted item
            if isinstance(watched, QWidget):
                following = next_field(watched)
                if following is not None:
                    following.setFocus(Qt.FocusReason.TabFocusReason)
                    if isinstance(following, QLineEdit):
                        following.selectAll()
            return True
        return False


def next_field(widget: QWidget) -> QWidget | None:
    """The widget Tab would go to next (a date edit's Tab would step through its sections)."""
    candidate = widget.nextInFocusChain()
    while candidate is not None and candidate is not widget:
        if candidate.isVisible() and candidate.isEnabled() and candidate.focusProxy() is None \
                and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus and candidate.window() is widget.window():
            return candidate
        candidate = candidate.nextInFocusChain()
    return None


def enter_moves_on(owner: QWidget, widgets: Iterable[QWidget]) -> EnterMovesOn:
    keeper = getattr(owner, "_enter_moves_on", None)
    if keeper is None:
        keeper = EnterMovesOn(owner)
        owner._enter_moves_on = keeper  # type: ignore[attr-defined]
    for widget in widgets:
        if isinstance(widget, (QLineEdit, QAbstractSpinBox, QComboBox)):
            widget.installEventFilter(keeper)
    return keeper


def tab_chain(widgets: Iterable[QWidget | None]) -> None:
    """Tab visits ``widgets`` in this order (the order they are read, top to bottom)."""
    chain = [w for w in widgets if w is not None]
    for first, second in zip(chain, chain[1:]):
        QWidget.setTabOrder(first, second)
