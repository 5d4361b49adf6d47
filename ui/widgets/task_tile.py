"""The 工作台's task tiles and due rows, each one widget that paints its own lines.

A tile shows a task's number, short title, this month's figures and status chip, then one
line per indicator (name, bar, value against target, period, status), a line when a deadline
was met late, and, for a target not set, what is missing with a 设置… button (the only
child widget). Built as labels, chips and bars, 21 tiles were about 1,100 widgets, each
polished against the application's style sheet: 0.1 s of the start-up. Painted, they are
21 widgets; the words, colours and fills are decided by ``ui.dashboard_view``.

They are painted without touching PySide's ``Qt`` namespace: its ~90 enums are built on
first use (about a fifth of a bare window's start-up), and ``QPainter.setPen`` /
``setBrush`` / ``fillRect`` with a colour, ``QFontMetrics.elidedText`` and the cursor and
focus enums all touch it. Text goes through the style's ``drawItemText`` with a palette of
the colour, shapes are filled with a palette's brush and outlined with a ``QPen`` built
without its overloaded constructors; the cursor and the focus come with ``enable_input``,
once the folder is open (before that a tile does nothing when clicked).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, Signal
from PySide6.QtGui import (
    QColor, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen,
)
from PySide6.QtWidgets import QPushButton, QSizePolicy, QToolTip, QWidget

from models.core import statuses as st

# Qt.AlignmentFlag / Qt.TextFlag values, as plain ints (see above)
ALIGN_LEFT, ALIGN_RIGHT, ALIGN_TOP, ALIGN_VCENTER, ALIGN_CENTER, WORD_WRAP = 0x1, 0x2, 0x20, 0x80, 0x84, 0x1000
LEFT = ALIGN_LEFT | ALIGN_VCENTER
RIGHT = ALIGN_RIGHT | ALIGN_VCENTER
CENTER = ALIGN_CENTER
WRAP = WORD_WRAP | ALIGN_LEFT | ALIGN_TOP
NOTE_COLOUR = "#9c4221"
_PALETTES: dict[str, QPalette] = {}
_RESTYLED = (QEvent.Type.Polish, QEvent.Type.StyleChange, QEvent.Type.FontChange, QEvent.Type.LayoutRequest)


_FONTS: dict[tuple[str, float | None, bool], QFont] = {}
_INPUT_READY = False  # a card's cursor and focus were set once: the Qt namespace they need exists


def input_ready() -> bool:
    return _INPUT_READY


def _font(base: QFont, points: float | None = None, *, bold: bool = False) -> QFont:
    """``base`` at ``points``, bold or not: one object per kind for every card (21 tiles made
    seven fonts each)."""
    key = (base.key(), points, bold)
    font = _FONTS.get(key)
    if font is None:
        font = _FONTS[key] = QFont(base)
        if points is not None:
            font.setPointSizeF(points)
        font.setBold(bold)
    return font


def _palette(colour: str) -> QPalette:
    palette = _PALETTES.get(colour)
    if palette is None:
        palette = _PALETTES[colour] = QPalette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        palette.setColor(QPalette.ColorRole.Window, QColor(colour))
    return palette


def draw_text(painter: QPainter, widget: QWidget, rect: QRect, flags: int, colour: str, text: str) -> None:
    widget.style().drawItemText(painter, rect, flags, _palette(colour), True, text, QPalette.ColorRole.WindowText)


def fill(painter: QPainter, path: QPainterPath, colour: str) -> None:
    painter.fillPath(path, _palette(colour).brush(QPalette.ColorRole.Window))


def rounded(rect: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    return path


def elided(metrics: QFontMetrics, text: str, width: int) -> str:
    """``text`` cut to ``width`` pixels with "…" (``elidedText`` needs the Qt namespace)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if metrics.horizontalAdvance(text[:mid] + "…") <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…" if low or width >= metrics.horizontalAdvance("…") else ""


class IndicatorLine:
    """One indicator as its tile shows it (``ui.dashboard_view.line_view``)."""

    __slots__ = ("name", "value_text", "period_text", "status", "fill", "tooltip")

    def __init__(self, view: dict[str, Any]):
        self.name: str = view["name"]
        self.value_text: str = view["value_text"]
        self.period_text: str = view["period_text"]
        self.status: str = view["status"]
        self.fill: int = int(view["fill"])  # how full the bar is, 0 to 1000
        self.tooltip: str = view["tooltip"]

    @property
    def colour(self) -> str:
        return st.color(self.status)


