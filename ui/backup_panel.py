"""备份与恢复 (on the 设置 page): back up now, see the last result, restore, move to a new PC.

All work runs through the TaskRunner (off the GUI thread); this module only asks
``models.safety.backup`` / ``models.safety.restore`` / ``models.safety.archive``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.safety.archive import export_archive, import_archive
from models.safety.backup import BackupInfo, backup_now, backup_root, list_backups, mirror_dir, set_mirror_dir
from models.safety.backup_record import last_result
from models.core.errors import AppError
from models.safety.restore import restore_backup
from ui.context import PageContext
from ui.models.backup_table_model import BackupTableModel
from ui.ui_state import choose_folder, open_file, save_file


def status_text(result: dict[str, Any] | None) -> tuple[str, bool]:
    """The last-backup line and whether it is a failure (shown in red)."""
    if not result:
        return "还没有备份过。建议现在备份一次（程序退出时也会自动备份）。", False
    when = str(result.get("at", "")).replace("T", " ")[:16]
    if result.get("ok"):
        return f"上次备份：{when}，成功。{result.get('message', '')}", False
    message = str(result.get("message", ""))
    if not message.startswith("备份失败") and not result.get("path"):  # with a path: kept, but with a problem
        message = f"备份失败：{message}"
    return f"上次备份 {when}：{message}", True


class BackupPanel(QGroupBox):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None):
        super().__init__("备份与恢复", parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("BackupStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        row = QHBoxLayout()
        self.backup_button = QPushButton("立即备份(&B)")
        self.backup_button.setProperty("primary", True)
        self.backup_button.clicked.connect(self.backup)
        row.addWidget(self.backup_button)
        self.mirror_button = QPushButton("选择第二备份文件夹（U盘/网络共享）…")
        self.mirror_button.clicked.connect(self.choose_mirror)
        row.addWidget(self.mirror_button)
        self.clear_mirror_button = QPushButton("不再使用第二备份文件夹")
        self.clear_mirror_button.clicked.connect(self.clear_mirror)
        row.addWidget(self.clear_mirror_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.mirror_label = QLabel()
        self.mirror_label.setObjectName("Hint")
        self.mirror_label.setWordWrap(True)
        layout.addWidget(self.mirror_label)

        self.model = BackupTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(180)
        layout.addWidget(self.table)

        row = QHBoxLayout()
        self.restore_button = QPushButton("恢复所选备份…")
        self.restore_button.clicked.connect(self.restore_selected)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        self.export_button = QPushButton("导出迁移包（换电脑）…")
        self.export_button.clicked.connect(self.export_archive)
        row.addWidget(self.export_button)
        self.import_button = QPushButton("导入迁移包…")
        self.import_button.clicked.connect(self.import_archive)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        hint = QLabel("程序退出时和运行中每天自动备份；备份会先经完整性检查。恢复前会自动备份当前数据，恢复可以撤销。")
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.busy = False

    # ------------------------------------------------------------ state

    @property
    def data_dir(self) -> Path:
        return self.ctx.ws.data_dir

    def refresh(self) -> None:
        db = self.ctx.ws.db
        mirror = mirror_dir(db)
        try:
            infos = list_backups(self.data_dir, mirror=mirror if mirror and mirror.is_dir() else None)
        except OSError:
            infos = list_backups(self.data_dir)
        self.model.set_backups(infos, local_root=backup_root(self.data_dir))
        self.show_status(last_result(db))
        if mirror:
            note = "" if mirror.is_dir() else "（现在无法访问：U盘未插入或网络未连接）"
            self.mirror_label.setText(f"第二备份文件夹：{mirror}{note}")
        else:
            self.mirror_label.setText("第二备份文件夹：未设置。建议选择U盘或网络共享文件夹，电脑损坏时数据仍在。")
        self.clear_mirror_button.setEnabled(mirror is not None)
        self._set_busy(self.busy)

    def show_status(self, result: dict[str, Any] | None) -> None:
        text, failed = status_text(result)
        self.status.setText(text)
        self.status.setProperty("failed", failed)
        # Red without relying on the theme being loaded (tests, first start).
        self.status.setStyleSheet("color: #c53030; font-weight: bold;" if failed else "color: #276749;")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in (self.backup_button, self.restore_button, self.export_button, self.import_button):
            button.setEnabled(not busy)
        if not busy:
            self.restore_button.setEnabled(self.model.rowCount() > 0)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.infos[rows[0].row()] if rows else None

    def _failed(self, title: str) -> Any:
        def on_failure(exc: Exception) -> None:
            self._set_busy(False)
            self.refresh()
            message = str(exc) if isinstance(exc, AppError) else f"意外错误：{exc}"
            QMessageBox.warning(self, title, message)

        return on_failure

    # ------------------------------------------------------------ actions

    def backup(self) -> None:
        self._set_busy(True)
        self.status.setText("正在备份…")
        data_dir = self.data_dir

        def done(outcome: Any) -> None:
            self._set_busy(False)
            self.refresh()

        self.ctx.runner.run_task(lambda progress: backup_now(data_dir, kind="manual", progress=progress),
                                 done, self._failed("备份失败"))

    def choose_mirror(self) -> None:
        folder = choose_folder(self, "选择第二备份文件夹（U盘或网络共享）", "mirror")
        if folder is None:
            return
        try:
            set_mirror_dir(self.ctx.ws.db, Path(folder))
        except AppError as exc:
            QMessageBox.warning(self, "无法使用该文件夹", str(exc))
            return
        self.refresh()

    def clear_mirror(self) -> None:
        set_mirror_dir(self.ctx.ws.db, None)
        self.refresh()

    def restore_selected(self) -> None:
        info = self.selected()
        if info is None:
            QMessageBox.information(self, "恢复备份", "请先在列表中选择一个备份。")
            return
        question = (f"恢复 {info.created_at:%Y-%m-%d %H:%M} 的{info.kind_label}？\n\n"
                    f"该备份有 {info.entries} 条台账、{info.evidence_files} 个佐证文件。当前的台账将被替换。\n"
                    "恢复前会自动备份当前数据，如需撤销，可再恢复那份“恢复前自动备份”。")
        current = self.ctx.ws.profile.unit if self.ctx.ws.profile else ""
        other_unit = bool(info.unit and current and info.unit != current)  # e.g. a shared mirror folder
        if other_unit:
            question = f"注意：该备份属于“{info.unit}”，不是当前单位“{current}”。\n\n" + question
        if QMessageBox.question(self, "确认恢复", question) != QMessageBox.StandardButton.Yes:
            return
        self._set_busy(True)
        data_dir = self.data_dir

        def done(result: Any) -> None:
            self._set_busy(False)
            self.refresh()
            QMessageBox.information(self, "恢复完成", f"已恢复 {result.entries} 条台账、{result.evidence_files} 个佐证文件。"
                                    "\n恢复前的数据已备份（列表中的“恢复前自动备份”）。")

        self.ctx.runner.run_in_workspace(
            self.ctx.ws, lambda own, progress: restore_backup(data_dir, info.path, db=own.db, other_unit_ok=other_unit,
                                                              progress=progress),
            done, self._failed("恢复失败"), writes=True)

    def export_archive(self) -> None:
        unit = self.ctx.ws.profile.unit if self.ctx.ws.profile else "台账"
        path = save_file(self, "导出迁移包", f"{unit}_台账迁移包_{dt.date.today():%Y%m%d}.zip", "迁移包 (*.zip)", "archive")
        if path is None:
            return
        self._set_busy(True)
        data_dir = self.data_dir

        def done(info: Any) -> None:
            self._set_busy(False)
            extra = f"\n注意：{len(info.missing_evidence)} 个佐证文件缺失或损坏，未能导出。" if info.missing_evidence else ""
            QMessageBox.information(self, "导出完成", f"已导出 {info.entries} 条台账、{info.evidence_files} 个佐证文件到\n{info.path}"
                                    f"\n在新电脑上用“导入迁移包”导入。{extra}")

        self.ctx.runner.run_task(lambda progress: export_archive(data_dir, Path(path), progress=progress),
                                 done, self._failed("导出失败"))

    def import_archive(self) -> None:
        path = open_file(self, "导入迁移包", "迁移包 (*.zip)", "archive")
        if path is None:
            return
        question = ("导入迁移包将替换本机当前的全部台账、佐证材料和设置。\n"
                    "导入前会逐一校验文件，并自动备份当前数据。是否继续？")
        if QMessageBox.question(self, "确认导入", question) != QMessageBox.StandardButton.Yes:
            return
        self._set_busy(True)
        data_dir = self.data_dir

        def done(result: Any) -> None:
            self._set_busy(False)
            self.refresh()
            QMessageBox.information(self, "导入完成", f"已导入 {result.entries} 条台账、{result.evidence_files} 个佐证文件，全部通过校验。")

        self.ctx.runner.run_in_workspace(
            self.ctx.ws, lambda own, progress: import_archive(Path(path), data_dir, force=True, db=own.db, progress=progress),
            done, self._failed("导入失败"), writes=True)
