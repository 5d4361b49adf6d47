"""Report file names and atomic writes.

A report is written to a temporary file in the target folder, fsynced and renamed over
the final name, so an interrupted export (power cut, full disk, a crash) never leaves a
half-written file under the name the user will email.
"""

from __future__ import annotations

import os
import re
import tempfile
from glob import escape as glob_escape
from pathlib import Path
from typing import Callable

from models.core.errors import AppError
from models.core.fileio import FileInUseError, fsync_dir, replace_with_retry
from models.core.periods import parse_month, parse_quarter

MONTHLY_PREFIX = "钟楼区垃圾分类月度台账"
QUARTERLY_PREFIX = "钟楼区垃圾分类季度工作进展"
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_component(text: str) -> str:
    """A file-name part valid on Windows: reserved characters become ＿."""
    return _UNSAFE.sub("＿", text).strip(" .") or "未命名"


def monthly_basename(unit: str, month: str) -> str:
    year, mon = parse_month(month)
    return f"{MONTHLY_PREFIX}_{safe_component(unit)}_{year}年{mon:02d}月"


def quarterly_basename(unit: str, quarter: str) -> str:
    year, q = parse_quarter(quarter)
    return f"{QUARTERLY_PREFIX}_{safe_component(unit)}_{year}年第{q}季度"


def report_basename(kind: str, unit: str, period: str, *, version: int = 1) -> str:
    """The report's file name without suffix; a reissued report carries its version ("_第2版")."""
    base = monthly_basename(unit, period) if kind == "monthly" else quarterly_basename(unit, period)
    return base if version <= 1 else f"{base}_第{version}版"






def ensure_folder(folder: Path) -> Path:
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法创建输出文件夹 {folder}：{exc.strerror or exc}") from exc
    return folder


def discard_stale_parts(target: Path) -> None:
    """Remove the temporary files a killed export of ``target`` left beside it."""
    target = Path(target)
    pattern = f".{glob_escape(target.stem[:40])}.*.part{glob_escape(target.suffix)}"
    for leftover in target.parent.glob(pattern):
        try:
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink()
        except OSError:
            pass


class StagedFile:
    """A temporary file beside ``target``; ``commit`` fsyncs and renames it into place."""

    def __init__(self, target: Path):
        self.target = Path(target)
        ensure_folder(self.target.parent)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.stem[:40]}.", suffix=f".part{self.target.suffix}", dir=self.target.parent)
        os.close(fd)
        self.tmp = Path(name)
        if os.name == "posix":  # mkstemp makes 0600; a report is an ordinary document
            os.chmod(self.tmp, 0o644)

    def commit(self) -> Path:
        try:
            with self.tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            replace_with_retry(self.tmp, self.target)
        except FileInUseError:
            raise  # "文件被其他程序占用": Excel or a PDF reader has last version open
        except PermissionError as exc:
            raise AppError(f"无法写入 {self.target.name}：文件可能正被其他程序（如 Excel、PDF 阅读器）打开，请关闭后重试。") from exc
        except OSError as exc:
            raise AppError(f"无法写入 {self.target}：{exc.strerror or exc}") from exc
        fsync_dir(self.target.parent)
        return self.target

    def discard(self) -> None:
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:
            pass


def atomic_write(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)``, then fsync and rename the temp file onto ``target``."""
    staged = StagedFile(target)
    try:
        try:
            write(staged.tmp)
        except OSError as exc:
            raise AppError(f"无法写入 {target}：{exc.strerror or exc}") from exc
        return staged.commit()
    finally:
        staged.discard()
