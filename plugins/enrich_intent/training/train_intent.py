"""Train the intent classifier on the seed set in ``training/seed/`` and write
``herald_enrich_intent/data/intent_model.npz``.

    python plugins/enrich_intent/training/train_intent.py [--out PATH] [--folds 5]

The seed (``seed/<lang>.tsv``: ``label<TAB>text``, ``{p}`` standing for a product name) was
written by this plugin's authors for it. Each line is expanded with a few product names and once
more without its question mark (people often leave it out). A multinomial logistic regression
over hashed n-grams (:mod:`herald_enrich_intent.features`) is fitted by full-batch Adam with L2;
then, on out-of-fold predictions (folds grouped by seed line, so expansions of one line never sit
on both sides), the weights that combine its log-odds with the cue scores are chosen for the
best mean macro-F1 over the languages. The evaluation set is never read here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from herald_enrich_intent.cues import CueLexicon  # noqa: E402
from herald_enrich_intent.features import DIM, sparse_vector  # noqa: E402
from herald_enrich_intent.model import CLASSES  # noqa: E402
from herald_enrich_intent.normalise import normalise, tokens  # noqa: E402

VERSION = "1.0"
PRODUCTS = {
    "en": ("phone", "headphones", "jacket"), "ar": ("الجوال", "السماعة", "العطر"),
    "fa": ("گوشی", "هدفون", "عطر"), "ur": ("فون", "ہیڈفون", "پرفیوم"), "hi": ("फोन", "हेडफोन", "परफ्यूम"),
    "hi_latn": ("phone", "headphone", "perfume"),
}
CUE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
NONE_BIASES = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
L2, LR = 1e-4, 0.05
THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5)


def read_seed(folder: Path) -> list[tuple[int, str, str, str]]:
    """(group, language, label, text) for every expanded seed line."""
    rows: list[tuple[int, str, str, str]] = []
    group = 0
    for path in sorted(folder.glob("*.tsv")):
        lang = path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            label, text = line.split("\t", 1)
            if label not in CLASSES:
                raise SystemExit(f"{path}: unknown label {label!r}")
            texts = [text.replace("{p}", p) for p in PRODUCTS[lang]] if "{p}" in text else [text]
            for t in list(texts):
                bare = t.replace("?", "").replace("؟", "").strip()
                if bare != t:
                    texts.append(bare)
            rows.extend((group, lang, label, t) for t in texts)
            group += 1
    return rows


def vectorise(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[str]]]:
    """COO arrays (row, column, value) of the hashed vectors, rows contiguous, and the tokens."""
    rows, cols, vals, toks_all = [], [], [], []
    for i, text in enumerate(texts):
        toks = tokens(normalise(text))
        idx, v = sparse_vector(toks)
        rows.append(np.full(len(idx), i))
        cols.append(idx)
        vals.append(v)
        toks_all.append(toks)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals).astype(np.float64), toks_all


def _logits(w: np.ndarray, b: np.ndarray, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, w.shape[1]))
    for k in range(w.shape[1]):
        out[:, k] = np.bincount(rows, weights=vals * w[cols, k], minlength=n)
    return out + b


def fit(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, y: np.ndarray, n: int, *, l2: float = 1e-4,
        epochs: int = 300, lr: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch Adam."""
    k = len(CLASSES)
    w = np.zeros((DIM, k))
    b = np.zeros(k)
    onehot = np.eye(k)[y]
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, epochs + 1):
        z = _logits(w, b, rows, cols, vals, n)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        gw = np.empty_like(w)
        for c in range(k):
            gw[:, c] = np.bincount(cols, weights=vals * g[rows, c], minlength=DIM)
        gw += l2 * w
        gb = g.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        corr1, corr2 = 1 - beta1 ** t, 1 - beta2 ** t
        w -= lr * (mw / corr1) / (np.sqrt(vw / corr2) + eps)
        b -= lr * (mb / corr1) / (np.sqrt(vb / corr2) + eps)
    return w, b


