"""What the screen remembers between sessions for this Windows user: window size and place
per screen, column widths, the last folder of each file dialog. Kept in the user's own
settings (QSettings, an INI file), not in the ledger: they are habits of a person at a PC.

File dialogs start in the last folder used for that purpose, else in 文档 (Documents),
never in the program's folder (Program Files on an office PC).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget


def ui_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Zhonglou", "ledger-ui")


def documents_dir() -> Path:
    from PySide6.QtCore import QStandardPaths  # a file dialog's, not the start's

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path = Path(found) if found else Path.home()
    return path if path.is_dir() else Path.home()


def start_dir(purpose: str) -> Path:
    last = ui_settings().value(f"dirs/{purpose}")
    if last and Path(str(last)).is_dir():
        return Path(str(last))
    return documents_dir()


def remember_dir(purpose: str, chosen: str | Path) -> None:
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    ui_settings().setValue(f"dirs/{purpose}", str(folder))


def open_file(parent: QWidget, title: str, filters: str, purpose: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog  # not on the start path (the window's place is read here)

    path, _ = QFileDialog.getOpenFileName(parent, title, str(start_dir(purpose)), filters)
    if not path:
        return None
    remember_dir(purpose, path)
    return Path(path)


def open_files(parent: QWidget, title: str, filters: str, purpose: str) -> list[Path]:
    from PySide6.QtWidgets import QFileDialog  # not on the start path (the window's place is read here)

    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(start_dir(purpose)), filters)
    if paths:
        remember_dir(purpose, paths[0])
    return [Path(p) for p in paths]


def save_file(parent: QWidget, title: str, name: str, filters: str, purpose: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog  # not on the start path (the window's place is read here)

    path, _ = QFileDialog.getSaveFileName(parent, title, str(start_dir(purpose) / name), filters)
    if not path:
        return None
    remember_dir(purpose, path)
    return Path(path)


def choose_folder(parent: QWidget | None, title: str, purpose: str, start: str = "") -> Path | None:
    first = start if start and Path(start).is_dir() else str(start_dir(purpose))
    from PySide6.QtWidgets import QFileDialog  # not on the start path (the window's place is read here)

    folder = QFileDialog.getExistingDirectory(parent, title, first)
    if not folder:
        return None
    ui_settings().setValue(f"dirs/{purpose}", folder)
    return Path(folder)
