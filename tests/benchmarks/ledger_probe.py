"""Time the ledger page over a big data folder, in its own process (offscreen).

``python -m tests.benchmarks.ledger_probe DATA_DIR TEXT [typed]`` prints JSON (seconds):
``open`` from navigating to 台账录入 (the page is built on first use) until its table
shows rows and the event loop is idle; ``filter`` from typing TEXT in the search box until
the table shows the matches (a typing debounce timer is fired at once; its interval is
reported as ``debounce_ms``). The main window is built first, untimed. With ``typed``, the
first entry is then shown in the editor and its title edited, and the probe waits until the
database library every write goes through has loaded (the keystroke loads it; nothing is
saved, so the data folder stays as it was): its peak memory is a session's that writes.
Exit 3 with a note when the ledger page has not been delivered yet.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QAbstractItemModel, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView  # noqa: E402

from ui.app import make_app  # noqa: E402  (ui first, as main.py imports it: see ui/__init__.py)
from ui.main_window import PAGES, MainWindow  # noqa: E402
from models.store.workspace import open_workspace  # noqa: E402

TIMEOUT = 120.0


def settle(app: QApplication, until, *, timeout: float = TIMEOUT) -> None:
    """Process events until ``until()`` holds and nothing is pending (background loads,
    debounce timers and repaints all count toward the time)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        app.processEvents()
        if until():
            app.processEvents()
            return
        time.sleep(0.001)
    raise SystemExit(f"timed out after {timeout:.0f} s")


def table_model(page) -> QAbstractItemModel:
    views = page.findChildren(QTableView)
    if not views:
        raise SystemExit("the ledger page has no QTableView")
    # the biggest view is the entries table (others may be small side tables)
    view = max(views, key=lambda v: v.model().rowCount() if v.model() else -1)
    return view.model()


def search_box(page) -> QLineEdit:
    for name in ("search_edit", "search", "text_filter", "filter_text", "search_box", "text_edit"):
        widget = getattr(page, name, None)
        if isinstance(widget, QLineEdit):
            return widget
    for widget in page.findChildren(QLineEdit):
        hint = widget.placeholderText() + widget.objectName() + widget.toolTip()
        if any(word in hint for word in ("搜索", "关键", "查找", "search", "Search", "筛选")):
            return widget
    raise SystemExit("the ledger page has no recognisable search box (QLineEdit)")


def main() -> int:
    data_dir, text = Path(sys.argv[1]), sys.argv[2]
    spec = dict((k, s) for k, _label, s in PAGES).get("ledger")
    if not spec:
        print("MISSING: the ledger page (PAGES 'ledger') is not registered yet", file=sys.stderr)
        return 3
    app = make_app()
    ws = open_workspace(data_dir)
    try:
        window = MainWindow(ws)
        window.show()
        settle(app, lambda: True)
        # The database library (sqlite-utils) is not loaded by reading: the page lists and
        # filters without it, the editor's first keystroke loads it for the save to come.
        started = time.perf_counter()
        window.navigate("ledger")
        page = window.pages["ledger"]
        settle(app, lambda: table_model(page).rowCount() > 0)
        opened = time.perf_counter()
        model = table_model(page)
        rows = model.rowCount()
        box = search_box(page)
        started_filter = time.perf_counter()
        box.setText(text)
        # A search box usually waits for typing to pause (a single-shot timer): fire it now,
        # so the figure is the page's own work, and report the wait separately.
        debounce = [t for t in page.findChildren(QTimer) if t.isActive() and t.isSingleShot()]
        for timer in debounce:
            timer.stop()
            timer.timeout.emit()
        settle(app, lambda: 0 < table_model(page).rowCount() < rows)
        filtered = time.perf_counter()
        hits = table_model(page).rowCount()
        typed = len(sys.argv) > 3 and sys.argv[3] == "typed"
        if typed:
            page.table.selectRow(0)
            settle(app, lambda: page.editor.entry is not None)
            page.editor.title.setText(page.editor.title.text() + "（核对）")
            settle(app, lambda: "sqlite_utils" in sys.modules)
            page.editor._set_dirty(False)  # closing would ask whether to keep the typing
        print(json.dumps({"open": opened - started, "filter": filtered - started_filter, "rows": rows, "hits": hits,
                          "model": type(model).__name__, "debounce_ms": max((t.interval() for t in debounce), default=0),
                          "typed": typed}))
        window.close()
    finally:
        ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
