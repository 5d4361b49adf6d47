"""Photos for the PDF appendix: each downscaled once and cached in the data folder.

A 12-megapixel JPEG is decoded at reduced scale (JPEG DCT scaling) and saved as a 900
pixel JPEG beside the evidence thumbnails; later exports reuse it. Two threads share the
work (Pillow releases the GIL while decoding). An unreadable photo becomes a captioned
placeholder instead of failing the whole export.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from PIL import Image

from models.reporting.assembly import Photo
from models.reporting.pdf_writer import PhotoImage
from models.core.images import save_downscaled_jpeg

PHOTO_PIXELS = 900  # long side: 128 mm printed at ~180 dpi
CACHE_DIR = "thumbnails"
Progress = Callable[[int, int, str], None]


def cached_photo_path(data_dir: Path, photo: Photo) -> Path:
    return Path(data_dir) / CACHE_DIR / f"{photo.sha256}_report{PHOTO_PIXELS}.jpg"


def _downscale(source: Path, target: Path) -> None:
    save_downscaled_jpeg(source, target, pixels=PHOTO_PIXELS, quality=80)


def _cache_usable(target: Path, source: Path) -> tuple[int, int] | None:
    """The cached copy's size when it decodes completely and is newer than its source, else None.

    A copy cut short (full disk, a kill by an older version) or older than a source
    that was replaced is made again rather than shown grey in every later PDF.
    """
    try:
        if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
            return None
        with Image.open(target) as image:
            image.load()  # a truncated JPEG raises here
            return image.size
    except (OSError, ValueError, SyntaxError):
        return None


def _downscaled(data_dir: Path, photo: Photo) -> tuple[Path, tuple[int, int]] | str:
    """The cached downscaled copy and its size, or why there is none (a Chinese reason)."""
    target = cached_photo_path(data_dir, photo)
    try:
        size = _cache_usable(target, photo.source)
        if size is None:
            _downscale(photo.source, target)
            with Image.open(target) as image:
                size = image.size
        return target, size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        return "文件不存在" if isinstance(exc, FileNotFoundError) else "图片已损坏或无法识别"


def _as_image(photo: Photo, done: tuple[Path, tuple[int, int]] | str) -> PhotoImage:
    if isinstance(done, str):
        return PhotoImage(None, (1, 1), photo.caption, problem=f"{photo.original_name}，{done}")
    return PhotoImage(done[0], done[1], photo.caption)


def prepare_photo(data_dir: Path, photo: Photo) -> PhotoImage:
    return _as_image(photo, _downscaled(data_dir, photo))


def prepare_photos(data_dir: Path, photos: list[Photo], *, progress: Progress | None = None) -> list[PhotoImage]:
    """Downscaled copies of ``photos`` in order; ``progress(done, total, text)`` per photo.

    The same photo attached to several entries is one file (same hash, same cache name):
    it is downscaled once, before the threads start, never by two threads into one cache
    file (on Windows the second rename fails while the first thread has the file open).
    """
    if not photos:
        return []
    first: dict[str, Photo] = {}
    for photo in photos:
        first.setdefault(photo.sha256, photo)
    unique = list(first.values())
    done: dict[str, tuple[Path, tuple[int, int]] | str] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n, (photo, result) in enumerate(
            zip(unique, pool.map(lambda p: _downscaled(data_dir, p), unique)), start=1
        ):
            done[photo.sha256] = result
            if progress is not None:
                progress(n, len(unique), f"正在处理照片 {n}/{len(unique)}")
    return [_as_image(photo, done[photo.sha256]) for photo in photos]
