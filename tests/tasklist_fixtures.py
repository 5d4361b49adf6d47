"""The district's task list as the district prints it, built inside the tests.

From ``resources/tasklists/2023.json`` (the texts of the seed document) in the seed's
layout: one table per printed page with the header row repeated, the category cell merged
down each page, 区机关事务/管理中心 wrapped onto two lines inside its cell, the notes under
the last table. ``changed_rows`` makes another year's list: other numbers and deadlines,
one task added.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.core.paths import resource_path

HEADER = ["序号", "任务名称", "目标内容", "主要责任单位", "完成期限"]
PAGES = [(1, 3), (4, 8), (9, 11), (12, 15), (16, 19), (20, 25), (26, 30), (31, 33)]
NOTES = [
    "1.垃圾分类达标小区按照《江苏省垃圾分类小区评价标准（修订版）》（苏建函城管〔2021〕484号）、"
    "《常州市住宅小区生活垃圾分类设施配置标准》（常城管〔2021〕67号）执行，且评分≥95分。",
    "2.垃圾分类示范村创建按照《常州市农村生活垃圾分类示范村评估标准（试行）》（常垃分办〔2022〕8号）执行。",
]
# The seed prints the responsible units as written, not as units.json names them.
SEED_RESPONSIBLE = {18: "区机关事务\n管理中心"}


def rows_2023() -> list[dict]:
    doc = json.loads(resource_path("tasklists", "2023.json").read_text(encoding="utf-8"))
    rows = []
    for task in doc["tasks"]:
        rows.append({
            "seq": task["seq"], "category": task["category"], "target_text": task["target_text"],
            "responsible": SEED_RESPONSIBLE.get(task["seq"], task["responsible"]), "deadline_text": task["deadline_text"],
        })
    return rows


def changed_rows(year: int = 2024) -> list[dict]:
    """Next year's list: new numbers and deadlines, and a task 34 for the street offices."""
    rows = []
    for row in rows_2023():
        row = dict(row)
        row["target_text"] = (row["target_text"].replace("2023", str(year)).replace("新增达标小区104个", "新增达标小区120个")
                              .replace("每季度入户宣传居民户数不低于建成区居民总户数的25%", "每季度入户宣传居民户数不低于建成区居民总户数的30%")
                              .replace("试点2处", "试点3处").replace("不低于150平方米", "不低于200平方米")
                              .replace("每万平米不高于300吨", "每万平米不高于280吨"))
        row["deadline_text"] = row["deadline_text"].replace("2023年6月", f"{year}年5月").replace("2023年", f"{year}年")
        rows.append(row)
    rows.append({"seq": 34, "category": "工作要求", "target_text": "各街道每月至少开展1次垃圾分类桶边督导，新增垃圾分类示范小区10个，提高桶边督导覆盖率。",
                 "responsible": "各街道、区城管局按职责分工负责", "deadline_text": f"{year}年11月"})
    return rows


def write_docx(path: Path, rows: list[dict], *, year: int = 2023, notes: list[str] | None = None,
               category_in_every_row: bool = False) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("附件3-2")
    document.add_paragraph(f"钟楼区{year}年生活垃圾分类工作任务清单")
    by_seq = {r["seq"]: r for r in rows}
    pages = list(PAGES)
    extra = [s for s in by_seq if s > 33]
    if extra:
        pages[-1] = (31, max(extra))
    for first, last in pages:
        page = [by_seq[s] for s in range(first, last + 1) if s in by_seq]
        table = document.add_table(rows=1 + len(page), cols=5)
        for c, label in enumerate(HEADER):
            table.cell(0, c).text = label
        for r, row in enumerate(page, start=1):
            for c, key in enumerate(["seq", "category", "target_text", "responsible", "deadline_text"]):
                if key == "category" and r > 1 and row["category"] == page[r - 2]["category"] and not category_in_every_row:
                    continue
                value = str(row[key])
                paragraph = table.cell(r, c).paragraphs[0]
                for n, line in enumerate(value.split("\n")):
                    run = paragraph.add_run(line)
                    if n < value.count("\n"):
                        run.add_break()
        # merge each run of one category down the page, as the district prints it
        run_start = 1
        for r in range(2, len(page) + 2):
            if r == len(page) + 1 or page[r - 1]["category"] != page[run_start - 1]["category"]:
                if r - 1 > run_start:
                    table.cell(run_start, 1).merge(table.cell(r - 1, 1))
                run_start = r
        document.add_paragraph("")
    for note in NOTES if notes is None else notes:
        document.add_paragraph(note)
    document.save(str(path))
    return path


def write_xlsx(path: Path, rows: list[dict], *, year: int = 2023, notes: list[str] | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    ws = wb.active
    ws.append(["附件3-2"])
    ws.append([f"钟楼区{year}年生活垃圾分类工作任务清单"])
    ws.merge_cells("A2:E2")
    r = 3
    for first, last in PAGES:
        ws.append(HEADER)  # repeated at every page, as printed
        r += 1
        page = [row for row in rows if first <= row["seq"] <= (last if last < 33 else 99)]
        run_start = r + 1
        for i, row in enumerate(page):
            r += 1
            first_of_run = i == 0 or page[i - 1]["category"] != row["category"]
            ws.append([row["seq"], row["category"] if first_of_run else None, row["target_text"],
                       row["responsible"], row["deadline_text"]])
            ws.cell(r, 3).alignment = Alignment(wrap_text=True)
            if first_of_run and i:
                if r - 1 > run_start:
                    ws.merge_cells(start_row=run_start, start_column=2, end_row=r - 1, end_column=2)
                run_start = r
        if r > run_start:
            ws.merge_cells(start_row=run_start, start_column=2, end_row=r, end_column=2)
    ws.append([])
    for note in NOTES if notes is None else notes:
        ws.append([note])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
    wb.save(str(path))
    return path
