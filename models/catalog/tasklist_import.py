"""Reading the district's yearly task list document (.docx or .xlsx) into plain rows.

The district issues its list as a Word table (sometimes Excel) in five columns —
序号, 任务名称, 目标内容, 主要责任单位, 完成期限 — printed across pages, so the header row is
repeated (as a table header or as a new table per page), the category cell is merged down
(or simply left empty under its first row), long names wrap onto a second line inside a cell,
and numbered notes follow the table. This module only reads: what the rows mean is
decided in :mod:`models.catalog.proposals`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from models.core.errors import AppError

# Header labels the district has used for each column (first match wins).
COLUMNS = {
    "seq": ("序号",),
    "category": ("任务名称", "类别", "任务类别"),
    "target_text": ("目标内容", "任务内容", "工作内容", "目标任务"),
    "responsible": ("主要责任单位", "责任单位", "牵头单位"),
    "deadline_text": ("完成期限", "完成时限", "完成时间"),
}
_NOTE_START = re.compile(r"^\s*(注[:：]?|备注[:：]?|\d+[.、．])")


class SourceFormatError(AppError):
    """The document is not a task list table we can read."""


@dataclass(frozen=True)
class SourceRow:
    """One task as printed: texts verbatim (line breaks inside a cell removed)."""

    seq: int
    category: str
    target_text: str
    responsible: str
    deadline_text: str
    line: str  # where it was found, for messages: "第2页表格第3行" / "第5行"


@dataclass
class SourceDocument:
    title: str = ""
    source: str = ""  # the attachment label above the title, e.g. 附件3-2
    rows: list[SourceRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rows that could not be read


def clean_cell(text: str | None) -> str:
    """A cell's text with the line breaks Word/Excel wrap inside it removed.

    The list is Chinese: a wrapped name (区机关事务\\n管理中心) is one word, so lines are
    joined with nothing. Other spaces are kept as printed.
    """
    if text is None:
        return ""
    lines = [line.strip() for line in str(text).replace("\r", "\n").replace("\u000b", "\n").split("\n")]
    return "".join(lines).strip()


def _header_map(cells: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, text in enumerate(cells):
        label = text.replace(" ", "").replace("\u3000", "")
        for key, names in COLUMNS.items():
            if key not in found and label in names:
                found[key] = index
    return found if {"seq", "target_text"} <= found.keys() else None


def _rows_from_grid(grid: list[tuple[str, list[str]]], doc: SourceDocument) -> None:
    """Turn (where, cells) rows into tasks: skip repeated headers, carry categories down."""
    columns: dict[str, int] | None = None
    category = ""
    for where, cells in grid:
        header = _header_map(cells)
        if header is not None:
            columns = header
            continue
        if columns is None or not any(cells):
            continue

        def cell(key: str) -> str:
            index = columns.get(key)  # type: ignore[union-attr]
            return cells[index] if index is not None and index < len(cells) else ""

        seq_text, target = cell("seq"), cell("target_text")
        if not seq_text and not target:
            continue
        if cell("category"):
            category = cell("category")
        digits = re.sub(r"\D", "", seq_text)
        plain_seq = seq_text.strip().strip("（）().、．")
        if not plain_seq.isdigit() and len({c for c in cells if c}) == 1:  # a note row across the table
            doc.notes.append(next(c for c in cells if c))
            continue
        if not digits or digits != plain_seq:
            doc.problems.append(f"{where}：序号“{seq_text}”不是数字，此行未导入")
            continue
        if not target:
            doc.problems.append(f"{where}：任务{digits}没有目标内容，此行未导入")
            continue
        doc.rows.append(SourceRow(seq=int(digits), category=category, target_text=target,
                                  responsible=cell("responsible"), deadline_text=cell("deadline_text"), line=where))


def _heading(paragraphs: list[str], doc: SourceDocument) -> None:
    for text in paragraphs:
        if not doc.title and ("清单" in text or "任务" in text):
            doc.title = text
        elif not doc.source and not doc.title and text.startswith("附件"):
            doc.source = text


def _notes(lines: list[str]) -> list[str]:
    notes: list[str] = []
    for text in lines:
        if not text:
            continue
        if notes and not _NOTE_START.match(text):
            notes[-1] += text  # a note wrapped onto a second paragraph
        else:
            notes.append(text)
    return notes


# -- .docx ---------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _tc_text(tc) -> str:
    paragraphs = []
    for p in tc.iter(f"{_W}p"):
        parts = []
        for node in p.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif node.tag == f"{_W}tab":
                parts.append(" ")
        paragraphs.append("".join(parts))
    filled = [p.strip() for p in paragraphs if p.strip()]
    if len(filled) > 1 and len(set(filled)) == 1:
        # merging cells that each held the category (Word keeps every copy): one category
        return clean_cell(filled[0])
    return clean_cell("\n".join(paragraphs))


def _table_grid(tbl, number: int) -> list[tuple[str, list[str]]]:
    """Rows of one w:tbl as lists of cell texts by grid column, vertical merges filled."""
    grid: list[tuple[str, list[str]]] = []
    above: dict[int, str] = {}
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr"), start=1):
        cells: list[str] = []
        column = 0
        for tc in tr.iterchildren(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span, merge = 1, None
            if props is not None:
                grid_span = props.find(f"{_W}gridSpan")
                if grid_span is not None:
                    span = int(grid_span.get(f"{_W}val", "1"))
                v_merge = props.find(f"{_W}vMerge")
                if v_merge is not None:
                    merge = v_merge.get(f"{_W}val", "continue")
            text = above.get(column, "") if merge == "continue" else _tc_text(tc)
            above[column] = text
            cells.append(text)
            cells.extend([""] * (span - 1))
            column += span
        grid.append((f"第{number}个表格第{r}行", cells))
    return grid


def read_docx(path: Path) -> SourceDocument:
    try:
        import docx  # python-docx
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for a bad file
        raise SourceFormatError(f"无法读取 Word 文件 {path.name}：{exc}") from None
    doc = SourceDocument()
    body = document.element.body
    before: list[str] = []
    after: list[str] = []
    grid: list[tuple[str, list[str]]] = []
    tables = 0
    for child in body.iterchildren():
        if child.tag == f"{_W}tbl":
            tables += 1
            grid.extend(_table_grid(child, tables))
            after = []  # text between two tables is a page heading, not a note
        elif child.tag == f"{_W}p":
            text = _tc_text(child)
            (after if tables else before).append(text)
    if not tables:
        raise SourceFormatError(f"{path.name} 中没有表格：任务清单应为“序号、任务名称、目标内容、主要责任单位、完成期限”五列的表格")
    _heading([t for t in before if t], doc)
    _rows_from_grid(grid, doc)
    doc.notes = _notes(doc.notes + after)
    return doc


# -- .xlsx ---------------------------------------------------------------------------


def _xlsx_text(value: object) -> str:
    """A cell as printed: 1.0 is 序号 1; a date Excel made of "2024年6月" is that text again."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.year}年{value.month}月" if value.day == 1 else f"{value.year}年{value.month}月{value.day}日"
    return clean_cell(value)  # type: ignore[arg-type]


