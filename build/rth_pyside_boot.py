"""Runtime hook of the windowed program (pyinstaller.spec): PySide6 is loaded through
``ui.pyside_boot`` (shiboken's support code compiled once per user instead of at every
start) before PyInstaller's own PySide6 hook imports it. The console program has neither."""

import ui  # noqa: F401
