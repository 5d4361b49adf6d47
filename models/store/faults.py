"""Faults of the machine, explained in Chinese: full disk, read-only folder, locked database.

Office PCs fill their disks, USB sticks are pulled and antivirus tools lock files. None
of that may end in a traceback or a silent failure: every such error becomes an
:class:`AppError` whose text tells the user what happened and that nothing was saved.

``GuardedConnection`` is the connection class ``store.open_db`` uses. It re-raises the
SQLite errors a user can do something about as :class:`DatabaseFaultError`, which is
both an ``AppError`` (so the GUI and CLI show its message) and still a
``sqlite3.OperationalError`` (so code that handles SQLite errors keeps working).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path
from typing import Any

from models.core.errors import AppError

NOT_SAVED = "本次操作未保存，已有数据没有改变。"
LOCKED = "数据库正被另一个程序占用（例如另一个程序窗口、杀毒或同步软件）。请关闭该程序后重试。"
READONLY = "数据文件夹是只读的，无法保存。请检查文件夹权限，或把数据文件夹放到可以写入的位置。"
DISK_FULL = "磁盘空间不足。请清理磁盘（或换一个空间更大的位置）后重试。"
IO_ERROR = "读写磁盘出错：磁盘、U盘或网络文件夹可能已断开或损坏。请检查后重试。"
DAMAGED = "数据库文件已损坏。请在“设置 → 备份与恢复”中从最近的备份恢复，或运行 check 查看详情。"


log = logging.getLogger(__name__)

_OS_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已满",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.ENOENT: "找不到文件或文件夹",
    errno.EIO: "读写磁盘出错（磁盘、U盘或网络文件夹可能已断开或损坏）",
    errno.ENODEV: "设备不可用",
    errno.ENXIO: "设备不可用",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
    errno.EMFILE: "同时打开的文件过多",
}


def explain(exc: BaseException) -> str:
    """A short Chinese reason for a library or system error; the original goes to the log.

    For messages that would otherwise carry English library text ("No space left on
    device", "Bad CRC-32 for file ...", "file is not a database").
    """
    log.info("explained to the user as a fault: %r", exc)
    if isinstance(exc, OSError) and exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if getattr(exc, "winerror", None) == 112:
        return "磁盘空间不足"
    if isinstance(exc, PermissionError):
        return "没有访问权限"
    if isinstance(exc, sqlite3.Error):
        message = sqlite_fault_message(exc)
        if message is DAMAGED:
            return "数据库文件已损坏，或不是数据库文件"
        return (message or "数据库错误").rstrip("。")
    if isinstance(exc, OSError):
        return f"系统错误（错误号 {exc.errno}）" if exc.errno else "读写文件出错"
    if isinstance(exc, AppError):
        return str(exc)
    return "文件内容无法识别"


class DatabaseFaultError(AppError, sqlite3.OperationalError):
    """A SQLite failure caused by the machine, not by the program."""


_BY_CODE = {
    sqlite3.SQLITE_BUSY: LOCKED,
    sqlite3.SQLITE_LOCKED: LOCKED,
    sqlite3.SQLITE_READONLY: READONLY,
    sqlite3.SQLITE_FULL: DISK_FULL,
    sqlite3.SQLITE_IOERR: IO_ERROR,
    sqlite3.SQLITE_CANTOPEN: IO_ERROR,
    sqlite3.SQLITE_CORRUPT: DAMAGED,
    sqlite3.SQLITE_NOTADB: DAMAGED,
}


def sqlite_fault_message(exc: BaseException) -> str | None:
    """The Chinese explanation of a SQLite error a user can act on, else None.

    Classified by SQLite's result code (``sqlite_errorcode``, primary part); only an
    error raised without a code (by Python's module itself, or by our own backup
    watchdog) falls back to its text.
    """
    if isinstance(exc, DatabaseFaultError) and exc.__cause__ is not None:
        exc = exc.__cause__
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _BY_CODE.get(code & 0xFF)
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return LOCKED
    if "readonly" in text or "read-only" in text:
        return READONLY
    if "disk is full" in text:
        return DISK_FULL
    if "malformed" in text or "not a database" in text:
        return DAMAGED
    return None


def os_fault_message(exc: OSError, *, doing: str, path: Path | str | None = None) -> str:
    """Explain an OSError raised while ``doing`` something (e.g. "备份")."""
    where = f"（{path}）" if path else ""
    if exc.errno == errno.ENOSPC or getattr(exc, "winerror", None) == 112:
        return f"{doing}失败{where}：{DISK_FULL}"
    if getattr(exc, "winerror", None) == 32:  # ERROR_SHARING_VIOLATION: held, not read-only
        return f"{doing}失败{where}：文件被其他程序占用。请关闭正在使用它的程序后重试。"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
        return f"{doing}失败{where}：文件夹是只读的或没有写入权限。请检查权限或换一个位置。"
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO):
        return f"{doing}失败{where}：{IO_ERROR}"
    return f"{doing}失败{where}：{explain(exc)}。"


def app_error_from(exc: BaseException, *, doing: str, path: Path | str | None = None) -> AppError:
    """Map OS and SQLite errors to an AppError; other exceptions pass through unchanged."""
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, OSError):
        return AppError(os_fault_message(exc, doing=doing, path=path))
    if isinstance(exc, sqlite3.Error):
        message = sqlite_fault_message(exc)
        if message:
            return AppError(f"{doing}失败：{message}")
        return AppError(f"{doing}失败：{explain(exc)}。")
    raise exc


def _guard(exc: sqlite3.Error) -> BaseException:
    message = sqlite_fault_message(exc) if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) else None
    if message is None:
        return exc
    fault = DatabaseFaultError(f"{message}{NOT_SAVED if message is not DAMAGED else ''}")
    fault.sqlite_errorname = getattr(exc, "sqlite_errorname", "")  # type: ignore[attr-defined]
    fault.sqlite_errorcode = getattr(exc, "sqlite_errorcode", None)  # type: ignore[attr-defined]
    return fault


def is_read_only_fault(exc: BaseException) -> bool:
    """The write failed because the database is read-only (a read-only folder or mount)."""
    return sqlite_fault_message(exc) is READONLY


def _guarded(call: Any, *args: Any) -> Any:
    """``call(*args)``, its machine-caused SQLite failure re-raised with a Chinese message."""
    try:
        return call(*args)
    except sqlite3.DatabaseError as exc:
        fault = _guard(exc)
        if fault is exc:
            raise
        raise fault from exc


class GuardedConnection(sqlite3.Connection):
    """A connection whose machine-caused failures carry a Chinese message."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        return _guarded(super().execute, sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        return _guarded(super().executemany, sql, parameters)

    def commit(self) -> None:
        _guarded(super().commit)
