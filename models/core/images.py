"""Downscaled, upright JPEG copies of photos (evidence thumbnails, the reports' photos).

One way to make them: decode at reduced scale (JPEG DCT scaling), turn upright by the EXIF
orientation, flatten transparency onto white, and write the copy aside, complete on disk,
before renaming it into place — a full disk or a kill never leaves a cut-off file under the
name later uses trust. Copies are named by content, so when another program (Windows'
indexer, a viewer) holds the existing copy, that copy is kept: it is the same picture.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from models.core.fileio import FileInUseError, replace_with_retry


def save_downscaled_jpeg(source: Path, target: Path, *, pixels: int, quality: int) -> None:
    """Write ``source`` at most ``pixels`` on its long side to ``target`` (a JPEG).

    Raises what Pillow or the file system raise; callers say it in Chinese.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # sizes are checked on attach
        with Image.open(source) as image:
            w, h = image.size
            # Ask for the image's own aspect ratio: a 12 MP photo is decoded at about 1 MP.
            image.draft("RGB", (pixels, max(1, pixels * h // max(w, 1))) if w >= h
                        else (max(1, pixels * w // max(h, 1)), pixels))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((pixels, pixels))
            if upright.mode not in ("RGB", "L"):
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".part-", suffix=".jpg", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    upright.save(out, "JPEG", quality=quality, optimize=False)
                    out.flush()
                    os.fsync(out.fileno())
                try:
                    replace_with_retry(tmp, target)
                except FileInUseError:
                    if not target.is_file():
                        raise
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
