"""Backups: verified snapshots, shared evidence pool, rotation, mirror folder, undoable restore."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from models.safety import backup as backup_mod
from models.safety.backup_record import last_result, needs_daily_backup
from models.safety.backup import (
    BackupInfo,
    backup_now,
    create_snapshot,
    list_backups,
    select_kept,
    set_mirror_dir,
)
from models.core.errors import AppError
from models.ledger.entries import delete_entry
from models.safety.restore import newest_good_backup, restore_backup
from safety_helpers import add_entries, attach_photo, filled, fingerprint


def test_backup_restores_the_same_entries_and_evidence_hashes(ws, tmp_path):
    filled(ws, tmp_path)
    before = fingerprint(ws.data_dir)
    info = backup_now(ws.data_dir).info
    assert info.entries == 5 and info.evidence_files == 3 and not info.missing_evidence
    assert (info.path / "ledger.db").is_file() and not (info.path / "ledger.db-wal").exists()

    # Work goes on: more entries, a deletion, an evidence file lost from disk.
    extra = add_entries(ws, 2, start=50)
    delete_entry(ws.db, extra[0], actor="张三")
    sorted((ws.data_dir / "evidence").rglob("*.png"))[0].unlink()

    result = restore_backup(ws.data_dir, info.path, db=ws.db)
    assert result.entries == 5 and not result.missing_evidence
    assert fingerprint(ws.data_dir) == before
    # The restore itself can be undone: the state before it was backed up first.
    assert result.safety_copy is not None and "pre-restore" in result.safety_copy.name
    restore_backup(ws.data_dir, result.safety_copy, db=ws.db)
    assert {e[0] for e in fingerprint(ws.data_dir)["entries"]} >= set(extra)


def test_restore_without_open_connection_replaces_the_file(ws, tmp_path):
    filled(ws, tmp_path)
    before = fingerprint(ws.data_dir)
    info = backup_now(ws.data_dir).info
    add_entries(ws, 3, start=20)
    ws.db.close()  # like the CLI or a damaged start: nobody has the database open
    result = restore_backup(ws.data_dir, info.path / "ledger.db")
    assert fingerprint(ws.data_dir) == before
    assert result.entries == 5
    ws.db = __import__("models.store.connection", fromlist=["open_db"]).open_db(ws.data_dir / "ledger.db")


def test_unchanged_evidence_is_stored_once_across_backups(ws, tmp_path):
    filled(ws, tmp_path, photos=2)
    first = backup_now(ws.data_dir).info
    second = backup_now(ws.data_dir).info
    pool = sorted((first.root / "evidence").rglob("*.png"))
    assert len(pool) == 2 and first.evidence == second.evidence
    # A copy, not a hard link: damage to the original must not reach the backup.
    assert all(p.stat().st_nlink == 1 for p in pool)


def test_damaged_evidence_is_reported_not_silently_backed_up(ws, tmp_path):
    filled(ws, tmp_path, photos=1)
    stored = next((ws.data_dir / "evidence").rglob("*.png"))
    stored.write_bytes(b"not the photo any more")
    outcome = backup_now(ws.data_dir)
    assert len(outcome.info.missing_evidence) == 1 and not outcome.ok
    result = last_result(ws.db)
    assert result["ok"] is False and "缺失或损坏" in result["message"]


def test_mirror_folder_gets_a_copy_and_a_missing_mirror_is_recorded(ws, tmp_path):
    filled(ws, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    set_mirror_dir(ws.db, usb)
    outcome = backup_now(ws.data_dir)
    assert outcome.ok and outcome.mirror is not None and outcome.mirror.root == usb
    assert len(list_backups(ws.data_dir, mirror=usb)) == 2
    usb.rename(tmp_path / "usb-pulled-out")
    outcome = backup_now(ws.data_dir)
    assert not outcome.ok and "不存在" in outcome.mirror_error
    record = last_result(ws.db)
    assert record["ok"] is False and "备份文件夹" in record["message"] and record["path"]
    with pytest.raises(AppError, match="不存在"):
        set_mirror_dir(ws.db, tmp_path / "nowhere")


def test_failed_backup_is_recorded_and_leaves_no_half_snapshot(ws, monkeypatch):
    def broken(source, target):
        target.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_mod, "snapshot_database", broken)
    with pytest.raises(AppError, match="磁盘空间不足"):
        backup_now(ws.data_dir)
    root = ws.data_dir / "backups"
    assert [p.name for p in root.iterdir() if p.name != "pre-migration"] == []
    record = last_result(ws.db)
    assert record["ok"] is False and "磁盘空间不足" in record["message"]
    assert needs_daily_backup(ws.db)


def test_a_killed_backup_leaves_a_tmp_folder_that_is_never_listed(ws):
    stale = ws.data_dir / "backups" / ".tmp-20230101-000000-000000-daily"
    stale.mkdir(parents=True)
    (stale / "ledger.db").write_bytes(b"partial")
    assert list_backups(ws.data_dir) == []
    backup_now(ws.data_dir)
    assert len(list_backups(ws.data_dir)) == 1


def _info(when: dt.datetime, kind: str = "daily") -> BackupInfo:
    return BackupInfo(path=Path(f"/b/{when:%Y%m%d-%H%M%S}-{kind}"), created_at=when, kind=kind,
                      entries=0, deleted_entries=0, evidence_files=0)


def test_rotation_keeps_7_daily_4_weekly_12_monthly():
    start = dt.datetime(2023, 12, 31, 18)
    infos = [_info(start - dt.timedelta(days=d, hours=h)) for d in range(400) for h in (0, 5)]
    kept = select_kept(infos)
    kept_infos = [i for i in infos if i.path in kept]
    days = {i.created_at.date() for i in kept_infos}
    assert all((start - dt.timedelta(days=d)).date() in days for d in range(7))
    months = {(i.created_at.year, i.created_at.month) for i in kept_infos}
    assert len(months) == 12
    assert len(kept) <= 5 + 7 + 4 + 12
    assert {i.path for i in infos[:5]} <= kept  # the newest five always


def test_rotation_removes_old_snapshots_and_unused_pool_files(ws, tmp_path):
    ids = add_entries(ws, 2)
    attach_photo(ws, ids[0], tmp_path, color=(1, 2, 3))
    base = dt.datetime(2023, 1, 1, 12)
    for day in range(10):
        create_snapshot(ws.data_dir, kind="daily", now=base + dt.timedelta(days=day), ledger_id="L")
    remaining = list_backups(ws.data_dir)
    days = sorted(i.created_at.day for i in remaining)
    # 7 newest days, plus 1 Jan: the newest of its ISO week (2022-W52)
    assert days == [1, 4, 5, 6, 7, 8, 9, 10]
    assert len(list((ws.data_dir / "backups" / "evidence").rglob("*.png"))) == 1


def test_backups_of_another_ledger_in_a_shared_mirror_are_left_alone(ws, tmp_path):
    usb = tmp_path / "usb"
    base = dt.datetime(2023, 1, 1, 12)
    for day in range(9):
        create_snapshot(ws.data_dir, kind="daily", root=usb, now=base + dt.timedelta(days=day), ledger_id="other")
    others = [i.path for i in backup_mod.list_snapshots(usb)]
    for day in range(20, 40):
        create_snapshot(ws.data_dir, kind="daily", root=usb, now=base + dt.timedelta(days=day), ledger_id="mine")
    assert [i.path for i in backup_mod.list_snapshots(usb) if i.ledger_id == "other"] == others


def test_listing_shows_date_kind_and_entry_counts(ws, tmp_path):
    filled(ws, tmp_path, entries=4, photos=1)
    delete_entry(ws.db, 1, actor="张三")
    backup_now(ws.data_dir, kind="exit")
    (info,) = list_backups(ws.data_dir)
    assert (info.entries, info.deleted_entries, info.evidence_files) == (3, 1, 1)
    assert info.kind_label == "退出时备份" and info.created_at.date() == dt.date.today()
    assert info.unit == "南大街街道"


def test_damaged_backup_is_refused_and_nothing_changes(ws, tmp_path):
    filled(ws, tmp_path)
    info = backup_now(ws.data_dir).info
    add_entries(ws, 1, start=30)
    before = fingerprint(ws.data_dir)
    raw = bytearray((info.path / "ledger.db").read_bytes())
    raw[5000] ^= 0xFF
    (info.path / "ledger.db").write_bytes(bytes(raw))
    with pytest.raises(AppError, match="已损坏"):
        restore_backup(ws.data_dir, info.path, db=ws.db)
    assert fingerprint(ws.data_dir) == before
    assert newest_good_backup(list_backups(ws.data_dir)) is None


def test_manifest_is_plain_json_with_hashes(ws, tmp_path):
    filled(ws, tmp_path, photos=2)
    info = backup_now(ws.data_dir).info
    manifest = json.loads((info.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["entries"] == 5 and len(manifest["evidence"]) == 2 and len(manifest["db_sha256"]) == 64


def test_backup_copy_is_consistent_while_a_transaction_is_open(ws, tmp_path):
    add_entries(ws, 2)
    with ws.db.atomic():
        add_entries(ws, 3, start=10)
        info = create_snapshot(ws.data_dir)  # runs on its own connection: sees committed data only
    assert info.entries == 2
    conn = sqlite3.connect(info.path / "ledger.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# ---------------------------------------------------------------- the 设置 page panel


def _panel(main_window):
    main_window.navigate("settings")
    return main_window.pages["settings"].backups


def test_panel_backs_up_lists_and_restores_with_confirmation(main_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    ws = main_window.ws
    panel = _panel(main_window)
    assert "还没有备份过" in panel.status.text() and not panel.status.property("failed")
    filled(ws, tmp_path, entries=4, photos=2)
    panel.backup_button.click()
    assert panel.model.rowCount() == 1 and not panel.status.property("failed")
    assert "成功" in panel.status.text()
    assert panel.model.index(0, panel.model.ENTRIES).data() == 4
    assert panel.model.index(0, panel.model.PLACE).data() == "本机"

    before = fingerprint(ws.data_dir)
    add_entries(ws, 3, start=70)
    asked: list[str] = []
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text, *a: told.append(text)))
    panel.table.selectRow(0)
    panel.restore_button.click()
    assert "4 条台账" in asked[0] and "撤销" in asked[0]
    assert told and "已恢复 4 条台账" in told[0]
    assert fingerprint(ws.data_dir) == before
    assert panel.model.rowCount() == 2 and panel.model.infos[0].kind == "pre-restore"


def test_panel_shows_a_failed_backup_in_red(main_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    def full(source, target):
        raise OSError(28, "No space left on device")

    warned: list[str] = []
    monkeypatch.setattr(backup_mod, "snapshot_database", full)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warned.append(text)))
    panel = _panel(main_window)
    panel.backup_button.click()
    assert warned and "磁盘空间不足" in warned[0]
    assert panel.status.property("failed") and "备份失败" in panel.status.text() and "磁盘空间不足" in panel.status.text()
    assert "c53030" in panel.status.styleSheet()
    assert panel.backup_button.isEnabled()


def test_panel_mirror_folder_choice(main_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    usb = tmp_path / "U盘"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(usb)))
    panel = _panel(main_window)
    panel.mirror_button.click()
    assert str(usb) in panel.mirror_label.text()
    panel.backup_button.click()
    places = {panel.model.index(r, panel.model.PLACE).data() for r in range(panel.model.rowCount())}
    assert places == {"本机", f"备份文件夹 {usb}"}
    panel.clear_mirror_button.click()
    assert "未设置" in panel.mirror_label.text()


# ---------------------------------------------------------------- daily and exit backups (GUI)


def test_daily_backup_runs_once_a_day_and_shows_failure(main_window, monkeypatch):
    from ui.data_safety import DailyBackup

    daily = DailyBackup(main_window, main_window.runner, main_window.ws.data_dir, main_window.ws.db)
    daily.tick()
    daily.tick()  # already done today
    assert [i.kind for i in list_backups(main_window.ws.data_dir)] == ["daily"]
    assert "已自动备份" in main_window.statusBar().currentMessage()

    monkeypatch.setattr("models.safety.backup_record.needs_daily_backup", lambda db, now=None: True)
    monkeypatch.setattr(backup_mod, "snapshot_database", lambda s, t: (_ for _ in ()).throw(OSError(28, "full")))
    daily.tick()
    assert "自动备份失败" in main_window.statusBar().currentMessage()
    assert "磁盘空间不足" in main_window.statusBar().currentMessage()
    assert last_result(main_window.ws.db)["ok"] is False


def test_backup_on_exit_and_its_failure_is_shown(ws, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.data_safety import backup_on_exit

    assert backup_on_exit(ws.data_dir) is True
    assert [i.kind for i in list_backups(ws.data_dir)] == ["exit"]
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warned.append(text)))
    monkeypatch.setattr(backup_mod, "snapshot_database", lambda s, t: (_ for _ in ()).throw(OSError(28, "full")))
    assert backup_on_exit(ws.data_dir) is False
    assert warned and "退出时备份失败" in warned[0] and "磁盘空间不足" in warned[0]


def test_panel_exports_and_imports_an_archive(main_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    ws = main_window.ws
    filled(ws, tmp_path, entries=3, photos=1)
    exported = fingerprint(ws.data_dir)
    target = tmp_path / "搬家.zip"
    told: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a: QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text, *a: told.append(text)))
    panel = _panel(main_window)
    panel.export_button.click()
    assert target.exists() and "已导出 3 条台账" in told[-1]
    add_entries(ws, 4, start=80)
    panel.import_button.click()
    assert "已导入 3 条台账" in told[-1]
    assert fingerprint(ws.data_dir) == exported
    assert any(i.kind == "pre-import" and i.entries == 7 for i in panel.model.infos)


def test_restore_from_a_backups_folder_takes_its_newest_snapshot(ws, tmp_path):
    usb = tmp_path / "usb"
    add_entries(ws, 2)
    backup_now(ws.data_dir, to=usb)
    add_entries(ws, 3, start=10)
    newest = backup_now(ws.data_dir, to=usb).info
    add_entries(ws, 1, start=30)
    result = restore_backup(ws.data_dir, usb, db=ws.db)
    assert result.entries == newest.entries == 5


def test_restoring_an_old_backup_keeps_this_pcs_mirror_folder(ws, tmp_path):
    old = backup_now(ws.data_dir).info  # made before a mirror folder was chosen
    usb = tmp_path / "usb"
    usb.mkdir()
    set_mirror_dir(ws.db, usb)
    restore_backup(ws.data_dir, old.path, db=ws.db)
    assert backup_mod.mirror_dir(ws.db) == usb


def test_pool_clean_up_removes_old_unused_files_only(ws, tmp_path):
    import os
    import time

    filled(ws, tmp_path, photos=1)
    info = backup_now(ws.data_dir).info
    pool = info.root / "evidence" / "ff"
    pool.mkdir(parents=True)
    old_unused, new_unused = pool / ("f" * 64 + ".png"), pool / ("f" * 63 + "e.png")
    for path in (old_unused, new_unused):
        path.write_bytes(b"x")
    os.utime(old_unused, (time.time() - 7200, time.time() - 7200))
    used = next(iter(info.evidence.values()))
    os.utime(info.root / used, (time.time() - 7200, time.time() - 7200))
    assert backup_mod.collect_pool(info.root) == 1
    assert not old_unused.exists() and new_unused.exists() and (info.root / used).exists()


def test_restore_refuses_the_live_database_itself_and_missing_paths(ws, tmp_path):
    with pytest.raises(AppError, match="自身"):
        restore_backup(ws.data_dir, ws.data_dir / "ledger.db", db=ws.db)
    with pytest.raises(AppError, match="找不到备份"):
        restore_backup(ws.data_dir, tmp_path / "nothing", db=ws.db)
    (tmp_path / "empty").mkdir()
    with pytest.raises(AppError, match="不是本程序的备份"):
        restore_backup(ws.data_dir, tmp_path / "empty", db=ws.db)
    (tmp_path / "text.db").write_text("hello", encoding="utf-8")
    with pytest.raises(AppError, match="已损坏|无法读取"):
        restore_backup(ws.data_dir, tmp_path / "text.db", db=ws.db)
