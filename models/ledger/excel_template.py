"""The Excel template users fill in to bulk-import their existing ledgers.

One data sheet 台账 with a header row, drop-down lists for 任务序号 and 台账类型 (from a
hidden 选项 sheet), and one column per value a task's entries carry, named "名称（单位）"
(e.g. 入户宣传户数（户）). The 说明 sheet explains the columns and holds the example row,
so nothing in the data sheet is ever skipped silently. ``models.ledger.excel_import`` reads it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable

from models.catalog.schema import Task, TaskList
from models.core.errors import AppError
from models.ledger.excel_import import (
    DATA_SHEET, HELP_SHEET, LIST_SHEET, STANDARD_COLUMNS, TEMPLATE_ROWS, MeasureColumn, measure_columns,
    template_headers,
)


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
        elif column.type == "text":
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="50", allow_blank=True)
            text = "名称，不超过50个字"
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
    from models.catalog.schema import STANDARD_FIELDS

    spec = task.field(key)
    return STANDARD_FIELDS.get(key) or (spec.name if spec else key)


def _example_row(tasks: list[Task], headers: list[str], measures: list[MeasureColumn], year: int) -> list[Any]:
    # The simplest task that shows a value column makes the clearest example.
    with_values = sorted((t for t in tasks if t.fields), key=lambda t: len(t.fields))
    task = with_values[0] if with_values else (tasks[0] if tasks else None)
    if task is None:
        return []
    etype = task.entry_types[0]
    row: dict[str, Any] = {"任务序号": task.seq, "日期": dt.date(year, 6, 12), "台账类型": etype.name,
                           "标题": f"{etype.name}（示例）", "工作内容": "简要写明做了什么、效果如何", "地点": "某某社区",
                           "组织单位": "社区居委会", "参与人数": 20, "备注": ""}
    for column in measures:
        if task.seq in column.codes:
            row[column.header] = {"percent": 90, "text": "某某中转场"}.get(column.type, 100)
    return [row.get(h, "") for h in headers]
