"""Start-up integrity check, the daily backup while running, and the end of a session (the
backup on exit, the 工作台 kept for the next start).

Wired into the application by ``ui.app.run_gui``; the work itself is in
``models.safety.integrity``, ``models.safety.backup`` and ``models.safety.restore``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow, QWidget

from models import APP_NAME
from models.core.errors import AppError
from ui.ui_state import choose_folder

if TYPE_CHECKING:
    from models.safety.integrity import PendingCheck
    from models.store.workspace import Workspace
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
CHECK_INTERVAL_MS = 60 * 60 * 1000  # look once an hour whether today's backup is done
FIRST_CHECK_MS = 2 * 60 * 1000  # not during start-up: the user is busy opening pages


def _check_alongside(data_dir: Path, alongside: Callable[[], None] | None, check: PendingCheck | None) -> None:
    """The start-up check's verdict; ``alongside`` runs on this thread meanwhile.

    The check is SQLite reading the whole file, which it does without Python's lock, so the
    GUI thread can load code at the same time (on two cores the check is then almost free).
    ``check`` is one started earlier (``main`` starts it before Qt loads). Nothing is opened
    for writing until both are done; the check's verdict, or its error, is this function's.
    """
    from models.safety.integrity import PendingCheck

    pending = check if check is not None else PendingCheck(data_dir)
    if alongside is not None:
        try:
            alongside()
        except BaseException:
            pending.join()  # never leave the check reading behind an error
            raise
    pending.verdict()


def startup_check(data_dir: Path, *, parent: QWidget | None = None, alongside: Callable[[], None] | None = None,
                  check: PendingCheck | None = None) -> bool:
    """``PRAGMA quick_check`` before the database is opened for writing.

    On damage: explain in Chinese and offer the newest good backup. Returns True when
    the program may open the folder (intact, or restored), False to quit. ``alongside``
    (loading code) runs on this thread while the check reads the file on another.
    """
    from models.core.errors import UnusableDatabaseError

    try:
        _check_alongside(data_dir, alongside, check)
        return True
    except UnusableDatabaseError as exc:  # damaged, or not this program's ledger
        damage = exc
    except AppError as exc:  # e.g. written by a newer version of the program
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(parent, APP_NAME, str(exc))
        return False
    # Only a damaged folder pays for the backup and restore machinery (and the dialogs).
    from PySide6.QtWidgets import QMessageBox

    from models.safety.backup import list_backups
    from models.safety.restore import newest_good_backup, restore_backup
    from models.store.workspace import acquire_lock

    log.error("start-up check failed: %s", damage.problems)
    good = newest_good_backup(list_backups(data_dir))
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, str(damage).splitlines()[0], parent=parent)
    box.setDetailedText("\n".join(damage.problems))  # SQLite's own words, for a technician
    restore = None
    if good is None:
        box.setInformativeText("本机没有找到可用的备份。如有U盘或网络文件夹中的备份，请选择它；"
                               "也可联系技术人员。程序不会修改损坏的文件。")
    else:
        box.setInformativeText(
            f"最近的完好备份：{good.created_at:%Y-%m-%d %H:%M}（{good.kind_label}），"
            f"有 {good.entries} 条台账、{good.evidence_files} 个佐证文件。\n\n是否从该备份恢复？损坏的文件会先另存一份，不会删除；恢复可以撤销。")
        restore = box.addButton("从该备份恢复", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(restore)
    elsewhere = box.addButton("选择其他备份文件夹…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if clicked is restore and good is not None:
        source = good.path
    elif clicked is elsewhere:
        # a snapshot folder, or a backups folder (its newest snapshot is used)
        folder = choose_folder(parent, "选择备份文件夹（U盘或网络共享中的备份）", "restore")
        if folder is None:
            return False
        source = folder
    else:
        return False
    from models.safety.candidate import UnitMismatchError

    from models.store.workspace import CLOSING_WAIT_S
    from ui.app import waiting_for_closing

    try:
        lock = acquire_lock(data_dir, wait_if_closing=CLOSING_WAIT_S, waiting=lambda: waiting_for_closing(parent))
        try:
            try:
                result = restore_backup(data_dir, source)
            except UnitMismatchError as mismatch:
                answer = QMessageBox.question(parent, APP_NAME, f"{mismatch}\n\n仍要从该备份恢复吗？")
                if answer != QMessageBox.StandardButton.Yes:
                    return False
                result = restore_backup(data_dir, source, other_unit_ok=True)
        finally:
            lock.release()
    except AppError as exc:
        QMessageBox.critical(parent, APP_NAME, f"恢复失败：{exc}\n损坏的文件没有被改动。")
        return False
    QMessageBox.information(parent, APP_NAME, f"已从备份恢复 {result.entries} 条台账。损坏的文件已另存在 {result.safety_copy}。")
    return True


def _daily_backup(data_dir: Path) -> Any:
    """On the worker thread: the backup code (and the database library) load there."""
    from models.safety.backup import backup_now

    return backup_now(data_dir, kind="daily")


class DailyBackup(QObject):
    """Backs up once a day while the program runs, through the window's TaskRunner."""

    def __init__(self, window: QMainWindow, runner: Any, data_dir: Path, db: Any):
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.data_dir = data_dir
        self.db = db
        self.running = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(CHECK_INTERVAL_MS)
        QTimer.singleShot(FIRST_CHECK_MS, self.tick)

    def tick(self) -> None:
        from models.safety.backup_record import needs_daily_backup

        if self.running:
            return
        try:
            # ``db`` may be a function giving it (the workspace's reader): reading one setting
            # loads neither the backup code nor the database library on the GUI thread
            if not needs_daily_backup(self.db() if callable(self.db) else self.db):
                return
        except Exception:  # noqa: BLE001 - a settings read must never break the timer
            log.exception("daily backup check failed")
        self.running = True
        data_dir = self.data_dir
        self.runner.run_task(lambda progress: _daily_backup(data_dir), self._done, self._failed)

    def _done(self, outcome: Any) -> None:
        self.running = False
        if outcome.ok:
            self.window.statusBar().showMessage(f"已自动备份（{outcome.info.entries} 条台账）。", 10_000)
        else:
            self._show_failure(outcome.mirror_error or "部分佐证文件缺失或损坏，未能备份")

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self._show_failure(str(exc))

    def _show_failure(self, message: str) -> None:
        # Shown, not hidden: stays in the status bar (and in red on the 设置 page).
        self.window.statusBar().showMessage(f"自动备份失败：{message}（详见 设置 → 备份与恢复）")


