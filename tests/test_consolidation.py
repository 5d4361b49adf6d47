"""Importing the units' monthly reports: real exports from several unit workspaces.

``make_unit_reports`` is shared with the other district test modules: it sets up unit
installations, records ledger entries and communities, and exports their reports with
the units' own exporter (models.reporting), generated at chosen times in July 2023.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import make_profile
from models.core import workbook_guard
from models.district import consolidation
from models.ledger.communities import add_community
from models.ledger.evaluations import record_evaluation
from models.district.consolidation import (
    CHECKSUM_FAILED,
    DUPLICATE,
    IMPORTED,
    OLDER,
    REFUSED,
    REPLACED,
    import_report_file,
    import_reports,
)
from models.district.views import version_history
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry
from models.reporting.export import prepare, record, render_report
from models.store.settings import save_profile
from models.reporting.submissions import submit, unlock
from models.store.workspace import Workspace, open_workspace

MONTH = "2023-06"


def _unit(root: Path, unit: str, quota: int = 10) -> Workspace:
    ws = open_workspace(root / f"ws-{unit}")
    save_profile(ws.db, make_profile(unit, standard_quota=quota))
    return ws


def _communities(ws: Workspace, count: int, *, start: int = 0) -> None:
    for n in range(start, start + count):
        add_community(ws.db, f"{ws.unit.name}小区{n}", year=2023, actor="张三")
        record_evaluation(ws.db, ws.tasklist, f"{ws.unit.name}小区{n}", eval_date=f"2023-06-{n + 1:02d}", total=96,
                          actor="张三", today=dt.date(2023, 12, 31))


def _glass_site(ws: Workspace) -> None:
    add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(task_seq=16, entry_date="2023-06-10", entry_type="中转场建设",
                                                         title="建成废玻璃中转场", measures={"site_name": "西林废玻璃中转场", "site_area": 200}),
              actor="张三", today=dt.date(2023, 12, 31))


def export_at(ws: Workspace, out: Path, when: dt.datetime) -> Path:
    """The unit's real export, as if its PC clock read ``when``."""
    report = prepare(ws, "monthly", MONTH)
    report.generated_at = when
    result = record(ws, report, render_report(report, out, data_dir=ws.data_dir))
    return result.xlsx


def tamper(src: Path, dst: Path) -> Path:
    """What a user does in Excel: change a 完成值 and save."""
    wb = load_workbook(src)
    sheet = wb["指标数据"]
    for row in sheet.iter_rows(min_row=2):
        if row[3].value == "T12_NEW_STANDARD":
            row[6].value = (row[6].value or 0) + 20
    wb.save(dst)
    return dst


def make_unit_reports(root: Path) -> dict[str, Path]:
    """南大街 on time (T12 = 2, one glass site); 荷花池 v1 (T12 = 3) then v2 after unlock (T12 = 4,
    one glass site); 新闸 edited after export; 邹区镇 late (generated 20 July)."""
    files: dict[str, Path] = {}
    nan = _unit(root, "南大街街道", 15)
    _communities(nan, 2)
    _glass_site(nan)
    files["nandajie"] = export_at(nan, root / "mail-1", dt.datetime(2023, 7, 3, 9, 30))
    he = _unit(root, "荷花池街道", 12)
    _communities(he, 3)
    files["hehuachi_v1"] = export_at(he, root / "mail-1", dt.datetime(2023, 7, 2, 16, 0))
    submit(he, "monthly", MONTH)
    unlock(he, "monthly", MONTH, reason="补录遗漏的达标小区测评")
    _communities(he, 1, start=3)
    _glass_site(he)
    files["hehuachi_v2"] = export_at(he, root / "mail-2", dt.datetime(2023, 7, 12, 10, 0))
    xin = _unit(root, "新闸街道", 12)
    _communities(xin, 1)
    original = export_at(xin, root / "original", dt.datetime(2023, 7, 4, 11, 0))
    files["xinzha_edited"] = tamper(original, root / "mail-1" / original.name)
    zou = _unit(root, "邹区镇", 5)
    files["zouqu"] = export_at(zou, root / "mail-1", dt.datetime(2023, 7, 20, 8, 0))
    for ws in (nan, he, xin, zou):
        ws.close()
    return files


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_unit_reports(tmp_path_factory.mktemp("units"))


@pytest.fixture
def district(make_ws) -> Workspace:
    ws = make_ws("区垃分办")
    assert ws.unit.kind == "district" and ws.tasks() == []
    return ws


def _values(ws: Workspace, unit: str) -> dict[str, float | None]:
    rows = ws.db.query("SELECT v.code, v.value FROM district_values v JOIN district_reports r ON r.id = v.report_id"
                       " WHERE r.unit = ? AND r.current = 1", [unit])
    return {r["code"]: r["value"] for r in rows}


def test_folder_of_reports_is_imported_and_checked(district, reports):
    outcomes = import_reports(district, [reports["nandajie"].parent, reports["hehuachi_v2"]])
    by_unit = {(o.unit, o.version): o for o in outcomes}
    assert by_unit[("南大街街道", 1)].state == IMPORTED
    assert by_unit[("邹区镇", 1)].state == IMPORTED
    assert by_unit[("新闸街道", 1)].state == CHECKSUM_FAILED
    assert "修改" in by_unit[("新闸街道", 1)].reason or "改动" in by_unit[("新闸街道", 1)].reason
    assert by_unit[("荷花池街道", 2)].state == REPLACED and by_unit[("荷花池街道", 2)].replaced_version == 1
    assert _values(district, "南大街街道")["T12_NEW_STANDARD"] == 2
    assert _values(district, "荷花池街道")["T12_NEW_STANDARD"] == 4
    assert _values(district, "新闸街道") == {}  # the edited file is kept but never counted
    failed = list(district.db.query("SELECT status, current FROM district_reports WHERE unit = '新闸街道'"))
    assert failed == [{"status": "checksum_failed", "current": 0}]


