"""Make the benchmark data folders through the app's own model code (cached).

- ``demo``: the sample ledger ``main.py demo`` makes (41 entries, photos, 小区), start-up;
- ``year``: a unit's full year, 5,000 entries over 2023 (start-up benchmark);
- ``big``: 50,000 entries (ledger page open/filter);
- ``heavy``: a heavy month, 500 entries in 2023-06 with 100 photos of 12 megapixels.

Entries go through ``clean_entry`` + ``add_entries`` (one transaction per batch), so the
database looks exactly like one typed in by users, audit log included. Folders are kept
under ``build/work/bench/`` and rebuilt when this generator's ``VERSION`` changes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.catalog.schema import Task  # noqa: E402
from models.ledger.validation import EntryDraft, clean_entry
from models.ledger.entries import add_entries  # noqa: E402
from models.store.settings import UnitProfile, save_profile  # noqa: E402
from models.store.workspace import Workspace, open_workspace  # noqa: E402

VERSION = 3  # 3: creations audited compactly (models.ledger.entries._entered)
CACHE = ROOT / "build" / "work" / "bench"
UNIT = "南大街街道"
ACTOR = "张三"
PHOTO_SIZE = (4000, 3000)  # 12 megapixels, as a phone takes them
SIZES = {"demo": 41, "year": 5_000, "big": 50_000, "heavy": 500}
HEAVY_MONTH = "2023-06"
HEAVY_PHOTOS = 100

_PLACES = ["阳光花园", "清潭新村", "广化街社区", "北大街", "南大街社区", "西新桥", "怀德苑", "荷花池公园", "丽华新村", "同心村"]
_ACTS = ["垃圾分类主题宣传", "入户宣传与指导", "分类投放点巡查", "志愿者桶边督导", "业主大会专题学习", "物业培训", "执法检查", "示范小区创建推进会"]


def profile() -> UnitProfile:
    return UnitProfile(unit=UNIT, operator=ACTOR, phone="0519-88000000", reviewer="李四",
                       households=12000, standard_quota=15, year=2023)


def _measure_value(kind: str, rng: random.Random) -> float:
    if kind == "percent":
        return float(rng.randint(60, 100))
    if kind == "int":
        return float(rng.randint(1, 400))
    return round(rng.uniform(1, 500), 1)


def make_draft(task: Task, date: dt.date, n: int, rng: random.Random) -> EntryDraft:
    etype = rng.choice(task.entry_types)
    place = rng.choice(_PLACES)
    act = rng.choice(_ACTS)
    measures = {f.code: _measure_value(f.type, rng) for f in task.fields}
    return EntryDraft(
        task_seq=task.seq, entry_date=date, entry_type=etype.name,
        title=f"{place}{act}（第{n}次）",
        content=f"{date:%m月%d日}在{place}开展{act}，发放资料{rng.randint(20, 300)}份，现场答疑并记录问题。",
        location=place, organizer=f"{UNIT}城管科", participants=rng.randint(5, 200),
        measures=measures, remarks="" if n % 7 else "已整改",
    )


def _dates(count: int, *, month: str | None, rng: random.Random) -> list[dt.date]:
    if month:
        year, mon = map(int, month.split("-"))
        first = dt.date(year, mon, 1)
        days = ((first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - first).days
        return sorted(first + dt.timedelta(days=rng.randrange(days)) for _ in range(count))
    start = dt.date(2023, 1, 1)
    return sorted(start + dt.timedelta(days=rng.randrange(365)) for _ in range(count))


def fill(ws: Workspace, count: int, *, month: str | None = None, seed: int = 2023,
         batch: int = 1000, log: Callable[[str], None] = print) -> None:
    rng = random.Random(seed)
    tasks = [t for t in ws.tasks() if t.entry_types]
    tasklist = ws.tasklist
    today = dt.date(2023, 12, 31)
    dates = _dates(count, month=month, rng=rng)
    started = time.perf_counter()
    for offset in range(0, count, batch):
        cleaned = []
        for n in range(offset, min(count, offset + batch)):
            draft = make_draft(rng.choice(tasks), dates[n], n + 1, rng)
            cleaned.append((clean_entry(draft, tasks, year=tasklist.year, today=today), None))
        add_entries(ws.db, tasklist, cleaned, actor=ACTOR)
        log(f"  {min(count, offset + batch)}/{count} entries ({time.perf_counter() - started:.0f} s)")


def make_photo(path: Path, n: int, rng: random.Random) -> None:
    """A 12 MP JPEG with real structure (gradients, shapes, noise-free): a camera-sized file
    that compresses like a photo rather than like a flat colour."""
    from PIL import Image, ImageDraw

    w, h = PHOTO_SIZE
    small = Image.new("RGB", (400, 300))
    d = ImageDraw.Draw(small)
    base = (rng.randint(40, 200), rng.randint(40, 200), rng.randint(40, 200))
    for y in range(300):
        d.line([(0, y), (400, y)], fill=(base[0], (base[1] + y) % 256, (base[2] + y // 2) % 256))
    for _ in range(40):
        x, y = rng.randint(0, 380), rng.randint(0, 280)
        d.rectangle([x, y, x + rng.randint(5, 60), y + rng.randint(5, 60)],
                    fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    big = small.resize((w, h), Image.Resampling.BICUBIC)
    d = ImageDraw.Draw(big)
    for _ in range(300):  # fine detail so the JPEG is photo-sized (a few MB)
        x, y = rng.randint(0, w - 50), rng.randint(0, h - 50)
        d.line([(x, y), (x + rng.randint(-400, 400), y + rng.randint(-400, 400))],
               fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)), width=rng.randint(1, 4))
    big.save(path, "JPEG", quality=90)


def attach_photos(ws: Workspace, photos: list[Path], *, log: Callable[[str], None] = print) -> None:
    from models.ledger.evidence import attach_file
    from models.ledger.entries import list_entries

    entries = list_entries(ws.db, month=HEAVY_MONTH)
    step = max(1, len(entries) // len(photos))
    for n, photo in enumerate(photos):
        attach_file(ws.db, ws.data_dir, entries[(n * step) % len(entries)].id, photo, actor=ACTOR)
    log(f"  attached {len(photos)} photos")


def _stamp(kind: str) -> dict[str, object]:
    return {"version": VERSION, "kind": kind, "size": SIZES[kind]}


def prepared(kind: str, log: Callable[[str], None], *, env: dict[str, str]) -> Path:
    """``prepare(kind)`` in a child process: making 50,000 entries in the benchmark's own
    process would leave it large, and a child's peak memory (ru_maxrss) counts the parent's
    pages it was forked with (the bare window then "used" 160 MB)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", f"from tests.benchmarks import datagen; datagen.prepare({kind!r})"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"making the '{kind}' data failed:\n{done.stderr[-2000:]}")
    for line in done.stdout.splitlines():
        log(line)
    return CACHE / kind