def backup_on_exit(data_dir: Path, *, parent: QWidget | None = None) -> bool:
    """Back up as the program closes; a failure is shown before the program ends."""
    from PySide6.QtWidgets import QMessageBox

    from models.safety.backup import backup_now

    try:
        outcome = backup_now(data_dir, kind="exit")
    except AppError as exc:
        QMessageBox.warning(parent, APP_NAME, f"退出时备份失败：{exc}\n已保存的台账不受影响。")
        return False
    if outcome.mirror_error:
        QMessageBox.warning(parent, APP_NAME, f"已备份到本机，但{outcome.mirror_error}")
    return outcome.ok


def close_session(window: MainWindow, ws: Workspace, *, quit_after_startup: bool) -> None:
    """The window is gone: background writes finish, the backup on exit, the 工作台 kept for
    the next start under the ledger's token as it is now; the folder is closed whatever fails."""
    try:
        if not quit_after_startup:
            ws.announce_closing()  # a window opened again meanwhile waits instead of being refused
            window.runner.wait()
            before_backup = _token(ws)
            if not ws.read_only:
                backup_on_exit(ws.data_dir)  # records itself in the ledger: a write, a new token
            after_backup = _token(ws)
            # Nothing more is written: a window opened again meanwhile need not wait for the
            # views below (they are read from one state of the ledger, under its token then).
            ws.release_lock()
            _keep_start_view(ws, moved=(before_backup, after_backup))
    finally:
        ws.close()


def _token(ws: Workspace) -> str | None:
    from models.store.start_view import revision_token

    try:
        return revision_token(ws.conn)
    except Exception:  # noqa: BLE001 - only a shortcut's hint
        return None


def _keep_start_view(ws: Workspace, *, moved: tuple[str | None, str | None]) -> None:
    """A shortcut only: a failure is logged and the next start works the 工作台 out."""
    try:
        from ui.dashboard_view import keep_for_next_start

        keep_for_next_start(ws, moved=moved)
    except Exception:  # noqa: BLE001
        log.exception("start view not kept at close")
