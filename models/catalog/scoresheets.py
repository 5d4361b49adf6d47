"""Score sheets for evaluating a 达标小区 (resources/scoresheets/): items, points, pass mark."""

from __future__ import annotations

from pathlib import Path

from models.catalog.datafile import Checker, read_json
from models.catalog.schema import ScoreItem, ScoreSheet


def load_scoresheet(path: Path) -> ScoreSheet:
    check = Checker(path)
    doc = read_json(path)
    items = []
    codes: set[str] = set()
    for n, raw in enumerate(check.get(doc, "items", list, "文件"), start=1):
        code = check.get(raw, "code", str, f"第{n}项")
        where = f"评分项 {code}"
        if code in codes:
            raise check.fail(where, "代码重复")
        codes.add(code)
        points = check.get(raw, "points", (int, float), where)
        if points <= 0:
            raise check.fail(where, "字段 “points” 应大于 0")
        items.append(
            ScoreItem(
                code=code,
                area=check.get(raw, "area", str, where),
                indicator=check.get(raw, "indicator", str, where),
                standard=check.get(raw, "standard", str, where),
                points=float(points),
            )
        )
    sheet = ScoreSheet(
        id=check.get(doc, "id", str, "文件"),
        title=check.get(doc, "title", str, "文件"),
        basis=check.get(doc, "basis", str, "文件"),
        source=check.get(doc, "source", str, "文件", optional=True) or "",
        pass_score=float(check.get(doc, "pass_score", (int, float), "文件")),
        items=tuple(items),
    )
    if sheet.pass_score > sheet.total_points:
        raise check.fail("文件", "合格分数 pass_score 高于评分项总分")
    return sheet
