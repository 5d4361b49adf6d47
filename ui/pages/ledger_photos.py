"""台账录入 takes a day's photos: a folder or many photos dropped on the table are grouped by
the day they were taken (models/ledger/photo_batch.py) and proposed as one entry per day."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QDragEnterEvent, QDropEvent

from models.ledger.photo_batch import MAX_PHOTOS, collect_photos, group_by_day
from ui.photo_batch_dialog import PhotoBatchDialog

if TYPE_CHECKING:
    from ui.pages.ledger_page import LedgerPage

    _Base = LedgerPage
else:
    _Base = object


class PhotoActions(_Base):
    """Mixed into LedgerPage. ``run_batch`` shows the dialog; tests replace it to fill and confirm."""

    run_batch: Callable[[PhotoBatchDialog], bool] = staticmethod(lambda dialog: dialog.exec() == dialog.DialogCode.Accepted)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.propose_photos(paths)

    def propose_photos(self, paths: list[Path]) -> list[int]:
        """Group the photos by day and, once confirmed, save one entry per day; the new ids."""
        photos = collect_photos(paths)
        if not photos:
            self.inform("没有照片", "拖入的文件或文件夹中没有照片（jpg、png）。\n其他佐证材料请拖到右侧的台账上。")
            return []
        if len(photos) > MAX_PHOTOS:
            self.inform("照片太多", f"一次最多处理 {MAX_PHOTOS} 张照片（拖入了 {len(photos)} 张），请按月分批拖入。")
            return []
        if not self._settle_unsaved():
            return []
        seq = self.task.currentData() or self.editor.task.currentData()
        dialog = PhotoBatchDialog(self.ctx.ws, self.tasks, group_by_day(photos), task_seq=seq, parent=self)
        if not self.run_batch(dialog) or not dialog.created:
            return []
        self.refresh(select=dialog.created[0])
        self.editor.load_entry(dialog.created[0])
        self.ctx.data_changed()
        self.inform("已生成台账", f"已按拍摄日期生成 {len(dialog.created)} 条台账，照片已作为佐证材料附上。")
        return dialog.created