def read_xlsx(path: Path) -> SourceDocument:
    try:
        from openpyxl import load_workbook
        workbook = load_workbook(str(path), data_only=True)
    except Exception as exc:
        raise SourceFormatError(f"无法读取 Excel 文件 {path.name}：{exc}") from None
    sheet = workbook.worksheets[0]
    merged: dict[tuple[int, int], object] = {}
    for rng in sheet.merged_cells.ranges:
        value = sheet.cell(rng.min_row, rng.min_col).value
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                merged[(row, col)] = value
    doc = SourceDocument()
    grid: list[tuple[str, list[str]]] = []
    before: list[str] = []
    after: list[str] = []
    in_table = False
    width = sheet.max_column
    for r in range(1, sheet.max_row + 1):
        cells = [_xlsx_text(merged.get((r, c), sheet.cell(r, c).value)) for c in range(1, width + 1)]
        filled = [c for c in cells if c]
        header = _header_map(cells)
        if header is not None:
            in_table = True
            after = []
            grid.append((f"第{r}行", cells))
            continue
        if not in_table:
            before.extend(filled[:1])
            continue
        # A note spans the row (merged across) or sits in the first column with no 序号.
        first = cells[0]
        if filled and (len(set(filled)) == 1 and not re.fullmatch(r"\d+", first or "")):
            after.append(filled[0])
            continue
        if after and not filled:
            continue
        grid.append((f"第{r}行", cells))
    if not in_table:
        raise SourceFormatError(f"{path.name} 中找不到表头（序号、任务名称、目标内容、主要责任单位、完成期限）")
    _heading(before, doc)
    _rows_from_grid(grid, doc)
    doc.notes = _notes(doc.notes + after)
    return doc


def read_source(path: Path) -> SourceDocument:
    """Read a .docx or .xlsx task list; other formats get a message saying what is accepted."""
    path = Path(path)
    if not path.is_file():
        raise SourceFormatError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        doc = read_docx(path)
    elif suffix in (".xlsx", ".xlsm"):
        doc = read_xlsx(path)
    else:
        raise SourceFormatError(f"{path.name}：只能导入 Word（.docx）或 Excel（.xlsx）格式的任务清单（.doc/.xls 请先另存为新格式）")
    if not doc.rows:
        raise SourceFormatError(f"{path.name} 的表格中没有读到任务（每行应有序号和目标内容）")
    seqs = [r.seq for r in doc.rows]
    dupes = sorted({s for s in seqs if seqs.count(s) > 1})
    if dupes:
        raise SourceFormatError(f"{path.name}：序号重复：{'、'.join(map(str, dupes))}")
    return doc
