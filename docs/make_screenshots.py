"""Retake the README screenshots on a 1366×768 screen (the office PC the app must fit).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py

Uses the demo data (``demo``) for a street office, and the units' demo reports imported into
a 区垃分办 folder for 汇总. Writes docs/screenshot-*.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREEN = ROOT / "tests" / "fixtures" / "screen-1366x768.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN}"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from PySide6.QtCore import QSettings  # noqa: E402

QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())

from ui.app import make_app  # noqa: E402


def main() -> None:
    app = make_app()
    from conftest import make_profile
    from models.demo import build_demo
    from models.store.settings import save_profile
    from models.store.workspace import open_workspace
    from test_consolidation import MONTH, make_unit_reports
    from ui.main_window import MainWindow
    from ui.worker import TaskRunner

    TaskRunner.synchronous = True
    out = ROOT / "docs"
    work = Path(tempfile.mkdtemp())
    ws = open_workspace(work / "demo")
    build_demo(ws)
    window = MainWindow(ws)
    window.show()

    def shot(name: str) -> None:
        app.processEvents()
        window.grab().save(str(out / f"screenshot-{name}.png"))

    window.navigate("dashboard")
    shot("dashboard")
    window.navigate("tasks")
    shot("tasks")
    window.navigate("ledger")
    ledger = window.pages["ledger"]
    row = next(r for r in range(ledger.model.rowCount()) if ledger.model.entry_at(r).evidence_count)
    ledger.table.selectRow(row)
    shot("ledger")
    window.navigate("communities")
    shot("communities")
    window.navigate("reports")
    shot("reports")
    for page in window.pages.values():
        page.may_leave = lambda: True  # type: ignore[method-assign]
    window.close()
    ws.close()

    district = open_workspace(work / "district")
    save_profile(district.db, make_profile("区垃分办"))
    reports = make_unit_reports(work / "units")
    window = MainWindow(district)
    window.show()
    window.navigate("district", month=MONTH)
    page = window.pages["district"]
    page.import_paths([reports["nandajie"].parent, reports["hehuachi_v2"]])
    page.tabs.setCurrentIndex(1)  # the task-status matrix, signs and legend
    shot("district")
    window.close()
    district.close()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
