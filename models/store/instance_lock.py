"""One program per data folder: an operating-system lock on a file, held while it is open.

The system drops the lock when the process ends, however it ends (a crash, a kill, a power
cut), so a lock file left behind never blocks the next start. Two system calls, written
here rather than taken from filelock, whose import loads some thirty modules (hashing,
decimal, platform) and cost the GUI's start-up a tenth of a second. Same calls as
filelock's: ``flock`` on POSIX, ``msvcrt.locking`` of the first byte on Windows.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


class LockHeld(Exception):
    """Another process (or another open workspace in this one) holds the lock."""


class InstanceLock:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def is_locked(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock now or raise LockHeld; other failures (permissions) raise OSError."""
        if self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:
            if os.name == "nt":  # Windows refuses to open a file being deleted or locked
                raise LockHeld(str(self.path)) from None
            raise
        try:
            _lock(fd)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK, getattr(errno, "EDEADLOCK", -1)):
                raise LockHeld(str(self.path)) from None
            raise
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)


if os.name == "nt":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
