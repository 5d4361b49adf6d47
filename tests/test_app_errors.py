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
