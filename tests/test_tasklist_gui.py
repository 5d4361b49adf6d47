"""The GUI side of a new year: confirming the draft, the header's year, installing a package."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from models.catalog.drafts import import_draft, load_draft, save_draft
from models.catalog.packages import read_package
from models.exchange.packages import open_package
from models.exchange.tasklists import publish_signed
from models.store.workspace import open_workspace
from models.store.settings import load_profile
from tests.tasklist_fixtures import changed_rows, write_docx
from models.catalog.locations import missing_list_notice

STREETS = ["南大街街道", "荷花池街道", "新闸街道", "五星街道", "永红街道", "北港街道", "西林街道"]


@pytest.fixture
def quiet(monkeypatch):
    """Message boxes answer themselves; what they said is kept."""
    said: list[str] = []
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: said.append(str(a[2])) or QMessageBox.StandardButton.Ok)
    return said


@pytest.fixture
def package(tmp_path) -> Path:
    district = tmp_path / "district"
    source = write_docx(tmp_path / "2024.docx", changed_rows(2024), year=2024)
    draft = import_draft(district, source, 2024)
    code = next(i["code"] for t in draft["tasks"] for i in t["indicators"] if i.get("target_setting"))
    draft["quotas"] = {code: dict(zip(STREETS, [20, 18, 18, 16, 16, 16, 16]))}
    save_draft(district, draft)
    ws = open_workspace(district)  # the district signs with its installation key
    try:
        return publish_signed(ws, 2024, tmp_path / "out")[0]
    finally:
        ws.close()


def test_confirm_page_edits_checks_quotas_and_publishes(qtbot, make_ws, tmp_path, quiet):
    from ui.pages.tasklist_import_page import TasklistImportDialog

    ws = make_ws("区垃分办")
    dialog = TasklistImportDialog(ws, year=2024)
    qtbot.addWidget(dialog)
    assert not dialog.publish_button.isEnabled()  # nothing imported yet
    dialog.import_source(write_docx(tmp_path / "2024.docx", changed_rows(2024), year=2024))
    assert dialog.task_list.count() == 34

    # task 2 is last year's text: its three rates come with 2023's targets, flagged to confirm
    dialog.task_list.setCurrentRow(1)
    assert dialog.indicator_list.count() == 3 and "沿用2023年" in dialog.flags.text()
    # task 34 is new: a rate the text names without a number, its target checked as it is typed
    dialog.task_list.setCurrentRow(33)
    dialog.indicator_list.setCurrentRow(2)
    assert "待填目标" in dialog.indicator_list.item(2).text()
    assert not dialog.editor.accept_button.isEnabled()
    dialog.editor.target.setText("abc")
    assert "不是数字" in dialog.editor.error.text() and not dialog.editor.accept_button.isEnabled()
    dialog.editor.target.setText("120")
    assert "不能超过100" in dialog.editor.error.text()
    dialog.editor.target.setText("90")
    assert dialog.editor.error.text() == "" and dialog.editor.accept_button.isEnabled()
    dialog.editor.accept_button.click()
    t34 = dialog.current_task()
    assert (t34["indicators"][2]["target"], t34["indicators"][2]["status"]) == (90, "accepted")
    # the monthly count is removed instead
    dialog.indicator_list.setCurrentRow(0)
    dialog.editor.remove_button.click()
    assert len(t34["indicators"]) == 2

    # task 4: applicability is the clerk's to correct
    dialog.task_list.setCurrentRow(3)
    for i in range(dialog.unit_list.count()):
        if dialog.unit_list.item(i).text() == "团区委":
            dialog.unit_list.item(i).setCheckState(Qt.CheckState.Checked)
    assert "团区委" in dialog.current_task()["applies_to"]["units"]
    # entry types: a duplicate is refused while typing
    dialog.types.setText("志愿服务活动、志愿服务活动")
    assert "重复" in dialog.types_error.text()
    dialog.types.setText("志愿服务活动、社会组织参与")
    dialog.types.editingFinished.emit()
    assert [e["name"] for e in dialog.current_task()["entry_types"]] == ["志愿服务活动", "社会组织参与"]

    # task 6: a value's name and unit are edited in place; an empty name is refused
    dialog.task_list.setCurrentRow(5)
    fields = dialog.field_list
    assert fields.rowCount() == 1 and fields.item(0, 0).text() == "入户宣传户数"
    fields.item(0, 0).setText("")
    assert "名称不能为空" in dialog.types_error.text()
    assert dialog.current_task()["fields"][0]["name"] == "入户宣传户数"
    fields.item(0, 0).setText("入户宣传居民户数")
    assert dialog.current_task()["fields"][0] == {"code": "households_reached", "name": "入户宣传居民户数",
                                                  "unit": "户", "type": "int"}
    fields.setCurrentCell(0, 0)
    dialog._remove_field()
    assert "要用到这个数值" in dialog.types_error.text()  # the share of households needs it

    # task 12's 120 split across the street offices must add up before publishing
    assert dialog.quota_box.isVisibleTo(dialog)
    assert list(dialog.quota_box.spins) == STREETS
    dialog.quota_box.spins["南大街街道"].setValue(20)
    assert "还差 100" in dialog.quota_box.total.text()
    assert dialog.publish_to(tmp_path / "out") is None and "合计 20" in dialog.status.text()
    for name, n in zip(STREETS[1:], [18, 18, 16, 16, 16, 16]):
        dialog.quota_box.spins[name].setValue(n)
    assert "✓" in dialog.quota_box.total.text()
    path = dialog.publish_to(tmp_path / "out")
    assert path is not None and path.exists()
    package = read_package(path, unwrap=lambda data: open_package(data, kind="tasklist").payload, require_signed=True)
    assert package.quotas[next(iter(package.quotas))]["南大街街道"] == 20
    saved = load_draft(ws.data_dir, 2024)
    assert saved["tasks"][33]["indicators"][1]["target"] == 90
    dialog.grab().save(str(tmp_path / "confirm.png"))


def test_tasks_page_offers_the_import_to_the_district_only(qtbot, make_ws):
    from ui.context import PageContext
    from ui.pages.tasks_page import TasksPage
    from ui.worker import TaskRunner

    for unit, offered in (("区垃分办", True), ("南大街街道", False)):
        ws = make_ws(unit)
        ctx = PageContext(ws=ws, runner=TaskRunner(), navigate=lambda *a, **k: None, data_changed=lambda: None)
        page = TasksPage(ctx)
        qtbot.addWidget(page)
        assert hasattr(page, "import_button") == offered


def test_missing_list_notice():
    assert missing_list_notice([2023], dt.date(2026, 3, 1)) == "尚未导入2026年任务清单，请向区垃分办索取"
    assert missing_list_notice([2023, 2026], dt.date(2026, 3, 1)) is None


def test_first_start_says_which_year_and_offers_install(qtbot, ws, package, quiet, monkeypatch):
    from ui import setup_dialog
    from ui.setup_dialog import SetupDialog, start_year

    assert start_year([2023], dt.date(2026, 2, 1)) == 2023
    assert start_year([2023, 2026], dt.date(2026, 2, 1)) == 2026
    monkeypatch.setattr(setup_dialog, "missing_list_notice", lambda years: None if 2024 in years else "尚未导入2024年任务清单，请向区垃分办索取")
    monkeypatch.setattr(setup_dialog, "start_year", lambda years: 2024 if 2024 in years else 2023)
    dialog = SetupDialog(ws)
    qtbot.addWidget(dialog)
    assert "尚未导入2024年任务清单" in dialog.notice.text() and dialog.install_button.isVisibleTo(dialog)
    monkeypatch.setattr("ui.tasklist_year.QFileDialog.getOpenFileName", lambda *a, **k: (str(package), ""))
    dialog.install_button.click()
    assert dialog.form.year == 2024 and not dialog.install_button.isVisibleTo(dialog)
    form = dialog.form
    form.unit.setCurrentIndex(form.unit.findData("南大街街道"))
    form.operator.setText("张三")
    form.phone.setText("0519-88000000")
    form.reviewer.setText("李四")
    form.households.setValue(12500)
    form.quota.setValue(20)
    dialog.save()
    assert load_profile(ws.db).year == 2024  # a list installed in the data folder, not in Program Files


def test_header_year_selector_switches_and_keeps_each_years_settings(qtbot, main_window, package, quiet):
    window = main_window
    assert [window.year_selector.itemText(i) for i in range(window.year_selector.count())] == ["2023年任务清单"]
    window.install_tasklist(str(package))
    assert window.year_selector.count() == 2 and window.ws.year == 2023  # installing does not switch
    window.navigate("tasks")
    asked = []
    window.year_selector._ask = lambda year: asked.append(year) or {"households": 12500, "quota": None}
    window.year_selector.setCurrentIndex(1)
    window.year_selector.activated.emit(1)
    assert asked == [2024]
    profile = load_profile(window.ws.db)
    assert (profile.year, profile.households) == (2024, 12500)
    assert window.pages["tasks"].heading.text() == "钟楼区2024年生活垃圾分类工作任务清单"
    # December 2023 is still previewed (and exported) from the reports page after the switch
    window.navigate("reports")
    reports = window.pages["reports"]
    reports.select("monthly", "2023-12")
    assert reports.period() == "2023-12"
    assert reports.preview_model.report is not None and "2023年12月" in reports.preview_model.report.title
    # back to 2023: its own figures, not asked again
    window.year_selector.setCurrentIndex(0)
    window.year_selector.activated.emit(0)
    assert asked == [2024]
    profile = load_profile(window.ws.db)
    assert (profile.year, profile.households, profile.standard_quota) == (2023, 12000, 15)
    assert "2023" in window.pages["tasks"].heading.text()


def test_dropping_a_package_on_the_window_installs_it(qtbot, main_window, package, tmp_path, quiet):
    window = main_window
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(package))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert (window.ws.data_dir / "tasklists" / "2024.json").exists()
    assert window.year_selector.count() == 2
    # a tampered file dropped is refused with the reason
    bad = tmp_path / "bad.zip"
    data = bytearray(package.read_bytes())
    import zipfile
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            blob = zin.read(info.filename)
            zout.writestr(info.filename, blob.replace("全年".encode(), "半年".encode()) if info.filename == "tasklist.json" else blob)
    del data
    window.install_tasklist(str(bad))
    assert any("签名" in s for s in quiet) and window.year_selector.count() == 2


def test_year_settings_dialog_prefills_the_published_quota(qtbot, main_window, package, quiet):
    from ui.tasklist_year import YearSettingsDialog

    main_window.install_tasklist(str(package))
    dialog = YearSettingsDialog(main_window.ws, 2024)
    qtbot.addWidget(dialog)
    assert dialog.quota.value() == 20 and dialog.households.value() == 12000  # last year's households to check
    dialog.households.setValue(0)
    assert dialog.values() == {"households": None, "quota": 20}  # 0 is not filled in
