"""Polling accounts for mentions and direct messages: cursors, the network's read budget, leases
that keep two workers off one stream, back-off after errors, and the sweeper that queues polls."""

from __future__ import annotations

from datetime import timedelta

from inbox_support import NET, FakeEngagementConnector, later, mention
from sqlalchemy import func, select

from herald.clock import utcnow
from herald.inbox import polling, sweeper
from herald.inbox.models import InboxItem, PollState
from herald.networks.connector import RateBudget
from herald.networks.errors import NotSupported, RateLimited


def _state(w, account_id, stream="mentions"):  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        state = s.get(PollState, (account_id, stream))
        s.expunge(state)
        return state


def _items(w) -> int:  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        return s.execute(select(func.count()).select_from(InboxItem)).scalar()  # type: ignore[no-any-return]


def test_a_poll_stores_new_items_keeps_the_cursor_and_waits_its_interval(inbox_world):
    w = inbox_world
    acct = w.accounts["coffee"]
    w.deliver("coffee", mention("hello", n=1), mention("anyone?", n=2), mention("dm", kind="dm", thread="t", n=3))
    first = polling.poll(acct, "mentions")
    assert (first.status, first.stored) == ("polled", 2)
    assert _state(w, acct).cursor == "2"
    dms = polling.poll(acct, "dms")
    assert (dms.status, dms.stored) == ("polled", 1)
    reads = NET.reads
    again = polling.poll(acct, "mentions")  # not due: the connector asks for at least 30 s between reads
    assert again.status == "busy" and NET.reads == reads
    w.deliver("coffee", mention("third", n=4))
    forced = polling.poll(acct, "mentions", force=True)
    assert (forced.status, forced.stored, forced.duplicates) == ("polled", 1, 0)  # read after the cursor only
    assert first.next_poll_at is not None and first.next_poll_at >= utcnow() + timedelta(seconds=29)
    assert _items(w) == 4


def test_a_poll_overlapping_a_webhook_stores_nothing_twice(inbox_world):
    w = inbox_world
    item = mention("pushed and polled", n=7)
    w.ingest("coffee", item, source="webhook")
    w.deliver("coffee", item)
    out = polling.poll(w.accounts["coffee"], "mentions")
    assert (out.stored, out.duplicates) == (0, 1) and _items(w) == 1


def test_polls_are_spaced_to_the_networks_budget_and_wait_for_its_reset(inbox_world):
    w = inbox_world
    acct = w.accounts["coffee"]
    NET.budget = RateBudget(limit=100, remaining=11, reset_at=later(900))
    out = polling.poll(acct, "mentions")
    # 11 left, a tenth (10) kept back: one read for the rest of the 900 s window
    assert out.next_poll_at is not None and out.next_poll_at >= utcnow() + timedelta(seconds=890)
    NET.budget = RateBudget(limit=100, remaining=0, reset_at=later(600))
    spent = polling.poll(acct, "mentions", force=True)
    assert spent.next_poll_at is not None and spent.next_poll_at >= utcnow() + timedelta(seconds=590)
    reads = NET.reads
    waiting = polling.poll(acct, "mentions", force=True)  # the budget is known to be spent: no call at all
    assert waiting.status == "rate_limited" and NET.reads == reads


def test_a_rate_limited_read_waits_until_the_networks_reset(inbox_world, monkeypatch):
    w = inbox_world
    acct = w.accounts["coffee"]
    reset = later(1200)

    def refuse(self, account, since):  # type: ignore[no-untyped-def]
        raise RateLimited("Too Many Requests", reset_at=reset, status=429)

    monkeypatch.setattr(FakeEngagementConnector, "fetch_mentions", refuse)
    out = polling.poll(acct, "mentions")
    assert out.status == "rate_limited" and out.next_poll_at == reset
    state = _state(w, acct)
    assert state.next_poll_at == reset and state.consecutive_errors == 1 and state.lease_owner is None


def test_a_failing_connector_backs_off_and_other_accounts_go_on(inbox_world, monkeypatch):
    w = inbox_world
    broken = w.accounts["coffee"]
    original = FakeEngagementConnector.fetch_mentions

    def flaky(self, account, since):  # type: ignore[no-untyped-def]
        if account.id == broken:
            raise ValueError("unexpected payload")
        return original(self, account, since)

    monkeypatch.setattr(FakeEngagementConnector, "fetch_mentions", flaky)
    w.deliver("tea", mention("tea time", n=1))
    first = polling.poll(broken, "mentions")
    second = polling.poll(broken, "mentions", force=True)
    assert first.status == second.status == "error" and "ValueError" in first.message
    assert first.next_poll_at is not None and second.next_poll_at is not None
    assert second.next_poll_at - utcnow() > first.next_poll_at - utcnow()  # longer each time
    assert polling.poll(w.accounts["tea"], "mentions").stored == 1


def test_a_stream_held_by_another_worker_is_not_polled_twice(inbox_world):
    w = inbox_world
    acct = w.accounts["coffee"]
    w.deliver("coffee", mention("once", n=1))
    polling.poll(acct, "dms")  # creates the poll states
    assert polling._claim(acct, "mentions", "worker-a", force=True)
    reads = NET.reads
    other = polling.poll(acct, "mentions", force=True, owner="worker-b")
    assert other.status == "busy" and NET.reads == reads and _items(w) == 0


def test_the_sweeper_creates_poll_states_and_queues_due_polls(inbox_world, inbox_clock):
    w = inbox_world
    w.deliver("coffee", mention("from the sweep", n=1))
    w.deliver("tea", mention("dm from the sweep", kind="dm", thread="t9", n=2))
    first = sweeper.tick()
    assert first["polls"] == 6  # three connected accounts, two streams each
    assert w.run_jobs() == 0
    assert _items(w) == 2
    assert sweeper.tick()["polls"] == 0  # nothing is due again yet
    with w.rt.db.transaction() as s:
        polled = s.execute(select(func.count()).select_from(PollState)
                           .where(PollState.last_polled_at.is_not(None))).scalar()
    assert polled == 6


def test_a_stream_the_connector_does_not_read_is_asked_again_a_day_later(inbox_world, inbox_clock, monkeypatch):
    w = inbox_world
    acct = w.accounts["coffee"]
    original = FakeEngagementConnector.fetch_direct_messages

    def dms_off(self, account, since):  # type: ignore[no-untyped-def]
        raise NotSupported("Direct messages are turned off for this tenant.")

    monkeypatch.setattr(FakeEngagementConnector, "fetch_direct_messages", dms_off)
    assert polling.poll(acct, "dms").status == "unsupported"
    assert _state(w, acct, "dms").unsupported
    with w.rt.db.transaction() as s:
        assert (acct, "dms") not in polling.due(s, utcnow() + timedelta(hours=23))
        assert (acct, "dms") in polling.due(s, utcnow() + polling.UNSUPPORTED_RECHECK)
    # the tenant turns direct messages on: the next check a day later reads them
    monkeypatch.setattr(FakeEngagementConnector, "fetch_direct_messages", original)
    w.deliver("coffee", mention("a DM after all", kind="dm", thread="t1", n=7))
    inbox_clock[0] = inbox_clock[0] + polling.UNSUPPORTED_RECHECK
    sweeper.tick()
    assert w.run_jobs() == 0
    state = _state(w, acct, "dms")
    assert not state.unsupported and state.cursor == "7" and _items(w) == 1
