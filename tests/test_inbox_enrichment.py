"""Enrichment of inbox items: after ingestion (never in its way), in the order of the enrichers'
needs, stored with who said it; routing rules of a tenant with enrichers see what they said."""

from __future__ import annotations

from datetime import timedelta

from inbox_support import mention
from sqlalchemy import select

from herald.clock import utcnow
from herald.enrichment.enricher import Enricher
from herald.events.models import OutboxEvent
from herald.hookspecs import hookimpl
from herald.inbox import enrichment
from herald.inbox.ingest import ingest
from herald.inbox.models import Conversation, InboxItem
from herald.tenancy.models import SocialAccount

CALLS: list[tuple[str, int]] = []


class _Language(Enricher):
    key = "test_language"
    version = "2.1"
    provides = ("language",)

    def enrich_many(self, subject, payloads):  # type: ignore[no-untyped-def]
        CALLS.append((self.key, len(payloads)))
        return [{"language": "ur" if "نہیں" in p["text"] else "en", "language_confidence": 0.9} for p in payloads]


class _Sentiment(Enricher):
    key = "test_sentiment"
    version = "1.0"
    needs = ("language",)
    provides = ("sentiment", "sentiment_label")

    def enrich(self, subject, payload):  # type: ignore[no-untyped-def]
        CALLS.append((self.key, 1))
        negative = "broken" in payload["text"] or payload["language"] == "ur"
        return {"sentiment": -0.8 if negative else 0.5, "sentiment_label": "negative" if negative else "positive",
                "seen_language": payload["annotations"].get("language")}


class _Intent(Enricher):
    key = "test_intent"
    needs = ("language", "sentiment")
    provides = ("intent", "team")

    def enrich(self, subject, payload):  # type: ignore[no-untyped-def]
        if "explode" in payload["text"]:
            raise RuntimeError("model crashed")
        complaint = (payload["annotations"].get("sentiment") or 0) < 0
        return {"intent": "complaint" if complaint else "praise", "team": "support" if complaint else "marketing",
                "tags": ["intent:complaint"] if complaint else []}


class _Plugin:
    HERALD_HOOK_API = "1.5"
    HERALD_DEFAULT_ENABLED = False

    @hookimpl
    def herald_enrichers(self):  # type: ignore[no-untyped-def]
        # listed needs-last on purpose: the pipeline orders them
        return [_Intent, _Sentiment, _Language]


def _enable(w, register_plugin):  # type: ignore[no-untyped-def]
    CALLS.clear()
    register_plugin(_Plugin(), "test_enrichers")
    r = w.admin.patch(f"tenants/{w.tenant.id}/plugins/test_enrichers", {"enabled": True})
    assert r.status_code == 200, r.get_json()


def _ingest_holding_the_jobs(w, *items):  # type: ignore[no-untyped-def]
    """Ingest without queueing the enrichment jobs (as if the queue lost them); returns them."""
    with w.rt.db.transaction() as s:
        ingest(s, s.get(SocialAccount, w.accounts["coffee"]), list(items), source="poll")
        jobs = s.info.pop("herald_jobs_after_commit")
    assert jobs
    return jobs


def _queue(w, jobs):  # type: ignore[no-untyped-def]
    for job in jobs:
        w.rt.queue.enqueue(job)
    w.run_jobs()


def _stored(w, remote_id):  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        item = s.execute(select(InboxItem).where(InboxItem.remote_id == remote_id)).scalar_one()
        conv = s.get(Conversation, item.conversation_id)
        s.expunge_all()
        return item, conv


def test_items_are_stored_at_once_and_enriched_after_in_the_order_of_needs(inbox_world, register_plugin):
    w = inbox_world
    _enable(w, register_plugin)
    jobs = _ingest_holding_the_jobs(w, mention("my order is broken", n=1), mention("ابھی تک نہیں آیا", n=2),
                                  mention("lovely", n=3))
    item, conv = _stored(w, "m1")
    assert item.enrichment == {} and item.enriched_at is None  # visible, not yet annotated
    assert conv.routing_pending_since is not None and conv.sla_started_at is None
    _queue(w, jobs)
    assert CALLS[0] == ("test_language", 3)  # one batch; language before the enrichers that need it
    item, conv = _stored(w, "m1")
    assert item.enriched_at is not None and item.language == "en"
    record = item.enrichment["test_sentiment"]
    assert record["values"]["sentiment_label"] == "negative" and record["version"] == "1.0"
    assert record["plugin"] == "test_enrichers" and record["at"]
    assert record["values"]["seen_language"] == "en"
    assert item.enrichment["test_language"]["version"] == "2.1"
    assert (conv.sentiment, conv.intent, conv.language) == (-0.8, "complaint", "en")
    assert conv.routing_pending_since is None and conv.sla_started_at is not None
    urdu, urdu_conv = _stored(w, "m2")
    assert urdu.language == "ur" and urdu_conv.intent == "complaint"
    assert _stored(w, "m3")[1].intent == "praise"


