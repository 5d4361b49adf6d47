"""Lying workbooks (deliver 5): a declared dimension is never trusted, rows/columns/cells/time bounded."""

from __future__ import annotations

import datetime as dt
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from models.core import workbook_guard
from models.core.errors import AppError
from models.district.consolidation import REFUSED, import_reports
from models.ledger.excel_import import import_workbook
from models.reporting.export import export_monthly

TODAY = dt.date(2026, 11, 28)
HEADERS = ["任务序号", "日期", "台账类型", "标题", "入户宣传户数（户）"]


def _workbook(path: Path, rows: int) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(HEADERS)
    for n in range(rows):
        sheet.append([6, dt.datetime(2023, 6, 1 + n % 28), "入户宣传", f"入户宣传第{n}批", 100 + n])
    book.save(path)
    return path


def _rewrite_sheet(source: Path, target: Path, change, *, sheet: str | None = None) -> Path:
    """Copy an .xlsx, changing the XML of its first (or the named) worksheet."""
    with zipfile.ZipFile(source) as src:
        names = src.namelist()
        wanted = "xl/worksheets/sheet1.xml"
        if sheet is not None:
            workbook_xml = src.read("xl/workbook.xml").decode()
            rels = src.read("xl/_rels/workbook.xml.rels").decode()
            rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', workbook_xml).group(1)
            element = next(e for e in re.findall(r"<Relationship [^>]*>", rels) if f'Id="{rid}"' in e)
            wanted = "xl/" + re.search(r'Target="/?(?:xl/)?([^"]+)"', element).group(1)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in names:
                data = src.read(name)
                if name == wanted:
                    data = change(data.decode("utf-8")).encode("utf-8")
                dst.writestr(name, data)
    return target


def _dimension(ref: str):
    def change(xml: str) -> str:
        if "<dimension" in xml:
            return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
        return xml.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1)
    return change


def _import(ws, path: Path):
    return import_workbook(ws.db, path, ws.tasklist, ws.tasks(), actor="张三", today=TODAY)


def _count(ws) -> int:
    return ws.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


def test_a_lying_dimension_neither_exhausts_memory_nor_hangs(ws, tmp_path):
    lying = _rewrite_sheet(_workbook(tmp_path / "a.xlsx", 5), tmp_path / "lying.xlsx", _dimension("A1:XFD1048576"))
    assert lying.stat().st_size < 10_000
    tracemalloc.start()
    started = time.monotonic()
    result = _import(ws, lying)
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.rows == 5 and _count(ws) == 5
    assert elapsed < 5 and peak < 50 * 1024 * 1024, (elapsed, peak)


def test_a_stale_dimension_drops_no_row(ws, tmp_path):
    stale = _rewrite_sheet(_workbook(tmp_path / "a.xlsx", 50), tmp_path / "stale.xlsx", _dimension("A1:E2"))
    result = _import(ws, stale)
    assert result.rows == 50 and _count(ws) == 50 and "50" in result.summary()


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol%s;" % ("" if n == 1 else n - 1)) * 10}">' for n in range(1, 10))
          + "]>")


@pytest.mark.parametrize("attack", ["wide_row", "far_row", "slow", "many_cells", "entities", "not_xml"])
def test_real_excess_is_refused_quickly_and_nothing_saved(ws, tmp_path, monkeypatch, attack):
    base = _workbook(tmp_path / "a.xlsx", 3)
    if attack == "wide_row":
        crafted = _rewrite_sheet(base, tmp_path / "w.xlsx", lambda x: x.replace(
            "</row>", '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', 2).replace(
            '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', "</row>", 1))
        expect = "列"
    elif attack == "far_row":
        crafted = _rewrite_sheet(base, tmp_path / "f.xlsx", lambda x: x.replace(
            "</sheetData>", '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
        expect = "行"
    elif attack == "slow":
        crafted = base
        monkeypatch.setattr(workbook_guard, "LIMITS", workbook_guard.Limits(seconds=0.0))
        expect = "秒"
    elif attack == "entities":  # "billion laughs" inside the sheet
        crafted = _rewrite_sheet(base, tmp_path / "e.xlsx", lambda x: LAUGHS + x.split("?>", 1)[-1].replace(
            "</sheetData>", '<row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>'))
        expect = "损坏"
    elif attack == "not_xml":
        crafted = _rewrite_sheet(base, tmp_path / "x.xlsx", lambda x: x[: len(x) // 2])
        expect = "损坏"
    else:
        crafted = base
        monkeypatch.setattr(workbook_guard, "LIMITS", workbook_guard.Limits(cells=10))
        expect = "单元格"
    started = time.monotonic()
    with pytest.raises(AppError) as info:
        _import(ws, crafted)
    assert time.monotonic() - started < 5
    assert expect in str(info.value) and "Traceback" not in str(info.value)
    assert _count(ws) == 0


def test_one_bad_file_never_stalls_a_folders_consolidation(make_ws, tmp_path):
    unit = make_ws("南大街街道")
    good = export_monthly(unit, "2023-06", tmp_path / "mail").xlsx
    district = make_ws("区垃分办")
    (tmp_path / "mail2").mkdir()
    lying = _rewrite_sheet(good, tmp_path / "mail2" / "lying.xlsx", _dimension("A1:XFD1048576"), sheet="指标数据")
    stale = _rewrite_sheet(good, tmp_path / "mail2" / "stale.xlsx", _dimension("A1:B2"), sheet="指标数据")
    far = _rewrite_sheet(good, tmp_path / "mail2" / "far.xlsx", lambda x: x.replace(
        "</sheetData>", '<row r="1048000"><c r="A1048000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'),
        sheet="指标数据")
    started = time.monotonic()
    outcomes = import_reports(district, [far, lying, stale, good])
    assert time.monotonic() - started < 20
    by_name = {o.path.name: o for o in outcomes}
    assert by_name["far.xlsx"].state == REFUSED and "行" in by_name["far.xlsx"].reason
    # The lying and the stale dimension read the real rows: the digest matches, all values arrive.
    assert by_name["lying.xlsx"].state != REFUSED, by_name["lying.xlsx"].reason
    assert by_name["stale.xlsx"].state != REFUSED, by_name["stale.xlsx"].reason
    counts = {r[0]: r[1] for r in district.db.execute(
        "SELECT r.file_name, COUNT(v.code) FROM district_reports r LEFT JOIN district_values v ON v.report_id = r.id"
        " GROUP BY r.id")}
    assert counts["lying.xlsx"] > 5 and counts["lying.xlsx"] == counts.get("stale.xlsx", counts["lying.xlsx"])
