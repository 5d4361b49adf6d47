"""Integrity: quick check at start, full check of database and every evidence file, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.safety.backup import backup_now, list_backups
from models.safety.integrity import DatabaseDamagedError, check, ensure_intact, quick_check
from models.safety.restore import newest_good_backup
from safety_helpers import filled, fingerprint
from cli_helpers import Completed, run_cli

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> Completed:
    return run_cli(*args)


def damage_page(db_path: Path, page: int = 3) -> None:
    raw = bytearray(db_path.read_bytes())
    for i in range(4096 * (page - 1) + 8, 4096 * (page - 1) + 200):
        raw[i] ^= 0x5A
    db_path.write_bytes(bytes(raw))


def test_intact_ledger_passes(ws, tmp_path):
    filled(ws, tmp_path)
    assert quick_check(ws.db_path) == [] and check(ws.data_dir) == []
    ensure_intact(ws.data_dir)


def test_missing_and_altered_evidence_are_named_in_chinese(ws, tmp_path):
    filled(ws, tmp_path, photos=3)
    files = sorted((ws.data_dir / "evidence").rglob("*.png"))
    files[0].unlink()
    files[1].write_bytes(files[1].read_bytes()[:-1] + b"\0")
    problems = check(ws.data_dir)
    assert len(problems) == 2
    assert any("缺失" in p and files[0].name in p for p in problems)
    assert any("哈希值不符" in p and files[1].name in p for p in problems)


def test_damaged_database_is_found_by_quick_check(ws, tmp_path):
    filled(ws, tmp_path, entries=40, photos=0)
    ws.close()
    damage_page(ws.db_path)
    problems = quick_check(ws.db_path)
    assert problems and all("损坏" in p or "无法" in p for p in problems)
    with pytest.raises(DatabaseDamagedError, match="已损坏") as info:
        ensure_intact(ws.data_dir)
    assert info.value.problems == problems
    assert check(ws.data_dir)


def test_header_damage_is_reported_not_raised(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "ledger.db").write_bytes(b"this is no database" * 300)
    problems = check(data_dir)
    assert problems and "无法" in problems[0]


def test_cli_check_and_restore_of_a_damaged_database(ws, tmp_path):
    filled(ws, tmp_path, entries=40, photos=2)
    good = fingerprint(ws.data_dir)
    info = backup_now(ws.data_dir).info
    ws.close()
    data = str(ws.data_dir)
    ok = cli("--data-dir", data, "check")
    assert ok.returncode == 0 and "检查通过" in ok.stdout

    damage_page(ws.db_path)
    bad = cli("--data-dir", data, "check")
    assert bad.returncode != 0 and "损坏" in bad.stdout and "Traceback" not in bad.stderr

    assert newest_good_backup(list_backups(ws.data_dir)) == info
    restored = cli("--data-dir", data, "restore", str(info.path))
    assert restored.returncode == 0, restored.stderr
    assert "40 条台账" in restored.stdout and "恢复前的数据已保存在" in restored.stdout
    assert cli("--data-dir", data, "check").returncode == 0
    assert fingerprint(ws.data_dir) == good
    # the damaged file was kept aside, not thrown away
    aside = [p for p in (ws.data_dir / "backups").iterdir() if p.name.startswith("damaged-")]
    assert len(aside) == 1 and (aside[0] / "ledger.db").exists()


def test_cli_check_reports_missing_evidence_with_exit_code(ws, tmp_path):
    filled(ws, tmp_path, photos=1)
    ws.close()
    next((ws.data_dir / "evidence").rglob("*.png")).unlink()
    result = cli("--data-dir", str(ws.data_dir), "check")
    assert result.returncode == 1 and "佐证文件缺失" in result.stdout


# ---------------------------------------------------------------- start-up in the GUI


def _click(text: str):
    def fake_exec(box):
        shown.append(box.text() + "\n" + box.informativeText() + "\n" + box.detailedText())
        buttons = [b for b in box.buttons() if b.text() == text]
        if buttons:
            buttons[0].click()
        return 0

    shown: list[str] = []
    return fake_exec, shown


def test_gui_start_on_damaged_database_offers_newest_good_backup(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=1)
    good = fingerprint(ws.data_dir)
    backup_now(ws.data_dir)
    ws.close()
    damage_page(ws.db_path)
    damaged = ws.db_path.read_bytes()
    fake_exec, shown = _click("从该备份恢复")
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text, *a: told.append(text)))
    assert startup_check(ws.data_dir) is True
    assert "已损坏" in shown[0] and "40 条台账" in shown[0] and "是否从该备份恢复" in shown[0]
    assert told and "已从备份恢复 40 条台账" in told[0]
    assert fingerprint(ws.data_dir) == good and check(ws.data_dir) == []
    aside = next(p for p in (ws.data_dir / "backups").iterdir() if p.name.startswith("damaged-"))
    assert (aside / "ledger.db").read_bytes() == damaged  # kept, byte for byte


def test_gui_start_on_damaged_database_without_backup_changes_nothing(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=0)
    ws.close()
    damage_page(ws.db_path)
    damaged = ws.db_path.read_bytes()
    fake_exec, shown = _click("退出")
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert startup_check(ws.data_dir) is False
    assert "没有找到可用的备份" in shown[0]
    assert ws.db_path.read_bytes() == damaged


def test_gui_start_on_damaged_database_can_restore_from_a_usb_backup(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=1)
    good = fingerprint(ws.data_dir)
    usb = tmp_path / "usb"
    backup_now(ws.data_dir, to=usb)
    ws.close()
    damage_page(ws.db_path)
    fake_exec, shown = _click("选择其他备份文件夹…")
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a: None))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(usb)))
    assert startup_check(ws.data_dir) is True
    assert fingerprint(ws.data_dir) == good


def test_gui_start_declining_the_restore_changes_nothing(ws, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.data_safety import startup_check

    filled(ws, tmp_path, entries=40, photos=0)
    backup_now(ws.data_dir)
    ws.close()
    damage_page(ws.db_path)
    damaged = ws.db_path.read_bytes()
    fake_exec, shown = _click("退出")
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert startup_check(ws.data_dir) is False
    assert ws.db_path.read_bytes() == damaged
