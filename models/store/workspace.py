"""A unit's open ledger: its data folder, database, profile and task list.

The GUI and every CLI command start here. One instance per data folder: a lock file
held for the life of the workspace refuses a second one with a clear message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from models.catalog.schema import Task, TaskList, Unit
from models.catalog.tasklists import available_years, tasklist_for_year
from models.catalog.units import find_unit, load_units
from models.core.errors import AppError, InstanceLockedError
from models.store.settings import UnitProfile, load_profile
from models.store.years import profile_for_year
from models.store.connection import DB_FILENAME, Reader, as_database, open_conn
from models.store.faults import explain
from models.store.instance_lock import InstanceLock, LockHeld

if TYPE_CHECKING:
    import sqlite_utils

LOCK_FILENAME = "instance.lock"
# Beside the lock while a window that has closed still backs up (``ui.data_safety.close_session``):
# a window opened again meanwhile waits for it instead of calling the folder in use.
CLOSING_FILENAME = "instance.closing"
CLOSING_WAIT_S = 60.0  # how long an opening waits for it: the backup on exit of a large ledger takes seconds
log = logging.getLogger(__name__)


@dataclass
class Workspace:
    """``conn`` is the one connection; ``db`` the sqlite_utils view of it, made on first
    use (writes, most pages), ``reader`` a plain one for reads on the start path."""

    data_dir: Path
    conn: sqlite3.Connection
    _lock: InstanceLock | None = field(default=None, repr=False)
    _db: sqlite_utils.Database | None = field(default=None, repr=False)
    read_only: bool = False  # a read-only folder or mount: reading only, every write refused by name
    # Set on a view of another year than the working one (``for_year``): it shares the
    # database and does not own it.
    view_year: int | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = as_database(self.conn)
        return self._db

    @db.setter
    def db(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self.conn = db.conn

    @property
    def reader(self) -> Reader:
        return self._db if self._db is not None else Reader(self.conn)  # type: ignore[return-value]

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def profile(self) -> UnitProfile | None:
        if self.view_year is not None:
            return profile_for_year(self.db, self.view_year)
        return load_profile(self.reader)  # type: ignore[arg-type]

    def require_profile(self) -> UnitProfile:
        profile = self.profile
        if profile is None:
            raise AppError("尚未设置填报单位，请先运行 init 或在程序中完成单位设置。")
        return profile

    @property
    def unit(self) -> Unit:
        unit = find_unit(self.require_profile().unit, load_units())
        assert unit is not None, "profile unit validated on save"
        return unit

    @property
    def year(self) -> int:
        """The year this workspace works in: the profile's, or the view's."""
        if self.view_year is not None:
            return self.view_year
        profile = load_profile(self.reader)  # type: ignore[arg-type]
        return profile.year if profile else max(available_years(data_dir=self.data_dir), default=2023)

    @property
    def tasklist(self) -> TaskList:
        return tasklist_for_year(self.year, data_dir=self.data_dir)

    def years(self) -> list[int]:
        """Every year with a task list here: installed in the data folder or bundled."""
        return available_years(data_dir=self.data_dir)

    def for_year(self, year: int) -> "Workspace":
        """This ledger seen in ``year`` (its list, its settings): December's report after the switch.

        The working workspace itself when ``year`` is the working year. The view shares the
        database; closing it does nothing.
        """
        if year == self.year:
            return self
        if year not in self.years():
            raise AppError(f"没有 {year} 年的任务清单，不能查看或生成该年度的报表（现有：{'、'.join(map(str, self.years()))}）")
        return Workspace(data_dir=self.data_dir, conn=self.conn, _db=self._db, read_only=self.read_only, view_year=year)

    def for_month(self, month: str) -> "Workspace":
        """The workspace for a report month "YYYY-MM" or quarter "YYYYQn" of any installed year."""
        return self.for_year(int(str(month)[:4]))

    def tasks(self) -> list[Task]:
        """The tasks of this year's list that apply to this unit."""
        return self.tasklist.tasks_for(self.unit)

    def announce_closing(self) -> None:
        """The window is gone and the folder is about to be let go: a window opened again
        meanwhile waits (``acquire_lock(wait_if_closing=...)``). Best effort."""
        if self._lock is not None:
            try:
                (self.data_dir / CLOSING_FILENAME).touch()
            except OSError:
                pass

    def release_lock(self) -> None:
        """Let another program window open the folder from now on: this workspace only reads
        until it is closed (the 工作台 kept at close for the next start)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None
            _forget_closing(self.data_dir)

    def close(self) -> None:
        if self.view_year is not None:
            return
        try:
            self.conn.close()
        finally:
            self.release_lock()


CLOSING_FRESH_S = 120.0  # an older mark is one a closing window could not delete: not waited for


def _closing(data_dir: Path) -> bool:
    """A window that has closed is still finishing on this folder (its mark is fresh)."""
    try:
        return time.time() - (data_dir / CLOSING_FILENAME).stat().st_mtime < CLOSING_FRESH_S
    except OSError:
        return False


def _forget_closing(data_dir: Path) -> None:
    try:
        (data_dir / CLOSING_FILENAME).unlink(missing_ok=True)
    except OSError:
        pass


def _read_only(path: Path) -> bool:
    if not path.exists():
        return False
    if not os.access(path, os.W_OK):
        return True
    # root ignores permission bits; still honour a folder or file made read-only on purpose
    # (chmod a-w). Not on Windows: there the read-only flag of a folder means nothing.
    return os.name == "posix" and not path.stat().st_mode & 0o222


def acquire_lock(data_dir: Path, *, wait_if_closing: float = 0.0,
                 waiting: Callable[[], None] | None = None) -> InstanceLock:
    """Take the one-instance lock of ``data_dir``; the caller releases it.

    Held by a window that has closed and is still backing up (its ``instance.closing`` beside
    the lock): wait for it up to ``wait_if_closing`` seconds, calling ``waiting`` meanwhile
    (the GUI keeps its window painted). Held by a window still open: refused at once.
    Also used alone by commands that must run without opening the database
    (restore, archive import, check of a damaged file).
    """
    # Ask first, so a read-only folder gets its own message rather than a SQLite error.
    if _read_only(data_dir) or _read_only(data_dir / DB_FILENAME):
        raise AppError(f"数据文件夹 {data_dir} 是只读的，无法保存台账。请检查文件夹权限，或把数据放到可以写入的位置。")
    file_lock = InstanceLock(data_dir / LOCK_FILENAME)
    deadline = time.monotonic() + wait_if_closing
    waited = False
    while True:
        try:
            file_lock.acquire()
        except LockHeld:
            if wait_if_closing and _closing(data_dir) and time.monotonic() < deadline:
                waited = True
                if waiting is not None:
                    waiting()
                time.sleep(0.05)
                continue
            if waited:  # the mark went just now: the lock was let go a moment before it, try it once more
                waited = False
                continue
            raise InstanceLockedError(
                f"数据文件夹 {data_dir} 正被另一个程序窗口使用。请先关闭另一个窗口，再重新打开。"
            ) from None
        except OSError as exc:
            raise AppError(f"无法写入数据文件夹 {data_dir}（{explain(exc)}），请检查文件夹权限。") from exc
        _forget_closing(data_dir)  # left by a window killed while closing: the folder is ours now
        return file_lock


def open_workspace(
    data_dir: Path, *, lock: bool = True, read_only: bool = False, prepare: Callable[[Path], None] | None = None,
    wait_if_closing: float = 0.0, waiting: Callable[[], None] | None = None,
) -> Workspace:
    """Open the folder's ledger. ``read_only`` (a read-only folder or mount): no lock, no
    writes; reading works and every write fails with the read-only message. ``prepare``
    runs once the lock is held, before the database is opened (clean-up of killed jobs).
    ``wait_if_closing``, ``waiting``: as for ``acquire_lock``."""
    data_dir = Path(data_dir)
    if read_only:
        if not (data_dir / DB_FILENAME).is_file():
            raise AppError(f"数据文件夹 {data_dir} 是只读的，且其中没有台账数据库。")
        conn = open_conn(data_dir / DB_FILENAME, read_only=True)
        log.info("opened workspace %s read-only", data_dir)
        return Workspace(data_dir=data_dir, conn=conn, _lock=None, read_only=True)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法创建数据文件夹 {data_dir}：{explain(exc)}") from exc
    file_lock = acquire_lock(data_dir, wait_if_closing=wait_if_closing, waiting=waiting) if lock else None
    try:
        if prepare is not None:
            prepare(data_dir)
        conn = open_conn(data_dir / DB_FILENAME)
    except Exception:
        if file_lock is not None:
            file_lock.release()
        raise
    log.info("opened workspace %s", data_dir)
    return Workspace(data_dir=data_dir, conn=conn, _lock=file_lock)


@contextmanager
def thread_workspace(ws: Workspace) -> Iterator[Workspace]:
    """The same data folder on a connection of the calling thread (background work).

    It holds no instance lock (the GUI's workspace does) and is closed on exit; its writes
    are its own transactions, never the GUI's. Migrations already ran when ``ws`` opened.
    """
    own = Workspace(data_dir=ws.data_dir, conn=open_conn(ws.data_dir / DB_FILENAME, read_only=ws.read_only),
                    read_only=ws.read_only)
    try:
        yield own
    finally:
        own.conn.close()
