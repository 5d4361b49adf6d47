"""`status`, `community` commands as scripted scenarios use them."""

from __future__ import annotations

import json

from main import main
from models.catalog.tasklists import tasklist_for_year


def run(capsys, data_dir, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def init(capsys, data_dir, households: str = "10000", quota: str = "2") -> None:
    code, _, err = run(capsys, data_dir, "init", "--unit", "南大街街道", "--operator", "张三", "--phone", "0519-88000000",
                       "--reviewer", "李四", "--households", households, "--quota", quota)
    assert code == 0, err


def status(capsys, data_dir, month: str) -> dict[str, dict]:
    code, out, err = run(capsys, data_dir, "status", "--month", month, "--json")
    assert code == 0, err
    return {row["code"]: row for row in json.loads(out)}


def test_status_json_shape(capsys, data_dir):
    init(capsys, data_dir)
    rows = status(capsys, data_dir, "2023-06")
    assert set(next(iter(rows.values()))) == {"task", "code", "name", "period", "value", "target", "unit", "status",
                                              "late", "completed_on", "target_source", "due", "note"}
    t6 = rows["T6_DOOR_TO_DOOR"]
    assert (t6["task"], t6["period"], t6["value"], t6["target"], t6["unit"], t6["status"]) == (6, "2023Q2", 0, 25, "%", "未达标")
    assert rows["T12_NEW_STANDARD"]["period"] == "2023-09-30" and rows["T12_NEW_STANDARD"]["target"] == 2
    assert rows["T27_ANNUAL_SUMMARY"]["period"] == "2023" and rows["T1_PARTY_STUDY"]["period"] == "2023-06"
    assert "T13_DEMO_VILLAGE" not in rows  # 邹区镇 only


def test_community_scenario_through_the_commands(capsys, data_dir):
    init(capsys, data_dir)
    assert run(capsys, data_dir, "community", "add", "阳光小区", "--households", "800", "--facilities", "2023-04-10")[0] == 0
    assert run(capsys, data_dir, "community", "add", "幸福里")[0] == 0
    code, out, _ = run(capsys, data_dir, "community", "evaluate", "阳光小区", "--date", "2023-06-10", "--total", "95")
    assert code == 0 and "达标" in out
    code, _, err = run(capsys, data_dir, "community", "evaluate", "幸福里", "--date", "2023-06-10", "--item", "A1=5", "B1=12")
    assert code == 2 and "超过该项分值" in err
    code, _, err = run(capsys, data_dir, "community", "evaluate", "幸福里", "--date", "2024-01-02", "--total", "97")
    assert code == 2 and "2023 年内" in err
    code, _, err = run(capsys, data_dir, "community", "evaluate", "幸福里", "--date", "2023-06-12",
                       "--item", "A1=5", "--item", "B1=9.5")
    assert code == 2 and "尚缺" in err and "C2" in err  # a partial sheet is not a 14.5-point evaluation
    others = [f"{i.code}=0" for i in tasklist_for_year(2023).scoresheet.items if i.code not in ("A1", "B1")]
    code, _, err = run(capsys, data_dir, "community", "evaluate", "幸福里", "--date", "2023-06-12",
                       "--item", "A1=5", "B1=9.5", *others, "--note", "B1=投放点缺标识")
    assert code == 0, err
    code, out, _ = run(capsys, data_dir, "community", "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["阳光小区"]["counts_as_new_standard"] is True and rows["阳光小区"]["households"] == 800
    [evaluation] = rows["幸福里"]["evaluations"]
    assert (evaluation["date"], evaluation["total"], evaluation["by_items"]) == ("2023-06-12", 14.5, True)
    assert (evaluation["items"]["A1"], evaluation["items"]["B1"], evaluation["notes"]) == (5.0, 9.5, {"B1": "投放点缺标识"})
    assert rows["幸福里"]["counts_as_new_standard"] is False
    t12 = status(capsys, data_dir, "2023-06")["T12_NEW_STANDARD"]
    assert (t12["value"], t12["target"], t12["status"]) == (1, 2, "进行中")  # 6 of 9 months: 2 × 6/9 → 1 due
    assert run(capsys, data_dir, "community", "set", "幸福里", "--facilities", "2023-04-29")[0] == 0
    t11 = status(capsys, data_dir, "2023-04")["T11_FACILITIES"]
    assert (t11["value"], t11["status"]) == (100, "达标")
    code, _, err = run(capsys, data_dir, "community", "evaluate", "无此小区", "--date", "2023-06-12", "--total", "96")
    assert code == 2 and "找不到" in err


def test_status_text_table_and_bad_month(capsys, data_dir):
    init(capsys, data_dir)
    code, out, _ = run(capsys, data_dir, "status", "--month", "2023-06")
    assert code == 0 and "入户宣传户数占建成区居民总户数比例［2023Q2］" in out and "未达标" in out
    code, _, err = run(capsys, data_dir, "status", "--month", "2023-6x", "--json")
    assert code == 2 and "YYYY-MM" in err
