"""Bulk import of ledger entries from Excel, and the template users fill in.

The template (``write_template``) has one data sheet 台账 with a header row, drop-down
lists for 任务序号 and 台账类型, and one column per value a task's entries carry, named
"名称（单位）" (e.g. 入户宣传户数（户）); a value column is filled only for the tasks that
have it. The 说明 sheet explains the columns and holds the example row, so nothing in
the data sheet is ever skipped silently.

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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlite_utils

from models.catalog import Task, TaskList
from models.errors import AppError, ValidationError
from models.ledger import EntryDraft, add_entries, clean_entry, parse_date
from models.locks import is_month_locked, month_of

DATA_SHEET = "台账"
HELP_SHEET = "说明"
LIST_SHEET = "选项"
MAX_FILE_SIZE = 20 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 200  # xlsx XML compresses well, but not 200:1 unless it is a zip bomb
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


# ---------------------------------------------------------------- template

def write_template(path: Path, tasklist: TaskList, tasks: Iterable[Task]) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.workbook.defined_name import DefinedName

    tasks = list(tasks)
    measures = measure_columns(tasks)
    headers = template_headers(tasks)
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    last = TEMPLATE_ROWS + 1
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = required_fill if col <= 4 else header_fill
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = {1: 9, 2: 12, 3: 16, 4: 28, 5: 40}.get(col, max(12, len(header) * 2 + 2))
    sheet.row_dimensions[1].height = 36
    sheet.freeze_panes = "A2"
    for key in ("A1", "B1", "C1", "D1"):
        sheet[key].comment = Comment("必填", "台账模板")

    lists = book.create_sheet(LIST_SHEET)
    lists.append(["任务序号", "台账类型"])
    type_names = list(dict.fromkeys(t.name for task in tasks for t in task.entry_types))
    for n in range(max(len(tasks), len(type_names))):
        lists.append([tasks[n].seq if n < len(tasks) else None, type_names[n] if n < len(type_names) else None])
    lists.sheet_state = "hidden"
    # ASCII names and a quoted sheet name: every Excel and WPS version resolves these.
    book.defined_names["TaskSeqs"] = DefinedName("TaskSeqs", attr_text=f"'{LIST_SHEET}'!$A$2:$A${len(tasks) + 1}")
    book.defined_names["EntryTypes"] = DefinedName("EntryTypes", attr_text=f"'{LIST_SHEET}'!$B$2:$B${len(type_names) + 1}")

    def validate(dv: DataValidation, col: int, prompt: str) -> None:
        dv.error, dv.errorTitle = prompt, "输入有误"
        dv.prompt, dv.promptTitle = prompt, headers[col - 1]
        dv.showErrorMessage = dv.showInputMessage = True
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(dv)

    validate(DataValidation(type="list", formula1="=TaskSeqs", allow_blank=True), 1, "从下拉列表选择本单位适用的任务序号")
    validate(DataValidation(type="list", formula1="=EntryTypes", allow_blank=True), 3,
             "从下拉列表选择台账类型（须是该任务的类型，见“说明”表）")
    year = tasklist.year
    validate(DataValidation(type="date", operator="between", formula1=f"DATE({year},1,1)",
                            formula2=f"DATE({year},12,31)", allow_blank=True), 2, f"{year}年内的日期，如 {year}-06-12")
    validate(DataValidation(type="whole", operator="between", formula1="0", formula2="10000000", allow_blank=True),
             8, "不小于0的整数")
    for n, column in enumerate(measures, start=len(STANDARD_COLUMNS) + 1):
        if column.type == "percent":
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
            text = "0 到 100 之间的数（百分数，填 95 表示 95%）"
        elif column.type == "int":
            dv = DataValidation(type="whole", operator="between", formula1="0", formula2="10000000", allow_blank=True)
            text = "不小于0的整数"
        else:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            text = "不小于0的数"
        tasks_text = "、".join(str(s) for s in column.codes)
        validate(dv, n, f"{text}；仅任务{tasks_text}填写")
    text_format = [4, 5, 6, 7, len(headers)]  # text cells keep a typed "=..." as text, not a formula
    for row in range(2, last + 1):
        sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        for col in text_format:
            sheet.cell(row=row, column=col).number_format = "@"

    _write_help(book.create_sheet(HELP_SHEET), tasklist, tasks, headers, measures)
    book.move_sheet(HELP_SHEET, offset=-1)  # 台账, 说明, (hidden 选项)
    book.active = 0
    path = Path(path)
    try:
        book.save(path)
    except OSError as exc:
        raise AppError(f"无法写入文件 {path}：{exc.strerror or exc}（文件是否正在 Excel 中打开？）") from None
    return path


def _write_help(sheet: Any, tasklist: TaskList, tasks: list[Task], headers: list[str], measures: list[MeasureColumn]) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    year = tasklist.year
    lines = [
        (f"{tasklist.title} —— 台账批量导入模板", Font(bold=True, size=14)),
        ("1. 在“台账”表中每行填写一条台账；第1行是表头，请勿修改表头文字。", None),
        ("2. 必填：任务序号、日期、台账类型、标题（表头为橙色）；各台账类型另有必填项，见下方任务表。", None),
        (f"3. 日期须在 {year} 年内且不晚于今天，格式如 {year}-06-12；人数、户数等须为不小于0的整数；百分比填 0–100 的数。", None),
        ("4. 数值列（如“入户宣传户数（户）”）只填该行任务有的项，其他任务请留空。", None),
        ("5. 导入时任何一行有误都不会导入，程序会列出“第N行：字段：问题”，改正后重新导入即可。", None),
        ("6. 同一文件重复导入不会产生重复台账（内容完全相同的行只导入一次）。本表（说明）不会被导入。", None),
        ("", None),
        ("填写示例（请在“台账”表中填写，本行不会被导入）：", bold),
    ]
    for text, font in lines:
        sheet.append([text])
        if font:
            sheet.cell(row=sheet.max_row, column=1).font = font
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    example = _example_row(tasks, headers, measures, year)
    sheet.append(example)
    sheet.append([])
    sheet.append(["本单位适用的任务："])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append(["任务序号", "任务内容", "台账类型（必填项）", "可填数值列"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for task in tasks:
        types = "；".join(
            t.name + (f"（必填：{'、'.join(_required_label(task, r) for r in t.required)}）" if t.required else "")
            for t in task.entry_types
        )
        values = "、".join(c.header for c in measures if task.seq in c.codes) or "—"
        sheet.append([task.seq, task.target_text, types, values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (10, 60, 50, 30)):
        sheet.column_dimensions[letter].width = width


def _required_label(task: Task, key: str) -> str:
    from models.catalog import STANDARD_FIELDS

    spec = task.field(key)
    return STANDARD_FIELDS.get(key) or (spec.name if spec else key)


def _example_row(tasks: list[Task], headers: list[str], measures: list[MeasureColumn], year: int) -> list[Any]:
    # The simplest task that shows a value column makes the clearest example.
    with_values = sorted((t for t in tasks if t.fields), key=lambda t: len(t.fields))
    task = with_values[0] if with_values else (tasks[0] if tasks else None)
    if task is None:
        return []
    etype = task.entry_types[0]
    row: dict[str, Any] = {"任务序号": task.seq, "日期": f"{year}-06-12", "台账类型": etype.name,
                           "标题": f"{etype.name}（示例）", "工作内容": "简要写明做了什么、效果如何", "地点": "某某社区",
                           "组织单位": "社区居委会", "参与人数": 20, "备注": ""}
    for column in measures:
        if task.seq in column.codes:
            row[column.header] = 100 if column.type != "percent" else 90
    return [row.get(h, "") for h in headers]


# ---------------------------------------------------------------- reading

def check_untrusted_xlsx(path: Path) -> None:
    """Refuse what is not a plain, reasonably sized .xlsx before any parser sees it."""
    path = Path(path)
    if not path.is_file():
        raise AppError(f"找不到文件：{path}")
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise AppError(f"{path.name} 是旧版 Excel 97-2003（.xls）或 WPS（.et）文件，请在 Excel/WPS 中“另存为” .xlsx 后再导入。")
    if suffix not in (".xlsx", ".xlsm") or not head.startswith(b"PK"):
        raise AppError(f"{path.name} 不是 Excel 工作簿（.xlsx），无法导入。请使用“下载导入模板”生成的文件。")
    if size > MAX_FILE_SIZE:
        raise AppError(f"{path.name} 太大（{size / 1024 / 1024:.1f} MB），导入文件不能超过 {MAX_FILE_SIZE // 1024 // 1024} MB。")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "xl/workbook.xml" not in names:
                raise AppError(f"{path.name} 不是有效的 Excel 工作簿。")
            total = sum(m.file_size for m in members)
            if len(members) > 10_000 or total > MAX_UNZIPPED:
                raise AppError(f"{path.name} 解压后过大，疑似异常文件，已拒绝导入。")
            for member in members:
                if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                    raise AppError(f"{path.name} 的压缩比异常（疑似“压缩炸弹”），已拒绝导入。")
    except zipfile.BadZipFile:
        raise AppError(f"{path.name} 已损坏，无法作为 Excel 工作簿打开。") from None


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
    from openpyxl import load_workbook

    tasks = list(tasks)
    locked = set(locked_months)
    check_untrusted_xlsx(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on malformed files
        raise AppError(f"{Path(path).name} 无法读取：{exc}") from None
    try:
        sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
        raw_rows = []
        for n, row in enumerate(sheet.iter_rows(), start=1):
            if n > MAX_ROWS + 20:
                raise AppError(f"文件行数过多，一次最多导入 {MAX_ROWS} 行，请拆分后分批导入。")
            raw_rows.append(tuple((c.value, getattr(c, "number_format", "") or "") for c in row))
    finally:
        book.close()

    measures = measure_columns(tasks)
    known = {_norm(h): key for key, h, aliases in [*STANDARD_COLUMNS, REMARKS] for h in (h, *aliases)}
    for column in measures:
        known[_norm(column.header)] = column.header
        known[_norm(column.header.split("（")[0])] = column.header
        for code in column.codes.values():
            known[_norm(code)] = column.header
    by_header = {c.header: c for c in measures}
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
        values = {columns[c]: cell for c, cell in enumerate(row) if c in columns}
        if all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v, _ in values.values()):
            continue
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
    months = [f"{tasklist.year}-{m:02d}" for m in range(1, 13)]
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
