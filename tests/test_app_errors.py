"""Errors never vanish: a rotating log in the data folder, and a Chinese message in the GUI."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QMessageBox

from models.core.logsetup import log_path, setup_logging


def test_unhandled_exception_is_logged_and_shown_in_chinese(qtbot, data_dir, monkeypatch):
    from ui.app import install_excepthook

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    old_hook = sys.excepthook
    try:
        setup_logging(data_dir)
        install_excepthook(data_dir)
        try:
            raise RuntimeError("boom-42")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old_hook
    assert len(shown) == 1
    assert "意外错误" in shown[0] and str(log_path(data_dir)) in shown[0]
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "boom-42" in log_path(data_dir).read_text(encoding="utf-8")


def test_the_log_rotates_past_its_size_keeping_five_old_files(tmp_path):
    from models.core.logsetup import RotatingLog

    path = tmp_path / "app.log"
    handler = RotatingLog(path, max_bytes=1000, backup_count=5)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("rotation-test")
    log.propagate = False
    log.addHandler(handler)
    try:
        for n in range(200):
            log.warning("第%03d条 %s", n, "x" * 40)
    finally:
        log.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["app.log", "app.log.1", "app.log.2", "app.log.3", "app.log.4", "app.log.5"]
    assert all(p.stat().st_size <= 1000 for p in tmp_path.iterdir())
    assert "第199条" in path.read_text(encoding="utf-8")  # the newest line is in the current file
    newest_old = (tmp_path / "app.log.1").read_text(encoding="utf-8").splitlines()
    assert newest_old[-1].startswith("第") and path.read_text(encoding="utf-8").splitlines()[0] > newest_old[-1]
