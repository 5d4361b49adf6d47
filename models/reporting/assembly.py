"""The one data assembly of a report. The xlsx and the PDF writers only render it, so
the two files cannot disagree.

A report is a function of the ledger, the fill date (填报日期, which is also the day the
statuses are judged at, capped at the period's end) and the version number: the same
inputs give the same cells, which is what lets ``submit`` tell a stale export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from models import __version__
from models.ledger.evidence import Attachment, attachments_for_entries, evidence_file
from models.core import statuses as st
from models.progress.indicators import IndicatorResult, TaskProgress, missing_targets, progress, quarter_progress, rounded
from models.ledger.entries import LedgerEntry, list_entries
from models.ledger.photo_batch import SOURCE_EXIF, capture_time
from models.core.periods import (
    default_as_of,
    month_bounds,
    month_title,
    normalize_month,
    parse_quarter,
    quarter_bounds,
    quarter_last_month,
)
from models.reporting.digest import INDICATOR_HEADERS as CONTRACT_HEADERS, INDICATOR_NOTE_HEADER
from models.reporting.summaries import indicator_line, measures_text, remarks_for, work_summary
from models.store.workspace import Workspace
from models.store.keys import Signer

SIGNATURES = ("填报人（签字）：", "审核人（签字）：", "单位负责人（签字）：", "日期：　　　年　　月　　日")
# The first ten columns are what the district reads (the file contract); 说明 carries the
# completion date of late work, "本单位设定" targets and why a value or target is missing.
INDICATOR_HEADERS = CONTRACT_HEADERS + (INDICATOR_NOTE_HEADER,)
PHOTOS_PER_TASK = 3  # the quarterly PDF's appendix: a few per task


@dataclass(frozen=True)
class Column:
    label: str
    width: float  # in Excel character units; the PDF scales them to the page width


def main_columns(kind: str) -> tuple[Column, ...]:
    work = "本月工作开展情况" if kind == "monthly" else "本季度工作开展情况"
    return (
        Column("序号", 5), Column("类别", 7), Column("任务（目标内容）", 40), Column("完成期限", 9),
        Column(work, 46), Column("指标完成情况", 34), Column("状态", 8), Column("佐证材料（件）", 9), Column("备注", 12),
    )


DETAIL_COLUMNS = (
    Column("序号", 5), Column("日期", 11), Column("任务序号", 6), Column("台账类型", 12), Column("标题", 24),
    Column("工作内容", 44), Column("地点", 14), Column("组织单位", 14), Column("参与人数", 7),
    Column("填报数值", 18), Column("佐证材料（件）", 7), Column("佐证材料文件", 26), Column("备注", 16), Column("填报人", 8),
)
# The PDF prints the same entries with fewer, wider columns (a landscape page is narrower than a sheet).
PRINT_DETAIL_COLUMNS = (
    Column("序号", 5), Column("日期", 11), Column("任务", 5), Column("台账类型", 10), Column("标题", 20),
    Column("工作内容", 58), Column("地点 / 组织单位", 16), Column("参与人数", 6), Column("填报数值", 14),
    Column("佐证材料", 22), Column("备注", 14),
)
INDICATOR_COLUMNS = tuple(
    Column(label, width) for label, width in zip(INDICATOR_HEADERS, (14, 10, 8, 22, 26, 12, 10, 10, 8, 8, 30))
)


@dataclass(frozen=True)
class TaskRow:
    seq: int
    category: str
    target_text: str
    deadline_text: str
    work_summary: str
    indicator_lines: tuple[str, ...]
    status: str
    evidence_count: int
    remarks: str
    entry_count: int
    by_submission: bool = False  # the row's indicators say whether a report was submitted

    def cells(self) -> list[object]:
        return [self.seq, self.category, self.target_text, self.deadline_text, self.work_summary,
                "\n".join(self.indicator_lines) or "—", self.status, self.evidence_count, self.remarks]


@dataclass(frozen=True)
class DetailRow:
    n: int
    entry_id: int
    date: dt.date
    task_seq: int
    entry_type: str
    title: str
    content: str
    location: str
    organizer: str
    participants: int | None
    measures: str
    evidence_names: tuple[str, ...]
    remarks: str
    operator: str

    def cells(self) -> list[object]:
        # A real date (not text), so Excel and WPS sort, filter and sum by it.
        return [self.n, self.date, self.task_seq, self.entry_type, self.title, self.content, self.location,
                self.organizer, self.participants, self.measures, len(self.evidence_names),
                "\n".join(self.evidence_names), self.remarks, self.operator]

    def print_cells(self) -> list[object]:
        place = " / ".join(p for p in (self.location, self.organizer) if p)
        files = f"{len(self.evidence_names)}件：" + "、".join(self.evidence_names) if self.evidence_names else "无"
        return [self.n, self.date.isoformat(), self.task_seq, self.entry_type, self.title, self.content, place,
                self.participants, self.measures, files, self.remarks]


@dataclass(frozen=True)
class IndicatorRow:
    unit: str
    report_month: str
    task_seq: int
    code: str
    name: str
    period: str
    value: float | int | None
    target: float | int | None
    unit_label: str
    status: str
    by_submission: bool = False
    explanation: str = ""
    breakdown: bool = False  # one month of a monthly rule in a quarterly report (the verdict row follows)

    def cells(self) -> list[object]:
        return [self.unit, self.report_month, self.task_seq, self.code, self.name, self.period,
                self.value, self.target, self.unit_label, self.status, self.explanation]


@dataclass(frozen=True)
class Photo:
    source: Path  # the stored evidence file; the PDF uses a downscaled copy
    stored_path: str
    sha256: str
    task_seq: int
    date: dt.date
    title: str
    original_name: str
    taken: dt.date | None = None  # the camera's capture date (EXIF), when the photo carries one

    @property
    def caption(self) -> str:
        shot = f"　拍摄于{self.taken.isoformat()}" if self.taken else ""
        return f"任务{self.task_seq}　{self.date.year}年{self.date.month}月{self.date.day}日　{self.title}{shot}"


def _taken(source: Path) -> dt.date | None:
    if not source.exists():
        return None
    photo = capture_time(source)
    return photo.taken.date() if photo.source == SOURCE_EXIF else None


@dataclass
class Report:
    kind: str  # monthly | quarterly
    period: str  # "2023-06" | "2023Q2"
    period_title: str  # 2023年6月 | 2023年第二季度
    unit: str
    operator: str
    phone: str
    reviewer: str
    fill_date: dt.date
    as_of: dt.date
    version: int
    rows: list[TaskRow]
    details: list[DetailRow]
    indicators: list[IndicatorRow]
    photos: list[Photo] = field(default_factory=list)
    photo_count: int = 0  # photos among the period's evidence (the PDF may print only some)
    warnings: tuple[str, ...] = ()  # what the user should know before sending (targets not set)

    reissue_reason: str = ""  # why a version after the first was issued (the period's unlock reason)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    app_version: str = __version__
    # This installation's key; set by export.prepare, None for a report only looked at.
    signer: Signer | None = field(default=None, repr=False, compare=False)

    @property
    def columns(self) -> tuple[Column, ...]:
        return main_columns(self.kind)

    @property
    def title(self) -> str:
        if self.kind == "monthly":
            return f"钟楼区生活垃圾分类工作月度台账（{self.period_title}）"
        return f"钟楼区生活垃圾分类季度工作进展（{self.period_title}）"

    @property
    def report_month(self) -> str:
        return self.period if self.kind == "monthly" else quarter_last_month(self.period)

    @property
    def version_text(self) -> str:
        return f"第{self.version}版"

    @property
    def fill_date_text(self) -> str:
        return f"{self.fill_date.year}年{self.fill_date.month}月{self.fill_date.day}日"

    def header_fields(self) -> list[tuple[str, str]]:
        return [("填报单位（盖章）", self.unit), ("填报人", self.operator), ("联系电话", self.phone),
                ("审核人", self.reviewer), ("填报日期", self.fill_date_text)]

    def category_spans(self) -> list[tuple[int, int, str]]:
        """(first row index, row count, category) for runs of one category, merged as in the source list."""
        spans: list[tuple[int, int, str]] = []
        for n, row in enumerate(self.rows):
            if spans and spans[-1][2] == row.category:
                first, count, name = spans[-1]
                spans[-1] = (first, count + 1, name)
            else:
                spans.append((n, 1, row.category))
        return spans

    def summary_text(self) -> str:
        where = "本月" if self.kind == "monthly" else "本季度"
        verdicts = [r for r in self.indicators if not r.breakdown]
        counts = Counter(r.status for r in verdicts)
        tally = "、".join(f"{s} {counts[s]} 项" for s in st.STATUSES if counts[s])
        evidence = sum(len(d.evidence_names) for d in self.details)
        text = f"{where}共记录台账 {len(self.details)} 条，佐证材料 {evidence} 件（其中照片 {self.photo_count} 张）；"
        text += f"适用任务 {len(self.rows)} 项，量化指标 {len(verdicts)} 项"
        return text + (f"：{tally}。" if tally else "。")

    def content_digest(self) -> str:
        """The report's content without what submitting a report itself changes.

        Submitting June flips task 32's "submitted" indicator, which appears in June's and
        the quarter's reports; a submit must not call those exports stale for that reason.
        """
        rows = [asdict(r) if not r.by_submission else {**asdict(r), "status": "", "indicator_lines": ()} for r in self.rows]
        data = {
            "head": [self.kind, self.period, self.unit, self.operator, self.phone, self.reviewer,
                     self.fill_date.isoformat(), self.version],
            "rows": rows,
            "details": [asdict(d) for d in self.details],
            "indicators": [asdict(i) for i in self.indicators if not i.by_submission],
        }
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str, sort_keys=True).encode()).hexdigest()


class MonthlyReport(Report):
    """月度工作台账 (task 32)."""


class QuarterlyReport(Report):
    """季度工作进展 (task 33): every task against its annual target as at the quarter's end."""


