"""Submission (已报送), the month lock, unlocking with a reason and version numbers."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from test_reports_data import fill_june

from models.core.errors import AppError, ValidationError
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry, delete_entry, update_entry
from models.ledger.locks import MonthLockedError, is_month_locked
from models.reporting.export import export_monthly, export_quarterly
from models.reporting.digest import read_report_meta
from models.reporting.submissions import list_states, period_state, submit, unlock


def draft(day: int, month: int = 6) -> EntryDraft:
    return EntryDraft(task_seq=1, entry_date=dt.date(2023, month, day), entry_type="联动会议", title="补录会议",
                      location="南大街街道", participants=10)


def audit(ws, action):
    return list(ws.db.query("SELECT * FROM audit_log WHERE table_name = 'period_states' AND action = ?", [action]))


def test_states_through_export_submit_unlock_and_version_2(ws, tmp_path):
    ids = fill_june(ws, tmp_path, photos=1)
    assert period_state(ws.db, "monthly", "2023-06").label == "未生成"
    first = export_monthly(ws, "2023-06", tmp_path / "v1")
    assert period_state(ws.db, "monthly", "2023-06").label == "已生成"

    state = submit(ws, "monthly", "2023-06")
    assert state.label == "已报送" and state.version == 1
    assert state.submitted_export.xlsx_sha256 and state.submitted_export.pdf_sha256
    assert state.submitted_export.data_sha256 == first.data_sha256
    assert json.loads(audit(ws, "submit")[0]["after"])["xlsx_sha256"] == state.submitted_export.xlsx_sha256
    assert is_month_locked(ws.db, "2023-06") and not is_month_locked(ws.db, "2023-07")

    # the locked month refuses every change
    with pytest.raises(MonthLockedError):
        add_entry(ws.db, ws.tasklist, ws.tasks(), draft(20), actor="张三")
    entry_draft = draft(3)
    with pytest.raises(MonthLockedError):
        update_entry(ws.db, ws.tasklist, ws.tasks(), ids[0], entry_draft, actor="张三")
    with pytest.raises(MonthLockedError):
        delete_entry(ws.db, ids[0], actor="张三")
    add_entry(ws.db, ws.tasklist, ws.tasks(), draft(3, month=7), actor="张三")  # July stays open

    with pytest.raises(ValidationError):
        unlock(ws, "monthly", "2023-06", reason="  ")
    state = unlock(ws, "monthly", "2023-06", reason="补录遗漏的联动会议")
    assert state.label == "已解锁" and state.version == 2 and state.unlock_reason == "补录遗漏的联动会议"
    assert audit(ws, "unlock")[0]["reason"] == "补录遗漏的联动会议"
    add_entry(ws.db, ws.tasklist, ws.tasks(), draft(20), actor="张三")

    second = export_monthly(ws, "2023-06", tmp_path / "v2")
    assert second.version == 2
    wb = openpyxl.load_workbook(second.xlsx)
    assert read_report_meta(wb)["version"] == 2
    assert "报表版本：第2版" in [c.value for c in wb["月度台账"][2]]
    state = submit(ws, "monthly", "2023-06")
    assert state.label == "已报送" and state.version == 2


def test_submit_refuses_a_missing_stale_or_edited_export(ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    with pytest.raises(AppError, match="尚未导出"):
        submit(ws, "monthly", "2023-06")
    result = export_monthly(ws, "2023-06", tmp_path / "out")
    add_entry(ws.db, ws.tasklist, ws.tasks(), draft(21), actor="张三")
    with pytest.raises(AppError, match="台账数据又有修改"):
        submit(ws, "monthly", "2023-06")
    result = export_monthly(ws, "2023-06", tmp_path / "out")
    result.xlsx.write_bytes(result.xlsx.read_bytes() + b"x")
    with pytest.raises(AppError, match="被修改过"):
        submit(ws, "monthly", "2023-06")
    assert period_state(ws.db, "monthly", "2023-06").label == "已生成"
    # given a folder, submit exports afresh first
    state = submit(ws, "monthly", "2023-06", export_dir=tmp_path / "fresh")
    assert state.label == "已报送"
    assert (tmp_path / "fresh" / "钟楼区垃圾分类月度台账_南大街街道_2023年06月.pdf").is_file()
    with pytest.raises(AppError, match="无需重复报送"):
        submit(ws, "monthly", "2023-06")


def test_submitting_the_month_does_not_make_the_quarter_stale(ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    export_monthly(ws, "2023-06", tmp_path / "m")
    export_quarterly(ws, "2023Q2", tmp_path / "q")
    submit(ws, "monthly", "2023-06")  # flips task 32's "submitted" indicator
    assert submit(ws, "quarterly", "2023Q2").label == "已报送"


def test_a_submitted_quarter_locks_its_months(ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    submit(ws, "quarterly", "2023Q2", export_dir=tmp_path / "q")
    assert all(is_month_locked(ws.db, m) for m in ("2023-04", "2023-05", "2023-06"))
    with pytest.raises(MonthLockedError, match="季度"):
        add_entry(ws.db, ws.tasklist, ws.tasks(), draft(2, month=4), actor="张三")
    unlock(ws, "quarterly", "2023Q2", reason="季度数据更正")
    assert not is_month_locked(ws.db, "2023-04")


def test_unlock_needs_a_submitted_period(ws):
    with pytest.raises(AppError, match="只有已报送"):
        unlock(ws, "monthly", "2023-06", reason="原因")


def test_list_states_covers_months_and_quarters(ws, tmp_path):
    states = list_states(ws.db, 2023)
    assert [s.period for s in states[:12]] == [f"2023-{m:02d}" for m in range(1, 13)]
    assert [s.period for s in states[12:]] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert {s.label for s in states} == {"未生成"}


def test_a_report_is_named_as_a_person_names_it(ws):
    from models.reporting.submissions import period_state

    assert period_state(ws.db, "monthly", "2023-06").name == "2023年6月月度台账"
    assert period_state(ws.db, "quarterly", "2023Q2").name == "2023年第二季度工作进展"  # not "季度季度"
