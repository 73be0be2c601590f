"""The dominant colours of an image: Pillow's median-cut quantisation, which is deterministic."""

from __future__ import annotations

from PIL import Image

#: colours are counted on a thumbnail this large (enough for shares to the percent)
SIDE = 128


def dominant_colours(img: Image.Image, n: int = 5) -> list[dict[str, object]]:
    """Up to ``n`` colours as ``{"hex": "#rrggbb", "share": 0..1}``, largest share first."""
    thumb = img.convert("RGB")
    thumb.thumbnail((SIDE, SIDE), Image.Resampling.NEAREST)
    quantised = thumb.quantize(colors=n, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = quantised.getpalette() or []
    counts = quantised.getcolors(n * 4) or []
    total = sum(count for count, _ in counts) or 1
    out = []
    for count, index in sorted(counts, key=lambda c: (-c[0], c[1])):
        r, g, b = palette[index * 3: index * 3 + 3]
        out.append({"hex": f"#{r:02x}{g:02x}{b:02x}", "share": round(count / total, 3)})
    return out[:n]
