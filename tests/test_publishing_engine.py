"""The publishing engine: never early, exactly once across crashes (reconciled, never blindly
retried), transient backoff, rate-limit waits per account, token refresh once then
"reconnect needed", the network's own messages, partial success and retrying only what failed,
unpublishing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from publishing_support import CaptureQueue, world_fixture  # noqa: F401  (the world fixture)
from sqlalchemy import select

from herald.networks.connector import TokenSet
from herald.networks.errors import (
    AuthExpired,
    AuthRevoked,
    DuplicateContent,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald.notifications.models import InAppNotification
from herald.publishing.config import EngineConfig, set_engine_config
from herald.publishing.models import PublicationAttempt
from herald.publishing.tokens import credential, open_tokens
from herald.tenancy.models import SocialAccount
from herald.testing.scripted_connector import Killed, crash_after_create, crash_before_create, fail

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _scheduled(w, *accounts, at=AT):  # type: ignore[no-untyped-def]
    return w.scheduled(*accounts, at=at)


def _attempts(w, pub_id):  # type: ignore[no-untyped-def]
    return w.attempts(pub_id)


def _kill_mid_call(w):  # type: ignore[no-untyped-def]
    """Dispatch, then run the job in this thread; the scripted network "kills" the worker."""
    q = CaptureQueue()
    assert w.tick(queue=q) == 1
    with pytest.raises(Killed):
        q.run_all()


def test_a_publication_is_never_published_before_its_time(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.clock.set(AT - timedelta(milliseconds=1))
    assert w.drive() == 0
    assert w.net.calls == [] and w.pub(post_id).state == "scheduled"
    w.clock.set(AT)
    assert w.drive() == 1
    p = w.pub(post_id)
    assert (p.state, p.remote_id, p.remote_url) == ("published", "r1", "https://fake.example/p/r1")
    assert w.status(post_id) == "published"
    assert _attempts(w, p.id) == [("publish", "published")]
    assert w.drive() == 0 and len(w.net.posts) == 1


def test_the_attempt_is_committed_before_the_network_is_called(world):
    w = world
    _scheduled(w, "fake_coffee")
    seen = []

    def look(net, account, request):  # type: ignore[no-untyped-def]
        with w.rt.db.transaction() as s:  # another connection: only committed rows are visible
            seen.extend((a.outcome, a.finished_at) for a in s.scalars(select(PublicationAttempt)).all())
        return net.create(account, request)

    w.net.publish.append(look)
    w.clock.set(AT)
    w.drive()
    assert seen == [("open", None)]


def test_a_crash_after_the_post_was_created_is_reconciled_not_repeated(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(crash_after_create())
    w.clock.set(AT)
    _kill_mid_call(w)
    p = w.pub(post_id)
    assert p.state == "publishing" and _attempts(w, p.id) == [("publish", "open")]
    w.clock.advance(seconds=10)
    assert w.drive() == 0  # the worker's lease has not run out: nobody else touches it
    w.clock.advance(seconds=85)  # well past the lease: recovered within 90 s
    assert w.drive() == 1
    p = w.pub(post_id)
    assert p.state == "published" and p.remote_id == "r1"
    assert w.net.count("publish") == 1 and w.net.count("lookup") == 1 and len(w.net.posts) == 1
    assert _attempts(w, p.id) == [("publish", "uncertain"), ("lookup", "found")]


def test_a_crash_before_the_post_was_created_is_looked_up_then_published_once(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(crash_before_create())
    w.clock.set(AT)
    _kill_mid_call(w)
    w.clock.advance(seconds=90)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "published" and len(w.net.posts) == 1
    assert _attempts(w, p.id) == [("publish", "uncertain"), ("lookup", "not_found"), ("publish", "published")]


def test_without_lookups_a_crashed_attempt_needs_attention_and_is_never_retried_blindly(world):
    w = world
    post_id = _scheduled(w, "blind_coffee")
    w.nolookup.publish.append(crash_after_create())
    w.clock.set(AT)
    _kill_mid_call(w)
    w.clock.advance(seconds=90)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "needs_attention" and "cannot be asked" in p.last_error
    assert w.nolookup.count("publish") == 1
    w.drive()
    assert w.nolookup.count("publish") == 1
    plain = w.users["publisher"].post(w.url(f"publications/{p.id}/retry"), {})
    assert plain.status_code == 409 and "assume_not_published" in plain.get_json()["detail"]
    sure = w.users["publisher"].post(w.url(f"publications/{p.id}/retry"), {"assume_not_published": True})
    assert sure.status_code == 200 and sure.get_json()["state"] == "scheduled"
    w.drive()
    assert w.pub(post_id).state == "published" and w.nolookup.count("publish") == 2


def test_an_uncertain_outcome_is_looked_up_before_any_new_attempt(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")

    def timeout_after_create(net, account, request):  # type: ignore[no-untyped-def]
        net.create(account, request)
        raise UncertainOutcome("read timeout after sending")

    w.net.publish.append(timeout_after_create)
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "scheduled" and p.uncertain_since is not None
    w.clock.set(p.due_at)
    w.drive()
    assert w.pub(post_id).state == "published" and w.net.count("publish") == 1 and len(w.net.posts) == 1


def test_duplicate_after_an_uncertain_attempt_is_reconciled_first(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    created = []

    def slow_create(net, account, request):  # type: ignore[no-untyped-def]
        created.append(net.create(account, request))
        raise UncertainOutcome("gateway timeout")

    w.net.publish.append(slow_create)
    # the network's index lags: the first lookup does not see the post yet
    w.net.lookup.append(lambda net, account, request: None)
    w.net.publish.append(fail(DuplicateContent("Status is a duplicate.", code="187")))
    w.clock.set(AT)
    for _ in range(4):
        w.drive()
        p = w.pub(post_id)
        if p.due_at:
            w.clock.set(max(w.clock.now, p.due_at))
    p = w.pub(post_id)
    assert p.state == "published" and p.remote_id == created[0].remote_id and len(w.net.posts) == 1


def test_a_duplicate_without_an_earlier_attempt_fails_with_the_networks_words(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(fail(DuplicateContent("Status is a duplicate.", code="187")))
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert (p.state, p.last_error, p.last_error_code) == ("failed", "Status is a duplicate.", "187")


def test_transient_errors_back_off_exponentially_then_give_up(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    for _ in range(5):
        w.net.publish.append(fail(TransientError("503 Service Unavailable")))
    w.clock.set(AT)
    waits = []
    for _ in range(5):
        w.drive()
        p = w.pub(post_id)
        if p.state != "scheduled":
            break
        waits.append((p.due_at - w.clock.now).total_seconds())
        w.clock.set(p.due_at - timedelta(milliseconds=1))
        assert w.drive() == 0  # not a moment early
        w.clock.set(p.due_at)
    assert [15 <= waits[0] <= 30, 30 <= waits[1] <= 60, 60 <= waits[2] <= 120, 120 <= waits[3] <= 240] == [True] * 4
    p = w.pub(post_id)
    assert p.state == "failed" and "503 Service Unavailable" in p.last_error and w.net.count("publish") == 5


def test_a_transient_error_then_success_publishes(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(fail(TransientError("connection reset", retry_after=120)))
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert p.due_at == AT + timedelta(seconds=120)  # the network's Retry-After wins over a shorter backoff
    w.clock.set(p.due_at)
    w.drive()
    assert w.pub(post_id).state == "published"


def test_a_rate_limit_waits_until_the_networks_reset_for_that_account_only(world):
    w = world
    first, second = _scheduled(w, "fake_coffee"), _scheduled(w, "fake_coffee", at=AT + timedelta(seconds=5))
    other = _scheduled(w, "fake_dubai", at=AT + timedelta(seconds=5))
    reset = AT + timedelta(minutes=15)
    w.net.publish.append(fail(RateLimited("Too Many Requests", reset_at=reset, code="88")))
    w.clock.set(AT)
    w.drive()
    assert w.pub(first).due_at == reset and w.pub(first).state == "scheduled"
    w.clock.set(AT + timedelta(seconds=5))
    w.drive()
    assert w.pub(other).state == "published"  # another account is not held up
    assert w.pub(second).state == "scheduled" and w.pub(second).due_at == reset
    assert w.net.count("publish") == 2  # the limited account was not called again
    w.clock.set(reset)
    w.drive()
    assert {w.pub(first).state, w.pub(second).state} == {"published"}


def test_an_expired_token_is_refreshed_once_and_the_refresh_token_is_kept(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(fail(AuthExpired("Invalid or expired token", status=401)))
    w.clock.set(AT)
    w.drive()
    assert w.pub(post_id).state == "published"
    assert w.net.tokens_seen == ["at-1", "at-1+"] and w.net.count("refresh") == 1
    with w.rt.db.transaction() as s:
        tokens = open_tokens(credential(s, s.get(SocialAccount, w.accounts["fake_coffee"])))
    assert (tokens.access_token, tokens.refresh_token) == ("at-1+", "rt-1")  # None from the network: kept


def test_a_token_rejected_after_refresh_flags_the_account_and_tells_its_owners(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.extend([fail(AuthExpired("expired")), fail(AuthExpired("still expired"))])
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "needs_attention" and w.net.count("refresh") == 1
    _assert_reconnect_needed(w, "fake_coffee")


def test_a_revoked_refresh_token_flags_the_account_for_reconnection(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(fail(AuthExpired("expired")))

    def revoked(tokens):  # type: ignore[no-untyped-def]
        raise AuthRevoked("invalid_grant: Value passed for the token was invalid.")

    w.net.refresh.append(revoked)
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "needs_attention" and "invalid_grant" in p.last_error
    _assert_reconnect_needed(w, "fake_coffee")
    later = _scheduled(w, "fake_coffee", at=AT + timedelta(hours=1))
    w.clock.set(AT + timedelta(hours=1))
    w.drive()
    assert w.pub(later).state == "needs_attention" and w.net.count("publish") == 1  # no call on a dead grant


def _assert_reconnect_needed(w, account):  # type: ignore[no-untyped-def]
    assert w.run_jobs() == 0
    with w.rt.db.transaction() as s:
        assert s.get(SocialAccount, w.accounts[account]).connection_state == "reconnect_needed"
        notes = s.scalars(select(InAppNotification).where(InAppNotification.kind == "social_account.reconnect_needed")
                          ).all()
        # owners: who manages accounts on its unit or above (tenant admin, coffee manager)
        assert {n.recipient_id for n in notes} == {w.user_ids["manager"], _admin_id(w, s)}


def _admin_id(w, s):  # type: ignore[no-untyped-def]
    from herald.people.models import User

    return s.scalars(select(User.id).where(User.email == "admin@acme.test")).one()


def test_a_failing_refresh_never_disconnects_the_account(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(fail(AuthExpired("expired")))

    def down(tokens):  # type: ignore[no-untyped-def]
        raise TransientError("token endpoint returned 503")

    w.net.refresh.append(down)
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "scheduled" and p.due_at > AT
    with w.rt.db.transaction() as s:
        acct = s.get(SocialAccount, w.accounts["fake_coffee"])
        assert acct.connection_state == "connected"
        tokens = open_tokens(credential(s, acct))
        assert (tokens.access_token, tokens.refresh_token) == ("at-1", "rt-1")
    w.clock.set(p.due_at)
    w.drive()
    assert w.pub(post_id).state == "published"


def test_an_empty_refresh_token_never_replaces_the_stored_one(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(fail(AuthExpired("expired")))
    w.net.refresh.append(lambda tokens: TokenSet(access_token="at-2", refresh_token=""))
    w.clock.set(AT)
    w.drive()
    assert w.pub(post_id).state == "published"
    with w.rt.db.transaction() as s:
        tokens = open_tokens(credential(s, s.get(SocialAccount, w.accounts["fake_coffee"])))
        assert (tokens.access_token, tokens.refresh_token) == ("at-2", "rt-1")
        assert "rt-1" not in (credential(s, s.get(SocialAccount, w.accounts["fake_coffee"])).sealed_tokens or "")


def test_a_permanent_error_fails_with_the_networks_message_shown(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(fail(PermanentError("Your media IDs are invalid.", code="324", status=400)))
    w.clock.set(AT)
    w.drive()
    body = w.users["viewer"].get(w.url(f"posts/{post_id}/publications")).get_json()
    (pub,) = body["publications"]
    assert (body["status"], pub["state"], pub["last_error"], pub["last_error_code"]) == (
        "failed", "failed", "Your media IDs are invalid.", "324")
    assert pub["attempts"][0]["error"] == "Your media IDs are invalid."
    assert w.run_jobs() == 0
    with w.rt.db.transaction() as s:
        note = s.scalars(select(InAppNotification).where(InAppNotification.kind == "publication.failed")).one()
        assert note.recipient_id == w.user_ids["editor"] and "media IDs" in note.body


def test_partial_success_then_retrying_only_the_failed_account(world):
    w = world
    post_id = _scheduled(w, "fake_coffee", "fake_dubai")

    def by_account(net, account, request):  # type: ignore[no-untyped-def]
        if account.id == w.accounts["fake_dubai"]:
            raise PermanentError("Account suspended for this content type")
        return net.create(account, request)

    w.net.publish.extend([by_account, by_account])
    w.clock.set(AT)
    w.drive()
    assert w.status(post_id) == "partially_published"
    failed = w.pub(post_id, "fake_dubai")
    r = w.users["publisher"].post(w.url(f"publications/{failed.id}/retry"), {})
    assert r.status_code == 200 and w.status(post_id) == "publishing"
    w.drive()
    assert w.status(post_id) == "published"
    assert [acct for op, acct in w.net.calls if op == "publish"].count(w.accounts["fake_coffee"]) == 1
    assert len(w.net.posts) == 2
    history = [e["action"] for e in w.admin.get(w.url(f"posts/{post_id}/history")).get_json()["items"]]
    assert "post.scheduled" in history


def test_publish_now_publishes_at_once_and_unpublish_deletes_where_the_network_allows(world):
    w = world
    post_id = w.post("fake_coffee", "blind_coffee")
    r = w.users["publisher"].post(w.url(f"posts/{post_id}/publish"), {})
    assert r.status_code == 202 and r.get_json()["status"] == "scheduled"
    w.drive()
    assert w.status(post_id) == "published"
    fake, blind = w.pub(post_id, "fake_coffee"), w.pub(post_id, "blind_coffee")
    gone = w.users["publisher"].post(w.url(f"publications/{fake.id}/unpublish"))
    assert gone.status_code == 200 and gone.get_json()["state"] == "deleted" and w.net.posts == {}
    refused = w.users["publisher"].post(w.url(f"publications/{blind.id}/unpublish"))
    assert refused.status_code == 409 and "does not let Herald delete" in refused.get_json()["detail"]
    assert w.users["editor"].post(w.url(f"publications/{blind.id}/unpublish")).status_code == 403
    assert w.status(post_id) == "published"  # the blind one is still out there


def test_many_publications_across_accounts_are_each_published_exactly_once(world):
    w = world
    set_engine_config(EngineConfig(threads=4, batch_size=3, claim_limit=5))
    posts = [_scheduled(w, "fake_coffee", "fake_dubai", at=AT + timedelta(seconds=i % 3)) for i in range(6)]
    w.clock.set(AT + timedelta(seconds=3))
    assert w.drive() == 12
    assert all(w.status(p) == "published" for p in posts)
    assert len(w.net.posts) == 12 and len({p.publication_id for p in w.net.posts.values()}) == 12
