"""The PDF read back with poppler: embedded fonts, text, page numbers, long rows, photos."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_reports_data import fill_june

from models.core.errors import AppError
from models.reporting.assembly import assemble_monthly
from models.reporting.export import export_monthly
from models.reporting.fonts import FontCandidate, register_report_fonts
from models.reporting.pdf_writer import write_pdf
from models.reporting.photos import prepare_photos
from models.reporting.textblock import break_lines, char_width

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"), reason="poppler-utils")


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def fonts_of(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


@needs_poppler
def test_monthly_pdf_fonts_text_and_page_numbers(ws, tmp_path):
    fill_june(ws, tmp_path, photos=3)
    result = export_monthly(ws, "2023-06", tmp_path / "out")
    fonts = fonts_of(result.pdf)
    assert fonts, "the PDF uses at least one font"
    for row in fonts:
        assert row[-5] == "yes", f"font not embedded: {row}"  # emb column
    text = pdftext(result.pdf)
    flat = re.sub(r"\s+", "", text)
    assert "钟楼区生活垃圾分类工作月度台账（2023年6月）" in flat
    assert "填报单位（盖章）：南大街街道" in flat
    assert "落实垃圾分类党建引领机制" in flat and "召开6月垃圾分类四级联动会议" in flat
    total = pages(result.pdf)
    assert f"第1页共{total}页" in flat and f"第{total}页共{total}页" in flat
    assert "单位负责人（签字）" in flat and "报表版本：第1版" in flat
    assert "附件：2023年6月佐证照片（共3张）" in flat
    assert "任务12023年6月3日召开6月垃圾分类四级联动会议" in flat  # a photo caption


@needs_poppler
def test_a_row_taller_than_a_page_splits_instead_of_failing(ws, tmp_path):
    report = assemble_monthly(ws, "2023-06")
    long_text = "".join(f"第{n}段：入户宣传、桶边督导、分类知识讲解。" for n in range(1200))[:20000]
    report.rows[0] = dataclasses.replace(report.rows[0], work_summary=long_text)
    path = tmp_path / "long.pdf"
    write_pdf(report, path, photos=[], digest="0" * 64)
    assert pages(path) >= 5
    flat = re.sub(r"\s+", "", pdftext(path))
    assert "第500段：入户宣传" in flat and "开展垃圾分类层级培训" in flat  # later rows still printed


def test_photos_are_downscaled_once_and_cached(ws, tmp_path):
    fill_june(ws, tmp_path, photos=2)
    report = assemble_monthly(ws, "2023-06")
    first = prepare_photos(ws.data_dir, report.photos)
    assert all(p.path is not None and max(p.size) <= 900 for p in first)
    stamps = [p.path.stat().st_mtime_ns for p in first]
    again = prepare_photos(ws.data_dir, report.photos)
    assert [p.path.stat().st_mtime_ns for p in again] == stamps


def test_the_same_photo_on_two_entries_is_downscaled_once(ws, tmp_path, monkeypatch):
    """Two threads downscaling one photo into one cache file broke on Windows (rename of a
    file the other thread has open): photos are de-duplicated by hash before the pool."""
    import models.reporting.photos as photos_mod

    fill_june(ws, tmp_path, photos=2)
    report = assemble_monthly(ws, "2023-06")
    first, second = report.photos[:2]
    again = dataclasses.replace(first, title="同一张照片的另一条台账", original_name="复用.jpg")
    calls: list[Path] = []
    real = photos_mod._downscale
    monkeypatch.setattr(photos_mod, "_downscale", lambda src, dst: (calls.append(dst), real(src, dst)))
    seen: list[tuple[int, int]] = []
    prepared = prepare_photos(ws.data_dir, [first, again, second, again],
                              progress=lambda n, total, text: seen.append((n, total)))
    assert len(calls) == 2 and len(set(calls)) == 2
    assert seen == [(1, 2), (2, 2)]
    assert [p.caption for p in prepared] == [first.caption, again.caption, second.caption, again.caption]
    assert prepared[0].path == prepared[1].path == prepared[3].path != prepared[2].path
    first.source.write_bytes(b"not a jpeg")
    for cached in calls:
        cached.unlink()
    broken = prepare_photos(ws.data_dir, [first, again])
    assert "现场照片" in broken[0].problem and broken[1].problem.startswith("复用.jpg，")


def test_an_unreadable_photo_becomes_a_placeholder(ws, tmp_path):
    fill_june(ws, tmp_path, photos=1)
    report = assemble_monthly(ws, "2023-06")
    report.photos[0].source.write_bytes(b"not a jpeg")
    prepared = prepare_photos(ws.data_dir, report.photos)
    assert prepared[0].path is None and "现场照片1.jpg" in prepared[0].problem
    write_pdf(report, tmp_path / "p.pdf", photos=prepared, digest="0" * 64)  # still a PDF


def test_no_usable_font_gives_a_clear_message(tmp_path):
    cff = tmp_path / "SourceHanSans.otf"
    cff.write_bytes(b"OTTO" + b"\0" * 200)
    with pytest.raises(AppError) as err:
        register_report_fonts(body=[FontCandidate(cff)], title=[FontCandidate(cff)])
    assert "CFF" in str(err.value) and "TrueType" in str(err.value)
    with pytest.raises(AppError) as err:
        register_report_fonts(body=[FontCandidate(tmp_path / "missing.ttf")], title=[])
    assert "未找到任何中文 TrueType 字体" in str(err.value)


def test_fonts_searched_in_the_data_folder_and_the_windows_user_font_folder(tmp_path, monkeypatch):
    from models.reporting import fonts as fonts_mod

    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    user = tmp_path / "Local" / "Microsoft" / "Windows" / "Fonts"
    own = tmp_path / "data" / "fonts"
    for folder in (user, own):
        folder.mkdir(parents=True)
    (user / "simhei.ttf").write_bytes(b"")
    (user / "msyh.ttc").write_bytes(b"")
    (own / "方正仿宋.ttf").write_bytes(b"")
    body, title = fonts_mod.default_candidates(tmp_path / "data")
    paths = [c.path for c in body]
    assert paths.index(tmp_path / "Windows" / "Fonts" / "simsun.ttc") < paths.index(user / "simsun.ttc")
    assert paths.index(user / "simsun.ttc") < paths.index(own / "方正仿宋.ttf") < paths.index(user / "msyh.ttc")
    assert [c.path for c in title][:2] == [tmp_path / "Windows" / "Fonts" / "simhei.ttf", user / "simhei.ttf"]


def test_missing_font_message_names_the_data_folder_and_the_user_font_folder(tmp_path, monkeypatch):
    from models.reporting import fonts as fonts_mod

    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    monkeypatch.setattr(fonts_mod, "_SYSTEM_FONTS", ())
    monkeypatch.setattr(fonts_mod, "_bundled", lambda: [])
    data = tmp_path / "data"
    with pytest.raises(AppError) as err:
        register_report_fonts(data_dir=data)
    message = str(err.value)
    assert str(data / "fonts") in message and r"%LOCALAPPDATA%\Microsoft\Windows\Fonts" in message
    assert "resources" not in message and "Program Files" not in message
    if WQY.is_file():  # a font put where the message says is used
        (data / "fonts").mkdir(parents=True)
        shutil.copy(WQY, data / "fonts" / "自备字体.ttc")
        assert register_report_fonts(data_dir=data).body_label == "自备字体"


def test_line_breaking_keeps_punctuation_off_line_starts():
    register_report_fonts()
    lines = break_lines("垃圾分类，" * 40, 100, "ZLBody", 9)
    assert len(lines) > 3 and not any(line.startswith("，") for line in lines)
    assert "".join(lines) == "垃圾分类，" * 40
    assert all(sum(char_width(c, "ZLBody", 9) for c in line) <= 100 for line in lines)


WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-microhei")
def test_title_and_body_fonts_are_registered_separately_when_they_differ():
    fonts = register_report_fonts(body=[FontCandidate(WQY, 0, "正文")], title=[FontCandidate(WQY, 1, "标题")])
    assert (fonts.body, fonts.title, fonts.body_label, fonts.title_label) == ("ZLBody", "ZLTitle", "正文", "标题")
    same = register_report_fonts(body=[FontCandidate(WQY, 0)], title=[FontCandidate(WQY, 0)])
    assert same.title == same.body  # one face is embedded once
