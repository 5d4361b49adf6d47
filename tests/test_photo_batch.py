"""A day's photos grouped by capture day (models/ledger/photo_batch.py), no Qt: JPEGs carrying
EXIF are built in the test, with the edge cases a phone and a copied folder produce."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PIL import Image

from models.ledger.photo_batch import (
    SOURCE_EXIF,
    SOURCE_FILE,
    capture_time,
    check_drafts,
    collect_photos,
    group_by_day,
    outside_month,
    required_columns,
)

EXIF_IFD, DATETIME_ORIGINAL, DATETIME = 0x8769, 0x9003, 0x0132


def jpeg(path: Path, taken: str | None = None, *, ifd0_time: str | None = None, mtime: dt.datetime | None = None) -> Path:
    """A small JPEG; ``taken`` goes into EXIF DateTimeOriginal ("2023:06:12 09:30:00")."""
    image = Image.new("RGB", (40, 30), (40, 120, 200))
    exif = Image.Exif()
    if ifd0_time:
        exif[DATETIME] = ifd0_time
    if taken:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def test_capture_time_reads_exif_then_falls_back_to_file_time_and_says_so(tmp_path):
    exif = capture_time(jpeg(tmp_path / "a.jpg", "2023:06:12 09:30:05", mtime=dt.datetime(2023, 7, 1, 8, 0)))
    assert exif.taken == dt.datetime(2023, 6, 12, 9, 30, 5) and exif.source == SOURCE_EXIF
    assert exif.label == "拍摄时间 2023-06-12 09:30"
    ifd0 = capture_time(jpeg(tmp_path / "b.jpg", ifd0_time="2023:06:13 10:00:00"))
    assert ifd0.taken.date() == dt.date(2023, 6, 13) and ifd0.source == SOURCE_EXIF
    bare = capture_time(jpeg(tmp_path / "c.jpg", mtime=dt.datetime(2023, 6, 14, 23, 59)))
    assert bare.source == SOURCE_FILE and bare.taken == dt.datetime(2023, 6, 14, 23, 59)
    assert bare.label.startswith("文件时间")
    garbage = tmp_path / "d.jpg"
    garbage.write_bytes(b"not a jpeg at all")
    assert capture_time(garbage).source == SOURCE_FILE  # unreadable: the file time, no crash
    zeros = capture_time(jpeg(tmp_path / "e.jpg", "0000:00:00 00:00:00", mtime=dt.datetime(2023, 6, 2)))
    assert zeros.source == SOURCE_FILE  # cameras without a clock write zeros


def test_photos_are_grouped_by_capture_day_oldest_first(tmp_path):
    folder = tmp_path / "6月入户宣传"
    jpeg(folder / "IMG_3.jpg", "2023:06:13 08:00:00")
    jpeg(folder / "IMG_1.jpg", "2023:06:12 15:00:00")
    jpeg(folder / "IMG_2.jpg", "2023:06:12 09:00:00")
    jpeg(folder / "copied.jpg", mtime=dt.datetime(2023, 6, 13, 20, 0))
    (folder / "说明.txt").write_text("不是照片", encoding="utf-8")
    jpeg(folder / "sub" / "IMG_9.jpg", "2023:06:20 08:00:00")  # a subfolder is not this day's folder
    single = jpeg(tmp_path / "loose.JPG", "2023:06:12 23:59:59")
    photos = collect_photos([folder, single, single])
    assert [p.name for p in photos] == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg", "copied.jpg", "loose.JPG"]
    groups = group_by_day(photos)
    assert [g.day for g in groups] == [dt.date(2023, 6, 12), dt.date(2023, 6, 13)]
    assert [p.path.name for p in groups[0].photos] == ["IMG_2.jpg", "IMG_1.jpg", "loose.JPG"]  # in the order taken
    assert groups[0].from_file_time == 0 and groups[1].from_file_time == 1
    draft = groups[1].draft(task_seq=6, entry_type="入户宣传", values={"location": "南大街社区", "households_reached": "80"})
    assert (draft.entry_date, draft.title, draft.location) == (dt.date(2023, 6, 13), "6月13日入户宣传", "南大街社区")
    assert draft.measures == {"households_reached": "80"}


def test_proposed_entries_are_checked_before_any_is_saved(ws, tmp_path):
    groups = group_by_day([jpeg(tmp_path / "a.jpg", "2023:06:12 09:00:00"), jpeg(tmp_path / "b.jpg", "2023:05:30 09:00:00")])
    task = next(t for t in ws.tasks() if t.seq == 6)
    keys = [key for key, _ in required_columns(task, "入户宣传")]
    assert "households_reached" in keys
    good = {key: "南大街社区" if key == "location" else "120" for key in keys}
    may, june = groups  # oldest first
    drafts = [may.draft(task_seq=6, entry_type="入户宣传", values=good),
              june.draft(task_seq=6, entry_type="入户宣传", values={**good, "households_reached": "-5"})]
    problems = check_drafts(ws.db, drafts, ws.tasks(), year=2023, today=dt.date(2023, 7, 1))
    assert [(n, field) for n, field, _ in problems] == [(1, "入户宣传户数")]
    ws.db.execute("INSERT INTO period_states(kind, period, state, version) VALUES ('monthly', '2023-05', 'submitted', 1)")
    problems = check_drafts(ws.db, drafts[:1], ws.tasks(), year=2023, today=dt.date(2023, 7, 1))
    assert problems == [(0, "日期", "2023年5月已报送并锁定")]


def test_photos_taken_outside_the_entry_month_are_named_file_times_are_not(tmp_path):
    march = jpeg(tmp_path / "march.jpg", "2023:03:02 10:00:00")
    june = jpeg(tmp_path / "june.jpg", "2023:06:30 23:59:59")
    copied = jpeg(tmp_path / "copied.jpg", mtime=dt.datetime(2023, 1, 1))
    away = outside_month([march, june, copied, tmp_path / "gone.jpg"], dt.date(2023, 6, 1))
    assert [(p.path.name, p.taken.date()) for p in away] == [("march.jpg", dt.date(2023, 3, 2))]


def test_report_photo_captions_show_the_capture_date(ws, tmp_path):
    from models.ledger.evidence import add_entry_with_files
    from models.ledger.validation import EntryDraft
    from models.reporting.assembly import assemble_monthly

    shot = jpeg(tmp_path / "入户.jpg", "2023:06:11 17:40:00")
    plain = jpeg(tmp_path / "copied.jpg", mtime=dt.datetime(2023, 8, 1))
    draft = EntryDraft(task_seq=6, entry_date=dt.date(2023, 6, 12), entry_type="入户宣传", title="入户宣传",
                       location="南大街社区", measures={"households_reached": 300})
    add_entry_with_files(ws.db, ws.data_dir, ws.tasklist, ws.tasks(), draft, [shot, plain], actor="张三",
                         today=dt.date(2023, 7, 1))
    report = assemble_monthly(ws, "2023-06", fill_date=dt.date(2023, 7, 3))
    captions = sorted(p.caption for p in report.photos)
    assert captions[0] == "任务6　2023年6月12日　入户宣传"  # no EXIF: a file time is no capture date
    assert captions[1] == "任务6　2023年6月12日　入户宣传　拍摄于2023-06-11"
