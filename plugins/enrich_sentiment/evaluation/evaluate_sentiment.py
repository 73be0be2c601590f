"""Accuracy and macro-F1 of the sentiment enricher per language, and its throughput.

    python plugins/enrich_sentiment/evaluation/evaluate_sentiment.py [--with-language]

Each ``data/<lang>.tsv`` line is ``label<TAB>text``. By default the payload's language is None,
so the enricher detects the script itself; ``--with-language`` passes the file's language."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from herald_enrich_sentiment.enricher import LABELS, SentimentEnricher

DATA = Path(__file__).with_name("data")


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--with-language", action="store_true")
    parser.add_argument("--repeat", type=int, default=50, help="passes over all items for the speed figure")
    args = parser.parse_args()
    enricher = SentimentEnricher("evaluation", {})
    every: list[dict[str, object]] = []
    for path in sorted(DATA.glob("*.tsv")):
        rows = [line.split("\t", 1) for line in path.read_text("utf-8").splitlines() if "\t" in line]
        payloads = [{"text": text, "language": path.stem if args.with_language else None} for _, text in rows]
        every += payloads
        pred = [a["sentiment_label"] for a in enricher.enrich_many("engagement", payloads)]
        gold = [label for label, _ in rows]
        accuracy = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold)
        print(f"{path.stem:3} n={len(gold):4}  accuracy={accuracy:.3f}  macro-F1={macro_f1(gold, pred):.3f}")
    start = time.perf_counter()
    for _ in range(args.repeat):
        enricher.enrich_many("engagement", every)
    elapsed = time.perf_counter() - start
    print(f"throughput: {args.repeat * len(every) / elapsed:,.0f} items/s (enrich_many, one process)")


if __name__ == "__main__":
    main()
