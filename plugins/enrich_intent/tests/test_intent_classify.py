"""Intent and team on clear examples in every language, and the team a tenant maps."""

from __future__ import annotations

import pytest
from intent_examples import CLEAR

from herald_enrich_intent.cues import INTENTS
from herald_enrich_intent.enricher import IntentEnricher
from herald_enrich_intent.normalise import normalise

CASES = [(lang, intent, text) for lang, texts in CLEAR.items() for intent, text in texts.items()]


def enrich(text: str, language: str | None, settings: dict | None = None) -> dict:
    return IntentEnricher("t1", settings or {}).enrich(
        "engagement", {"text": text, "language": language, "kind": "comment", "network": "x", "author": None,
                       "annotations": {}, "media": []})


@pytest.mark.parametrize(("lang", "intent", "text"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_a_clear_item_gets_its_intent(lang: str, intent: str, text: str) -> None:
    out = enrich(text, "hi" if lang == "hi_latn" else lang)
    assert out["intent"] == intent, out["intents"]
    assert set(out["intents"]) == set(INTENTS)
    assert f"intent:{intent}" in out["tags"]


def test_small_talk_has_no_intent_and_no_team() -> None:
    out = enrich("Good morning everyone", "en")
    assert out["intent"] is None and out["team"] == "none" and out["tags"] == []


@pytest.mark.parametrize(("text", "team"), [
    ("How much is the blue jacket?", "sales"), ("My parcel never arrived", "support"),
    ("Terrible, rude staff", "support"), ("Love your coffee, thanks!", "marketing"),
    ("Follow back, crypto profit link in bio", "none"), ("Are you open on Fridays?", "marketing"),
    ("Can I change the address on my order?", "support"),
])
def test_each_intent_goes_to_its_team(text: str, team: str) -> None:
    assert enrich(text, "en")["team"] == team


def test_a_tenant_maps_an_intent_to_another_team() -> None:
    text = "Are you open on Fridays?"
    assert enrich(text, "en")["team"] == "marketing"
    assert enrich(text, "en", {"team_map": {"question": "support"}})["team"] == "support"
    assert enrich(text, "en", {"team_map": '{"praise": "sales"}'})["team"] == "marketing"


def test_negated_praise_reads_as_a_complaint() -> None:
    assert enrich("The food was great", "en")["intent"] == "praise"
    assert enrich("The food was not good, not happy", "en")["intent"] == "complaint"


def test_arabic_script_spellings_fold_to_one() -> None:
    assert normalise("فاتورة") == normalise("فاتوره")
    assert normalise("أسوأ") == normalise("اسوا")
    assert normalise("کتاب") == normalise("كتاب")
    assert normalise("نمی‌کند") == normalise("نميكند")
    assert normalise("شـــكراً") == normalise("شكرا")


def test_enrich_many_answers_as_enrich_does() -> None:
    enricher = IntentEnricher("t1", {"topics": [{"name": "billing", "keywords": {"en": ["invoice"]}}]})
    payloads = [{"text": text, "language": "hi" if lang == "hi_latn" else lang, "annotations": {}}
                for lang, intent, text in CASES] + [{"text": "my invoice is wrong", "language": None}]
    assert enricher.enrich_many("engagement", payloads) == [enricher.enrich("engagement", p) for p in payloads]


def test_the_language_comes_from_an_earlier_enricher_when_the_network_gave_none() -> None:
    out = IntentEnricher("t1", {}).enrich("engagement", {"text": "بكم هذا؟", "language": None,
                                                         "annotations": {"language": "ar"}})
    assert out["intent"] == "sales_enquiry"
