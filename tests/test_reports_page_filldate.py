"""The 报表 page's 填报日期 option: what the preview judges by and what the export prints."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from PySide6.QtCore import QDate
from test_reports_data import fill_june

from ui.pages.reports_page import ReportsPage


@pytest.fixture
def page(main_window, ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    main_window.navigate("reports")
    page: ReportsPage = main_window.pages["reports"]
    page.out_edit.setText(str(tmp_path / "out"))
    page.select("monthly", "2023-06")
    return page


def test_fill_date_defaults_to_today_and_is_used_by_the_export(page, qtbot, tmp_path):
    assert page.fill_date() == dt.date.today()
    page.fill_date_edit.setDate(QDate(2023, 7, 3))
    assert page.preview_model.report.fill_date == dt.date(2023, 7, 3)  # the preview is judged at that day
    page.export()
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60_000)
    import openpyxl

    sheet = openpyxl.load_workbook(page.last_export.xlsx).worksheets[0]
    assert any(c.value == "填报日期：2023年7月3日" for c in sheet[3])
    if os.environ.get("SCREENSHOT_DIR"):
        page.window().resize(1366, 768)
        page.window().grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], "reports-page.png"))
