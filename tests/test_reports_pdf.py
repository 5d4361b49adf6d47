"""The PDF read back with poppler: embedded fonts, text, page numbers, long rows, photos."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from test_reports_data import fill_june

from models.core.errors import AppError
from models.reporting.assembly import assemble_monthly
from models.reporting.export import export_monthly, export_report
from models.reporting.submissions import submit, unlock
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


def page_texts(path: Path) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(str(path)).pages]


def test_text_too_long_for_a_row_continues_in_a_note(ws, tmp_path):
    report = assemble_monthly(ws, "2023-06")
    long_text = "".join(f"第{n}段：入户宣传、桶边督导、分类知识讲解。" for n in range(1200))[:20000]
    report.rows[0] = dataclasses.replace(report.rows[0], work_summary=long_text)
    path = tmp_path / "long.pdf"
    write_pdf(report, path, photos=[], digest="0" * 64)
    texts = page_texts(path)
    table_pages = [n for n, t in enumerate(texts) if "任务（目标内容）" in t]
    assert "续见附注1" in texts[table_pages[0]] and "开展垃圾分类层级培训" in "".join(texts)
    assert len(table_pages) <= 4  # the row did not stretch over many pages
    notes = [n for n, t in enumerate(texts) if "附注1（任务1“本月工作开展情况”，续）" in t]
    assert notes and notes[0] > table_pages[-1]  # the 附注 section comes after the table
    flat = "".join(texts)
    assert "第500段：入户宣传" in flat and "第873段：入户宣传" in flat  # nothing lost


def test_signatures_stay_with_the_last_rows_when_rows_are_carried_over(ws, tmp_path):
    report = assemble_monthly(ws, "2023-06")
    # rows just tall enough that the last page would have no room for the signatures
    for pad in (60, 90, 120, 150, 180):
        for n, row in enumerate(report.rows):
            report.rows[n] = dataclasses.replace(row, work_summary="开展垃圾分类入户宣传和桶边督导。" * (pad // 15))
        path = tmp_path / f"sign{pad}.pdf"
        write_pdf(report, path, photos=[], digest="0" * 64)
        texts = page_texts(path)
        signed = [t for t in texts if "单位负责人（签字）" in t]
        assert len(signed) == 1
        assert report.rows[-1].target_text[:10] in signed[0], f"pad {pad}: signatures without the last row"
        assert "日期：____年__月__日" in signed[0]


def test_a_last_page_of_one_row_is_tightened_away(ws):
    from models.reporting.pdf_grid import FRAME_HEIGHT, NORMAL, TIGHT, Grid, Styles, best_plan

    st = Styles(register_report_fonts())
    report = assemble_monthly(ws, "2023-06")
    found = False
    for count in range(8, 60):
        grid = Grid(report.columns, st, small=False, notes=[], merge_column=1)
        for n in range(count):
            grid.add([n, "类别", "任务内容" * 30, "全年", "工作" * 40, "—", "进行中", 0, ""], name=f"任务{n}", run="类别")
        normal = grid.plan(first=FRAME_HEIGHT, trailer=80)
        tight = grid.plan(first=FRAME_HEIGHT, trailer=80, density=TIGHT)
        pages, density = best_plan(grid, first=FRAME_HEIGHT, trailer=80)
        if len(normal) > 1 and len(normal[-1]) == 1 and len(tight) < len(normal):
            assert (pages, density) == (tight, TIGHT)
            found = True
        elif len(normal[-1]) > 1:
            assert density == NORMAL
    assert found, "no row count gave a one-row last page that tightening saves"


def test_the_printed_detail_list_is_bounded_and_says_where_the_rest_are(ws, tmp_path):
    from models.reporting.pdf_writer import DETAIL_PRINT_LIMIT

    fill_june(ws, tmp_path, photos=0)
    report = assemble_monthly(ws, "2023-06")
    first = report.details[0]
    report.details = [dataclasses.replace(first, n=n, title=f"第{n}条台账") for n in range(1, DETAIL_PRINT_LIMIT + 41)]
    path = tmp_path / "many.pdf"
    write_pdf(report, path, photos=[], digest="0" * 64)
    flat = "".join(page_texts(path))
    total = DETAIL_PRINT_LIMIT + 40
    assert f"共{total}条，本表列出前{DETAIL_PRINT_LIMIT}条" in flat and "Excel文件的“台账明细”表" in flat
    assert f"第{DETAIL_PRINT_LIMIT}条台账" in flat and f"第{DETAIL_PRINT_LIMIT + 1}条台账" not in flat


def test_a_reissued_report_says_why_and_carries_its_version_in_the_file_name(ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    first = export_report(ws, "monthly", "2023-06", tmp_path / "out", fill_date=dt.date(2023, 7, 3))
    assert first.pdf.name == "钟楼区垃圾分类月度台账_南大街街道_2023年06月.pdf"
    submit(ws, "monthly", "2023-06")
    unlock(ws, "monthly", "2023-06", reason="补录6月28日入户宣传台账")
    second = export_report(ws, "monthly", "2023-06", tmp_path / "out", fill_date=dt.date(2023, 7, 5))
    assert second.version == 2
    assert second.pdf.name == "钟楼区垃圾分类月度台账_南大街街道_2023年06月_第2版.pdf"
    assert second.xlsx.name == "钟楼区垃圾分类月度台账_南大街街道_2023年06月_第2版.xlsx"
    assert first.pdf.exists()  # the first version's files stay as they were sent
    page1 = page_texts(second.pdf)[0]
    assert "因“补录6月28日入户宣传台账”重新报送" in page1 and "填报日期：2023年7月5日" in page1
    sheet = openpyxl.load_workbook(second.xlsx).worksheets[0]
    assert any(c.value == "重新报送原因：补录6月28日入户宣传台账" for c in sheet[2])


def test_fill_date_is_set_at_export_from_the_command_line(tmp_path):
    from test_cli_reports import cli, prepared

    data = prepared(tmp_path)
    r = cli(data, "report", "monthly", "--month", "2023-06", "--out", str(tmp_path / "out"), "--fill-date", "2023-07-02")
    assert r.returncode == 0, r.stderr
    pdf = Path(r.stdout.splitlines()[1])
    assert "填报日期：2023年7月2日" in page_texts(pdf)[0]
    r = cli(data, "report", "monthly", "--month", "2023-06", "--out", str(tmp_path / "out"), "--fill-date", "7月2日")
    assert r.returncode != 0 and "填报日期" in r.stderr and "YYYY-MM-DD" in r.stderr


def test_body_is_a_song_face_and_titles_a_hei_face_all_embedded(ws, tmp_path):
    fonts = register_report_fonts()
    if not Path("/usr/share/fonts/truetype/arphic/uming.ttc").is_file():
        pytest.skip("fonts-arphic-uming")
    assert fonts.body_label == "AR PL UMing" and fonts.title_label in ("文泉驿正黑", "文泉驿微米黑")
    result = export_monthly(ws, "2023-06", tmp_path / "out")
    names = set()
    for page in PdfReader(str(result.pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} not embedded"
            names.add(str(font["/BaseFont"]).split("+")[-1])
    assert any(n.startswith("UMing") for n in names) and any("Hei" in n for n in names)


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
    titles = [c.path for c in title]
    assert titles[0] == tmp_path / "Windows" / "Fonts" / "FZXBSJW.TTF"  # 小标宋 first, where installed
    assert [p for p in titles if p.name == "simhei.ttf"][:2] == [tmp_path / "Windows" / "Fonts" / "simhei.ttf", user / "simhei.ttf"]


def test_missing_font_message_names_the_data_folder_and_the_user_font_folder(tmp_path, monkeypatch):
    from models.reporting import fonts as fonts_mod

    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    for name in ("_SONG_FONTS", "_HEI_FONTS", "_OTHER_FONTS"):
        monkeypatch.setattr(fonts_mod, name, ())
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
