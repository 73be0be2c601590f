"""Per-language function words the rule scorer reads: negators, intensifiers, diminishers and
contrast words ("but"), and how a word's inflected forms are reduced to a lexicon key.

Written for this plugin from the grammar of each language; spelling is normalised at load
(see :mod:`herald_enrich_sentiment.normalise`), so each word is listed in one spelling."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from herald_enrich_sentiment import normalise


@dataclass(frozen=True)
class LanguageRules:
    """What the scorer needs to know of one language (or one language in one script)."""

    code: str
    normalise: Callable[[str], str]
    negators: frozenset[str]
    intensifiers: frozenset[str]
    diminishers: frozenset[str]
    contrast: frozenset[str]
    #: how many words after a sentiment word a negator may stand and still negate it (Hindi, Urdu
    #: and Persian put it after: "अच्छा नहीं", "اچھا نہیں", "خوب نیست"); before it, always three
    negation_after: int
    #: the lexicon keys a word may stand for, most literal first
    stems: Callable[[str], Iterable[str]]
    #: negators written as a prefix of the verb (Persian ``نمی…``)
    negating_prefixes: tuple[str, ...] = ()


def _words(fn: Callable[[str], str], text: str) -> frozenset[str]:
    return frozenset(fn(w).strip() for w in text.split())


# ----------------------------------------------------------------------------------- Arabic
_AR_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_AR_SUFFIXES = ("هما", "ها", "هم", "هن", "كم", "كن", "نا", "ين", "ون", "ات", "ان", "ه", "ك", "ي", "ا")


def _arabic_stems(word: str) -> Iterable[str]:
    yield word
    bases = [word]
    for p in _AR_PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            bases.append(word[len(p):])
            yield word[len(p):]
            break
    for base in bases:
        for s in _AR_SUFFIXES:
            if base.endswith(s) and len(base) - len(s) >= 3:
                yield base[: -len(s)]


# ---------------------------------------------------------------------------------- Persian
_FA_SUFFIXES = ("هاي", "ها", "ترين", "تر", "اي", "ست", "مون", "تون", "شون", "م", "ت", "ش", "ه", "ي")


def _persian_stems(word: str) -> Iterable[str]:
    yield word
    for s in _FA_SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= 2:
            yield word[: -len(s)]
    if word.startswith("مي") and len(word) > 4:
        yield word[2:]


# ------------------------------------------------------------------------------------- Urdu
def _urdu_stems(word: str) -> Iterable[str]:
    yield word
    for s in ("يوں", "وں", "يں", "ياں"):
        if word.endswith(s) and len(word) - len(s) >= 2:
            yield word[: -len(s)]
            yield word[: -len(s)] + "ا"
    if word.endswith("ي") and len(word) > 2:  # اچھی / اچھے (both ي once normalised) → اچھا
        yield word[:-1] + "ا"
        yield word[:-1]


# ------------------------------------------------------------------------------------ Hindi
def _hindi_stems(word: str) -> Iterable[str]:
    yield word
    for s in ("ियों", "ियां", "ाएं", "ाओं", "ों", "ें", "ीं", "ां"):
        if word.endswith(s) and len(word) - len(s) >= 2:
            yield word[: -len(s)]
            yield word[: -len(s)] + "ा"
            yield word[: -len(s)] + "ी"
    if word[-1:] in ("ी", "े") and len(word) > 2:  # अच्छी / अच्छे → अच्छा
        yield word[:-1] + "ा"
        yield word[:-1]


def _romanized_stems(word: str) -> Iterable[str]:
    yield word
    if word[-1:] in ("i", "e") and len(word) > 3:  # achi / ache → acha
        yield word[:-1] + "a"
    if word.endswith("on") and len(word) > 4:
        yield word[:-2]


def _english_stems(word: str) -> Iterable[str]:
    yield word


_A = normalise.arabic_script
_D = normalise.devanagari
_R = normalise.romanized

_ENGLISH_NEGATORS = "not no never dont don't didnt didn't isnt isn't wasnt wasn't cant can't wont won't nothing"

RULES: dict[str, LanguageRules] = {
    "ar": LanguageRules(
        code="ar", normalise=_A,
        negators=_words(_A, "لا ما لم لن ليس ليست لست ليسوا لسنا غير مش مو مب ماهو ماهي مافي ماكو بدون بلا مش"
                            " مهو مهي موب ابدا"),
        intensifiers=_words(_A, "جدا جداً كثير كتير مره مرة اوي أوي قوي للغاية تماما جدًا بزاف خالص حيل"
                                " اكثر أشد بشدة عنجد"),
        diminishers=_words(_A, "شوي شويه شوية قليلا نوعا بعض نسبيا"),
        contrast=_words(_A, "لكن ولكن بس بينما لاكن"),
        negation_after=0, stems=_arabic_stems),
    "fa": LanguageRules(
        code="fa", normalise=_A,
        negators=_words(_A, "نه نیست نیستم نیستی نیستیم نیستید نیستن نیستند نبودم نبودن نبودند"
                            " نبود نبودن نداره ندارد نداشت نداشتم ندارم نشد نشده نکرد نکن"
                            " نکنید نمیشه نمیکنم هیچ بدون غیر نخواهد نباشه"),
        intensifiers=_words(_A, "خیلی بسیار واقعا واقعاً کاملا کاملاً بینهایت زیاد چقدر خیلیی فوق اصلا شدیدا"
                                " بی‌نهایت انقدر اینقدر"),
        diminishers=_words(_A, "کمی یکم یه‌کم نسبتا تقریبا کم"),
        contrast=_words(_A, "ولی اما ولیکن لیکن منتها"),
        negation_after=2, stems=_persian_stems, negating_prefixes=("نمي",)),
    "ur": LanguageRules(
        code="ur", normalise=_A,
        negators=_words(_A, "نہیں نہ مت نا بغیر کبھی‌نہیں نہی ناں"),
        intensifiers=_words(_A, "بہت بہوت انتہائی کافی بالکل بےحد زیادہ سب واقعی کتنا کتنی بڑا بڑی بہت‌زیادہ"
                                " انتہا"),
        diminishers=_words(_A, "تھوڑا تھوڑی کچھ قدرے ذرا"),
        contrast=_words(_A, "لیکن مگر پر البتہ"),
        negation_after=2, stems=_urdu_stems),
    "hi": LanguageRules(
        code="hi", normalise=_D,
        negators=_words(_D, "नहीं नही ना न मत बिना कभी‌नहीं नहि"),
        intensifiers=_words(_D, "बहुत बेहद काफी काफ़ी अत्यंत बिल्कुल बिलकुल सबसे ज़्यादा ज्यादा एकदम बड़ा बड़ी कितना"
                                " कितनी वाकई सचमुच इतना इतनी बहोत"),
        diminishers=_words(_D, "थोड़ा थोड़ी कुछ ज़रा जरा"),
        contrast=_words(_D, "लेकिन पर मगर परंतु किंतु पर्न्तु"),
        negation_after=2, stems=_hindi_stems),
    "hi_latn": LanguageRules(
        code="hi_latn", normalise=_R,
        negators=_words(_R, "nahi nahin nhi nai na mat bina naa nahiin " + _ENGLISH_NEGATORS),
        intensifiers=_words(_R, "bahut bohot bahot bhot boht bht bohat bilkul ekdum sabse zyada jyada jiada kafi"
                                " kaafi itna itni kitna kitni bada badi very so too really super full extremely"
                                " totally"),
        diminishers=_words(_R, "thoda thodi thora thori zara kuch bit little slightly"),
        contrast=_words(_R, "lekin magar par but parantu"),
        negation_after=2, stems=_romanized_stems),
}

#: the English words the non-English scorers also read (code-mixed text), and their negators
ENGLISH_NEGATORS = _words(normalise.latin, _ENGLISH_NEGATORS)
ENGLISH_STEMS = _english_stems
