"""The one line-breaking rule of the reports (PDF layout and workbook row heights) and page planning."""

from __future__ import annotations

import pytest

from models.reporting.fonts import register_report_fonts
from models.reporting.textblock import (
    NO_LINE_END,
    NO_LINE_START,
    break_lines,
    excel_width,
    header_text,
    paginate,
    split_after_lines,
    widest_unit,
    wrap,
)

INDICATOR = "生活垃圾分类知晓率：81.3% / 目标≥80%（2023年第二季度，达标）；6月27日测评，新增0个 / ≥0个，截至2023年10月31日。"
WHOLE = ["81.3%", "≥80%", "6月27日", "0个 / ≥0个", "2023年10月31日"]


def chars(text: str) -> float:
    return float(len(text))


@pytest.mark.parametrize("width", range(8, 40))
def test_numbers_dates_and_ratios_never_break(width):
    lines = wrap(INDICATOR, width, chars)
    assert "".join(lines) == INDICATOR  # nothing dropped, nothing added
    assert all(len(line.rstrip(" ")) <= width for line in lines)
    for token in WHOLE:
        if len(token) + 2 <= width:  # room for it (with its bound punctuation) on one line
            assert any(token in line for line in lines), (token, lines)


@pytest.mark.parametrize("width", range(4, 30))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(width):
    text = "推动产生生活垃圾的单位、家庭和个人（含物业），提高知晓率；落实“三定一撤”：定时、定点、定人。" * 3
    lines = wrap(text, width, chars)
    assert "".join(lines) == text
    assert not any(line[0] in NO_LINE_START for line in lines[1:] if line)
    assert not any(line[-1] in NO_LINE_END for line in lines if line)


def test_newlines_always_break_and_are_kept_by_split():
    text = "第一行很长很长很长很长\n\n第三行"
    lines = wrap(text, 6, chars)
    assert lines == ["第一行很长很", "长很长很长", "", "第三行"] or lines[2] == ""
    head, rest = split_after_lines(text, lines, 2)
    assert head + rest == text and rest.startswith("\n")


def test_a_unit_wider_than_the_line_is_cut_not_lost():
    text = "编号" + "1234567890" * 3
    lines = wrap(text, 8, chars)
    assert "".join(lines) == text and all(len(line) <= 8 for line in lines)


def test_headers_break_where_a_person_would():
    assert header_text("佐证材料（件）", 8, excel_width) == "佐证材料\n（件）"
    assert header_text("地点 / 组织单位", 10, excel_width) == "地点 /\n组织单位"
    assert header_text("完成期限", 9, excel_width) == "完成期限"
    assert header_text("任务（目标内容）", 40, excel_width) == "任务（目标内容）"


def test_excel_width_and_widest_unit():
    assert excel_width("abc") == 3 and excel_width("垃圾a") == 5
    assert widest_unit("完成期限为2023年10月", excel_width) == excel_width("2023年10月")


def test_pdf_measure_uses_the_embedded_font():
    fonts = register_report_fonts()
    lines = break_lines("投放准确率84%（6月27日）" * 10, 60, fonts.body, 9)
    assert len(lines) > 3 and not any(line.startswith(("%", "）", "日")) for line in lines)
    assert all(("84%" in line) or ("84" not in line) for line in lines)


def test_paginate_keeps_the_trailer_with_the_last_rows():
    # ten rows of 10; pages hold 60 (first 50); a trailer of 25 does not fit below rows 5-9
    pages = paginate([10] * 10, first=50, rest=60, trailer=25)
    assert pages[0] == [0, 1, 2, 3, 4]
    assert sum(10 for _ in pages[-1]) + 25 <= 60 and pages[-1], pages
    assert [i for p in pages for i in p] == list(range(10))
    # a trailer that fits stays on the page of the last rows, no row moves
    assert paginate([10] * 10, first=50, rest=60, trailer=5) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_paginate_a_row_taller_than_a_page_gets_its_own_page():
    assert paginate([10, 100, 10], first=60, rest=60) == [[0], [1], [2]]
