"""Evaluate the intent enricher on ``evaluation/data/<lang>.tsv`` (``intent<TAB>team<TAB>text``,
``none`` for no intent): accuracy and macro-F1 over the seven classes per language, team
accuracy, and throughput of ``enrich_many`` on one core.

    python plugins/enrich_intent/evaluation/evaluate_intent.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from herald_enrich_intent.enricher import IntentEnricher  # noqa: E402
from herald_enrich_intent.model import CLASSES  # noqa: E402


def read(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, team, text = line.split("\t", 2)
            rows.append((intent, team, text))
    return rows


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = []
    for c in CLASSES:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def main() -> None:
    enricher = IntentEnricher("evaluation", {})
    all_payloads = []
    print(f"{'lang':6} {'items':>5} {'accuracy':>8} {'macro-F1':>8} {'team acc':>8}")
    for path in sorted((HERE / "data").glob("*.tsv")):
        rows = read(path)
        payloads = [{"text": text, "language": path.stem, "annotations": {}} for _, _, text in rows]
        all_payloads += payloads
        out = enricher.enrich_many("engagement", payloads)
        gold = [intent for intent, _, _ in rows]
        pred = [o["intent"] or "none" for o in out]
        acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
        team = sum(o["team"] == t for o, (_, t, _) in zip(out, rows, strict=True)) / len(rows)
        print(f"{path.stem:6} {len(rows):5d} {acc:8.3f} {macro_f1(gold, pred):8.3f} {team:8.3f}")
        if "-v" in sys.argv:
            for (g, _, text), p in zip(rows, pred, strict=True):
                if g != p:
                    print(f"    {g:>13} → {p:13} {text}")
    batch = all_payloads * max(1, 6000 // len(all_payloads))
    enricher.enrich_many("engagement", batch[:100])
    started = time.perf_counter()
    enricher.enrich_many("engagement", batch)
    elapsed = time.perf_counter() - started
    print(f"throughput: {len(batch) / elapsed:.0f} items/s ({len(batch)} items, enrich_many, one process)")


if __name__ == "__main__":
    main()
