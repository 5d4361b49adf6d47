"""Evaluations of a community against the score sheet (达标小区测评): every item scored or a
total alone, the pass mark from the task list, audit-logged. The register itself lives in
``models.ledger.communities``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping

from models.catalog.schema import ScoreSheet, TaskList
from models.core.errors import AppError, ValidationError
from models.ledger.communities import _audit, _now, get_community
from models.ledger.validation import parse_date

if TYPE_CHECKING:
    import sqlite_utils


def score_items(sheet: ScoreSheet, items: Mapping[str, Any]) -> tuple[dict[str, float], float]:
    """Check points per item against the sheet; return (clean items, total).

    A sheet scored item by item is scored on every item: a partial set is refused, naming
    the items left out (a missing item is not a zero nor full marks)."""
    problems: list[tuple[str, str]] = []
    clean: dict[str, float] = {}
    for code, raw in items.items():
        item = sheet.item(str(code).strip())
        if item is None:
            codes = "、".join(i.code for i in sheet.items)
            problems.append((str(code), f"不是评分表中的评分项（可用：{codes}）"))
            continue
        if raw is None or not str(raw).strip():
            continue  # reported below with the other missing items
        try:
            points = float(str(raw).strip())
        except ValueError:
            problems.append((f"{item.code} {item.indicator}", "得分应为数字"))
            continue
        if points != points or points < 0:
            problems.append((f"{item.code} {item.indicator}", "得分不能为负数"))
        elif points > item.points:
            problems.append((f"{item.code} {item.indicator}", f"得分 {points:g} 超过该项分值 {item.points:g} 分"))
        else:
            clean[item.code] = points
    if not items:
        problems.append(("评分项", "请逐项填写全部得分，或只填写总分"))
    else:
        given = {str(c).strip() for c, raw in items.items() if raw is not None and str(raw).strip()}
        missing = [i for i in sheet.items if i.code not in given]
        if missing:
            names = "、".join(f"{i.code} {i.indicator}" for i in missing)
            problems.append(("评分项", f"逐项打分须填写全部 {len(sheet.items)} 项，尚缺：{names}（或只填写总分）"))
    if problems:
        raise ValidationError(problems)
    return clean, round(sum(clean.values()), 2)


def record_evaluation(
    db: sqlite_utils.Database,
    tasklist: TaskList,
    community: str | int,
    *,
    eval_date: Any,
    total: Any = None,
    items: Mapping[str, Any] | None = None,
    evaluator: str = "",
    remarks: str = "",
    notes: Mapping[str, str] | None = None,
    actor: str,
    today: dt.date | None = None,
) -> int:
    """Record one evaluation, scored on every item (total = their sum) or by its total alone.

    ``notes``: 现场检查情况 per item code (with items only)."""
    target = get_community(db, community)
    sheet = tasklist.scoresheet
    problems: list[tuple[str, str]] = []
    day = parse_date(eval_date)
    if day is None:
        problems.append(("测评日期", "请填写有效日期，格式如 2023-06-12"))
    elif day.year != tasklist.year:
        problems.append(("测评日期", f"应在 {tasklist.year} 年内（本台账为 {tasklist.year} 年任务清单）"))
    elif day > (today or dt.date.today()):
        problems.append(("测评日期", "不能晚于今天"))
    clean: dict[str, float] = {}
    score: float | None = None
    if items:
        if total not in (None, ""):
            problems.append(("总分", "按评分项打分时总分自动合计，请不要同时填写总分"))
        try:
            clean, score = score_items(sheet, items)
        except ValidationError as exc:
            problems.extend(exc.problems)
    elif total in (None, ""):
        problems.append(("总分", "请填写总分，或逐项填写得分"))
    else:
        try:
            score = float(str(total).strip())
        except ValueError:
            problems.append(("总分", "应为数字"))
        else:
            if not 0 <= score <= sheet.total_points:
                problems.append(("总分", f"应在 0 到 {sheet.total_points:g} 分之间"))
    clean_notes: dict[str, str] = {}
    for code, text in (notes or {}).items():
        text = str(text or "").strip()
        if not text:
            continue
        if sheet.item(str(code).strip()) is None:
            problems.append((str(code), "不是评分表中的评分项"))
        elif not clean and not items:
            problems.append(("现场检查情况", "只填总分时不能逐项填写现场检查情况，请写在备注中"))
        elif len(text) > 200:
            problems.append((f"{code} 现场检查情况", "不能超过200个字"))
        else:
            clean_notes[str(code).strip()] = text
    if problems:
        raise ValidationError(problems)
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO evaluations(community_id, eval_date, scoresheet, total, by_items, evaluator, remarks, created_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [target.id, day.isoformat(), sheet.id, score, int(bool(clean)), str(evaluator or ""), str(remarks or ""), _now()],  # type: ignore[union-attr]
        )
        eid = int(cursor.lastrowid)  # type: ignore[arg-type]
        for code, points in clean.items():
            db.execute("INSERT INTO evaluation_items(evaluation_id, item_code, points, note) VALUES (?,?,?,?)",
                       [eid, code, points, clean_notes.get(code, "")])
        _audit(db, actor=actor, action="create", table="evaluations", row_id=eid, before=None,
               after={"community": target.name, "eval_date": day.isoformat(), "total": score, "items": clean,
                      "notes": clean_notes})  # type: ignore[union-attr]
    return eid


def delete_evaluation(db: sqlite_utils.Database, evaluation_id: int, *, actor: str) -> None:
    rows = list(db.query("SELECT * FROM evaluations WHERE id = ?", [evaluation_id]))
    if not rows:
        raise AppError(f"找不到编号为 {evaluation_id} 的测评记录")
    with db.atomic():
        db.execute("DELETE FROM evaluations WHERE id = ?", [evaluation_id])
        _audit(db, actor=actor, action="delete", table="evaluations", row_id=evaluation_id, before=rows[0], after=None)
