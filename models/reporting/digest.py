"""The report file's contract, imported by both the writer and the district reader: the
sheet names, the 指标数据 columns the district reads, the info sheet (报表信息) and its keys,
and the report's data hash.

``report_digest`` is SHA-256 over a canonical text of every non-empty cell of every sheet
except 报表信息: sheet title, row, column and a typed value, numbers normalised so that
2 and 2.0 hash alike and dates written as ISO text. The exporter stores it in 报表信息;
the district office recomputes it on import to detect a file edited after export.

The digest alone proves nothing against intent (its code ships with the program), so the
sheet also holds the installation's ``public_key`` and its ``signature`` over
:func:`signed_statement` — format, kind, unit, period, version, time and digest. The
:func:`verification_code` (核验码) printed on the PDF is derived from that signature.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the contract is read at start-up; openpyxl is not
    from openpyxl import Workbook

META_SHEET = "报表信息"
DETAIL_SHEET = "台账明细"
INDICATOR_SHEET = "指标数据"  # machine-readable: what the district office consolidates
INDICATOR_HEADERS = ("填报单位", "报告月份", "任务序号", "指标代码", "指标名称", "统计周期", "完成值", "目标值", "计量单位", "状态")
INDICATOR_NOTE_HEADER = "说明"  # after the columns the district reads: for people (late dates, own targets)


def main_sheet(kind: str) -> str:
    return "月度台账" if kind == "monthly" else "季度工作进展"


def sheet_names(kind: str) -> tuple[str, str, str, str]:
    """The workbook's sheets in order: main table, detail list, indicator data, info."""
    return (main_sheet(kind), DETAIL_SHEET, INDICATOR_SHEET, META_SHEET)
FORMAT = "ZHONGLOU-WASTE-LEDGER-REPORT"
FORMAT_VERSION = 1
META_KEYS = ("format", "format_version", "kind", "unit", "period", "app_version", "generated_at", "version", "data_sha256",
             "public_key", "signature")
SIGNED_KEYS = ("format", "kind", "unit", "period", "version", "generated_at", "data_sha256")
# Crockford's base32 without I, L, O, U: nothing to misread on paper or over the phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LABEL = "核验码"
_INT_KEYS = {"format_version", "version"}


def canonical_value(value: Any) -> str | None:
    """A type-tagged text for a cell value; None for an empty cell."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, bool):
        return "b:1" if value else "b:0"
    if isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < 2**53:
            return f"n:{int(number)}"
        return f"n:{number!r}"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return f"d:{value.date().isoformat()}"
        return f"d:{value.isoformat()}"
    if isinstance(value, dt.date):
        return f"d:{value.isoformat()}"
    if isinstance(value, dt.time):
        return f"t:{value.isoformat()}"
    if isinstance(value, dt.timedelta):
        return f"n:{value.total_seconds()!r}"
    return f"s:{value}"


def report_digest(wb: Workbook) -> str:
    digest = hashlib.sha256()
    for sheet in wb.worksheets:
        if sheet.title == META_SHEET:
            continue
        digest.update(f"#sheet\t{sheet.title}\n".encode("utf-8"))
        for row in sheet.iter_rows():
            for cell in row:
                text = canonical_value(cell.value)
                if text is None:
                    continue
                # Escape separators so a value cannot imitate a cell boundary.
                text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
                digest.update(f"{cell.row}\t{cell.column}\t{text}\n".encode("utf-8"))
    return digest.hexdigest()


def read_report_meta(wb: Workbook) -> dict[str, Any]:
    """The 报表信息 sheet as a dict (empty when the workbook has none).

    ``format_version`` and ``version`` come back as int; the rest as text.
    """
    if META_SHEET not in wb.sheetnames:
        return {}
    meta: dict[str, Any] = {}
    for n, row in enumerate(wb[META_SHEET].iter_rows(values_only=True)):
        if n == 0 or not row or row[0] is None:
            continue  # header row 项目 | 值
        key = str(row[0]).strip()
        value = row[1] if len(row) > 1 else None
        if key in _INT_KEYS:
            try:
                value = int(float(value))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                pass
        elif value is not None:
            value = str(value)
        meta[key] = value
    return meta


def signed_statement(meta: dict[str, Any]) -> bytes:
    """The exact bytes a report's signature covers (from the info sheet's values)."""
    lines = [f"{key}={'' if meta.get(key) is None else str(meta.get(key)).strip()}" for key in SIGNED_KEYS]
    return ("ZHONGLOU-REPORT-SIGNATURE-1\n" + "\n".join(lines)).encode("utf-8")


def verification_code(signature: str) -> str:
    """``7K3F-Q9ZD-M2XW``: 60 bits of the signature's SHA-256, for paper and the phone."""
    number = int.from_bytes(hashlib.sha256(b"zhonglou-verify\0" + signature.encode("ascii")).digest()[:8], "big") >> 4
    chars = "".join(CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(11, -1, -1))
    return f"{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def normalize_code(text: str) -> str:
    """A typed code in canonical form: case, spaces and dashes ignored, O/I/L read as 0/1/1."""
    raw = "".join(ch for ch in str(text).upper() if ch.isascii() and ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else raw
