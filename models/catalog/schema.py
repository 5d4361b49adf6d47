"""The shapes of the district's domain data: units, task lists with their indicators,
fields and entry types, score sheets — the vocabulary every layer above speaks. Loading and
validating the files is ``models.catalog.tasklists`` (lists), ``units`` and ``scoresheets``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNIT_KINDS = {"street": "街道", "town": "镇", "department": "区级部门", "district": "区垃分办"}
PERIODS = {"month": "月", "quarter": "季度", "year": "年度", "deadline": "截止日期"}
COMPARISONS = (">=", "<=")
FIELD_TYPES = {"int", "percent", "number", "text"}  # text: a name, e.g. the 中转场 a figure is about
# Standard entry columns an entry type may make required, with their Chinese labels.
STANDARD_FIELDS = {
    "content": "工作内容",
    "location": "地点",
    "organizer": "组织单位",
    "participants": "参与人数",
}
COMPUTE_KINDS = {"count", "distinct", "sum", "latest", "weighted_mean", "ratio", "ratio_of_sums", "community", "submission"}
COMMUNITY_MEASURES = {"facilities_coverage", "new_standard", "demo_villages", "metering_of_new"}
UNIT_SETTINGS = {"households", "standard_quota"}


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS[self.kind]


@dataclass(frozen=True)
class MeasureField:
    """A value an entry of a task can carry, e.g. households reached (户)."""

    code: str
    name: str
    unit: str
    type: str  # int | percent | number | text

    @property
    def numeric(self) -> bool:
        return self.type != "text"


@dataclass(frozen=True)
class EntryType:
    name: str
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    task_seq: int
    code: str
    name: str
    unit: str
    period: str
    comparison: str
    target: float | None
    compute: dict[str, Any]
    deadline: dt.date
    target_setting: str | None = None
    district_target: float | None = None
    scope: str = "unit"
    editable: bool = False
    # Unit kinds the indicator binds; other units the task applies to keep entries for it and
    # see the district figure (a department co-responsible for communities owns none). Empty: all.
    unit_kinds: tuple[str, ...] = ()

    def binds(self, unit: "Unit") -> bool:
        return not self.unit_kinds or unit.kind in self.unit_kinds


@dataclass(frozen=True)
class Task:
    seq: int
    category: str
    target_text: str
    responsible: str
    deadline_text: str
    deadline: dt.date
    applies_kinds: tuple[str, ...]
    applies_units: tuple[str, ...]
    fields: tuple[MeasureField, ...]
    entry_types: tuple[EntryType, ...]
    indicators: tuple[Indicator, ...]

    def applies_to(self, unit: Unit) -> bool:
        return unit.kind in self.applies_kinds or unit.name in self.applies_units

    def entry_type(self, name: str) -> EntryType | None:
        return next((t for t in self.entry_types if t.name == name), None)

    def field(self, code: str) -> MeasureField | None:
        return next((f for f in self.fields if f.code == code), None)


@dataclass(frozen=True)
class TaskList:
    year: int
    title: str
    tasks: tuple[Task, ...]
    scoresheet: "ScoreSheet"
    path: Path

    def task(self, seq: int) -> Task | None:
        return next((t for t in self.tasks if t.seq == seq), None)

    def tasks_for(self, unit: Unit) -> list[Task]:
        return [t for t in self.tasks if t.applies_to(unit)]

    def categories(self, tasks: list[Task] | None = None) -> list[tuple[str, list[Task]]]:
        """Consecutive runs of tasks sharing a category, as merged in the source list."""
        groups: list[tuple[str, list[Task]]] = []
        for task in self.tasks if tasks is None else tasks:
            if groups and groups[-1][0] == task.category:
                groups[-1][1].append(task)
            else:
                groups.append((task.category, [task]))
        return groups

    def indicators(self, tasks: list[Task] | None = None) -> list[Indicator]:
        return [i for t in (self.tasks if tasks is None else tasks) for i in t.indicators]


@dataclass(frozen=True)
class ScoreItem:
    code: str
    area: str
    indicator: str
    standard: str
    points: float


@dataclass(frozen=True)
class ScoreSheet:
    id: str
    title: str
    basis: str
    pass_score: float
    source: str = ""  # the document the sheet is copied from
    items: tuple[ScoreItem, ...] = field(default_factory=tuple)

    @property
    def total_points(self) -> float:
        return sum(i.points for i in self.items)

    def item(self, code: str) -> ScoreItem | None:
        return next((i for i in self.items if i.code == code), None)
