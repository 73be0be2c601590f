"""The inbox API: views and counts, who sees what, triage, bulk actions, notes, the reply lease,
replies sent exactly once, authors, and precise answers to bad input."""

from __future__ import annotations

from datetime import timedelta

from inbox_support import NET, mention
from sqlalchemy import func, select

from herald.audit.models import AuditEvent
from herald.clock import utcnow
from herald.inbox.models import Conversation, InboxItem, InboxReply
from herald.networks.errors import TransientError, UncertainOutcome
from herald.notifications.models import InAppNotification


def _conv(w, unit="coffee", **kw):  # type: ignore[no-untyped-def]
    item = mention(kw.pop("text", "Where is my order?"), **kw)
    w.ingest(unit, item)
    with w.rt.db.transaction() as s:
        return s.execute(select(Conversation.id).join(InboxItem, InboxItem.conversation_id == Conversation.id)
                         .where(InboxItem.remote_id == item.remote_id)).scalar_one()


def test_views_show_only_the_units_a_person_may_read(inbox_world, api):
    w = inbox_world
    in_coffee = _conv(w, "coffee")
    in_espresso = _conv(w, "espresso")
    in_tea = _conv(w, "tea")
    agent = api(w.tokens["agent"])  # agent on coffee (and so espresso below it)
    assert {c["id"] for c in w.conversations(agent)} == {in_coffee, in_espresso}
    assert {c["id"] for c in w.conversations(api(w.tokens["tea"]))} == {in_tea}
    assert w.conversations(api(w.tokens["viewer"])) == []  # no inbox.read
    assert agent.get(w.url(f"conversations/{in_tea}")).status_code == 404
    unit = w.tenant.units["coffee"].id
    only = w.conversations(agent, unit_id=unit, descendants="false")
    assert [c["id"] for c in only] == [in_coffee]
    counts = agent.get(w.url("conversations/count")).get_json()
    assert counts["total"] == 2 and counts["by_status"]["open"] == 2


def test_another_tenants_conversation_is_not_found(inbox_world, seed, api):
    w = inbox_world
    conv = _conv(w)
    other = seed.tenant("globex")
    _, token = seed.user(other, "admin@globex.test", [("tenant_admin", "root")])
    stranger = api(token)
    assert stranger.get(f"tenants/{other.id}/inbox/conversations/{conv}").status_code == 404
    assert stranger.get(w.url(f"conversations/{conv}")).status_code == 404
    assert stranger.patch(f"tenants/{other.id}/inbox/conversations/{conv}", {"status": "resolved"}).status_code == 404


def test_filters_orders_and_keyset_pages(inbox_world):
    w = inbox_world
    ids = [_conv(w, text=f"m{i}", author=f"a{i}", at=utcnow() - timedelta(minutes=10 - i),
                 language="ar" if i % 2 else "en") for i in range(5)]
    first = w.admin.get(w.url("conversations"), query_string={"limit": 2}).get_json()
    second = w.admin.get(w.url("conversations"), query_string={"limit": 2, "cursor": first["next_cursor"]}).get_json()
    assert [c["id"] for c in first["items"] + second["items"]] == ids[::-1][:4]
    assert {c["id"] for c in w.conversations(language="ar")} == {ids[1], ids[3]}
    bad = w.admin.get(w.url("conversations"), query_string={"status": "closed"})
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    assert w.admin.get(w.url("conversations"), query_string={"order": "sideways"}).status_code == 422
    assert w.admin.get(w.url("conversations"), query_string={"cursor": "garbage"}).status_code == 400


