"""CJK TrueType fonts for the PDF reports, embedded as subsets by reportlab.

Government documents set body text in 宋体/仿宋 and titles in 黑体 or 小标宋. On Windows the
body is SimSun (宋体, else FangSong 仿宋) and titles 方正小标宋 when installed, else SimHei
(黑体), from the system or Windows' per-user font folder. Then come the fonts a user can add
without admin rights and without losing them at the next upgrade: the data folder's
``fonts/`` and the per-user folder (%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts, where
"为当前用户安装" puts them), then a font bundled under ``resources/fonts/``. Elsewhere the
body is AR PL UMing (a Song face; set-up installs fonts-arphic-uming on Debian-like systems)
and titles WenQuanYi Zen Hei / Micro Hei (黑体 faces). Never a folder under Program Files:
upgrades replace it.
reportlab can only embed TrueType outlines: a CFF/OpenType-PS font, or a font without
Chinese glyphs, is skipped; with no usable font at all the export stops with a clear
message instead of printing empty boxes or relying on an unembedded font.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from models.core.errors import AppError
from models.core.paths import resource_path

BODY_FONT = "ZLBody"
TITLE_FONT = "ZLTitle"
# Characters every report prints; a font missing any of them would show tofu.
_PROBE = "钟楼区生活垃圾分类工作月度台账填报单位盖章第页共"


@dataclass(frozen=True)
class FontCandidate:
    path: Path
    subfont_index: int = 0
    label: str = ""


@dataclass(frozen=True)
class ReportFonts:
    body: str
    title: str
    body_label: str
    title_label: str


DATA_FONTS_DIRNAME = "fonts"  # <data folder>/fonts: the user's own fonts, kept across upgrades
USER_FONTS_HINT = "%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts"


def _windows_fonts_dir() -> Path:
    return Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"


def _user_fonts_dir() -> Path | None:
    """Windows 10 1809+ installs a font "for the current user" here (no admin rights needed)."""
    local = os.environ.get("LOCALAPPDATA")
    return Path(local) / "Microsoft" / "Windows" / "Fonts" if local else None


_UMING = Path("/usr/share/fonts/truetype/arphic/uming.ttc")  # subfont 0 is AR PL UMing CN
_SONG_FONTS = (
    FontCandidate(_UMING, 0, "AR PL UMing"),
    FontCandidate(Path("/usr/share/fonts/truetype/arphic/ukai.ttc"), 0, "AR PL UKai"),
    FontCandidate(Path("/Library/Fonts/Songti.ttc"), 0, "宋体-简"),
)
_HEI_FONTS = (
    FontCandidate(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0, "文泉驿正黑"),
    FontCandidate(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0, "文泉驿微米黑"),
)
_OTHER_FONTS = (
    FontCandidate(Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0, "Droid Sans Fallback"),
    FontCandidate(Path("/Library/Fonts/Arial Unicode.ttf"), 0, "Arial Unicode"),
)


def _fonts_in(folder: Path | None) -> list[FontCandidate]:
    if folder is None or not folder.is_dir():
        return []
    return [FontCandidate(p, 0, p.stem) for p in sorted(folder.iterdir())
            if p.suffix.lower() in (".ttf", ".ttc") and p.is_file()]


def _bundled() -> list[FontCandidate]:
    return _fonts_in(resource_path("fonts"))


def default_candidates(data_dir: Path | None = None) -> tuple[list[FontCandidate], list[FontCandidate]]:
    """(body, title) candidates, best first: Song/Fangsong for the body, Hei/小标宋 for titles."""
    folders = [f for f in (_windows_fonts_dir(), _user_fonts_dir()) if f is not None]
    body = [FontCandidate(f / name, 0, label) for f in folders for name, label in (("simsun.ttc", "宋体"), ("simfang.ttf", "仿宋"))]
    title = [FontCandidate(f / name, 0, label) for f in folders
             for name, label in (("FZXBSJW.TTF", "方正小标宋"), ("simhei.ttf", "黑体"))]
    own = _fonts_in(Path(data_dir) / DATA_FONTS_DIRNAME if data_dir is not None else None)
    added = own + _fonts_in(_user_fonts_dir()) + _bundled()
    return (body + added + list(_SONG_FONTS) + list(_HEI_FONTS) + list(_OTHER_FONTS),
            title + added + list(_HEI_FONTS) + body + list(_SONG_FONTS) + list(_OTHER_FONTS))


def font_folders_hint(data_dir: Path | None) -> str:
    """Where the missing-font message tells the user to put a font."""
    own = f"数据文件夹的 fonts 文件夹（{Path(data_dir) / DATA_FONTS_DIRNAME}）" if data_dir is not None else (
        "数据文件夹的 fonts 文件夹"
    )
    return f"{own}，或右键字体文件选择“安装”（为当前用户安装，位于 {USER_FONTS_HINT}）"


def _load(candidate: FontCandidate, name: str) -> tuple[TTFont | None, str]:
    """The font, or None with the reason it cannot be used."""
    if not candidate.path.is_file():
        return None, ""
    try:
        font = TTFont(name, str(candidate.path), subfontIndex=candidate.subfont_index)
    except TTFError as exc:
        text = str(exc)
        if "postscript" in text.lower() or "OTTO" in text or "CFF" in text:
            return None, f"字体 {candidate.path.name} 为 PostScript（CFF）轮廓，无法嵌入 PDF"
        return None, f"字体 {candidate.path.name} 无法读取（{text}）"
    except (OSError, ValueError, IndexError, KeyError) as exc:
        return None, f"字体 {candidate.path.name} 无法读取（{exc}）"
    cmap = font.face.charToGlyph
    if any(ord(ch) not in cmap for ch in _PROBE):
        return None, f"字体 {candidate.path.name} 不含中文字形"
    return font, ""


def _pick(candidates: list[FontCandidate], name: str, problems: list[str]) -> FontCandidate | None:
    for candidate in candidates:
        font, reason = _load(candidate, name)
        if font is not None:
            pdfmetrics.registerFont(font)
            return candidate
        if reason:
            problems.append(reason)
    return None


@lru_cache(maxsize=4)
def _register(body: tuple[FontCandidate, ...], title: tuple[FontCandidate, ...], where: str) -> ReportFonts:
    problems: list[str] = []
    body_font = _pick(list(body), BODY_FONT, problems)
    title_name = TITLE_FONT
    title_font = None
    for candidate in title:
        if body_font is not None and candidate == body_font:
            title_font, title_name = body_font, BODY_FONT  # same face: load and embed it once
            break
        title_font = _pick([candidate], TITLE_FONT, problems)
        if title_font is not None:
            break
    if body_font is None or title_font is None:
        reasons = list(dict.fromkeys(problems))
        detail = "；".join(reasons[:5]) + ("等" if len(reasons) > 5 else "") or "未找到任何中文 TrueType 字体"
        raise AppError(
            "无法生成 PDF：本机没有可嵌入的中文 TrueType 字体（" + detail + "）。"
            "请安装宋体/黑体（Windows 自带 simsun.ttc、simhei.ttf），或 AR PL UMing（fonts-arphic-uming）与文泉驿微米黑，"
            f"或将 .ttf/.ttc 字体文件放入{where}后重试。"
        )
    return ReportFonts(BODY_FONT, title_name, body_font.label or body_font.path.stem, title_font.label or title_font.path.stem)


def register_report_fonts(
    *, body: list[FontCandidate] | None = None, title: list[FontCandidate] | None = None,
    data_dir: Path | None = None,
) -> ReportFonts:
    """Register the body and title fonts with reportlab (once) and name them; ``data_dir``
    adds its ``fonts/`` folder to the search.

    Raises AppError when no candidate is a usable TrueType CJK font.
    """
    default_body, default_title = default_candidates(data_dir)
    return _register(tuple(body if body is not None else default_body), tuple(title if title is not None else default_title),
                     font_folders_hint(data_dir))
