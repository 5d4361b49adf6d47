"""Draw the application icon with Pillow: resources/icons/app.png and app.ico.

Run once after changing the design (`.venv/bin/python build/make_icon.py`); the small
outputs are committed so a build needs no drawing step. The design is a sorting bin
with a tick on the district's green, legible down to 16 px.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
GREEN = (46, 125, 50, 255)
WHITE = (255, 255, 255, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = 1024) -> Image.Image:
    """Draw at 1024 px and let Pillow downsample: clean edges at every size."""
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=48 * s, fill=GREEN)
    # lid and handle
    d.rounded_rectangle([60 * s, 62 * s, 196 * s, 80 * s], radius=6 * s, fill=WHITE)
    d.rounded_rectangle([104 * s, 44 * s, 152 * s, 66 * s], radius=6 * s, outline=WHITE, width=int(10 * s))
    # bin body: a trapezoid narrowing to the bottom
    d.polygon([(70 * s, 90 * s), (186 * s, 90 * s), (174 * s, 214 * s), (82 * s, 214 * s)], fill=WHITE)
    # tick in green on the body: "recorded / done"
    d.line([(96 * s, 150 * s), (120 * s, 176 * s), (162 * s, 122 * s)], fill=GREEN, width=int(16 * s), joint="curve")
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    png = big.resize((256, 256), Image.Resampling.LANCZOS)
    png.save(OUT / "app.png", optimize=True)
    png.save(OUT / "app.ico", sizes=ICO_SIZES)
    print(f"wrote {OUT / 'app.png'} and {OUT / 'app.ico'}")


if __name__ == "__main__":
    main()
