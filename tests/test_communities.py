"""The 小区 register: evaluations scored by sheet items or by total, refusals, audit."""

from __future__ import annotations

import pytest

from models.ledger.communities import (
    add_community, community_as_dict, counts_as_new_standard, delete_community, get_community, list_communities, update_community,
)
from models.ledger.evaluations import record_evaluation
from models.core.errors import AppError, ValidationError


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
    with pytest.raises(ValidationError) as err:
        add_community(ws.db, "乙", households="abc", year=2023, actor="张三")
    assert [f for f, _ in err.value.problems] == ["户数"]
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


# ---------------------------------------------------------------- the 小区管理 page (offscreen)

def test_table_model_without_a_view(ws):
    from ui.models.community_table_model import CommunityTableModel

    add_community(ws.db, "甲小区", households=500, facilities="2023-04-01", year=2023, actor="张三")
    record_evaluation(ws.db, ws.tasklist, "甲小区", eval_date="2023-06-01", total=94.5, actor="张三")
    model = CommunityTableModel(pass_score=95)
    model.set_rows(list_communities(ws.db))
    text = [model.index(0, c).data() for c in range(model.columnCount())]
    assert text == ["甲小区", "小区", "500", "2023-04-01", "未接入", "", "1", "94.5", "未达95分"]


def test_page_adds_edits_and_evaluates(main_window, qtbot):
    main_window.navigate("communities")
    page = main_window.pages["communities"]
    page.save_new({"name": "阳光小区", "kind": "community", "households": 800, "facilities": None, "metering": None})
    assert page.model.rowCount() == 1 and page.selected().name == "阳光小区"
    with pytest.raises(ValidationError, match="超过该项分值"):
        page.save_evaluation(page.selected(), {"eval_date": "2023-06-01", "items": {"B1": 10.5}})
    page.save_evaluation(page.selected(), {"eval_date": "2023-06-01", "total": 95})
    assert page.model.index(0, page.model.COUNTS).data() == "✔ 计入"
    assert "新增达标小区 1 个" in page.summary.text() and page.evaluations.count() == 1
    page.save_edit(page.selected(), {"name": "阳光小区", "households": 900, "facilities": None, "metering": None})
    assert page.model.index(0, page.model.HOUSEHOLDS).data() == "900"
    assert page.table.isColumnHidden(page.model.DEMO)  # villages only for the town


def test_evaluation_dialog_totals_items_live(qtbot, ws):
    from ui.widgets.community_forms import EvaluationDialog

    dialog = EvaluationDialog(None, community="甲小区", sheet=ws.tasklist.scoresheet, pass_score=95, year=2023)
    qtbot.addWidget(dialog)
    assert dialog.current_total() == 0 and "13 项未填写" in dialog.result.text()  # starts empty, not at full marks
    dialog.spins["C2"].setValue(14.5)
    assert "12 项未填写" in dialog.result.text()
    partial = dialog.values()["items"]
    assert partial["C2"] == 14.5 and partial["A1"] == ""  # sent blank: the model refuses and names it
    for item in ws.tasklist.scoresheet.items:
        if item.code != "C2":
            dialog.spins[item.code].setValue(item.points)
    dialog.notes["C2"].setText("桶边散落")
    assert dialog.current_total() == 94.5 and "不计入" in dialog.result.text()
    assert dialog.values()["notes"] == {"C2": "桶边散落"}
    dialog.spins["B1"].setValue(99)  # cannot exceed the item's points
    assert dialog.spins["B1"].value() == 10
    dialog.by_total.setChecked(True)
    dialog.total.setValue(96)
    assert dialog.values()["total"] == 96 and "items" not in dialog.values()


def test_community_dialog_records_it_was_standard_before_the_year(qtbot, ws):
    import datetime as dt

    from ui.widgets.community_forms import CommunityDialog

    dialog = CommunityDialog(None, year=2023, villages=False)
    qtbot.addWidget(dialog)
    dialog.name.setText("老达标小区")
    dialog.standard_since.check.setChecked(True)
    dialog.standard_since.date.setDate(dialog.standard_since.date.date().addMonths(-3))
    values = dialog.values()
    assert values["standard_since"] == dt.date(2022, 9, 30)
    add_community(ws.db, values["name"], standard_since=values["standard_since"], year=2023, actor="张三")
    record_evaluation(ws.db, ws.tasklist, "老达标小区", eval_date="2023-06-01", total=98, actor="张三",
                      today=dt.date(2023, 12, 31))
    assert not counts_as_new_standard(get_community(ws.db, "老达标小区"), ws.tasklist)  # re-checked, not new
