"""Which of PySide6's files the bundle takes: importable, so it is tested on Linux against both
wheel layouts (tests/test_build_collect.py builds a tree mirroring the Windows wheel).

The two layouts of PySide6-Essentials 6.11.3 (checked in the wheels; 6.12.0 has the same):
- Linux and macOS: ``PySide6/Qt/translations/qtbase_zh_CN.qm``, ``PySide6/Qt/plugins/platforms/``;
- Windows: no ``Qt/`` folder: ``PySide6/translations/qtbase_zh_CN.qm``,
  ``PySide6/plugins/platforms/qwindows.dll``, ``PySide6/Qt6Core.dll``.
PyInstaller's Qt hooks copy them to the same place inside the bundle (``PySide6/translations``
on Windows, ``PySide6/Qt/translations`` elsewhere), so filters here accept either.

No PyInstaller import: pyinstaller.spec calls these functions with what it has.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

LANGUAGE = "zh_CN"
# Qt's own strings for the standard dialogs (确定/取消, file dialogs); qt_zh_CN.qm is the
# catalogue that loads qtbase_zh_CN.qm, so both go in (ui/app.py loads them by name).
QT_TRANSLATIONS = ("qtbase_zh_CN.qm", "qt_zh_CN.qm")
BUNDLE_TRANSLATIONS = "resources/translations"
# The one plugin without which Qt cannot open a window, per platform (sys.platform prefix).
PLATFORM_PLUGINS = {"win32": "qwindows.dll", "linux": "libqxcb.so", "darwin": "libqcocoa.dylib"}


class CollectError(SystemExit):
    """The build environment lacks a file the bundle needs; the message says which and where."""


def pyside_dir() -> Path:
    """The installed PySide6 package folder (without importing Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        raise CollectError("PySide6 is not installed in the build environment")
    return Path(list(spec.submodule_search_locations)[0])


def reported_translations_dir() -> Path | None:
    """Where Qt itself says its translations are (QLibraryInfo), or None if Qt cannot load."""
    try:
        from PySide6.QtCore import QLibraryInfo
    except ImportError:
        return None
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return Path(path) if path else None


def translation_candidates(package: Path, reported: Path | None) -> list[Path]:
    """Folders that may hold Qt's .qm files: Qt's own answer first, then both wheel layouts."""
    out = [reported] if reported is not None else []
    out += [package / "translations", package / "Qt" / "translations"]
    return list(dict.fromkeys(out))


def find_translations_dir(package: Path, reported: Path | None) -> Path:
    """The first candidate holding every wanted .qm file; CollectError names all folders tried."""
    tried = translation_candidates(package, reported)
    for folder in tried:
        if all((folder / name).is_file() for name in QT_TRANSLATIONS):
            return folder
    listing = "\n  ".join(str(f) for f in tried)
    raise CollectError(f"missing Qt translations {', '.join(QT_TRANSLATIONS)}; looked in:\n  {listing}")


def qt_translation_datas(package: Path | None = None, reported: Path | None = None, *,
                         ask_qt: bool = True) -> list[tuple[str, str]]:
    """(source, bundle folder) pairs for the zh_CN .qm files the app loads (ui/app.py)."""
    package = pyside_dir() if package is None else package
    if reported is None and ask_qt:
        reported = reported_translations_dir()
    folder = find_translations_dir(package, reported)
    return [(str(folder / name), BUNDLE_TRANSLATIONS) for name in QT_TRANSLATIONS]


def _posix(dest: str) -> PurePosixPath:
    return PurePosixPath(dest.replace("\\", "/"))


def is_foreign_qt_translation(dest: str) -> bool:
    """A .qm file under PySide6's translations folder (either layout) that is not zh_CN.

    PyInstaller's Qt hook collects every language (about 7 MB); the bundle keeps zh_CN.
    """
    path = _posix(dest)
    parts = path.parts
    in_qt_folder = parts[:2] == ("PySide6", "translations") or parts[:3] == ("PySide6", "Qt", "translations")
    return in_qt_folder and path.suffix == ".qm" and not path.stem.endswith(f"_{LANGUAGE}")


def keep_zh_cn_translations(datas: Iterable[Sequence]) -> list:
    """PyInstaller TOC entries (dest, source, kind) without other languages' Qt translations."""
    return [entry for entry in datas if not is_foreign_qt_translation(str(entry[0]))]


def platform_plugin_present(binaries: Iterable[Sequence], platform: str) -> bool:
    """Does the TOC bring the platform plugin (``.../plugins/platforms/qwindows.dll`` on Windows)?"""
    wanted = next((name for prefix, name in PLATFORM_PLUGINS.items() if platform.startswith(prefix)), None)
    if wanted is None:
        return True  # a platform we do not ship for: nothing to check
    for entry in binaries:
        path = _posix(str(entry[0]))
        if path.parent.name == "platforms" and path.parent.parent.name == "plugins" and path.name.startswith(
            wanted.split(".")[0]
        ):
            return True
    return False