def prepare(kind: str, *, log: Callable[[str], None] = print) -> Path:
    """The data folder for ``kind`` ('year', 'big', 'heavy'), made if missing or stale."""
    folder = CACHE / kind
    stamp_file = folder / "bench-stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == _stamp(kind):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    log(f"[data] making '{kind}' data folder ({SIZES[kind]} entries) in {folder} ...")
    ws = open_workspace(folder)
    try:
        if kind == "demo":
            from models.demo import build_demo

            build_demo(ws)
        else:
            save_profile(ws.db, profile())
        if kind == "demo":
            pass
        elif kind == "heavy":
            fill(ws, SIZES[kind], month=HEAVY_MONTH, log=log)
            photo_dir = CACHE / "photos"
            photo_dir.mkdir(parents=True, exist_ok=True)
            rng = random.Random(12)
            photos = []
            for n in range(HEAVY_PHOTOS):
                path = photo_dir / f"IMG_{n + 1:04d}.jpg"
                if not path.exists():
                    make_photo(path, n, rng)
                photos.append(path)
            log(f"  {len(photos)} photos of {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} ready")
            attach_photos(ws, photos, log=log)
        else:
            fill(ws, SIZES[kind], log=log)
    finally:
        ws.close()
    stamp_file.write_text(json.dumps(_stamp(kind)))
    return folder


if __name__ == "__main__":
    for name in sys.argv[1:] or list(SIZES):
        print(prepare(name))
