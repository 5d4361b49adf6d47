"""What each received version of a unit's report said, and what changed between versions.

The district keeps every valid version's indicator rows (``district_values``) and entry rows
(``district_entries``, read from the report's 台账明细 sheet), so ``district diff`` can show
per indicator and per entry what changed (old → new) and — from the return notices the
district sent — why the report was sent back. ``find_by_code`` matches a printout's 核验码
to the received file it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from models.core.errors import AppError
from models.reporting.digest import normalize_code

MAX_ENTRY_ROWS = 5000
# 台账明细 header label -> district_entries column
ENTRY_COLUMNS = {
    "序号": "n", "日期": "entry_date", "任务序号": "task_seq", "台账类型": "entry_type", "标题": "title",
    "工作内容": "content", "地点": "location", "组织单位": "organizer", "参与人数": "participants",
    "填报数值": "measures", "佐证材料（件）": "evidence_count", "备注": "remarks",
}
ENTRY_FIELD_LABELS = {v: k for k, v in ENTRY_COLUMNS.items()}
INDICATOR_FIELDS = (("value", "完成值"), ("target", "目标值"), ("status", "状态"))


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RowChange:
    """One indicator or entry: 新增 / 删除 / 修改, with the fields that changed."""

    what: str
    change: str
    fields: tuple[FieldChange, ...] = ()


@dataclass
class VersionDiff:
    unit: str
    period: str
    old_version: int
    new_version: int
    reasons: list[str] = field(default_factory=list)
    indicators: list[RowChange] = field(default_factory=list)
    entries: list[RowChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.indicators and not self.entries


@dataclass(frozen=True)
class ReportMatch:
    report_id: int
    unit: str
    period: str
    version: int
    file_name: str
    generated_at: str
    imported_at: str
    current: bool


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int | None:
    try:
        return None if value is None or _text(value) == "" else int(float(value))
    except (TypeError, ValueError):
        return None


def read_entry_rows(sheet: Any) -> list[dict[str, Any]]:
    """The entries of a report's 台账明细 sheet, as the district keeps them (bad rows skipped)."""
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    where = {ENTRY_COLUMNS[h]: i for i, h in enumerate(header) if h in ENTRY_COLUMNS}
    if not {"n", "entry_date", "task_seq", "title"} <= where.keys():
        return []
    out: list[dict[str, Any]] = []
    for raw in rows:
        if len(out) >= MAX_ENTRY_ROWS:
            break
        cells = {col: (raw[i] if i < len(raw) else None) for col, i in where.items()}
        n, seq = _int(cells.get("n")), _int(cells.get("task_seq"))
        if n is None or seq is None:
            continue
        out.append({
            "n": n, "entry_date": _text(cells.get("entry_date"))[:10], "task_seq": seq,
            "entry_type": _text(cells.get("entry_type")), "title": _text(cells.get("title")),
            "content": _text(cells.get("content")), "location": _text(cells.get("location")),
            "organizer": _text(cells.get("organizer")), "participants": _int(cells.get("participants")),
            "measures": _text(cells.get("measures")), "evidence_count": _int(cells.get("evidence_count")) or 0,
            "remarks": _text(cells.get("remarks")),
        })
    return out


def store_entry_rows(db: sqlite_utils.Database, report_id: int, rows: list[dict[str, Any]]) -> None:
    seen: set[int] = set()
    for row in rows:
        if row["n"] in seen:
            continue
        seen.add(row["n"])
        db.execute(
            "INSERT INTO district_entries(report_id, n, entry_date, task_seq, entry_type, title, content, location,"
            " organizer, participants, measures, evidence_count, remarks) VALUES (:report_id, :n, :entry_date,"
            " :task_seq, :entry_type, :title, :content, :location, :organizer, :participants, :measures,"
            " :evidence_count, :remarks)", {**row, "report_id": report_id})


def _valid_versions(db: sqlite_utils.Database, unit: str, period: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT id, version, generated_at, imported_at FROM district_reports WHERE unit = ?"
                         " AND kind = 'monthly' AND period = ? AND status = 'ok' ORDER BY version, generated_at, id",
                         [unit, period]))


def _pick(versions: list[dict[str, Any]], version: int | None, default: dict[str, Any]) -> dict[str, Any]:
    if version is None:
        return default
    found = [v for v in versions if v["version"] == version]
    if not found:
        raise AppError(f"没有收到第{version}版（已收到：{'、'.join(f'第{v}版' for v in sorted({r['version'] for r in versions}))}）。")
    return found[-1]


def _entry_key(row: dict[str, Any]) -> tuple[str, int, str, str]:
    return (row["entry_date"], row["task_seq"], row["entry_type"], row["title"])


