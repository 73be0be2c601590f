"""Governed replies: on chosen accounts, account labels or conversation tags a reply goes through
the approval engine like a post (same workflows, rules, separation of duties) and is sent once,
only when approved."""

from __future__ import annotations

from inbox_support import NET, mention
from sqlalchemy import select

from herald.content.models import Post
from herald.inbox.models import Conversation, InboxItem, InboxReply, TimelineEntry
from herald.tenancy.models import SocialAccount


def _conv(w, unit="coffee", **kw):  # type: ignore[no-untyped-def]
    item = mention(kw.pop("text", "Can I get my money back?"), **kw)
    w.ingest(unit, item)
    with w.rt.db.transaction() as s:
        return s.execute(select(Conversation.id).join(InboxItem, InboxItem.conversation_id == Conversation.id)
                         .where(InboxItem.remote_id == item.remote_id)).scalar_one()


def _label(w, unit: str, *labels: str) -> None:
    with w.rt.db.transaction() as s:
        s.get(SocialAccount, w.accounts[unit]).labels = list(labels)


def _govern(w, **body):  # type: ignore[no-untyped-def]
    r = w.admin.patch(w.url("settings"), body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _reply(w, client, conv, text="We can refund you in full."):  # type: ignore[no-untyped-def]
    r = client.post(w.url(f"conversations/{conv}/replies"), {"text": text})
    assert r.status_code == 202, r.get_json()
    return r.get_json()


def _reply_states(w, conv) -> list[str]:  # type: ignore[no-untyped-def]
    """The reply states the conversation's timeline shows, in order."""
    with w.rt.db.transaction() as s:
        return [e.data["state"] for e in s.scalars(
            select(TimelineEntry).where(TimelineEntry.conversation_id == conv, TimelineEntry.kind == "reply")
            .order_by(TimelineEntry.at, TimelineEntry.id))]


def _state(w, reply_id: str) -> str:  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        return s.get(InboxReply, reply_id).state


def test_a_reply_on_a_regulated_account_waits_for_approval_and_is_sent_once_approved(inbox_world, api, run_jobs):
    w = inbox_world
    _label(w, "coffee", "regulated")
    assert _govern(w, approval_account_labels=["regulated"])["approval_account_labels"] == ["regulated"]
    conv = _conv(w)
    agent, lead = api(w.tokens["agent"]), api(w.tokens["lead"])
    reply = _reply(w, agent, conv)
    assert reply["state"] == "awaiting_approval" and reply["approval_post_id"]
    assert run_jobs() == 0
    assert NET.sent == []  # nothing leaves before approval
    post_path = f"tenants/{w.tenant.id}/posts/{reply['approval_post_id']}"
    approval = lead.get(f"{post_path}/approval").get_json()
    assert approval["status"] == "active" and approval["post_status"] == "in_review"
    # the agent who wrote it may not approve it
    assert agent.post(f"{post_path}/decisions", {"decision": "approve"}).status_code == 403
    r = lead.post(f"{post_path}/decisions", {"decision": "approve"})
    assert r.status_code == 200, r.get_json()
    assert run_jobs() == 0
    assert [req.text for _, req in NET.sent] == ["We can refund you in full."]
    assert _state(w, reply["id"]) == "sent"
    assert run_jobs() == 0 and len(NET.sent) == 1  # the approval event redelivered sends nothing more
    from herald.inbox import governance

    with w.rt.db.transaction() as s:
        assert governance.approved(s, reply["approval_post_id"]) is None
    states = _reply_states(w, conv)
    assert states[:3] == ["awaiting_approval", "awaiting_approval", "queued"]


def test_the_author_of_a_governed_reply_cannot_approve_it_even_as_a_manager(inbox_world, api, run_jobs):
    w = inbox_world
    _govern(w, approval_accounts=[w.accounts["coffee"]])
    conv = _conv(w)
    lead = api(w.tokens["lead"])
    reply = _reply(w, lead, conv)
    r = lead.post(f"tenants/{w.tenant.id}/posts/{reply['approval_post_id']}/decisions", {"decision": "approve"})
    assert r.status_code == 403
    assert run_jobs() == 0 and NET.sent == [] and _state(w, reply["id"]) == "awaiting_approval"


def test_a_rejected_reply_is_never_sent_and_the_reason_is_on_the_timeline(inbox_world, api, run_jobs):
    w = inbox_world
    _govern(w, approval_tags=["vip"])
    conv = _conv(w)
    agent = api(w.tokens["agent"])
    assert w.admin.patch(w.url(f"conversations/{conv}"), {"add_tags": ["vip"]}).status_code == 200
    reply = _reply(w, agent, conv, "Sure, here is a discount code.")
    assert reply["state"] == "awaiting_approval"
    r = api(w.tokens["lead"]).post(f"tenants/{w.tenant.id}/posts/{reply['approval_post_id']}/decisions",
                                   {"decision": "reject", "comment": "No discounts in writing."})
    assert r.status_code == 200, r.get_json()
    assert run_jobs() == 0
    assert NET.sent == [] and _state(w, reply["id"]) == "rejected"
    replies = agent.get(w.url(f"conversations/{conv}/replies")).get_json()["items"]
    assert replies[0]["error"] == "No discounts in writing."
    assert _reply_states(w, conv)[-1] == "rejected"


def test_sent_back_a_reply_waits_and_the_approved_revision_is_what_goes_out(inbox_world, api, run_jobs):
    w = inbox_world
    _govern(w, approval_accounts=[w.accounts["coffee"]])
    conv = _conv(w)
    agent, lead = api(w.tokens["agent"]), api(w.tokens["lead"])
    reply = _reply(w, agent, conv, "Refund done!!!")
    post_path = f"tenants/{w.tenant.id}/posts/{reply['approval_post_id']}"
    assert lead.post(f"{post_path}/decisions", {"decision": "send_back", "comment": "Calmer, please."}).status_code \
        == 200
    assert run_jobs() == 0 and _state(w, reply["id"]) == "changes_requested" and NET.sent == []
    # an editor revises the carrier post and it is approved: the revision is what is sent
    post = w.admin.get(post_path).get_json()
    r = w.admin.request("PUT", f"{post_path}/content", json={"base_version": post["current_version"], "content": {
        "targets": [w.accounts["coffee"]], "variants": [{"text": "Your refund is on its way."}],
        "tags": ["inbox_reply"]}})
    assert r.status_code == 200, r.get_json()
    assert w.admin.post(f"{post_path}/submit", {}).status_code == 200
    assert lead.post(f"{post_path}/decisions", {"decision": "approve"}).status_code == 200
    assert run_jobs() == 0
    assert [req.text for _, req in NET.sent] == ["Your refund is on its way."]
    assert _state(w, reply["id"]) == "sent"


def test_a_workflow_rule_routes_replies_to_their_own_workflow(inbox_world, api, run_jobs):
    w = inbox_world
    coffee = w.tenant.units["coffee"].id
    r = w.admin.request("PUT", f"tenants/{w.tenant.id}/org-units/{coffee}/workflows/replies", json={
        "name": "Reply review", "steps": [{"name": "Care lead", "kind": "human_review",
                                           "deciders": {"role": "manager"}}]})
    assert r.status_code in (200, 201), r.get_json()
    r = w.admin.post(f"tenants/{w.tenant.id}/workflow-rules", {
        "org_unit_id": coffee, "name": "Replies", "conditions": {"tags_any": ["inbox_reply"]},
        "workflow_key": "replies"})
    assert r.status_code == 201, r.get_json()
    _govern(w, approval_accounts=[w.accounts["coffee"]])
    reply = _reply(w, api(w.tokens["agent"]), _conv(w))
    approval = w.admin.get(f"tenants/{w.tenant.id}/posts/{reply['approval_post_id']}/approval").get_json()
    assert approval["workflow_name"] == "Reply review"
    assert "Replies" in approval["chosen_because"]


def test_replies_elsewhere_are_not_held(inbox_world, api, run_jobs):
    w = inbox_world
    _label(w, "coffee", "regulated")
    _govern(w, approval_account_labels=["regulated"], approval_tags=["legal"])
    reply = _reply(w, api(w.tokens["tea"]), _conv(w, "tea"))
    assert reply["state"] == "queued" and reply["approval_post_id"] is None
    assert run_jobs() == 0 and len(NET.sent) == 1


def test_a_governed_reply_cancelled_leaves_review_and_its_carrier_can_never_be_published(inbox_world, api, run_jobs):
    w = inbox_world
    _govern(w, approval_accounts=[w.accounts["coffee"]])
    conv = _conv(w)
    agent = api(w.tokens["agent"])
    reply = _reply(w, agent, conv)
    post_path = f"tenants/{w.tenant.id}/posts/{reply['approval_post_id']}"
    r = w.admin.post(f"{post_path}/publish", {})
    assert r.status_code == 409 and "inbox" in r.get_json()["detail"]
    r = agent.delete(w.url(f"conversations/{conv}/replies/{reply['id']}"))
    assert r.status_code == 200 and r.get_json()["state"] == "cancelled"
    with w.rt.db.transaction() as s:
        assert s.get(Post, reply["approval_post_id"]).status == "rejected"
    assert api(w.tokens["lead"]).post(f"{post_path}/decisions", {"decision": "approve"}).status_code == 409
    assert run_jobs() == 0 and NET.sent == []


def test_inbox_settings_are_validated_audited_and_for_inbox_admins_only(inbox_world, api):
    w = inbox_world
    before = w.admin.get(w.url("settings")).get_json()
    assert before == {"approval_accounts": [], "approval_account_labels": [], "approval_tags": []}
    r = w.admin.patch(w.url("settings"), {"approval_accounts": ["acct_nope"], "approval_tags": ["vip"]})
    assert r.status_code == 422 and "approval_accounts" in r.get_json()["errors"]
    r = w.admin.patch(w.url("settings"), {"approval_tags": ["x" * 65]})
    assert r.status_code == 422
    assert w.admin.get(w.url("settings")).get_json() == before
    assert api(w.tokens["agent"]).patch(w.url("settings"), {"approval_tags": ["vip"]}).status_code == 403
    _govern(w, approval_tags=["vip", "vip", "legal"])
    assert w.admin.get(w.url("settings")).get_json()["approval_tags"] == ["legal", "vip"]
    events = w.admin.get(f"tenants/{w.tenant.id}/audit-events", query_string={"action": "inbox_settings.updated"})
    assert any(e["action"] == "inbox_settings.updated" for e in events.get_json()["items"])
