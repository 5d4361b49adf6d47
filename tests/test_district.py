"""Completeness, timeliness, the task × unit matrix and district totals from real unit reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.catalog.tasklists import tasklist_for_year
from models.catalog.units import load_units
from models.district.consolidation import import_reports
from models.district.views import (
    FAILED,
    LATE,
    MISSING,
    NOT_DUE,
    ON_TIME,
    district_totals,
    expected_units,
    grace_days,
    month_completeness,
    set_grace_days,
    status_matrix,
    units_behind,
    year_grid,
)
from models.core.errors import ValidationError
from test_consolidation import MONTH, make_unit_reports


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_unit_reports(tmp_path_factory.mktemp("units"))


@pytest.fixture
def district(make_ws, reports):
    ws = make_ws("区垃分办")
    import_reports(ws, [reports["nandajie"].parent, reports["hehuachi_v2"]])
    return ws


def _state(subs, unit: str) -> str:
    return next(s.state for s in subs if s.unit.name == unit)


def test_expected_units_are_streets_town_and_every_department_the_list_names():
    units = expected_units(tasklist_for_year(2023))
    names = [u.name for u in units]
    assert names[:8] == ["南大街街道", "荷花池街道", "新闸街道", "五星街道", "永红街道", "北港街道", "西林街道", "邹区镇"]
    assert {"区城管局", "区财政局", "区妇联", "区交通执法大队"} <= set(names)
    assert "区垃分办" not in names
    assert len(names) == sum(1 for u in load_units() if u.kind != "district")


def test_month_states_on_time_late_missing_failed(district):
    subs = month_completeness(district, MONTH)
    assert grace_days(district.db) == 5
    assert _state(subs, "南大街街道") == ON_TIME  # generated 3 July, due 5 July
    assert _state(subs, "荷花池街道") == ON_TIME  # judged by its first version (2 July), now at version 2
    assert _state(subs, "邹区镇") == LATE  # 20 July
    assert _state(subs, "新闸街道") == FAILED  # only an edited file arrived
    assert _state(subs, "五星街道") == MISSING
    assert _state(subs, "区城管局") == MISSING
    he = next(s for s in subs if s.unit.name == "荷花池街道")
    assert (he.current_version, he.versions) == (2, 2)


def test_grace_days_is_a_setting(district):
    set_grace_days(district.db, 20)
    assert _state(month_completeness(district, MONTH), "邹区镇") == ON_TIME
    set_grace_days(district.db, 0)
    assert _state(month_completeness(district, MONTH), "南大街街道") == LATE
    with pytest.raises(ValidationError):
        set_grace_days(district.db, -1)


def test_months_not_yet_due_are_not_missing(district):
    subs = month_completeness(district, "2023-07", now=dt.datetime(2023, 8, 3))
    assert {s.state for s in subs} == {NOT_DUE}
    subs = month_completeness(district, "2023-07", now=dt.datetime(2023, 8, 6))
    assert {s.state for s in subs} == {MISSING}


def test_year_grid_is_units_by_months(district):
    grid = year_grid(district, 2023, now=dt.datetime(2023, 9, 1))
    assert len(grid) == 30 and all(len(row) == 12 for row in grid)
    nan = grid[0]
    assert nan[0].unit.name == "南大街街道"
    assert nan[5].state == ON_TIME and nan[4].state == MISSING and nan[9].state == NOT_DUE


def test_status_matrix_from_the_reports(district):
    matrix = status_matrix(district, MONTH)
    assert [t.seq for t in matrix.tasks][:3] == [1, 2, 5]
    he = matrix.cell("荷花池街道", 12)
    assert he.applies and he.reported
    assert [(d.code, d.value, d.target) for d in he.details] == [("T12_NEW_STANDARD", 4.0, 12.0)]
    assert he.status == he.details[0].status
    assert not matrix.cell("邹区镇", 12).applies  # task 12 is for 街道 and 区城管局
    assert matrix.cell("邹区镇", 13).applies
    assert not matrix.cell("五星街道", 12).reported
    assert not matrix.cell("新闸街道", 12).reported  # the edited file does not count


def _sheet_values(path: Path, code: str) -> float:
    wb = load_workbook(path, read_only=True)
    try:
        return sum(r[6] or 0 for r in wb["指标数据"].iter_rows(min_row=2, values_only=True) if r[3] == code)
    finally:
        wb.close()


def test_district_totals_equal_the_sum_of_the_units_values(district, reports):
    totals = {t.indicator.code: t for t in district_totals(district, MONTH)}
    counted = [reports["nandajie"], reports["hehuachi_v2"], reports["zouqu"]]
    t12 = totals["T12_NEW_STANDARD"]
    assert t12.target == 104
    assert t12.total == sum(_sheet_values(p, "T12_NEW_STANDARD") for p in counted) == 6
    assert t12.by_unit["荷花池街道"] == 4 and "新闸街道" not in t12.by_unit
    assert t12.status == "滞后"  # 6 of 104 by the end of June, deadline 30 September
    t16 = totals["T16_GLASS_SITES"]
    assert (t16.total, t16.target, t16.status) == (2, 2, "达标")
    assert t16.total == sum(_sheet_values(p, "T16_GLASS_SITES") for p in counted)


def test_monthly_submission_indicator_is_judged_by_receipt(district):
    matrix = status_matrix(district, MONTH)
    assert matrix.cell("南大街街道", 32).status == "达标"  # its own file said 未达标: exported before submitting
    assert matrix.cell("邹区镇", 32).status == "逾期"  # arrived late
    assert not any(v.code == "T32_MONTHLY_LEDGER" and v.unit == "南大街街道" for v in units_behind(district, MONTH))


def test_units_behind_lists_lagging_indicators(district):
    behind = units_behind(district, MONTH)
    assert behind and {v.status for v in behind} <= {"滞后", "未达标", "逾期"}
    assert any(v.unit == "南大街街道" and v.code == "T12_NEW_STANDARD" for v in behind)
    assert all(v.unit != "新闸街道" for v in behind)