def test_triage_changes_are_audited_and_on_the_timeline(inbox_world, api):
    w = inbox_world
    conv = _conv(w)
    agent = api(w.tokens["agent"])
    r = agent.patch(w.url(f"conversations/{conv}"), {"status": "pending", "priority": "high", "add_tags": ["billing"]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["priority"], body["tags"]) == ("pending", "high", ["billing"])
    assert w.conversations(agent) == []  # open view
    assert [c["id"] for c in w.conversations(agent, status="pending", tag="billing")] == [conv]
    detail = agent.get(w.url(f"conversations/{conv}")).get_json()
    assert {"status", "priority", "tags", "message"} <= {e["kind"] for e in detail["timeline"]}
    with w.rt.db.transaction() as s:
        actions = set(s.execute(select(AuditEvent.action).where(AuditEvent.object_id == conv)).scalars())
    assert {"conversation.status_changed", "conversation.priority_changed", "conversation.tags_changed"} <= actions
    viewer = api(w.tokens["viewer"])
    assert viewer.patch(w.url(f"conversations/{conv}"), {"status": "open"}).status_code == 404


def test_assigning_needs_inbox_assign_and_a_real_person(inbox_world, api):
    w = inbox_world
    conv = _conv(w)
    agent = api(w.tokens["agent"])  # agent: inbox.read + inbox.reply, no inbox.assign
    r = agent.patch(w.url(f"conversations/{conv}"), {"assignee_id": w.users["agent"].id})
    assert r.status_code == 403 and "inbox.assign" in r.get_json()["detail"]
    lead = api(w.tokens["lead"])
    bad = lead.patch(w.url(f"conversations/{conv}"), {"assignee_id": "user_nobody"})
    assert bad.status_code == 422 and "assignee_id" in bad.get_json()["errors"]
    ok = lead.patch(w.url(f"conversations/{conv}"), {"assignee_id": w.users["agent"].id})
    assert ok.status_code == 200 and ok.get_json()["assignee_id"] == w.users["agent"].id
    assert [c["id"] for c in w.conversations(agent, assignee_id="me")] == [conv]
    w.run_jobs()
    with w.rt.db.transaction() as s:
        told = s.execute(select(func.count()).select_from(InAppNotification).where(
            InAppNotification.recipient_id == w.users["agent"].id)).scalar()
    assert told == 1


def test_bulk_actions_apply_to_a_selection_or_a_filter_all_or_nothing(inbox_world, api):
    w = inbox_world
    a, b = _conv(w, "coffee"), _conv(w, "coffee")
    t = _conv(w, "tea")
    agent = api(w.tokens["agent"])
    r = agent.post(w.url("conversations/bulk"), {"action": "status", "status": "resolved",
                                                 "conversation_ids": [a, t]})
    assert r.status_code == 404  # tea is not the agent's: nothing changes
    assert {c["status"] for c in w.conversations(status="all")} == {"open"}
    r = agent.post(w.url("conversations/bulk"), {"action": "status", "status": "resolved", "filter": {}})
    assert r.status_code == 200 and r.get_json() == {"matched": 2, "changed": 2}
    statuses = {c["id"]: c["status"] for c in w.conversations(status="all")}
    assert statuses == {a: "resolved", b: "resolved", t: "open"}
    both = agent.post(w.url("conversations/bulk"), {"action": "status", "status": "open", "filter": {},
                                                    "conversation_ids": [a]})
    assert both.status_code == 422


def test_a_note_with_a_mention_notifies_that_person(inbox_world, api):
    w = inbox_world
    conv = _conv(w)
    agent = api(w.tokens["agent"])
    r = agent.post(w.url(f"conversations/{conv}/notes"), {"text": "@lead can you approve a refund?"})
    assert r.status_code == 201 and r.get_json()["mentions"] == [w.users["lead"].id]
    w.run_jobs()
    with w.rt.db.transaction() as s:
        kinds = s.execute(select(InAppNotification.kind).where(
            InAppNotification.recipient_id == w.users["lead"].id)).scalars().all()
    assert kinds == ["conversation.mentioned"]
    assert agent.post(w.url(f"conversations/{conv}/notes"), {"text": ""}).status_code == 422


def test_a_second_person_cannot_reply_while_someone_is_replying_unless_taking_over(inbox_world, api, run_jobs):
    w = inbox_world
    conv = _conv(w, kind="dm", thread="t1", author="amira")
    agent, lead = api(w.tokens["agent"]), api(w.tokens["lead"])
    assert agent.post(w.url(f"conversations/{conv}/lease"), {}).status_code == 200
    seen = lead.get(w.url(f"conversations/{conv}")).get_json()["replying"]
    assert seen["user_id"] == w.users["agent"].id and seen["name"] == "agent"
    refused = lead.post(w.url(f"conversations/{conv}/replies"), {"text": "On it!"})
    assert refused.status_code == 409 and "agent is replying" in refused.get_json()["detail"]
    taken = lead.post(w.url(f"conversations/{conv}/replies"), {"text": "On it!", "take_over": True})
    assert taken.status_code == 202, taken.get_json()
    assert run_jobs() == 0
    assert [r.text for _, r in NET.sent] == ["On it!"]


def test_a_reply_is_sent_once_and_lands_in_the_thread(inbox_world, api, run_jobs):
    w = inbox_world
    conv = _conv(w, kind="dm", thread="t9", author="omar")
    agent = api(w.tokens["agent"])
    r = agent.post(w.url(f"conversations/{conv}/replies"), {"text": "Sorry about that, Omar."})
    assert r.status_code == 202 and r.get_json()["state"] == "queued"
    assert run_jobs() == 0
    from herald.inbox import replies

    assert replies.send(r.get_json()["id"]) == "skipped"  # a second job finds it sent
    assert len(NET.sent) == 1
    account_remote, request = NET.sent[0]
    assert (account_remote, request.kind, request.thread_id, request.recipient_id) == ("remote-coffee", "dm", "t9",
                                                                                       "omar")
    detail = agent.get(w.url(f"conversations/{conv}")).get_json()
    assert [i["direction"] for i in detail["items"]] == ["inbound", "outbound"]
    assert detail["items"][1]["reply_id"] == r.get_json()["id"]
    assert detail["sla"]["first_responded_at"] is not None
    sent = agent.get(w.url(f"conversations/{conv}/replies")).get_json()["items"]
    assert sent[0]["state"] == "sent" and sent[0]["remote_id"].startswith("out")


def test_an_uncertain_send_is_looked_up_and_never_sent_twice(inbox_world, api, run_jobs):
    w = inbox_world
    conv = _conv(w, kind="dm", thread="t2", author="lina")
    NET.fail_next_send.append(UncertainOutcome("timed out after sending"))
    r = api(w.tokens["agent"]).post(w.url(f"conversations/{conv}/replies"), {"text": "We are on it."})
    reply_id = r.get_json()["id"]
    run_jobs()
    from herald.inbox import replies

    assert replies.send(reply_id) == "sent"  # the retry looks it up first
    assert len(NET.sent) == 1
    with w.rt.db.transaction() as s:
        assert s.get(InboxReply, reply_id).state == "sent"


def test_a_transient_failure_is_retried_later(inbox_world, api, run_jobs):
    w = inbox_world
    conv = _conv(w, kind="dm", thread="t3", author="sam")
    NET.fail_next_send.append(TransientError("503"))
    r = api(w.tokens["agent"]).post(w.url(f"conversations/{conv}/replies"), {"text": "Hello"})
    sent_at = utcnow()
    run_jobs()
    with w.rt.db.transaction() as s:
        reply = s.get(InboxReply, r.get_json()["id"])
        assert reply.state == "queued" and reply.due_at > sent_at and reply.error == "503"


def test_replies_the_network_would_refuse_get_a_precise_answer_and_change_nothing(inbox_world, api):
    w = inbox_world
    agent = api(w.tokens["agent"])
    old = _conv(w, kind="dm", thread="t4", author="old", at=utcnow() - timedelta(hours=30))
    closed = agent.post(w.url(f"conversations/{old}/replies"), {"text": "Sorry for the wait"})
    assert closed.status_code == 422 and "kind" in closed.get_json()["errors"]
    assert "24 hours" in closed.get_json()["detail"]
    fresh = _conv(w, kind="mention", author="new")
    long = agent.post(w.url(f"conversations/{fresh}/replies"), {"text": "x" * 281})
    assert long.status_code == 422 and "280" in long.get_json()["errors"]["text"][0]
    check = agent.post(w.url(f"conversations/{fresh}/reply-check"), {"text": "x" * 281}).get_json()
    assert check["length"] == 281 and check["problems"][0]["code"] == "too_long"
    unknown = agent.post(w.url(f"conversations/{fresh}/replies"), {"text": "hi", "in_reply_to": "nope"})
    assert unknown.status_code == 422 and "in_reply_to" in unknown.get_json()["errors"]
    assert agent.post(w.url("conversations/conv_nothere/replies"), {"text": "hi"}).status_code == 404
    assert agent.post(w.url(f"conversations/{fresh}/replies"), {"txt": "hi"}).status_code == 422
    with w.rt.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(InboxReply)).scalar() == 0
    assert NET.sent == []


