"""Accuracy per language of the language enricher on evaluation/texts/ (one text a line; the file
name is the expected language, ``hi_Latn`` being Hindi in Latin letters), the confusion of
ar/fa/ur and the throughput of ``detect_many`` on one batch.

    python plugins/enrich_language/evaluation/evaluate_language.py"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from herald_enrich_language.detector import detect_many
from herald_enrich_language.languages import DEFAULT_LANGUAGES

TEXTS = Path(__file__).with_name("texts")


def main() -> None:
    items: list[tuple[str, str]] = []
    for path in sorted(TEXTS.glob("*.txt")):
        items += [(path.stem, line.strip()) for line in path.read_text().splitlines() if line.strip()]
    start = time.perf_counter()
    found = detect_many([t for _, t in items], DEFAULT_LANGUAGES)
    elapsed = time.perf_counter() - start
    per: dict[str, Counter[str]] = {}
    for (label, _), d in zip(items, found, strict=True):
        expected = "hi" if label == "hi_Latn" else label
        got = d.language or "None"
        ok = got == expected and (label != "hi_Latn" or d.script == "Latn")
        per.setdefault(label, Counter())["ok" if ok else "wrong"] += 1
        per[label][got] += 1
    right = sum(c["ok"] for c in per.values())
    print(f"{'language':10} {'n':>4} {'accuracy':>9}")
    for label, c in per.items():
        n = c["ok"] + c["wrong"]
        print(f"{label:10} {n:>4} {c['ok'] / n:>9.3f}")
    print(f"{'overall':10} {len(items):>4} {right / len(items):>9.3f}")
    print("\nconfusion (rows expected, columns detected):")
    cols = ["ar", "fa", "ur", "None"]
    print("      " + " ".join(f"{c:>5}" for c in cols))
    for label in ("ar", "fa", "ur"):
        print(f"{label:5} " + " ".join(f"{per.get(label, Counter())[c]:>5}" for c in cols))
    # throughput: the first call also loads lingua's models, so time a second pass
    batch = [t for _, t in items] * 20
    start = time.perf_counter()
    detect_many(batch, DEFAULT_LANGUAGES)
    rate = len(batch) / (time.perf_counter() - start)
    print(f"\nfirst pass (loading models) {elapsed:.2f} s; throughput {rate:,.0f} items/s on {len(batch)} items")


if __name__ == "__main__":
    main()
