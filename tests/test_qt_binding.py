"""The Qt binding itself keeps Python's reference counts: a release that does not kills the
program after a while, whatever our code does.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` on every call of a method that
returns nothing (``setText``, ``update``, every ``QPainter`` call): ``None`` starts with a few
thousand references in the program, so painting the 工作台 a few times ended the process with
"Fatal Python error: none_dealloc". requirements.txt pins a release without it; this test
fails on one that has it. (From Python 3.12 ``None`` is immortal and the count never moves.)
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath
from PySide6.QtWidgets import QLabel, QWidget

CALLS = 2000


def _none_references_lost(call) -> int:
    call()  # anything built lazily on the first call is not counted
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        call()
    return before - sys.getrefcount(None)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: nothing to lose")
def test_methods_returning_nothing_keep_none_alive(qtbot):
    widget, label, thing = QWidget(), QLabel(), QObject()
    qtbot.addWidget(widget)
    qtbot.addWidget(label)
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    path = QPainterPath()
    path.addRoundedRect(QRectF(0, 0, 20, 10), 3, 3)
    try:
        calls = {
            "QWidget.setMinimumWidth": lambda: widget.setMinimumWidth(5),
            "QLabel.setText": lambda: label.setText("达标"),
            "QObject.setObjectName": lambda: thing.setObjectName("x"),
            "QRect.setWidth": lambda: QRect().setWidth(3),
            "QPainter.fillPath": lambda: painter.fillPath(path, QColor("#2f855a")),
            "QPainter.save/restore": lambda: (painter.save(), painter.restore()),
        }
        lost = {name: _none_references_lost(call) for name, call in calls.items()}
    finally:
        painter.end()
    # A little slack for the interpreter's own bookkeeping; the broken release lost one per call.
    assert {name: n for name, n in lost.items() if abs(n) > CALLS // 100} == {}
