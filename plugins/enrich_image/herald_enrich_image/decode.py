"""Turning untrusted bytes into an image, or a reason not to."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

#: the largest image accepted, as Herald hands media to enrichers
MAX_BYTES = 8 * 1024 * 1024
#: the most pixels decoded (about 40 megapixels: a 8000×5000 photo); above it Pillow refuses
#: before allocating, so a small file declaring huge dimensions costs nothing
MAX_PIXELS = 40_000_000
#: images are analysed at most this large on their longer side (faces, colours, logos)
WORK_SIDE = 1024


class Refused(Exception):
    """The bytes are not an image this enricher reads; the message says why."""


@dataclass
class Decoded:
    image: Image.Image  # RGB
    width: int
    height: int


def decode(data: bytes) -> Decoded:
    """The image in ``data`` as RGB, fully loaded; :class:`Refused` for anything else."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise Refused("no image data")
    if len(data) > MAX_BYTES:
        raise Refused(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data:
        raise Refused("empty")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice it: refuse those too
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(bytes(data))) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise Refused(f"too many pixels ({width}×{height})")
                img.seek(0)
                img.load()
                rgb = _to_rgb(img)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused("too many pixels") from exc
    except Image.UnidentifiedImageError as exc:
        raise Refused("not an image") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise Refused("damaged or truncated image") from exc
    return Decoded(rgb, width, height)


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")


def working_copy(img: Image.Image, side: int = WORK_SIDE) -> Image.Image:
    """``img`` shrunk so that its longer side is at most ``side`` (a copy when it already is)."""
    if max(img.size) <= side:
        return img.copy()
    scale = side / max(img.size)
    return img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                      Image.Resampling.BILINEAR)