def test_routing_rules_use_what_the_enrichers_said(inbox_world, register_plugin):
    w = inbox_world
    _enable(w, register_plugin)
    team = w.admin.post(w.url("teams"), {"name": "Care"}).get_json()
    rule = {"match": "all", "stop": True,
            "conditions": [{"field": "intent", "op": "in", "value": ["complaint"]},
                           {"field": "sentiment", "op": "lte", "value": -0.5},
                           {"field": "tag", "op": "has_any", "value": ["intent:complaint"]}],
            "actions": [{"type": "set_team", "team_id": team["id"]}, {"type": "set_priority", "priority": "high"}]}
    assert w.admin.post(w.url("routing-rules"), {"name": "Complaints", "definition": rule}).status_code == 201
    jobs = _ingest_holding_the_jobs(w, mention("the app is broken", n=1), mention("great coffee", n=2))
    assert _stored(w, "m1")[1].team_id is None  # not routed before the enrichers spoke
    _queue(w, jobs)
    _, complaint = _stored(w, "m1")
    _, praise = _stored(w, "m2")
    assert (complaint.team_id, complaint.priority) == (team["id"], "high")
    assert complaint.routing[0]["name"] == "Complaints"
    assert praise.team_id is None and praise.priority == "normal" and praise.routing_pending_since is None


def test_a_failing_enricher_costs_only_its_own_annotation(inbox_world, register_plugin):
    w = inbox_world
    _enable(w, register_plugin)
    w.ingest("coffee", mention("this will explode", n=1), mention("fine", n=2))
    w.run_jobs()
    item, conv = _stored(w, "m1")
    assert set(item.enrichment) == {"test_language", "test_sentiment"}
    assert conv.routing_pending_since is None and conv.sla_started_at is not None
    assert "test_intent" in _stored(w, "m2")[0].enrichment


def test_a_second_message_while_waiting_does_not_route_twice(inbox_world, register_plugin):
    w = inbox_world
    _enable(w, register_plugin)
    w.admin.post(w.url("routing-rules"), {"name": "All", "definition": {
        "match": "all", "stop": True, "conditions": [{"field": "kind", "op": "in", "value": ["dm"]}],
        "actions": [{"type": "add_tags", "tags": ["dm"]}]}})
    w.ingest("coffee", mention("hello", kind="dm", author="p1", n=1))
    w.ingest("coffee", mention("are you there", kind="dm", author="p1", n=2))
    w.run_jobs()
    _, conv = _stored(w, "d1")
    assert len(conv.routing) == 1 and conv.tags == ["dm"]
    with w.rt.db.transaction() as s:
        routed = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "conversation.routed")).all()
        enriched = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "engagement.enriched")).all()
    assert len(routed) == 1
    assert {e.data["item_id"] for e in enriched} == {_stored(w, "d1")[0].id, _stored(w, "d2")[0].id}
    assert enriched[0].data["enrichers"]["test_language"] == {"version": "2.1", "plugin": "test_enrichers"}


def test_the_sweep_routes_a_conversation_whose_enrichment_never_came(inbox_world, register_plugin):
    w = inbox_world
    _enable(w, register_plugin)
    _ingest_holding_the_jobs(w, mention("lost job", n=1))
    with w.rt.db.transaction() as s:
        assert enrichment.route_overdue(s, utcnow()) == 0  # not overdue yet
    with w.rt.db.transaction() as s:
        assert enrichment.route_overdue(s, utcnow() + enrichment.ROUTING_WAIT + timedelta(seconds=1)) == 1
    item, conv = _stored(w, "m1")
    assert conv.routing_pending_since is None and conv.sla_started_at is not None
    assert item.enriched_at is None
    w.run_jobs()  # its enrichment was queued again
    assert _stored(w, "m1")[0].enriched_at is not None


def test_a_tenant_without_enrichers_routes_at_ingestion(inbox_world):
    w = inbox_world
    w.ingest("coffee", mention("hello", n=1))
    item, conv = _stored(w, "m1")
    assert conv.routing_pending_since is None and conv.sla_started_at is not None and item.enriched_at is None


def test_enrichment_never_crosses_tenants(inbox_world, register_plugin, seed):
    w = inbox_world
    _enable(w, register_plugin)
    _ingest_holding_the_jobs(w, mention("broken", n=1))
    item, _ = _stored(w, "m1")
    other = seed.tenant("other")
    assert enrichment.enrich_items(other.id, [item.id]) == 0
    assert _stored(w, "m1")[0].enriched_at is None


def test_a_period_is_enriched_again_when_a_model_changes_without_routing_again(inbox_world, register_plugin,
                                                                               monkeypatch):
    w = inbox_world
    _enable(w, register_plugin)
    w.admin.post(w.url("routing-rules"), {"name": "All", "definition": {
        "match": "all", "stop": True, "conditions": [{"field": "kind", "op": "in", "value": ["mention"]}],
        "actions": [{"type": "add_tags", "tags": ["seen"]}]}})
    _queue(w, _ingest_holding_the_jobs(w, mention("broken", n=1), mention("fine", n=2)))
    since, until = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
    with w.rt.db.transaction() as s:
        assert enrichment.requeue_period(s, w.tenant.id, since, until) == 0  # all current
        s.info.pop("herald_jobs_after_commit", None)
    monkeypatch.setattr(_Sentiment, "version", "1.1")
    with w.rt.db.transaction() as s:
        assert enrichment.requeue_period(s, w.tenant.id, since, until) == 2
        assert enrichment.requeue_period(s, w.tenant.id, until, until + timedelta(hours=1)) == 0
    w.run_jobs()
    item, conv = _stored(w, "m1")
    assert item.enrichment["test_sentiment"]["version"] == "1.1" and len(conv.routing) == 1
