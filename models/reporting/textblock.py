"""Line breaking and page planning shared by the PDF and the workbook.

``wrap`` is the one line-breaking rule of the reports. Chinese text may break between any
two characters, but a number, percentage, date or ratio ("80%", "6月27日", "2023年10月",
"81.3%", "0个 / ≥0个") is one unbreakable unit, no line starts with closing punctuation
(）」。，、：； …) and no line ends with an opening one (（「《 …). It takes the width of a
piece of text as a function, so the PDF measures in points with the embedded font and the
workbook in Excel's character units, and both break the same text at the same places.

Nothing here imports reportlab until a font is measured, so the workbook writers and the
GUI can use ``wrap`` without loading it.

``paginate`` plans which rows go on which page from their heights alone, keeping a trailing
block (the signatures) on the page of the last rows.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Sequence


# Characters that must not start a line (Chinese typesetting): the unit before them moves down too.
NO_LINE_START = set("，。、；：？！）》」』】〕〉”’,.;:?!)]}%…·")
# Characters that must not end a line: they go down with what follows them.
NO_LINE_END = set("（《「『【〔〈“‘([{")

_NUM = r"(?:[≥≤<>＜＞±～~+\-−]\s?)?\d+(?:[.,:：]\d+)*"
_UNIT = r"(?:[%％‰]|人次|户次|平方米|[个次人户件张条项名处座台吨万亿元年月日号时分秒倍]|m²|㎡|t\b|km|kg)?"
_DATE = r"\d{2,4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}(?:-\d{1,2})?|\d{4}Q[1-4]"
_ITEM = rf"(?:{_DATE}|{_NUM}{_UNIT})"
# A ratio joins items with "/" (spaces allowed around it): "3/5", "0个 / ≥0个", "12/30".
_ATOM = re.compile(rf"{_ITEM}(?:\s?/\s?{_ITEM})*|[A-Za-z][A-Za-z0-9_\-.@]*")
UNBREAKABLE = _ATOM  # what no line may break inside: numbers, dates, ratios, Latin words

Measure = Callable[[str], float]


def _units(paragraph: str) -> list[str]:
    """The paragraph cut into pieces no line may break inside: numbers, dates, ratios and
    Latin words whole, other characters alone; opening punctuation bound to what follows,
    closing punctuation to what precedes."""
    atoms: list[str] = []
    pos = 0
    for match in _ATOM.finditer(paragraph):
        atoms.extend(paragraph[pos:match.start()])
        atoms.append(match.group())
        pos = match.end()
    atoms.extend(paragraph[pos:])
    units: list[str] = []
    pending = ""  # opening punctuation waiting for its unit
    for atom in atoms:
        if (atom in NO_LINE_START or atom == " ") and units and not pending:  # a space never starts a line either
            units[-1] += atom
        elif atom in NO_LINE_END:
            pending += atom
        else:
            units.append(pending + atom)
            pending = ""
    if pending:
        if units:
            units[-1] += pending
        else:
            units.append(pending)
    return units


def _hard_split(unit: str, width: float, measure: Measure) -> list[str]:
    """A unit wider than a whole line, cut by characters (closing punctuation kept with its predecessor)."""
    pieces: list[str] = []
    line = ""
    for ch in unit:
        if line and measure(line + ch) > width:
            if ch in NO_LINE_START and len(line) > 1:  # the punctuation takes the character before it along
                pieces.append(line[:-1])
                line = line[-1]
            elif ch not in NO_LINE_START:
                pieces.append(line)
                line = ""
        line += ch
    if line:
        pieces.append(line)
    return pieces


_UNIT_WIDTHS: dict[Measure, dict[str, float]] = {}


def _unit_widths(measure: Measure) -> dict[str, float]:
    """Widths of units already measured with ``measure``: most units are single characters
    and common numbers, so a report measures each only once."""
    table = _UNIT_WIDTHS.get(measure)
    if table is None or len(table) > 100_000:
        table = _UNIT_WIDTHS[measure] = {}
    return table


def wrap(text: str, width: float, measure: Measure) -> list[str]:
    """Lines of ``text`` no wider than ``width`` as ``measure`` counts; "\\n" always breaks.

    Joining the lines gives back the text without its newlines: nothing is dropped.
    """
    lines: list[str] = []
    seen = _unit_widths(measure)
    for paragraph in text.split("\n"):
        if measure(paragraph) <= width:
            lines.append(paragraph)
            continue
        line, used = "", 0.0
        for unit in _units(paragraph):
            w = seen.get(unit)
            if w is None:
                w = seen[unit] = measure(unit)
            if w > width:  # too wide for any line: cut it by characters, go on after its last piece
                if line:
                    lines.append(line)
                pieces = _hard_split(unit, width, measure)
                lines.extend(pieces[:-1])
                line, used = pieces[-1], measure(pieces[-1])
            elif used + (w if unit[-1] != " " else measure(unit.rstrip(" "))) <= width or not line:  # a trailing space may hang
                line, used = line + unit, used + w
            else:
                lines.append(line)
                line, used = unit, w
        lines.append(line)
    return lines


def widest_unit(text: str, measure: Measure) -> float:
    """The width of the widest piece of ``text`` no line may break inside ("2023年10月")."""
    seen = _unit_widths(measure)
    widest = 0.0
    for paragraph in text.split("\n"):
        for unit in _units(paragraph):
            w = seen.get(unit)
            if w is None:
                w = seen[unit] = measure(unit)
            widest = max(widest, w)
    return widest


def split_after_lines(text: str, lines: list[str], kept: int) -> tuple[str, str]:
    """``text`` cut after its first ``kept`` lines as ``wrap`` made them (newlines kept)."""
    pos = 0
    for line in lines[:kept]:
        pos += len(line)
        if text[pos : pos + 1] == "\n":
            pos += 1
    return text[:pos], text[pos:]


def header_phrases(label: str) -> list[str]:
    """A column header's phrases, the places a person breaks it: before "（", after " / "."""
    parts = re.split(r"(?<= /)\s|(?=（)", label)
    return [p.strip() for p in parts if p.strip()]


