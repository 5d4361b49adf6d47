"""What the engine reads and the values it computes from it (kept apart from the judging).

``Snapshot`` loads a unit's entries, register and report receipts once per evaluation;
``indicator_value`` is an indicator's value over a date range by its ``compute`` data.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Any, NamedTuple

from models.catalog.schema import Indicator, TaskList, Unit
from models.catalog.units import find_unit
from models.core.periods import Period, month_bounds, quarter_last_month
from models.ledger.communities import Community, list_communities
from models.store.settings import UnitProfile

if TYPE_CHECKING:
    import sqlite_utils

_EPS = 1e-9


class Row(NamedTuple):
    """One live entry as the rules read it (a tuple: 50,000 of them as dicts took three times the memory)."""

    date: dt.date
    entry_type: str
    evidence: int  # files attached
    photos: int  # of which pictures
    measures: dict[str, Any]


class Snapshot:
    """Everything the engine reads, loaded once per evaluation; a task's entries when the
    engine first asks for them, and only the last task's are kept: the engine goes task by task,
    and a year of 50,000 entries held at once took 15 MB."""

    def __init__(self, db: sqlite_utils.Database, tasklist: TaskList, profile: UnitProfile,
                 exporting: tuple[str, str, dt.date] | None = None):
        self.tasklist = tasklist
        self.profile = profile
        self.unit: Unit | None = find_unit(profile.unit)
        self._db = db
        self._task: tuple[int, list[Row], list[dt.date]] | None = None  # seq, rows, their dates (for bisect)
        self._days: dict[str, dt.date] = {}  # one date object per day (a year has 366, not 50,000)
        self._types: dict[str, str] = {}
        self.communities: list[Community] = list_communities(db)
        self.received = received_reports(db, exporting)
        self.exporting: tuple[tuple[str, str], dt.date] | None = None
        if exporting:
            self.exporting = ((exporting[0], exporting[1]), exporting[2])

    def rows(self, seq: int) -> list[Row]:
        """The task's live entries of the year, in date order."""
        return self._load(seq)[1]

    def _load(self, seq: int) -> tuple[int, list[Row], list[dt.date]]:
        if self._task is not None and self._task[0] == seq:
            return self._task
        self._task = None  # the previous task's rows go before this one's are read
        db, live = self._db, [seq, self.tasklist.year]
        # The task's live entries of the year: each query starts from the index that holds every
        # column of entries it reads (m007). Plain cursors and literal rows: rows read through
        # dict(zip()) took three times as long as the query itself.
        measures: dict[int, dict[str, Any]] = {}
        for entry_id, code, value in db.execute(
            "SELECT m.entry_id, m.code, m.value FROM entries e JOIN entry_measures m ON m.entry_id = e.id"
            " WHERE e.task_seq = ? AND e.year = ? AND e.deleted_at IS NULL", live
        ):
            measures.setdefault(entry_id, {})[code] = value
        # Evidence files and photos per entry, counted once (not two subqueries per entry).
        evidence: dict[int, tuple[int, int]] = {
            entry_id: (files, photos) for entry_id, files, photos in db.execute(
                "SELECT v.entry_id, COUNT(*), COUNT(CASE WHEN f.mime LIKE 'image/%' THEN 1 END)"
                " FROM entries e JOIN entry_evidence v ON v.entry_id = e.id"
                " LEFT JOIN evidence_files f ON f.sha256 = v.sha256"
                " WHERE e.task_seq = ? AND e.year = ? AND e.deleted_at IS NULL GROUP BY v.entry_id", live)}
        empty: dict[str, Any] = {}
        days, types = self._days, self._types
        rows: list[Row] = []
        dates: list[dt.date] = []
        for entry_id, day, entry_type in db.execute(
            "SELECT e.id, e.entry_date, e.entry_type FROM entries e"
            " WHERE e.task_seq = ? AND e.year = ? AND e.deleted_at IS NULL ORDER BY e.entry_date, e.id", live
        ):
            date = days.get(day) or days.setdefault(day, dt.date.fromisoformat(day))
            files, photos = evidence.get(entry_id, (0, 0))
            rows.append(Row(date, types.setdefault(entry_type, entry_type), files, photos, measures.get(entry_id, empty)))
            dates.append(date)
        self._task = (seq, rows, dates)
        return self._task

    def task_entries(self, seq: int, start: dt.date, end: dt.date) -> list[Row]:
        """The task's entries dated ``start`` to ``end`` (both included), in date order."""
        _seq, rows, dates = self._load(seq)
        return rows[bisect_left(dates, start):bisect_right(dates, end)]


def received_reports(db: sqlite_utils.Database, exporting: tuple[str, str, dt.date] | None = None
                     ) -> dict[tuple[str, str], dt.date]:
    """When each of the unit's own reports (kind, period) was first received: exported, or
    marked submitted; ``exporting`` counts the report being written now as received today."""
    received: dict[tuple[str, str], dt.date] = {}

    def receive(kind: str, period: str, at: str | None) -> None:
        if not at:
            return
        day = dt.date.fromisoformat(str(at)[:10])
        received[(kind, period)] = min(day, received.get((kind, period), day))

    for r in db.query("SELECT kind, period, MIN(generated_at) AS at FROM report_exports GROUP BY kind, period"):
        receive(r["kind"], r["period"], r["at"])
    for r in db.query("SELECT kind, period, submitted_at FROM period_states"):
        receive(r["kind"], r["period"], r["submitted_at"] or f"{month_bounds(_last_month(r['period']))[1]}")
    if exporting:
        receive(exporting[0], exporting[1], exporting[2].isoformat())
    return received


