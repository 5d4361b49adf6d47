"""Small file primitives shared by evidence, backups, archives and reports.

Durability matters here: a file is only "saved" once its bytes and the directory entry
that names it have reached the disk (fsync both), so a power cut cannot leave a name
pointing at nothing.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Callable

from models.core.errors import AppError

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    import hashlib  # not at import: the GUI's start path loads this module but hashes nothing

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    # O_RDWR: on Windows fsync (_commit) of a read-only handle fails.
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (POSIX; Windows cannot open folders)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Windows refuses to rename a file that another program holds open: antivirus scanning a file
# just written, the search indexer, Excel showing last month's report, a photo viewer. Such
# holds last a moment (scanners) or until the user closes the program (Excel).
ERROR_ACCESS_DENIED = 5
ERROR_SHARING_VIOLATION = 32
RETRY_SECONDS = 2.0


class FileInUseError(AppError, PermissionError):
    """A rename into place kept failing because another program holds the file.

    Both an AppError (its text is for the user) and a PermissionError (code handling OS
    errors keeps working), like faults.DatabaseFaultError.
    """

    def __init__(self, path: Path | str, cause: OSError):
        self.message = (
            f"文件被其他程序占用：{path}。请关闭正在使用它的程序（如 Excel、PDF 阅读器、看图软件）后重试；"
            "杀毒或索引软件通常几秒后就会释放它。"
        )
        super().__init__(self.message)
        self.path = Path(path)
        self.errno = cause.errno
        self.filename = str(path)

    def __str__(self) -> str:  # OSError would print "[Errno 13] None: path"
        return self.message


def _held_by_another_program(exc: OSError) -> bool:
    return getattr(exc, "winerror", None) in (ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION)


def _folder_is_writable(folder: Path) -> bool:
    """Can a file be made in ``folder``? Tells "held by a program" from "read-only" on Windows,
    where both come back from a rename as access denied (winerror 5)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".probe-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    try:
        os.unlink(name)
    except OSError:
        pass
    return True


def replace_with_retry(
    source: Path | str, target: Path | str, *, timeout: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """``os.replace(source, target)``, retried for up to ``timeout`` seconds while Windows
    reports the file held by another program (winerror 5 or 32).

    Still held after that: :class:`FileInUseError` ("文件被其他程序占用"), unless the error was
    access denied in a folder where no file can be made at all, which is a real permission
    problem and is raised unchanged (the callers explain it as a read-only folder). Any other
    error (a different drive, a missing file; every error on Linux) is raised at once.
    """
    timeout = RETRY_SECONDS if timeout is None else timeout
    sleep = time.sleep if sleep is None else sleep
    waited = 0.0
    delay = 0.02
    while True:
        try:
            os.replace(source, target)
            return
        except OSError as exc:
            if not _held_by_another_program(exc):
                raise
            if waited + delay > timeout:
                if getattr(exc, "winerror", None) == ERROR_SHARING_VIOLATION or _folder_is_writable(
                    Path(target).parent
                ):
                    raise FileInUseError(target, exc) from exc
                raise
            sleep(delay)
            waited += delay
            delay = min(delay * 2, 0.25)