def test_marking_spam_hides_the_authors_future_items_until_unmarked(inbox_world, api):
    w = inbox_world
    conv = _conv(w, author="bot")
    agent = api(w.tokens["agent"])
    assert agent.patch(w.url(f"conversations/{conv}"), {"spam": True}).status_code == 200
    later = _conv(w, author="bot")
    assert later not in {c["id"] for c in w.conversations(agent)}
    assert {c["id"] for c in w.conversations(agent, status="spam")} == {conv, later}
    assert agent.patch(w.url(f"conversations/{conv}"), {"spam": False}).status_code == 200
    third = _conv(w, author="bot")
    assert third in {c["id"] for c in w.conversations(agent)}


def test_snoozed_conversations_come_back_when_the_snooze_ends(inbox_world, api):
    w = inbox_world
    conv = _conv(w)
    agent = api(w.tokens["agent"])
    until = (utcnow() + timedelta(hours=2)).isoformat()
    assert agent.patch(w.url(f"conversations/{conv}"), {"snoozed_until": until}).status_code == 200
    assert w.conversations(agent) == []
    assert [c["id"] for c in w.conversations(agent, snoozed="true")] == [conv]
    past = agent.patch(w.url(f"conversations/{conv}"), {"snoozed_until": (utcnow() - timedelta(hours=1)).isoformat()})
    assert past.status_code == 422
    from herald.inbox.triage import wake_snoozed

    with w.rt.db.transaction() as s:
        assert wake_snoozed(s, utcnow() + timedelta(hours=3)) == 1
    assert [c["id"] for c in w.conversations(agent)] == [conv]


