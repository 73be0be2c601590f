"""Routing rules, teams and automatic assignment, SLA clocks in business hours, with the events,
notifications and facts they leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inbox_support import mention
from sqlalchemy import func, select

from herald.events.models import OutboxEvent
from herald.inbox import sla
from herald.inbox.models import Conversation, InboxItem, SlaOutcome, TimelineEntry
from herald.inbox.triage import set_status

REFUND_RULE = {"match": "all", "stop": True,
               "conditions": [{"field": "text", "op": "contains_any", "value": ["refund", "استرداد"]}],
               "actions": [{"type": "set_priority", "priority": "urgent"}, {"type": "add_tags", "tags": ["billing"]}]}


def _team(w, **body):  # type: ignore[no-untyped-def]
    r = w.admin.post(w.url("teams"), {"name": "Support", **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _conv_of(w, remote_id):  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        conv = s.execute(select(Conversation).join(InboxItem, InboxItem.conversation_id == Conversation.id)
                         .where(InboxItem.remote_id == remote_id)).scalar_one()
        s.expunge(conv)
        return conv


def test_a_matching_rule_sets_priority_and_tags_and_records_why(inbox_world):
    w = inbox_world
    r = w.admin.post(w.url("routing-rules"), {"name": "Refunds", "definition": REFUND_RULE})
    assert r.status_code == 201, r.get_json()
    w.ingest("coffee", mention("I want a REFUND now", n=1), mention("I want a استرداد", n=2),
             mention("love it", n=3))
    first, second, third = (_conv_of(w, f"m{i}") for i in (1, 2, 3))
    assert (first.priority, first.tags) == ("urgent", ["billing"])
    assert second.priority == "urgent"
    assert third.priority == "normal" and third.routing == []
    assert first.routing[0]["name"] == "Refunds" and first.routing[0]["reasons"]
    with w.rt.db.transaction() as s:
        routed = s.execute(select(func.count()).select_from(OutboxEvent)
                           .where(OutboxEvent.type == "conversation.routed")).scalar()
        kinds = s.execute(select(TimelineEntry.kind).where(TimelineEntry.conversation_id == first.id)).scalars().all()
    assert routed == 2 and "routed" in kinds


def test_rules_apply_in_order_and_stop_ends_the_pass(inbox_world):
    w = inbox_world
    team = _team(w)
    w.admin.post(w.url("routing-rules"), {"name": "Refunds", "definition": REFUND_RULE})
    w.admin.post(w.url("routing-rules"), {"name": "Everything", "definition": {
        "match": "all", "stop": False, "conditions": [{"field": "kind", "op": "in", "value": ["mention"]}],
        "actions": [{"type": "set_team", "team_id": team["id"]}]}})
    w.ingest("coffee", mention("refund please", n=1), mention("hello", n=2))
    assert _conv_of(w, "m1").team_id is None  # the first rule stopped the pass
    assert _conv_of(w, "m2").team_id == team["id"]
    rules = w.admin.get(w.url("routing-rules")).get_json()["items"]
    r = w.admin.put(w.url("routing-rules/order"), {"rule_ids": [rules[1]["id"], rules[0]["id"]]})
    assert r.status_code == 200
    w.ingest("coffee", mention("refund please", n=3))
    third = _conv_of(w, "m3")
    assert third.team_id == team["id"] and third.priority == "urgent"


def test_a_rule_scoped_to_a_unit_applies_to_its_subtree_only(inbox_world):
    w = inbox_world
    body = {"name": "Coffee VIPs", "org_unit_id": w.tenant.units["coffee"].id, "definition": {
        "match": "all", "conditions": [{"field": "followers", "op": "gte", "value": 10000}],
        "actions": [{"type": "set_priority", "priority": "high"}]}}
    assert w.admin.post(w.url("routing-rules"), body).status_code == 201
    w.ingest("espresso", mention("hi", followers=20000, n=1))
    w.ingest("tea", mention("hi", followers=20000, n=2))
    assert _conv_of(w, "m1").priority == "high"
    assert _conv_of(w, "m2").priority == "normal"


def test_a_rule_can_be_tried_on_sample_text_before_it_is_saved(inbox_world):
    w = inbox_world
    r = w.admin.post(w.url("routing-rules/try"), {"definition": REFUND_RULE, "sample": {"text": "Refund me!"}})
    assert r.status_code == 200 and r.get_json()["matched"] is True and r.get_json()["reasons"]
    miss = w.admin.post(w.url("routing-rules/try"), {"definition": REFUND_RULE, "sample": {"text": "refunded"}})
    assert miss.get_json()["matched"] is False
    assert w.admin.get(w.url("routing-rules")).get_json()["items"] == []


def test_malformed_rules_get_precise_errors_and_nothing_is_saved(inbox_world, api):
    w = inbox_world
    bad = w.admin.post(w.url("routing-rules"), {"name": "x", "definition": {
        "match": "all", "conditions": [{"field": "followers", "op": "contains_any", "value": ["a"]}],
        "actions": [{"type": "set_priority", "priority": "urgent"}]}})
    assert bad.status_code == 422 and "definition" in bad.get_json()["errors"]
    ghost = w.admin.post(w.url("routing-rules"), {"name": "x", "definition": {
        "match": "all", "conditions": [{"field": "kind", "op": "in", "value": ["dm"]}],
        "actions": [{"type": "set_team", "team_id": "team_nope"}]}})
    assert ghost.status_code == 422 and "team_nope" in str(ghost.get_json()["errors"])
    agent = api(w.tokens["agent"])
    assert agent.post(w.url("routing-rules"), {"name": "x", "definition": REFUND_RULE}).status_code == 403
    assert w.admin.get(w.url("routing-rules")).get_json()["items"] == []


def test_the_team_covering_a_unit_takes_its_conversations_round_robin_skipping_the_away(inbox_world):
    w = inbox_world
    agent, lead = w.users["agent"], w.users["lead"]
    team = _team(w, unit_ids=[w.tenant.units["coffee"].id], assignment="round_robin",
                 members=[{"user_id": agent.id}, {"user_id": lead.id}])
    w.ingest("espresso", *(mention(f"q{i}", author=f"a{i}", n=i) for i in range(1, 5)))
    assignees = [_conv_of(w, f"m{i}").assignee_id for i in range(1, 5)]
    assert {a for a in assignees} == {agent.id, lead.id}
    assert assignees[0] != assignees[1] and assignees[0] == assignees[2]
    r = w.admin.put(w.url(f"teams/{team['id']}/members/{agent.id}/away"), {"away": True})
    assert r.status_code == 200
    w.ingest("coffee", *(mention(f"later{i}", author=f"b{i}", n=10 + i) for i in range(3)))
    assert {_conv_of(w, f"m{10 + i}").assignee_id for i in range(3)} == {lead.id}
    w.ingest("tea", mention("not covered", n=20))
    assert _conv_of(w, "m20").team_id is None


def test_least_open_gives_the_next_conversation_to_the_least_busy_member(inbox_world):
    w = inbox_world
    agent, lead = w.users["agent"], w.users["lead"]
    _team(w, unit_ids=[w.tenant.units["coffee"].id], assignment="least_open",
          members=[{"user_id": agent.id}, {"user_id": lead.id}])
    w.ingest("coffee", mention("one", author="x", n=1), mention("two", author="y", n=2))
    busy = _conv_of(w, "m1").assignee_id
    with w.rt.db.transaction() as s:
        conv = s.get(Conversation, _conv_of(w, "m2").id)
        set_status(s, None, conv, "resolved")
    w.ingest("coffee", mention("three", author="z", n=3))
    assert _conv_of(w, "m3").assignee_id != busy  # the other member has no open conversation now


def test_first_response_sla_counts_business_hours_and_notifies_at_risk_and_breach(inbox_world, inbox_clock):
    w = inbox_world
    agent = w.users["agent"]
    team = _team(w, unit_ids=[w.tenant.units["coffee"].id], assignment="round_robin",
                 members=[{"user_id": agent.id}], time_zone="Asia/Riyadh",
                 business_hours={d: [["09:00", "17:00"]] for d in ("sun", "mon", "tue", "wed", "thu")})
    r = w.admin.post(w.url("sla-policies"), {"name": "Support", "team_id": team["id"], "first_response_s": 3600})
    assert r.status_code == 201, r.get_json()
    # Thursday 16:30 in Riyadh (13:30 UTC): half an hour today, the rest on Sunday from 09:00
    thursday = datetime(2026, 12, 3, 13, 30, tzinfo=UTC)
    inbox_clock[0] = thursday
    w.ingest("coffee", mention("my order?", author="q", n=1, at=thursday))
    conv = _conv_of(w, "m1")
    assert conv.first_response_due_at == datetime(2026, 12, 6, 6, 30, tzinfo=UTC)  # Sunday 09:30 Riyadh
    with w.rt.db.transaction() as s:
        c = s.get(Conversation, conv.id)
        sla.refresh(s, c, datetime(2026, 12, 6, 6, 20, tzinfo=UTC))
        assert c.sla_state == "at_risk"
        sla.refresh(s, c, datetime(2026, 12, 6, 6, 31, tzinfo=UTC))
        assert c.sla_state == "breached"
        sla.refresh(s, c, datetime(2026, 12, 6, 6, 40, tzinfo=UTC))  # a second look changes nothing
    with w.rt.db.transaction() as s:
        events = s.execute(select(OutboxEvent.type).where(OutboxEvent.type.like("sla.%"))).scalars().all()
        outcomes = s.execute(select(SlaOutcome.outcome, SlaOutcome.team_id)).all()
    assert sorted(events) == ["sla.at_risk", "sla.breached"]
    assert sorted(outcomes) == [("at_risk", team["id"]), ("breached", team["id"])]
    counts = w.admin.get(w.url("sla-outcomes"), query_string={
        "since": "2026-12-01T00:00:00+00:00", "until": "2027-01-01T00:00:00+00:00"})
    assert counts.status_code == 200
    assert {(i["outcome"], i["count"]) for i in counts.get_json()["items"]} == {("at_risk", 1), ("breached", 1)}


def test_the_clock_stops_while_pending_and_a_response_in_time_is_met(inbox_world, inbox_clock):
    w = inbox_world
    w.admin.post(w.url("sla-policies"), {"name": "Any", "first_response_s": 3600, "resolution_s": 7200})
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    inbox_clock[0] = start
    w.ingest("coffee", mention("help", author="p", kind="dm", thread="t", n=1, at=start))
    conv = _conv_of(w, "d1")
    assert conv.resolution_due_at == start + timedelta(hours=2)
    with w.rt.db.transaction() as s:
        c = s.get(Conversation, conv.id)
        set_status(s, None, c, "pending", now=start + timedelta(minutes=30))
        set_status(s, None, c, "open", now=start + timedelta(minutes=90))
        assert c.resolution_due_at == start + timedelta(hours=3)  # an hour paused
        sla.responded(s, c, start + timedelta(minutes=95))
    with w.rt.db.transaction() as s:
        met = s.execute(select(SlaOutcome.metric, SlaOutcome.outcome)).all()
    # 95 minutes after the message, an hour of it paused: 35 minutes of the 60 used
    assert met == [("first_response", "met")]


def test_a_batch_reads_the_tenants_configuration_once_and_appends_the_audit_chain_once(inbox_world):
    """A page of items: the rules, SLA policies and teams read once, the authors, conversations
    and items inserted in one statement each, the automatic assignments appended to the audit chain together, and each
    conversation routed, assigned and on the clock as if it had come alone."""
    from collections import Counter

    from sqlalchemy import event

    w = inbox_world
    team = _team(w, unit_ids=[w.tenant.units["coffee"].id], assignment="manual")
    assert w.admin.post(w.url("sla-policies"), {"name": "Any", "first_response_s": 3600}).status_code == 201
    assert w.admin.post(w.url("routing-rules"), {"name": "Refunds", "definition": REFUND_RULE}).status_code == 201
    statements: Counter[str] = Counter()

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        words = [word.strip('"') for word in statement.split()]
        after = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE"}.get(words[0])
        if after in words:
            statements[f"{words[0]} {words[words.index(after) + 1]}"] += 1

    event.listen(w.rt.db.engine, "before_cursor_execute", count)
    try:
        w.ingest("coffee", *(mention(f"refund {i}" if i % 2 else f"hello {i}", author=f"p{i}", n=i)
                             for i in range(1, 7)))
    finally:
        event.remove(w.rt.db.engine, "before_cursor_execute", count)
    assert statements["SELECT inbox_routing_rules"] == 1
    assert statements["SELECT inbox_sla_policies"] == 1
    assert statements["SELECT inbox_teams"] == 1
    assert statements["INSERT inbox_authors"] == 1
    assert statements["INSERT inbox_conversations"] == 1 and statements["INSERT inbox_items"] == 1
    assert statements["UPDATE audit_chains"] == 1
    convs = [_conv_of(w, f"m{i}") for i in range(1, 7)]
    assert [c.priority for c in convs] == ["urgent", "normal"] * 3
    assert {c.team_id for c in convs} == {team["id"]}
    assert all(c.first_response_due_at is not None for c in convs)
    r = w.admin.post(f"tenants/{w.tenant.id}/audit-events/verify")
    assert r.status_code == 200 and r.get_json()["ok"] is True, r.get_json()
    assigned = w.admin.get(f"tenants/{w.tenant.id}/audit-events", query_string={"action": "conversation.assigned"})
    assert len(assigned.get_json()["items"]) == 6


def test_least_open_counts_the_assignments_made_earlier_in_the_same_page(inbox_world):
    w = inbox_world
    agent, lead = w.users["agent"], w.users["lead"]
    team = _team(w, unit_ids=[w.tenant.units["coffee"].id], assignment="manual",
                 members=[{"user_id": agent.id}, {"user_id": lead.id}])
    w.ingest("coffee", mention("busy one", author="x1", n=1))
    w.ingest("coffee", mention("busy two", author="x2", n=2))
    for n in (1, 2):
        r = w.admin.patch(w.url(f"conversations/{_conv_of(w, f'm{n}').id}"), {"assignee_id": agent.id})
        assert r.status_code == 200, r.get_json()
    assert w.admin.patch(w.url(f"teams/{team['id']}"), {"assignment": "least_open"}).status_code == 200
    w.ingest("coffee", *(mention(f"new {i}", author=f"y{i}", n=10 + i) for i in range(4)))
    assignees = [_conv_of(w, f"m{10 + i}").assignee_id for i in range(4)]
    # the agent has two open: the lead gets two, then they alternate from a tie
    assert assignees[:2] == [lead.id, lead.id] and sorted(assignees[2:]) == sorted([agent.id, lead.id])