def macro_f1(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    f1s = []
    for c in range(k):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def decide(z: np.ndarray, cues: np.ndarray, cue_weight: float, none_bias: float, threshold: float) -> np.ndarray:
    """The class chosen per row, as the enricher chooses it."""
    z = z.copy()
    z[:, :-1] += cue_weight * cues
    z[:, -1] += none_bias
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    pred = p.argmax(axis=1)
    none = len(CLASSES) - 1
    low = p[np.arange(len(p)), pred] < threshold
    pred[low] = none
    return pred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE.parent / "herald_enrich_intent" / "data" / "intent_model.npz")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--lr", type=float, default=LR)
    args = parser.parse_args()
    started = time.perf_counter()
    seed = read_seed(HERE / "seed")
    groups = np.array([g for g, *_ in seed])
    langs = np.array([lang for _, lang, _, _ in seed])
    y = np.array([CLASSES.index(label) for _, _, label, _ in seed])
    rows, cols, vals, toks = vectorise([t for *_, t in seed])
    n = len(seed)
    lexicon = CueLexicon()
    cues = np.stack([lexicon.read(tk, text, "hi" if lang == "hi_latn" else lang).scores
                     for tk, (_, lang, _, text) in zip(toks, seed, strict=True)])
    print(f"seed: {n} texts from {groups.max() + 1} lines, {len(set(langs))} languages")

    rng = np.random.default_rng(7)
    fold_of_group = rng.integers(0, args.folds, size=groups.max() + 1)
    fold = fold_of_group[groups]
    oof = np.zeros((n, len(CLASSES)))
    for f in range(args.folds):
        train, test = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        w, b = fit(*_subset(rows, cols, vals, train), y[train], len(train), l2=args.l2, lr=args.lr)
        oof[test] = _logits(w, b, *_subset(rows, cols, vals, test), len(test))

    best = (-1.0, 0.0, 0.0, 0.0)
    k = len(CLASSES)
    for cw in CUE_WEIGHTS:
        for nb in NONE_BIASES:
            for th in THRESHOLDS:
                pred = decide(oof, cues, cw, nb, th)
                score = float(np.mean([macro_f1(y[langs == lg], pred[langs == lg], k) for lg in sorted(set(langs))]))
                if score > best[0] + 1e-9:
                    best = (score, cw, nb, th)
    score, cw, nb, th = best
    model_only = float(np.mean([macro_f1(y[langs == lg], decide(oof, cues, 0.0, 0.0, 0.0)[langs == lg], k)
                                for lg in sorted(set(langs))]))
    cues_only = float(np.mean([macro_f1(y[langs == lg], decide(oof * 0, cues, 1.0, 0.5, 0.0)[langs == lg], k)
                               for lg in sorted(set(langs))]))
    print(f"out-of-fold mean macro-F1: model alone {model_only:.3f}, cues alone {cues_only:.3f}, "
          f"combined {score:.3f} (cue_weight={cw}, none_bias={nb}, threshold={th})")

    w, b = fit(rows, cols, vals, y, n, l2=args.l2, lr=args.lr)
    df = np.bincount(np.unique(np.stack([rows, cols]), axis=1)[1], minlength=DIM)
    idf = np.log((n + 1) / (df + 1)) + 1.0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, weights=w.astype(np.float16), bias=b, classes=np.array(CLASSES),
                        cue_weight=cw, none_bias=nb, threshold=th, idf=idf.astype(np.float16),
                        version=np.array(VERSION))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB) in {time.perf_counter() - started:.1f} s")


def _subset(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, ...]:
    """The COO rows in ``keep``, renumbered 0..len(keep)-1."""
    new = np.full(rows.max() + 1, -1)
    new[keep] = np.arange(len(keep))
    mask = new[rows] >= 0
    return new[rows[mask]], cols[mask], vals[mask]


if __name__ == "__main__":
    main()
