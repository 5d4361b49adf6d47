"""台账录入's row actions on the selected entries: delete (several at once, all or none),
restore, open their evidence, and unlock the submitted month an entry is locked by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.core.errors import AppError
from models.ledger.entries import delete_entries, restore_entry
from models.ledger.evidence import evidence_file, list_attachments
from models.ledger.locks import ensure_month_open

if TYPE_CHECKING:
    from ui.pages.ledger_page import LedgerPage

    _Base = LedgerPage
else:
    _Base = object


class RowActions(_Base):
    """Mixed into LedgerPage: uses its table, model, editor and dialog hooks."""

    def delete_selected(self) -> None:
        entries = [e for e in self._selected() if not e.deleted_at]
        if not entries:
            return
        try:  # a submitted month's entry: said at once, not after "确定删除…?" (one query a month)
            for first_day in sorted({entry.entry_date.replace(day=1) for entry in entries}):
                ensure_month_open(self.ctx.ws.reader, first_day)
        except AppError as exc:
            self.warn("无法删除", str(exc), "")
            return
        if len(entries) == 1:
            entry = entries[0]
            question = f"确定删除台账“{entry.title}”（{entry.entry_date}）吗？"
        else:
            question = f"确定删除所选的 {len(entries)} 条台账吗？"
        if not self.confirm("删除台账", question + "\n删除后不计入统计，可勾选“显示已删除”后恢复。"):
            return
        actor = self.ctx.ws.require_profile().operator
        try:  # several rows: all deleted, or none
            delete_entries(self.ctx.ws.db, [e.id for e in entries], actor=actor)
        except AppError as exc:
            self.warn("无法删除", str(exc), "")
            return
        row = min(self.table.selected_rows() or [0])
        self.model.refresh()
        if self.show_deleted.isChecked():  # it stays listed, struck through; show it as deleted
            self._after_reload(entries[0].id)
            self.editor.load_entry(entries[0].id)
            return
        self._after_reload(None)
        next_row = min(row, self.model.rowCount() - 1)
        if next_row >= 0:
            self.table.selectRow(next_row)
        else:
            self.editor.new_entry(task_seq=self.task.currentData(), date=self._default_date())

    def open_evidence(self) -> None:
        """Open the selected entries' files in the system viewer (at most 10 at once)."""
        opened = 0
        for entry in self._selected():
            for att in list_attachments(self.ctx.ws.reader, entry.id):
                if opened >= 10:
                    return
                try:
                    self.open_file(evidence_file(self.ctx.ws.data_dir, att))
                    opened += 1
                except AppError as exc:
                    self.warn("无法打开", str(exc), "")
                    return

    def unlock_period(self, kind: str, period: str) -> None:
        reason = self.ask_reason("解锁", "解锁后可修改该期台账，下次导出为新版本。\n请填写解锁原因：")
        if not reason or not reason.strip():
            return
        from models.reporting.submissions import unlock  # the reports' code loads when it is used

        try:
            unlock(self.ctx.ws, kind, period, reason=reason.strip(), actor=self.ctx.ws.require_profile().operator)
        except AppError as exc:
            self.warn("无法解锁", str(exc), "")
            return
        if self.editor.entry is not None:
            self.editor.load_entry(self.editor.entry.id)
        self.ctx.data_changed()

    def restore_selected(self) -> None:
        entry_id = self.selected_entry_id()
        if entry_id is not None:
            self.restore_entry(entry_id)

    def restore_entry(self, entry_id: int) -> None:
        try:
            restore_entry(self.ctx.ws.db, entry_id, actor=self.ctx.ws.require_profile().operator)
        except AppError as exc:
            self.warn("无法恢复", str(exc), "")
            return
        self.editor.load_entry(entry_id)
        self.refresh(select=entry_id)