def test_resubmission_replaces_in_either_order_and_history_is_kept(district, reports):
    assert import_report_file(district, reports["hehuachi_v2"]).state == IMPORTED
    older = import_report_file(district, reports["hehuachi_v1"])
    assert older.state == OLDER and "第2版" in older.reason
    assert _values(district, "荷花池街道")["T12_NEW_STANDARD"] == 4
    history = [v for v in version_history(district.db, period=MONTH) if v.unit == "荷花池街道"]
    assert [(v.version, v.state) for v in history] == [(2, "当前版本"), (1, "已被替换")]


def test_same_file_twice_is_not_duplicated(district, reports, tmp_path):
    first = import_report_file(district, reports["nandajie"])
    copy = shutil.copy(reports["nandajie"], tmp_path / "转发的副本.xlsx")
    again = import_report_file(district, copy)
    assert first.state == IMPORTED and again.state == DUPLICATE
    assert district.db["district_reports"].count == 1


def test_a_copy_saved_again_unchanged_is_valid_and_not_counted_twice(district, reports, tmp_path):
    resaved = tmp_path / "另存.xlsx"
    load_workbook(reports["zouqu"]).save(resaved)  # opened in Excel and saved, nothing changed
    assert import_report_file(district, resaved).state == IMPORTED
    again = import_report_file(district, reports["zouqu"])
    assert again.state == DUPLICATE and "相同" in again.reason
    assert district.db["district_reports"].count == 1


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    return path


def _foreign_workbook(path: Path) -> Path:
    wb = Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(path)
    return path


def _with_meta(src: Path, dst: Path, **changes: object) -> Path:
    wb = load_workbook(src)
    for row in wb["报表信息"].iter_rows(min_row=2):
        if row[0].value in changes:
            row[1].value = changes[str(row[0].value)]
    wb.save(dst)
    return dst


def test_bad_files_are_refused_with_reasons_and_never_stop_the_others(district, reports, tmp_path, monkeypatch):
    good = reports["nandajie"]
    text = tmp_path / "说明.xlsx"
    text.write_text("这不是表格", encoding="utf-8")
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    truncated = tmp_path / "截断.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    bomb = _bomb(tmp_path / "bomb.xlsx")
    foreign = _foreign_workbook(tmp_path / "通讯录.xlsx")
    future = _with_meta(good, tmp_path / "v2.xlsx", format_version=2)
    stranger = _with_meta(good, tmp_path / "unknown.xlsx", unit="火星街道")
    bad_month = _with_meta(good, tmp_path / "month.xlsx", period="2023-13")
    quarterly = _with_meta(good, tmp_path / "quarter.xlsx", kind="quarterly")
    pdf = tmp_path / "报表.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    real_load = workbook_guard.load_workbook

    def guarded_load(path, *args, **kwargs):
        assert Path(path) != bomb, "zip bomb must be refused before openpyxl opens it"
        assert kwargs.get("read_only") and kwargs.get("data_only")
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(workbook_guard, "load_workbook", guarded_load)
    paths = [text, empty, truncated, bomb, foreign, future, stranger, bad_month, quarterly, pdf,
             tmp_path / "不存在.xlsx", good]
    outcomes = import_reports(district, paths)
    reasons = {o.path.name: o.reason for o in outcomes if o.state == REFUSED}
    assert set(reasons) == {p.name for p in paths[:-1]}
    assert "不是 Excel" in reasons["说明.xlsx"]
    assert "空" in reasons["空.xlsx"]
    assert "损坏" in reasons["截断.xlsx"] or "不完整" in reasons["截断.xlsx"]
    assert "压缩炸弹" in reasons["bomb.xlsx"]
    assert "不是本程序导出" in reasons["通讯录.xlsx"]
    assert "格式版本 2" in reasons["v2.xlsx"]
    assert "火星街道" in reasons["unknown.xlsx"]
    assert "2023-13" in reasons["month.xlsx"]
    assert "季度" in reasons["quarter.xlsx"]
    assert outcomes[-1].state == IMPORTED  # the good file still went in
    assert district.db["district_reports"].count == 1
    refused = [v for v in version_history(district.db) if v.state == "已拒收"]
    assert {v.file_name for v in refused} == set(reasons)


def test_a_failure_midway_leaves_nothing_half_imported(district, reports, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(consolidation, "_recompute_current", boom)
    with pytest.raises(RuntimeError):
        import_report_file(district, reports["nandajie"])
    assert district.db["district_reports"].count == 0
    assert district.db["district_values"].count == 0


def test_progress_is_reported_per_file(district, reports):
    seen: list[tuple[int, int]] = []
    import_reports(district, [reports["nandajie"], reports["zouqu"]], progress=lambda d, t, _: seen.append((d, t)))
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_folder_import_skips_excel_lock_files_and_non_xlsx(district, reports, tmp_path):
    folder = tmp_path / "邮件附件"
    folder.mkdir()
    shutil.copy(reports["zouqu"], folder / reports["zouqu"].name)
    (folder / "~$正在打开.xlsx").write_bytes(b"lock")
    (folder / "报表.pdf").write_bytes(b"%PDF")
    outcomes = import_reports(district, [folder])
    assert [o.state for o in outcomes] == [IMPORTED]
    assert io.StringIO(outcomes[0].describe()).read().startswith(reports["zouqu"].name)
