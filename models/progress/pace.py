"""序时进度: how much of a target is due by a day, reckoned as progress reports do.

Pace counts whole months of the period elapsed (时间过半、任务过半): a month counts once its
last day (or the period's last day) is reached. In a quarter's first month nothing is due;
at the end of its second month two thirds are. A count target falls due in whole
activities (rounded down), so a quarterly "≥ 2 次" has 0 due at the end of April, 1 due at
the end of May (2 × 2/3 = 1.33 → 1) and 2 at the end of June. A sum or share of a setting
(入户宣传户数 ≥ 25% of households) falls due in proportion, unrounded. Rates are never paced.
"""

from __future__ import annotations

import datetime as dt
import math

from models.core.periods import Period, last_day

_EPS = 1e-9


def _month_end(day: dt.date) -> dt.date:
    return last_day(day.year, day.month)


def month_ends(period: Period) -> list[dt.date]:
    """The day each month of ``period`` is complete: its last day, or the period's end."""
    ends = []
    day = period.start
    while day <= period.end:
        ends.append(min(_month_end(day), period.end))
        day = _month_end(day) + dt.timedelta(days=1)
    return ends


def months_elapsed(period: Period, as_of: dt.date) -> tuple[int, int]:
    """(whole months of ``period`` complete by ``as_of``, months in ``period``)."""
    ends = month_ends(period)
    return sum(1 for end in ends if end <= as_of), len(ends)


def due(target: float, period: Period, as_of: dt.date, *, whole: bool) -> float:
    """The part of ``target`` due by ``as_of``; ``whole`` rounds down to whole activities."""
    done, total = months_elapsed(period, as_of)
    share = target * done / total if total else target
    return float(math.floor(share + _EPS)) if whole else share