# ---------------------------------------------------------------- assembly

def _explanation(r: IndicatorResult) -> str:
    parts = []
    if r.completed_on is not None and (r.late or r.period_kind == "deadline"):
        d = r.completed_on
        parts.append(f"{d.year}年{d.month}月{d.day}日完成")
    if r.own_target and r.target is not None:
        parts.append(f"目标{r.target_text}")
    if r.note and r.status in (st.NO_TARGET, st.NOT_APPLICABLE):
        parts.append(r.note)
    return "；".join(parts)


def _indicator_rows(unit: str, month: str, r: IndicatorResult, submission: bool) -> list[IndicatorRow]:
    def row(x: IndicatorResult, *, breakdown: bool = False) -> IndicatorRow:
        return IndicatorRow(unit=unit, report_month=month, task_seq=x.task_seq, code=x.code, name=x.name, period=x.period,
                            value=rounded(x.value, 4), target=rounded(x.target, 4), unit_label=x.unit, status=x.status,
                            by_submission=submission, explanation=_explanation(x), breakdown=breakdown)
    return [row(m, breakdown=True) for m in r.months] + [row(r)]


def _task_status_text(tp: TaskProgress) -> str:
    """The task's status as the report prints it; late work names the day it was done."""
    late = [r for r in tp.indicators if r.late and r.completed_on and r.status == tp.status]
    return late[0].status_text if late else tp.status


