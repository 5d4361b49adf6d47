"""The 填报数值 block of the entry editor: one line per value field of the chosen task.

The fields accept whatever is typed ("-5" stays "-5"); the editor checks the text as it is
typed with the one validation (``clean_entry``) and names the problem under the field, so a
value is never silently changed into another one.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from models.catalog.schema import Task

PLACEHOLDERS = {"percent": "0–100", "int": "整数"}


class MeasureFields(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("填报数值", parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 4, 8, 6)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        self.inputs: dict[str, QLineEdit] = {}  # field code -> its line
        # field name (as clean_entry names it) -> (label, error, line)
        self.cells: dict[str, tuple[QLabel, QLabel, QLineEdit]] = {}

    def build(self, task: Task | None, values: dict[str, str]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # deleteLater is deferred; a stale label must not linger on screen
                widget.deleteLater()
        self.inputs, self.cells = {}, {}
        fields = task.fields if task else ()
        for row, spec in enumerate(fields):
            label = QLabel(spec.name)
            label.setWordWrap(True)
            label.setProperty("plain", spec.name)
            line = QLineEdit(values.get(spec.code, ""))
            if spec.numeric:
                line.setPlaceholderText(PLACEHOLDERS.get(spec.type, "数值"))
                line.setMaxLength(20)
                line.setMaximumWidth(160)
            else:  # a text field, e.g. task 16's 中转场名称
                line.setPlaceholderText("名称")
                line.setMaxLength(50)
                line.setMaximumWidth(240)
            line.textChanged.connect(self.changed)
            label.setBuddy(line)
            unit = QLabel(spec.unit)
            error = QLabel()
            error.setObjectName("ErrorLabel")
            error.setWordWrap(True)
            error.hide()
            self.grid.addWidget(label, row * 2, 0)
            self.grid.addWidget(line, row * 2, 1)
            self.grid.addWidget(unit, row * 2, 2)
            self.grid.addWidget(error, row * 2 + 1, 0, 1, 3)
            self.inputs[spec.code] = line
            self.cells[spec.name] = (label, error, line)
        self.setVisible(bool(fields))

    def values(self) -> dict[str, str]:
        return {code: line.text() for code, line in self.inputs.items() if line.text().strip()}

    def lines(self) -> list[QLineEdit]:
        return list(self.inputs.values())
