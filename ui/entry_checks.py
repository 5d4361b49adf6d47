"""What the entry editor says while typing: an out-of-range, negative or out-of-year value is
named under its field at once (by the one validation, ``clean_entry``), a new entry dated in a
locked month says so, and a photo taken outside the entry's month is pointed out."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from models.core.errors import AppError, ValidationError
from models.ledger.evidence import FIELD_LABEL
from models.core.periods import month_title, quarter_title
from models.ledger.evidence import evidence_file
from models.ledger.locks import is_month_locked, month_of, submitted_at
from models.ledger.photo_batch import outside_month
from models.ledger.validation import clean_entry
from models.store.workspace import Workspace

if TYPE_CHECKING:
    from ui.entry_editor import EntryEditor

    _Base = EntryEditor
else:
    _Base = object

PHOTO_WARNING_LIMIT = 3


def lock_text(ws: Workspace, kind: str, period: str) -> str:
    """"2023年5月月度台账已于 2023-06-03 10:00 报送，本月台账只能查看；如需修改，请先解锁。"."""
    at = submitted_at(ws.reader, kind, period)
    when = f"已于 {at.replace('T', ' ')[:16]} 报送" if at else "已报送"
    if kind == "monthly":
        return f"{month_title(period)}月度台账{when}，本月台账只能查看；如需修改，请先解锁。"
    return f"{quarter_title(period)}工作进展{when}，本季度台账只能查看；如需修改，请先解锁。"


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("ErrorLabel")
    label.setWordWrap(True)
    label.hide()
    return label


class ReadOnlyBanner(QWidget):
    """Above a read-only entry: why it cannot be changed, and the way out (恢复 or 解锁…)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("此台账已删除，不计入统计。恢复后才能修改。")
        self.label.setObjectName("ErrorLabel")
        self.label.setWordWrap(True)
        self.label.setMinimumHeight(self.label.fontMetrics().height() * 2 + 6)  # two lines, never clipped
        row.addWidget(self.label, 1)
        self.restore_button = QPushButton("恢复此台账")
        row.addWidget(self.restore_button)
        self.unlock_button = QPushButton("解锁…")
        self.unlock_button.setToolTip("填写原因后解锁该期报表，再修改此台账")
        row.addWidget(self.unlock_button)
        self.hide()


class LiveChecks:
    """Marks problems of the fields that hold text, as they are typed; empty fields wait for Save."""

    def __init__(self, editor: EntryEditor):
        self.editor = editor
        self.shown: set[str] = set()  # fields whose message came from typing, not from Save

    def problems(self) -> dict[str, str]:
        e = self.editor
        draft = e.draft()
        found: dict[str, str] = {}
        try:
            clean_entry(draft, e.tasks, year=e.year)
        except ValidationError as exc:
            typed = {"日期"} | ({"参与人数"} if e.participants.text().strip() else set())
            typed |= {name for name, (_, _, line) in e.measures_box.cells.items() if line.text().strip()}
            for field, message in exc.problems:
                if field in typed and field not in found:
                    found[field] = message
        date = draft.entry_date
        # An editable entry's own month is open (else the form is read-only): any locked month is a move into it.
        if "日期" not in found and is_month_locked(e.ws.reader, month_of(date)):
            found["日期"] = f"{date.year}年{date.month}月已报送并锁定，不能在该月新增或改入台账"
        return found

    def run(self) -> None:
        e = self.editor
        found = self.problems()
        for field in self.shown - set(found):
            if field in e.errors:
                e.errors[field].hide()
                e._mark(e.inputs[field], False)
        for field, message in found.items():
            if field in e.errors:
                e.errors[field].setText(message)
                e.errors[field].show()
                e._mark(e.inputs[field], True)
        self.shown = set(found)

    def photos(self) -> None:
        """"照片拍摄于2023-03-02" when a photo's capture date is outside the entry's month."""
        e = self.editor
        paths = list(e.evidence.pending_paths())
        for att in e.evidence.attachments():
            if att.is_image:
                try:
                    paths.append(evidence_file(e.ws.data_dir, att))
                except AppError:
                    continue
        entry_date: dt.date = e.date.date().toPython()
        away = outside_month(paths, entry_date)
        if not away:
            e.photo_warning.hide()
            return
        named = "；".join(f"{p.path.name} 照片拍摄于{p.taken:%Y-%m-%d}" for p in away[:PHOTO_WARNING_LIMIT])
        more = f" 等 {len(away)} 张" if len(away) > PHOTO_WARNING_LIMIT else ""
        e.photo_warning.setText(f"⚠ {named}{more}，不在本台账的 {entry_date.year}年{entry_date.month}月，请核对日期。")
        e.photo_warning.show()


class FieldMessages(_Base):
    """Mixed into EntryEditor: Save's problems shown under the fields they name."""

    def clear_errors(self) -> None:
        self.general_error.hide()
        self.evidence.show_error("")
        for key, error in self.errors.items():
            error.hide()
            self._mark(self.inputs[key], False)

    def show_errors(self, problems: list[tuple[str, str]]) -> None:
        general = []
        first: QWidget | None = None
        for field, message in problems:
            if field == FIELD_LABEL:
                self.evidence.show_error("\n".join(m for f, m in problems if f == FIELD_LABEL))
            elif field in self.errors:
                self.errors[field].setText(message)
                self.errors[field].show()
                self._mark(self.inputs[field], True)
                first = first or self.inputs[field]
            else:
                general.append(f"{field}：{message}" if field else message)
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))
        if first is not None:
            first.setFocus()

    @staticmethod
    def _mark(widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
