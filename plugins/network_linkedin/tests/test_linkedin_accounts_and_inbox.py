"""Connecting a page (OAuth 2.0, refresh tokens), its comments in the inbox, and answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from linkedin_fake_server import MEMBER, ORG_URN

from herald.plugins import (
    AuthRevoked,
    NotSupported,
    PermanentError,
    PublishRequest,
    ReplyRequest,
    TokenSet,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _connect(li) -> TokenSet:
    answer = httpx.get(li.authorize_url("st4te", "https://h.example/cb", "v" * 43), follow_redirects=False)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["st4te"]
    return li.exchange_code(query["code"][0], "https://h.example/cb", "v" * 43)


def test_connecting_gives_a_60_day_token_and_a_365_day_refresh_token(li):
    li.now = lambda: NOW
    assert "scope=r_organization_social+w_organization_social+rw_organization_admin" in li.authorize_url(
        "s", "https://h.example/cb", "v" * 43)
    tokens = _connect(li)
    assert tokens.expires_at == NOW + timedelta(days=60) and tokens.refresh_token
    assert tokens.extra["refresh_token_expires_at"] == (NOW + timedelta(days=365)).isoformat()


def test_a_code_used_twice_is_refused_in_linkedins_words(li):
    with pytest.raises(PermanentError) as caught:
        li.exchange_code("not-a-code", "https://h.example/cb", "v")
    assert caught.value.code == "invalid_request" and "authorization code" in caught.value.message


def test_a_refresh_gives_a_new_access_token_and_keeps_the_refresh_deadline(li):
    li.now = lambda: NOW
    tokens = _connect(li)
    fresh = li.refresh(tokens)
    assert fresh.access_token != tokens.access_token and fresh.refresh_token == tokens.refresh_token
    assert fresh.extra["refresh_token_expires_at"] == (NOW + timedelta(days=364)).isoformat()


def test_a_refresh_token_linkedin_no_longer_knows_means_reconnecting(li):
    with pytest.raises(AuthRevoked) as caught:
        li.refresh(TokenSet("old", "AQWexpired"))
    assert caught.value.code == "invalid_grant"
    with pytest.raises(AuthRevoked):
        li.refresh(TokenSet("old", None))


def test_the_profile_is_the_page_the_member_administers(li, fake_li):
    profile = li.profile(TokenSet(fake_li.fake.issue_token()))
    assert (profile.remote_id, profile.handle, profile.display_name) == ("2414183", "devtestco", "Devtestco")


def test_a_member_of_several_pages_must_choose_one(make_connector, fake_li):
    fake_li.fake.admin_of = ["2414183", "777"]
    token = TokenSet(fake_li.fake.issue_token())
    with pytest.raises(PermanentError) as caught:
        make_connector().profile(token)
    assert "2414183, 777" in caught.value.message
    assert make_connector(organization_id="777").profile(token).remote_id == "777"
    with pytest.raises(PermanentError):
        make_connector(organization_id="999").profile(token)


def test_comments_on_the_pages_posts_arrive_once_with_a_cursor(li, account, fake_li):
    post = li.publish(account, PublishRequest("pub_1", "Comment on me")).remote_id
    first = fake_li.fake.add_comment(post, MEMBER, "Great news!", at=1_700_000_000_000)
    fake_li.fake.add_comment(post, ORG_URN, "Thanks!", at=1_700_000_001_000)
    page = li.fetch_mentions(account, None)
    assert [(m.text, m.direction) for m in page.items] == [("Great news!", "inbound"), ("Thanks!", "outbound")]
    item = page.items[0]
    assert item.remote_id == first["commentUrn"] and item.root_id == post and item.in_reply_to == post
    assert item.author_id == MEMBER and item.kind == "comment"
    assert item.created_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert page.cursor == "1700000001000"
    fake_li.fake.add_comment(post, MEMBER, "Later", at=1_700_000_002_000)
    later = li.fetch_mentions(account, page.cursor)
    assert [m.text for m in later.items] == ["Later"] and later.cursor == "1700000002000"


def test_a_reply_to_a_comment_names_it_as_parent_and_is_found_again(li, account, fake_li):
    post = li.publish(account, PublishRequest("pub_1", "Post")).remote_id
    comment = fake_li.fake.add_comment(post, MEMBER, "Question?")
    started = datetime.now(UTC)
    request = ReplyRequest("rep_1", "comment", "Answer.", in_reply_to=comment["commentUrn"], root_id=post)
    result = li.send_reply(account, request)
    [reply] = fake_li.fake.comments[comment["commentUrn"]]
    assert reply["parentComment"] == comment["commentUrn"] and reply["object"] == comment["object"]
    assert result.remote_id == reply["commentUrn"]
    assert li.find_reply(account, request, started).remote_id == result.remote_id
    other = ReplyRequest("rep_2", "comment", "Never sent.", in_reply_to=comment["commentUrn"], root_id=post)
    assert li.find_reply(account, other, started) is None


def test_a_reply_to_the_post_itself_is_a_top_level_comment(li, account, fake_li):
    post = li.publish(account, PublishRequest("pub_1", "Post")).remote_id
    result = li.send_reply(account, ReplyRequest("rep_1", "comment", "Hello all", in_reply_to=post, root_id=post))
    assert [c["commentUrn"] for c in fake_li.fake.comments[post]] == [result.remote_id]


def test_linkedin_pages_have_no_direct_messages_and_say_so(li, account):
    assert li.capabilities.supports_direct_messages is False
    with pytest.raises(NotSupported):
        li.fetch_direct_messages(account, None)
    problems = li.validate_reply(ReplyRequest("r", "dm", "hi", recipient_id=MEMBER), NOW)
    assert [p.code for p in problems] == ["unsupported"]
    too_long = li.validate_reply(ReplyRequest("r", "comment", "x" * 1251, in_reply_to="urn:li:share:1"), NOW)
    assert [p.code for p in too_long] == ["too_long"]