def _pick_photos(photos: list[Photo], per_task: int) -> list[Photo]:
    """A few photos per task for the quarter: evenly spread over its photos by date (first, middle, last)."""
    by_task: dict[int, list[Photo]] = {}
    for photo in photos:
        by_task.setdefault(photo.task_seq, []).append(photo)
    chosen: list[Photo] = []
    for seq in sorted(by_task):
        mine = by_task[seq]
        if len(mine) <= per_task:
            chosen.extend(mine)
            continue
        step = (len(mine) - 1) / (per_task - 1) if per_task > 1 else 0
        chosen.extend(mine[round(n * step)] for n in range(per_task))
    return chosen


def _assemble(
    ws: Workspace,
    report_cls: type[Report],
    *,
    kind: str,
    period: str,
    title: str,
    start: dt.date,
    end: dt.date,
    month: str,
    fill_date: dt.date | None,
    version: int,
    with_photos: bool,
) -> Report:
    # A period of an earlier year (December's report, made in January after the switch)
    # is assembled with that year's list and settings.
    ws = ws.for_year(start.year)
    profile = ws.require_profile()
    tasklist = ws.tasklist
    fill_date = fill_date or dt.date.today()
    as_of = min(fill_date, end)
    # The report being exported is its own period's submission (task 32 / 33), received on its fill date.
    exporting = (kind, period, fill_date)
    if kind == "quarterly":
        tasks_progress = quarter_progress(ws, period, as_of=as_of, exporting=exporting)
    else:
        tasks_progress = progress(ws, month, as_of=default_as_of(month, fill_date), exporting=exporting)
    entries = sorted(list_entries(ws.db, start=start, end=end), key=lambda e: (e.entry_date, e.id))
    attachments: dict[int, list[Attachment]] = attachments_for_entries(ws.db, [e.id for e in entries])
    by_task: dict[int, list[LedgerEntry]] = {}
    for entry in entries:
        by_task.setdefault(entry.task_seq, []).append(entry)

    rows: list[TaskRow] = []
    indicator_rows: list[IndicatorRow] = []
    for tp in tasks_progress:
        task = tp.task
        mine = by_task.get(task.seq, [])
        submission = any(i.compute.get("kind") == "submission" for i in task.indicators)
        rows.append(TaskRow(
            seq=task.seq, category=task.category, target_text=task.target_text, deadline_text=task.deadline_text,
            work_summary=work_summary(task, mine, kind=kind),
            indicator_lines=tuple(indicator_line(r) for r in tp.indicators),
            status=_task_status_text(tp), evidence_count=sum(len(attachments.get(e.id, [])) for e in mine),
            remarks=remarks_for(task, start, end), entry_count=len(mine), by_submission=submission,
        ))
        for r in tp.indicators:
            indicator_rows.extend(_indicator_rows(profile.unit, month, r, submission))

    details: list[DetailRow] = []
    photos: list[Photo] = []
    photo_count = 0
    for n, entry in enumerate(entries, start=1):
        files = attachments.get(entry.id, [])
        task = tasklist.task(entry.task_seq)
        details.append(DetailRow(
            n=n, entry_id=entry.id, date=entry.entry_date, task_seq=entry.task_seq, entry_type=entry.entry_type,
            title=entry.title, content=entry.content, location=entry.location, organizer=entry.organizer,
            participants=entry.participants, measures=measures_text(task, entry),
            evidence_names=tuple(a.original_name for a in files), remarks=entry.remarks, operator=entry.operator,
        ))
        photo_count += sum(1 for a in files if a.is_image)
        if with_photos:
            photos.extend(
                Photo(source=evidence_file(ws.data_dir, a), stored_path=a.stored_path, sha256=a.sha256,
                      task_seq=entry.task_seq, date=entry.entry_date, title=entry.title, original_name=a.original_name,
                      taken=_taken(evidence_file(ws.data_dir, a)))
                for a in files if a.is_image
            )
    if kind == "quarterly":
        photos = _pick_photos(photos, PHOTOS_PER_TASK)
    warnings = tuple(f"任务{r.task_seq}“{r.name}”：{r.note or '未设置目标'}" for r in missing_targets(tasks_progress))
    return report_cls(
        kind=kind, period=period, period_title=title, unit=profile.unit, operator=profile.operator,
        phone=profile.phone, reviewer=profile.reviewer, fill_date=fill_date, as_of=as_of, version=version,
        rows=rows, details=details, indicators=indicator_rows, photos=photos, photo_count=photo_count,
        warnings=warnings,
    )


