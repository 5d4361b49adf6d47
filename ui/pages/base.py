"""Shared page furniture: a title row, and a placeholder for pages not built yet."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

# Below this window width (1366×768 at 125 % and 150 % scaling) pages use their narrow layout.
NARROW_WINDOW = 1200


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PageTitle")
    return label


class Page(QWidget):
    """A main-window page. ``on_show`` runs whenever it becomes visible."""

    title = ""

    def on_show(self, **kwargs: object) -> None:
        """Refresh from the database; pages override."""

    def bind(self, ctx: object) -> None:
        """The folder was opened after this page was built (the 工作台 painted from the view
        kept at the last start); pages built on an open folder need nothing."""

    def on_data_changed(self) -> None:
        """The ledger changed (an editor save, a background import, a restore): a visible
        page shows it now; a hidden one refreshes when it is next shown."""
        refresh = getattr(self, "refresh", None)
        if refresh is not None and self.isVisible():
            refresh()

    def may_leave(self) -> bool:
        """Before the page is left or the window closes: settle unsaved edits (ask the user).
        False keeps the user here; pages with edits override."""
        return True


class PendingPage(Page):
    """Shown for a navigation target whose page has not been delivered yet."""

    def __init__(self, title: str, note: str):
        super().__init__()
        self.title = title
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(title))
        label = QLabel(note)
        label.setObjectName("Hint")
        from PySide6.QtCore import Qt  # not at import: the Qt namespace costs ~35 ms before the first paint

        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(label, 1)


class WindowWidth(QObject):
    """Tells a page when its window crosses ``NARROW_WINDOW``: ``on_change(narrow)``.

    A page never shrinks below its minimum size (the main window scrolls it instead), so
    it follows the window's width rather than its own to know when to reflow.
    """

    def __init__(self, page: QWidget, on_change: Callable[[bool], None], limit: int = NARROW_WINDOW):
        super().__init__(page)
        self.page, self.on_change, self.limit = page, on_change, limit
        self.narrow: bool | None = None
        self.window: QWidget | None = None

    def check(self) -> None:
        """Call from the page's showEvent: watches its window from then on."""
        window = self.page.window()
        if window is not self.window:
            window.installEventFilter(self)
            self.window = window
        narrow = window.width() < self.limit
        if narrow != self.narrow:
            self.narrow = narrow
            self.on_change(narrow)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.check()
        return False
