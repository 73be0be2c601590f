"""The detector on short social texts: each language, Urdu/Persian/Arabic told apart by their
letters, romanized Hindi, texts with nothing to go on, and the languages setting."""

from __future__ import annotations

import pytest

from herald_enrich_language.cleaning import clean
from herald_enrich_language.detector import detect
from herald_enrich_language.enricher import LanguageEnricher
from herald_enrich_language.languages import DEFAULT_LANGUAGES
from herald_enrich_language.settings import SETTINGS


@pytest.mark.parametrize(("text", "language", "script"), [
    ("where is my order? still waiting", "en", "Latn"),
    ("وين طلبي؟ صار لي أسبوعين أنتظر", "ar", "Arab"),
    ("سفارشم هنوز نرسیده", "fa", "Arab"),
    ("میرا آرڈر ابھی تک نہیں آیا", "ur", "Arab"),
    ("मेरा ऑर्डर अभी तक नहीं आया", "hi", "Deva"),
    ("mera order abhi tak nahi aaya", "hi", "Latn"),
    ("bhai refund kab milega yaar", "hi", "Latn"),
    ("je voudrais annuler ma commande", "fr", "Latn"),
    ("quiero cancelar mi pedido", "es", "Latn"),
    ("ich möchte meine Bestellung stornieren", "de", "Latn"),
    ("siparişimi iptal etmek istiyorum", "tr", "Latn"),
    ("saya mau membatalkan pesanan saya", "id", "Latn"),
    ("хочу отменить заказ", "ru", "Cyrl"),
])
def test_each_language_is_told(text: str, language: str, script: str) -> None:
    d = detect(text, DEFAULT_LANGUAGES)
    assert (d.language, d.script) == (language, script)
    assert 0.5 <= d.confidence <= 1


@pytest.mark.parametrize(("text", "language"), [
    ("بہت اچھا", "ur"),        # ہ ے: Urdu only
    ("ٹھیک ہے", "ur"),          # ٹ ھ
    ("کتاب بڑی ہے", "ur"),      # ڑ
    ("خیلی خوب بود", "fa"),     # Persian ی
    ("چه گرانه", "fa"),         # چ گ: never Arabic
    ("شكرا جزيلا", "ar"),       # Arabic ي
    ("الخدمة ممتازة", "ar"),    # ة
])
def test_urdu_persian_and_arabic_are_told_apart_by_their_letters(text: str, language: str) -> None:
    assert detect(text, DEFAULT_LANGUAGES).language == language


@pytest.mark.parametrize("text", ["", None, "   ", "https://example.com/a?b=1", "😀🔥🙏", "@acme #1 123 !!!", "ok"])
def test_texts_with_nothing_to_go_on_get_no_language(text: str | None) -> None:
    d = detect(text, DEFAULT_LANGUAGES)
    assert d.language is None and d.confidence == 0.0


def test_urls_handles_emoji_and_hashtag_markers_are_removed_but_hashtag_words_stay() -> None:
    c = clean("@acme_help 😡 my #OrderStatus https://x.co/abc is 3 days late!!")
    assert c.text == "my Order Status is days late"


def test_the_languages_setting_restricts_what_is_answered() -> None:
    text = "je voudrais annuler ma commande"
    assert detect(text, ("en", "fr")).language == "fr"
    assert detect(text, ("en", "de")).language in ("en", "de", None)
    # romanized Hindi is offered only where hi is among the languages
    assert detect("mera order abhi tak nahi aaya", ("en", "id")).language != "hi"


def test_the_setting_accepts_a_list_or_a_comma_string_and_refuses_unknown_codes() -> None:
    assert SETTINGS.validate({"languages": "ur, fa,ar"})["languages"] == ["ar", "fa", "ur"]
    assert SETTINGS.validate({"languages": ["en", "hi"]})["languages"] == ["en", "hi"]
    with pytest.raises(Exception, match="not valid"):
        SETTINGS.validate({"languages": "en,xx"})


def test_enrich_many_answers_what_enrich_answers_item_by_item() -> None:
    enricher = LanguageEnricher("t1", SETTINGS.defaults())
    texts = ["where is my order", "میرا آرڈر ابھی تک نہیں آیا", "", "mera order abhi tak nahi aaya",
             "سفارشم هنوز نرسیده", "😀", "طلبي لم يصل بعد", "मेरा ऑर्डर अभी तक नहीं आया"]
    payloads = [{"text": t, "language": None, "kind": "mention", "network": "x", "author": None,
                 "annotations": {}, "media": []} for t in texts]
    many = enricher.enrich_many("engagement", payloads)
    assert many == [enricher.enrich("engagement", p) for p in payloads]
    assert [a["language"] for a in many] == ["en", "ur", None, "hi", "fa", None, "ar", "hi"]
    assert many[3]["script"] == "Latn" and many[7]["script"] == "Deva"