def assemble_monthly(
    ws: Workspace, month: str, *, fill_date: dt.date | None = None, version: int = 1, with_photos: bool = True
) -> MonthlyReport:
    month = normalize_month(month)
    start, end = month_bounds(month)
    report = _assemble(ws, MonthlyReport, kind="monthly", period=month, title=month_title(month), start=start, end=end,
                       month=month, fill_date=fill_date, version=version, with_photos=with_photos)
    return report  # type: ignore[return-value]


def assemble_quarterly(
    ws: Workspace, quarter: str, *, fill_date: dt.date | None = None, version: int = 1, with_photos: bool = True
) -> QuarterlyReport:
    """The quarter as a real period: its entries, evidence and verdicts; monthly rules month by
    month; an appendix of a few photos per task (``_pick_photos``)."""
    year, q = parse_quarter(quarter)
    quarter = f"{year}Q{q}"
    start, end = quarter_bounds(quarter)
    title = f"{year}年第{'一二三四'[q - 1]}季度"
    report = _assemble(ws, QuarterlyReport, kind="quarterly", period=quarter, title=title, start=start, end=end,
                       month=quarter_last_month(quarter), fill_date=fill_date, version=version, with_photos=with_photos)
    return report  # type: ignore[return-value]


def assemble(ws: Workspace, kind: str, period: str, **kwargs: object) -> Report:
    if kind == "monthly":
        return assemble_monthly(ws, period, **kwargs)  # type: ignore[arg-type]
    if kind == "quarterly":
        return assemble_quarterly(ws, period, **kwargs)  # type: ignore[arg-type]
    raise ValueError(f"unknown report kind {kind!r}")


def check_period(kind: str, period: str) -> str:
    """The period in canonical form ("2023-06" / "2023Q2"); AppError when malformed."""
    if kind == "monthly":
        return normalize_month(period)
    year, q = parse_quarter(period)
    return f"{year}Q{q}"

