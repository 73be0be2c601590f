"""Listening on X: Herald's queries compiled to recent-search operators, sent as compiled,
paged with next_token, resumed with since_id, and X's errors and rate limits as the contract has
them."""

from __future__ import annotations

import pytest
from x_fake_server import USER_ID

from herald.listening.query import parse
from herald.plugins import PermanentError, RateLimited
from herald_network_x.listening import MAX_QUERY, compile_query


def test_operators_are_compiled_as_x_spells_them():
    compiled = compile_query(parse('(coffee OR "flat white") -decaf #Brew @Acme from:barista lang:ar'))
    assert compiled.network_query == '(coffee OR "flat white") -decaf #Brew @Acme from:barista lang:ar'
    assert not compiled.local_filter_needed


def test_not_of_a_group_is_pushed_down_to_the_terms():
    assert compile_query(parse("coffee NOT (tea OR milk)")).network_query == "coffee -tea -milk"
    assert compile_query(parse("coffee -(tea milk)")).network_query == "coffee (-tea OR -milk)"


def test_keywords_that_look_like_operators_are_quoted():
    assert compile_query(parse("coca-cola url:thing")).network_query == '"coca-cola" "url:thing"'


def test_a_long_query_drops_its_negations_for_local_filtering_then_gives_up():
    words = " OR ".join(f"keyword{i:02d}" for i in range(40))
    negations = " ".join(f"-nope{i:02d}" for i in range(9))
    compiled = compile_query(parse(f"({words}) {negations}"))
    assert compiled.network_query is not None and "-nope" not in compiled.network_query
    assert compiled.local_filter_needed and len(compiled.network_query) <= MAX_QUERY
    too_long = compile_query(parse(" OR ".join(f"verylongkeyword{i:02d}" for i in range(45))))
    assert too_long.network_query is None and "at most 512" in too_long.notes[0]


def test_search_sends_the_compiled_query_and_reads_every_page(fake_x, x, account):
    fake = fake_x.fake
    author = fake.add_user("2244994945", "barista", "Barista", followers=1200, verified=True)
    assert author
    for i in range(25):
        fake.add_post("2244994945", f"coffee #brew number {i}", lang="en")
    fake.add_post("2244994945", "decaf coffee #brew", lang="en")
    fake.add_post("2244994945", "coffee #brewing", lang="en")
    fake.page_size = 10
    compiled = compile_query(parse("coffee #brew -decaf"))
    page = x.search_recent(account, compiled, None)
    assert fake.search_queries == ["coffee #brew -decaf"] * 3
    assert len(page.items) == 25 and all(m.kind == "search" for m in page.items)
    first = page.items[0]
    assert first.author is not None and (first.author.handle, first.author.followers, first.author.verified) == (
        "barista", 1200, True)
    assert first.language == "en" and first.url and first.url.endswith(first.remote_id)
    searches = [r for r in fake.requests if r["path"] == "/2/tweets/search/recent"]
    assert [r["args"].get("next_token") for r in searches] == [None, "page-10", "page-20"]
    assert page.budget is not None and page.budget.limit == 450 and page.budget.remaining == 447
    fake.add_post("2244994945", "coffee #brew fresh", lang="en")
    later = x.search_recent(account, compiled, page.cursor)
    assert [m.text for m in later.items] == ["coffee #brew fresh"]
    assert [r for r in fake.requests if r["path"] == "/2/tweets/search/recent"][-1]["args"]["since_id"] == page.cursor


def test_a_429_is_rate_limited_with_xs_reset(fake_x, x, account):
    fake_x.fake.read_failures.append(429)
    with pytest.raises(RateLimited) as caught:
        x.search_recent(account, compile_query(parse("coffee")), None)
    assert caught.value.reset_at is not None and int(caught.value.reset_at.timestamp()) == fake_x.fake.reset_epoch


def test_xs_invalid_request_is_a_permanent_error_with_its_words(fake_x, x, account):
    from herald.plugins import CompiledQuery

    with pytest.raises(PermanentError) as caught:
        x.search_recent(account, CompiledQuery("x" * 600), None)
    assert "too long" in caught.value.message and caught.value.status == 400
    assert USER_ID  # the account the fixture registered searched
