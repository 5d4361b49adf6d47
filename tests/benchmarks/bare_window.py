"""The baseline for start-up: the least a PySide6 program does to show a main window.

Same exit rule as ``main.py --quit-after-startup``: quit once the window has been painted
and the event loop is idle. With ``ZL_STARTUP_MARKS`` set it prints the same marks as the app
(``zl-mark first-paint T`` when the window's content is first painted, ``zl-mark
interactive T`` as it quits; T on the shared monotonic clock, ``time.perf_counter``).
"""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def mark(name: str) -> None:
    if os.environ.get("ZL_STARTUP_MARKS"):
        print(f"zl-mark {name} {time.perf_counter():.6f}", file=sys.stderr, flush=True)


class FirstPaint(QObject):
    """Quit once the window's content has been painted (as the app quits once its first
    page has been painted), so neither is timed without drawing anything."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            mark("first-paint")
            QTimer.singleShot(0, lambda: (mark("interactive"), QApplication.quit()))
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    label = QLabel("钟楼区垃圾分类工作台账")
    window.setCentralWidget(label)
    window.resize(1280, 800)
    painted = FirstPaint(label)
    label.installEventFilter(painted)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
