"""Packaging and start-up: the spec bundles every resource, one function finds resources
frozen or not, and the GUI starts (and quits once idle) without loading the report libraries.

The spec is executed with stand-ins for PyInstaller's build objects, so these checks run
without PyInstaller installed; build/smoke_test.sh builds and runs the real bundle.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from models import __version__
from models.core.paths import app_root, resource_path
from models.store.settings import save_profile
from models.store.workspace import open_workspace
from tests.conftest import ROOT, make_profile
from tests.wheel_layouts import WINDOWS_WHEEL, make_tree, wheel_toc

SPEC = ROOT / "pyinstaller.spec"


class _Recorder:
    """Stands in for Analysis/PYZ/EXE/COLLECT and keeps what the spec passed.

    Analysis hands back ``toc`` (datas and binaries as PyInstaller's Qt hooks would collect
    them), so the spec's own filtering of that output is exercised too.
    """

    calls: list[tuple[str, tuple, dict]] = []
    toc: dict[str, list] = {"datas": [], "binaries": []}
    # The scripts PyInstaller's analysis hands back: its bootstrap, the spec's own runtime hooks,
    # the runtime hooks of the modules it found (as for this program), then main.py.
    scripts = [(name, f"/pyinstaller/{name}.py", "PYSOURCE") for name in (
        "pyiboot01_bootstrap", "pyi_rth_inspect", "pyi_rth_pkgutil", "pyi_rth_multiprocessing", "pyi_rth_pyside6",
        "pyi_rth_cryptography_openssl", "main")]

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, *args, **kwargs):
        _Recorder.calls.append((self.kind, args, kwargs))
        toc = _Recorder.toc if self.kind == "Analysis" else {"datas": [], "binaries": []}
        scripts = list(_Recorder.scripts) if self.kind == "Analysis" else []
        # As PyInstaller 6 does (depend/analysis.py, analyze_runtime_hooks): the spec's own runtime
        # hooks, named by their file's stem, before the hooks of the modules it found. This stand-in
        # only mirrors that; the built bundle's smoke test shows the hook ran (its cache file).
        custom = [(Path(hook).stem, hook, "PYSOURCE") for hook in kwargs.get("runtime_hooks") or []]
        scripts[1:1] = custom
        return types.SimpleNamespace(pure=[], scripts=scripts, binaries=list(toc["binaries"]),
                                     datas=list(toc["datas"]), zipfiles=[], kind=self.kind)


def _collect_submodules(package: str) -> list[str]:
    module = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
        names.append(info.name)
    return names


def _qt_toc(qt: str, plugin: str) -> dict[str, list]:
    """What PyInstaller's Qt hooks collect (every language's .qm) for the spec to filter."""
    return {
        "datas": [(f"{qt}/translations/{n}", f"/site/{qt}/translations/{n}", "DATA")
                  for n in ("qtbase_zh_CN.qm", "qt_zh_CN.qm", "qtbase_de.qm", "qt_fr.qm")],
        "binaries": [(f"{qt}/plugins/platforms/{plugin}", f"/site/{qt}/plugins/platforms/{plugin}", "BINARY")],
    }


# On Windows the hooks put Qt under PySide6\ (no Qt\ folder), elsewhere under PySide6/Qt/.
HOST_TOC = _qt_toc("PySide6", "qwindows.dll") if sys.platform == "win32" else _qt_toc("PySide6/Qt", "libqxcb.so")


def run_spec(toc: dict[str, list]) -> dict:
    """The spec's globals and the calls it made, after running it as PyInstaller would."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = _collect_submodules  # type: ignore[attr-defined]
    fakes = {"PyInstaller": types.ModuleType("PyInstaller"), "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
             "PyInstaller.utils.hooks": hooks}
    saved = {name: sys.modules.get(name) for name in fakes}
    sys.modules.update(fakes)
    _Recorder.calls = []
    _Recorder.toc = toc
    namespace = {"SPECPATH": str(ROOT), "__file__": str(SPEC), "__name__": "__spec__"}
    namespace.update({kind: _Recorder(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT")})
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    calls: dict[str, list[dict]] = {}
    for kind, args, kwargs in _Recorder.calls:
        calls.setdefault(kind, []).append({"args": args, **kwargs})
    namespace["_calls"] = calls
    return namespace


@pytest.fixture(scope="module")
def spec() -> dict:
    return run_spec(HOST_TOC)


def _bundled_files(datas: list[tuple[str, str]]) -> dict[str, Path]:
    """Bundle path ('resources/units.json') -> source file, for every file the datas hold."""
    out: dict[str, Path] = {}
    for source, dest in datas:
        src = Path(source)
        if src.is_dir():
            for f in src.rglob("*"):
                if f.is_file() and "__pycache__" not in f.parts:
                    out[str(Path(dest) / f.relative_to(src)).replace("\\", "/")] = f
        else:
            out[f"{dest}/{src.name}"] = src
    return out


def test_spec_bundles_every_resource_file_where_resource_path_looks(spec: dict) -> None:
    analysis = spec["_calls"]["Analysis"][0]
    bundled = _bundled_files(analysis["datas"])
    resources = ROOT / "resources"
    missing = []
    for f in resources.rglob("*"):
        if not f.is_file() or "__pycache__" in f.parts:
            continue
        rel = f"resources/{f.relative_to(resources).as_posix()}"
        if rel in spec["NOT_BUNDLED"]:
            continue
        if bundled.get(rel) != f:
            missing.append(rel)
    assert not missing, f"pyinstaller.spec does not bundle: {missing} (add them to DATAS or NOT_BUNDLED)"
    for name in ("qtbase_zh_CN.qm", "qt_zh_CN.qm"):
        assert f"resources/translations/{name}" in bundled
    assert "resources/tasklists/2023.json" in bundled and "resources/icons/app.ico" in bundled


def test_spec_keeps_only_zh_cn_of_the_qt_translations_the_hooks_collect(spec: dict) -> None:
    kept = [Path(dest).name for dest, _src, _kind in spec["_calls"]["COLLECT"][0]["args"][3]]
    assert sorted(kept) == ["qt_zh_CN.qm", "qtbase_zh_CN.qm"]


def test_spec_on_the_windows_wheel_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole spec, run as on Windows against a tree mirroring the Windows wheel."""
    site = tmp_path / "Lib" / "site-packages"
    package = make_tree(site, WINDOWS_WHEEL)
    toc = {"datas": [(d.replace("/", "\\"), s, k) for d, s, k in wheel_toc(site, package, (".qm",))],
           "binaries": [(d.replace("/", "\\"), s, "BINARY") for d, s, _k in wheel_toc(site, package, (".dll",))]}
    sys.path.insert(0, str(ROOT / "build"))
    try:
        import collect
    finally:
        sys.path.remove(str(ROOT / "build"))
    monkeypatch.setattr(collect, "pyside_dir", lambda: package)
    monkeypatch.setattr(collect, "reported_translations_dir", lambda: package / "translations")
    monkeypatch.setattr(sys, "platform", "win32")
    ran = run_spec(toc)
    qm = [(src, dest) for src, dest in ran["_calls"]["Analysis"][0]["datas"] if src.endswith(".qm")]
    assert sorted((Path(src).relative_to(site).as_posix(), dest) for src, dest in qm) == [
        ("PySide6/translations/qt_zh_CN.qm", "resources/translations"),
        ("PySide6/translations/qtbase_zh_CN.qm", "resources/translations"),
    ]
    collected = ran["_calls"]["COLLECT"][0]["args"]
    kept_qm = sorted(Path(dest.replace("\\", "/")).name for dest, _s, _k in collected[3])
    assert kept_qm == ["assistant_zh_CN.qm", "qt_help_zh_CN.qm", "qt_zh_CN.qm", "qtbase_zh_CN.qm",
                       "qtdeclarative_zh_CN.qm"]
    assert any(dest.endswith("qwindows.dll") for dest, _s, _k in collected[2])


def test_spec_refuses_a_windows_build_without_the_platform_plugin(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(SystemExit, match="platform plugin"):
        run_spec(_qt_toc("PySide6", "qoffscreen.dll"))


def test_spec_names_dynamically_loaded_pages_and_commands(spec: dict) -> None:
    """Pages and CLI commands are imported by name: PyInstaller only finds them if listed."""
    from models.cli import COMMAND_MODULES
    from ui.main_window import PAGES

    hidden = set(spec["_calls"]["Analysis"][0]["hiddenimports"])
    wanted = set(COMMAND_MODULES) | {s.partition(":")[0] for _k, _l, s in PAGES if s}
    assert wanted <= hidden, f"not in hiddenimports: {sorted(wanted - hidden)}"
    if importlib.util.find_spec("_rl_accel") is not None:  # reportlab imports it inside exec()
        assert "_rl_accel" in hidden


def test_spec_excludes_unused_qt_modules_and_the_app_does_not_use_them(spec: dict) -> None:
    excludes = set(spec["_calls"]["Analysis"][0]["excludes"])
    for name in ("QtWebEngineCore", "Qt3DCore", "QtQml", "QtQuick", "QtMultimedia", "QtNetwork"):
        assert f"PySide6.{name}" in excludes
    used = []
    for folder in ("ui", "models"):
        for source in (ROOT / folder).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            used += [f"{source.relative_to(ROOT)}: {m}" for m in excludes if m.startswith("PySide6.")
                     and (m in text or f"from PySide6 import {m.split('.')[1]}" in text)]
    assert not used, f"the app imports Qt modules the spec excludes: {used}"


def test_spec_drops_the_runtime_hooks_of_modules_the_program_never_uses(spec: dict) -> None:
    """Each runtime hook runs at every start; multiprocessing's and pkgutil's cost ~20 ms. They
    may go only while neither our code nor a runtime library uses what they prepare."""
    exes = {exe["name"]: [name for name, _path, _kind in exe["args"][1]] for exe in spec["_calls"]["EXE"]}
    assert exes["ZhonglouLedger"] == ["pyiboot01_bootstrap", "rth_pyside_boot", "pyi_rth_inspect", "pyi_rth_pyside6",
                                      "pyi_rth_cryptography_openssl", "main"]
    # the console program shows no window: it starts without Qt (models never imports it)
    assert exes["ZhonglouLedgerCLI"] == ["pyiboot01_bootstrap", "pyi_rth_inspect", "pyi_rth_cryptography_openssl", "main"]
    runtime = [ROOT / "main.py", *(ROOT / "models").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    site = Path(importlib.util.find_spec("PySide6").origin).parent.parent  # type: ignore[arg-type,union-attr]
    for package in ("PySide6", "shiboken6", "sqlite_utils", "openpyxl", "reportlab", "PIL", "platformdirs", "defusedxml",
                    "docx", "lxml", "cryptography", "click", "dateutil", "pluggy"):
        runtime += (site / package).rglob("*.py")
    users = [str(path) for path in runtime if re.search(
        r"^\s*(import multiprocessing|from multiprocessing|from concurrent\.futures import .*ProcessPool)"
        r"|iter_modules|walk_packages", path.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)]
    assert users == [], "uses what a dropped runtime hook prepares: keep the hook in pyinstaller.spec"


def test_the_windowed_program_loads_pyside_the_programs_way_before_pyinstallers_hook(spec: dict) -> None:
    """PyInstaller's PySide6 hook imports PySide6.QtCore; the spec's own hook, run first, loads
    PySide6 through ui.pyside_boot (shiboken's support code compiled once per user)."""
    hook = Path(spec["PYSIDE_BOOT_HOOK"])
    assert spec["_calls"]["Analysis"][0]["runtime_hooks"] == [str(hook)]
    code = compile(hook.read_text(encoding="utf-8"), str(hook), "exec")
    assert "ui" in code.co_names  # it imports the ui package, whose __init__ calls import_pyside
    assert "import_pyside(" in (ROOT / "ui" / "__init__.py").read_text(encoding="utf-8")


def test_spec_takes_name_version_icon_from_the_package(spec: dict) -> None:
    exes = spec["_calls"]["EXE"]
    assert {e["name"] for e in exes} == {"ZhonglouLedger", "ZhonglouLedgerCLI"}
    gui = next(e for e in exes if e["name"] == "ZhonglouLedger")
    assert gui["console"] is False
    assert Path(gui["icon"]).is_file() and Path(gui["icon"]).suffix == ".ico"
    version_text = Path(gui["version"]).read_text(encoding="utf-8")
    assert f"'FileVersion', '{__version__}'" in version_text
    assert "钟楼区垃圾分类工作台账" in version_text
    assert spec["_calls"]["COLLECT"][0]["name"] == "ZhonglouLedger"  # one folder


def test_resource_path_from_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert app_root() == ROOT
    assert resource_path("units.json") == ROOT / "resources" / "units.json"
    assert resource_path("tasklists", "2023.json").is_file()


def test_resource_path_when_frozen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("icons", "app.png") == tmp_path / "resources" / "icons" / "app.png"
    assert app_root() == tmp_path


def test_gui_arguments_skip_the_command_parser() -> None:
    import main

    assert main._gui_args(["--data-dir", "D", "--quit-after-startup"]).quit_after_startup is True
    assert main._gui_args([]) is not None
    assert main._gui_args(["--data-dir", "D", "init", "--unit", "x"]) is None
    assert main._gui_args(["--help"]) is None


@pytest.mark.parametrize("argv", [[], ["--quit-after-startup"], ["--data-dir", "D"], ["--data-dir=D"],
                                  ["--data-dir", "D", "--quit-after-startup"], ["--quit-after-startup", "--data-dir=数据"]])
def test_the_gui_options_read_without_argparse_as_argparse_reads_them(argv) -> None:
    """The start reads its two options by hand (argparse's import is start-up time): the same
    answer as the parser's for every full spelling; anything else still goes through it."""
    import main

    plain = main._plain_gui_args(argv)
    parsed, rest = main._base_parser(add_help=False).parse_known_args(argv)
    assert rest == [] and plain == (parsed.data_dir, parsed.quit_after_startup)
    assert main._plain_gui_args(["--quit"]) is None and main._gui_args(["--quit"]).quit_after_startup  # abbreviated


@pytest.fixture
def ready_data_dir(tmp_path: Path) -> Path:
    """An initialised data folder, closed again so a child process can open it."""
    folder = tmp_path / "data"
    ws = open_workspace(folder)
    save_profile(ws.db, make_profile())
    ws.close()
    return folder


def _child(args: list[str]) -> subprocess.CompletedProcess:
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_quit_after_startup_exits_zero_once_the_window_is_shown(ready_data_dir: Path) -> None:
    done = _child(["main.py", "--data-dir", str(ready_data_dir), "--quit-after-startup"])
    assert done.returncode == 0, done.stderr


def test_quit_after_startup_on_a_fresh_folder_does_not_wait_for_the_setup_dialog(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    done = _child(["main.py", "--data-dir", str(folder), "--quit-after-startup"])
    assert done.returncode == 0, done.stderr
    assert (folder / "ledger.db").exists()


_PROBE = """
import json, sys
from PySide6.QtWidgets import QApplication
import main
import ui.main_window as mw
shown = []
def show_event(self, event):  # shown normally or maximised, as the screen asks
    shown.append(self.isVisible())
mw.MainWindow.showEvent = show_event
code = main.main(["--data-dir", sys.argv[1], "--quit-after-startup"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("openpyxl", "reportlab"))
print(json.dumps({"code": code, "shown": shown, "heavy": heavy}))
"""


def test_start_up_shows_the_window_without_loading_report_libraries(ready_data_dir: Path) -> None:
    done = _child(["-c", _PROBE, str(ready_data_dir)])
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert result["shown"] == [True]
    # openpyxl/reportlab cost ~0.2 s to import: they load when a report is made, not at start
    assert result["heavy"] == [], f"imported at start-up: {result['heavy'][:5]}"
