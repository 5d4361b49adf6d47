"""The signed exchange on screen: 设置's fingerprint, 汇总's 核验与退回 tab, a dropped notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from models.district.consolidation import import_report_file
from models.district.returns import return_for_correction
from models.exchange.enrolment import known_key
from models.store.keys import installation_signer
from models.reporting.export import export_monthly
from models.reporting.submissions import period_state, submit
from test_consolidation import MONTH, _glass_site


@pytest.fixture
def window_for(qtbot):
    from ui.app import configure_app
    from ui.main_window import MainWindow
    from ui.worker import TaskRunner

    configure_app(QApplication.instance())
    TaskRunner.synchronous = True
    made = []

    def factory(ws):
        window = MainWindow(ws)
        window.inform_calls = []
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        made.append(window)
        return window

    yield factory
    TaskRunner.synchronous = False


def test_settings_page_shows_the_key_fingerprint_in_groups(main_window, ws):
    main_window.navigate("settings")
    text = main_window.pages["settings"].key_label.text()
    assert installation_signer(ws.db).fingerprint in text and "丢失数据文件夹" in text


def test_district_tab_verifies_returns_diffs_and_reenrols(window_for, make_ws, tmp_path):
    unit = make_ws("南大街街道")
    _glass_site(unit)
    result = export_monthly(unit, MONTH, tmp_path / "mail")
    office = make_ws("区垃分办")
    import_report_file(office, result.xlsx)
    window = window_for(office)
    window.navigate("district", month=MONTH)
    page = window.pages["district"]
    panel = page.exchange
    assert panel.keys_table.item(0, 0).text() == "南大街街道"
    assert panel.keys_table.item(0, 1).text() == installation_signer(unit.db).fingerprint
    from models.reporting.digest import verification_code, read_report_meta
    from openpyxl import load_workbook
    code = verification_code(read_report_meta(load_workbook(result.xlsx))["signature"])
    assert "南大街街道 2023-06 第1版" in panel.verify_code(code)
    assert "没有与之相符" in panel.verify_code("0000-0000-0000")
    path = panel.return_to("南大街街道", "面积有误", tmp_path / "notices")
    assert path.is_file() and str(path) in panel.diff_text.toPlainText()
    assert "没有可比较" in panel.show_diff("南大街街道")
    panel.reset_key("南大街街道", "换电脑")
    assert known_key(office.db, "南大街街道") is None and panel.keys_table.rowCount() == 0
    page.tabs.setCurrentWidget(panel)
    panel.show_diff("南大街街道")
    window.grab().save("/tmp/exchange-district.png")


def test_a_notice_dropped_on_the_window_reopens_the_month_and_shows_on_the_dashboard(window_for, make_ws, tmp_path,
                                                                                      monkeypatch):
    unit = make_ws("南大街街道")
    _glass_site(unit)
    result = export_monthly(unit, MONTH, tmp_path / "mail")
    submit(unit, "monthly", MONTH)
    office = make_ws("区垃分办")
    import_report_file(office, result.xlsx)
    sent = return_for_correction(office, unit="南大街街道", month=MONTH, reason="面积有误", out_dir=tmp_path / "n")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr("ui.notice_import.QMessageBox.information", lambda parent, title, text: shown.append((title, text)))
    window = window_for(unit)
    window.navigate("dashboard", month=MONTH)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sent.path))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    assert shown and "面积有误" in shown[0][1] and "指纹" in shown[0][1]
    assert period_state(unit.db, "monthly", MONTH).state == "unlocked"
    banner = window.pages["dashboard"].returns
    assert banner.isVisible() and "面积有误" in banner.text()
    window.grab().save(str(tmp_path / "dashboard.png"))
    Path("/tmp/exchange-dashboard.png").write_bytes((tmp_path / "dashboard.png").read_bytes())
