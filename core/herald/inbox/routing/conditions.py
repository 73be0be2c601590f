"""Evaluating a rule's conditions on an item's facts, with the reasons in words.

Text is compared after the style guide's normalisation (NFKC, case folding, Arabic and Persian
letter forms unified, diacritics dropped), and a phrase matches as whole words: ``refund`` matches
"Refund!" but not "refunded". A regular expression runs with a time limit (the ``regex`` library),
so a pathological pattern fails closed instead of stalling the ingest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import regex

from herald.approvals.style_guide import normalise
from herald.inbox.routing.definition import DAYS, RuleDefinition
from herald.inbox.routing.facts import ItemFacts

REGEX_TIMEOUT_S = 0.05


@dataclass(frozen=True)
class Evaluation:
    """Whether the rule matched, and why (the conditions that held, or the first that did not)."""

    matched: bool
    reasons: tuple[str, ...]


@lru_cache(maxsize=2048)
def _phrase(phrase: str) -> regex.Pattern[str]:
    return regex.compile(r"(?<!\w)" + regex.escape(normalise(phrase)) + r"(?!\w)")


@lru_cache(maxsize=512)
def _pattern(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE | regex.V0)


def _found(text: str, phrases: Iterable[str]) -> list[str]:
    return [p for p in phrases if _phrase(p).search(text)]


def _text(op: str, value: Any, facts: ItemFacts) -> tuple[bool, str]:
    if op == "matches_regex":
        try:
            hit = _pattern(value).search(facts.text, timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            return False, f"pattern {value!r} took too long on this text; treated as no match"
        return (hit is not None, f"text matches {value!r}" if hit else f"text does not match {value!r}")
    text = normalise(facts.text)
    found = _found(text, value)
    if op == "contains_any":
        return (bool(found), f"text contains {found[0]!r}" if found else "text contains none of the words")
    if op == "contains_all":
        missing = [p for p in value if p not in found]
        return (not missing, "text contains all of " + ", ".join(map(repr, value)) if not missing
                else f"text lacks {missing[0]!r}")
    return (not found, "text contains none of " + ", ".join(map(repr, value)) if not found
            else f"text contains {found[0]!r}")


def _language_in(language: str | None, wanted: list[str]) -> str | None:
    if not language:
        return None
    lang = language.lower()
    for w in wanted:
        if lang == w or ("-" not in w and lang.split("-")[0] == w):
            return w
    return None


def _listed(name: str, op: str, value: list[str], facts: ItemFacts) -> tuple[bool, str]:
    actual: str | None = {"language": facts.language, "network": facts.network, "kind": facts.kind,
                          "account": facts.account_id, "unit": facts.unit_id, "intent": facts.intent}[name]
    if actual is None or actual == "":
        return False, f"{name} is not known"
    if name == "language":
        hit = _language_in(actual, value) is not None
    elif name == "network":
        hit = actual.lower() in value
    else:
        hit = actual in value
    if op == "in":
        return hit, f"{name} {actual!r} is " + ("" if hit else "not ") + "one of the listed"
    return not hit, f"{name} {actual!r} is " + ("" if hit else "not ") + "one of the excluded"


def _has(name: str, op: str, value: list[str], facts: ItemFacts) -> tuple[bool, str]:
    have = {"label": facts.account_labels, "author_tag": facts.author_tags, "tag": facts.tags}[name]
    have_norm = {normalise(h) for h in have}
    present = [v for v in value if normalise(v) in have_norm]
    words = {"label": "account label", "author_tag": "author tag", "tag": "tag"}[name]
    if op == "has_any":
        return bool(present), f"has {words} {present[0]!r}" if present else f"has none of the {words}s"
    if op == "has_all":
        missing = [v for v in value if v not in present]
        return not missing, f"has every listed {words}" if not missing else f"lacks {words} {missing[0]!r}"
    return not present, f"has none of the {words}s" if not present else f"has {words} {present[0]!r}"


def _compare(name: str, op: str, value: Any, facts: ItemFacts) -> tuple[bool, str]:
    actual = facts.author_followers if name == "followers" else facts.sentiment
    label = "followers" if name == "followers" else "sentiment"
    if actual is None:
        return False, f"{label} not known"
    if op == "gte":
        return actual >= value, f"{label} {actual:g} {'≥' if actual >= value else '<'} {value:g}"
    if op == "lte":
        return actual <= value, f"{label} {actual:g} {'≤' if actual <= value else '>'} {value:g}"
    lo, hi = value
    inside = lo <= actual <= hi
    return inside, f"{label} {actual:g} {'within' if inside else 'outside'} {lo:g}–{hi:g}"


def in_window(window: dict[str, Any], at: datetime) -> bool:
    """Whether ``at`` falls in the weekly window; a window past midnight belongs to the day it starts."""
    local = at.astimezone(ZoneInfo(window["zone"]))
    start, end = time.fromisoformat(window["from"]), time.fromisoformat(window["to"])
    now = local.time().replace(second=0, microsecond=0, tzinfo=None)
    today, yesterday = DAYS[local.weekday()], DAYS[(local.weekday() - 1) % 7]
    if start < end:
        return today in window["days"] and start <= now < end
    return (today in window["days"] and now >= start) or (yesterday in window["days"] and now < end)


def _time(op: str, value: dict[str, Any], facts: ItemFacts) -> tuple[bool, str]:
    inside = in_window(value, facts.received_at)
    span = f"{','.join(value['days'])} {value['from']}–{value['to']} {value['zone']}"
    if op == "within":
        return inside, ("received within " if inside else "received outside ") + span
    return not inside, ("received outside " if not inside else "received within ") + span


def check(condition: dict[str, Any], facts: ItemFacts) -> tuple[bool, str]:
    """One condition on the facts: (holds, why)."""
    name, op, value = condition["field"], condition["op"], condition["value"]
    if name == "text":
        return _text(op, value, facts)
    if name in ("language", "network", "kind", "account", "unit", "intent"):
        return _listed(name, op, value, facts)
    if name in ("label", "author_tag", "tag"):
        return _has(name, op, value, facts)
    if name == "verified":
        if facts.author_verified is None:
            return False, "whether the author is verified is not known"
        hit = facts.author_verified is value
        return hit, "author is " + ("" if facts.author_verified else "not ") + "verified"
    if name == "time":
        return _time(op, value, facts)
    return _compare(name, op, value, facts)


def evaluate(definition: RuleDefinition, facts: ItemFacts) -> Evaluation:
    """Does the rule match? ``all``: every condition holds; ``any``: at least one does."""
    if not definition.conditions:
        return Evaluation(True, ("the rule has no conditions: every item matches",))
    held: list[str] = []
    for condition in definition.conditions:
        ok, why = check(condition, facts)
        if ok:
            held.append(why)
            if definition.match == "any":
                return Evaluation(True, (why,))
        elif definition.match == "all":
            return Evaluation(False, (why,))
    if definition.match == "all":
        return Evaluation(True, tuple(held))
    return Evaluation(False, ("none of the conditions holds",))


def first_matches(rules: list[tuple[str, RuleDefinition]], facts: ItemFacts) -> list[tuple[str, Evaluation]]:
    """The rules that match, in order, up to and including the first matching rule with ``stop``."""
    found: list[tuple[str, Evaluation]] = []
    for rule_id, definition in rules:
        result = evaluate(definition, facts)
        if result.matched:
            found.append((rule_id, result))
            if definition.stop:
                break
    return found
