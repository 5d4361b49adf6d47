"""Property-based: arbitrary input never half-writes and never fails without a message.

* arbitrary rows to the Excel ledger import (``models.ledger.excel_import.import_workbook``):
  either every good row is in, with its measures and audit rows, or nothing is, and
  the only exceptions are AppError/ValidationError with a Chinese message;
* arbitrary bytes (and single-byte mutations of a real archive) to the archive import:
  always refused with an AppError, the target folder untouched;
* arbitrary bytes and zip-shaped junk to the district report import
  (``models.district.consolidation.import_report_file``): refused with a reason, no report
  stored.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from models.safety.archive import export_archive, import_archive
from models.core.errors import AppError
from models.ledger.excel_import import DATA_SHEET, import_workbook, template_headers
from models.store.settings import save_profile
from models.store.workspace import open_workspace
from conftest import make_profile
from safety_helpers import add_entries, tree

TODAY = dt.date(2026, 11, 28)
# Modest: CI has two cores. database=None: no .hypothesis folder in the checkout.
SETTINGS = settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def module_ws(tmp_path_factory):
    ws = open_workspace(tmp_path_factory.mktemp("prop") / "data")
    save_profile(ws.db, make_profile())
    yield ws
    ws.close()


def _counts(db) -> tuple[int, int, int, int]:
    conn: sqlite3.Connection = db.conn
    return (
        conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0],
        conn.execute("SELECT COUNT(*) FROM entry_measures").fetchone()[0],
        conn.execute("SELECT COUNT(*) FROM audit_log WHERE table_name = 'entries' AND action = 'create'").fetchone()[0],
        conn.execute("SELECT COUNT(*) FROM entry_measures WHERE entry_id NOT IN (SELECT id FROM entries)").fetchone()[0],
    )


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
_cell = st.one_of(
    st.none(), _text, st.integers(-10**6, 10**9), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), st.booleans(),
    st.sampled_from(["6", 6, 1, 33, "2023-06-12", "2023/7/1", "2023年8月3日", "入户宣传", "会议", "100", "１２", "-5"]),
)


HOUSEHOLDS_COL = 16  # 入户宣传户数（户） in the template's column order (asserted below; after 受访户数, 统计公益广告总数)


@st.composite
def _plausible_row(draw, junk: bool = True) -> list:
    """A row that is often valid (task 6 入户宣传), with one or two cells replaced by junk."""
    row: list = [None] * 23
    row[0] = draw(st.sampled_from([6, "6", 6.0]))
    row[1] = draw(st.dates(dt.date(2023, 1, 1), dt.date(2023, 12, 31)))
    row[2] = "入户宣传"
    row[3] = draw(_text.filter(str.strip)) or "入户宣传"
    row[HOUSEHOLDS_COL] = draw(st.integers(0, 5000))
    for _ in range(draw(st.integers(0, 2)) if junk else 0):
        row[draw(st.integers(0, 22))] = draw(_cell)
    return row


@SETTINGS
@given(rows=st.one_of(
    st.lists(st.one_of(st.lists(_cell, min_size=1, max_size=16), _plausible_row()), min_size=1, max_size=6),
    st.lists(_plausible_row(junk=False), min_size=1, max_size=4),
), keep_header=st.booleans())
def test_arbitrary_rows_to_excel_import_are_all_or_nothing(module_ws, rows, keep_header):
    ws = module_ws
    headers = template_headers(ws.tasks())
    assert headers[HOUSEHOLDS_COL] == "入户宣传户数（户）"
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    if keep_header:
        sheet.append(headers)
    for row in rows:
        sheet.append(row[: len(headers)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "台账.xlsx"
        book.save(path)
        before = _counts(ws.db)
        try:
            result = import_workbook(ws.db, path, ws.tasklist, ws.tasks(), actor="张三", today=TODAY)
        except AppError as exc:
            event("refused")  # ValidationError is an AppError
            assert str(exc).strip()
            assert _counts(ws.db) == before, "a refused import wrote something"
        else:
            event(f"imported {min(result.imported, 1)}+")
            after = _counts(ws.db)
            assert after[0] == before[0] + result.imported
            assert after[2] == before[2] + result.imported  # each entry has its audit row
    assert _counts(ws.db)[3] == 0  # no orphan measures, ever
    assert not ws.db.conn.in_transaction


@pytest.fixture(scope="module")
def archive_bytes(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("arch")
    ws = open_workspace(folder / "data")
    try:
        save_profile(ws.db, make_profile())
        add_entries(ws, 3)
        return export_archive(ws.data_dir, folder / "a.zip").path.read_bytes()
    finally:
        ws.close()


def _assert_refused(payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "迁移包.zip"
        path.write_bytes(payload)
        target = Path(folder) / "target"
        with pytest.raises(AppError) as info:
            import_archive(path, target)
        assert str(info.value).strip()
        assert tree(target) == {}
        assert sorted(p.name for p in Path(folder).iterdir()) == ["迁移包.zip"]  # no temp folder left


@SETTINGS
@given(payload=st.one_of(st.binary(max_size=2048), st.binary(max_size=512).map(lambda b: b"PK\x03\x04" + b)))
def test_arbitrary_bytes_to_archive_import_are_refused(payload):
    _assert_refused(payload)


@SETTINGS
@given(data=st.data())
def test_any_single_byte_change_to_an_archive_is_refused(archive_bytes, data):
    offset = data.draw(st.integers(0, len(archive_bytes) - 1))
    flip = data.draw(st.integers(1, 255))
    bad = bytearray(archive_bytes)
    bad[offset] ^= flip
    _assert_refused(bytes(bad))


def _zip_junk(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


_xlsx_names = st.sampled_from(["xl/workbook.xml", "[Content_Types].xml", "xl/worksheets/sheet1.xml",
                               "xl/_rels/workbook.xml.rels", "_rels/.rels", "docProps/custom.xml"])


@SETTINGS
@given(payload=st.one_of(
    st.binary(max_size=2048),
    st.dictionaries(_xlsx_names, st.one_of(st.binary(max_size=300), _text.map(lambda t: f"<?xml version='1.0'?><a>{t}</a>".encode()))).map(_zip_junk),
))
def test_arbitrary_bytes_to_report_import_store_nothing(module_ws, payload):
    from models.district.consolidation import REFUSED, import_report_file

    ws = module_ws
    before = ws.db.conn.execute("SELECT (SELECT COUNT(*) FROM district_reports WHERE status = 'ok'),"
                                " (SELECT COUNT(*) FROM district_values)").fetchone()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "南大街街道_2023-06_月报.xlsx"
        path.write_bytes(payload)
        try:
            outcome = import_report_file(ws, path)
        except AppError as exc:
            assert str(exc).strip()
        else:
            assert outcome.state == REFUSED and outcome.reason.strip()
    after = ws.db.conn.execute("SELECT (SELECT COUNT(*) FROM district_reports WHERE status = 'ok'),"
                               " (SELECT COUNT(*) FROM district_values)").fetchone()
    assert after == before
    assert not ws.db.conn.in_transaction
