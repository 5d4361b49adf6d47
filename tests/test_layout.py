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
