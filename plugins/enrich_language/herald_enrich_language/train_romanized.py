"""Builds ``data/romanized_hindi.npz``, the romanized-Hindi model of :mod:`.romanized`.

    python -m herald_enrich_language.train_romanized      (needs the ``train`` extra: wordfreq)

Sources:

- Hindi: the 30,000 most frequent Hindi words of wordfreq 3.1 (Devanagari; data CC BY-SA 4.0,
  from Wikipedia, subtitles, news, web text and social media), each turned into the Latin
  spellings people type by :mod:`.romanize_devanagari`, its frequency shared among them; and
  ``data/romanized_hindi_chat_words.txt`` (chat spellings written for this plugin).
- Other Latin-script languages: the 20,000 most frequent words of wordfreq for English, French,
  Spanish, German, Portuguese, Italian, Dutch, Turkish, Indonesian and Malay, weighted by their
  frequency and by a share per language (English most, as it is what Hindi speakers mix in).

The decision threshold and slope are fitted (one-variable logistic regression) on sentences
drawn from these word distributions: Hindi ones with one English word in eight mixed in, as
Hinglish is written, against sentences in the other languages. The evaluation set in
``evaluation/`` plays no part."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from importlib import resources
from pathlib import Path

import numpy as np

from herald_enrich_language.romanize_devanagari import romanize
from herald_enrich_language.romanized import MODEL_FILE, RomanizedHindiModel, ngrams

VERSION = "1"
HINDI_WORDS = 30_000
OTHER_WORDS = 20_000
#: share of the "other" class per language
OTHER_SHARES = {"en": 0.40, "fr": 0.07, "es": 0.08, "de": 0.06, "pt": 0.07, "it": 0.06, "nl": 0.04,
                "tr": 0.07, "id": 0.10, "ms": 0.05}
#: what the chat word list weighs in the Hindi class, all words together
CHAT_SHARE = 0.15
#: n-grams kept in the model file (the most frequent in the two classes together)
KEEP_NGRAMS = 60_000
ALPHA = 2e-6
#: the share of English words in the Hindi sentences the threshold is fitted on
MIX_SHARE = 0.125
_LATIN_WORD = re.compile(r"^[a-zà-ÿğışçöüãõâêîôûäëïœæ']+$")


def hindi_distribution() -> dict[str, float]:
    from wordfreq import top_n_list, word_frequency

    weights: dict[str, float] = defaultdict(float)
    for word in top_n_list("hi", HINDI_WORDS):
        spellings = romanize(word)
        if not spellings:
            continue
        f = word_frequency(word, "hi")
        for s in spellings:
            weights[s] += f / len(spellings)
    total = sum(weights.values())
    out = {w: (1 - CHAT_SHARE) * f / total for w, f in weights.items()}
    chat = chat_words()
    for w in chat:
        out[w] = out.get(w, 0.0) + CHAT_SHARE / len(chat)
    return out


def chat_words() -> list[str]:
    text = (resources.files("herald_enrich_language") / "data" / "romanized_hindi_chat_words.txt").read_text()
    words = [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]
    return list(dict.fromkeys(words))


def other_distribution() -> dict[str, float]:
    from wordfreq import top_n_list, word_frequency

    out: dict[str, float] = defaultdict(float)
    for lang, share in OTHER_SHARES.items():
        words = [w for w in top_n_list(lang, OTHER_WORDS) if _LATIN_WORD.match(w)]
        freqs = [word_frequency(w, lang) for w in words]
        total = sum(freqs)
        for w, f in zip(words, freqs, strict=True):
            out[w] += share * f / total
    return dict(out)


def ngram_mass(words: dict[str, float]) -> dict[str, float]:
    mass: dict[str, float] = defaultdict(float)
    for w, f in words.items():
        for g in ngrams(w):
            mass[g] += f
    return mass


def sample_sentences(rng: np.random.Generator, words: dict[str, float], n: int,
                     mix: dict[str, float] | None = None, mix_share: float = 0.0) -> list[str]:
    vocab, p = list(words), np.array(list(words.values()))
    p = p / p.sum()
    mvocab, mp = (list(mix), np.array(list(mix.values()))) if mix else ([], np.array([]))
    if mix:
        mp = mp / mp.sum()
    out = []
    lengths = rng.integers(3, 10, size=n)
    drawn = iter(rng.choice(len(vocab), size=int(lengths.sum()), p=p).tolist())
    mixed = iter(rng.choice(len(mvocab), size=int(lengths.sum()), p=mp).tolist()) if mix else iter(())
    for length in lengths:
        sentence = []
        for _ in range(int(length)):
            if mix and rng.random() < mix_share:
                sentence.append(mvocab[next(mixed)])
            else:
                sentence.append(vocab[next(drawn)])
        out.append(" ".join(sentence))
    return out


def fit_logistic(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(threshold, slope) of ``p = sigmoid(slope * (score - threshold))`` by Newton's method."""
    a, b = 1.0, 0.0
    x = np.stack([scores, np.ones_like(scores)], axis=1)
    w = np.array([a, b])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - labels)
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-6 * np.eye(2)
        w = w - np.linalg.solve(hess, grad)
    slope, bias = float(w[0]), float(w[1])
    return -bias / slope, slope


def train(out: Path) -> RomanizedHindiModel:
    hi, other = hindi_distribution(), other_distribution()
    mass_hi, mass_other = ngram_mass(hi), ngram_mass(other)
    grams = sorted(set(mass_hi) | set(mass_other), key=lambda g: -(mass_hi.get(g, 0) + mass_other.get(g, 0)))
    grams = grams[:KEEP_NGRAMS]
    tot_hi, tot_other = sum(mass_hi.values()), sum(mass_other.values())
    v = len(grams)
    ratios = np.array([math.log((mass_hi.get(g, 0) + ALPHA) / (tot_hi + ALPHA * v))
                       - math.log((mass_other.get(g, 0) + ALPHA) / (tot_other + ALPHA * v)) for g in grams])
    unseen = math.log(ALPHA / (tot_hi + ALPHA * v)) - math.log(ALPHA / (tot_other + ALPHA * v))
    model = RomanizedHindiModel(dict(zip(grams, ratios.tolist(), strict=True)), unseen, 0.0, 1.0, VERSION)
    rng = np.random.default_rng(20261207)
    english = {w: f for w, f in other.items() if w in _english()}
    hi_sentences = sample_sentences(rng, hi, 3000, mix=english, mix_share=MIX_SHARE)
    other_sentences = sample_sentences(rng, other, 3000)
    scores = np.array([model.score(s) for s in hi_sentences + other_sentences], dtype=float)
    labels = np.array([1.0] * len(hi_sentences) + [0.0] * len(other_sentences))
    threshold, slope = fit_logistic(scores, labels)
    np.savez_compressed(out, ngrams=np.array(grams), ratios=ratios.astype(np.float32),
                        meta=np.array([unseen, threshold, slope]), version=np.array(VERSION))
    accuracy = float(((scores > threshold) == (labels == 1)).mean())
    print(f"{len(grams)} n-grams; threshold {threshold:.3f}, slope {slope:.2f}; "
          f"accuracy on the sampled sentences {accuracy:.4f}; {out} {out.stat().st_size // 1024} KiB")
    return model


def _english() -> set[str]:
    from wordfreq import top_n_list

    return set(top_n_list("en", OTHER_WORDS))


if __name__ == "__main__":
    train(Path(__file__).with_name("data") / MODEL_FILE)
