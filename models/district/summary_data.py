"""What the district summary (全区月度汇总) shows, assembled once for the .xlsx and the .pdf.

:class:`DistrictSummary` and :func:`build_summary` (from ``models.district.views``), the typed
tables the workbook writes, and the summary's own code (:func:`summary_code`) printed on both
files. The writers are ``models.district.summary_report`` (xlsx, and ``export_summary``) and
``models.district.summary_pdf``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from models.core import statuses
from models.district.views import (
    DistrictTotal,
    StatusMatrix,
    UnitSubmission,
    ValueRow,
    district_totals,
    due_at,
    grace_days,
    month_completeness,
    state_counts,
    status_matrix,
    units_behind,
    year_grid,
)
from models.core.periods import month_title, parse_month
from models.store.workspace import Workspace

ORGANISER = "钟楼区生活垃圾分类工作领导小组办公室（区垃分办）"
# Light fills shared by xlsx, pdf and the GUI, so a colour means the same everywhere.
STATE_COLOURS = {
    "已报送": "C6F6D5", "迟报": "FEEBC8", "未报送": "FED7D7", "校验失败": "E9D8FD", "未到期": "EDF2F7",
    **{word: statuses.tint(word).lstrip("#").upper() for word in statuses.SEVERITY},  # the one status palette
    "当前版本": "C6F6D5", "已被替换": "EDF2F7", "已拒收": "FED7D7",
}


@dataclass
class DistrictSummary:
    """Everything both files show, assembled once."""

    month: str
    title: str
    generated_at: str
    grace: int
    due: dt.datetime
    submissions: list[UnitSubmission]
    counts: dict[str, int]
    grid: list[list[UnitSubmission]]
    totals: list[DistrictTotal]
    matrix: StatusMatrix
    behind: list[ValueRow]

    def completeness_rows(self) -> list[list[str]]:
        rows = []
        for n, s in enumerate(self.submissions, start=1):
            note = []
            if s.versions > 1:
                note.append(f"共{s.versions}个版本")
            if s.failed:
                note.append(f"{s.failed}个文件校验失败")
            rows.append([str(n), s.unit.name, s.unit.kind_label, s.state,
                         f"第{s.current_version}版" if s.current_version else "",
                         s.first_generated_at.replace("T", " ")[:16], "；".join(note)])
        return rows

    def totals_rows(self) -> list[list[str]]:
        rows = []
        for t in self.totals:
            ind = t.indicator
            share = f"{t.total / t.target * 100:.0f}%" if t.target else ""
            parts = "、".join(f"{u} {v:g}" for u, v in t.by_unit.items() if v)
            rows.append([str(ind.task_seq), ind.name, f"{t.target:g}{ind.unit}", f"{t.total:g}{ind.unit}", share,
                         t.status, f"{t.reporting_units}/{t.expected_units}", parts or "—"])
        return rows

    def behind_rows(self) -> list[list[str]]:
        return [[v.unit, str(v.task_seq), v.name, _num(v.value, v.measure_unit), _num(v.target, v.measure_unit),
                 v.period_label, v.status] for v in self.behind]

    def behind_by_unit_rows(self) -> list[list[str]]:
        """One row per lagging unit: counts by status and the indicators (value / target)."""
        grouped: dict[str, list[ValueRow]] = {}
        for v in self.behind:
            grouped.setdefault(v.unit, []).append(v)
        rows = []
        for unit, items in grouped.items():
            counts = [str(sum(v.status == word for v in items) or "") for word in ("滞后", "未达标", "逾期")]
            detail = "；".join(f"{v.task_seq}.{v.name}（{_num(v.value, v.measure_unit) or '—'}/{_num(v.target, v.measure_unit) or '—'}，"
                              f"{v.status}）" for v in items)
            rows.append([unit, *counts, detail])
        return rows

    def matrix_rows(self) -> tuple[list[str], list[list[str]]]:
        """Units × tasks; '—' = the task applies but no value arrived, '' = it does not apply."""
        header = ["单位", "报送情况"] + [f"任务{t.seq}" for t in self.matrix.tasks]
        state = {s.unit.name: s.state for s in self.submissions}
        rows = []
        for unit in self.matrix.units:
            row = [unit.name, state.get(unit.name, "")]
            for task in self.matrix.tasks:
                cell = self.matrix.cell(unit.name, task.seq)
                row.append((cell.status or "—") if cell.applies else "")
            rows.append(row)
        return header, rows

    def grid_rows(self) -> tuple[list[str], list[list[str]]]:
        header = ["单位"] + [f"{m}月" for m in range(1, 13)]
        return header, [[row[0].unit.name] + [s.state for s in row] for row in self.grid]


def _num(value: float | None, unit: str) -> str:
    return "" if value is None else f"{value:g}{unit}"


def build_summary(ws: Workspace, month: str, *, now: dt.datetime | None = None) -> DistrictSummary:
    year, _ = parse_month(month)
    now = now or dt.datetime.now()
    subs = month_completeness(ws, month, now=now)
    grace = grace_days(ws.db)
    return DistrictSummary(
        month=month,
        title=f"钟楼区生活垃圾分类工作月度汇总（{month_title(month)}）",
        generated_at=now.isoformat(timespec="seconds"),
        grace=grace,
        due=due_at(month, grace),
        submissions=subs,
        counts=state_counts(subs),
        grid=year_grid(ws, year, now=now),
        totals=district_totals(ws, month),
        matrix=status_matrix(ws, month),
        behind=units_behind(ws, month),
    )


def summary_line(summary: DistrictSummary) -> str:
    c = summary.counts
    due = summary.due.date()
    return (f"应报送单位 {len(summary.submissions)} 个：按时报送 {c['已报送']}，迟报 {c['迟报']}，"
            f"未报送 {c['未报送'] + c['未到期']}，校验失败 {c['校验失败']}。"
            f"报送截止：{due.year}年{due.month}月{due.day}日（月末后宽限 {summary.grace} 天）。")


def file_stem(month: str) -> str:
    year, mon = parse_month(month)
    return f"钟楼区垃圾分类月度汇总_{year}年{mon:02d}月"


# Column kinds: how a value is written, formatted and aligned.
TEXT, STATE, INT, NUM, PCT, VERSION, TIME = "text", "state", "int", "num", "pct", "version", "time"


@dataclass(frozen=True)
class SheetColumn:
    label: str
    width: float
    kind: str = TEXT


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 4)


def _rate(value: float | None, unit: str) -> float | None:
    """A value measured in % as the fraction a percent format shows."""
    return None if value is None else round(value / 100, 6) if unit == "%" else value


def completeness_table(summary: DistrictSummary) -> tuple[list[SheetColumn], list[list[object]]]:
    columns = [SheetColumn("序号", 6, INT), SheetColumn("单位", 24), SheetColumn("类别", 10, STATE),
               SheetColumn("报送状态", 10, STATE), SheetColumn("当前版本", 10, VERSION),
               SheetColumn("首次报送（生成时间）", 20, TIME), SheetColumn("有效版本数", 10, INT),
               SheetColumn("校验失败文件数", 12, INT), SheetColumn("备注", 30)]
    rows: list[list[object]] = []
    for n, s in enumerate(summary.submissions, start=1):
        first = dt.datetime.fromisoformat(s.first_generated_at) if s.first_generated_at else None
        note = "；".join(x for x in (f"共{s.versions}个版本" if s.versions > 1 else "",
                                    f"{s.failed}个文件校验失败" if s.failed else "") if x)
        rows.append([n, s.unit.name, s.unit.kind_label, s.state, s.current_version, first, s.versions, s.failed, note])
    return columns, rows


def totals_table(summary: DistrictSummary) -> tuple[list[SheetColumn], list[list[object]]]:
    columns = [SheetColumn("任务", 6, INT), SheetColumn("指标", 26), SheetColumn("计量单位", 8, STATE),
               SheetColumn("全区目标", 10, NUM), SheetColumn("全区完成", 10, NUM), SheetColumn("完成率", 9, PCT),
               SheetColumn("状态", 8, STATE), SheetColumn("已报单位", 8, INT), SheetColumn("应报单位", 8, INT),
               SheetColumn("各单位完成", 60)]
    rows: list[list[object]] = []
    for t in summary.totals:
        ind = t.indicator
        parts = "、".join(f"{u} {v:g}" for u, v in t.by_unit.items() if v)
        rows.append([ind.task_seq, ind.name, ind.unit, _number(t.target), _number(t.total),
                     round(t.total / t.target, 6) if t.target else None, t.status, t.reporting_units, t.expected_units,
                     parts or "—"])
    return columns, rows


def behind_table(summary: DistrictSummary) -> tuple[list[SheetColumn], list[list[object]]]:
    columns = [SheetColumn("单位", 22), SheetColumn("任务", 6, INT), SheetColumn("指标", 30),
               SheetColumn("完成值", 10, NUM), SheetColumn("目标值", 10, NUM), SheetColumn("计量单位", 8, STATE),
               SheetColumn("统计周期", 16, STATE), SheetColumn("状态", 8, STATE)]
    rows: list[list[object]] = []
    for v in summary.behind:
        pct = v.measure_unit == "%"
        rows.append([v.unit, v.task_seq, v.name, _rate(_number(v.value), v.measure_unit),
                     _rate(_number(v.target), v.measure_unit), v.measure_unit, v.period_label, v.status, pct])
    return columns, rows


def summary_code(summary: DistrictSummary) -> str:
    """The summary's own code: a SHA-256 of what it reports, printed on the PDF and the workbook,
    so a printed page can be matched to its file."""
    data = [summary.month, summary.generated_at, completeness_table(summary)[1], totals_table(summary)[1],
            summary.matrix_rows()[1], summary.grid_rows()[1], behind_table(summary)[1]]
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()
