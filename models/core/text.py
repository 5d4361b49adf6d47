"""Names from outside (file names, workbook cells, archives) made safe to show and to print.

A file name may carry a newline (which splits a report line or a log line), a control
character, or a bidi override (U+202E makes ``gpj.exe`` read as ``exe.jpg``). Where such
a name reaches a file name, a report or the screen, it is shown without them.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 255


def clean_display_name(text: str, *, limit: int = MAX_NAME) -> str:
    """``text`` without control, format (bidi, zero-width) or line-break characters.

    Line and tab breaks become one space; other such characters are dropped; the
    result is stripped and cut to ``limit`` characters ("未命名" when nothing is left).
    """
    out: list[str] = []
    for ch in str(text):
        category = unicodedata.category(ch)
        if ch in "\t\n\r\v\f\x85\u2028\u2029":
            out.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    cleaned = " ".join("".join(out).split())
    return cleaned[:limit] or "未命名"
