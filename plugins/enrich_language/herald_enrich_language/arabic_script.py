"""Letters that tell Urdu, Persian and Arabic apart where a short text gives a statistical model
too little to go on."""

from __future__ import annotations

#: letters Urdu has and Persian and Arabic do not (ٹ ڈ ڑ ں ے ۓ ھ ہ)
URDU_LETTERS = frozenset("ٹڈڑںےۓھہ")
#: letters Persian (and Urdu) have and Arabic does not
PERSIAN_LETTERS = frozenset("پچژگ")
#: Persian and Urdu spell yeh and kaf as ی ک; Arabic as ي ك
PERSIAN_FORMS = frozenset("یک")
#: teh marbuta and alef maksura: Arabic
ARABIC_LETTERS = frozenset("ةى")
ARABIC_FORMS = frozenset("يك")


def letter_evidence(text: str) -> dict[str, float]:
    """Log-odds to add to each of ``ar``, ``fa`` and ``ur`` from the letters of ``text``."""
    chars = set(text)
    out = {"ar": 0.0, "fa": 0.0, "ur": 0.0}
    if chars & URDU_LETTERS:
        out["ur"] += 6.0
    if chars & PERSIAN_LETTERS:
        out["ar"] -= 4.0
    if chars & PERSIAN_FORMS and not chars & ARABIC_FORMS:
        out["ar"] -= 1.5
    if chars & ARABIC_LETTERS:
        out["ar"] += 2.0
    if chars & ARABIC_FORMS and not chars & PERSIAN_FORMS:
        out["ar"] += 1.5
    return out
