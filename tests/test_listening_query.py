"""The listening query language: what parses to what, where errors point, the limits against
hostile input, and the local matcher's Unicode-aware matching."""

from __future__ import annotations

import pytest

from herald.listening.query import And, Not, Or, QueryError, Term, matches, parse, parse_exclusions, with_exclusions
from herald.listening.query.ast import from_json, simplify_for_network, to_json


def test_and_binds_tighter_than_or_and_juxtaposition_is_and():
    assert parse("a OR b c") == Or((Term("word", "a"), And((Term("word", "b"), Term("word", "c")))))
    assert parse("a AND (b OR c)") == And((Term("word", "a"), Or((Term("word", "b"), Term("word", "c")))))


def test_operators_phrases_and_negations_parse_to_terms():
    node = parse('"flat white" #Brew @Acme from:@barista lang:fa-IR network:x -decaf NOT tea')
    assert node == And((Term("phrase", "flat white"), Term("hashtag", "Brew"), Term("mention", "Acme"),
                        Term("from", "barista"), Term("lang", "fa"), Term("network", "x"),
                        Not(Term("word", "decaf")), Not(Term("word", "tea"))))


def test_the_ast_survives_a_round_trip_through_json():
    node = parse('(a OR "b c") -#d from:e')
    assert from_json(to_json(node)) == node


@pytest.mark.parametrize(("text", "column", "words"), [
    ("coffee (tea OR", 13, "OR needs a term on each side"),
    ("coffee AND", 1 + 7, "AND needs a term on each side"),
    ("coffee (tea OR milk", 20, "a closing bracket is missing (for the bracket at column 8)"),
    ('coffee "flat white', 19, "a closing quotation mark is missing"),
    ("coffee) tea", 7, "closing bracket has no opening"),
    ("coffee OR", 8, "OR needs a term on each side"),
    ("lang:english coffee", 1, "lang: needs a language code"),
    ("from: coffee", 1, "from: needs a handle"),
    ("-coffee", 1, "at least one word"),
    ("coffee ()", 9, "empty brackets"),
    ('coffee ""', 8, "an empty phrase"),
])
def test_errors_say_what_is_wrong_and_where(text, column, words):
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert caught.value.line == 1 and caught.value.column == column, str(caught.value)
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"line 1, column {column}: ")


def test_errors_on_a_later_line_name_that_line():
    with pytest.raises(QueryError) as caught:
        parse("coffee\nOR (tea")
    assert (caught.value.line, caught.value.column) == (2, 8)


@pytest.mark.parametrize("text", [
    "(" * 11 + "a" + ")" * 11,
    "NOT " * 11 + "a",
    "-" * 30 + "a",
    " ".join(f"w{i}" for i in range(51)),
    "a " * 600,
    "(" * 5000,
    "a OR " * 300 + "b",
])
def test_hostile_queries_are_refused_cheaply(text):
    with pytest.raises(QueryError):
        parse(text)


def test_the_limits_themselves_are_allowed():
    parse("(" * 10 + "a" + ")" * 10)
    parse(" ".join(f"w{i}" for i in range(50)))
    parse("a" * 1024)


def test_exclusions_are_single_terms_and_a_multi_word_one_is_a_phrase():
    excluded = parse_exclusions(["decaf", "tea time", "#ad", "from:spammer"])
    assert excluded == [Term("word", "decaf"), Term("phrase", "tea time"), Term("hashtag", "ad"),
                        Term("from", "spammer")]
    with pytest.raises(QueryError):
        parse_exclusions(["lang:en"])
    node = with_exclusions(parse("coffee"), excluded[:1])
    assert matches(node, "coffee time") and not matches(node, "decaf coffee")


def test_network_terms_fold_away_for_each_network():
    node = parse("coffee (network:x OR #brew) -network:instagram")
    assert simplify_for_network(node, "x") == Term("word", "coffee")
    assert simplify_for_network(node, "instagram") is False
    assert simplify_for_network(node, "mastodon") == And((Term("word", "coffee"), Term("hashtag", "brew")))


@pytest.mark.parametrize(("query", "text", "expected"), [
    ("coffee", "Coffee, please!", True),
    ("coffee", "coffeehouse opening", False),  # word boundaries
    ("cafe", "un Café crème", True),  # diacritics
    ("STRASSE", "die Straße", True),  # case folding
    ('"flat white"', "a FLAT   white now", True),
    ('"flat white"', "white flat", False),
    ("#thanku", "so #thankunext", False),
    ("#thanku", "so #ThankU!", True),
    ("@acme", "hi @ACME.", True),
    ("كتاب", "هذا الكِتابُ جميل", False),  # a word with the article is another word
    ("كتاب", "هذا كِتابٌ جميل", True),  # vowel marks ignored
    ("یک", "يك كتاب", True),  # Persian yeh/keheh = Arabic yeh/kaf
    ("میخواهم", "من می\u200cخواهم", True),  # the zero-width non-joiner
    ("پاکستان", "پاکستانـــ زندہ باد", True),  # tatweel
    ("हिन्दी", "मैं हिन्दी बोलता हूँ", True),  # vowel signs are part of the word
    ("हिन्द", "मैं हिन्दी बोलता हूँ", False),
    ("coca-cola", "I like Coca Cola", True),
])
def test_the_matcher_folds_text_and_respects_word_boundaries(query, text, expected):
    assert matches(parse(query), text) is expected


def test_author_language_and_network_terms_match_the_post_fields():
    node = parse("coffee from:Barista lang:en network:x")
    assert matches(node, "coffee", "@barista", "en-GB", "x")
    assert not matches(node, "coffee", "someone", "en", "x")
    assert not matches(node, "coffee", "barista", None, "x")  # unknown language matches no lang:
    assert not matches(node, "coffee", "barista", "en", "instagram")
