"""One folder, many years: per-year unit settings and the workspace seen in another year."""

from __future__ import annotations

import json

import pytest

from models.catalog.drafts import import_draft, save_draft
from models.catalog.packages import install_package, publish
from models.core.errors import AppError, ValidationError
from models.store.settings import load_profile, put_setting
from models.store.years import YEAR_SETTINGS_KEY, profile_for_year, switch_year, year_settings
from tests.tasklist_fixtures import changed_rows, write_docx


@pytest.fixture
def with_2024(ws, tmp_path):
    """``ws`` (南大街街道, 2023, 12000 households, quota 15) with the 2024 list installed, quota 22 published."""
    source = write_docx(tmp_path / "2024.docx", changed_rows(2024), year=2024)
    draft = import_draft(tmp_path / "district", source, 2024)
    code = next(i["code"] for t in draft["tasks"] for i in t["indicators"] if i.get("target_setting"))
    draft["quotas"] = {code: {"南大街街道": 22, "荷花池街道": 98}}
    save_draft(tmp_path / "district", draft)
    install_package(ws.data_dir, publish(tmp_path / "district", 2024, tmp_path / "out")[0])
    return ws


def test_switch_keeps_each_years_values_and_prefills_the_published_quota(with_2024):
    ws = with_2024
    switch = switch_year(ws.db, ws.data_dir, 2024, households=12500)
    assert (switch.profile.year, switch.profile.households, switch.profile.standard_quota) == (2024, 12500, 22)
    assert switch.quota_from_package and switch.previous_year == 2023 and switch.missing == ()
    assert ws.tasklist.year == 2024 and 34 in [t.seq for t in ws.tasks()]
    # the 2023 view: its list, its figures; the working profile is untouched
    past = ws.for_year(2023)
    assert past.tasklist.year == 2023 and past.profile.households == 12000 and past.profile.standard_quota == 15
    assert ws.profile.year == 2024
    past.close()  # a view does not own the database
    assert list(ws.db.query("SELECT 1"))
    stored = year_settings(ws.db)
    assert stored["2023"]["households"] == 12000 and stored["2024"]["households"] == 12500


def test_missing_settings_are_reported_not_invented(with_2024):
    ws = with_2024
    put_setting(ws.db, "profile", {**json.loads(json.dumps(load_profile(ws.db).__dict__)), "unit": "荷花池街道"})
    switch = switch_year(ws.db, ws.data_dir, 2024)
    assert switch.profile.households is None and "建成区居民总户数" in switch.missing
    assert switch.profile.standard_quota == 98  # 荷花池街道's published share


def test_switch_refuses_a_year_without_list_and_bad_figures(ws):
    with pytest.raises(AppError, match="尚未导入2025年任务清单，请向区垃分办索取"):
        switch_year(ws.db, ws.data_dir, 2025)
    with pytest.raises(AppError, match="没有 2025 年的任务清单"):
        ws.for_year(2025)
    assert load_profile(ws.db).year == 2023


def test_negative_figures_refused_nothing_saved(with_2024):
    ws = with_2024
    with pytest.raises(ValidationError):
        switch_year(ws.db, ws.data_dir, 2024, households=-1)
    assert load_profile(ws.db).year == 2023 and YEAR_SETTINGS_KEY not in [
        r["key"] for r in ws.db.query("SELECT key FROM settings")]


def test_a_year_worked_before_year_settings_existed(ws):
    """Folders from before this version have no year_settings: the working values are the year's."""
    assert year_settings(ws.db) == {}
    assert profile_for_year(ws.db, 2023).households == 12000
    other = profile_for_year(ws.db, 2022)
    assert other.year == 2022 and other.target_overrides == {}
