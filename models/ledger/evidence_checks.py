"""Whether a file may become evidence (佐证材料): kind, type, size and content, checked before a write.

A path must be a regular file (never opened when it is a pipe or a device), have an allowed
extension, be neither empty nor over :data:`MAX_FILE_SIZE`, and hold what its extension says
(a JPEG/PNG within :data:`MAX_IMAGE_PIXELS`, a PDF or an Office document). Storing and linking
the checked file is :mod:`models.ledger.evidence`.
"""

from __future__ import annotations

import os
import stat
import warnings
import zipfile
from pathlib import Path

from models.core.errors import AppError
from models.store.faults import explain
from models.core.filetypes import ACCEPTED_TEXT, ALLOWED_TYPES, DOCUMENT_TYPES, IMAGE_TYPES

MAX_FILE_SIZE = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 100_000_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PIL_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png"}  # MPO: phone JPEGs with a depth map


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size, 1) / 1024:.0f} KB"


def _image_size(path: Path) -> tuple[str, int, int]:
    """(stored extension, width, height) of an image as displayed, EXIF rotation applied."""
    from PIL import Image, UnidentifiedImageError  # loaded with the first picture, not with the ledger page

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                ext = _PIL_FORMATS.get(image.format or "")
                if ext is None:
                    raise AppError(f"文件内容不是 JPEG 或 PNG 图片（实际为 {image.format or '未知格式'}）")
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise AppError("图片像素过大，请缩小后再添加")
                # Orientations 5-8 are rotated by 90°: the photo shows with width and height swapped.
                if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                    width, height = height, width
                return ext, width, height
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AppError("图片像素过大，请缩小后再添加") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise AppError("图片文件已损坏或无法识别") from None


def _check_document(path: Path, ext: str) -> None:
    with path.open("rb") as fh:
        head = fh.read(1024)
    if ext == "pdf":
        ok = b"%PDF-" in head
    elif ext in ("docx", "xlsx", "pptx"):
        ok = head.startswith(b"PK") and zipfile.is_zipfile(path)
    elif ext in ("wps", "et"):
        ok = head.startswith(_OLE) or (head.startswith(b"PK") and zipfile.is_zipfile(path))
    else:  # doc, xls, ppt: OLE compound files; Word also saves .doc as RTF
        ok = head.startswith(_OLE) or (ext == "doc" and head.startswith(b"{\\rtf"))
    if not ok:
        raise AppError(f"文件内容与扩展名 .{ext} 不符，可能已损坏")


def _not_regular(mode: int) -> str | None:
    """Why a path that is not a regular file cannot be attached (named, never "not found")."""
    if stat.S_ISDIR(mode):
        return "这是一个文件夹，不是文件"
    if stat.S_ISFIFO(mode):
        return "这是一个管道（FIFO），不是普通文件，不能作为佐证材料"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "这是一个设备（如 /dev/zero），不是普通文件，不能作为佐证材料"
    if stat.S_ISSOCK(mode):
        return "这是一个套接字，不是普通文件，不能作为佐证材料"
    if not stat.S_ISREG(mode):
        return "这不是普通文件，不能作为佐证材料"
    return None


def _source_stat(source: Path) -> os.stat_result:
    try:
        info = source.stat()  # stat, never open: opening a FIFO would wait for ever
    except FileNotFoundError:
        raise AppError("找不到该文件（U盘是否已拔出？）") from None
    except OSError as exc:
        raise AppError(f"无法读取文件：{explain(exc)}") from None
    reason = _not_regular(info.st_mode)
    if reason:
        raise AppError(reason)
    return info


def _extension(source: Path) -> str:
    ext = source.suffix.lower().lstrip(".")
    if ext not in ALLOWED_TYPES:
        kind = f".{ext} 文件" if ext else "没有扩展名的文件"
        raise AppError(f"不能添加{kind}。可添加：{ACCEPTED_TEXT}")
    return ext


def _check_size(size: int) -> None:
    if size == 0:
        raise AppError("文件是空的（0 字节）")
    if size > MAX_FILE_SIZE:
        raise AppError(f"文件太大（{_size_text(size)}），单个文件不能超过 {MAX_FILE_SIZE // 1024 // 1024} MB。"
                       "照片可先缩小，扫描件可降低分辨率")


def _inspect_content(path: Path, ext: str, size: int) -> tuple[str, str, int | None, int | None, int]:
    try:
        if ext in IMAGE_TYPES:
            stored_ext, width, height = _image_size(path)
            return stored_ext, IMAGE_TYPES[stored_ext], width, height, size
        _check_document(path, ext)
    except OSError as exc:
        raise AppError(f"无法读取文件：{explain(exc)}") from None
    return ext, DOCUMENT_TYPES[ext], None, None, size


def inspect_file(source: Path) -> tuple[str, str, int | None, int | None, int]:
    """Check a file may be attached: (ext, mime, width, height, size). Raises AppError."""
    source = Path(source)
    info = _source_stat(source)
    ext = _extension(source)
    _check_size(info.st_size)
    return _inspect_content(source, ext, info.st_size)