def header_text(label: str, width: float, measure: Measure) -> str:
    """A column header broken where a person would ("佐证材料 / （件）"), phrases joined
    while they fit; a phrase wider than the column is wrapped like any text."""
    if measure(label) <= width:
        return label
    lines: list[str] = []
    for phrase in header_phrases(label):
        joined = lines[-1] + phrase if lines else phrase
        if lines and measure(joined) <= width:
            lines[-1] = joined
        elif measure(phrase) <= width:
            lines.append(phrase)
        else:
            lines.extend(wrap(phrase, width, measure))
    return "\n".join(lines)


_EXCEL_WIDTHS: dict[str, int] = {}


def excel_width(text: str) -> float:
    """Display width in Excel character units: CJK and full-width characters count double."""
    if text.isascii():
        return float(len(text))
    table = _EXCEL_WIDTHS
    if len(text) == 1 and text in table:
        return float(table[text])
    total = 0
    for ch in text:
        w = table.get(ch)
        if w is None:
            w = table[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        total += w
    return float(total)


@lru_cache(maxsize=64)
def _widths(font: str, size: float) -> dict[str, float]:
    return {}


def char_width(ch: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth  # only when a PDF is being made

    table = _widths(font, size)
    width = table.get(ch)
    if width is None:
        width = table[ch] = stringWidth(ch, font, size)
    return width


@lru_cache(maxsize=64)
def font_measure(font: str, size: float) -> Measure:
    """Width in points of a text set in ``font`` at ``size`` (cached per character)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # only when a PDF is being made

    table = _widths(font, size)

    def measure(text: str) -> float:
        total = 0.0
        for ch in text:
            w = table.get(ch)
            if w is None:
                w = table[ch] = stringWidth(ch, font, size)
            total += w
        return total

    return measure


def break_lines(text: str, width: float, font: str, size: float) -> list[str]:
    """``wrap`` measured in points with a registered reportlab font."""
    return wrap(text, width, font_measure(font, size))


# ---------------------------------------------------------------- pages


def paginate(heights: Sequence[float], *, first: float, rest: float, trailer: float = 0.0) -> list[list[int]]:
    """Row indices per page: rows fill pages in order (``first`` is the room on the first
    page, ``rest`` on the others); the last page also holds ``trailer`` — when it does not
    fit below the last rows, rows are carried over to a new page with it, so the trailer
    never stands alone. A row taller than a page gets a page of its own."""
    pages: list[list[int]] = [[]]
    room = first
    for n, h in enumerate(heights):
        if pages[-1] and h > room:
            pages.append([])
            room = rest
        pages[-1].append(n)
        room -= h
    if trailer and heights:
        last = pages[-1]
        room_left = (first if len(pages) == 1 else rest) - sum(heights[i] for i in last)
        if room_left < trailer:
            moved: list[int] = []
            while last:  # carry rows from the end until the new page holds them and the trailer
                moved.insert(0, last.pop())
                if sum(heights[i] for i in moved) + trailer <= rest:
                    break
            if not last:
                pages.pop()
            pages.append(moved)
    return pages
