"""Lookup hints and pacing: what a connector learnt before an outcome became uncertain is kept on
the publication, merged over uncertain attempts and handed back to its lookup, then forgotten
once the post is settled; a success whose usage signals say the account's allowance is spent
holds that account's other publications until the instant the network named, without calling."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from publishing_support import world_fixture  # noqa: F401  (the world fixture)

from herald.networks.connector import PublishResult
from herald.networks.errors import UncertainOutcome
from herald.publishing.tokens import credential
from herald.tenancy.models import SocialAccount

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _scheduled(w, *accounts, at=AT, text="Fresh coffee"):  # type: ignore[no-untyped-def]
    return w.scheduled(*accounts, at=at, text=text)


def _attempts(w, pub_id):  # type: ignore[no-untyped-def]
    return w.attempts(pub_id)


def _uncertain_after_create(hints):  # type: ignore[no-untyped-def]
    def act(net, account, request):  # type: ignore[no-untyped-def]
        net.create(account, request)
        raise UncertainOutcome("read timeout after sending", hints=hints, code="timeout")
    return act


def _seen_by_lookup(seen, then):  # type: ignore[no-untyped-def]
    """A lookup action recording the hints it was given, then doing ``then``."""
    def act(net, account, request):  # type: ignore[no-untyped-def]
        seen.append(dict(request.lookup_hints))
        return then(net, account, request)
    return act


def _found(net, account, request):  # type: ignore[no-untyped-def]
    (post,) = net.posts_for(request.publication_id)
    return PublishResult(remote_id=post.remote_id)


def test_hints_of_an_uncertain_attempt_are_stored_and_handed_to_the_lookup(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(_uncertain_after_create({"fake_container_id": "c-17", "fake_parts": ["r1"]}))
    seen: list[dict] = []
    w.net.lookup.append(_seen_by_lookup(seen, _found))
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "scheduled" and p.uncertain_since is not None
    assert p.lookup_hints == {"fake_container_id": "c-17", "fake_parts": ["r1"]}
    w.clock.set(p.due_at)
    w.drive()
    assert seen == [{"fake_container_id": "c-17", "fake_parts": ["r1"]}]
    p = w.pub(post_id)
    assert (p.state, p.remote_id) == ("published", "r1")
    assert p.lookup_hints == {}  # settled: nothing left to look up
    assert w.net.count("publish") == 1 and len(w.net.posts) == 1
    assert _attempts(w, p.id) == [("publish", "uncertain"), ("lookup", "found")]


def test_hints_of_successive_uncertain_attempts_are_merged_later_values_winning(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(_uncertain_after_create({"fake_container_id": "c-1", "fake_step": "publish"}))
    seen: list[dict] = []

    def still_unsure(net, account, request):  # type: ignore[no-untyped-def]
        raise UncertainOutcome("the index lags", hints={"fake_step": "lookup", "fake_checked": [1, 2]})

    w.net.lookup.extend([_seen_by_lookup(seen, still_unsure), _seen_by_lookup(seen, _found)])
    w.clock.set(AT)
    w.drive()
    w.clock.set(w.pub(post_id).due_at)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "scheduled"
    assert p.lookup_hints == {"fake_container_id": "c-1", "fake_step": "lookup", "fake_checked": [1, 2]}
    w.clock.set(p.due_at)
    w.drive()
    assert seen == [{"fake_container_id": "c-1", "fake_step": "publish"},
                    {"fake_container_id": "c-1", "fake_step": "lookup", "fake_checked": [1, 2]}]
    p = w.pub(post_id)
    assert p.state == "published" and p.lookup_hints == {} and len(w.net.posts) == 1
    assert _attempts(w, p.id) == [("publish", "uncertain"), ("lookup", "uncertain"), ("lookup", "found")]


def test_hints_are_forgotten_when_the_lookup_rules_the_post_out_and_a_new_attempt_starts(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")

    def unsure_without_creating(net, account, request):  # type: ignore[no-untyped-def]
        raise UncertainOutcome("gateway timeout", hints={"fake_container_id": "c-9"})

    hints_at_publish: list[dict] = []

    def publish_noting_hints(net, account, request):  # type: ignore[no-untyped-def]
        hints_at_publish.append(dict(request.lookup_hints))
        return net.create(account, request)

    w.net.publish.extend([unsure_without_creating, publish_noting_hints])
    seen: list[dict] = []
    w.net.lookup.append(_seen_by_lookup(seen, lambda net, account, request: None))
    w.clock.set(AT)
    w.drive()
    assert w.pub(post_id).lookup_hints == {"fake_container_id": "c-9"}
    w.clock.set(w.pub(post_id).due_at)
    w.drive()
    assert seen == [{"fake_container_id": "c-9"}]
    assert hints_at_publish == [{}]  # a fresh attempt is not told about the one ruled out
    p = w.pub(post_id)
    assert p.state == "published" and p.lookup_hints == {} and w.net.count("publish") == 2
    assert _attempts(w, p.id) == [("publish", "uncertain"), ("lookup", "not_found"), ("publish", "published")]


def test_a_hint_that_is_not_json_is_left_out_and_the_others_are_kept(world):
    w = world
    post_id = _scheduled(w, "fake_coffee")
    w.net.publish.append(_uncertain_after_create({"fake_container_id": "c-3", "fake_when": object()}))
    w.clock.set(AT)
    w.drive()
    p = w.pub(post_id)
    assert p.state == "scheduled" and p.lookup_hints == {"fake_container_id": "c-3"}


def _paused_success(until):  # type: ignore[no-untyped-def]
    return lambda net, account, request: replace(net.create(account, request), pause_until=until)


def test_a_success_saying_the_allowance_is_spent_holds_the_account_until_then(world):
    w = world
    first = _scheduled(w, "fake_coffee", text="First coffee")
    second = _scheduled(w, "fake_coffee", at=AT + timedelta(seconds=5), text="Second coffee")
    other = _scheduled(w, "fake_dubai", at=AT + timedelta(seconds=5), text="Dubai coffee")
    resume = AT + timedelta(minutes=15)
    w.net.publish.append(_paused_success(resume))
    w.clock.set(AT)
    w.drive()
    assert w.pub(first).state == "published"
    with w.rt.db.transaction() as s:
        cred = credential(s, s.get(SocialAccount, w.accounts["fake_coffee"]))
        assert cred.blocked_until == resume and "usage limits" in cred.blocked_reason
    w.clock.set(AT + timedelta(seconds=5))
    w.drive()
    assert w.pub(other).state == "published"  # another account is not held up
    assert w.pub(second).state == "scheduled" and w.pub(second).due_at == resume
    assert w.net.calls == [("publish", w.accounts["fake_coffee"]), ("publish", w.accounts["fake_dubai"])]
    w.clock.set(resume - timedelta(milliseconds=1))
    w.drive()
    assert w.pub(second).state == "scheduled" and w.net.count("publish") == 2  # never called early
    w.clock.set(resume)
    w.drive()
    assert w.pub(second).state == "published" and w.net.count("publish") == 3


def test_a_publication_falling_due_during_the_pause_waits_without_calling(world):
    w = world
    first = _scheduled(w, "fake_coffee", text="First coffee")
    later = _scheduled(w, "fake_coffee", at=AT + timedelta(minutes=20), text="Later coffee")
    resume = AT + timedelta(hours=1)
    w.net.publish.append(_paused_success(resume))
    w.clock.set(AT)
    w.drive()
    assert w.pub(first).state == "published"
    w.clock.set(AT + timedelta(minutes=20))  # due after the pause began, before it ends
    w.drive()
    p = w.pub(later)
    assert p.state == "scheduled" and p.due_at == resume and w.net.count("publish") == 1
    w.clock.set(resume)
    w.drive()
    assert w.pub(later).state == "published" and w.net.count("publish") == 2


def test_a_pause_already_over_changes_nothing(world):
    w = world
    first = _scheduled(w, "fake_coffee", text="First coffee")
    second = _scheduled(w, "fake_coffee", at=AT + timedelta(seconds=5), text="Second coffee")
    w.net.publish.append(_paused_success(AT - timedelta(seconds=1)))
    w.clock.set(AT)
    w.drive()
    with w.rt.db.transaction() as s:
        assert credential(s, s.get(SocialAccount, w.accounts["fake_coffee"])).blocked_until is None
    w.clock.set(AT + timedelta(seconds=5))
    w.drive()
    assert {w.pub(first).state, w.pub(second).state} == {"published"}
