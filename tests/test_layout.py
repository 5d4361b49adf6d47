"""models/ is the application without a screen: importing all of it loads no Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_models_never_import_qt():
    names = ["models"] + [
        f"models.{m.name}" if "." not in m.name else m.name
        for m in pkgutil.walk_packages([str(ROOT / "models")], prefix="")
    ]
    script = (
        "import importlib, pkgutil, sys\n"
        "import models\n"
        "mods = [m.name for m in pkgutil.walk_packages(models.__path__, 'models.')]\n"
        "for m in mods: importlib.import_module(m)\n"
        "qt = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'))\n"
        "print(len(mods)); print(','.join(qt))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    count, qt = out.stdout.strip().split("\n") + [""] * (2 - len(out.stdout.strip().split("\n")))
    assert int(count) >= 8, names
    assert qt == "", f"models imported Qt modules: {qt}"


def test_top_level_layout_as_fixed_by_client():
    for name in ("main.py", "ui", "models", "resources", "build", "pyinstaller.spec", "tests", "run.sh", "test.sh"):
        assert (ROOT / name).exists(), name


def test_sql_stays_in_models():
    """Widgets ask model functions; they never build queries."""
    for path in (ROOT / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("db.query(", "db.execute(", ".execute(\"SELECT", "SELECT "):
            assert needle not in text, f"{path.relative_to(ROOT)} contains SQL ({needle!r})"
        for line in text.splitlines():  # nor import a database driver (type-checking imports are indented)
            assert not line.startswith(("import sqlite", "from sqlite")), f"{path.relative_to(ROOT)}: {line}"


# ---------------------------------------------------------------- the house: layers and rooms

# Capability packages, lowest first. A module may import its own package or a lower layer;
# packages on one layer (ledger, safety) do not import each other. The top-level modules
# (models/__init__ for the version, demo.py above district) and cli sit at the ends.
LAYERS = [
    {"core"},
    {"catalog"},
    {"store"},
    {"ledger", "safety"},
    {"progress"},
    {"reporting"},
    {"exchange"},
    {"district"},
    {"demo"},
    {"cli"},
]
MAX_LOOSE_MODULES = 6  # models/*.py besides the packages
MAX_LINES = 450  # "about 400": a module you can hold in your head


def _models_import_graph() -> dict[str, set[str]]:
    """Every import between models modules, those made inside functions included."""
    import ast

    modules: dict[str, Path] = {}
    for path in (ROOT / "models").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "models":
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.split(".")[0] == "models")
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "models"


def _layer(package: str) -> int | None:
    for n, members in enumerate(LAYERS):
        if package in members:
            return n
    return None


def test_models_has_no_import_cycle():
    graph = _models_import_graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles in models/: " + "; ".join(" -> ".join(c) for c in cycles)


def test_each_package_imports_only_its_own_or_lower_layers():
    wrong = []
    for module, targets in _models_import_graph().items():
        mine = _package(module)
        if mine == "models":
            continue  # models/__init__ holds the version and names only
        my_layer = _layer(mine)
        assert my_layer is not None, f"{module}: package {mine!r} has no layer in LAYERS"
        for target in targets:
            theirs = _package(target)
            if theirs in ("models", mine):
                continue
            their_layer = _layer(theirs)
            assert their_layer is not None, f"{target}: package {theirs!r} has no layer in LAYERS"
            if their_layer >= my_layer:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_packages_not_loose_modules():
    loose = [p.name for p in (ROOT / "models").glob("*.py") if p.name != "__init__.py"]
    assert len(loose) <= MAX_LOOSE_MODULES, loose


def test_no_connection_is_shared_across_threads_and_one_module_opens_them():
    for folder in ("models", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            rel = path.relative_to(ROOT).as_posix()
            assert "check_same_thread" not in text, f"{rel} turns off SQLite's thread check"
            if rel != "models/store/connection.py":  # an in-memory scratch database is no file
                opened = text.replace('sqlite3.connect(":memory:")', "")
                assert "sqlite3.connect(" not in opened, f"{rel} opens a connection itself (use models.store.connection)"


def test_modules_stay_small():
    big = []
    for folder in ("models", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                big.append(f"{path.relative_to(ROOT)} ({lines})")
    assert not big, "modules over ~400 lines: " + ", ".join(big)
