"""Tenant topics: by keyword (words, exact phrases, Arabic-script variants) and by examples, and
the settings that declare them."""

from __future__ import annotations

import pytest

from herald.errors import ValidationFailed
from herald_enrich_intent.enricher import IntentEnricher
from herald_enrich_intent.settings import SETTINGS
from herald_enrich_intent.topics import cache_info, compiled

TOPICS = [
    {"name": "billing", "keywords": {"en": ["invoice", '"charged twice"'], "ar": ["فاتورة"]}},
    {"name": "delivery", "examples": ["my parcel is late", "the courier never came", "package delivery delayed",
                                      "when will the courier deliver my parcel"]},
]


def topics_of(text: str, subject: str = "engagement", topics: list | None = None) -> list[str]:
    settings = SETTINGS.validate({"topics": topics if topics is not None else TOPICS})
    return IntentEnricher("t1", settings).enrich(subject, {"text": text, "language": None})["topics"]


def test_a_keyword_matches_whole_words_only() -> None:
    assert topics_of("Where is my invoice?") == ["billing"]
    assert topics_of("Two invoices are missing") == ["billing"]
    assert topics_of("invoicing software review") == []


def test_an_exact_phrase_matches_only_as_written() -> None:
    assert topics_of("I was CHARGED TWICE!") == ["billing"]
    assert topics_of("I was charged for it twice") == []


def test_an_arabic_keyword_matches_its_other_spellings_and_clitics() -> None:
    assert topics_of("وين الفاتوره حقتي") == ["billing"]
    assert topics_of("ارسلوا لي فاتورتي") == []  # a possessive suffix is another word here


def test_a_topic_matches_items_close_to_its_examples() -> None:
    assert "delivery" in topics_of("The courier still has not delivered my parcel")
    assert "delivery" not in topics_of("I love the colour of this jacket")


def test_posts_get_topics_and_topic_tags_only() -> None:
    settings = SETTINGS.validate({"topics": TOPICS})
    out = IntentEnricher("t1", settings).enrich("post", {"text": "New invoice design", "language": "en"})
    assert out == {"topics": ["billing"], "tags": ["topic:billing"]}


def test_topics_are_learned_once_per_settings() -> None:
    settings = SETTINGS.validate({"topics": TOPICS})
    first = compiled(settings["topics"], 0.3, _idf())
    assert compiled(settings["topics"], 0.3, _idf()) is first
    assert cache_info() >= 1


def _idf():
    from herald_enrich_intent.model import load

    return load().idf


@pytest.mark.parametrize(("topics", "needle"), [
    ([{"name": "Billing!", "keywords": {"en": ["x"]}}], "topic name"),
    ([{"name": "b", "keywords": {"en": ["x"]}}] * 2, "name of its own"),
    ([{"name": f"t{i}", "keywords": {"en": ["x"]}} for i in range(101)], "At most 100 topics"),
    ([{"name": "b", "keywords": {"en": [f"w{i}" for i in range(501)]}}], "At most 500 keywords"),
    ([{"name": "b", "examples": ["e"] * 201}], "At most 200 examples"),
    ([{"name": "b"}], "keywords or examples"),
    ([{"name": "b", "keywords": {"english": ["x"]}}], "ISO 639-1"),
    ("not json", "Not valid JSON"),
])
def test_wrong_topics_are_refused_with_a_clear_error(topics: object, needle: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        SETTINGS.validate({"topics": topics})
    assert needle in str(caught.value.errors), caught.value.errors


def test_a_wrong_team_map_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        SETTINGS.validate({"team_map": {"question": "legal"}})
    assert "Not a team" in str(caught.value.errors)
    with pytest.raises(ValidationFailed):
        SETTINGS.validate({"team_map": {"gossip": "sales"}})
