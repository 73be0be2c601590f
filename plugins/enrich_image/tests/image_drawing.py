"""Images the image enricher's tests draw: text, logos, busy backgrounds, hostile files."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def jpeg(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


@lru_cache(maxsize=8)
def font_path(lang: str) -> str | None:
    """An installed font with glyphs for ``lang`` (fontconfig's language test), or None."""
    if shutil.which("fc-list") is None:
        return None
    out = subprocess.run(["fc-list", f":lang={lang}", "file"], capture_output=True, text=True, check=False).stdout
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    # a plain sans face reads best
    preferred = [f for f in files if "Sans" in f and "Bold" not in f and "Oblique" not in f and "Mono" not in f]
    return (preferred or files or [None])[0]


def text_image(text: str, lang: str = "en", size: int = 48, direction: str | None = None) -> Image.Image:
    path = font_path(lang)
    assert path is not None, f"no font for {lang}"
    font = ImageFont.truetype(path, size)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font, direction=direction)
    img = Image.new("RGB", (right - left + 80, bottom - top + 80), "white")
    ImageDraw.Draw(img).text((40 - left, 40 - top), text, fill="black", font=font, direction=direction)
    return img


def logo(seed: int = 7, side: int = 240) -> Image.Image:
    """A logo with corners and texture: a ring, a star-like polygon, bars and letters."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (side, side), (250, 250, 245))
    d = ImageDraw.Draw(img)
    d.ellipse((10, 10, side - 10, side - 10), outline=(200, 30, 40), width=14)
    pts = [(side / 2 + (side * (0.36 if i % 2 else 0.16)) * np.cos(i * np.pi / 5),
            side / 2 + (side * (0.36 if i % 2 else 0.16)) * np.sin(i * np.pi / 5)) for i in range(10)]
    d.polygon(pts, fill=(20, 60, 160))
    for i in range(6):
        x = 30 + i * 30
        d.rectangle((x, side - 70 + int(rng.integers(0, 20)), x + 12, side - 30), fill=(30, 30, 30))
    path = font_path("en")
    if path:
        d.text((side * 0.3, side * 0.05 + 20), "ACME", fill=(0, 0, 0), font=ImageFont.truetype(path, side // 7))
    return img


def busy_background(seed: int, size: tuple[int, int] = (900, 650)) -> Image.Image:
    """Random rectangles, ellipses and lines over noise: many features, none of them a logo's."""
    rng = np.random.default_rng(seed)
    noise = rng.integers(90, 170, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    img = Image.fromarray(noise).resize(size, Image.Resampling.BILINEAR)
    d = ImageDraw.Draw(img)
    for _ in range(120):
        x, y = int(rng.integers(0, size[0])), int(rng.integers(0, size[1]))
        w, h = int(rng.integers(10, 90)), int(rng.integers(10, 90))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        shape = int(rng.integers(0, 3))
        if shape == 0:
            d.rectangle((x, y, x + w, y + h), fill=colour)
        elif shape == 1:
            d.ellipse((x, y, x + w, y + h), outline=colour, width=3)
        else:
            d.line((x, y, x + w, y + h), fill=colour, width=4)
    return img


def compose(background: Image.Image, overlay: Image.Image, *, scale: float, angle: float,
            at: tuple[int, int]) -> Image.Image:
    """``overlay`` scaled, rotated by ``angle`` degrees and pasted into ``background`` at ``at``."""
    small = overlay.resize((round(overlay.width * scale), round(overlay.height * scale)), Image.Resampling.LANCZOS)
    rotated = small.convert("RGBA").rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    out = background.copy()
    out.paste(rotated, at, rotated)
    return out


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width``×``height`` pixels (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * min(width, 16)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(row * 4)) + _chunk(b"IEND", b""))
