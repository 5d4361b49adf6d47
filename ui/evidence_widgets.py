"""The editor's 佐证材料 panel: thumbnails of an entry's files, files waiting to be saved,
open in the system viewer, remove. Nothing is written until the editor saves."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QFileInfo, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QIcon, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileIconProvider,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from models.core.errors import AppError
from models.core.filetypes import ALLOWED_TYPES, IMAGE_TYPES
from models.ledger.evidence import Attachment, evidence_file, thumbnail_path
from models.ledger.evidence_checks import inspect_file
from ui.ui_state import open_files

ICON = 88
FILE_FILTER = "佐证材料 (" + " ".join(f"*.{ext}" for ext in ALLOWED_TYPES) + ");;所有文件 (*)"
AttachmentRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2


def _pending_thumbnail(path: Path) -> QIcon:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # honour EXIF orientation, as the stored thumbnails do
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(QSize(ICON * 2, ICON * 2), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return QIcon(QPixmap.fromImage(image)) if not image.isNull() else QFileIconProvider().icon(QFileIconProvider.IconType.File)


class _FileList(QListWidget):
    """The thumbnails; empty, it says what can be dropped on it."""

    placeholder = ""

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 (Qt API)
        super().paintEvent(event)
        if self.count() == 0 and self.placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#7b8794"))
            painter.drawText(self.viewport().rect().adjusted(12, 0, -12, 0),
                             int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.placeholder)
            painter.end()


class EvidencePanel(QGroupBox):
    changed = Signal()

    def __init__(self, data_dir: Path, parent: object = None):
        super().__init__("佐证材料", parent)  # type: ignore[arg-type]
        self.data_dir = Path(data_dir)
        # The system viewer; tests replace it.
        self.opener: Callable[[Path], object] = lambda p: QDesktopServices.openUrl(QUrl.fromLocalFile(str(p)))
        self._removed: list[int] = []
        self.read_only = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        # The buttons beside the thumbnails, the counts in the title, what can be dropped inside
        # the empty list: a row of its own below them pushed 添加文件… under the editor's fold at
        # 1366×768.
        body = QHBoxLayout()
        self.list = _FileList()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(ICON, ICON))
        self.list.setGridSize(QSize(ICON + 28, ICON + 34))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setFixedHeight(ICON + 48)
        self.list.itemDoubleClicked.connect(lambda item: self._open(item))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        body.addWidget(self.list, 1)
        column = QVBoxLayout()
        self.add_button = QPushButton("添加文件…")
        self.add_button.clicked.connect(self.choose_files)
        self.open_button = QPushButton("打开")
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button = QPushButton("移除")
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.add_button, self.open_button, self.remove_button):
            column.addWidget(button)
        column.addStretch(1)
        body.addLayout(column)
        layout.addLayout(body)
        self.error = QLabel()
        self.error.setObjectName("ErrorLabel")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self._update_buttons()

    # ------------------------------------------------------------ content

    def set_attachments(self, attachments: list[Attachment], *, read_only: bool = False) -> None:
        self.list.clear()
        self._removed = []
        self.read_only = read_only
        self.show_error("")
        for attachment in attachments:
            item = QListWidgetItem(self._stored_icon(attachment), attachment.original_name)
            item.setData(AttachmentRole, attachment)
            item.setToolTip(f"{attachment.original_name}（{attachment.size / 1024:.0f} KB）双击打开")
            self.list.addItem(item)
        self.add_button.setEnabled(not read_only)
        self._update_buttons()

    def _stored_icon(self, attachment: Attachment) -> QIcon:
        if attachment.is_image:
            try:
                return QIcon(str(thumbnail_path(self.data_dir, attachment)))
            except AppError:
                pass
        try:
            return QFileIconProvider().icon(QFileInfo(str(evidence_file(self.data_dir, attachment))))
        except AppError:
            return QFileIconProvider().icon(QFileIconProvider.IconType.File)

    def add_paths(self, paths: list[Path]) -> int:
        """Queue files for the next save; refused files are named below the list."""
        if self.read_only:
            return 0
        problems = []
        added = 0
        queued = {Path(p) for p in self.pending_paths()}
        for path in map(Path, paths):
            if path in queued:
                continue
            try:
                ext = inspect_file(path)[0]
            except AppError as exc:
                problems.append(f"{path.name}：{exc}")
                continue
            icon = _pending_thumbnail(path) if ext in IMAGE_TYPES else QFileIconProvider().icon(QFileInfo(str(path)))
            item = QListWidgetItem(icon, path.name)
            item.setData(PathRole, str(path))
            item.setForeground(QBrush(QColor("#2b6cb0")))
            item.setToolTip(f"{path}\n待保存：保存台账时复制到数据文件夹")
            self.list.addItem(item)
            queued.add(path)
            added += 1
        self.show_error("\n".join(problems))
        if added:
            self.changed.emit()
        self._update_buttons()
        return added

    def pending_paths(self) -> list[Path]:
        return [Path(self.list.item(i).data(PathRole)) for i in range(self.list.count()) if self.list.item(i).data(PathRole)]

    def removed_ids(self) -> list[int]:
        return list(self._removed)

    def attachments(self) -> list[Attachment]:
        """Stored attachments still shown (not marked for removal)."""
        return [self.list.item(i).data(AttachmentRole) for i in range(self.list.count())
                if self.list.item(i).data(AttachmentRole) is not None]

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    # ------------------------------------------------------------ actions

    def choose_files(self) -> None:
        paths = open_files(self, "选择佐证材料", FILE_FILTER, "evidence")
        if paths:
            self.add_paths(paths)

    def _path_of(self, item: QListWidgetItem) -> Path | None:
        attachment = item.data(AttachmentRole)
        if attachment is not None:
            return evidence_file(self.data_dir, attachment)
        pending = item.data(PathRole)
        return Path(pending) if pending else None

    def _open(self, item: QListWidgetItem) -> None:
        path = self._path_of(item)
        if path is None:
            return
        if not path.exists():
            self.show_error(f"{item.text()}：文件不存在（原文件可能已被移走）")
            return
        self.opener(path)

    def open_selected(self) -> None:
        for item in self.list.selectedItems():
            self._open(item)

    def remove_selected(self) -> None:
        if self.read_only:
            return
        items = self.list.selectedItems()
        for item in items:
            attachment = item.data(AttachmentRole)
            if attachment is not None:
                self._removed.append(attachment.id)
            self.list.takeItem(self.list.row(item))
        if items:
            self.changed.emit()
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = bool(self.list.selectedItems())
        self.open_button.setEnabled(selected)
        self.remove_button.setEnabled(selected and not self.read_only)
        n = self.list.count()
        pending = len(self.pending_paths())
        self.setTitle(f"佐证材料（共 {n} 件" + (f"，{pending} 件待保存" if pending and not self.read_only else "") + "）"
                      if n else "佐证材料")
        self.list.placeholder = "无" if self.read_only else "可把照片、PDF、Word/Excel 文件拖到此处，或点“添加文件…”"
        self.list.setAccessibleDescription("" if n else self.list.placeholder)  # painted text: said for screen readers
        self.list.setToolTip("" if self.read_only or not n else "双击打开；可继续拖入文件")
        self.list.viewport().update()
