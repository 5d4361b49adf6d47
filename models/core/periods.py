"""Reporting periods: months "2023-06", quarters "2023Q2", years "2023" and deadlines.

A ``Period`` is a closed date range with the label the reports, the CLI and the district
files use. For a report month M an indicator's period is M itself (month), the quarter
containing M (quarter), 1 January .. 31 December (year, counted to date) or 1 January ..
the task's deadline (deadline, labelled by the deadline date "2023-09-30").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from models.core.errors import AppError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year | deadline
    label: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def is_over(self, as_of: dt.date) -> bool:
        return as_of >= self.end


YEARS = range(2000, 2101)  # a year outside is a typo, not a reporting period


def parse_month(text: str) -> tuple[int, int]:
    """``"2023-06"`` (or ``"2023-6"``) -> (2023, 6); AppError for anything else."""
    match = _MONTH.match(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) not in YEARS:
        raise AppError(f"月份“{text}”格式不正确，应为 YYYY-MM，如 2023-06")
    return int(match.group(1)), int(match.group(2))


def parse_quarter(text: str) -> tuple[int, int]:
    match = _QUARTER.match(str(text).strip())
    if not match or int(match.group(1)) not in YEARS:
        raise AppError(f"季度“{text}”格式不正确，应为 YYYYQn，如 2023Q2")
    return int(match.group(1)), int(match.group(2))


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def normalize_month(text: str) -> str:
    return month_label(*parse_month(text))


def last_day(year: int, month: int) -> dt.date:
    """The last day of ``month`` of ``year`` (the day before the next month's first; the
    ``calendar`` module, with ``locale`` behind it, is not on the GUI's start path)."""
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, mon = parse_month(month)
    return dt.date(year, mon, 1), last_day(year, mon)


def month_end(month: str) -> dt.date:
    return month_bounds(month)[1]


def quarter_of(month: str) -> str:
    year, mon = parse_month(month)
    return f"{year}Q{(mon - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    year, q = parse_quarter(quarter)
    last = q * 3
    return dt.date(year, last - 2, 1), last_day(year, last)


def quarter_months(quarter: str) -> list[str]:
    year, q = parse_quarter(quarter)
    return [month_label(year, m) for m in range(q * 3 - 2, q * 3 + 1)]


def quarter_last_month(quarter: str) -> str:
    return quarter_months(quarter)[-1]


def months_of_year(year: int) -> list[str]:
    return [month_label(year, m) for m in range(1, 13)]


def month_period(month: str) -> Period:
    start, end = month_bounds(month)
    return Period("month", normalize_month(month), start, end)


def quarter_period(quarter: str) -> Period:
    start, end = quarter_bounds(quarter)
    year, q = parse_quarter(quarter)
    return Period("quarter", f"{year}Q{q}", start, end)


def year_period(year: int) -> Period:
    return Period("year", str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))


def deadline_period(deadline: dt.date) -> Period:
    return Period("deadline", deadline.isoformat(), dt.date(deadline.year, 1, 1), deadline)


def period_for(kind: str, month: str, *, deadline: dt.date | None = None) -> Period:
    """The period an indicator of ``kind`` speaks of in the report for ``month``."""
    if kind == "month":
        return month_period(month)
    if kind == "quarter":
        return quarter_period(quarter_of(month))
    if kind == "year":
        return year_period(parse_month(month)[0])
    if kind == "deadline":
        if deadline is None:
            raise ValueError("deadline period needs the task's deadline")
        return deadline_period(deadline)
    raise ValueError(f"unknown period kind {kind!r}")


def default_as_of(month: str, today: dt.date | None = None) -> dt.date:
    """min(today, last day of the month): a past month is judged at its end."""
    return min(today or dt.date.today(), month_bounds(month)[1])


def default_month(year: int, today: dt.date | None = None) -> str:
    """The month of ``year`` containing min(today, 31 December); January before the year starts."""
    today = today or dt.date.today()
    day = min(today, dt.date(year, 12, 31))
    if day.year < year:
        return month_label(year, 1)
    return month_label(year, day.month)


def month_title(month: str) -> str:
    year, mon = parse_month(month)
    return f"{year}年{mon}月"


def quarter_title(quarter: str) -> str:
    year, q = parse_quarter(quarter)
    return f"{year}年{QUARTER_NAMES[q]}"


def period_title(period: Period) -> str:
    """The Chinese words for a period, e.g. 2023年6月, 2023年第二季度, 2023年度, 截至2023年9月30日."""
    if period.kind == "month":
        return month_title(period.label)
    if period.kind == "quarter":
        return quarter_title(period.label)
    if period.kind == "year":
        return f"{period.label}年度"
    return f"截至{period.end.year}年{period.end.month}月{period.end.day}日"
