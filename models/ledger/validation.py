"""What makes a ledger entry acceptable: one validation for the GUI, the CLI and the import.

``clean_entry`` checks a draft (what a user typed, a command passed or a spreadsheet row
held) against the unit's applicable tasks and returns clean column values, or raises a
ValidationError listing every problem with its field named in Chinese. Text is kept
exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from models.catalog.schema import STANDARD_FIELDS, Task
from models.core.errors import ValidationError

TEXT_LIMITS = {"title": 100, "content": 5000, "location": 100, "organizer": 100, "remarks": 1000}
LABELS = {"task_seq": "任务", "entry_date": "日期", "entry_type": "台账类型", "title": "标题", **STANDARD_FIELDS, "remarks": "备注"}
MAX_COUNT = 10_000_000
# Control characters are refused; newlines and tabs are allowed in multi-line fields.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MULTILINE = {"content", "remarks"}


@dataclass
class EntryDraft:
    """What a user typed (GUI), passed (CLI) or a spreadsheet row held; not yet checked.

    Values may be strings or typed values; ``clean_entry`` converts and checks them.
    """

    task_seq: Any
    entry_date: Any
    entry_type: Any
    title: Any
    content: Any = ""
    location: Any = ""
    organizer: Any = ""
    participants: Any = None
    measures: dict[str, Any] = field(default_factory=dict)
    remarks: Any = ""



def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        return float(text)
    except ValueError:
        return None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_entry(
    draft: EntryDraft, tasks: Iterable[Task], *, year: int, today: dt.date | None = None
) -> dict[str, Any]:
    """Check a draft against the applicable ``tasks``; return clean column values.

    Raises ValidationError listing every problem, each naming its field in Chinese.
    """
    today = today or dt.date.today()
    problems: list[tuple[str, str]] = []
    by_seq = {t.seq: t for t in tasks}
    clean: dict[str, Any] = {}

    seq_number = _number(draft.task_seq) if not _is_blank(draft.task_seq) else None
    task = by_seq.get(int(seq_number)) if seq_number is not None and seq_number.is_integer() else None
    if task is None:
        problems.append(("任务", "请选择本单位适用的任务" if _is_blank(draft.task_seq) else f"任务“{draft.task_seq}”不适用于本单位或不存在"))
    else:
        clean["task_seq"] = task.seq

    date = parse_date(draft.entry_date)
    if date is None:
        problems.append(("日期", "请填写有效日期，格式如 2023-06-12"))
    elif date.year != year:
        problems.append(("日期", f"应在 {year} 年内（本台账为 {year} 年任务清单）"))
    elif date > today:
        problems.append(("日期", "不能晚于今天"))
    else:
        clean["entry_date"] = date

    entry_type = str(draft.entry_type or "").strip()
    etype = task.entry_type(entry_type) if task else None
    if not entry_type:
        problems.append(("台账类型", "不能为空"))
    elif task and etype is None:
        problems.append(("台账类型", f"“{entry_type}”不是任务{task.seq}的台账类型（可选：{'、'.join(t.name for t in task.entry_types)}）"))
    clean["entry_type"] = entry_type

    for key, limit in TEXT_LIMITS.items():
        raw = getattr(draft, key)
        text = "" if raw is None else str(raw)
        if key == "title" and not text.strip():
            problems.append((LABELS[key], "不能为空"))
        elif len(text) > limit:
            problems.append((LABELS[key], f"不能超过{limit}个字（现有{len(text)}个）"))
        elif _CONTROL.search(text) or (key not in _MULTILINE and ("\n" in text or "\r" in text or "\t" in text)):
            problems.append((LABELS[key], "含有不可见的控制字符，请删除后再保存"))
        clean[key] = text  # stored exactly as typed

    participants = None
    if not _is_blank(draft.participants):
        number = _number(draft.participants)
        if number is None or not number.is_integer() or number < 0 or number > MAX_COUNT:
            problems.append(("参与人数", "应为不小于0的整数"))
        else:
            participants = int(number)
    clean["participants"] = participants

    measures: dict[str, float] = {}
    for code, raw in (draft.measures or {}).items():
        spec = task.field(code) if task else None
        if task and spec is None:
            codes = "、".join(f.code for f in task.fields) or "无"
            problems.append((str(code), f"不是任务{task.seq}的填报数值（可填：{codes}）"))
            continue
        if _is_blank(raw):
            continue
        label = spec.name if spec else str(code)
        if spec and not spec.numeric:  # a name (中转场名称): kept as typed, trimmed
            text = str(raw).strip()
            if len(text) > 50 or _CONTROL.search(text) or "\n" in text:
                problems.append((label, "应为一行不超过50个字的文字"))
            else:
                measures[code] = text  # type: ignore[assignment]
            continue
        number = _number(raw)
        if number is None or number != number or number in (float("inf"), float("-inf")):
            problems.append((label, "应为数字"))
        elif spec and spec.type == "int" and (not number.is_integer() or number < 0 or number > MAX_COUNT):
            problems.append((label, "应为不小于0的整数"))
        elif spec and spec.type == "percent" and not 0 <= number <= 100:
            problems.append((label, "应在 0 到 100 之间"))
        elif spec and spec.type == "number" and (number < 0 or number > 1e12):
            problems.append((label, "应为不小于0的数"))
        else:
            measures[code] = number
    clean["measures"] = measures

    if etype is not None and task is not None:
        for req in etype.required:
            if req in STANDARD_FIELDS:
                missing = _is_blank(clean.get(req)) if req != "participants" else participants is None
                label = STANDARD_FIELDS[req]
            else:
                missing = req not in measures
                label = task.field(req).name  # type: ignore[union-attr]
            if missing and not any(p[0] == label for p in problems):
                problems.append((label, f"“{entry_type}”类台账必须填写"))
    if problems:
        raise ValidationError(problems)
    return clean
