"""The 报表 page: preview, background export with progress, open, submit and unlock."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_reports_data import fill_june

from models.ledger.locks import is_month_locked
from models.reporting.submissions import period_state
from ui.models.report_models import PreviewModel, StatesModel
from ui.pages.reports_page import ReportsPage


@pytest.fixture
def page(main_window, ws, tmp_path):
    fill_june(ws, tmp_path, photos=2)
    main_window.navigate("reports")
    page: ReportsPage = main_window.pages["reports"]
    page.set_out_dir(tmp_path / "out")
    page.select("monthly", "2023-06")
    page.opened = []
    page.open_url = lambda url: page.opened.append(Path(url.toLocalFile()))
    page.messages = []
    page.inform = lambda title, text: page.messages.append((title, text))
    return page


def test_preview_shows_the_main_table_before_export(page, ws):
    model: PreviewModel = page.preview_model
    assert model.columnCount() == 9 and model.headerData(4, Qt.Orientation.Horizontal) == "本月工作开展情况"
    assert model.rowCount() == len(ws.tasks())
    first = [model.data(model.index(0, c)) for c in range(9)]
    assert first[0] == "1" and first[1] == "习惯培养" and "本月记录台账2条" in first[4]
    assert page.preview.columnSpan(0, 1) == 1 and page.preview.rowSpan(0, 1) == 7  # 习惯培养 merged
    assert "未生成" in page.state_label.text()
    page.on_show(quarter="2023Q2")
    assert page.period() == "2023Q2"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "本季度工作开展情况"
    assert model.headerData(7, Qt.Orientation.Horizontal) == "佐证\n材料\n（件）"


def test_export_in_background_then_open_submit_and_unlock(page, ws, tmp_path):
    seen = []
    original = page._on_progress
    page._on_progress = lambda d, t, s: (seen.append((d, s)), original(d, t, s))
    page.export()  # TaskRunner.synchronous in tests
    assert page.messages == []
    assert seen and seen[-1][0] >= 97 and any("照片" in text for _, text in seen)
    assert page.last_export is not None and page.last_export.pdf.is_file() and page.last_export.xlsx.is_file()
    assert page.last_export.xlsx.parent == tmp_path / "out"
    assert "已生成" in page.state_label.text() and page.export_button.isEnabled() and page.submit_button.isEnabled()
    page.open_folder()
    page._open_file("pdf")
    assert page.opened == [tmp_path / "out", page.last_export.pdf]

    page.confirm = lambda title, text: True
    page.submit()
    assert period_state(ws.db, "monthly", "2023-06").label == "已报送"
    assert is_month_locked(ws.db, "2023-06") and "已报送" in page.state_label.text()
    assert not page.submit_button.isEnabled() and page.unlock_button.isEnabled()
    states: StatesModel = page.states_model
    june = next(n for n, s in enumerate(states.states) if s.period == "2023-06")
    assert states.data(states.index(june, 2)) == "已报送"

    page.ask_reason = lambda text: ""
    page.unlock()
    assert page.messages and "解锁原因" in page.messages[-1][1]
    page.ask_reason = lambda text: "补录遗漏台账"
    page.unlock()
    assert period_state(ws.db, "monthly", "2023-06").label == "已解锁"
    assert "第2版" in page.state_label.text()
    assert not page.submit_button.isEnabled() and "请先导出第2版" in page.submit_button.toolTip()  # v1 was sent


def test_submit_without_export_explains_why(page, ws):
    assert not page.submit_button.isEnabled() and "请先导出第1版" in page.submit_button.toolTip()
    page.confirm = lambda title, text: True
    page.submit()  # reached anyway (the model refuses it too)
    assert page.messages and "尚未导出" in page.messages[-1][1]
    assert period_state(ws.db, "monthly", "2023-06").label == "未生成"


def test_export_warns_first_when_a_target_is_unset(page, ws, tmp_path):
    from models.reporting.export_log import latest_export
    from models.store.settings import load_profile, save_profile

    profile = load_profile(ws.db)
    profile.standard_quota = None
    save_profile(ws.db, profile)
    asked = []
    page.confirm = lambda title, text: asked.append((title, text)) or False
    page.export()
    assert asked and asked[0][0] == "尚未设置目标" and "新增达标小区" in asked[0][1]
    assert latest_export(ws.db, "monthly", "2023-06") is None  # declined: nothing written
    page.confirm = lambda title, text: True
    page.export()
    assert latest_export(ws.db, "monthly", "2023-06") is not None


def test_the_status_and_the_period_table_show_whole_words(page):
    """"逾期（2026年12月7日完成）" wraps in its narrow column, but a year's digits do not: the
    column holds "（2026年"; the period table shows whole periods and times, 解锁原因 the rest."""
    page.window().resize(1366, 768)
    page._fit_columns()
    model, header = page.preview_model, page.preview.horizontalHeader()
    status = [c.label for c in model.report.columns].index("状态")
    metrics = page.preview.fontMetrics()
    assert header.sectionSize(status) >= metrics.horizontalAdvance("（2026年") + 8
    states = page.states_view.horizontalHeader()
    assert states.sectionSize(0) >= metrics.horizontalAdvance("2023年第二季度")
    page.export()  # the June row gets its export time
    shown = page.states_model.data(page.states_model.index(5, 4))
    assert shown.startswith("20") and states.sectionSize(4) >= metrics.horizontalAdvance(shown)
