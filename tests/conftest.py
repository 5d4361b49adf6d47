"""Shared fixtures: a fresh data folder, an initialised unit workspace, the Qt main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.store.settings import UnitProfile, save_profile  # noqa: E402
from models.store.workspace import Workspace, open_workspace  # noqa: E402

SOURCE_DOC = ROOT.parent / "shared" / "seeds" / "000_b141287c7ea13445.txt"


def make_profile(unit: str = "南大街街道", **overrides: object) -> UnitProfile:
    values: dict = dict(unit=unit, operator="张三", phone="0519-88000000", reviewer="李四",
                        households=12000, standard_quota=15, year=2023)
    values.update(overrides)
    return UnitProfile(**values)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def ws(data_dir: Path):
    """A workspace set up as 南大街街道 (12,000 households, quota 15)."""
    workspace = open_workspace(data_dir)
    save_profile(workspace.db, make_profile())
    yield workspace
    workspace.close()


@pytest.fixture
def make_ws(tmp_path: Path):
    """Factory: make_ws("邹区镇") -> an initialised workspace for another unit."""
    opened: list[Workspace] = []

    def factory(unit: str = "南大街街道", **overrides: object) -> Workspace:
        workspace = open_workspace(tmp_path / f"data-{len(opened)}")
        save_profile(workspace.db, make_profile(unit, **overrides))
        opened.append(workspace)
        return workspace

    yield factory
    for workspace in opened:
        workspace.close()


@pytest.fixture
def main_window(qtbot, ws):
    from ui.app import configure_app
    from ui.main_window import MainWindow
    from ui.worker import TaskRunner
    from PySide6.QtWidgets import QApplication

    configure_app(QApplication.instance())
    TaskRunner.synchronous = True
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    yield window
    TaskRunner.synchronous = False
