"""Bulk import of ledger entries from Excel (the template is ``models.ledger.excel_template``).

The columns are defined here, shared with the template: the standard fields, then one
column per value a task's entries carry, named "名称（单位）" (e.g. 入户宣传户数（户）).

``import_workbook`` treats the file as untrusted: size, zip ratio and member checks run
before openpyxl opens it (read-only, cached values only). Every row is validated by the
same ``clean_entry`` as the GUI; if any row fails nothing is imported and each problem
is reported as 第N行：字段：问题 (N = the row number Excel shows). Each row's normalised
content is hashed into ``entries.import_key``, so importing a file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlite_utils

from models.catalog.schema import Task, TaskList
from models.core import workbook_guard
from models.core.errors import AppError, ValidationError
from models.core.workbook_guard import UntrustedWorkbookError
from models.ledger.validation import EntryDraft, clean_entry, parse_date
from models.core.periods import months_of_year
from models.ledger.entries import add_entries
from models.ledger.locks import is_month_locked, month_of

DATA_SHEET = "台账"
HELP_SHEET = "说明"
LIST_SHEET = "选项"
MAX_ROWS = 20_000
TEMPLATE_ROWS = 1000
Progress = Callable[[int, int, str], None]

# Standard columns: key, template header, other headers accepted from existing ledgers.
STANDARD_COLUMNS = [
    ("task_seq", "任务序号", ("任务", "任务编号", "对应任务")),
    ("entry_date", "日期", ("开展日期", "活动日期", "工作日期", "时间")),
    ("entry_type", "台账类型", ("类型", "类别")),
    ("title", "标题", ("活动名称", "事项", "名称")),
    ("content", "工作内容", ("内容", "主要内容", "工作开展情况")),
    ("location", "地点", ("活动地点",)),
    ("organizer", "组织单位", ("组织者", "主办单位", "组织")),
    ("participants", "参与人数", ("人数",)),
]
REMARKS = ("remarks", "备注", ("说明",))
REQUIRED_KEYS = ("task_seq", "entry_date", "entry_type", "title")
IGNORED_HEADERS = {"序号", "行号"}  # users number their rows; that is not data


@dataclass(frozen=True)
class MeasureColumn:
    header: str
    codes: dict[int, str]  # task seq -> field code in that task
    type: str


@dataclass
class ImportResult:
    imported: int = 0
    duplicates: int = 0
    rows: int = 0
    entry_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"共 {self.rows} 行：导入 {self.imported} 条，跳过重复 {self.duplicates} 条"


def _norm(text: Any) -> str:
    """Header text without spaces, required-marks and with ASCII parentheses."""
    return re.sub(r"[\s*＊]", "", str(text or "")).replace("(", "（").replace(")", "）")


def measure_columns(tasks: Iterable[Task]) -> list[MeasureColumn]:
    """One column per distinct value name and unit over the tasks, in task order."""
    columns: dict[str, MeasureColumn] = {}
    for task in tasks:
        for spec in task.fields:
            header = f"{spec.name}（{spec.unit}）" if spec.unit else spec.name
            column = columns.setdefault(header, MeasureColumn(header=header, codes={}, type=spec.type))
            column.codes[task.seq] = spec.code
    return list(columns.values())


def template_headers(tasks: Iterable[Task]) -> list[str]:
    tasks = list(tasks)
    return [h for _, h, _ in STANDARD_COLUMNS] + [c.header for c in measure_columns(tasks)] + [REMARKS[1]]


# ---------------------------------------------------------------- reading

def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def _cell_date(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))  # a date cell formatted as a number
    if isinstance(value, str):
        date = parse_date(value.strip())
        return date or value
    return value


def _cell_seq(value: Any) -> Any:
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(?:任务)?\s*(\d+)\s*[.、．]?\s*", value)
        return int(match.group(1)) if match else value
    return value


def _cell_number(value: Any, number_format: str, kind: str) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return text[:-1].strip() if kind == "percent" and text.endswith(("%", "％")) else text
    if kind == "percent" and isinstance(value, (int, float)) and "%" in (number_format or ""):
        return round(value * 100, 6)  # a cell formatted as 95% holds 0.95
    return value


def _blank_row(cells: tuple[tuple[Any, str], ...], columns: Iterable[int]) -> bool:
    """No value in any of ``columns`` (an entry row has at least one)."""
    return all(v in (None, "") or (isinstance(v, str) and not v.strip())
               for c, (v, _) in enumerate(cells) if c in columns)


def _find_header(rows: list[tuple[Any, ...]], known: dict[str, str]) -> int | None:
    for index, row in enumerate(rows):
        keys = {known.get(_norm(v)) for v in row}
        if {"entry_date", "title"} <= keys:
            return index
    return None


def _import_key(clean: dict[str, Any]) -> str:
    payload = [clean["task_seq"], clean["entry_date"].isoformat(), clean["entry_type"].strip()]
    payload += [" ".join(str(clean[k]).split()) for k in ("title", "content", "location", "organizer", "remarks")]
    payload += [clean["participants"], sorted(clean["measures"].items())]
    return "x1:" + hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass
class _Parsed:
    cleaned: list[tuple[int, dict[str, Any], str]]
    rows: int


def read_workbook(
    path: Path, tasklist: TaskList, tasks: Iterable[Task], *, today: dt.date | None = None,
    locked_months: Iterable[str] = (), progress: Progress | None = None,
) -> _Parsed:
    """Validate every row; raise ValidationError (第N行, 字段：问题) if any row fails."""
    tasks = list(tasks)
    locked = set(locked_months)
    name = Path(path).name
    measures = measure_columns(tasks)
    known = {_norm(h): key for key, h, aliases in [*STANDARD_COLUMNS, REMARKS] for h in (h, *aliases)}
    for column in measures:
        known[_norm(column.header)] = column.header
        known[_norm(column.header.split("（")[0])] = column.header
        for code in column.codes.values():
            known[_norm(code)] = column.header
    by_header = {c.header: c for c in measures}
    try:
        # The one guard for untrusted workbooks: real rows (not the declared dimension),
        # bounded in rows, columns, cells and time.
        with workbook_guard.open_untrusted(Path(path)) as book:
            if not book.worksheets:
                raise UntrustedWorkbookError("工作簿中没有工作表")
            sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
            raw_rows = []
            mapped: set[int] | None = None  # the header's known columns, once it is found
            data_rows_seen = 0
            for n, row in enumerate(sheet.iter_rows(), start=1):
                cells = tuple((c.value, getattr(c, "number_format", "") or "") for c in row)
                raw_rows.append(cells)
                if mapped is None:
                    if _find_header([tuple(v for v, _ in cells)], known) is not None:
                        mapped = {col for col, (value, _) in enumerate(cells) if known.get(_norm(value))}
                    elif n >= 10:
                        break  # no header in the first 10 rows: reported below, the rest is not read
                elif not _blank_row(cells, mapped):
                    # The cap counts data rows as the check below does (blank rows are not entries)
                    # and refuses as soon as it is passed, before reading or checking further.
                    data_rows_seen += 1
                    if data_rows_seen > MAX_ROWS:
                        raise AppError(f"表格中的台账超过 {MAX_ROWS} 行（第{n}行已是第{data_rows_seen}行台账），"
                                       f"一次最多导入 {MAX_ROWS} 行，请拆分后分批导入。")
    except UntrustedWorkbookError as exc:
        raise AppError(f"{name}：{exc.reason}，无法导入。") from None

    header_index = _find_header([tuple(v for v, _ in r) for r in raw_rows[:10]], known)
    if header_index is None:
        raise ValidationError([("第1行", "表头：找不到“日期”“标题”等列，请使用“下载导入模板”生成的表格")])
    header_row = raw_rows[header_index]
    columns: dict[int, str] = {}
    problems: list[tuple[str, str]] = []
    for col, (value, _) in enumerate(header_row):
        name = _norm(value)
        if not name or name in IGNORED_HEADERS:
            continue
        key = known.get(name)
        if key is None:
            problems.append((f"第{header_index + 1}行", f"表头：无法识别列“{value}”，请删除该列或改用模板中的列名"))
        elif key in columns.values():
            problems.append((f"第{header_index + 1}行", f"表头：列“{value}”重复"))
        else:
            columns[col] = key
    labels = dict((key, h) for key, h, _ in STANDARD_COLUMNS)
    for key in REQUIRED_KEYS:
        if key not in columns.values():
            problems.append((f"第{header_index + 1}行", f"表头：缺少必填列“{labels[key]}”"))
    if problems:
        raise ValidationError(problems)

    by_seq = {t.seq: t for t in tasks}
    data_rows = raw_rows[header_index + 1 :]
    cleaned: list[tuple[int, dict[str, Any], str]] = []
    count = 0
    for offset, row in enumerate(data_rows):
        excel_row = header_index + 2 + offset
        if _blank_row(row, columns):
            continue
        values = {columns[c]: cell for c, cell in enumerate(row) if c in columns}
        count += 1
        draft, row_problems = _draft(values, by_seq, by_header)
        where = f"第{excel_row}行"
        try:
            clean = clean_entry(draft, tasks, year=tasklist.year, today=today)
        except ValidationError as exc:
            row_problems.extend(exc.problems)
        else:
            if month_of(clean["entry_date"]) in locked:
                row_problems.append(("日期", f"{clean['entry_date']:%Y年%m月}的台账已报送并锁定，不能导入"))
            cleaned.append((excel_row, clean, _import_key(clean)))
        problems.extend((where, f"{field}：{message}") for field, message in row_problems)
        if progress and count % 100 == 0:
            progress(count, len(data_rows), f"已检查 {count} 行")
    if problems:
        raise ValidationError(problems)
    if count == 0:
        raise AppError("表格中没有可导入的台账行。")
    return _Parsed(cleaned=cleaned, rows=count)


def _draft(values: dict[str, tuple[Any, str]], by_seq: dict[int, Task], by_header: dict[str, MeasureColumn]) -> tuple[EntryDraft, list[tuple[str, str]]]:
    get = lambda key: values.get(key, (None, ""))[0]  # noqa: E731
    seq = _cell_seq(get("task_seq"))
    task = by_seq.get(seq) if isinstance(seq, int) else None
    problems: list[tuple[str, str]] = []
    measures: dict[str, Any] = {}
    for key, (value, number_format) in values.items():
        column = by_header.get(key)
        if column is None or value is None or (isinstance(value, str) and not value.strip()):
            continue
        if task is None:
            continue  # the task problem is reported on its own
        code = column.codes.get(task.seq)
        if code is None:
            problems.append((column.header, f"任务{task.seq}没有这一项数值，请留空"))
        else:
            measures[code] = _cell_number(value, number_format, column.type)
    participants = get("participants")
    draft = EntryDraft(
        task_seq=seq,
        entry_date=_cell_date(get("entry_date")),
        entry_type=_cell_text(get("entry_type")).strip(),
        title=_cell_text(get("title")).strip(),
        content=_cell_text(get("content")).strip(),
        location=_cell_text(get("location")).strip(),
        organizer=_cell_text(get("organizer")).strip(),
        participants=_cell_number(participants, "", "int") if participants is not None else None,
        measures=measures,
        remarks=_cell_text(get("remarks")).strip(),
    )
    return draft, problems


def import_workbook(
    db: sqlite_utils.Database,
    path: Path,
    tasklist: TaskList,
    tasks: Iterable[Task],
    *,
    actor: str,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import every row of ``path`` or none; rows already imported are skipped."""
    tasks = list(tasks)
    months = months_of_year(tasklist.year)
    locked = [m for m in months if is_month_locked(db, m)]
    parsed = read_workbook(path, tasklist, tasks, today=today, locked_months=locked, progress=progress)
    keys = [key for _, _, key in parsed.cleaned]
    existing: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        existing.update(r[0] for r in db.execute(
            f"SELECT import_key FROM entries WHERE import_key IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    fresh: list[tuple[dict[str, Any], str | None]] = []
    for _, clean, key in parsed.cleaned:
        if key not in existing:
            existing.add(key)  # the same row twice in one file is imported once
            fresh.append((clean, key))
    if progress:
        progress(0, len(fresh), "正在写入数据库")
    ids = add_entries(db, tasklist, fresh, actor=actor) if fresh else []
    return ImportResult(imported=len(ids), duplicates=parsed.rows - len(ids), rows=parsed.rows, entry_ids=ids)
