"""The image enricher: each image of a post or an engagement item, tagged."""

from __future__ import annotations

import logging
import re
import time
from typing import Any, ClassVar

from herald.plugins import Enricher
from herald_enrich_image import colours, logos, ocr, people
from herald_enrich_image.decode import Refused, decode, working_copy

log = logging.getLogger(__name__)

#: at most this many images of one payload are looked at (what Herald hands an enricher)
MAX_IMAGES = 4


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48] or "logo"


class ImageEnricher(Enricher):
    """Text, faces, unsafe content, dominant colours and the tenant's logos of each image."""

    key = "image"
    display_name = "Image tagging"
    subjects: ClassVar[tuple[str, ...]] = ("post", "engagement")
    version: ClassVar[str] = "1"
    provides: ClassVar[tuple[str, ...]] = ("image", "tags")
    wants_media: ClassVar[bool] = True

    def enrich(self, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        media = [m for m in (payload.get("media") or []) if isinstance(m, dict)][:MAX_IMAGES]
        tenant_logos = [logo for logo in (payload.get("logos") or []) if isinstance(logo, dict)]
        images = []
        tags: set[str] = set()
        for index, item in enumerate(media):
            if item.get("data") is None:
                continue
            entry = self.analyse(index, item["data"], tenant_logos)
            images.append(entry)
            tags.update(self.tags_of(entry))
        return {"image": images, "tags": sorted(tags)}

    def analyse(self, index: int, data: Any, tenant_logos: list[dict[str, Any]]) -> dict[str, Any]:
        """One image's entry; an ``error`` entry (never an exception) for what is not an image."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        try:
            decoded = decode(data)
        except Refused as exc:
            return {"index": index, "error": str(exc)}
        work = working_copy(decoded.image)
        timings["decode"] = _ms(started)
        entry: dict[str, Any] = {"index": index, "width": decoded.width, "height": decoded.height}

        started = time.perf_counter()
        found = people.people(work)
        timings["faces_unsafe"] = _ms(started)
        threshold = float(self.settings.get("unsafe_threshold", 0.5))
        entry.update(faces=found.faces, unsafe_score=found.unsafe_score, unsafe=found.unsafe_score > threshold)

        started = time.perf_counter()
        entry["colours"] = colours.dominant_colours(work)
        timings["colours"] = _ms(started)

        started = time.perf_counter()
        matches = logos.find_logos(work, tenant_logos,
                                   min_inliers=int(self.settings.get("logo_min_inliers", 12)),
                                   template_threshold=float(self.settings.get("logo_template_threshold", 0.8)))
        entry["logos"] = [{"id": m.id, "name": m.name, "method": m.method, "score": m.score} for m in matches]
        timings["logos"] = _ms(started)

        if self.settings.get("ocr_enabled", True):
            started = time.perf_counter()
            read = ocr.read_text(decoded.image, str(self.settings.get("ocr_languages", "eng+ara+fas+urd+hin")),
                                 float(self.settings.get("ocr_timeout_seconds", 20.0)))
            timings["ocr"] = _ms(started)
            entry.update(text=read.text, text_language=read.language)
            if read.error:
                entry["text_error"] = read.error
        else:
            entry.update(text=None, text_language=None)
        entry["ms"] = timings
        return entry

    @staticmethod
    def tags_of(entry: dict[str, Any]) -> set[str]:
        if "error" in entry:
            return set()
        tags = set()
        if entry.get("text") and sum(ch.isalnum() for ch in entry["text"]) >= 3:
            tags.add("image:text")
        if entry.get("faces"):
            tags.add("image:face")
        if entry.get("unsafe"):
            tags.add("image:unsafe")
        if entry.get("logos"):
            tags.add("image:logo")
            tags.update(f"logo:{_slug(m['name'])}" for m in entry["logos"])
        return tags


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
