"""Issue 12's rules at their edges: every number is one a district official would sign."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from models.core import statuses as st
from models.core.errors import ValidationError
from models.core.periods import deadline_period, month_period, quarter_period, year_period
from models.ledger.communities import add_community, get_community
from models.ledger.evaluations import record_evaluation
from models.ledger.entries import add_entry
from models.ledger.validation import EntryDraft
from models.progress import pace
from models.progress.indicators import evaluate, progress, submission_status
from models.reporting.assembly import assemble_monthly, assemble_quarterly
from models.store.audit import audit_rows
from models.store.settings import load_profile, save_profile, set_targets
from conftest import make_profile
from test_cli_ledger import cli

D = dt.date
TODAY = D(2023, 12, 31)


def entry(ws, seq: int, day: str, kind: str, **measures) -> int:
    draft = EntryDraft(task_seq=seq, entry_date=day, entry_type=kind, title=f"{kind}记录", content="内容",
                       location="社区", organizer="街道", participants=10, measures=measures)
    return add_entry(ws.db, ws.tasklist, ws.tasks(), draft, actor="张三", today=TODAY)


def result(ws, code: str, month: str, as_of: dt.date | None = None):
    return next(r for r in evaluate(ws, month, as_of=as_of) if r.code == code)


# ---------------------------------------------------------------- pace: whole months

@pytest.mark.parametrize("as_of, months", [
    (D(2023, 4, 1), 0),  # first day of the quarter
    (D(2023, 4, 29), 0),
    (D(2023, 4, 30), 1),  # the first month is complete at its last day
    (D(2023, 5, 31), 2),
    (D(2023, 6, 29), 2),
    (D(2023, 6, 30), 3),  # last day of the period
    (D(2023, 7, 1), 3),
])
def test_whole_months_of_a_quarter(as_of, months):
    assert pace.months_elapsed(quarter_period("2023Q2"), as_of) == (months, 3)


def test_leap_day_closes_february():
    feb = month_period("2024-02")
    assert pace.months_elapsed(feb, D(2024, 2, 28)) == (0, 1)
    assert pace.months_elapsed(feb, D(2024, 2, 29)) == (1, 1)
    assert pace.due(12, year_period(2024), D(2024, 2, 29), whole=True) == 2


def test_count_targets_fall_due_in_whole_activities():
    q = quarter_period("2023Q2")
    assert [pace.due(2, q, d, whole=True) for d in (D(2023, 4, 30), D(2023, 5, 31), D(2023, 6, 30))] == [0, 1, 2]
    assert pace.due(25, q, D(2023, 5, 31), whole=False) == pytest.approx(50 / 3)
    # a deadline inside a month: that month ends on the deadline
    short = deadline_period(D(2023, 6, 15))
    assert pace.months_elapsed(short, D(2023, 6, 15)) == (6, 6)


def test_doing_nothing_never_looks_better_than_doing_too_little(ws):
    # 0 households by the end of May is 滞后 (due: two thirds of 25%), like too few
    assert result(ws, "T6_DOOR_TO_DOOR", "2023-05").status == "滞后"
    assert result(ws, "T6_DOOR_TO_DOOR", "2023-04", as_of=D(2023, 4, 29)).status == "未开展"
    assert st.rank("滞后") < st.rank("未开展")
    tp = {t.task.seq: t for t in progress(ws, "2023-05")}
    assert tp[6].status == "滞后"


def test_quarter_boundary_belongs_to_its_own_quarter(ws):
    entry(ws, 6, "2023-03-31", "入户宣传", households_reached=3000)
    entry(ws, 6, "2023-04-01", "入户宣传", households_reached=600)
    assert result(ws, "T6_DOOR_TO_DOOR", "2023-03").value == 25  # 3000 / 12000
    assert result(ws, "T6_DOOR_TO_DOOR", "2023-04").value == 5


def test_monthly_count_first_and_last_day(ws):
    entry(ws, 24, "2023-06-01", "执法情况月度汇总", cases=3)
    assert result(ws, "T24_MONTHLY_SUMMARY", "2023-06", as_of=D(2023, 6, 1)).status == "达标"
    assert result(ws, "T24_MONTHLY_SUMMARY", "2023-07", as_of=D(2023, 7, 30)).status == "未开展"
    assert result(ws, "T24_MONTHLY_SUMMARY", "2023-07").status == "未达标"  # 31 July: the month is over


# ---------------------------------------------------------------- rates

def test_a_small_bad_survey_does_not_decide_the_month(ws):
    entry(ws, 2, "2023-06-10", "分类成效测评", awareness_rate=95, participation_rate=85, accuracy_rate=85, respondents=400)
    entry(ws, 2, "2023-06-10", "分类成效测评", awareness_rate=40, participation_rate=85, accuracy_rate=85, respondents=20)
    r = result(ws, "T2_AWARENESS", "2023-06")
    assert r.value == pytest.approx((95 * 400 + 40 * 20) / 420) and r.status == "达标"  # both surveys of one day count


def test_a_rate_below_target_mid_month_is_behind_not_on_pace(ws):
    entry(ws, 2, "2023-06-05", "分类成效测评", awareness_rate=50, participation_rate=85, accuracy_rate=85, respondents=100)
    assert result(ws, "T2_AWARENESS", "2023-06", as_of=D(2023, 6, 10)).status == "滞后"
    assert result(ws, "T2_AWARENESS", "2023-06").status == "未达标"


def test_prefab_share_is_area_weighted(make_ws):
    ws = make_ws("区住建局")
    entry(ws, 23, "2023-03-01", "装配式建筑统计", prefab_share=80, floor_area=10000)
    entry(ws, 23, "2023-05-01", "装配式建筑统计", prefab_share=20, floor_area=30000)
    r = result(ws, "T23_PREFAB_SHARE", "2023-06")
    assert (r.value, r.status) == (35, "滞后")  # (8000 + 6000) / 40000, not (80 + 20) / 2


def test_psa_share_weighs_by_what_was_measured(ws):
    entry(ws, 5, "2023-04-10", "公益广告刊播", psa_share=20, psa_total=10)
    entry(ws, 5, "2023-05-10", "公益广告刊播", psa_share=5, psa_total=90)
    r = result(ws, "T5_PSA_SHARE", "2023-06")
    assert (r.value, r.status) == (6.5, "未达标")


# ---------------------------------------------------------------- targets

def test_a_quota_not_set_is_never_met(make_ws):
    ws = make_ws("荷花池街道", standard_quota=None)
    r = result(ws, "T12_NEW_STANDARD", "2023-10")
    assert (r.status, r.target) == ("未设置目标", None) and "设置" in r.note
    with pytest.raises(ValidationError, match="不能为0"):
        save_profile(ws.db, make_profile("荷花池街道", standard_quota=0))
    report = assemble_monthly(ws, "2023-06", fill_date=D(2023, 7, 3))
    assert any("T12" in w or "新增达标小区" in w for w in report.warnings)


def test_editable_target_per_unit_is_audited_and_shown(ws):
    set_targets(ws.db, {"T2_AWARENESS": "92"}, actor="张三")
    assert load_profile(ws.db).target_overrides == {"T2_AWARENESS": 92}
    assert any(r["after"]["target_overrides"] == {"T2_AWARENESS": 92} for r in audit_rows(ws.db, table="settings"))
    entry(ws, 2, "2023-06-05", "分类成效测评", awareness_rate=91, participation_rate=85, accuracy_rate=85, respondents=50)
    r = result(ws, "T2_AWARENESS", "2023-06")
    assert (r.target, r.status, r.target_text) == (92, "未达标", "≥92%（本单位设定）")
    with pytest.raises(ValidationError, match="不是本单位可修改目标"):
        set_targets(ws.db, {"T6_DOOR_TO_DOOR": "10"})
    set_targets(ws.db, {"T2_AWARENESS": "default"})
    assert result(ws, "T2_AWARENESS", "2023-06").target == 90


# ---------------------------------------------------------------- who an indicator binds

@pytest.mark.parametrize("unit, code, month", [
    ("区住建局", "T11_FACILITIES", "2023-06"), ("区城管局", "T28_METERING", "2023-12"),
    ("区城管局", "T12_NEW_STANDARD", "2023-12"), ("区农业农村局", "T13_DEMO_VILLAGE", "2023-12"),
])
def test_departments_are_never_overdue_for_owning_no_communities(make_ws, unit, code, month):
    ws = make_ws(unit)
    r = result(ws, code, month)
    assert r.status == "不适用"
    entry(ws, r.task_seq, "2023-03-01", ws.tasklist.task(r.task_seq).entry_types[0].name)
    tp = next(t for t in progress(ws, "2023-03") if t.task.seq == r.task_seq)
    assert tp.status == "已开展"  # keeps its entries for the task


def test_task_28_does_not_apply_to_the_town_without_new_standard_communities(make_ws):
    ws = make_ws("邹区镇")
    assert result(ws, "T28_METERING", "2023-11").status == "不适用"


# ---------------------------------------------------------------- new is new, sites, deadlines

def test_a_community_standard_before_the_year_is_not_new(ws):
    add_community(ws.db, "老达标小区", standard_since="2022-08-15", year=2023, actor="张三")
    add_community(ws.db, "新小区", year=2023, actor="张三")
    for name in ("老达标小区", "新小区"):
        record_evaluation(ws.db, ws.tasklist, name, eval_date="2023-06-02", total=97, actor="张三", today=TODAY)
    assert result(ws, "T12_NEW_STANDARD", "2023-06").value == 1
    assert get_community(ws.db, "老达标小区").standard_since == D(2022, 8, 15)
    with pytest.raises(ValidationError, match="应早于 2023 年"):
        add_community(ws.db, "错小区", standard_since="2023-01-01", year=2023, actor="张三")


def test_deadline_day_itself_is_on_time(ws):
    entry(ws, 9, "2023-06-30", "覆盖情况统计", coverage_rate=100)
    r = result(ws, "T9_COVERAGE", "2023-09")
    assert (r.status, r.late, r.completed_on) == ("达标", False, D(2023, 6, 30))


def test_a_day_after_the_deadline_is_late_with_its_date(ws):
    entry(ws, 9, "2023-07-01", "覆盖情况统计", coverage_rate=100)
    r = result(ws, "T9_COVERAGE", "2023-09")
    assert (r.status, r.late, r.completed_on, r.status_text) == ("逾期", True, D(2023, 7, 1), "逾期（2023年7月1日完成）")


# ---------------------------------------------------------------- score sheets

def test_score_sheet_is_every_item_or_a_total(ws):
    add_community(ws.db, "甲小区", year=2023, actor="张三")
    with pytest.raises(ValidationError) as info:
        record_evaluation(ws.db, ws.tasklist, "甲小区", eval_date="2023-06-02", items={"C2": 20}, actor="张三", today=TODAY)
    assert "尚缺" in str(info.value.problems) and "A1" in str(info.value.problems)
    full = {i.code: i.points for i in ws.tasklist.scoresheet.items}
    full["C2"] -= 2
    record_evaluation(ws.db, ws.tasklist, "甲小区", eval_date="2023-06-02", items=full, actor="张三", today=TODAY,
                      notes={"C2": "抽查桶内混投2处"})
    ev = get_community(ws.db, "甲小区").evaluations[0]
    assert ev.total == ws.tasklist.scoresheet.total_points - 2 and ev.notes == {"C2": "抽查桶内混投2处"}
    assert "苏建函城管" in ws.tasklist.scoresheet.source


# ---------------------------------------------------------------- a report never contradicts itself

def test_the_exported_report_is_its_own_submission(ws):
    on_time = assemble_monthly(ws, "2023-06", fill_date=D(2023, 7, 3))
    row = next(i for i in on_time.indicators if i.code == "T32_MONTHLY_LEDGER")
    assert (row.value, row.status) == (1, "达标")
    late = assemble_monthly(ws, "2023-06", fill_date=D(2023, 7, 10))
    row = next(i for i in late.indicators if i.code == "T32_MONTHLY_LEDGER")
    assert (row.status, row.explanation) == ("逾期", "2023年7月10日完成")
    assert submission_status(D(2023, 6, 30), D(2023, 7, 5), D(2023, 7, 5)) == "达标"  # grace's last day
    assert submission_status(D(2023, 6, 30), None, D(2023, 7, 6)) == "逾期"


def test_quarterly_report_is_the_quarter(ws):
    entry(ws, 1, "2023-05-15", "党组织专题研究")
    entry(ws, 1, "2023-06-15", "党组织专题研究")
    entry(ws, 3, "2023-04-03", "民主协商会议")
    report = assemble_quarterly(ws, "2023Q2", fill_date=D(2023, 7, 3))
    study = [(i.period, i.status) for i in report.indicators if i.code == "T1_PARTY_STUDY"]
    assert study == [("2023-04", "未达标"), ("2023-05", "达标"), ("2023-06", "达标"), ("2023Q2", "未达标")]
    assert len(report.details) == 3 and "本季度共记录台账 3 条" in report.summary_text()
    t33 = next(i for i in report.indicators if i.code == "T33_QUARTERLY_SUMMARY")
    assert t33.status == "达标"
    row3 = next(r for r in report.rows if r.seq == 3)
    assert row3.status == "已开展"


# ---------------------------------------------------------------- the whole story through the CLI

def test_street_office_scenario_through_the_cli(tmp_path):
    d = tmp_path / "data"
    base = ["--operator", "张三", "--phone", "0519-88000000", "--reviewer", "李四"]
    r = cli(d, "init", "--unit", "南大街街道", *base, "--households", "12000", "--quota", "0")
    assert r.returncode != 0 and "不能为0" in r.stderr
    r = cli(d, "init", "--unit", "南大街街道", *base, "--households", "12000")
    assert r.returncode == 0 and "新增达标小区任务数" in r.stderr  # asked, not silently 0
    status = {x["code"]: x for x in json.loads(cli(d, "status", "--month", "2023-06", "--json").stdout)}
    assert status["T12_NEW_STANDARD"]["status"] == "未设置目标"
    assert cli(d, "settings", "--quota", "2").returncode == 0
    assert cli(d, "settings", "--target", "T2_AWARENESS=92").returncode == 0
    for args in (
        ["--task", "9", "--date", "2023-07-10", "--type", "覆盖情况统计", "--title", "覆盖统计", "--measure", "coverage_rate=100"],
        ["--task", "16", "--date", "2023-05-10", "--type", "中转场建设", "--title", "开工", "--measure", "site_name=北港中转场",
         "--measure", "site_area=160"],
        ["--task", "16", "--date", "2023-06-10", "--type", "中转场建设", "--title", "竣工", "--measure", "site_name=北港中转场",
         "--measure", "site_area=160"],
        ["--task", "1", "--date", "2023-05-15", "--type", "党组织专题研究", "--title", "专题研究", "--organizer", "党工委"],
        ["--task", "3", "--date", "2023-06-03", "--type", "民主协商会议", "--title", "协商", "--location", "社区",
         "--participants", "12"],
    ):
        r = cli(d, "entry", "add", *args)
        assert r.returncode == 0, r.stderr
    assert cli(d, "community", "add", "青果巷小区", "--households", "860").returncode == 0
    r = cli(d, "community", "evaluate", "青果巷小区", "--date", "2023-06-02", "--item", "C2=20")
    assert r.returncode != 0 and "尚缺" in r.stderr
    assert cli(d, "community", "evaluate", "青果巷小区", "--date", "2023-06-02", "--total", "96.5").returncode == 0
    rows = json.loads(cli(d, "status", "--month", "2023-08", "--json").stdout)
    by_code = {x["code"]: x for x in rows if x["code"]}
    assert (by_code["T9_COVERAGE"]["late"], by_code["T9_COVERAGE"]["completed_on"]) == (True, "2023-07-10")
    assert by_code["T16_GLASS_SITES"]["value"] == 1
    assert by_code["T12_NEW_STANDARD"]["value"] == 1 and by_code["T12_NEW_STANDARD"]["target"] == 2
    no_number = {x["task"]: x for x in rows if x["code"] is None}
    assert set(no_number) >= {3, 4, 7} and no_number[3]["status"] == "未开展"  # June's entry is not August's
    june = {x["task"]: x for x in json.loads(cli(d, "status", "--month", "2023-06", "--json").stdout) if x["code"] is None}
    assert june[3]["status"] == "已开展"
    assert all(x["status"] != "达标" for x in june.values())

    out = tmp_path / "out"
    r = cli(d, "report", "monthly", "--month", "2023-06", "--out", out, "--fill-date", "2023-07-03")
    assert r.returncode == 0, r.stderr
    sheet = load_workbook(r.stdout.splitlines()[0])["指标数据"]
    values = {row[3]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["T32_MONTHLY_LEDGER"][9] == "达标"  # the report being sent is June's submission
    assert values["T2_AWARENESS"][7] == 92 and "本单位设定" in values["T2_AWARENESS"][10]

    r = cli(d, "report", "quarterly", "--quarter", "2023Q2", "--out", out, "--fill-date", "2023-07-03")
    assert r.returncode == 0, r.stderr
    sheet = load_workbook(r.stdout.splitlines()[0])["指标数据"]
    study = [(row[5], row[9]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[3] == "T1_PARTY_STUDY"]
    assert study == [("2023-04", "未达标"), ("2023-05", "达标"), ("2023-06", "未达标"), ("2023Q2", "未达标")]
    t33 = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[3] == "T33_QUARTERLY_SUMMARY"]
    assert t33[-1][9] == "达标"


# ---------------------------------------------------------------- one state of the ledger

def test_an_evaluation_reads_one_state_while_another_connection_writes(ws, monkeypatch):
    """The engine reads task by task; a save committed by another connection (an import in a
    worker) half-way through shows in the next evaluation, never in half of this one."""
    import sqlite3

    from models.progress import values

    entry(ws, 6, "2023-06-05", "入户宣传", households_reached=300)
    entry(ws, 12, "2023-06-06", ws.tasks()[[t.seq for t in ws.tasks()].index(12)].entry_types[0].name)
    load = values.Snapshot._load
    written: list[int] = []

    def load_and_write(snap, seq):
        if seq == 6 and not written:  # task 12 is read after task 6
            other = sqlite3.connect(ws.db_path)
            with other:
                other.execute(
                    "INSERT INTO entries(uid, year, task_seq, entry_date, entry_type, title, created_at, updated_at)"
                    " SELECT 'later', year, task_seq, entry_date, entry_type, '另一个程序写入', created_at, updated_at"
                    " FROM entries WHERE task_seq = 12")
            other.close()
            written.append(seq)
        return load(snap, seq)

    monkeypatch.setattr(values.Snapshot, "_load", load_and_write)
    during = {tp.task.seq: tp.entries_in_month for tp in progress(ws, "2023-06", as_of=TODAY)}
    after = {tp.task.seq: tp.entries_in_month for tp in progress(ws, "2023-06", as_of=TODAY)}
    assert written == [6]
    assert (during[6], during[12]) == (1, 1)  # as the ledger was when the evaluation began
    assert (after[6], after[12]) == (1, 2)
    assert not ws.conn.in_transaction  # the reading ended with the evaluation
