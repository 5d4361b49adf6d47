"""A day's photos: group dropped photos by the day they were taken, one draft entry per day.

A worker who comes back from a day of 入户宣传 drops the folder on the ledger. Each photo's
capture time is its EXIF DateTimeOriginal when the camera wrote one, else the file's
modification time — and the proposal says which, because a copied file's time is the day it
was copied, not the day it was taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from models.catalog.schema import STANDARD_FIELDS, Task, TaskList
from models.core.errors import ValidationError
from models.ledger.evidence import IMAGE_TYPES, add_entry_with_files
from models.ledger.locks import is_month_locked, month_of
from models.ledger.validation import EntryDraft, clean_entry

if TYPE_CHECKING:
    import sqlite_utils

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132  # IFD0 "DateTime": when the file was last written by the camera or an editor
SOURCE_EXIF = "exif"
SOURCE_FILE = "file"
SOURCE_LABELS = {SOURCE_EXIF: "拍摄时间", SOURCE_FILE: "文件时间"}
MAX_PHOTOS = 500  # a dropped folder of a whole year is not "a day's photos"


@dataclass(frozen=True)
class PhotoTime:
    path: Path
    taken: dt.datetime
    source: str  # SOURCE_EXIF | SOURCE_FILE

    @property
    def label(self) -> str:
        return f"{SOURCE_LABELS[self.source]} {self.taken:%Y-%m-%d %H:%M}"


@dataclass
class DayGroup:
    day: dt.date
    photos: list[PhotoTime] = field(default_factory=list)

    @property
    def from_file_time(self) -> int:
        """How many of the day's photos had no capture time and were dated by their file."""
        return sum(1 for p in self.photos if p.source == SOURCE_FILE)

    @property
    def paths(self) -> list[Path]:
        return [p.path for p in self.photos]

    def default_title(self, entry_type: str) -> str:
        return f"{self.day.month}月{self.day.day}日{entry_type}"

    def draft(self, *, task_seq: int, entry_type: str, title: str = "", values: dict[str, str] | None = None) -> EntryDraft:
        """The day's entry; ``values`` fills the fields the type requires, by task-list key
        (a standard field such as "location", or a value field's code)."""
        filled = {k: v for k, v in (values or {}).items() if str(v).strip()}
        standard = {k: v for k, v in filled.items() if k in STANDARD_FIELDS}  # content, location, participants…
        measures = {k: v for k, v in filled.items() if k not in STANDARD_FIELDS}
        return EntryDraft(task_seq=task_seq, entry_date=self.day, entry_type=entry_type,
                          title=title or self.default_title(entry_type), measures=measures, **standard)


def save_days(db: sqlite_utils.Database, data_dir: Path, tasklist: TaskList, tasks: Iterable[Task],
              days: list[tuple[DayGroup, EntryDraft]], *, actor: str) -> list[int]:
    """One entry per day with that day's photos, in one transaction: all days or none."""
    tasks = list(tasks)
    with db.atomic():
        return [add_entry_with_files(db, data_dir, tasklist, tasks, draft, group.paths, actor=actor)
                for group, draft in days]


def required_columns(task: Task, entry_type: str) -> list[tuple[str, str]]:
    """(key, label) of the fields a proposed entry of ``entry_type`` must have besides its title."""
    etype = task.entry_type(entry_type)
    columns = []
    for key in etype.required if etype else ():
        spec = task.field(key)
        label = STANDARD_FIELDS.get(key) or (f"{spec.name}（{spec.unit}）" if spec and spec.unit else spec.name if spec else key)
        columns.append((key, label))
    return columns


def check_drafts(db: sqlite_utils.Database, drafts: list[EntryDraft], tasks: Iterable[Task], *, year: int,
                 today: dt.date | None = None) -> list[tuple[int, str, str]]:
    """Every problem of every proposed entry, as (index, field, message); empty when all can be saved."""
    tasks = list(tasks)
    problems = []
    for n, draft in enumerate(drafts):
        try:
            clean_entry(draft, tasks, year=year, today=today)
        except ValidationError as exc:
            problems.extend((n, field, message) for field, message in exc.problems)
        day = draft.entry_date
        if isinstance(day, dt.date) and is_month_locked(db, month_of(day)):
            problems.append((n, "日期", f"{day.year}年{day.month}月已报送并锁定"))
    return problems


def _parse_exif_time(value: object) -> dt.datetime | None:
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")
    text = text.strip().strip("\x00")
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            return dt.datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
    return None


def capture_time(path: Path) -> PhotoTime:
    """When the photo was taken (EXIF DateTimeOriginal, else DateTime), else its file time."""
    from PIL import Image  # the ledger page opens without the image library

    try:
        with Image.open(path) as image:
            exif = image.getexif()
            value = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    except (OSError, ValueError, SyntaxError):  # unreadable or not an image: the file time still says something
        value = None
    taken = _parse_exif_time(value) if value else None
    if taken is not None:
        return PhotoTime(path, taken, SOURCE_EXIF)
    return PhotoTime(path, dt.datetime.fromtimestamp(path.stat().st_mtime), SOURCE_FILE)


def is_photo(path: Path) -> bool:
    return path.is_file() and path.suffix.lower().lstrip(".") in IMAGE_TYPES


def collect_photos(paths: Iterable[Path]) -> list[Path]:
    """The photos among dropped paths; a dropped folder contributes its photos (not its subfolders')."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if is_photo(p)))
        elif is_photo(path):
            found.append(path)
    return list(dict.fromkeys(found))


def group_by_day(photos: Iterable[Path]) -> list[DayGroup]:
    """One group per capture day, oldest first; within a day in the order taken."""
    groups: dict[dt.date, DayGroup] = {}
    for photo in (capture_time(p) for p in photos):
        groups.setdefault(photo.taken.date(), DayGroup(photo.taken.date())).photos.append(photo)
    for group in groups.values():
        group.photos.sort(key=lambda p: (p.taken, p.path.name))
    return [groups[day] for day in sorted(groups)]


def outside_month(photos: Iterable[Path], entry_date: dt.date) -> list[PhotoTime]:
    """Photos whose capture time (EXIF only: a file time proves nothing) is outside the entry's month."""
    found = []
    for path in photos:
        if not (path.exists() and path.suffix.lower().lstrip(".") in IMAGE_TYPES):
            continue
        photo = capture_time(path)
        if photo.source == SOURCE_EXIF and (photo.taken.year, photo.taken.month) != (entry_date.year, entry_date.month):
            found.append(photo)
    return found
