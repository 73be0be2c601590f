"""The built-in scorers: clear cases per language, negation, spelling variants, emoji, empty
text, and ``enrich_many`` answering as ``enrich`` does."""

from __future__ import annotations

import time

import pytest

from herald_enrich_sentiment import SentimentEnricher
from herald_enrich_sentiment.enricher import rule_annotations

ENRICHER = SentimentEnricher("acme", {})


def label(text: str, language: str | None = None) -> str:
    return ENRICHER.enrich("engagement", {"text": text, "language": language})["sentiment_label"]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("I absolutely love this, great service!", "en", "positive"),
    ("Worst support ever, totally useless", "en", "negative"),
    ("The store opens at 9 on Monday", "en", "neutral"),
    ("الخدمة ممتازة وشكرا لكم", "ar", "positive"),
    ("المنتج سيء جدا ووصل متأخر", "ar", "negative"),
    ("متى يفتح المحل غدا؟", "ar", "neutral"),
    ("خیلی خوب بود، ممنونم", "fa", "positive"),
    ("افتضاح بود، پشیمونم", "fa", "negative"),
    ("ساعت کاری فروشگاه چنده؟", "fa", "neutral"),
    ("بہت زبردست سروس، شکریہ", "ur", "positive"),
    ("بہت گھٹیا کوالٹی، پیسے ضائع", "ur", "negative"),
    ("دکان کتنے بجے کھلتی ہے؟", "ur", "neutral"),
    ("बहुत बढ़िया सर्विस, धन्यवाद", "hi", "positive"),
    ("बहुत घटिया क्वालिटी", "hi", "negative"),
    ("दुकान कितने बजे खुलती है?", "hi", "neutral"),
    ("bahut badhiya product hai yaar", "hi", "positive"),
    ("service bilkul bekar hai", None, "negative"),
    ("store kitne baje khulta hai?", "hi", "neutral"),
])
def test_clear_examples_get_their_label(text: str, language: str | None, expected: str) -> None:
    assert label(text, language) == expected


@pytest.mark.parametrize(("plain", "negated", "language"), [
    ("good", "not good", "en"),
    ("اچھا", "اچھا نہیں", "ur"),
    ("خوب", "خوب نیست", "fa"),
    ("جيدا", "ليس جيدا", "ar"),
    ("अच्छा", "अच्छा नहीं", "hi"),
    ("acha hai", "acha nahi hai", "hi"),
])
def test_a_negator_flips_the_polarity(plain: str, negated: str, language: str) -> None:
    before = ENRICHER.enrich("post", {"text": plain, "language": language})
    after = ENRICHER.enrich("post", {"text": negated, "language": language})
    assert before["sentiment_label"] == "positive" and before["sentiment"] > 0
    assert after["sentiment_label"] == "negative" and after["sentiment"] < 0


@pytest.mark.parametrize(("a", "b", "language"), [
    ("أحسن خدمة", "احسن خدمه", "ar"),            # hamza on alef, teh marbuta
    ("جميلة جداً", "جميله جدا", "ar"),            # tanwin
    ("رائعــــة", "رائعة", "ar"),                  # tatweel
    ("حلووووو", "حلو", "ar"),                      # elongation
    ("خیلی عالی", "خيلي عالي", "fa"),              # Persian yeh / Arabic yeh
    ("کیفیت خوب", "كيفيت خوب", "fa"),              # keheh / kaf
    ("اچھا ہے", "اچها هے", "ur"),                  # heh doachashmee and heh goal / heh
    ("बढ़िया", "बढिया", "hi"),                     # nukta
    ("achha hai", "accha hai", "hi"),              # romanized spelling
])
def test_spelling_variants_score_the_same(a: str, b: str, language: str) -> None:
    assert rule_annotations(a, language)["sentiment"] == rule_annotations(b, language)["sentiment"]
    assert rule_annotations(a, language)["sentiment"] != 0


def test_emoji_carry_sentiment_in_any_language() -> None:
    assert label("😍😍") == "positive"
    assert label("🤬") == "negative"
    assert label("آرڈر آ گیا 😡", "ur") == "negative"
    assert label("سفارش رسید 😍", "fa") == "positive"


def test_an_increasing_intensifier_strengthens() -> None:
    plain = rule_annotations("अच्छा", "hi")["sentiment"]
    assert rule_annotations("बहुत अच्छा", "hi")["sentiment"] > plain


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_is_neutral_with_low_confidence(text: str | None) -> None:
    answer = ENRICHER.enrich("post", {"text": text, "language": None})
    assert answer["sentiment_label"] == "neutral" and answer["sentiment"] == 0.0
    assert answer["sentiment_confidence"] <= 0.1


def test_a_missing_language_is_guessed_from_the_script() -> None:
    assert rule_annotations("اچھا نہیں", None)["sentiment_method"] == "rules:ur"
    assert rule_annotations("خوب نیست", None)["sentiment_method"] == "rules:fa"
    assert rule_annotations("ليس جيدا", None)["sentiment_method"] == "rules:ar"
    assert rule_annotations("अच्छा नहीं", None)["sentiment_method"] == "rules:hi"
    assert rule_annotations("ye bahut acha hai", None)["sentiment_method"] == "rules:hi_latn"
    assert rule_annotations("this is good", None)["sentiment_method"] == "rules:en"


def test_the_neutral_band_setting_widens_neutral() -> None:
    text = "ٹھیک ہے"
    assert SentimentEnricher("a", {"neutral_band": 0.05}).enrich("post", {"text": text, "language": "ur"})[
        "sentiment_label"] == "positive"
    assert SentimentEnricher("a", {"neutral_band": 0.5}).enrich("post", {"text": text, "language": "ur"})[
        "sentiment_label"] == "neutral"


def test_enrich_many_answers_as_enrich_does_and_fast() -> None:
    payloads = [{"text": t, "language": lang} for t, lang in [
        ("great!", "en"), ("ليس جيدا", None), ("خوب نیست", "fa"), ("اچھا نہیں", "ur"), ("अच्छा नहीं", None),
        ("mat lena, bakwas", "hi"), ("", None), ("👍", None)]] * 250
    many = ENRICHER.enrich_many("engagement", payloads)
    assert many == [ENRICHER.enrich("engagement", p) for p in payloads]
    start = time.perf_counter()
    ENRICHER.enrich_many("engagement", payloads)
    assert len(payloads) / (time.perf_counter() - start) > 1000  # the evaluation script measures the real rate


def test_arabic_ma_negates_a_verb_but_not_an_exclamation() -> None:
    assert label("ما أنصح فيه", "ar") == "negative"
    assert label("ما أجمل هذا المكان", "ar") == "positive"
