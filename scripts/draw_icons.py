"""Draw Porch Light's skill icons: ``skill/static/icons/108.png`` and ``512.png``.

Run ``.venv/bin/python scripts/draw_icons.py`` after changing the drawing, and commit the
PNGs. The design is our own: a warm porch lamp glowing beside an open door under a roof
line, on an evening-blue ground. Everything is drawn on a 1000-unit square at four times the
output size, then scaled down, so both sizes come from the same shapes with smooth edges.
The artwork stays inside the central circle, because the Alexa app shows icons round.
Pillow (a test dependency) does the drawing; the app only serves the committed files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZES = (108, 512)
OUT = Path(__file__).resolve().parent.parent / "skill" / "static" / "icons"
SUPERSAMPLE = 4
UNITS = 1000

EVENING = (28, 38, 74)
DUSK = (55, 52, 104)
WALL = (132, 84, 70)
ROOF = (74, 50, 62)
DOOR_LIGHT = (255, 200, 100)
DOOR = (92, 58, 52)
LAMP = (255, 226, 150)
GLOW = (255, 176, 72)
STEP = (176, 132, 104)


def draw_icon(size: int) -> Image.Image:
    """The icon at ``size`` pixels square, as RGB."""
    canvas = size * SUPERSAMPLE
    scale = canvas / UNITS

    def box(*units: float) -> list[float]:
        return [u * scale for u in units]

    image = Image.new("RGB", (canvas, canvas), EVENING)
    _sky(image, canvas)
    draw = ImageDraw.Draw(image)
    draw.polygon(box(180, 480, 500, 230, 820, 480), fill=ROOF)           # roof
    draw.rectangle(box(250, 470, 750, 800), fill=WALL)                    # wall
    draw.rectangle(box(320, 560, 470, 800), fill=DOOR_LIGHT)              # open, lit doorway
    draw.polygon(box(320, 560, 372, 584, 372, 784, 320, 800), fill=DOOR)  # the door, ajar
    _glow(image, box(610, 600), 170 * scale)
    draw.rectangle(box(596, 500, 624, 548), fill=ROOF)                    # lamp bracket
    draw.ellipse(box(565, 545, 655, 635), fill=LAMP)                      # the lamp
    draw.rectangle(box(200, 800, 800, 845), fill=STEP)                    # porch step
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _sky(image: Image.Image, canvas: int) -> None:
    """An evening gradient, deeper at the top."""
    draw = ImageDraw.Draw(image)
    for y in range(canvas):
        t = y / canvas
        colour = tuple(round(a + (b - a) * t) for a, b in zip(EVENING, DUSK, strict=True))
        draw.line([(0, y), (canvas, y)], fill=colour)


def _glow(image: Image.Image, centre: list[float], radius: float) -> None:
    """A soft warm halo around the lamp."""
    halo = Image.new("L", image.size, 0)
    x, y = centre[0], centre[1]
    ImageDraw.Draw(halo).ellipse([x - radius, y - radius, x + radius, y + radius], fill=150)
    halo = halo.filter(ImageFilter.GaussianBlur(radius / 2.5))
    image.paste(Image.new("RGB", image.size, GLOW), mask=halo)


def main(argv: list[str]) -> int:
    """Write every size into ``skill/static/icons`` (or the folder given)."""
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        path = out / f"{size}.png"
        draw_icon(size).save(path, optimize=True)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
