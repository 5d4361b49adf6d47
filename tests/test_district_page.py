"""The 汇总 page: import (dialog path and drag and drop), the four tabs, the summary export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from test_consolidation import MONTH, make_unit_reports


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_unit_reports(tmp_path_factory.mktemp("units"))


@pytest.fixture
def district_window(qtbot, make_ws):
    from ui.app import configure_app
    from ui.main_window import MainWindow
    from ui.worker import TaskRunner

    configure_app(QApplication.instance())
    TaskRunner.synchronous = True
    window = MainWindow(make_ws("区垃分办"))
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    window.navigate("district", month=MONTH)
    yield window
    TaskRunner.synchronous = False


def _column(model, col: int) -> list[str]:
    return [model.index(r, col).data() for r in range(model.rowCount())]


def _drop(page, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    page.dropEvent(event)


def test_unit_installation_sees_an_explanation(main_window):
    main_window.navigate("district")
    page = main_window.pages["district"]
    assert page.stack.currentIndex() == 0
    assert "区垃分办" in page.not_district.text() and "南大街街道" in page.not_district.text()


def test_district_tasks_page_copes_with_no_tasks(district_window):
    district_window.navigate("tasks")  # the district office has no applicable tasks


def test_drop_folder_then_tabs_show_states_matrix_totals_and_history(district_window, reports, tmp_path):
    page = district_window.pages["district"]
    assert page.stack.currentIndex() == 1
    junk = tmp_path / "通知.xlsx"
    junk.write_text("不是表格", encoding="utf-8")
    _drop(page, [reports["nandajie"].parent, reports["hehuachi_v2"], junk])
    assert "已处理 6 个文件" in page.result_label.text() and "已拒收 1" in page.result_label.text()
    assert "通知.xlsx：已拒收" in page.result_label.toolTip()
    assert not page.progress.isVisible() and page.import_files_button.isEnabled()
    assert page.current_month() == MONTH

    grid = page.grid_model
    units = _column(grid, 0)
    june = dict(zip(units, _column(grid, 6)))
    assert june["南大街街道"] == "已报送" and june["新闸街道"] == "校验失败" and june["邹区镇"] == "迟报"
    assert june["五星街道"] == "未报送"
    colour = grid.index(units.index("南大街街道"), 6).data(Qt.ItemDataRole.BackgroundRole).color().name()
    assert colour == "#c6f6d5"
    assert "第1版" in grid.index(0, 6).data(Qt.ItemDataRole.ToolTipRole)
    assert "应报送单位 30 个" in page.counts_label.text()

    matrix = page.matrix_model
    header = [matrix.headerData(c, Qt.Orientation.Horizontal) for c in range(matrix.columnCount())]
    row = _column(matrix, 0).index("荷花池街道")
    cell = matrix.index(row, header.index("12"))
    word = cell.data(Qt.ItemDataRole.UserRole)
    assert word in ("滞后", "进行中", "达标") and "4" in cell.data(Qt.ItemDataRole.ToolTipRole)
    # At 1366 pixels a cell shows its sign (未达标 ✗ is never 未开展 ○); the word is in the tooltip.
    assert cell.data() == {"滞后": "▲", "进行中": "●", "达标": "✓"}[word]
    assert cell.data(Qt.ItemDataRole.ToolTipRole).startswith(word)
    assert "✗" in page.legend.text() and "未开展" in page.legend.text()

    totals = {r[1]: r for r in page.totals_model.rows}
    assert totals["新增达标小区数"][3] == "6个"
    assert page.behind_model.rowCount() > 0

    history = page.history_model.rows
    states = {(r[1], r[2]): r[3] for r in history}
    assert states[("荷花池街道", "第2版")] == "当前版本" and states[("荷花池街道", "第1版")] == "已被替换"
    assert states[("新闸街道", "第1版")] == "校验失败"
    refused = [r for r in history if r[3] == "已拒收"]
    assert refused and refused[0][4] == "通知.xlsx" and refused[0][7]


def test_import_by_dialog_path_and_export_summary(district_window, reports, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    page = district_window.pages["district"]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(reports["zouqu"])], ""))
    page.import_files_button.click()
    assert dict(zip(_column(page.grid_model, 0), _column(page.grid_model, 6)))["邹区镇"] == "迟报"
    page.grace.setValue(20)  # a setting: within 20 days counts as on time
    assert dict(zip(_column(page.grid_model, 0), _column(page.grid_model, 6)))["邹区镇"] == "已报送"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "out"))
    page.export_button.click()
    assert page.last_export is not None and page.last_export.pdf.exists() and page.last_export.xlsx.exists()
    assert str(page.last_export.pdf) in page.result_label.text()
    assert page.open_folder_button.isVisible()


def test_screenshot_with_imported_data(district_window, reports, tmp_path):
    page = district_window.pages["district"]
    page.import_paths([reports["nandajie"].parent, reports["hehuachi_v2"]])
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        image = district_window.grab()
        assert not image.isNull()
        image.save(str(tmp_path / f"district-{index}.png"))


def test_page_opens_on_the_newest_month_with_reports(qtbot, make_ws, reports):
    from models.district.consolidation import import_reports
    from ui.main_window import MainWindow

    ws = make_ws("区垃分办")
    import_reports(ws, [reports["zouqu"]])
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.navigate("district")
    page = window.pages["district"]
    assert page.current_month() == MONTH
    assert not page.busy and page.month.isEnabled()


def test_district_page_fits_a_150_percent_screen(district_window, reports):
    """At 1366×768 and 150 % (910 px) the import buttons go below the month: no sideways scrolling."""
    from PySide6.QtWidgets import QApplication, QBoxLayout

    window = district_window
    window.showNormal()
    window.setMinimumSize(0, 0)  # at 150 % the window's minimum is the screen's width (restore_window)
    window.resize(910, 600)
    window.navigate("district")
    page = window.pages["district"]
    page.import_paths([reports["nandajie"].parent])
    QApplication.processEvents()
    assert page.bar.direction() == QBoxLayout.Direction.TopToBottom
    scroller = page.parentWidget().parentWidget()
    assert not scroller.horizontalScrollBar().isVisible(), (page.minimumSizeHint(), scroller.viewport().width())