def _keyed(rows: list[dict[str, Any]], key: Any) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        k, n = key(row), 1
        while (k, n) in out:
            n += 1
        out[(k, n)] = row
    return out


def _compare(old: dict[Any, dict[str, Any]], new: dict[Any, dict[str, Any]], fields: tuple[tuple[str, str], ...],
             name: Any) -> list[RowChange]:
    changes: list[RowChange] = []
    for key in list(old) + [k for k in new if k not in old]:
        before, after = old.get(key), new.get(key)
        if before is None:
            changes.append(RowChange(name(after), "新增", tuple(FieldChange(label, None, after[f]) for f, label in fields
                                                                 if after[f] not in (None, "", 0))))
        elif after is None:
            changes.append(RowChange(name(before), "删除"))
        else:
            diff = tuple(FieldChange(label, before[f], after[f]) for f, label in fields if before[f] != after[f])
            if diff:
                changes.append(RowChange(name(after), "修改", diff))
    return changes


def version_diff(db: sqlite_utils.Database, unit: str, period: str, *, old: int | None = None,
                 new: int | None = None) -> VersionDiff:
    """What changed between two received versions (default: the last two) of a unit's month."""
    versions = _valid_versions(db, unit, period)
    numbers = sorted({v["version"] for v in versions})
    if len(versions) < 2:
        got = f"只收到{'、'.join(f'第{n}版' for n in numbers)}" if numbers else "尚未收到有效的报表"
        raise AppError(f"{unit} {period}：{got}，没有可比较的两个版本。")
    newest = _pick(versions, new, versions[-1])
    older = [v for v in versions if (v["version"], v["generated_at"] or "", v["id"]) <
             (newest["version"], newest["generated_at"] or "", newest["id"])]
    oldest = _pick(versions, old, older[-1] if older else versions[0])
    ind_sql = "SELECT * FROM district_values WHERE report_id = ? ORDER BY task_seq, code"
    ent_sql = "SELECT * FROM district_entries WHERE report_id = ? ORDER BY n"
    indicators = _compare(_keyed(list(db.query(ind_sql, [oldest["id"]])), lambda r: r["code"]),
                          _keyed(list(db.query(ind_sql, [newest["id"]])), lambda r: r["code"]),
                          INDICATOR_FIELDS, lambda r: f"任务{r['task_seq']} {r['name']}")
    entry_fields = tuple((f, ENTRY_FIELD_LABELS[f]) for f in ("content", "location", "organizer", "participants",
                                                              "measures", "evidence_count", "remarks"))
    entries = _compare(_keyed(list(db.query(ent_sql, [oldest["id"]])), _entry_key),
                       _keyed(list(db.query(ent_sql, [newest["id"]])), _entry_key),
                       entry_fields, lambda r: f"{r['entry_date']} 任务{r['task_seq']} {r['entry_type']}：{r['title']}")
    reasons = [r["reason"] for r in db.query(
        "SELECT reason FROM return_notices WHERE direction = 'sent' AND unit = ? AND kind = 'monthly' AND period = ?"
        " AND version >= ? AND version < ? ORDER BY issued_at", [unit, period, oldest["version"], newest["version"]])]
    return VersionDiff(unit, period, int(oldest["version"]), int(newest["version"]), reasons, indicators, entries)


def find_by_code(db: sqlite_utils.Database, code: str) -> list[ReportMatch]:
    """The received, signature-checked files whose 核验码 is ``code`` (normally one)."""
    wanted = normalize_code(code)
    return [ReportMatch(r["id"], r["unit"], r["period"], r["version"], r["file_name"], r["generated_at"] or "",
                        r["imported_at"], bool(r["current"]))
            for r in db.query("SELECT * FROM district_reports WHERE verify_code = ? AND verify_code != ''"
                              " AND status = 'ok' ORDER BY imported_at", [wanted])]


def diff_lines(diff: VersionDiff) -> list[str]:
    """The diff as the CLI and the 汇总 page print it."""
    out = [f"{diff.unit} {diff.period}：第{diff.old_version}版 → 第{diff.new_version}版"]
    out += [f"退回原因：{r}" for r in diff.reasons]
    if diff.unchanged:
        return out + ["两个版本的指标和台账明细相同。"]
    for title, rows in (("指标", diff.indicators), ("台账明细", diff.entries)):
        if not rows:
            continue
        out.append(f"【{title}】")
        for row in rows:
            fields = "；".join(f"{f.label}：{_shown(f.new)}" if row.change == "新增" else
                              f"{f.label}：{_shown(f.old)} → {_shown(f.new)}" for f in row.fields)
            out.append(f"  {row.change} {row.what}" + (f"（{fields}）" if fields else ""))
    return out


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
