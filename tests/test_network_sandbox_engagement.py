"""The sandbox network's engagement: customers' mentions, comments and direct messages read by
cursor, the account's own messages echoed back, replies sent and found again by marker, the
24-hour messaging window, edits and deletions, the read budget, simulated customers and the
feed page's "write as a customer" form."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from herald.builtin.local_auth import hash_password
from herald.builtin.network_sandbox import SandboxConnector, SandboxSettings
from herald.builtin.network_sandbox_customers import MAX_CATCH_UP, simulate_customers
from herald.builtin.network_sandbox_engagement import (
    READ_LIMIT,
    add_inbound,
    customer_id,
    delete_engagement,
    edit_engagement,
    find_item,
)
from herald.builtin.network_sandbox_models import SandboxEngagement, SandboxPost
from herald.clock import set_clock, utcnow
from herald.networks.connector import AuthorProfile, ConnectedAccount, ReplyRequest
from herald.networks.errors import PermanentError, RateLimited, UncertainOutcome

PASSWORD = "sandbox-test-password"
ACCOUNT = ConnectedAccount("acct_sbx", "sandbox-1", "acme_sandbox", None)


def _who(handle: str, language: str = "en", **extra: object) -> AuthorProfile:
    return AuthorProfile(remote_id=customer_id(handle), handle=handle, display_name=handle.title(),
                         language=language, **extra)  # type: ignore[arg-type]


@pytest.fixture
def net(seed, herald_runtime):  # type: ignore[no-untyped-def]
    """A tenant, its sandbox connector (customers not simulated) and a helper writing as a customer."""
    t = seed.tenant("acme", {"coffee": None})
    connector = SandboxConnector(t.id, {"latency_ms": 0})

    def write(kind: str, handle: str, text: str, *, at: datetime | None = None, in_reply_to: str | None = None,
              language: str = "en") -> str:
        with herald_runtime.db.transaction() as s:
            return add_inbound(s, t.id, ACCOUNT.remote_id, kind=kind, author=_who(handle, language), text=text,
                               created_at=at or utcnow(), language=language, in_reply_to=in_reply_to).remote_id

    return t, connector, write


def _post(rt, tenant_id: str, text: str = "Our autumn menu") -> str:  # type: ignore[no-untyped-def]
    with rt.db.transaction() as s:
        post = SandboxPost(tenant_id=tenant_id, account_remote_id=ACCOUNT.remote_id, handle=ACCOUNT.handle,
                           text=text)
        s.add(post)
        s.flush()
        return post.id


def _read_all(read, cursor):  # type: ignore[no-untyped-def]
    """Every page from ``cursor`` until one comes back empty: (items, final cursor, pages)."""
    items, pages = [], 0
    while True:
        page = read(ACCOUNT, cursor)
        pages += 1
        if not page.items:
            assert page.cursor is None  # nothing new: the old cursor stays
            return items, cursor, pages
        assert len(page.items) <= 100
        items += page.items
        cursor = page.cursor


# ----------------------------------------------------------------------------- cursors
def test_mentions_and_comments_are_read_page_by_page_never_repeated_nor_lost(net, herald_runtime):
    t, connector, write = net
    first = connector.fetch_mentions(ACCOUNT, None)
    assert first.items == [] and first.cursor is not None  # a position to start from, even when empty
    post_id = _post(herald_runtime, t.id)
    written = []
    for i in range(230):
        if i % 3 == 0:
            written.append(write("comment", f"fan{i}", f"Comment {i}", in_reply_to=post_id))
        else:
            written.append(write("mention", f"fan{i}", f"@acme_sandbox mention {i}"))
        if i % 10 == 0:
            write("dm", f"fan{i}", f"A direct message {i}")  # read apart, never among mentions
    page = connector.fetch_mentions(ACCOUNT, first.cursor)
    assert len(page.items) == 100 and [m.remote_id for m in page.items] == written[:100]
    written.append(write("mention", "late", "@acme_sandbox written between two pages"))
    rest, _, pages = _read_all(connector.fetch_mentions, page.cursor)
    ids = [m.remote_id for m in page.items + rest]
    assert ids == written and len(set(ids)) == len(ids) and pages == 3
    assert {m.kind for m in page.items + rest} == {"mention", "comment"}
    assert sorted(ids) == ids  # remote ids grow: they sort as they were made


def test_a_first_read_without_a_cursor_gives_the_latest_page_oldest_first(net):
    _, connector, write = net
    written = [write("mention", "fan", f"@acme_sandbox hello {i}") for i in range(130)]
    page = connector.fetch_mentions(ACCOUNT, None)
    assert [m.remote_id for m in page.items] == written[-100:]
    assert connector.fetch_mentions(ACCOUNT, page.cursor).items == []


def test_a_cursor_the_sandbox_never_gave_is_refused(net):
    _, connector, _ = net
    with pytest.raises(PermanentError) as refused:
        connector.fetch_mentions(ACCOUNT, "not-a-cursor")
    assert refused.value.code == "bad_cursor"


# ----------------------------------------------------------------------------- direct messages
def test_direct_messages_come_in_one_thread_per_customer_with_the_accounts_own_messages(net):
    _, connector, write = net
    start = connector.fetch_direct_messages(ACCOUNT, None).cursor
    write("dm", "sara", "Where is my order?")
    write("dm", "omar", "مرحباً، هل توصلون إلى الشارقة؟", language="ar")
    write("dm", "sara", "Any update?")
    write("mention", "sara", "@acme_sandbox hello")  # not a direct message
    page = connector.fetch_direct_messages(ACCOUNT, start)
    assert [m.text for m in page.items] == ["Where is my order?", "مرحباً، هل توصلون إلى الشارقة؟", "Any update?"]
    assert all(m.kind == "dm" and m.direction == "inbound" for m in page.items)
    sara, omar, again = page.items
    assert sara.thread_id == again.thread_id != omar.thread_id
    assert sara.author is not None and sara.author.handle == "sara" and omar.language == "ar"

    sent = connector.send_reply(ACCOUNT, ReplyRequest(reply_id="rep_dm1", kind="dm", text="It ships today!",
                                                      thread_id=sara.thread_id))
    assert sent.thread_id == sara.thread_id
    echo = connector.fetch_direct_messages(ACCOUNT, page.cursor).items
    assert [(m.remote_id, m.direction, m.thread_id, m.text) for m in echo] == [
        (sent.remote_id, "outbound", sara.thread_id, "It ships today!")]
    assert echo[0].author_id == ACCOUNT.remote_id and echo[0].author_handle == ACCOUNT.handle
    assert [m.kind for m in connector.fetch_mentions(ACCOUNT, start).items] == ["mention"]


def test_a_comment_is_answered_privately_in_the_customers_conversation(net, herald_runtime):
    t, connector, write = net
    comment = write("comment", "mia", "How much is the large one?", in_reply_to=_post(herald_runtime, t.id))
    sent = connector.send_reply(ACCOUNT, ReplyRequest(reply_id="rep_private", kind="dm", text="Sent you the price",
                                                      in_reply_to=comment, private=True))
    assert sent.thread_id == f"sbxt_{customer_id('mia')}"


# ----------------------------------------------------------------------------- replies
def test_a_reply_goes_under_its_comment_and_is_found_again_by_its_marker(net, herald_runtime):
    t, connector, write = net
    post_id = _post(herald_runtime, t.id)
    comment = write("comment", "tom", "Is it vegan?", in_reply_to=post_id)
    before = utcnow() - timedelta(seconds=1)
    request = ReplyRequest(reply_id="rep_c1", kind="comment", text="Yes, with oat milk!", in_reply_to=comment)
    sent = connector.send_reply(ACCOUNT, request)
    assert sent.thread_id == post_id and sent.url and sent.remote_id in sent.url
    mine = [m for m in connector.fetch_mentions(ACCOUNT, None).items if m.direction == "outbound"]
    assert [(m.remote_id, m.in_reply_to, m.root_id, m.thread_id) for m in mine] == [
        (sent.remote_id, comment, post_id, post_id)]
    found = connector.find_reply(ACCOUNT, request, before)
    assert found is not None and found.remote_id == sent.remote_id
    other = ReplyRequest(reply_id="rep_other", kind="comment", text="x", in_reply_to=comment)
    assert connector.find_reply(ACCOUNT, other, before) is None
    assert connector.find_reply(ACCOUNT, request, utcnow() + timedelta(minutes=1)) is None


def test_a_reply_to_what_is_not_there_or_was_deleted_is_refused(net, herald_runtime):
    t, connector, write = net
    with pytest.raises(PermanentError) as missing:
        connector.send_reply(ACCOUNT, ReplyRequest(reply_id="r1", kind="comment", text="Hi", in_reply_to="nope"))
    assert missing.value.code == "not_found"
    comment = write("comment", "tom", "Hello", in_reply_to=_post(herald_runtime, t.id))
    with herald_runtime.db.transaction() as s:
        delete_engagement(s, find_item(s, t.id, ACCOUNT.remote_id, comment), utcnow())  # type: ignore[arg-type]
    with pytest.raises(PermanentError) as gone:
        connector.send_reply(ACCOUNT, ReplyRequest(reply_id="r2", kind="comment", text="Hi", in_reply_to=comment))
    assert gone.value.code == "deleted"


def test_a_reply_fails_on_demand_and_an_uncertain_one_is_found_not_sent_twice(net, herald_runtime):
    t, connector, write = net
    thread = connector.fetch_direct_messages(ACCOUNT, None).cursor
    write("dm", "sara", "Hello?")
    dm = connector.fetch_direct_messages(ACCOUNT, thread).items[0]
    with pytest.raises(RateLimited):
        connector.send_reply(ACCOUNT, ReplyRequest(reply_id="r_rl", kind="dm", text="Hi [sandbox:rate_limit]",
                                                   thread_id=dm.thread_id))
    request = ReplyRequest(reply_id="r_unc", kind="dm", text="Hi [sandbox:uncertain]", thread_id=dm.thread_id)
    before = utcnow() - timedelta(seconds=1)
    with pytest.raises(UncertainOutcome):
        connector.send_reply(ACCOUNT, request)
    found = connector.find_reply(ACCOUNT, request, before)
    with herald_runtime.db.transaction() as s:
        outbound = s.scalars(select(SandboxEngagement).where(SandboxEngagement.tenant_id == t.id,
                                                             SandboxEngagement.direction == "outbound")).all()
        assert [o.marker for o in outbound] == ["r_unc"] and found is not None
        assert found.remote_id == outbound[0].remote_id


def test_a_direct_message_may_answer_only_within_24_hours_of_the_customers_last_message(net):
    _, connector, write = net
    now = utcnow()
    assert SandboxConnector.capabilities.dm_reply_window_s == 86_400
    fresh = ReplyRequest(reply_id="r1", kind="dm", text="Hello", thread_id="t",
                         last_inbound_at=now - timedelta(hours=23))
    late = ReplyRequest(reply_id="r2", kind="dm", text="Hello", thread_id="t",
                        last_inbound_at=now - timedelta(hours=25))
    assert connector.validate_reply(fresh, now) == []
    assert [p.code for p in connector.validate_reply(late, now)] == ["window_closed"]
    private = ReplyRequest(reply_id="r3", kind="dm", text="Hello", in_reply_to="c", private=True,
                           last_inbound_at=now - timedelta(hours=25))
    assert connector.validate_reply(private, now) == []
    too_long = ReplyRequest(reply_id="r4", kind="comment", text="x" * 501)
    assert [p.code for p in connector.validate_reply(too_long, now)] == ["too_long"]
    # the network refuses on its own too, counting from the customer's last message it holds
    write("dm", "old_friend", "Hi, anyone there?", at=now - timedelta(hours=25))
    with pytest.raises(PermanentError) as closed:
        connector.send_reply(ACCOUNT, ReplyRequest(reply_id="r5", kind="dm", text="Sorry!",
                                                   thread_id=f"sbxt_{customer_id('old_friend')}"))
    assert closed.value.code == "window_closed"
    write("dm", "old_friend", "Hello again")
    sent = connector.send_reply(ACCOUNT, ReplyRequest(reply_id="r6", kind="dm", text="Sorry!",
                                                      thread_id=f"sbxt_{customer_id('old_friend')}"))
    assert sent.remote_id


# ----------------------------------------------------------------------------- edits and deletions
def test_edits_and_deletions_come_again_after_the_cursor(net, herald_runtime):
    t, connector, write = net
    start = connector.fetch_mentions(ACCOUNT, None).cursor
    first = write("mention", "sara", "@acme_sandbox my order is late")
    second = write("mention", "tom", "@acme_sandbox rude staff")
    page = connector.fetch_mentions(ACCOUNT, start)
    assert [m.edit_of for m in page.items] == [None, None] and not any(m.deleted for m in page.items)
    with herald_runtime.db.transaction() as s:
        edit_engagement(s, find_item(s, t.id, ACCOUNT.remote_id, first), "@acme_sandbox my order #123 is late",  # type: ignore[arg-type]
                        utcnow())
        delete_engagement(s, find_item(s, t.id, ACCOUNT.remote_id, second), utcnow())  # type: ignore[arg-type]
    changes = connector.fetch_mentions(ACCOUNT, page.cursor).items
    assert [(m.remote_id, m.edit_of, m.deleted, m.text) for m in changes] == [
        (first, first, False, "@acme_sandbox my order #123 is late"), (second, None, True, "")]
    assert connector.fetch_mentions(ACCOUNT, connector.fetch_mentions(ACCOUNT, page.cursor).cursor).items == []


# ----------------------------------------------------------------------------- the read budget
def test_each_kind_of_read_has_its_own_budget_of_180_per_15_minutes(net):
    _, connector, _ = net
    now = utcnow()
    set_clock(lambda: now)
    try:
        budgets = [connector.fetch_mentions(ACCOUNT, None).budget for _ in range(READ_LIMIT)]
        assert READ_LIMIT == 180 and [b.remaining for b in budgets[:3]] == [179, 178, 177]  # type: ignore[union-attr]
        assert budgets[-1].remaining == 0 and budgets[-1].reset_at == now + timedelta(minutes=15)  # type: ignore[union-attr]
        with pytest.raises(RateLimited) as limited:
            connector.fetch_mentions(ACCOUNT, None)
        assert limited.value.reset_at == now + timedelta(minutes=15)
        assert connector.fetch_direct_messages(ACCOUNT, None).budget.remaining == 179  # type: ignore[union-attr]
        set_clock(lambda: now + timedelta(minutes=15))
        assert connector.fetch_mentions(ACCOUNT, None).budget.remaining == 179  # type: ignore[union-attr]
    finally:
        set_clock(None)


# ----------------------------------------------------------------------------- simulated customers
OFFSET = 5  # where the instant of a simulated change (relative to the call's ``now``) is in _simulate's tuples


def _simulate(rt, tenant_id: str, now: datetime, rng: random.Random, **kw):  # type: ignore[no-untyped-def]
    """What one simulation call made, comparable across tenants."""
    with rt.db.transaction() as s:
        rows = simulate_customers(s, tenant_id, ACCOUNT, now, rng, **kw)
        return [(r.kind, r.direction, r.author_handle, r.text, r.language,
                 max(at for at in (r.created_at, r.edited_at, r.deleted_at) if at is not None) - now,
                 r.in_reply_to is not None, r.edited_at is not None, r.deleted_at is not None) for r in rows]


def test_simulated_customers_are_the_same_for_the_same_seed(seed, herald_runtime):
    now = utcnow()
    runs = []
    for slug, seed_value in (("one", 7), ("two", 7), ("three", 8)):
        t = seed.tenant(slug)
        _post(herald_runtime, t.id)
        rng = random.Random(seed_value)
        runs.append([_simulate(herald_runtime, t.id, now + timedelta(minutes=m), rng) for m in (0, 10, 20)])
    assert runs[0] == runs[1] and sum(len(r) for r in runs[0]) > 10
    assert runs[0] != runs[2]


def test_simulated_customers_write_a_bounded_lively_mix_from_where_they_stopped(seed, herald_runtime):
    t = seed.tenant("acme")
    post_id = _post(herald_runtime, t.id)
    rng = random.Random(42)
    now = utcnow()
    first = _simulate(herald_runtime, t.id, now, rng, per_minute=30, cap=20)
    assert len(first) == 20  # capped, however many would have arrived
    assert _simulate(herald_runtime, t.id, now, rng, per_minute=30) == []  # nothing twice for the same span
    later = now + timedelta(hours=5)
    for minutes in range(0, 600, 5):
        batch = _simulate(herald_runtime, t.id, later + timedelta(minutes=minutes), rng)
        # only the span since the last call (a 5 hour pause counts for at most MAX_CATCH_UP)
        span = MAX_CATCH_UP if minutes == 0 else timedelta(minutes=5)
        assert len(batch) <= 20 and all(-span <= row[OFFSET] <= timedelta(0) for row in batch)
    with herald_runtime.db.transaction() as s:
        rows = s.scalars(select(SandboxEngagement).where(SandboxEngagement.tenant_id == t.id)).all()
        assert {r.language for r in rows} == {"en", "ar", "fa", "ur", "hi"}
        assert {r.kind for r in rows} == {"mention", "comment", "dm"} and {r.direction for r in rows} == {"inbound"}
        assert any(r.author_verified and (r.author_followers or 0) > 100_000 for r in rows)
        assert all(r.root_id == post_id for r in rows if r.kind == "comment")
        assert any(w in r.text for r in rows for w in ("refund", "استرداد", "رقم واپس", "रिफ़ंड"))
        dm_threads = [n for n in s.scalars(select(func.count()).where(
            SandboxEngagement.tenant_id == t.id, SandboxEngagement.kind == "dm")
            .group_by(SandboxEngagement.thread_id)).all()]
        assert max(dm_threads) >= 2  # customers write again in their conversation
        assert any(r.edited_at for r in rows) and any(r.deleted_at for r in rows)
        earliest = min(r.created_at for r in rows)
        assert earliest >= now - timedelta(minutes=5)  # a first simulation looks back only a little
        assert all(r.created_at <= later + timedelta(minutes=595) for r in rows)
    # after a long pause customers write only over the recent past, not all they "owed"
    pause = _simulate(herald_runtime, t.id, later + timedelta(days=3), rng)
    assert pause and all(-MAX_CATCH_UP <= row[OFFSET] <= timedelta(0) for row in pause)


def test_polling_lets_customers_write_only_where_the_tenant_turned_it_on(sandbox, herald_runtime):
    from herald.publishing.planning import connector_for
    from herald.tenancy.models import SocialAccount

    assert SandboxSettings().load({})["simulate_customers"] is False
    t, admin, account_id = sandbox
    account = ConnectedAccount(account_id, "", "acme_sandbox", None)
    now = utcnow()
    try:
        for step in range(3):
            set_clock(lambda step=step: now + timedelta(minutes=10 * step))
            with herald_runtime.db.transaction() as s:
                connector = connector_for(s, s.get(SocialAccount, account.id))
            assert connector is not None
            page = connector.fetch_direct_messages(account, None)
            assert connector.fetch_mentions(account, None).items + page.items == []
        assert admin.patch(f"tenants/{t.id}/plugins/network_sandbox",
                           {"settings": {"simulate_customers": True, "customers_per_minute": 6}}).status_code == 200
        set_clock(lambda: now + timedelta(minutes=40))
        with herald_runtime.db.transaction() as s:
            connector = connector_for(s, s.get(SocialAccount, account.id))
        assert connector is not None and connector.settings["simulate_customers"] is True
        found = connector.fetch_mentions(account, None).items + connector.fetch_direct_messages(account, None).items
        assert found and all(m.direction == "inbound" for m in found)
    finally:
        set_clock(None)


# ----------------------------------------------------------------------------- the feed page
@pytest.fixture
def feed(seed, api, app, herald_runtime):  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {"coffee": None})
    digest = hash_password(PASSWORD)
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")], password_hash=digest)
    seed.user(t, "viewer@acme.test", [("viewer", "root")], password_hash=digest)
    admin = api(token)
    assert admin.patch(f"tenants/{t.id}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    r = admin.post(f"tenants/{t.id}/social-accounts", {"org_unit_id": t.units["coffee"].id, "network": "sandbox",
                                                       "handle": "acme_sandbox"})
    assert r.status_code == 201, r.get_json()

    def sign_in(email: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        done = client.post("/api/v1/auth/sessions", json={"tenant": "acme", "email": email, "password": PASSWORD})
        assert done.status_code in (200, 201), done.get_json()
        return client, done.get_json()["csrf_token"]

    return t, r.get_json()["id"], sign_in


def _count(rt, tenant_id: str) -> int:  # type: ignore[no-untyped-def]
    with rt.db.transaction() as s:
        return s.scalar(select(func.count()).select_from(SandboxEngagement)
                        .where(SandboxEngagement.tenant_id == tenant_id)) or 0


def test_writing_as_a_customer_on_the_feed_page_needs_the_csrf_token(feed, herald_runtime):
    t, account_id, sign_in = feed
    client, csrf = sign_in("admin@acme.test")
    url = f"/console/x/network_sandbox/{t.id}/"
    page = client.get(url).get_data(as_text=True)
    assert 'name="csrf_token"' in page and csrf in page and 'name="handle"' in page
    form = {"account": account_id, "kind": "dm", "handle": "layla_k", "language": "ar",
            "text": "<b>وصل الطلب والعلبة مكسورة</b>"}
    refused = client.post(f"{url}engagements", data=form)
    assert refused.status_code == 403 and _count(herald_runtime, t.id) == 0
    done = client.post(f"{url}engagements", data={**form, "csrf_token": csrf})
    assert done.status_code == 303 and done.headers["Location"].startswith(url)
    with herald_runtime.db.transaction() as s:
        row = s.scalars(select(SandboxEngagement).where(SandboxEngagement.tenant_id == t.id)).one()
        assert (row.kind, row.direction, row.author_handle, row.language, row.account_remote_id) == (
            "dm", "inbound", "layla_k", "ar", account_id)
        assert done.headers["Location"].endswith(f"#{row.remote_id}")
    html = client.get(url).get_data(as_text=True)
    assert '<p dir="auto" lang="ar">&lt;b&gt;وصل الطلب والعلبة مكسورة&lt;/b&gt;</p>' in html
    assert "@layla_k" in html and "<b>" not in html


def test_the_customer_form_names_its_mistakes_and_is_not_offered_to_a_viewer(feed, herald_runtime):
    t, account_id, sign_in = feed
    client, csrf = sign_in("admin@acme.test")
    url = f"/console/x/network_sandbox/{t.id}/"
    wrong = client.post(f"{url}engagements", data={"csrf_token": csrf, "account": account_id, "kind": "comment",
                                                   "handle": "no spaces allowed", "text": ""})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and body.count('class="problem"') == 3 and _count(herald_runtime, t.id) == 0
    viewer, viewer_csrf = sign_in("viewer@acme.test")
    seen = viewer.get(url)
    assert seen.status_code == 200 and 'name="handle"' not in seen.get_data(as_text=True)
    denied = viewer.post(f"{url}engagements", data={"csrf_token": viewer_csrf, "account": account_id, "kind": "dm",
                                                    "handle": "x", "text": "hi"})
    assert denied.status_code == 403 and _count(herald_runtime, t.id) == 0


def test_the_feed_page_shows_the_engagement_in_the_persons_language(feed, herald_runtime):
    t, account_id, sign_in = feed
    with herald_runtime.db.transaction() as s:
        add_inbound(s, t.id, account_id, kind="mention", author=_who("londoneats", verified=True, followers=1_250_000),
                    text="@acme_sandbox best flat white in town", created_at=utcnow(), language="en")
    client, _ = sign_in("admin@acme.test")
    html = client.get(f"/console/x/network_sandbox/{t.id}/").get_data(as_text=True)
    assert "best flat white in town" in html and "1,250,000" in html and "Write as a customer" in html
    assert "http" not in html and html.count("<script") == html.count('<script src="/console/static/console.js"')


# ----------------------------------------------------------------------------- the demo
def test_the_demo_starts_with_customers_writing_to_its_sandbox_accounts(herald_runtime):
    from herald.demo import create_demo
    from herald.tenancy.models import SocialAccount

    with herald_runtime.db.transaction() as s:
        tenant = create_demo(s, herald_runtime)
        assert tenant is not None
        tid = tenant.id
    with herald_runtime.db.transaction() as s:
        settings = herald_runtime.plugins.effective_settings(s, tid, "network_sandbox")
        assert settings["simulate_customers"] is True
        accounts = s.scalars(select(SocialAccount.id).where(SocialAccount.tenant_id == tid,
                                                            SocialAccount.network == "sandbox")).all()
        rows = s.scalars(select(SandboxEngagement).where(SandboxEngagement.tenant_id == tid)).all()
        assert len(rows) >= 36 and {r.account_remote_id for r in rows} == set(accounts)
        assert {r.kind for r in rows} == {"mention", "comment", "dm"}
        assert len({r.language for r in rows}) >= 4 and "outbound" in {r.direction for r in rows}
        assert any(r.kind == "dm" and r.created_at < utcnow() - timedelta(hours=24) for r in rows)
