"""Shared fixtures: a fresh data folder, an initialised unit workspace, the Qt main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# GUI tests run on one 1366×768 screen, the office PC the app must fit (the offscreen
# platform's default screen is 800×800).
SCREEN_CONFIG = ROOT / "tests" / "fixtures" / "screen-1366x768.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN_CONFIG}"
sys.path.insert(0, str(ROOT))
# The user's cache folder (the checked task list, the kept start-up views) is the test run's own:
# every test's data folder would otherwise leave a kept view in the user's.
if not os.environ.get("ZL_CACHE_DIR"):
    import tempfile

    os.environ["ZL_CACHE_DIR"] = tempfile.mkdtemp(prefix="zl-test-cache-")

from models.store.settings import UnitProfile, save_profile  # noqa: E402
from models.store.workspace import Workspace, open_workspace  # noqa: E402

SOURCE_DOC = ROOT.parent / "shared" / "seeds" / "000_b141287c7ea13445.txt"


def make_profile(unit: str = "南大街街道", **overrides: object) -> UnitProfile:
    values: dict = dict(unit=unit, operator="张三", phone="0519-88000000", reviewer="李四",
                        households=12000, standard_quota=15, year=2023)
    values.update(overrides)
    return UnitProfile(**values)


@pytest.fixture(scope="session", autouse=True)
def _own_ui_settings(tmp_path_factory: pytest.TempPathFactory):
    """Remembered window places, column widths and folders go to a test folder, never the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("ui-settings")))


@pytest.fixture(autouse=True)
def _fresh_ui_settings(_own_ui_settings):
    yield
    from ui.ui_state import ui_settings

    ui_settings().clear()


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
    # Close while the workspace is open; a test that left edits unsaved is not asked about them.
    for page in list(window.pages.values()):
        page.may_leave = lambda: True  # type: ignore[method-assign]
    window.close()
    TaskRunner.synchronous = False


# -- the GUI start in this process (tests/test_startup.py, tests/test_start_view.py) -------------

def main_windows():
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def shown_main_window():
    """The one main window on screen (an in-process start's)."""
    [window] = [w for w in main_windows() if w.isVisible()]
    return window


@pytest.fixture
def gui(monkeypatch):
    """run_gui in this process; the excepthook it installs is put back, its window closed."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    from ui.app import run_gui

    for window in main_windows():  # left by other tests
        window.hide()
    yield run_gui
    for window in main_windows():
        window.hide()
        window.deleteLater()
    # run_gui ended its event loop with quit(): run one empty loop so the tests after this one
    # get working timers and queued signals again (Qt keeps the quit until a loop starts).
    QTimer.singleShot(0, QApplication.quit)
    QApplication.exec()
