"""Period labels and bounds the engine, the reports and the district files share."""

from __future__ import annotations

import datetime as dt

import pytest

from models.core.errors import AppError
from models.core.periods import (
    default_as_of, default_month, month_bounds, period_for, period_title, quarter_bounds, quarter_months, quarter_of,
)

D = dt.date


def test_month_and_quarter_bounds():
    assert month_bounds("2023-02") == (D(2023, 2, 1), D(2023, 2, 28))
    assert quarter_of("2023-06") == "2023Q2" and quarter_of("2023-07") == "2023Q3"
    assert quarter_bounds("2023Q2") == (D(2023, 4, 1), D(2023, 6, 30))
    assert quarter_months("2023Q4") == ["2023-10", "2023-11", "2023-12"]


def test_period_for_each_kind_of_report_month():
    month = period_for("month", "2023-06")
    assert (month.label, month.start, month.end, month.days) == ("2023-06", D(2023, 6, 1), D(2023, 6, 30), 30)
    quarter = period_for("quarter", "2023-05")
    assert (quarter.label, quarter.days) == ("2023Q2", 91)
    year = period_for("year", "2023-06")
    assert (year.label, year.start, year.end) == ("2023", D(2023, 1, 1), D(2023, 12, 31))
    deadline = period_for("deadline", "2023-06", deadline=D(2023, 9, 30))
    assert (deadline.label, deadline.start, deadline.end) == ("2023-09-30", D(2023, 1, 1), D(2023, 9, 30))
    assert period_title(deadline) == "截至2023年9月30日" and period_title(quarter) == "2023年第二季度"


def test_elapsed_whole_months_are_clamped_and_the_period_ends_on_its_last_day():
    from models.progress.pace import months_elapsed  # pace has one home; periods only know their days

    quarter = period_for("quarter", "2023-05")
    assert months_elapsed(quarter, D(2023, 5, 31)) == (2, 3)
    assert months_elapsed(quarter, D(2023, 3, 1)) == (0, 3)
    assert months_elapsed(quarter, D(2023, 12, 1)) == (3, 3)
    assert quarter.days == 91
    assert not quarter.is_over(D(2023, 6, 29)) and quarter.is_over(D(2023, 6, 30))


def test_defaults_follow_today_capped_at_the_month_and_year():
    assert default_as_of("2023-06", D(2026, 11, 28)) == D(2023, 6, 30)
    assert default_as_of("2023-06", D(2023, 6, 12)) == D(2023, 6, 12)
    assert default_month(2023, D(2026, 11, 28)) == "2023-12"
    assert default_month(2023, D(2023, 5, 3)) == "2023-05"
    assert default_month(2023, D(2022, 12, 3)) == "2023-01"


@pytest.mark.parametrize("bad", ["2023-13", "2023/06", "June", ""])
def test_bad_month_is_refused_in_chinese(bad):
    with pytest.raises(AppError, match="YYYY-MM"):
        month_bounds(bad)


def test_last_day_of_every_month_as_the_calendar_counts():
    import calendar

    from models.core.periods import last_day

    for year in (2023, 2024, 2100, 2000):  # common, leap, century not leap, 400-year leap
        for month in range(1, 13):
            assert last_day(year, month) == dt.date(year, month, calendar.monthrange(year, month)[1])