def _last_month(label: str) -> str:
    return quarter_last_month(label) if "Q" in label.upper() else label


def _rows(ind: Indicator, snap: Snapshot, start: dt.date, end: dt.date) -> list[Row]:
    types = set(ind.compute.get("entry_types") or [])
    rows = [e for e in snap.task_entries(ind.task_seq, start, end) if not types or e.entry_type in types]
    where = ind.compute.get("where")
    if where:
        rows = [e for e in rows if _num(e.measures.get(where["field"])) is not None
                and _num(e.measures[where["field"]]) >= where["min"]]
    return rows


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def indicator_value(ind: Indicator, snap: Snapshot, start: dt.date, end: dt.date) -> tuple[float | None, str]:
    """The indicator's value from ``start`` to ``end`` (inclusive), and a note when None."""
    compute = ind.compute
    kind = compute["kind"]
    if kind == "community":
        return _community_value(compute, snap, start, end)
    rows = _rows(ind, snap, start, end)
    if kind == "count":
        return float(len(rows)), ""
    code = compute["field"]
    if kind == "distinct":
        return float(len({str(e.measures[code]).strip() for e in rows if code in e.measures})), ""
    carrying = [e for e in rows if _num(e.measures.get(code)) is not None]
    values = [float(e.measures[code]) for e in carrying]
    if kind == "sum":
        return float(sum(values)), ""
    if kind == "latest":
        return (values[-1], "") if values else (None, "本期尚无测评数据")
    if kind == "weighted_mean":
        if not carrying:
            return None, "本期尚无测评数据"
        weight = compute["weight"]
        weights = [_num(e.measures.get(weight)) for e in carrying]
        if any(w for w in weights):  # measurements without their sample size cannot be weighed with the others
            pairs = [(v, w) for v, w in zip(values, weights) if w]
            return sum(v * w for v, w in pairs) / sum(w for _, w in pairs), ""
        return sum(values) / len(values), ""
    if kind == "ratio_of_sums":
        den_code = compute["denominator"]
        both = [e for e in carrying if _num(e.measures.get(den_code))]
        if not both:
            return None, "本期尚无统计数据"
        num = sum(float(e.measures[code]) for e in both)
        den = sum(float(e.measures[den_code]) for e in both)
        return num / den * float(compute.get("scale", 1)), ""
    if kind == "ratio":
        denominator = snap.profile.setting(compute["denominator_setting"])
        if not denominator:
            return None, "本单位尚未设置建成区居民总户数，请在“设置”中填写（或 settings --households）"
        return sum(values) / denominator * float(compute.get("scale", 1)), ""
    raise ValueError(f"unknown compute kind {kind!r}")


def _new_standard(snap: Snapshot, min_score: float, start: dt.date, end: dt.date) -> list[Community]:
    year = snap.tasklist.year
    out = []
    for c in snap.communities:
        if c.kind != "community":
            continue
        first = c.first_reached(min_score=min_score)
        if first is not None and first.year == year and start <= first <= end:
            out.append(c)
    return out


def _community_value(compute: dict[str, Any], snap: Snapshot, start: dt.date, end: dt.date) -> tuple[float | None, str]:
    measure = compute["measure"]
    year = snap.tasklist.year
    communities = [c for c in snap.communities if c.kind == "community"]
    if measure == "facilities_coverage":
        if not communities:
            return None, "尚未在“小区管理”中登记小区"
        return sum(c.facilities_by(end) for c in communities) / len(communities) * 100, ""
    min_score = float(compute.get("min_score", snap.tasklist.scoresheet.pass_score))
    if measure == "new_standard":
        return float(len(_new_standard(snap, min_score, start, end))), ""
    if measure == "metering_of_new":
        new = _new_standard(snap, min_score, dt.date(year, 1, 1), end)
        if not new:
            return None, "本单位尚无新增达标小区"
        return sum(c.metering_by(end) for c in new) / len(new) * 100, ""
    if measure == "demo_villages":
        villages = [c for c in snap.communities if c.kind == "village"]
        return float(sum(1 for c in villages if c.demo_village_date and c.demo_village_date.year == year
                         and start <= c.demo_village_date <= end)), ""
    raise ValueError(f"unknown community measure {measure!r}")


def _event_days(ind: Indicator, snap: Snapshot, after: dt.date, until: dt.date) -> list[dt.date]:
    """Days on which the indicator's value can change, in (after, until]."""
    days = {e.date for e in snap.rows(ind.task_seq)}
    for c in snap.communities:
        days.update(e.eval_date for e in c.evaluations)
        days.update(d for d in (c.facilities_date, c.metering_date, c.demo_village_date) if d)
    return sorted(d for d in days if after < d <= until)


def target_met(value: float | None, target: float, comparison: str) -> bool:
    if value is None:
        return False
    return value >= target - _EPS if comparison == ">=" else value <= target + _EPS


def first_met_on(ind: Indicator, snap: Snapshot, period: Period, target: float, until: dt.date) -> dt.date | None:
    """The first day from the period's start up to ``until`` on which the target was met."""
    for day in _event_days(ind, snap, period.start - dt.timedelta(days=1), until):
        if target_met(indicator_value(ind, snap, period.start, day)[0], target, ind.comparison):
            return day
    return None


