"""Synthetic PySide6 install trees mirroring the real wheels, for the packaging tests.

WINDOWS_WHEEL mirrors pyside6_essentials-6.11.3-cp310-abi3-win_amd64.whl (listed with
``unzip -l``): no ``Qt/`` folder, translations and plugins straight under ``PySide6/``.
LINUX_WHEEL mirrors the manylinux wheel: everything of Qt under ``PySide6/Qt/``.
"""

from __future__ import annotations

from pathlib import Path

# Files of the real wheels (a sample: every zh_CN .qm, a few other languages, the plugins).
WINDOWS_WHEEL = [
    "PySide6/__init__.py", "PySide6/Qt6Core.dll", "PySide6/QtCore.pyd", "PySide6/pyside6.abi3.dll",
    "PySide6/translations/qtbase_zh_CN.qm", "PySide6/translations/qt_zh_CN.qm",
    "PySide6/translations/qt_help_zh_CN.qm", "PySide6/translations/qtdeclarative_zh_CN.qm",
    "PySide6/translations/qtbase_de.qm", "PySide6/translations/qt_de.qm", "PySide6/translations/qtbase_ja.qm",
    "PySide6/translations/assistant_zh_CN.qm", "PySide6/translations/qt_zh_TW.qm",
    "PySide6/plugins/platforms/qwindows.dll", "PySide6/plugins/platforms/qoffscreen.dll",
    "PySide6/plugins/platforms/qminimal.dll", "PySide6/plugins/styles/qmodernwindowsstyle.dll",
]
LINUX_WHEEL = [
    "PySide6/__init__.py", "PySide6/QtCore.abi3.so", "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/translations/qtbase_zh_CN.qm", "PySide6/Qt/translations/qt_zh_CN.qm",
    "PySide6/Qt/translations/qtbase_de.qm", "PySide6/Qt/translations/qt_de.qm",
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
]


def make_tree(root: Path, files: list[str]) -> Path:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x3c\xb8\x64\x18" if name.endswith(".qm") else b"MZ")
    return root / "PySide6"


def wheel_toc(site: Path, package: Path, suffixes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """A PyInstaller TOC (dest, source, kind) for the tree, as the Qt hooks lay it out."""
    return [(str(f.relative_to(site)), str(f), "DATA") for f in package.rglob("*")
            if f.is_file() and f.suffix in suffixes]
