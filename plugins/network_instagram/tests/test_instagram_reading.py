"""Comments, tags, replies and insights."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from instagram_fake_graph import USER_ID

from herald.plugins import AuthExpired, PermanentError, RateLimited


def _comment(cid: str, text: str, ts: str, **extra: object) -> dict[str, object]:
    return {"id": cid, "text": text, "timestamp": ts, "username": f"user{cid}",
            "from": {"id": f"u{cid}", "username": f"user{cid}"}, **extra}


@pytest.fixture
def media(graph):
    graph.media = [{"id": "m2", "caption": "two", "timestamp": "2026-11-20T10:00:00+0000", "permalink": "p2"},
                   {"id": "m1", "caption": "one", "timestamp": "2026-11-19T10:00:00+0000", "permalink": "p1"}]
    graph.comments = {
        "m2": [_comment(str(i), f"comment {i}", f"2026-11-21T10:0{i}:00+0000") for i in range(5)],
        "m1": [_comment("9", "reply", "2026-11-20T09:00:00+0000", parent_id="8")],
    }
    graph.tags = [{"id": "t1", "caption": "Loving @acme.brand", "timestamp": "2026-11-22T08:00:00+0000",
                   "username": "fan"}]


def test_comments_are_read_across_every_page(graph, connector, account, media):
    page = connector.fetch_mentions(account, None)
    comments = [m for m in page.items if m.kind == "comment"]
    assert sorted(m.remote_id for m in comments) == ["0", "1", "2", "3", "4", "9"]
    assert len(graph.calls_to("GET", "m2/comments")) == 3  # 2 + 2 + 1, following the cursors
    first = next(m for m in comments if m.remote_id == "0")
    assert (first.author_id, first.author_handle, first.in_reply_to) == ("u0", "user0", "m2")
    assert first.created_at == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert next(m for m in comments if m.remote_id == "9").in_reply_to == "8"


def test_paging_follows_next_links_on_the_api_host_when_there_are_no_cursors(graph, connector, account, media):
    graph.send_cursors = False
    page = connector.fetch_mentions(account, None)
    assert len([m for m in page.items if m.kind == "comment"]) == 6
    assert [c["after"] for c in graph.calls_to("GET", "m2/comments")[1:]] == ["c2", "c4"]


def test_a_next_link_to_another_host_is_not_followed(graph, make_connector, account, media):
    import instagram_fake_graph as fake

    graph.send_cursors = False
    original = fake._paged

    def elsewhere(state, items, p):
        status, body = original(state, items, p)
        if "next" in body.get("paging", {}):
            body["paging"]["next"] = "http://198.51.100.7/steal?after=c2"
        return status, body

    fake._paged = elsewhere
    try:
        page = make_connector().fetch_mentions(account, None)
    finally:
        fake._paged = original
    assert len([m for m in page.items if m.kind == "comment"]) == 3  # first pages only, token kept home


def test_media_the_account_is_tagged_in_are_mentions(connector, account, media):
    page = connector.fetch_mentions(account, None)
    tags = [m for m in page.items if m.kind == "mention"]
    assert [(m.remote_id, m.author_handle, m.text) for m in tags] == [("t1", "fan", "Loving @acme.brand")]
    assert page.cursor == "2026-11-22T08:00:00+00:00"


def test_the_cursor_returns_only_newer_items(connector, account, media):
    page = connector.fetch_mentions(account, "2026-11-21T10:02:00+00:00")
    assert [m.remote_id for m in page.items] == ["3", "4", "t1"]
    assert connector.fetch_mentions(account, page.cursor).items == []
    assert connector.fetch_mentions(account, page.cursor).cursor is None


def test_a_reply_goes_to_the_comments_replies_edge(graph, connector, account):
    reply_id = connector.reply_to_comment(account, "17873440459141021", "Thank you!")
    assert graph.replies == [("17873440459141021", "Thank you!")]
    assert reply_id.isdigit()
    assert graph.calls_to("POST", "17873440459141021/replies")[0]["access_token"] == "long-lived-1"


def test_an_empty_reply_or_a_malformed_comment_id_is_refused_without_calling_instagram(graph, connector, account):
    with pytest.raises(PermanentError):
        connector.reply_to_comment(account, "1", "   ")
    with pytest.raises(PermanentError):
        connector.reply_to_comment(account, "1/../../me", "Hi")
    assert graph.calls == []


def test_insights_are_read_per_media_and_media_without_insights_are_left_out(graph, connector, account):
    graph.insights = {"m1": {"reach": 120, "likes": 9, "comments": 2, "saved": 1, "shares": 0}}
    metrics = connector.fetch_metrics(account, ["m1", "m-old"])
    assert metrics == {"m1": {"reach": 120, "likes": 9, "comments": 2, "saved": 1, "shares": 0}}
    assert graph.calls_to("GET", "m1/insights")[0]["metric"] == "reach,likes,comments,saved,shares"


def test_an_expired_token_while_reading_insights_is_reported(graph, connector, account):
    graph.fail_next("GET", r"m1/insights", 190, "Error validating access token", subcode=463)
    with pytest.raises(AuthExpired):
        connector.fetch_metrics(account, ["m1"])


def test_throttling_while_reading_comments_is_rate_limited(graph, connector, account, media):
    graph.fail_next("GET", r"m2/comments", 17, "User request limit reached")
    with pytest.raises(RateLimited):
        connector.fetch_mentions(account, None)


def test_a_missing_token_is_refused_by_the_graph_api(graph, connector, account):
    from herald.plugins import ConnectedAccount, TokenSet

    stranger = ConnectedAccount(id="acc_2", remote_id=USER_ID, handle="x", tokens=TokenSet(access_token="forged"))
    with pytest.raises(AuthExpired):
        connector.fetch_metrics(stranger, ["m1"])


def test_a_mention_in_a_caption_is_read_by_its_media_id(graph, connector, account):
    graph.mentioned_media = {"1790": {"id": "1790", "caption": "Hi @acme.brand", "media_type": "IMAGE",
                                      "timestamp": "2026-11-22T08:00:00+0000"}}
    mention = connector.read_mention(account, "1790")
    assert (mention.remote_id, mention.text, mention.kind) == ("1790", "Hi @acme.brand", "mention")
    fields = graph.calls_to("GET", USER_ID)[0]["fields"]
    assert fields == "mentioned_media.media_id(1790){id,caption,media_type,timestamp}"


def test_a_mention_in_a_comment_is_read_by_its_comment_id(graph, connector, account):
    graph.mentioned_comments = {"1800": {"id": "1800", "text": "@acme.brand look",
                                         "timestamp": "2026-11-22T08:00:00+0000"}}
    mention = connector.read_mention(account, "1790", "1800")
    assert (mention.remote_id, mention.text, mention.in_reply_to) == ("1800", "@acme.brand look", "1790")


def test_mention_ids_that_are_not_numeric_are_refused_before_calling(graph, connector, account):
    with pytest.raises(PermanentError):
        connector.read_mention(account, "1790){caption}&fields=access_token")
    assert graph.calls == []


def test_a_reply_to_a_mention_goes_to_the_mentions_edge(graph, connector, account):
    reply_id = connector.reply_to_mention(account, "1790", "Thanks!", comment_id="1800")
    assert graph.mention_replies == [{"media_id": "1790", "message": "Thanks!", "comment_id": "1800"}]
    assert reply_id.isdigit()
