"""Reading a workbook nobody vouches for: the one guard of ledger import and district consolidation.

An .xlsx from outside (a unit's report, a filled-in import template) is a zip of XML that
may lie. Before openpyxl sees it the container is checked (size, members, zip bombs);
then every sheet is read through a budget:

- the real rows are read, never the declared ``<dimension>``: a file claiming
  ``A1:XFD1048576`` in 5 KB is not padded to 17 billion cells, and one claiming
  ``A1:E2`` over 51 rows gives all 51 (openpyxl's read-only mode trusts the
  dimension both ways, so it is reset);
- rows per sheet, columns per row and cells in the whole workbook are bounded, and so
  is the time spent (a deadline checked on every row), so memory stays bounded and one
  bad file cannot stall a folder of them; what openpyxl parses whole before the first
  row (shared strings, styles) is bounded by the size of each unpacked member.

One set of limits, :data:`LIMITS`. (Before, import and consolidation each had their own
copy with different numbers: 20 MB / 50 MB files, 200 MB / 300 MB unpacked, 10,000 /
5,000 members, a compression-ratio check on every member or only on large ones.)
"""

from __future__ import annotations

import logging
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from models.core.errors import AppError

log = logging.getLogger(__name__)


def load_workbook(path: Path, **kwargs: Any) -> Any:
    """openpyxl's, imported on first use: the GUI starts without openpyxl."""
    from openpyxl import load_workbook as load

    return load(path, **kwargs)


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * 1024 * 1024
    unzipped_bytes: int = 300 * 1024 * 1024
    member_bytes: int = 64 * 1024 * 1024  # openpyxl parses shared strings and styles whole, before any row
    members: int = 5_000
    ratio: int = 200  # xlsx XML compresses well, but not 200:1 unless it is a bomb
    ratio_from_bytes: int = 1024 * 1024  # tiny members compress absurdly well, harmlessly
    rows: int = 50_000  # per sheet, empty rows included
    columns: int = 200  # a ledger or report has a few dozen
    cells: int = 1_000_000  # in the whole workbook
    seconds: float = 15.0


LIMITS = Limits()


class UntrustedWorkbookError(AppError):
    """The workbook was refused; ``reason`` says why, in Chinese, without the file's name."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def check_container(path: Path, limits: Limits | None = None) -> None:
    """Refuse what is not a plain, reasonably sized .xlsx before any parser sees it."""
    limits = limits or LIMITS
    path = Path(path)
    try:
        if not path.is_file():
            raise UntrustedWorkbookError("找不到文件，或它不是普通文件")
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UntrustedWorkbookError(f"无法读取文件（{exc.strerror or exc}）") from None
    if size == 0:
        raise UntrustedWorkbookError("文件是空的")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UntrustedWorkbookError("这是旧版 Excel 97-2003（.xls）或 WPS（.et）文件，请在 Excel/WPS 中“另存为” .xlsx")
    if not head.startswith(b"PK\x03\x04"):
        raise UntrustedWorkbookError("不是 Excel 工作簿（.xlsx）")
    if size > limits.file_bytes:
        raise UntrustedWorkbookError(
            f"文件太大（{size / 1024 / 1024:.1f} MB），不能超过 {limits.file_bytes // 1024 // 1024} MB")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UntrustedWorkbookError("文件已损坏或不完整（可能未下载或复制完整）") from None
    if len(members) > limits.members:
        raise UntrustedWorkbookError("文件结构异常（包含的部件过多），已拒收")
    total = 0
    for member in members:
        total += member.file_size
        if total > limits.unzipped_bytes or member.file_size > limits.member_bytes:
            raise UntrustedWorkbookError("文件解压后异常巨大（疑似“压缩炸弹”），已拒收")
        if (member.file_size > limits.ratio_from_bytes
                and member.file_size > limits.ratio * max(member.compress_size, 1)):
            raise UntrustedWorkbookError("文件的压缩比异常（疑似“压缩炸弹”），已拒收")
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise UntrustedWorkbookError("不是有效的 Excel 工作簿（缺少 workbook.xml）")


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.cells = 0
        self.deadline = time.monotonic() + limits.seconds

    def take(self, sheet: str, row_number: int, width: int) -> None:
        limits = self.limits
        if row_number > limits.rows:
            raise UntrustedWorkbookError(f"“{sheet}”表超过 {limits.rows} 行，已拒收（请拆分后分批处理）")
        if width > limits.columns:
            raise UntrustedWorkbookError(f"“{sheet}”表第{row_number}行超过 {limits.columns} 列，已拒收")
        self.cells += width
        if self.cells > limits.cells:
            raise UntrustedWorkbookError(f"工作簿的单元格超过 {limits.cells} 个，已拒收")
        if time.monotonic() > self.deadline:
            raise UntrustedWorkbookError(f"读取时间超过 {limits.seconds:.0f} 秒，文件异常，已拒收")


class GuardedSheet:
    """A read-only sheet whose rows are the real ones, read within the workbook's budget."""

    def __init__(self, sheet: Any, budget: _Budget):
        self._sheet = sheet
        self._budget = budget
        sheet.reset_dimensions()  # never trust <dimension>: neither a huge nor a stale one

    @property
    def title(self) -> str:
        return str(self._sheet.title)

    def iter_rows(self, *, values_only: bool = False) -> Iterator[tuple[Any, ...]]:
        try:
            for n, row in enumerate(self._sheet.iter_rows(values_only=values_only), start=1):
                self._budget.take(self.title, n, len(row))
                yield tuple(row)
        except UntrustedWorkbookError:
            raise
        except (MemoryError, RecursionError):
            raise UntrustedWorkbookError("文件内容异常，读取时超出内存限制，已拒收") from None
        except Exception as exc:  # openpyxl and the XML parser raise many kinds on a malformed sheet
            log.info("sheet %s unreadable: %r", self.title, exc)
            raise UntrustedWorkbookError(f"“{self.title}”表已损坏，无法读取") from None


class GuardedWorkbook:
    """The parts of an openpyxl workbook the importers use, every read bounded."""

    def __init__(self, book: Any, limits: Limits):
        self._book = book
        budget = _Budget(limits)
        self._sheets = {ws.title: GuardedSheet(ws, budget) for ws in book.worksheets}

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    @property
    def worksheets(self) -> list[GuardedSheet]:
        return list(self._sheets.values())

    def __getitem__(self, name: str) -> GuardedSheet:
        return self._sheets[name]

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> "GuardedWorkbook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_untrusted(path: Path, limits: Limits | None = None) -> GuardedWorkbook:
    """Check the container, then open it read-only with values (not formulas)."""
    limits = limits or LIMITS
    check_container(path, limits)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise UntrustedWorkbookError("文件内容异常，读取时超出内存限制，已拒收") from None
    except Exception as exc:  # openpyxl raises many kinds on malformed files
        log.info("openpyxl refused %s: %r", path, exc)  # the library's words go to the log
        raise UntrustedWorkbookError("文件已损坏或不是有效的 Excel 工作簿") from None
    try:
        return GuardedWorkbook(book, limits)
    except BaseException:
        book.close()
        raise
