"""A plain-text table cell for the PDF that wraps Chinese text quickly and splits by lines.

reportlab's Paragraph parses markup and re-measures every character on each of the many
wraps a long table goes through (each page split measures the remaining rows again);
for a month of 500 entries that dominated the export. Report cells are plain text, so
this flowable breaks lines once per width with cached character widths, and splits
between lines, which lets a row taller than a page continue on the next one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

# Characters that must not start a line (Chinese typesetting): the character before them moves down too.
NO_LINE_START = set("，。、；：？！）》」』】〕”’,.;:?!)]}%…—·")


@lru_cache(maxsize=64)
def _widths(font: str, size: float) -> dict[str, float]:
    return {}


def char_width(ch: str, font: str, size: float) -> float:
    table = _widths(font, size)
    width = table.get(ch)
    if width is None:
        width = table[ch] = stringWidth(ch, font, size)
    return width


def break_lines(text: str, width: float, font: str, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (hanging punctuation aside)."""
    lines: list[str] = []
    table = _widths(font, size)
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        last_space = -1
        for ch in paragraph:
            w = table.get(ch)
            if w is None:
                w = table[ch] = stringWidth(ch, font, size)
            if used + w > width and line:
                if ch in NO_LINE_START:
                    # the punctuation may not start a line: take the previous character along
                    carry = line.pop() if len(line) > 1 else None
                    lines.append("".join(line))
                    line = [carry] if carry else []
                    used = table[carry] if carry else 0.0
                elif ch.isascii() and ch.isalnum() and last_space > 0 and len(line) - last_space < 20:
                    # keep a short Latin word or number together
                    lines.append("".join(line[:last_space]))
                    line = line[last_space + 1:]
                    used = sum(table[c] for c in line)
                else:
                    lines.append("".join(line))
                    line, used = [], 0.0
                last_space = -1
            if ch == " ":
                last_space = len(line)
            line.append(ch)
            used += w
        lines.append("".join(line))
    return lines


class TextBlock(Flowable):
    """Wrapped plain text in one font; ``align`` is left or center."""

    def __init__(self, text: str, *, font: str, size: float, leading: float, align: str = "left",
                 lines: list[str] | None = None):
        super().__init__()
        self.text = text
        self.font = font
        self.size = size
        self.leading = leading
        self.align = align
        self._fixed = lines is not None  # a split part keeps the lines it was given
        self._lines: list[str] = lines or []
        self._wrapped_for: float | None = None

    def _layout(self, width: float) -> list[str]:
        if not self._fixed and self._wrapped_for != width:
            self._lines = break_lines(self.text, width, self.font, self.size)
            self._wrapped_for = width
        return self._lines

    def lines_for(self, width: float) -> list[str]:
        return list(self._layout(width))

    def part(self, lines: list[str]) -> TextBlock:
        """A block of the same style holding exactly ``lines``."""
        return TextBlock("", font=self.font, size=self.size, leading=self.leading, align=self.align, lines=lines)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab API)
        self.width = availWidth
        self.height = len(self._layout(availWidth)) * self.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        lines = self._layout(self._wrapped_for or availWidth)  # keep the lines measured by wrap()
        fit = int(availHeight // self.leading)
        if fit <= 0 or fit >= len(lines):
            return [] if fit <= 0 else [self]
        return [self.part(lines[:fit]), self.part(lines[fit:])]

    def draw(self) -> None:
        # One text object for all lines: far fewer PDF operators than a drawString per line.
        text = self.canv.beginText()
        text.setFont(self.font, self.size, self.leading)
        y = self.height - self.size  # first baseline, about one font size below the top
        for line in self._lines:
            if line:
                x = (self.width - sum(char_width(c, self.font, self.size) for c in line)) / 2 if self.align == "center" else 0
                text.setTextOrigin(x, y)
                text.textOut(line)
            y -= self.leading
        self.canv.drawText(text)
