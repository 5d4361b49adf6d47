"""The task list, units and score sheet are data: complete, faithful, validated."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import SOURCE_DOC
from models.core import paths
from models.catalog.tasklists import available_years, load_tasklist, tasklist_for_year
from models.catalog.units import find_unit, load_units
from models.core.errors import DataFileError
from models.core.paths import resource_path

FIXTURES = Path(__file__).parent / "fixtures" / "resources"


def test_2023_list_has_all_33_tasks_in_four_categories():
    tl = tasklist_for_year(2023)
    assert [t.seq for t in tl.tasks] == list(range(1, 34))
    assert [c for c, _ in tl.categories()] == ["习惯培养", "工作推动", "督导提高", "工作要求"]
    assert [len(g) for _, g in tl.categories()] == [8, 15, 5, 5]


def _source_texts() -> dict[int, tuple[str, str]]:
    text = SOURCE_DOC.read_text(encoding="utf-8")
    lines = text.split("\n")
    found: dict[int, tuple[str, str]] = {}
    for i, line in enumerate(lines):
        m = re.fullmatch(r"\t(\d+)", line)
        if m:
            vals = [ln[1:] for ln in lines[i + 1 : i + 12] if ln.startswith("\t")][:4]
            found[int(m.group(1))] = (vals[1], vals[3])
    return found


@pytest.mark.skipif(not SOURCE_DOC.exists(), reason="source document not beside the checkout")
def test_target_texts_and_deadlines_equal_the_source_document():
    source = _source_texts()
    tl = tasklist_for_year(2023)
    assert len(source) == 33
    for task in tl.tasks:
        target, deadline = source[task.seq]
        assert task.target_text == target, task.seq
        assert task.deadline_text == deadline, task.seq


@pytest.mark.parametrize(
    "unit, expected",
    [
        ("南大街街道", [1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 14, 15, 16, 17, 19, 24, 27, 28, 31, 32, 33]),
        ("西林街道", [1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 14, 15, 16, 17, 19, 24, 27, 28, 31, 32, 33]),
        ("邹区镇", [1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 15, 16, 17, 19, 24, 27, 28, 31, 32, 33]),
        ("区教育局", [8, 9, 10, 32, 33]),
        ("区住建局", [9, 11, 23, 32, 33]),
        ("区政府办", [29, 32, 33]),  # task 32's 各地各部门 is every unit
        ("区卫健局", [9, 10, 32, 33]),
    ],
)
def test_applicability_per_unit(unit, expected):
    tl = tasklist_for_year(2023)
    assert [t.seq for t in tl.tasks_for(find_unit(unit))] == expected


def test_district_office_and_alias_are_known_units():
    units = load_units()
    assert len([u for u in units if u.kind == "street"]) == 7
    assert find_unit("高新园区").name == "邹区镇"
    assert find_unit("区垃分办").kind == "district"


@pytest.mark.parametrize("spelling, canonical", [
    ("区发改委", "区发改局"), ("机关事务管理局", "区机关事务管理中心"), ("农业局", "区农业农村局"),
    ("总工会", "区总工会"), ("团委", "团区委"),
])
def test_the_lists_own_spellings_name_one_unit(spelling, canonical):
    assert find_unit(spelling).name == canonical


def test_every_reporting_unit_owes_the_monthly_and_quarterly_report():
    tl = tasklist_for_year(2023)
    reporters = [u for u in load_units() if u.kind != "district"]
    for seq in (32, 33):
        assert all(tl.task(seq).applies_to(u) for u in reporters), seq


def test_community_indicators_bind_only_units_owning_communities():
    tl = tasklist_for_year(2023)
    by_code = {i.code: i for i in tl.indicators()}
    assert not by_code["T11_FACILITIES"].binds(find_unit("区住建局"))
    assert not by_code["T28_METERING"].binds(find_unit("区城管局"))
    assert not by_code["T13_DEMO_VILLAGE"].binds(find_unit("区农业农村局"))
    assert by_code["T13_DEMO_VILLAGE"].binds(find_unit("邹区镇"))
    assert by_code["T12_NEW_STANDARD"].binds(find_unit("南大街街道"))
    assert tl.scoresheet.source


def test_indicators_carry_the_brief_rules():
    tl = tasklist_for_year(2023)
    by_code = {i.code: i for i in tl.indicators()}
    door = by_code["T6_DOOR_TO_DOOR"]
    assert (door.period, door.comparison, door.target, door.compute["denominator_setting"]) == ("quarter", ">=", 25, "households")
    assert by_code["T12_NEW_STANDARD"].compute["min_score"] == 95
    assert by_code["T12_NEW_STANDARD"].deadline.isoformat() == "2023-09-30"
    assert by_code["T23_CDW_INTENSITY"].comparison == "<="
    assert by_code["T1_PARTY_STUDY"].period == "month"
    assert tl.scoresheet.total_points == 100 and tl.scoresheet.pass_score == 95


def _copy_resources(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(resource_path(), root / "resources")
    return root


def test_second_year_list_needs_no_code_change(tmp_path, monkeypatch):
    root = _copy_resources(tmp_path)
    shutil.copy(FIXTURES / "tasklists" / "2024.json", root / "resources" / "tasklists")
    shutil.copy(FIXTURES / "scoresheets" / "2024_community.json", root / "resources" / "scoresheets")
    monkeypatch.setattr(paths, "app_root", lambda: root)
    assert available_years() == [2023, 2024]
    tl = tasklist_for_year(2024)
    assert tl.title.startswith("钟楼区2024年")
    assert [t.seq for t in tl.tasks_for(find_unit("邹区镇"))] == [2]
    assert [t.seq for t in tl.tasks_for(find_unit("南大街街道"))] == [1]


def _broken(tmp_path: Path, mutate) -> Path:
    root = _copy_resources(tmp_path)
    path = root / "resources" / "tasklists" / "2023.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    mutate(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda d: d["tasks"][5]["indicators"][0].pop("period"), ["2023.json", "任务6", "T6_DOOR_TO_DOOR", "period"]),
        (lambda d: d["tasks"][0].update(deadline="2023-13-01"), ["2023.json", "任务1", "deadline"]),
        (lambda d: d["tasks"][2]["applies_to"]["units"].append("火星办"), ["任务3", "火星办"]),
        (lambda d: d["tasks"][5]["indicators"][0]["compute"].update(field="nope"), ["任务6", "compute.field"]),
        (lambda d: d["tasks"][1]["entry_types"][0].update(required=["weight"]), ["任务2", "weight"]),
        (lambda d: d["tasks"][3].pop("target_text"), ["任务4", "target_text"]),
    ],
)
def test_broken_file_names_file_task_and_field(tmp_path, mutate, words):
    path = _broken(tmp_path, mutate)
    with pytest.raises(DataFileError) as err:
        load_tasklist(path)
    for word in words:
        assert word in str(err.value)


def test_invalid_json_is_reported_with_file_name(tmp_path):
    path = tmp_path / "tasklists" / "2030.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="2030.json"):
        load_tasklist(path)


def test_an_unchanged_task_list_is_not_validated_again_and_a_changed_one_is(tmp_path, monkeypatch):
    import shutil

    from models.catalog import tasklists
    from models.core.paths import resource_path

    monkeypatch.setenv("ZL_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(resource_path("tasklists"), tmp_path / "lists" / "tasklists")
    shutil.copytree(resource_path("scoresheets"), tmp_path / "lists" / "scoresheets")
    folder = tmp_path / "lists" / "tasklists"
    first = tasklist_for_year(2023, folder=folder)
    tasklists._cached_tasklist.cache_clear()  # as a new start of the program
    validated: list[Path] = []
    real = tasklists.load_tasklist
    monkeypatch.setattr(tasklists, "load_tasklist", lambda path, *a: validated.append(path) or real(path, *a))
    again = tasklist_for_year(2023, folder=folder)
    assert validated == [] and again == first  # read from the cache, equal in every field
    text = (folder / "2023.json").read_text(encoding="utf-8")
    (folder / "2023.json").write_text(text.replace('"year": 2023', '"year": 2023 ', 1), encoding="utf-8")
    tasklists._cached_tasklist.cache_clear()
    tasklist_for_year(2023, folder=folder)
    assert validated == [folder / "2023.json"]  # the file changed: validated again
    broken = text.replace('"seq": 6', '"seq": "six"', 1)
    (folder / "2023.json").write_text(broken, encoding="utf-8")
    tasklists._cached_tasklist.cache_clear()
    with pytest.raises(DataFileError):
        tasklist_for_year(2023, folder=folder)  # a bad edit is still caught, never served from the cache
