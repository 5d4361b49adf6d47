"""The indicator engine against what a careful person computes by hand from the task list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from models.ledger.communities import add_community, update_community
from models.ledger.evaluations import record_evaluation
from models.core import statuses as st
from models.progress.indicators import STATUSES, evaluate, evaluate_quarter, judge, progress
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry, delete_entry
from models.core.periods import period_for

D = dt.date


def entry(ws, seq: int, day: str, kind: str, **measures: float) -> int:
    draft = EntryDraft(task_seq=seq, entry_date=day, entry_type=kind, title=f"{kind}记录", content="内容",
                       location="社区活动室", organizer="街道城管科", participants=20, measures=measures)
    return add_entry(ws.db, ws.tasklist, ws.tasks(), draft, actor="张三")


def result(ws, code: str, month: str, as_of: dt.date | None = None):
    return next(r for r in evaluate(ws, month, as_of=as_of) if r.code == code)


def submit(ws, kind: str, period: str, state: str = "submitted") -> None:
    ws.db.execute("INSERT INTO period_states(kind, period, state, version) VALUES (?, ?, ?, 1)", [kind, period, state])


@pytest.fixture
def unit(make_ws):
    return make_ws("南大街街道", households=10000, standard_quota=3)


# ---------------------------------------------------------------- ratio, quarter: the worked checks

@pytest.mark.parametrize("reached, status", [(2600, "达标"), (2400, "未达标"), (2500, "达标")])
def test_door_to_door_at_quarter_end(unit, reached, status):
    entry(unit, 6, "2023-04-12", "入户宣传", households_reached=reached - 1000)
    entry(unit, 6, "2023-06-20", "入户宣传", households_reached=1000)
    entry(unit, 6, "2023-03-30", "入户宣传", households_reached=5000)  # Q1: not this quarter
    r = result(unit, "T6_DOOR_TO_DOOR", "2023-06")
    assert (r.period, r.period_kind, r.value, r.target, r.status) == ("2023Q2", "quarter", reached / 100, 25, status)


@pytest.mark.parametrize("reached, status", [(1800, "进行中"), (1667, "进行中"), (1500, "滞后"), (0, "滞后")])
def test_door_to_door_mid_quarter_pace(unit, reached, status):
    if reached:
        entry(unit, 6, "2023-05-02", "入户宣传", households_reached=reached)
    r = result(unit, "T6_DOOR_TO_DOOR", "2023-05")  # as of 2023-05-31: 2 of 3 months, 25% × 2/3 = 16.67% due
    assert r.status == status


def test_ratio_without_households_setting_has_no_value(make_ws):
    ws = make_ws("南大街街道", households=None)
    entry(ws, 6, "2023-05-02", "入户宣传", households_reached=3000)
    r = result(ws, "T6_DOOR_TO_DOOR", "2023-05")
    assert r.value is None and r.status == "未设置目标" and "户数" in r.note
    assert result(ws, "T6_DOOR_TO_DOOR", "2023-06").status == "未设置目标"  # never met, never judged


def test_deleted_entries_never_count(unit):
    keep = entry(unit, 6, "2023-04-12", "入户宣传", households_reached=2000)
    gone = entry(unit, 6, "2023-04-13", "入户宣传", households_reached=600)
    assert result(unit, "T6_DOOR_TO_DOOR", "2023-06").status == "达标"
    delete_entry(unit.db, gone, actor="张三")
    r = result(unit, "T6_DOOR_TO_DOOR", "2023-06")
    assert (r.value, r.status) == (20, "未达标") and keep


# ---------------------------------------------------------------- count rules: month and quarter

def test_quarterly_count_of_two_entry_types(unit):
    entry(unit, 1, "2023-04-10", "联动会议")
    assert result(unit, "T1_LINKAGE", "2023-04").status == "进行中"  # 1 of 2 after 30 of 91 days
    assert result(unit, "T1_LINKAGE", "2023-06").status == "未达标"
    entry(unit, 1, "2023-06-28", "联动活动")
    entry(unit, 1, "2023-06-28", "党员志愿服务活动")  # another type: not counted
    r = result(unit, "T1_LINKAGE", "2023-06")
    assert (r.value, r.status, r.period) == (2, "达标", "2023Q2")


def test_quarterly_count_behind_pace(unit):
    assert result(unit, "T1_LINKAGE", "2023-04").status == "未开展"  # first month: nothing due yet
    assert result(unit, "T1_LINKAGE", "2023-05", as_of=D(2023, 5, 30)).status == "未开展"
    r = result(unit, "T1_LINKAGE", "2023-05")  # end of May: 2 × 2/3 → 1 whole meeting due
    assert (r.status, r.due) == ("滞后", 1)  # nothing done while something is due
    entry(unit, 1, "2023-04-03", "联动会议")
    assert result(unit, "T1_LINKAGE", "2023-05", as_of=D(2023, 5, 31)).status == "进行中"


def test_monthly_count_is_per_month(unit):
    entry(unit, 1, "2023-05-15", "党组织专题研究")
    assert result(unit, "T1_PARTY_STUDY", "2023-05").status == "达标"
    june = result(unit, "T1_PARTY_STUDY", "2023-06")
    assert (june.period, june.value, june.status) == ("2023-06", 0, "未达标")
    assert result(unit, "T1_PARTY_STUDY", "2023-06", as_of=D(2023, 6, 10)).status == "未开展"


def test_glass_sites_count_distinct_named_sites_of_150_m2(unit):
    entry(unit, 16, "2023-03-01", "中转场建设", site_name="北环小场", site_area=120)
    r = result(unit, "T16_GLASS_SITES", "2023-06")
    assert (r.period, r.value, r.target, r.district_target, r.status) == ("2023", 0, None, 2, "未开展")
    entry(unit, 16, "2023-05-01", "中转场建设", site_name="西林中转场", site_area=160)  # 开工
    entry(unit, 16, "2023-06-01", "中转场建设", site_name="西林中转场", site_area=160)  # 竣工: the same site
    assert result(unit, "T16_GLASS_SITES", "2023-06").value == 1
    assert result(unit, "T16_GLASS_SITES", "2023-06").status == "已开展"  # the district's target, not the unit's
    entry(unit, 16, "2023-07-01", "中转场建设", site_name="东站中转场", site_area=150)
    assert result(unit, "T16_GLASS_SITES", "2023-12").value == 2
    assert result(unit, "T16_GLASS_SITES", "2023-12").status == "已开展"


def test_year_period_counts_to_date(unit):
    r = result(unit, "T27_ANNUAL_SUMMARY", "2023-06")
    assert (r.period, r.status) == ("2023", "未开展")
    assert result(unit, "T27_ANNUAL_SUMMARY", "2023-12").status == "未达标"
    entry(unit, 27, "2023-12-20", "年度总结")
    assert result(unit, "T27_ANNUAL_SUMMARY", "2023-12").status == "达标"
    assert result(unit, "T27_ANNUAL_SUMMARY", "2023-11").value == 0


# ---------------------------------------------------------------- latest (survey rates) and overrides

def test_survey_rates_are_sample_weighted_and_target_editable(make_ws):
    ws = make_ws("南大街街道", target_overrides={"T2_AWARENESS": 95})
    entry(ws, 2, "2023-06-05", "分类成效测评", awareness_rate=97, participation_rate=70, accuracy_rate=85, respondents=100)
    entry(ws, 2, "2023-06-25", "分类成效测评", awareness_rate=93, participation_rate=86, accuracy_rate=85, respondents=300)
    rs = {r.code: r for r in evaluate(ws, "2023-06")}
    assert (rs["T2_AWARENESS"].value, rs["T2_AWARENESS"].target, rs["T2_AWARENESS"].status) == (94, 95, "未达标")
    assert rs["T2_AWARENESS"].target_text == "≥95%（本单位设定）"
    assert (rs["T2_PARTICIPATION"].value, rs["T2_PARTICIPATION"].status) == (82, "达标")  # (7000 + 25800) / 400
    july = result(ws, "T2_ACCURACY", "2023-07")
    assert july.value is None and july.status == "未达标"
    assert result(ws, "T2_ACCURACY", "2023-07", as_of=D(2023, 7, 3)).status == "未开展"


def test_less_or_equal_comparison(make_ws):
    ws = make_ws("区住建局")
    r = result(ws, "T23_CDW_INTENSITY", "2023-06")
    assert r.status == "未开展"
    entry(ws, 23, "2023-05-01", "建筑垃圾排放统计", cdw_tonnage=280, floor_area=10000)
    assert result(ws, "T23_CDW_INTENSITY", "2023-06").status == "达标"  # a rate, compared directly
    assert result(ws, "T23_CDW_INTENSITY", "2023-12").status == "达标"
    entry(ws, 23, "2023-06-01", "建筑垃圾排放统计", cdw_tonnage=360, floor_area=10000)
    r = result(ws, "T23_CDW_INTENSITY", "2023-06")
    assert (r.value, r.status) == (320, "滞后")  # 640 t ÷ 2 万 m², not the mean of 280 and 360 by entry
    assert result(ws, "T23_CDW_INTENSITY", "2023-12").status == "未达标"


# ---------------------------------------------------------------- deadlines

def test_deadline_met_on_time_or_overdue(unit):
    entry(unit, 9, "2023-05-10", "覆盖情况统计", coverage_rate=80)
    assert result(unit, "T9_COVERAGE", "2023-05").status == "滞后"  # a rate below its target, never paced
    entry(unit, 9, "2023-05-20", "覆盖情况统计", coverage_rate=85)  # the latest survey counts
    r = result(unit, "T9_COVERAGE", "2023-05")
    assert (r.period_kind, r.period, r.period_end, r.status) == ("deadline", "2023-06-30", D(2023, 6, 30), "滞后")
    assert result(unit, "T9_COVERAGE", "2023-06").status == "逾期"
    entry(unit, 9, "2023-07-10", "覆盖情况统计", coverage_rate=100)  # done late
    late = result(unit, "T9_COVERAGE", "2023-08")
    assert (late.value, late.status, late.late, late.completed_on) == (100, "逾期", True, D(2023, 7, 10))
    assert late.status_text == "逾期（2023年7月10日完成）"


def test_deadline_met_in_time_stays_met(unit):
    entry(unit, 9, "2023-06-29", "覆盖情况统计", coverage_rate=100)
    assert result(unit, "T9_COVERAGE", "2023-06").status == "达标"
    assert result(unit, "T9_COVERAGE", "2023-11").status == "达标"


def test_new_standard_communities_around_95(unit):
    for name in ("甲小区", "乙小区", "丙小区", "丁小区"):
        add_community(unit.db, name, year=2023, actor="张三")
    record_evaluation(unit.db, unit.tasklist, "甲小区", eval_date="2023-05-20", total=95, actor="张三")
    record_evaluation(unit.db, unit.tasklist, "乙小区", eval_date="2023-05-21", total=94.5, actor="张三")
    record_evaluation(unit.db, unit.tasklist, "丙小区", eval_date="2023-08-01", total=99, actor="张三")
    record_evaluation(unit.db, unit.tasklist, "丁小区", eval_date="2023-10-08", total=98, actor="张三")  # after deadline
    may = result(unit, "T12_NEW_STANDARD", "2023-05")
    assert (may.period, may.value, may.target) == ("2023-09-30", 1, 3)
    assert may.status == "进行中"  # 5 of 9 months: 3 × 5/9 = 1.67 → 1 community due
    assert result(unit, "T12_NEW_STANDARD", "2023-07").value == 1
    assert result(unit, "T12_NEW_STANDARD", "2023-07").status == "滞后"  # 7 of 9 months: 2 due
    sept = result(unit, "T12_NEW_STANDARD", "2023-09")
    assert (sept.value, sept.status) == (2, "逾期")
    octo = result(unit, "T12_NEW_STANDARD", "2023-10")
    assert (octo.value, octo.status, octo.late, octo.completed_on) == (3, "逾期", True, D(2023, 10, 8))


def test_facilities_coverage_and_metering_of_new(unit):
    assert result(unit, "T11_FACILITIES", "2023-04").value is None
    add_community(unit.db, "甲小区", facilities="2023-03-01", year=2023, actor="张三")
    add_community(unit.db, "乙小区", year=2023, actor="张三")
    r = result(unit, "T11_FACILITIES", "2023-04")
    assert (r.value, r.status) == (50, "逾期")
    update_community(unit.db, "乙小区", facilities="2023-04-30", year=2023, actor="张三")
    assert result(unit, "T11_FACILITIES", "2023-04").status == "达标"
    assert result(unit, "T28_METERING", "2023-06").status == "不适用"  # no new 达标小区 to connect yet
    record_evaluation(unit.db, unit.tasklist, "甲小区", eval_date="2023-06-01", total=96, actor="张三")
    record_evaluation(unit.db, unit.tasklist, "乙小区", eval_date="2023-06-01", total=97, actor="张三")
    update_community(unit.db, "甲小区", metering="2023-06-15", year=2023, actor="张三")
    r = result(unit, "T28_METERING", "2023-06")
    assert (r.value, r.status) == (50, "滞后")  # a share below its target
    update_community(unit.db, "乙小区", metering="2023-11-02", year=2023, actor="张三")
    assert result(unit, "T28_METERING", "2023-10").status == "逾期"


def test_demo_village_for_the_town(make_ws):
    ws = make_ws("邹区镇")
    assert "T13_DEMO_VILLAGE" in {r.code for r in evaluate(ws, "2023-06")}
    add_community(ws.db, "东村", kind="village", year=2023, actor="张三")
    assert result(ws, "T13_DEMO_VILLAGE", "2023-06").status == "未开展"
    update_community(ws.db, "东村", demo_village="2023-11-20", year=2023, actor="张三")
    assert result(ws, "T13_DEMO_VILLAGE", "2023-10").value == 0
    assert result(ws, "T13_DEMO_VILLAGE", "2023-11").status == "达标"


# ---------------------------------------------------------------- submissions, task level

def test_submission_indicators(unit):
    assert result(unit, "T32_MONTHLY_LEDGER", "2023-06", as_of=D(2023, 6, 20)).status == "未开展"
    assert result(unit, "T32_MONTHLY_LEDGER", "2023-06").status == "未开展"  # due 5 July (month end + grace)
    assert result(unit, "T32_MONTHLY_LEDGER", "2023-06", as_of=D(2023, 7, 6)).status == "逾期"
    submit(unit, "monthly", "2023-06", "unlocked")  # submitted once, then unlocked: it was sent
    assert result(unit, "T32_MONTHLY_LEDGER", "2023-06").status == "达标"
    unit.db.execute("INSERT INTO period_states(kind, period, state, version, submitted_at)"
                    " VALUES ('quarterly', '2023Q2', 'submitted', 1, '2023-07-12T09:00:00')")
    r = result(unit, "T33_QUARTERLY_SUMMARY", "2023-06", as_of=D(2023, 7, 20))
    assert (r.period, r.value, r.status, r.late, r.completed_on) == ("2023Q2", 1, "逾期", True, D(2023, 7, 12))


def test_task_status_and_counts(unit):
    entry(unit, 3, "2023-06-03", "民主协商会议")
    entry(unit, 3, "2023-05-03", "居民自治制度建设")
    by_seq = {tp.task.seq: tp for tp in progress(unit, "2023-06")}
    assert [tp.task.seq for tp in progress(unit, "2023-06")] == sorted(by_seq)
    assert (by_seq[3].status, by_seq[3].entries_in_month, by_seq[3].entries_in_year) == ("已开展", 1, 2)
    assert by_seq[4].status == "未开展"
    assert progress(unit, "2023-12")[0].task.seq == 1
    assert {tp.task.seq: tp for tp in progress(unit, "2023-12")}[3].status == "未开展"  # never 达标 from a count
    entry(unit, 1, "2023-06-02", "党组织专题研究")
    assert by_seq[1].status == "未达标"  # T1_LINKAGE missed in Q2 outweighs anything met


def test_evaluate_quarter_judges_each_month_of_a_monthly_rule(unit):
    entry(unit, 1, "2023-05-15", "党组织专题研究")
    entry(unit, 1, "2023-06-15", "党组织专题研究")
    rs = {r.code: r for r in evaluate_quarter(unit, "2023Q2")}
    study = rs["T1_PARTY_STUDY"]
    assert study.period == "2023Q2" and rs["T1_LINKAGE"].period == "2023Q2"
    assert [(m.period, m.value, m.status) for m in study.months] == [
        ("2023-04", 0, "未达标"), ("2023-05", 1, "达标"), ("2023-06", 1, "达标")]
    assert (study.value, study.status) == (2, "未达标")  # April's missed study does not vanish


def test_every_status_word_reachable_from_judge():
    quarter = period_for("quarter", "2023-05")
    deadline = period_for("deadline", "2023-05", deadline=D(2023, 6, 30))
    first, mid, end = D(2023, 4, 29), D(2023, 5, 31), D(2023, 6, 30)
    seen = {
        judge(26, 25, ">=", period=quarter, as_of=end),
        judge(18, 25, ">=", period=quarter, as_of=mid),
        judge(15, 25, ">=", period=quarter, as_of=mid),
        judge(24, 25, ">=", period=quarter, as_of=end),
        judge(90, 100, ">=", period=deadline, as_of=end, rate=True),
        judge(None, 25, ">=", period=quarter, as_of=first),
        judge(None, None, ">=", period=quarter, as_of=first),
    }
    assert seen == set(STATUSES) - {"已开展", "不适用"}  # those two are not judged against a number


def test_month_outside_the_list_year_is_refused(unit):
    from models.core.errors import AppError

    with pytest.raises(AppError, match="不在 2023 年内"):
        evaluate(unit, "2024-01")


def test_task_status_from_indicator_statuses():
    from models.progress.indicators import worst

    assert worst(["达标", "未开展"]) == "进行中"  # quarterly inspection done, annual summary not yet due
    assert worst(["达标", "滞后"]) == "滞后"
    assert worst(["逾期", "未达标"]) == "逾期"
    assert worst(["达标", "达标"]) == "达标"
    assert worst(["未开展", "未开展"]) == "未开展"
    assert worst(["进行中", "未开展"]) == "进行中"
    assert worst(["达标", "未设置目标"]) == "未设置目标"
    assert worst(["达标", "不适用"]) == "达标"
    assert worst(["不适用"]) == "不适用"
    assert st.rank("滞后") < st.rank("未开展")  # doing nothing never looks better than too little


def test_a_tasks_evidence_and_photos_are_counted_for_its_month_only(unit, tmp_path):
    """佐证 on the 工作台 and in reports: every file linked to the month's live entries, photos
    among them; an entry of the next month or a deleted one brings none."""
    from PIL import Image

    from models.ledger.evidence import attach_file

    def photo(name: str) -> str:
        path = tmp_path / name
        Image.new("RGB", (60, 40), name.split(".")[0]).save(path)  # the colour named by the file keeps contents apart
        return str(path)

    paper = tmp_path / "通知.pdf"
    paper.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    first = entry(unit, 6, "2023-05-01", "入户宣传", households_reached=10)
    last = entry(unit, 6, "2023-05-31", "入户宣传", households_reached=10)
    june = entry(unit, 6, "2023-06-01", "入户宣传", households_reached=10)
    gone = entry(unit, 6, "2023-05-15", "入户宣传", households_reached=10)
    attach_file(unit.db, unit.data_dir, first, Path(photo("red.png")), actor="张三")
    attach_file(unit.db, unit.data_dir, first, paper, actor="张三")
    attach_file(unit.db, unit.data_dir, last, Path(photo("blue.png")), actor="张三")
    attach_file(unit.db, unit.data_dir, june, Path(photo("green.png")), actor="张三")
    attach_file(unit.db, unit.data_dir, gone, Path(photo("white.png")), actor="张三")
    delete_entry(unit.db, gone, actor="张三", reason="重复")
    t6 = next(tp for tp in progress(unit, "2023-05") if tp.task.seq == 6)
    assert (t6.entries_in_month, t6.evidence_in_month, t6.photos_in_period) == (2, 3, 2)
    june6 = next(tp for tp in progress(unit, "2023-06") if tp.task.seq == 6)
    assert (june6.entries_in_month, june6.evidence_in_month, june6.photos_in_period) == (1, 1, 1)
