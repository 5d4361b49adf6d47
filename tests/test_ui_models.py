"""The table models in ui/models/, each read without a view (the ledger's has its own file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from models.safety.snapshots import BackupInfo
from models.reporting.submissions import PeriodState
from ui.models.backup_table_model import BackupTableModel
from ui.models.report_models import StatesModel
from ui.models.rows_model import RowsModel

DISPLAY, TIP, BG = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole


def test_rows_model_colours_status_words_and_keeps_tips(qapp):
    model = RowsModel(["单位", "1月", "2月"], colour_cols=(1, 2))
    model.set_rows([["南大街街道", "已报送", "未报送"]], tips={(0, 2): "截止 2023-02-10，未收到"})
    assert (model.rowCount(), model.columnCount()) == (1, 3)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "1月"
    assert model.data(model.index(0, 1)) == "已报送"
    assert model.data(model.index(0, 1), BG).color().name() == "#c6f6d5"
    assert model.data(model.index(0, 0), BG) is None  # the unit column is never coloured
    assert model.data(model.index(0, 2), TIP) == "截止 2023-02-10，未收到"
    assert model.data(model.index(0, 1), TIP) is None
    model.set_rows([], header=["单位"])
    assert (model.rowCount(), model.columnCount()) == (0, 1)


def test_backup_model_newest_first_with_missing_files_and_place(qapp, tmp_path: Path):
    local = tmp_path / "backups"
    infos = [
        BackupInfo(local / "b2", dt.datetime(2023, 6, 30, 17, 5), "daily", 120, 3, 40, missing_evidence=["a.jpg"]),
        BackupInfo(tmp_path / "usb" / "b1", dt.datetime(2023, 6, 1, 9, 0), "manual", 100, 0, 30),
    ]
    model = BackupTableModel()
    model.set_backups(infos, local_root=local)
    assert model.rowCount() == 2 and model.columnCount() == len(BackupTableModel.COLUMNS)
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row[BackupTableModel.TIME] == "2023-06-30 17:05"
    assert row[BackupTableModel.FILES] == "40（缺 1）"
    assert row[BackupTableModel.PLACE] == "本机"
    assert model.data(model.index(1, BackupTableModel.PLACE)).startswith("备份文件夹")
    assert model.data(model.index(1, 0), BackupTableModel.InfoRole) is infos[1]


def test_states_model_shows_version_submission_and_unlock_reason(qapp):
    states = [
        PeriodState("monthly", "2023-05", "submitted", 1, None, submitted_at="2023-06-03T10:00:00"),
        PeriodState("monthly", "2023-06", "unlocked", 2, None, unlocked_at="2023-07-02T09:00:00", unlock_reason="补录"),
        PeriodState("quarterly", "2023Q3", "none", 1, None),
    ]
    model = StatesModel()
    model.set_states(states)
    cells = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(3)]
    assert cells[0][2:4] == ["已报送", "第1版"] and cells[0][5] == "2023-06-03 10:00:00"
    assert cells[1][2] == "已解锁" and cells[1][6] == "补录" and cells[1][5] == ""
    assert cells[2][2:4] == ["未生成", ""]
    assert model.data(model.index(0, 2), Qt.ItemDataRole.ForegroundRole).color().name() == "#2f855a"


def test_ledger_model_shows_a_text_field_as_written_and_numbers_with_units(qapp, ws):
    from models.ledger.entries import add_entry
    from models.ledger.validation import EntryDraft
    from ui.models.ledger_table_model import COL_MEASURES, LedgerTableModel

    add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(16, "2023-05-10", "中转场建设", "玻璃中转场建成",
                                                          measures={"site_name": "北港中转场", "site_area": 200}), actor="张三")
    model = LedgerTableModel(ws.db, ws.tasks())
    model.refresh()
    assert model.data(model.index(0, COL_MEASURES)) == "中转场名称 北港中转场；中转场面积 200平方米"
