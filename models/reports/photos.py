"""Photos for the PDF appendix: each downscaled once and cached in the data folder.

A 12-megapixel JPEG is decoded at reduced scale (JPEG DCT scaling) and saved as a ~1000
pixel JPEG beside the other thumbnails; later exports reuse it. Two threads share the
work (Pillow releases the GIL while decoding). An unreadable photo becomes a captioned
placeholder instead of failing the whole export.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from PIL import Image

from models.errors import AppError
from models.evidence import thumbnail_path
from models.reports.assembly import Photo
from models.reports.pdf_writer import PhotoImage

PHOTO_PIXELS = 1000  # long side; 128 mm at ~200 dpi
Progress = Callable[[int, int, str], None]


def prepare_photo(data_dir: Path, photo: Photo) -> PhotoImage:
    try:
        path = thumbnail_path(data_dir, photo.stored_path, PHOTO_PIXELS)
        with Image.open(path) as image:
            size = image.size
    except (AppError, OSError) as exc:
        return PhotoImage(None, (1, 1), photo.caption, problem=f"{photo.original_name}，{exc}")
    return PhotoImage(path, size, photo.caption)


def prepare_photos(data_dir: Path, photos: list[Photo], *, progress: Progress | None = None) -> list[PhotoImage]:
    """Downscaled copies of ``photos`` in order; ``progress(done, total, text)`` per photo."""
    if not photos:
        return []
    results: list[PhotoImage] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n, image in enumerate(pool.map(lambda p: prepare_photo(data_dir, p), photos), start=1):
            results.append(image)
            if progress is not None:
                progress(n, len(photos), f"正在处理照片 {n}/{len(photos)}")
    return results
