"""Ledger entries: validation, transactional writes, audit trail, queries (no Qt)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.core.errors import AppError, ValidationError
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry, audit_trail, count_entries, delete_entry, entries_by_ids, entry_ids, entry_months, get_entry, list_entries, restore_entry, update_entry
from models.ledger.locks import MonthLockedError

TODAY = dt.date(2026, 11, 28)


def draft(**kw) -> EntryDraft:
    values = dict(task_seq=6, entry_date="2023-06-12", entry_type="入户宣传", title="6月入户宣传",
                  content="走访居民宣传分类知识", location="南大街社区", measures={"households_reached": "320"})
    values.update(kw)
    return EntryDraft(**values)


def add(ws, **kw) -> int:
    return add_entry(ws.db, ws.tasklist, ws.tasks(), draft(**kw), actor="张三", today=TODAY)


def n_entries(ws) -> int:
    return ws.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


def test_add_entry_stores_every_field_as_typed(ws):
    title = '=HYPERLINK("x")'
    entry_id = add(ws, title=title, remarks='+1 @张三 "引号" 😀', participants="12", organizer="社区居委会")
    entry = get_entry(ws.db, entry_id)
    assert entry.title == title
    assert entry.remarks == '+1 @张三 "引号" 😀'
    assert entry.entry_date == dt.date(2023, 6, 12) and entry.month == "2023-06"
    assert entry.measures == {"households_reached": 320.0}
    assert entry.participants == 12 and entry.operator == "张三" and entry.year == 2023
    assert entry.created_at and entry.updated_at and entry.deleted_at is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"entry_date": "2023-13-01"}, "日期", "有效日期"),
        ({"entry_date": "2022-12-31"}, "日期", "2023 年内"),
        ({"measures": {"households_reached": "-5"}}, "入户宣传户数", "不小于0的整数"),
        ({"measures": {"households_reached": "2.5"}}, "入户宣传户数", "整数"),
        ({"measures": {}}, "入户宣传户数", "必须填写"),
        ({"participants": "-1"}, "参与人数", "不小于0的整数"),
        ({"title": "  "}, "标题", "不能为空"),
        ({"title": "x" * 101}, "标题", "不能超过100个字"),
        ({"location": "南大街\x07社区"}, "地点", "控制字符"),
        ({"title": "两行\n标题"}, "标题", "控制字符"),
        ({"entry_type": "开会"}, "台账类型", "不是任务6的台账类型"),
        ({"task_seq": 8}, "任务", "不适用于本单位"),
        ({"measures": {"nonsense": 1}}, "nonsense", "不是任务6的填报数值"),
    ],
)
def test_invalid_input_is_refused_naming_the_field_and_writes_nothing(ws, changes, field, words):
    before = n_entries(ws)
    with pytest.raises(ValidationError) as info:
        add(ws, **changes)
    assert any(f == field and words in message for f, message in info.value.problems), info.value.problems
    assert n_entries(ws) == before
    assert ws.db.execute("SELECT COUNT(*) FROM audit_log WHERE table_name = 'entries'").fetchone()[0] == 0


def test_future_dates_are_refused(ws):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        add_entry(ws.db, ws.tasklist, ws.tasks(), draft(entry_date="2023-07-02"), actor="张三", today=dt.date(2023, 7, 1))
    assert n_entries(ws) == 0


def test_percent_and_required_fields_follow_the_task_data(ws):
    base = dict(task_seq=2, entry_type="分类成效测评", title="6月测评", measures={
        "awareness_rate": "95", "participation_rate": "85", "accuracy_rate": "101", "respondents": "120"})
    with pytest.raises(ValidationError) as info:
        add(ws, **base)
    assert info.value.problems == [("投放准确率", "应在 0 到 100 之间")]
    base["measures"]["accuracy_rate"] = "88.5"
    entry = get_entry(ws.db, add(ws, **base))
    assert entry.measures["accuracy_rate"] == 88.5
    with pytest.raises(ValidationError) as info:  # 联动会议 needs 地点 and 参与人数
        add(ws, task_seq=1, entry_type="联动会议", title="联动会议", location="", participants=None, measures={})
    assert {f for f, _ in info.value.problems} == {"地点", "参与人数"}


def test_update_delete_restore_are_audited_with_before_and_after(ws):
    entry_id = add(ws)
    update_entry(ws.db, ws.tasklist, ws.tasks(), entry_id, draft(title="改过的标题"), actor="王五", today=TODAY)
    delete_entry(ws.db, entry_id, actor="王五", reason="重复录入")
    assert list_entries(ws.db) == []
    assert [e.id for e in list_entries(ws.db, only_deleted=True)] == [entry_id]
    with pytest.raises(AppError, match="已删除"):
        update_entry(ws.db, ws.tasklist, ws.tasks(), entry_id, draft(), actor="王五", today=TODAY)
    restore_entry(ws.db, entry_id, actor="王五")
    trail = audit_trail(ws.db, entry_id)
    assert [r["action"] for r in trail] == ["create", "update", "delete", "restore"]
    assert trail[1]["before"]["title"] == "6月入户宣传" and trail[1]["after"]["title"] == "改过的标题"
    assert trail[1]["actor"] == "王五" and trail[2]["reason"] == "重复录入"
    assert trail[2]["after"]["deleted_at"] and trail[3]["after"]["deleted_at"] is None
    assert get_entry(ws.db, entry_id).deleted_at is None


def test_a_creation_is_audited_with_the_values_entered_and_nothing_the_audit_row_repeats(ws):
    entry_id = add(ws, remarks="", participants=0)
    entry = get_entry(ws.db, entry_id)
    (created,) = audit_trail(ws.db, entry_id)
    assert created["action"] == "create" and created["actor"] == "张三" and created["row_id"] == str(entry_id)
    assert created["before"] is None
    after = created["after"]
    # what was entered, as the ledger holds it
    assert after["uid"] == entry.uid and after["year"] == entry.year and after["task_seq"] == entry.task_seq
    assert after["entry_date"] == entry.entry_date.isoformat() and after["title"] == entry.title
    assert after["measures"] == entry.measures and after["participants"] == 0  # a zero is a value
    # not the id, the operator or the times (the audit row's row_id, actor and at), nor empty fields
    assert not {"id", "operator", "created_at", "updated_at", "deleted_at", "evidence_count", "remarks"} & set(after)


def test_locked_month_refuses_changes(ws):
    entry_id = add(ws)
    ws.db.execute("INSERT INTO period_states(kind, period, state, version) VALUES ('monthly', '2023-06', 'submitted', 1)")
    with pytest.raises(MonthLockedError):
        add(ws, title="另一条")
    with pytest.raises(MonthLockedError):
        delete_entry(ws.db, entry_id, actor="张三")
    add(ws, entry_date="2023-07-01")  # other months stay open


def test_filters_and_sql_sorting(ws):
    a = add(ws, entry_date="2023-05-02", title="五月入户 alpha")
    b = add(ws, entry_date="2023-06-20", title="六月入户 beta", location="荷花池")
    c = add(ws, task_seq=1, entry_type="联动会议", title="联动会议 50%", entry_date="2023-06-01",
            location="会议室", participants=30, measures={})
    assert [e.id for e in list_entries(ws.db)] == [b, c, a]
    assert [e.id for e in list_entries(ws.db, month="2023-06")] == [b, c]
    assert [e.id for e in list_entries(ws.db, task_seq=6)] == [b, a]
    assert [e.id for e in list_entries(ws.db, entry_type="联动会议")] == [c]
    assert [e.id for e in list_entries(ws.db, text="荷花池")] == [b]
    assert [e.id for e in list_entries(ws.db, text="入户 ALPHA")] == [a]  # every word, ASCII case-insensitive
    assert [e.id for e in list_entries(ws.db, text="50%")] == [c]  # % is literal, not a wildcard
    assert list_entries(ws.db, text="_") == []
    assert list(entry_ids(ws.db)) == [b, c, a]
    assert list(entry_ids(ws.db, sort="title", descending=False)) == sorted([a, b, c], key=lambda i: get_entry(ws.db, i).title)
    assert entry_ids(ws.db, sort="participants", descending=True)[0] == c
    assert entry_ids(ws.db, sort="measures", descending=True)[-1] == c
    assert count_entries(ws.db, month="2023-06") == 2
    assert set(entries_by_ids(ws.db, [a, c])) == {a, c}
    assert entry_months(ws.db, year=2023) == ["2023-05", "2023-06"]
    with pytest.raises(AppError, match="YYYY-MM"):
        list_entries(ws.db, month="六月")


def test_list_entries_large_selection_keeps_measures(ws):
    ids = [add(ws, title=f"第{i}次", measures={"households_reached": i}) for i in range(950)]
    entries = list_entries(ws.db)
    assert len(entries) == 950
    assert {e.id: e.measures["households_reached"] for e in entries}[ids[17]] == 17.0


def test_working_month_is_the_latest_month_with_entries_for_a_past_year(ws):
    import datetime as dt

    from models.ledger.validation import EntryDraft
    from models.ledger.entries import add_entry, delete_entry, working_month

    assert working_month(ws.db, year=2023, today=dt.date(2023, 6, 15)) == "2023-06"
    assert working_month(ws.db, year=2023, today=dt.date(2026, 11, 28)) == "2023-12"  # nothing recorded
    add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(6, "2023-05-12", "入户宣传", "5月入户", measures={"households_reached": 10}),
              actor="张三", today=dt.date(2026, 11, 28))
    assert working_month(ws.db, year=2023, today=dt.date(2026, 11, 28)) == "2023-05"
    later = add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(6, "2023-09-30", "入户宣传", "9月入户",
                                                                measures={"households_reached": 10}),
                      actor="张三", today=dt.date(2026, 11, 28))
    assert working_month(ws.db, year=2023, today=dt.date(2026, 11, 28)) == "2023-09"
    delete_entry(ws.db, later, actor="张三", reason="录错")  # a deleted entry holds no month
    assert working_month(ws.db, year=2023, today=dt.date(2026, 11, 28)) == "2023-05"


def test_default_entry_date_follows_the_recorded_work_in_a_past_year(ws):
    import datetime as dt

    from models.ledger.validation import EntryDraft
    from models.ledger.entries import add_entry, default_entry_date

    assert default_entry_date(ws.db, year=2023, today=dt.date(2023, 6, 15)) == dt.date(2023, 6, 15)
    add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(6, "2023-06-12", "入户宣传", "六月", measures={"households_reached": 1}),
              actor="张三", today=dt.date(2026, 11, 28))
    assert default_entry_date(ws.db, year=2023, today=dt.date(2026, 11, 28)) == dt.date(2023, 6, 1)
