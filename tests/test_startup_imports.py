"""What the GUI start may import (not timed): the modules loaded by the time the 工作台 shows
the unit's statuses under ``main.py --quit-after-startup``, from a child process.

Each module on that path costs start-up time and memory a user pays many times a day. Our
own modules are listed one by one; outside the standard library only Qt may load. A failure names the newcomer: import it inside the function that needs it (without
making an import cycle), or, if the first page truly needs it, add it here and re-measure
(``python -m tests.benchmarks --only startup``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

OUR_MODULES = {
    "models", "models.catalog", "models.catalog.tasklists", "models.catalog.schema", "models.catalog.datafile",
    "models.catalog.units", "models.catalog.scoresheets", "models.core", "models.core.errors",
    "models.core.fileio", "models.core.logsetup", "models.core.paths", "models.core.periods",
    "models.ledger", "models.ledger.communities", "models.ledger.entries", "models.ledger.locks",
    "models.ledger.validation", "models.progress", "models.progress.indicators", "models.safety",
    "models.safety.integrity", "models.store", "models.store.audit", "models.store.connection",
    "models.store.faults", "models.store.instance_lock", "models.store.migrations", "models.store.peek",
    "models.store.settings", "models.store.workspace",
    # where the yearly lists live (data folder first), the working year's figures and the header's
    # year selector: small, nothing heavy behind them
    "models.catalog.locations", "models.store.years", "ui.year_selector",
    "ui", "ui.pyside_boot", "ui.app", "ui.context", "ui.data_safety", "ui.main_window", "ui.pages", "ui.pages.base",
    "ui.pages.dashboard_page", "ui.widgets", "ui.widgets.status", "ui.worker",
    # light ones the merged issues added: status words, pace and values of the engine, the due
    # list, the 工作台's return-notice banner, the schema check at open, clean-up of killed jobs,
    # window geometry and the remembered folders
    "models.core.statuses", "models.progress.pace", "models.progress.values", "models.progress.due",
    "models.exchange", "models.exchange.inbox", "models.store.schema_check", "models.safety.leftovers",
    "ui.ui_state", "ui.widgets.elided_label", "ui.window_geometry",
    # the 工作台's painted task tiles and due rows, its view and where the view is kept
    "ui.widgets.task_tile", "ui.dashboard_view", "models.store.start_view", "ui.dashboard_style",
}
# A start that paints the 工作台 kept from the last one (the ledger unchanged since): the frame,
# the page and its tiles, the damage check; none of the engine, the catalog, the ledger or the
# opening (not even the schema check and the migrations: the opening runs them).
KEPT_START_MODULES = {
    "models", "models.core", "models.core.errors", "models.core.paths", "models.core.statuses",
    "models.core.fileio", "models.core.logsetup", "models.catalog", "models.catalog.locations",
    "models.safety", "models.safety.integrity", "models.store", "models.store.connection", "models.store.faults",
    "models.store.peek", "models.store.start_view",
    "ui", "ui.pyside_boot", "ui.app", "ui.main_window", "ui.window_geometry", "ui.ui_state", "ui.data_safety", "ui.pages",
    "ui.pages.base", "ui.pages.dashboard_page", "ui.widgets", "ui.widgets.task_tile", "ui.dashboard_style",
}
THIRD_PARTY = {"PySide6", "shiboken6", "shibokensupport", "signature_bootstrap", "__feature__",
               "_distutils_hack", "sitecustomize"}
# The heavy ones that crept in before, named so that a failure says what it costs.
HEAVY = {
    "sqlite_utils": "sqlite-utils and its command-line dependencies, ~0.1 s and 10 MB",
    "click": "sqlite-utils' command line", "dateutil": "sqlite-utils' date parsing", "pluggy": "sqlite-utils' plugins",
    "importlib.metadata": "plugin discovery", "openpyxl": "Excel reports", "reportlab": "PDF reports",
    "PIL": "photos", "platformdirs": "only needed without --data-dir",
    "filelock": "30 modules for two system calls (models.store.instance_lock)",
    "logging.handlers": "the log file's rotation (models.core.logsetup rotates at start)",
    "models.cli": "the command line's parser tree", "models.reporting": "reports", "models.district": "consolidation",
    "models.safety.backup": "backups (after start-up)", "models.safety.restore": "restore (only on damage)",
    "_hashlib": "OpenSSL (3 MB mapped): the catalog's cache key is a zlib checksum",
}

PROBE = """
import json, linecache, runpy, sys
sys.path.insert(0, {root!r})
import ui.app
mark = ui.app.mark
def dump(name):
    mark(name)
    if name == "interactive":
        with open({out!r}, "w", encoding="utf-8") as fh:
            json.dump(sorted(sys.modules), fh)
        with open({out!r} + ".sources", "w", encoding="utf-8") as fh:
            json.dump(sorted(linecache.cache), fh)
