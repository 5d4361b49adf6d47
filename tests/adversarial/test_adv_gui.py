"""The GUI meets a folder that will not open (deliver 2): a Chinese dialog offering the newest good backup."""

from __future__ import annotations

import os
import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox

from adv_helpers import CHINESE, ledger  # noqa: F401
from models.safety.backup import list_backups


@pytest.mark.parametrize("kind", ["garbage", "foreign"])
def test_startup_explains_and_offers_the_newest_good_backup(qtbot, ledger, monkeypatch, kind):
    from ui.data_safety import startup_check

    db = ledger / "ledger.db"
    for side in ("ledger.db-wal", "ledger.db-shm"):
        (ledger / side).unlink(missing_ok=True)
    if kind == "garbage":
        db.write_bytes(os.urandom(8192))
    else:
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, x TEXT)")
        conn.execute("CREATE TABLE evidence_files (sha256 TEXT)")
        conn.commit()
        conn.close()
    raw = db.read_bytes()
    shown: list[QMessageBox] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box)
        return 0  # the user closes the dialog (退出)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert startup_check(ledger) is False
    box = shown[0]
    text = box.text() + box.informativeText()
    assert CHINESE.search(text) and "Traceback" not in text
    good = list_backups(ledger)[0]
    assert f"{good.created_at:%Y-%m-%d %H:%M}" in box.informativeText()  # the offer
    assert any(b.text() == "从该备份恢复" for b in box.buttons())
    assert db.read_bytes() == raw  # not opened for writing


def test_a_read_only_mount_opens_for_reading_in_the_gui(qtbot, ledger, tmp_path, monkeypatch):
    import subprocess

    from adv_helpers import fingerprint
    from models.core.errors import AppError
    from models.ledger.drafts import save_unsaved
    from safety_helpers import add_entries

    view = tmp_path / "ro-view"
    view.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or subprocess.run(
            ["mount", "--bind", str(ledger), str(view)], capture_output=True).returncode != 0:
        pytest.skip("bind mounts not permitted here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True).returncode != 0:
            pytest.skip("read-only remount not permitted here")
        from ui.app import open_or_explain
        from ui.main_window import PAGES, MainWindow

        before = fingerprint(ledger)
        told: list[str] = []
        monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
        ws = open_or_explain(view)
        assert ws is not None and ws.read_only and "只读" in told[0]
        try:
            window = MainWindow(ws)
            qtbot.addWidget(window)
            for key, _, _ in PAGES:
                window.navigate(key)  # every page reads
            save_unsaved(ws.db, {"title": "打字中"})  # the editor's draft: silently not kept
            with pytest.raises(AppError, match="只读"):
                add_entries(ws, 1, start=50)
        finally:
            ws.close()
        assert fingerprint(ledger) == before
    finally:
        subprocess.run(["umount", "-l", str(view)], capture_output=True)
