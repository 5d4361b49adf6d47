"""The 小区 register: evaluations scored by sheet items or by total, refusals, audit."""

from __future__ import annotations

import pytest

from models.communities import (
    add_community, community_as_dict, delete_community, get_community, list_communities, record_evaluation,
    update_community,
)
from models.errors import AppError, ValidationError


def test_add_and_list_with_dates(ws):
    add_community(ws.db, " 阳光小区 ", households="1,200", facilities="2023-04-20", year=2023, actor="张三")
    c = get_community(ws.db, "阳光小区")
    assert (c.name, c.households, c.facilities_ok, c.facilities_date.isoformat()) == ("阳光小区", 1200, True, "2023-04-20")
    assert not c.metering_connected and c.best_score is None
    audit = list(ws.db.query("SELECT action FROM audit_log WHERE table_name = 'communities'"))
    assert [a["action"] for a in audit] == ["create"]


def test_duplicate_and_bad_input_refused_and_nothing_saved(ws):
    add_community(ws.db, "阳光小区", year=2023, actor="张三")
    with pytest.raises(ValidationError, match="已登记"):
        add_community(ws.db, "阳光小区", year=2023, actor="张三")
    with pytest.raises(ValidationError) as err:
        add_community(ws.db, "", households="-3", facilities="2023-13-01", year=2023, actor="张三")
    fields = [f for f, _ in err.value.problems]
    assert fields == ["名称", "户数", "投放设施到位日期"]
    with pytest.raises(ValidationError, match="只有村"):
        add_community(ws.db, "新小区", demo_village="2023-05-01", year=2023, actor="张三")
    assert [c.name for c in list_communities(ws.db)] == ["阳光小区"]


def test_evaluation_by_items_sums_and_refuses_over_max(ws):
    add_community(ws.db, "阳光小区", year=2023, actor="张三")
    sheet = ws.tasklist.scoresheet
    full = {i.code: i.points for i in sheet.items}
    full["C2"] = 15  # 20 possible
    eid = record_evaluation(ws.db, ws.tasklist, "阳光小区", eval_date="2023-06-01", items=full, actor="张三")
    c = get_community(ws.db, "阳光小区")
    assert c.evaluations[0].id == eid and c.evaluations[0].total == 95 and c.evaluations[0].by_items
    assert community_as_dict(c, ws.tasklist)["counts_as_new_standard"] is True
    with pytest.raises(ValidationError) as err:
        record_evaluation(ws.db, ws.tasklist, "阳光小区", eval_date="2023-06-02", items={"B1": 11, "X9": 1}, actor="张三")
    text = str(err.value)
    assert "B1 四分类投放点" in text and "超过该项分值 10 分" in text and "X9" in text
    assert len(get_community(ws.db, "阳光小区").evaluations) == 1


def test_evaluation_by_total_around_the_line(ws):
    add_community(ws.db, "甲小区", year=2023, actor="张三")
    add_community(ws.db, "乙小区", year=2023, actor="张三")
    record_evaluation(ws.db, ws.tasklist, "甲小区", eval_date="2023-06-01", total="94.5", actor="张三")
    record_evaluation(ws.db, ws.tasklist, "乙小区", eval_date="2023-06-01", total=95, actor="张三")
    rows = {r["name"]: r for r in (community_as_dict(c, ws.tasklist) for c in list_communities(ws.db))}
    assert rows["甲小区"]["counts_as_new_standard"] is False and rows["甲小区"]["best_score"] == 94.5
    assert rows["乙小区"]["counts_as_new_standard"] is True


@pytest.mark.parametrize("kwargs, message", [
    (dict(eval_date="2022-12-31", total=96), "应在 2023 年内"),
    (dict(eval_date="2023-06-01", total=101), "0 到 100"),
    (dict(eval_date="2023-06-01"), "请填写总分"),
    (dict(eval_date="2023-06-01", total=90, items={"A1": 5}), "不要同时填写总分"),
    (dict(eval_date="2023-06-01", items={"A1": -1}), "不能为负数"),
])
def test_evaluation_refusals(ws, kwargs, message):
    add_community(ws.db, "甲小区", year=2023, actor="张三")
    with pytest.raises(ValidationError, match=message):
        record_evaluation(ws.db, ws.tasklist, "甲小区", actor="张三", **kwargs)
    assert get_community(ws.db, "甲小区").evaluations == ()


def test_update_clear_and_delete(ws):
    add_community(ws.db, "甲小区", facilities="2023-04-01", year=2023, actor="张三")
    update_community(ws.db, "甲小区", facilities=None, metering="2023-07-01", households=300, year=2023, actor="张三")
    c = get_community(ws.db, "甲小区")
    assert (c.facilities_ok, c.metering_connected, c.households) == (False, True, 300)
    delete_community(ws.db, "甲小区", actor="张三")
    assert list_communities(ws.db) == []
    with pytest.raises(AppError, match="找不到"):
        get_community(ws.db, "甲小区")
    add_community(ws.db, "甲小区", year=2023, actor="张三")  # the name is free again
    assert [c.name for c in list_communities(ws.db)] == ["甲小区"]
