"""The baseline for start-up: the least a PySide6 program does to show a main window.

Same exit rule as ``main.py --quit-after-startup``: quit once the window is shown and the
event loop is idle.
"""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(QLabel("钟楼区垃圾分类工作台账"))
    window.resize(1280, 800)
    window.show()
    QTimer.singleShot(0, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