class _Painted(QWidget):
    """A clickable, focusable card with a coloured left stripe, painted in one pass."""

    activated = Signal(int)
    STRIPE = 5
    RADIUS = 6
    MIN_WIDTH = 260

    def __init__(self, colour: str, parent: QWidget | None = None, *, focusable: bool = True):
        super().__init__(parent)
        self.colour = colour
        self.focusable = focusable
        self.input_enabled = False
        # Its height follows its width (wrapped notes), but it is not a height-for-width widget:
        # a layout asks one for its height dozens of times per pass (860 calls into Python for
        # 21 tiles at start-up). The card sets its own fixed height for the width it is given.
        self.setSizePolicy(QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed))
        self.setMinimumWidth(self.MIN_WIDTH)
        self._hover = False

    def height_for(self, width: int) -> int:
        raise NotImplementedError

    def fit_height(self, width: int) -> None:
        height = self.height_for(max(width, self.MIN_WIDTH))
        if height != self.minimumHeight() or height != self.maximumHeight():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self.fit_height(self.width())

    def take_clicks(self) -> None:
        """Clicks and keys open the task (the folder is open); cursor and focus come with ``enable_input``."""
        self.input_enabled = True

    def enable_input(self) -> None:
        """Clickable (a hand cursor) and, for a tile, reachable by Tab: once the folder is open."""
        global _INPUT_READY
        from PySide6.QtCore import Qt

        _INPUT_READY = True
        self.input_enabled = True
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        if self.focusable:
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def enterEvent(self, event) -> None:  # noqa: N802, ANN001
        self._hover = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802, ANN001
        self._hover = False
        self.update()
        super().leaveEvent(event)

    def paint_card(self, painter: QPainter, *, border: str = "#d9e2ec", hover: str = "#90cdf4") -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = rounded(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), self.RADIUS)
        fill(painter, path, "#fbfdff" if self._hover else "#ffffff")
        painter.save()
        painter.setClipPath(path)
        stripe = QPainterPath()
        stripe.addRect(QRectF(0, 0, self.STRIPE, self.height()))
        fill(painter, stripe, self.colour)
        painter.restore()
        focused = self.hasFocus()
        pen = QPen()
        pen.setColor(QColor("#3182ce" if focused else hover if self._hover else border))
        pen.setWidthF(2 if focused else 1)
        painter.strokePath(path, pen)

    def emit_activated(self) -> None:
        raise NotImplementedError

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        from PySide6.QtCore import Qt

        if (self.input_enabled and event.button() == Qt.MouseButton.LeftButton
                and self.rect().contains(event.position().toPoint())):
            self.emit_activated()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        from PySide6.QtCore import Qt

        if self.input_enabled and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.emit_activated()
            return
        super().keyPressEvent(event)


