"""Listening on Instagram: hashtag search only. The query's hashtag cover is searched (one id
look-up per new hashtag, then kept in the cursor), the rest is left to Herald's filter and said
so, and Meta's error 18 (30 hashtags per 7 days) is a rate limit."""

from __future__ import annotations

import json
import time

import pytest
from instagram_fake_graph import USER_ID, ts

from herald.listening.query import parse
from herald.plugins import RateLimited
from herald_network_instagram.listening import compile_query


def test_only_a_query_with_a_hashtag_cover_runs_on_instagram():
    compiled = compile_query(parse("(#Brew OR #coffee) beans -decaf from:shop"))
    assert compiled.network_query == "brew,coffee" and compiled.budget_terms == ("brew", "coffee")
    assert compiled.local_filter_needed
    assert compiled.unsupported_parts == ("beans", "-decaf", "from:shop")
    assert any("from: never matches" in n for n in compiled.notes)
    assert compile_query(parse("#a OR #b")).local_filter_needed is False
    refused = compile_query(parse("#brew OR coffee"))
    assert refused.network_query is None and "hashtag only" in refused.notes[0]


def _media(graph, tag_id: str, n: int, start: float) -> None:
    graph.hashtag_media[tag_id] = [{"id": f"1790{tag_id}{i:03d}", "caption": f"fresh #brew {i}",
                                    "timestamp": ts(start + i * 60), "permalink": f"https://ig.test/p/{i}",
                                    "media_type": "IMAGE"} for i in reversed(range(n))]


def test_hashtags_are_looked_up_once_and_media_read_newer_than_the_cursor(graph, connector, account):
    graph.hashtags = {"brew": "1784001"}
    now = time.time()
    _media(graph, "1784001", 5, now - 3600)
    compiled = compile_query(parse("#brew"))
    page = connector.search_recent(account, compiled, None)
    assert len(page.items) == 5 and all(m.kind == "search" and m.url for m in page.items)
    assert graph.calls_to("GET", "ig_hashtag_search") == [
        {"user_id": USER_ID, "q": "brew", "access_token": "long-lived-1"}]
    media_calls = graph.calls_to("GET", r"1784001/recent_media")
    assert media_calls and all(c["user_id"] == USER_ID for c in media_calls)
    assert json.loads(page.cursor)["ids"] == {"brew": "1784001"}
    graph.hashtag_media["1784001"].insert(0, {"id": "1790999", "caption": "newest #brew",
                                              "timestamp": ts(now), "media_type": "IMAGE"})
    later = connector.search_recent(account, compiled, page.cursor)
    assert [m.text for m in later.items] == ["newest #brew"]
    assert len(graph.calls_to("GET", "ig_hashtag_search")) == 1  # the id came from the cursor


def test_the_hashtag_budget_error_is_a_rate_limit(graph, connector, account):
    graph.hashtags = {f"t{i}": f"17840{i:02d}" for i in range(31)}
    graph.hashtag_budget = 1
    for tag in graph.hashtags.values():
        graph.hashtag_media[tag] = []
    connector.search_recent(account, compile_query(parse("#t0")), None)
    with pytest.raises(RateLimited) as caught:
        connector.search_recent(account, compile_query(parse("#t1")), None)
    assert caught.value.code == "hashtag_budget" and "30 hashtags per 7 days" in caught.value.message
