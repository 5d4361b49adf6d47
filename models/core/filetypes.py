"""Which files may be evidence (佐证材料): one list for attaching and for restoring archives."""

from __future__ import annotations

IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "wps": "application/vnd.ms-works",  # WPS 文字
    "et": "application/vnd.ms-excel",  # WPS 表格
}
ALLOWED_TYPES = {**IMAGE_TYPES, **DOCUMENT_TYPES}
ACCEPTED_TEXT = "照片（jpg、png）、PDF 和 Office/WPS 文档（doc、docx、xls、xlsx、ppt、pptx、wps、et）"