class TaskTile(_Painted):
    """One task: number, short title, this month's figures, status chip, indicator lines."""

    settings_requested = Signal()
    PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 15, 12, 6, 6
    HEAD, LINE, INDENT, GAP = 24, 20, 36, 8
    PERIOD_WIDTH, STATUS_WIDTH = 82, 66
    NOMINAL_WIDTH = 900  # the height it starts with (a tile at 1366×768), fitted once laid out

    def __init__(self, view: dict[str, Any], parent: QWidget | None = None, *, name_width: int = 290):
        super().__init__(st.color(view["status"]), parent)
        self.view = view
        self.seq: int = view["seq"]
        self.status: str = view["status"]
        self.name_width = name_width
        self.title: str = view["title"]
        self.meta: str = view["meta"]
        self.lines = [IndicatorLine(line) for line in view["lines"]]
        # What the tile says beyond its lines: a deadline met late, a target not set.
        self.late_texts: dict[int, str] = {int(n): text for n, text in view["late"]}
        self.notes: dict[int, str] = {int(n): text for n, text in view["notes"]}
        base = self.font()
        self.fonts = {"seq": _font(base, 12, bold=True), "title": _font(base, bold=True), "small": _font(base, 9.5),
                      "chip": _font(base, 9.5, bold=True), "note": _font(base, 9), "value": _font(base, bold=True),
                      "name": _font(base)}
        self._rows_by_width: dict[int, list[tuple[str, int, int, int]]] = {}
        self.settings_buttons: list[QPushButton] = []
        for _n in self.notes:
            button = QPushButton("设置…", self)
            button.setToolTip("到“设置”页面填写本单位的户数或任务数")
            button.clicked.connect(self.settings_requested.emit)
            self.settings_buttons.append(button)
        self.setToolTip(view["tooltip"])
        # Painted text is invisible to a screen reader: the tile says it in words.
        self.setAccessibleName(f"任务{self.seq} {self.title} {self.status}")
        self.setAccessibleDescription("；".join(f"{line.name} {line.value_text} {line.period_text} {line.status}"
                                               for line in self.lines) or self.meta)
        self.fit_height(self.NOMINAL_WIDTH)

    def emit_activated(self) -> None:
        self.activated.emit(self.seq)

    def set_name_width(self, width: int) -> None:
        if width != self.name_width:
            self.name_width = width
            self.update()

    # -- geometry --------------------------------------------------------------------------
    def _note_width(self, width: int) -> int:
        button = self.settings_buttons[0].sizeHint().width() if self.settings_buttons else 0
        return max(80, width - self.PAD_LEFT - self.INDENT - self.PAD_RIGHT - button - self.GAP)

    def _rows(self, width: int) -> list[tuple[str, int, int, int]]:
        """(kind, line index, top, height) of every row below the head, worked out once per
        width (a layout asks a tile's height for a width dozens of times at start-up)."""
        rows = self._rows_by_width.get(width)
        if rows is None:
            if len(self._rows_by_width) > 16:
                self._rows_by_width.clear()
            rows = self._rows_by_width[width] = self._work_out_rows(width)
        return rows

    def _work_out_rows(self, width: int) -> list[tuple[str, int, int, int]]:
        rows, y = [], self.PAD_TOP + self.HEAD + 2
        note_metrics = QFontMetrics(self.fonts["note"])
        for n in range(len(self.lines)):
            rows.append(("line", n, y, self.LINE))
            y += self.LINE + 2
            if n in self.late_texts:
                rows.append(("late", n, y, note_metrics.height() + 2))
                y += note_metrics.height() + 4
            if n in self.notes:
                text_height = note_metrics.boundingRect(QRect(0, 0, self._note_width(width), 10_000), WRAP,
                                                        self.notes[n]).height()
                height = max(text_height, self.settings_buttons[0].sizeHint().height() if self.settings_buttons else 0)
                rows.append(("note", n, y, height))
                y += height + 2
        return rows

    def height_for(self, width: int) -> int:
        rows = self._rows(width)
        bottom = rows[-1][2] + rows[-1][3] if rows else self.PAD_TOP + self.HEAD
        return bottom + self.PAD_BOTTOM

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        buttons = iter(self.settings_buttons)
        for kind, _n, top, height in self._rows(self.width()):
            if kind == "note":
                button = next(buttons)
                size = button.sizeHint()
                button.setGeometry(self.width() - self.PAD_RIGHT - size.width(), top + (height - size.height()) // 2,
                                   size.width(), size.height())

    def chip_rect(self) -> QRect:
        width = max(58, QFontMetrics(self.fonts["chip"]).horizontalAdvance(self.status) + 20)
        return QRect(self.width() - self.PAD_RIGHT - width, self.PAD_TOP + (self.HEAD - 20) // 2, width, 20)

    def line_at(self, point: QPoint) -> IndicatorLine | None:
        for kind, n, top, height in self._rows(self.width()):
            if kind == "line" and top <= point.y() < top + height and point.x() >= self.PAD_LEFT + self.INDENT:
                return self.lines[n]
        return None

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        self.paint_card(painter)
        width, left = self.width(), self.PAD_LEFT
        top = self.PAD_TOP
        chip = self.chip_rect()
        painter.setFont(self.fonts["seq"])
        draw_text(painter, self, QRect(left, top, 28, self.HEAD), CENTER, "#2c5282", str(self.seq))
        painter.setFont(self.fonts["small"])
        meta_width = painter.fontMetrics().horizontalAdvance(self.meta)
        meta = QRect(chip.left() - self.GAP - meta_width, top, meta_width, self.HEAD)
        draw_text(painter, self, meta, LEFT, "#616e7c", self.meta)
        painter.setFont(self.fonts["title"])
        title = QRect(left + 28 + self.GAP, top, max(0, meta.left() - self.GAP - left - 28 - self.GAP), self.HEAD)
        draw_text(painter, self, title, LEFT, "#1f2933", elided(painter.fontMetrics(), self.title, title.width()))
        fill(painter, rounded(QRectF(chip), 10), self.colour)
        painter.setFont(self.fonts["chip"])
        draw_text(painter, self, chip, CENTER, "#ffffff", self.status)
        for kind, n, row_top, height in self._rows(width):
            x = left + self.INDENT
            if kind == "line":
                self._paint_line(painter, self.lines[n], QRect(x, row_top, width - self.PAD_RIGHT - x, height))
            elif kind == "late":
                painter.setFont(self.fonts["note"])
                draw_text(painter, self, QRect(x, row_top, width - self.PAD_RIGHT - x, height), LEFT,
                          self.lines[n].colour, self.late_texts[n])
            else:
                painter.setFont(self.fonts["note"])
                draw_text(painter, self, QRect(x, row_top, self._note_width(width), height), WRAP | ALIGN_VCENTER,
                          NOTE_COLOUR, self.notes[n])
        painter.end()

    def _paint_line(self, painter: QPainter, line: IndicatorLine, rect: QRect) -> None:
        colour = line.colour
        status = QRect(rect.right() - self.STATUS_WIDTH + 1, rect.top(), self.STATUS_WIDTH, rect.height())
        period = QRect(status.left() - self.GAP - self.PERIOD_WIDTH, rect.top(), self.PERIOD_WIDTH, rect.height())
        painter.setFont(self.fonts["small"])
        draw_text(painter, self, status, LEFT, colour, line.status)
        painter.setFont(self.fonts["note"])
        draw_text(painter, self, period, LEFT, "#7b8794", line.period_text)
        painter.setFont(self.fonts["value"])
        value_width = max(118, painter.fontMetrics().horizontalAdvance(line.value_text) + 10)
        value = QRect(period.left() - self.GAP - value_width, rect.top(), value_width, rect.height())
        draw_text(painter, self, value, RIGHT, colour, line.value_text)
        name_width = min(self.name_width, max(60, value.left() - rect.left() - self.GAP - 80))
        painter.setFont(self.fonts["name"])
        name = QRect(rect.left(), rect.top(), name_width, rect.height())
        draw_text(painter, self, name, LEFT, "#334e68", elided(painter.fontMetrics(), line.name, name_width))
        bar = QRectF(name.right() + self.GAP, rect.center().y() - 4, max(0, value.left() - self.GAP - name.right() - self.GAP), 10)
        fill(painter, rounded(bar, 5), "#e4e7eb")
        if line.fill:
            fill(painter, rounded(QRectF(bar.left(), bar.top(), max(10.0, bar.width() * line.fill / 1000), bar.height()), 5),
                 colour)

    def event(self, event: QEvent) -> bool:
        if event.type() in _RESTYLED:  # the settings button's size (a row's height) may change
            self._rows_by_width.clear()
        elif event.type() == QEvent.Type.ToolTip:
            line = self.line_at(event.pos())  # type: ignore[attr-defined]
            if line is not None:
                QToolTip.showText(event.globalPos(), line.tooltip, self)  # type: ignore[attr-defined]
                return True
        return super().event(event)


class DueRow(_Painted):
    """One deadline of the next 60 days (or one passed): the day, how far off, the task."""

    PAD = 8
    NOMINAL_WIDTH = 250  # the due list's width beside the tiles

    def __init__(self, view: dict[str, Any], parent: QWidget | None = None):
        super().__init__(view["colour"], parent, focusable=False)
        self.STRIPE = 4
        self.RADIUS = 4
        self.view = view
        self.seq: int = view["seq"]
        self.title: str = view["title"]  # what is due, in Chinese
        self.overdue: bool = bool(view["overdue"])
        self.when: str = view["when"]
        base = self.font()
        self.fonts = {"when": _font(base, 9.5, bold=True), "text": _font(base, 9.5)}
        self._rect_by_width: dict[int, QRect] = {}
        self.setToolTip(self.title)
        self.setAccessibleName(f"{self.when} {self.title}")
        self.fit_height(self.NOMINAL_WIDTH)

    def emit_activated(self) -> None:
        self.activated.emit(self.seq)

    def _text_rect(self, width: int) -> QRect:
        rect = self._rect_by_width.get(width)
        if rect is None:
            if len(self._rect_by_width) > 16:
                self._rect_by_width.clear()
            rect = self._rect_by_width[width] = self._work_out_text_rect(width)
        return QRect(rect)

    def _work_out_text_rect(self, width: int) -> QRect:
        top = self.PAD // 2 + QFontMetrics(self.fonts["when"]).height()
        inner = max(40, width - 2 * self.PAD - self.STRIPE)
        height = QFontMetrics(self.fonts["text"]).boundingRect(QRect(0, 0, inner, 10_000), WRAP, self.title).height()
        return QRect(self.PAD + self.STRIPE, top, inner, height)

    def height_for(self, width: int) -> int:
        return self._text_rect(width).bottom() + 1 + self.PAD // 2

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        self.paint_card(painter, border="#e4e7eb", hover="#e4e7eb")
        painter.setFont(self.fonts["when"])
        height = painter.fontMetrics().height()
        draw_text(painter, self, QRect(self.PAD + self.STRIPE, self.PAD // 2, self.width() - 2 * self.PAD, height), LEFT,
                  self.colour, self.when)
        painter.setFont(self.fonts["text"])
        draw_text(painter, self, self._text_rect(self.width()), WRAP, "#1f2933", self.title)
        painter.end()