ui.app.mark = dump
sys.argv = ["main.py", "--data-dir", {data!r}, "--quit-after-startup"]
runpy.run_path({main!r}, run_name="__main__")
"""


def _modules_at_interactive(tmp, data_dir, name: str) -> set[str]:
    out = tmp / f"{name}.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    script = PROBE.format(root=str(ROOT), out=str(out), data=str(data_dir), main=str(ROOT / "main.py"))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(out.read_text(encoding="utf-8")))


def _sources_read(tmp, name: str) -> list[str]:
    return json.loads((tmp / f"{name}.json.sources").read_text(encoding="utf-8"))


def _ledger_with_an_entry(data) -> None:
    from conftest import make_profile
    from models.ledger.entries import add_entry
    from models.ledger.validation import EntryDraft
    from models.store.settings import save_profile
    from models.store.workspace import open_workspace

    ws = open_workspace(data)
    try:
        save_profile(ws.db, make_profile())
        add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(task_seq=6, entry_date="2023-05-05", entry_type="入户宣传",
                  title="入户宣传", location="社区", organizer="街道", participants=10,
                  measures={"households_reached": 300}), actor="张三")
    finally:
        ws.close()


@pytest.fixture(scope="module")
def starts(tmp_path_factory) -> dict[str, set[str]]:
    """The modules of a first start (the 工作台 worked out) and of the next (the kept one)."""
    tmp = tmp_path_factory.mktemp("startup-imports")
    _ledger_with_an_entry(tmp / "data")
    return {"first": _modules_at_interactive(tmp, tmp / "data", "first"),
            "kept": _modules_at_interactive(tmp, tmp / "data", "kept"),
            "sources": _sources_read(tmp, "first") + _sources_read(tmp, "kept")}


@pytest.fixture(scope="module")
def started_modules(starts) -> set[str]:
    return starts["first"]


def test_a_start_with_the_kept_view_loads_neither_engine_nor_catalog_nor_the_opening(starts):
    ours = {m for m in starts["kept"] if m.split(".")[0] in ("models", "ui")}
    assert "ui.pages.dashboard_page" in ours  # the probe really reached the 工作台
    assert ours - KEPT_START_MODULES == set(), "new on the kept start path (lazy-import it, or list it and re-measure)"
    assert not {m for m in HEAVY if m in starts["kept"]}


def test_no_module_source_is_read_at_start(starts):
    """PySide reads the source of every module imported after it, to look for its
    ``__feature__`` switches (~12 ms and ~2 MB a start): ``ui.pyside_boot`` answers without.
    Only what PySide reads while it is itself being imported is left."""
    done = subprocess.run([sys.executable, "-c", "import json, linecache, PySide6; print(json.dumps(sorted(linecache.cache)))"],
                          capture_output=True, text=True, timeout=60)
    pyside_own = set(json.loads(done.stdout))
    assert set(starts["sources"]) - pyside_own == set()


def test_the_gui_start_loads_none_of_the_heavy_modules(started_modules):
    crept = {name: why for name, why in HEAVY.items() if name in started_modules}
    assert not crept, f"loaded on the GUI start path: {crept}"


def test_our_modules_on_the_start_path_are_the_listed_ones(started_modules):
    ours = {m for m in started_modules if m.split(".")[0] in ("models", "ui")}
    assert ours - OUR_MODULES == set(), "new on the start path (lazy-import it, or list it here and re-measure)"
    assert "ui.pages.dashboard_page" in ours  # the probe really reached the 工作台


def test_outside_the_standard_library_only_qt(started_modules):
    tops = {m.split(".")[0] for m in started_modules}
    foreign = tops - set(sys.stdlib_module_names) - {"models", "ui", "main", "__main__"} - THIRD_PARTY
    assert foreign == set()


# The ledger page opens on every working day: it lists entries, filters them and shows one in
# the editor, and loads what its actions need (the Excel import, photos, the reports' unlock,
# the database library every write goes through) only when they are used.
LEDGER_PAGE_PROBE = """
import json, os, sys, time
sys.path.insert(0, {root!r})
from models.store.workspace import open_workspace
from ui.app import make_app
from ui.main_window import MainWindow
app = make_app()
ws = open_workspace({data!r})
window = MainWindow(ws)
window.show()
app.processEvents()
before = set(sys.modules)
window.navigate("ledger")
app.processEvents()
page = window.pages["ledger"]
assert page.model.rowCount() > 0
page.table.selectRow(0)
app.processEvents()
assert page.editor.entry is not None  # the entry is shown in the editor
page.search.setText("入户")
page.refresh()
app.processEvents()
assert page.model.rowCount() == 1
# the hourly backup check reads one setting on the GUI thread; the backup itself runs on a worker
from ui.data_safety import DailyBackup
class Runner:
    jobs = []
    def run_task(self, job, done, failed):
        self.jobs.append(job)
