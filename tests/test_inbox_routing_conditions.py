"""Routing rule definitions and their conditions, without a database: what validates, what
matches, and the reasons given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from marshmallow import ValidationError

from herald.inbox.routing.conditions import evaluate, first_matches, in_window
from herald.inbox.routing.definition import RuleDefinition, RuleDefinitionSchema
from herald.inbox.routing.facts import ItemFacts

FACTS = ItemFacts(text="", kind="mention", network="x", account_id="acct_1", account_labels=("brand:coffee",),
                  unit_id="unit_1", unit_path="/root/coffee/", language="ar-AE", author_followers=12_000,
                  author_verified=True, author_tags=("vip",), sentiment=-0.6, intent="complaint",
                  tags=("billing",), received_at=datetime(2026, 12, 3, 13, 30, tzinfo=UTC))  # Thu 17:30 Dubai
NOTHING = [{"type": "set_priority", "priority": "high"}]


def rule(*conditions: dict[str, Any], match: str = "all", stop: bool = False) -> RuleDefinition:
    return RuleDefinitionSchema().load({"match": match, "stop": stop, "conditions": list(conditions),
                                        "actions": NOTHING})


def cond(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def matches(definition: RuleDefinition, **facts: Any) -> bool:
    return evaluate(definition, replace(FACTS, **facts)).matched


# ----------------------------------------------------------------------------- text
@pytest.mark.parametrize(("text", "hit"), [
    ("I want a REFUND now", True), ("Refund!", True), ("refunded already", False), ("prefund", False),
    ("أريد استرداد المبلغ", True), ("أريد إسترداد المبلغ", False),  # another word (hamza), not a match
    ("ＲＥＦＵＮＤ please", True),  # full-width letters, NFKC
])
def test_phrases_match_as_whole_words_after_normalisation(text: str, hit: bool) -> None:
    assert matches(rule(cond("text", "contains_any", ["refund", "استرداد"])), text=text) is hit


def test_arabic_and_persian_letter_forms_and_diacritics_are_unified() -> None:
    persian = rule(cond("text", "contains_any", ["کیفیت"]))  # Persian kaf and yeh
    assert matches(persian, text="كيفيت بد")  # Arabic kaf and yeh
    assert matches(rule(cond("text", "contains_any", ["شكرا"])), text="شُكْرًا جزيلا")


def test_contains_all_and_not_contains() -> None:
    both = rule(cond("text", "contains_all", ["late", "order"]))
    assert matches(both, text="my order is late") and not matches(both, text="late again")
    result = evaluate(both, replace(FACTS, text="late again"))
    assert result.reasons == ("text lacks 'order'",)
    clean = rule(cond("text", "not_contains", ["spam", "crypto"]))
    assert matches(clean, text="hello") and not matches(clean, text="free CRYPTO")


def test_a_regular_expression_matches_case_insensitively_and_a_slow_one_fails_closed() -> None:
    order = rule(cond("text", "matches_regex", r"\border\s*#?\d{5,}\b"))
    assert matches(order, text="Where is ORDER #123456?") and not matches(order, text="order 12")
    slow = rule(cond("text", "matches_regex", r"(\w|\w\w)*\d$"))  # exponential backtracking
    result = evaluate(slow, replace(FACTS, text="a" * 40 + "!"))
    assert not result.matched and "too long" in result.reasons[0]


# ----------------------------------------------------------------------------- lists, sets, numbers
def test_language_matches_its_primary_subtag_unless_a_region_is_given() -> None:
    assert matches(rule(cond("language", "in", ["ar"])))  # ar-AE
    assert not matches(rule(cond("language", "in", ["ar-SA"])))
    assert matches(rule(cond("language", "in", ["AR-ae"])))
    assert matches(rule(cond("language", "not_in", ["fa", "ur"])))
    assert not matches(rule(cond("language", "in", ["ar"])), language=None)  # unknown never matches


def test_kind_network_account_unit_and_intent_lists() -> None:
    assert matches(rule(cond("kind", "in", ["mention", "dm"]), cond("network", "in", ["X"])))
    assert not matches(rule(cond("account", "not_in", ["acct_1"])))
    assert matches(rule(cond("unit", "in", ["unit_1"]), cond("intent", "in", ["complaint"])))
    assert not matches(rule(cond("intent", "in", ["complaint"])), intent=None)


def test_labels_author_tags_and_tags() -> None:
    assert matches(rule(cond("label", "has_any", ["Brand:Coffee", "brand:tea"])))
    assert not matches(rule(cond("author_tag", "has_all", ["vip", "press"])))
    assert matches(rule(cond("tag", "has_none", ["spam"])))
    assert not matches(rule(cond("tag", "has_none", ["billing"])))


def test_followers_sentiment_and_verified() -> None:
    assert matches(rule(cond("followers", "gte", 10_000)))
    assert not matches(rule(cond("followers", "lte", 10_000)))
    assert matches(rule(cond("followers", "between", [10_000, 20_000])))
    assert not matches(rule(cond("followers", "gte", 1)), author_followers=None)
    assert matches(rule(cond("sentiment", "lte", -0.5)))
    assert not matches(rule(cond("sentiment", "between", [-0.2, 0.2])))
    assert matches(rule(cond("verified", "is", True)))
    assert not matches(rule(cond("verified", "is", False)))
    assert not matches(rule(cond("verified", "is", False)), author_verified=None)


# ----------------------------------------------------------------------------- time
def test_time_windows_in_the_rules_zone_including_ones_past_midnight() -> None:
    office = {"zone": "Asia/Dubai", "days": ["sun", "mon", "tue", "wed", "thu"], "from": "09:00", "to": "18:00"}
    assert matches(rule(cond("time", "within", office)))  # Thursday 17:30 in Dubai
    assert not matches(rule(cond("time", "within", office)), received_at=datetime(2026, 12, 3, 14, 0, tzinfo=UTC))
    night = {"zone": "Asia/Dubai", "days": ["thu"], "from": "22:00", "to": "06:00"}
    assert in_window(night, datetime(2026, 12, 3, 19, 0, tzinfo=UTC))  # Thu 23:00
    assert in_window(night, datetime(2026, 12, 4, 1, 0, tzinfo=UTC))  # Fri 05:00, the night that began Thursday
    assert not in_window(night, datetime(2026, 12, 4, 19, 0, tzinfo=UTC))  # Fri 23:00
    assert matches(rule(cond("time", "outside", night)))


# ----------------------------------------------------------------------------- combining
def test_all_any_and_no_conditions() -> None:
    a, b = cond("kind", "in", ["dm"]), cond("followers", "gte", 10_000)
    assert not matches(rule(a, b)) and matches(rule(a, b, match="any"))
    assert evaluate(rule(a, b, match="any"), FACTS).reasons == ("followers 12000 ≥ 10000",)
    assert matches(rule())


def test_first_matches_keeps_order_and_stops_at_a_stopping_rule() -> None:
    always, stopper, never = rule(), rule(stop=True), rule(cond("kind", "in", ["dm"]))
    found = first_matches([("r1", always), ("r2", never), ("r3", stopper), ("r4", always)], FACTS)
    assert [rule_id for rule_id, _ in found] == ["r1", "r3"]


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize(("body", "where"), [
    ({"conditions": [cond("followers", "contains_any", ["a"])], "actions": NOTHING}, ("conditions", 0, "op")),
    ({"conditions": [cond("followers", "gte", "many")], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("followers", "gte", True)], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("followers", "between", [5, 1])], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("sentiment", "gte", 2)], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("text", "contains_any", [])], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("text", "contains_any", ["x" * 201])], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("text", "matches_regex", "(unclosed")], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("kind", "in", ["tweet"])], "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("colour", "in", ["red"])], "actions": NOTHING}, ("conditions", 0, "field")),
    ({"conditions": [cond("time", "within", {"zone": "Mars/Olympus", "from": "09:00", "to": "17:00"})],
      "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("time", "within", {"zone": "UTC", "from": "9am", "to": "17:00"})],
      "actions": NOTHING}, ("conditions", 0, "value")),
    ({"conditions": [cond("time", "within", {"zone": "UTC", "from": "09:00", "to": "09:00"})],
      "actions": NOTHING}, ("conditions", 0, "value")),
    ({"actions": []}, ("actions",)),
    ({"actions": [{"type": "set_team"}]}, ("actions", 0, "team_id")),
    ({"actions": [{"type": "auto_assign", "team_id": "t"}]}, ("actions", 0, "team_id")),
    ({"actions": [{"type": "set_priority", "priority": "asap"}]}, ("actions", 0, "priority")),
    ({"actions": [{"type": "crm", "sink": "crm_salesforce", "record": "deal"}]}, ("actions", 0, "record")),
    ({"actions": [{"type": "add_tags", "tags": ["  "]}]}, ("actions", 0, "tags")),
    ({"actions": NOTHING, "match": "most"}, ("match",)),
    ({"actions": NOTHING, "then": "x"}, ("then",)),
])
def test_invalid_definitions_are_refused_with_the_place_of_the_error(body: dict[str, Any],
                                                                     where: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        RuleDefinitionSchema().load(body)
    node: Any = caught.value.messages
    for key in where:
        assert key in node, (where, caught.value.messages)
        node = node[key]
    assert node


def test_a_definition_round_trips_and_tidies_its_values() -> None:
    loaded = RuleDefinitionSchema().load({
        "conditions": [cond("text", "contains_any", [" refund ", "refund", "money back"]),
                       cond("network", "in", ["X", "Instagram"])],
        "actions": [{"type": "add_tags", "tags": ["billing", "billing "]}, {"type": "auto_assign"}]})
    assert loaded.match == "all" and loaded.stop is False
    assert loaded.conditions[0]["value"] == ["refund", "money back"]
    assert loaded.conditions[1]["value"] == ["x", "instagram"]
    assert loaded.actions[0]["tags"] == ["billing"]
    assert RuleDefinitionSchema().load(loaded.to_dict()) == loaded
    with pytest.raises(ValidationError):
        RuleDefinitionSchema().load(["not", "an", "object"])