def test_an_authors_history_notes_tags_and_erasure(inbox_world, api):
    w = inbox_world
    conv = _conv(w, author="nadia", text="my phone number is 555-0100")
    _conv(w, "espresso", author="nadia", text="second message")
    agent = api(w.tokens["agent"])
    author_id = agent.get(w.url(f"conversations/{conv}")).get_json()["author"]["id"]
    assert agent.post(w.url(f"authors/{author_id}/notes"), {"text": "Prefers Arabic"}).status_code == 201
    assert agent.put(w.url(f"authors/{author_id}/tags"), {"tags": ["vip"]}).status_code == 200
    profile = agent.get(w.url(f"authors/{author_id}")).get_json()
    assert profile["tags"] == ["vip"] and len(profile["history"]) == 2
    assert profile["notes"][0]["text"] == "Prefers Arabic"
    assert agent.post(w.url(f"authors/{author_id}/erase")).status_code == 403
    erased = w.admin.post(w.url(f"authors/{author_id}/erase"))
    assert erased.status_code == 200 and erased.get_json() == {"items": 2, "notes": 1}
    profile = w.admin.get(w.url(f"authors/{author_id}")).get_json()
    assert profile["erased"] and profile["handle"] == "" and profile["notes"] == []
    assert all(i["text"] == "" for i in profile["history"])
    with w.rt.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(InboxItem).where(InboxItem.text.like("%555%"))).scalar() == 0
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "inbox_author.erased")).scalar_one()
        assert "555" not in str(event.after)


def test_saved_views_keep_filters_and_count(inbox_world, api):
    w = inbox_world
    _conv(w, language="fa", author="x1")
    _conv(w, language="en", author="x2")
    agent = api(w.tokens["agent"])
    r = agent.post(w.url("views"), {"name": "Persian", "filters": {"language": ["fa"]}})
    assert r.status_code == 201
    views = agent.get(w.url("views")).get_json()["items"]
    assert views[0]["count"] == 1 and views[0]["shared"] is False
    shared = agent.post(w.url("views"), {"name": "All", "shared": True})
    assert shared.status_code == 403
    via_view = w.conversations(agent, view_id=r.get_json()["id"])
    assert [c["language"] for c in via_view] == ["fa"]
    bad = agent.post(w.url("views"), {"name": "x", "filters": {"status": ["closed"]}})
    assert bad.status_code == 422


def test_a_conversation_tells_the_reply_box_its_limits_and_the_dm_window(inbox_world, api):
    w = inbox_world
    agent = api(w.tokens["agent"])
    sent_at = utcnow() - timedelta(hours=30)
    old = _conv(w, kind="dm", thread="t8", author="late", at=sent_at)
    fresh = _conv(w, kind="dm", thread="t9", author="soon", at=utcnow() - timedelta(hours=1))
    public = _conv(w, kind="mention", author="loud")
    closed = agent.get(w.url(f"conversations/{old}")).get_json()["reply_checks"]
    assert closed["available"] and closed["kind"] == "dm" and closed["max_length"] == 1000
    assert closed["window_closed"] is True
    assert closed["window_closes_at"].startswith((sent_at + timedelta(hours=24)).isoformat()[:16])
    still = agent.get(w.url(f"conversations/{fresh}")).get_json()["reply_checks"]
    assert still["window_closed"] is False and still["window_closes_at"] is not None
    mention_checks = agent.get(w.url(f"conversations/{public}")).get_json()["reply_checks"]
    assert mention_checks == {"available": True, "kind": "mention", "max_length": 280,
                              "window_closes_at": None, "window_closed": False}
