"""Draws the phone app's PNG icons (app/static/pwa/icons/) with the standard library only.

Run `.venv/bin/python scripts/make_icons.py` after changing the design; the PNGs are committed.
The mark: a white "h" with an amber plus ("help"), on the app's deep blue.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "app" / "static" / "pwa" / "icons"
BLUE = (11, 79, 138)
WHITE = (255, 255, 255)
AMBER = (255, 184, 28)
SAMPLES = 3  # supersampling per axis, for smooth edges


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An RGBA PNG from raw rows (filter byte 0 per row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _in_rounded_square(x: float, y: float, radius: float) -> bool:
    """Inside the unit square with corners rounded by `radius`."""
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def _mark(x: float, y: float, scale: float) -> tuple[int, int, int] | None:
    """The colour of the mark at (x, y) in the unit square, drawn at `scale` around the centre."""
    u = (x - 0.5) / scale + 0.5
    v = (y - 0.5) / scale + 0.5
    # Amber plus, upper right.
    if (0.64 <= u <= 0.74 and 0.14 <= v <= 0.44) or (0.54 <= u <= 0.84 and 0.24 <= v <= 0.34):
        return AMBER
    # A white "h": a tall post, a shoulder and a short post.
    if 0.16 <= u <= 0.30 and 0.18 <= v <= 0.86:
        return WHITE
    if 0.30 < u < 0.76 and 0.50 <= v <= 0.62:
        return WHITE
    if 0.62 <= u <= 0.76 and 0.50 <= v <= 0.86:
        return WHITE
    return None


def draw(size: int, *, maskable: bool, monochrome: bool = False) -> bytes:
    """One icon. Maskable icons fill the square and keep the mark inside the central safe zone."""
    rows = []
    scale = 0.62 if maskable else 0.80
    step = 1.0 / (size * SAMPLES)
    for py in range(size):
        row = bytearray()
        for px in range(size):
            r = g = b = a = 0.0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + 0.5) * step
                    y = (py * SAMPLES + sy + 0.5) * step
                    colour = _mark(x, y, scale)
                    if monochrome:
                        if colour is not None:
                            r, g, b, a = r + 255, g + 255, b + 255, a + 1
                        continue
                    if colour is None:
                        if not maskable and not _in_rounded_square(x, y, 0.18):
                            continue
                        colour = BLUE
                    r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            n = SAMPLES * SAMPLES
            if a:
                row += bytes((round(r / a), round(g / a), round(b / a), round(255 * a / n)))
            else:
                row += b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    return _png(size, size, rows)


ICONS = {
    "icon-192.png": (192, False, False),
    "icon-512.png": (512, False, False),
    "icon-maskable-192.png": (192, True, False),
    "icon-maskable-512.png": (512, True, False),
    "apple-touch-icon-180.png": (180, True, False),
    "favicon-32.png": (32, False, False),
    "badge-96.png": (96, False, True),
}


def main() -> None:
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    for name, (size, maskable, monochrome) in ICONS.items():
        (ICON_DIR / name).write_bytes(draw(size, maskable=maskable, monochrome=monochrome))
        print(f"wrote {ICON_DIR / name}")


if __name__ == "__main__":
    main()
