"""Milliseconds per image for each part of the image enricher, on images drawn or shipped with
scikit-image: ``python plugins/enrich_image/scripts/bench_image.py [rounds]``."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from image_drawing import busy_background, compose, jpeg, logo, png, text_image
from PIL import Image

from herald_enrich_image import ImageEnricher
from herald_enrich_image.settings import ImageSettings


def main(rounds: int = 5) -> None:
    from skimage import data

    images = {
        "astronaut 512x512 jpeg": jpeg(Image.fromarray(data.astronaut())),
        "logo scene 900x650 jpeg": jpeg(compose(busy_background(1), logo(), scale=0.7, angle=25, at=(420, 230))),
        "english text png": png(text_image("Summer sale: forty percent off all shoes", "en", size=40)),
        "photo 2048x1536 jpeg": jpeg(Image.fromarray(data.coffee()).resize((2048, 1536))),
    }
    enricher = ImageEnricher("bench", ImageSettings().load({}))
    logos = [{"id": "lib_1", "name": "Acme", "data": png(logo())}]
    enricher.analyse(0, images["astronaut 512x512 jpeg"], logos)  # load the model
    for name, blob in images.items():
        timings: dict[str, list[float]] = {}
        for _ in range(rounds):
            for part, ms in enricher.analyse(0, blob, logos)["ms"].items():
                timings.setdefault(part, []).append(ms)
        print(name, "  ".join(f"{p}={statistics.median(v):.0f}ms" for p, v in timings.items()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
