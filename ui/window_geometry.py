"""The main window fits the screen it opens on, and comes back where it was on that screen.

Never larger than the screen's available geometry (the screen less the taskbar), frame
included; the size and place are remembered per screen (a laptop on and off its docking
monitor gets each its own), and a remembered place that is now off-screen is pulled back.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize
from PySide6.QtGui import QCursor, QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from ui.ui_state import ui_settings

DEFAULT_SIZE = QSize(1280, 800)
MIN_SIZE = QSize(960, 600)
# Title bar and borders a Windows frame adds around the client area, before the frame is known.
FRAME = QMargins(8, 31, 8, 8)


def screen_key(screen: QScreen) -> str:
    size = screen.size()
    return f"window/{screen.name() or 'screen'}-{size.width()}x{size.height()}".replace("\\", "_")


def fit_rect(wanted: QRect | None, available: QRect, frame: QMargins = FRAME) -> QRect:
    """The client rectangle to use: ``wanted`` shrunk and moved inside ``available`` (frame
    included), or the default size centred when nothing was remembered."""
    room = available.marginsRemoved(frame)
    if wanted is None or not wanted.isValid():
        size = DEFAULT_SIZE.boundedTo(room.size())
        rect = QRect(QPoint(0, 0), size)
        rect.moveCenter(room.center())
        return rect
    size = wanted.size().boundedTo(room.size())
    x = min(max(wanted.x(), room.left()), room.right() - size.width() + 1)
    y = min(max(wanted.y(), room.top()), room.bottom() - size.height() + 1)
    return QRect(QPoint(x, y), size)


def opening_screen() -> QScreen:
    return QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()


def restore_window(window: QWidget, screen: QScreen | None = None) -> None:
    """Size and place ``window`` for ``screen`` (where it opens) before it is shown."""
    if placement(window, screen):
        from PySide6.QtCore import Qt  # the Qt namespace (~25 ms of enums): not on the start path

        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def placement(window: QWidget, screen: QScreen | None = None) -> bool:
    """Give ``window`` its size and place for ``screen``; True when it should open maximised
    (``show_placed`` shows it so, without touching the ``Qt`` namespace)."""
    screen = screen or opening_screen()
    available = screen.availableGeometry()
    settings = ui_settings()
    key = screen_key(screen)
    saved = settings.value(f"{key}/rect")
    wanted = saved if isinstance(saved, QRect) else None
    window.setMinimumSize(MIN_SIZE.boundedTo(available.marginsRemoved(FRAME).size()))
    window.setGeometry(fit_rect(wanted, available))
    maximized = settings.value(f"{key}/maximized")
    # A first start on a screen too small for the default size opens maximised, like Office.
    small = available.width() < DEFAULT_SIZE.width() + 16 or available.height() < DEFAULT_SIZE.height() + 39
    return str(maximized).lower() == "true" or (wanted is None and small)


def show_placed(window: QWidget) -> None:
    """Place ``window`` as it was last left on the screen it opens on, then show it."""
    if placement(window):
        window.showMaximized()
    else:
        window.show()


def save_window(window: QWidget) -> None:
    screen = window.screen() or QGuiApplication.primaryScreen()
    settings = ui_settings()
    key = screen_key(screen)
    settings.setValue(f"{key}/rect", window.normalGeometry() if window.isMaximized() else window.geometry())
    settings.setValue(f"{key}/maximized", window.isMaximized())
    settings.sync()
