"""The unit's register of residential communities (小区) and villages (村).

Feeds the community indicators: 四分类 facilities in place (task 11's rule), evaluations
against the 达标小区 score sheet (task 12's rule: counts when the total reaches the
indicator's ``min_score``, the evaluation date deciding the period), metering data
connected to the city platform (task 28's rule) and demonstration villages (task 13's
rule). Which task uses which measure is data in the task list, not code here.

Every write runs in one transaction with its audit-log row; refused input writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from models.catalog.schema import TaskList
from models.core.errors import AppError, ValidationError
from models.ledger.validation import parse_date
from models.store.audit import record_change

if TYPE_CHECKING:
    import sqlite_utils

KINDS = {"community": "小区", "village": "村"}
NAME_LIMIT = 50
_UNSET: Any = object()


@dataclass(frozen=True)
class Evaluation:
    id: int
    community_id: int
    eval_date: dt.date
    total: float
    by_items: bool
    scoresheet: str
    items: dict[str, float] = field(default_factory=dict)
    evaluator: str = ""
    remarks: str = ""
    notes: dict[str, str] = field(default_factory=dict)  # 现场检查情况 per item


@dataclass(frozen=True)
class Community:
    id: int
    name: str
    kind: str
    households: int | None
    facilities_ok: bool
    facilities_date: dt.date | None
    metering_connected: bool
    metering_date: dt.date | None
    demo_village_date: dt.date | None
    remarks: str
    evaluations: tuple[Evaluation, ...] = ()
    # Already 达标 before the list's year (first reached ≥ the pass score on this day): a
    # re-check later does not make it a *new* 达标小区.
    standard_since: dt.date | None = None

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def best_score(self) -> float | None:
        return max((e.total for e in self.evaluations), default=None)

    def first_reached(self, *, min_score: float) -> dt.date | None:
        """The day it first reached ``min_score``: the recorded earlier date, or its first passing evaluation."""
        dates = [e.eval_date for e in self.evaluations if e.total >= min_score - 1e-9]
        if self.standard_since is not None:
            dates.append(self.standard_since)
        return min(dates, default=None)

    def first_pass_date(self, *, year: int, min_score: float, until: dt.date | None = None) -> dt.date | None:
        """The day it became a *new* 达标小区 of ``year`` (up to ``until``): first reaching
        ``min_score`` within ``year``; None when it was 达标 before the year, or not yet."""
        first = self.first_reached(min_score=min_score)
        if first is None or first.year != year or (until is not None and first > until):
            return None
        return first

    def facilities_by(self, day: dt.date) -> bool:
        # A register entry marked in place without a date predates the ledger.
        return self.facilities_ok and (self.facilities_date is None or self.facilities_date <= day)

    def metering_by(self, day: dt.date) -> bool:
        return self.metering_connected and (self.metering_date is None or self.metering_date <= day)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _audit(db: sqlite_utils.Database, *, actor: str, action: str, table: str, row_id: int, before: Any, after: Any) -> None:
    record_change(db, actor=actor, action=action, table=table, row_id=row_id, before=before, after=after)


# ---------------------------------------------------------------- queries

def list_communities(
    db: sqlite_utils.Database, *, kind: str | None = None, include_deleted: bool = False
) -> list[Community]:
    """The register in name order, each with its evaluations (oldest first)."""
    where, params = [], []
    if not include_deleted:
        where.append("deleted_at IS NULL")
    if kind:
        where.append("kind = ?")
        params.append(kind)
    sql = "SELECT * FROM communities" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY kind, name"
    rows = list(db.query(sql, params))
    evals: dict[int, list[Evaluation]] = {}
    items: dict[int, dict[str, float]] = {}
    notes: dict[int, dict[str, str]] = {}
    for row in db.query("SELECT evaluation_id, item_code, points, note FROM evaluation_items"):
        items.setdefault(row["evaluation_id"], {})[row["item_code"]] = row["points"]
        if row["note"]:
            notes.setdefault(row["evaluation_id"], {})[row["item_code"]] = row["note"]
    for row in db.query("SELECT * FROM evaluations ORDER BY eval_date, id"):
        evals.setdefault(row["community_id"], []).append(
            Evaluation(
                id=row["id"], community_id=row["community_id"], eval_date=dt.date.fromisoformat(row["eval_date"]),
                total=row["total"], by_items=bool(row["by_items"]), scoresheet=row["scoresheet"],
                items=items.get(row["id"], {}), evaluator=row["evaluator"], remarks=row["remarks"],
                notes=notes.get(row["id"], {}),
            )
        )
    return [
        Community(
            id=r["id"], name=r["name"], kind=r["kind"], households=r["households"],
            facilities_ok=bool(r["facilities_ok"]), facilities_date=_date(r["facilities_date"]),
            metering_connected=bool(r["metering_connected"]), metering_date=_date(r["metering_date"]),
            demo_village_date=_date(r["demo_village_date"]), remarks=r["remarks"],
            evaluations=tuple(evals.get(r["id"], [])), standard_since=_date(r["standard_since"]),
        )
        for r in rows
    ]


def get_community(db: sqlite_utils.Database, name_or_id: str | int) -> Community:
    for community in list_communities(db):
        if community.id == name_or_id or community.name == str(name_or_id).strip():
            return community
    raise AppError(f"找不到小区（村）“{name_or_id}”。可用 community list 查看已登记的名称。")


def pass_score(tasklist: TaskList) -> float:
    """The score a community needs to count as 达标: the indicator's min_score, else the sheet's."""
    for ind in tasklist.indicators():
        if ind.compute.get("kind") == "community" and ind.compute.get("measure") == "new_standard":
            return float(ind.compute.get("min_score", tasklist.scoresheet.pass_score))
    return tasklist.scoresheet.pass_score


def counts_as_new_standard(community: Community, tasklist: TaskList, *, until: dt.date | None = None) -> bool:
    return community.kind == "community" and community.first_pass_date(
        year=tasklist.year, min_score=pass_score(tasklist), until=until) is not None


# ---------------------------------------------------------------- writes

def _clean_date(label: str, value: Any, problems: list[tuple[str, str]], *, year: int | None = None) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day = parse_date(value)
    if day is None:
        problems.append((label, "请填写有效日期，格式如 2023-06-12"))
    elif year is not None and day.year != year:
        problems.append((label, f"应在 {year} 年内"))
        return None
    return day


def _clean_since(value: Any, problems: list[tuple[str, str]], *, year: int, kind: str) -> dt.date | None:
    day = _clean_date("此前达标日期", value, problems)
    if day is not None and day >= dt.date(year, 1, 1):
        problems.append(("此前达标日期", f"应早于 {year} 年（{year} 年内达标请录入测评）"))
        return None
    if day is not None and kind != "community":
        problems.append(("此前达标日期", "只有小区可以登记达标"))
        return None
    return day


def _clean_households(value: Any, problems: list[tuple[str, str]]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        number = -1.0
    if not number.is_integer() or number < 0 or number > 10_000_000:
        problems.append(("户数", "应为不小于0的整数"))
        return None
    return int(number)


def add_community(
    db: sqlite_utils.Database,
    name: str,
    *,
    kind: str = "community",
    households: Any = None,
    facilities: Any = None,
    metering: Any = None,
    demo_village: Any = None,
    standard_since: Any = None,
    remarks: str = "",
    year: int,
    actor: str,
) -> int:
    """Register a community or village; the optional dates mark facilities / metering / 示范村,
    and ``standard_since`` when it first reached 达标 before ``year`` (so it is not new)."""
    problems: list[tuple[str, str]] = []
    name = str(name or "").strip()
    if not name:
        problems.append(("名称", "不能为空"))
    elif len(name) > NAME_LIMIT:
        problems.append(("名称", f"不能超过{NAME_LIMIT}个字"))
    if kind not in KINDS:
        problems.append(("类别", "应为小区或村"))
    house = _clean_households(households, problems)
    fac = _clean_date("投放设施到位日期", facilities, problems)
    met = _clean_date("计量数据接入日期", metering, problems)
    demo = _clean_date("示范村创建日期", demo_village, problems, year=year)
    if demo is not None and kind != "village":
        problems.append(("示范村创建日期", "只有村可以登记示范村创建"))
    since = _clean_since(standard_since, problems, year=year, kind=kind)
    with db.atomic():
        if name and list(db.query("SELECT id FROM communities WHERE name = ? AND deleted_at IS NULL", [name])):
            problems.append(("名称", f"“{name}”已登记"))
        if problems:
            raise ValidationError(problems)
        stale = list(db.query("SELECT id FROM communities WHERE name = ?", [name]))
        if stale:  # a deleted one of the same name comes back instead of clashing with UNIQUE
            db.execute("DELETE FROM communities WHERE id = ?", [stale[0]["id"]])
        now = _now()
        cursor = db.execute(
            "INSERT INTO communities(name, kind, households, facilities_ok, facilities_date, metering_connected,"
            " metering_date, demo_village_date, remarks, created_at, updated_at, standard_since)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [name, kind, house, int(fac is not None), _iso(fac), int(met is not None), _iso(met), _iso(demo),
             str(remarks or ""), now, now, _iso(since)],
        )
        cid = int(cursor.lastrowid)  # type: ignore[arg-type]
        _audit(db, actor=actor, action="create", table="communities", row_id=cid, before=None,
               after=asdict(get_community(db, cid)))
    return cid


def update_community(
    db: sqlite_utils.Database,
    name_or_id: str | int,
    *,
    year: int,
    actor: str,
    name: Any = _UNSET,
    households: Any = _UNSET,
    facilities: Any = _UNSET,
    metering: Any = _UNSET,
    demo_village: Any = _UNSET,
    standard_since: Any = _UNSET,
    remarks: Any = _UNSET,
) -> None:
    """Change the given fields only; a date given as None clears that mark."""
    before = get_community(db, name_or_id)
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    if name is not _UNSET:
        new = str(name or "").strip()
        if not new or len(new) > NAME_LIMIT:
            problems.append(("名称", f"不能为空，且不超过{NAME_LIMIT}个字"))
        elif new != before.name and list(db.query("SELECT id FROM communities WHERE name = ?", [new])):
            problems.append(("名称", f"“{new}”已登记"))
        values["name"] = new
    if households is not _UNSET:
        values["households"] = _clean_households(households, problems)
    if facilities is not _UNSET:
        day = _clean_date("投放设施到位日期", facilities, problems)
        values.update(facilities_ok=int(day is not None), facilities_date=_iso(day))
    if metering is not _UNSET:
        day = _clean_date("计量数据接入日期", metering, problems)
        values.update(metering_connected=int(day is not None), metering_date=_iso(day))
    if demo_village is not _UNSET:
        day = _clean_date("示范村创建日期", demo_village, problems, year=year)
        if day is not None and before.kind != "village":
            problems.append(("示范村创建日期", "只有村可以登记示范村创建"))
        values["demo_village_date"] = _iso(day)
    if standard_since is not _UNSET:
        values["standard_since"] = _iso(_clean_since(standard_since, problems, year=year, kind=before.kind))
    if remarks is not _UNSET:
        values["remarks"] = str(remarks or "")
    if problems:
        raise ValidationError(problems)
    if not values:
        return
    with db.atomic():
        sets = ", ".join(f"{column} = ?" for column in values)
        db.execute(f"UPDATE communities SET {sets}, updated_at = ? WHERE id = ?", [*values.values(), _now(), before.id])
        _audit(db, actor=actor, action="update", table="communities", row_id=before.id,
               before=asdict(before), after=asdict(get_community(db, before.id)))


def delete_community(db: sqlite_utils.Database, name_or_id: str | int, *, actor: str) -> None:
    """Soft delete: it leaves every indicator; its evaluations stay on record."""
    before = get_community(db, name_or_id)
    with db.atomic():
        db.execute("UPDATE communities SET deleted_at = ?, updated_at = ? WHERE id = ?", [_now(), _now(), before.id])
        _audit(db, actor=actor, action="delete", table="communities", row_id=before.id, before=asdict(before), after=None)


def community_as_dict(community: Community, tasklist: TaskList) -> dict[str, Any]:
    return {
        "name": community.name,
        "kind": community.kind,
        "households": community.households,
        "facilities": _iso(community.facilities_date) if community.facilities_ok else None,
        "metering": _iso(community.metering_date) if community.metering_connected else None,
        "demo_village": _iso(community.demo_village_date),
        "standard_since": _iso(community.standard_since),
        "evaluations": [
            {"date": e.eval_date.isoformat(), "total": e.total, "by_items": e.by_items, "items": e.items, "notes": e.notes}
            for e in community.evaluations
        ],
        "best_score": community.best_score,
        "counts_as_new_standard": counts_as_new_standard(community, tasklist),
    }