runner = Runner()
DailyBackup(window, runner, ws.data_dir, lambda: ws.reader).tick()
assert len(runner.jobs) == 1  # no backup yet today: one is started
read = sorted(set(sys.modules) - before)
page.editor.title.setText("入户宣传（改）")  # the first keystroke: a save will follow
deadline = time.monotonic() + 30
while "sqlite_utils" not in sys.modules and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
with open({out!r}, "w", encoding="utf-8") as fh:
    json.dump({{"read": read, "typed": "sqlite_utils" in sys.modules}}, fh)
page.editor._set_dirty(False)  # closing would ask whether to keep the typing
window.close()
ws.close()
"""
LEDGER_PAGE_HEAVY = {"openpyxl", "reportlab", "PIL", "cryptography", "models.reporting", "models.district",
                     "models.ledger.excel_import", "models.ledger.excel_template", "models.safety.backup",
                     # the database library (~8 MB with click, dateutil, pluggy) and OpenSSL (3 MB)
                     "sqlite_utils", "click", "dateutil", "pluggy", "_hashlib"}


def test_the_ledger_page_reads_without_reports_photos_excel_or_the_database_library(tmp_path):
    data = tmp_path / "data"
    _ledger_with_an_entry(data)
    out = tmp_path / "ledger.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    script = LEDGER_PAGE_PROBE.format(root=str(ROOT), data=str(data), out=str(out))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(out.read_text(encoding="utf-8"))
    loaded = set(found["read"])
    assert "ui.pages.ledger_page" in loaded  # the probe really opened the page
    crept = sorted(m for m in loaded if m.split(".")[0] in LEDGER_PAGE_HEAVY or
                   any(m == h or m.startswith(h + ".") for h in LEDGER_PAGE_HEAVY))
    assert crept == [], "loaded by reading on the ledger page (import them inside the action that needs them)"
    # typing in the editor loads the library on a background thread, before the save needs it
    assert found["typed"] is True
