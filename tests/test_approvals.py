"""Posts go through approval workflows: steps in order, the right people deciding, quorum,
send back and reject, approvals invalidated by edits, rules choosing the workflow, deadlines,
and a gate that nothing unapproved passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from approvals_world import THREE_STEPS, build_world

from herald.approvals.deadlines import sweep
from herald.approvals.gate import require_publishable
from herald.clock import set_clock
from herald.content.models import Post
from herald.errors import Conflict
from herald.notifications.models import InAppNotification


@pytest.fixture
def world(seed, api, register_plugin):  # type: ignore[no-untyped-def]
    return build_world(seed, api, register_plugin)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def _gate(rt, post_id: str) -> None:  # type: ignore[no-untyped-def]
    with rt.db.transaction() as s:
        require_publishable(s, s.get(Post, post_id))


def _history(world, post_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    items = world.admin.get(f"tenants/{world.tid}/posts/{post_id}/history", query_string={"limit": 200})
    return [e["action"] for e in items.get_json()["items"]]


def test_a_post_passes_editor_legal_and_manager_in_order_and_is_approved(world, herald_runtime):
    world.workflow(THREE_STEPS)
    post = world.create()
    r = world.submit(post["id"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["steps"][0]["state"] == "current"
    assert world.post(post["id"])["status"] == "in_review"
    with pytest.raises(Conflict):
        _gate(herald_runtime, post["id"])
    # Legal cannot jump the queue: it is the editor's turn.
    assert world.decide(post["id"], "legal").status_code == 403
    for who in ("editor", "legal", "manager"):
        r = world.decide(post["id"], who)
        assert r.status_code == 200, (who, r.get_json())
    state = world.approval(post["id"])
    assert state["status"] == "approved" and [s["state"] for s in state["steps"]] == ["done"] * 3
    assert [d["decider_id"] for d in state["decisions"]] == [world.ids[w] for w in ("editor", "legal", "manager")]
    assert world.post(post["id"])["status"] == "approved"
    _gate(herald_runtime, post["id"])  # passes
    assert _history(world, post["id"]) == [
        "post.created", "post.submitted", "approval.started", "approval.step_started", "approval.decided",
        "approval.step_started", "approval.decided", "approval.step_started", "approval.decided", "post.approved"]


def test_the_author_never_approves_their_own_post(world):
    world.workflow([{"name": "Review", "kind": "human_review", "deciders": {"role": "editor"}}])
    post = world.create(who="editor")  # an editor writes it: editors decide the step, but not this author
    world.submit(post["id"], who="editor")
    r = world.decide(post["id"], "editor")
    assert r.status_code == 403 and "own posts" in r.get_json()["detail"]
    assert world.decide(post["id"], "editor2").status_code == 200


def test_whoever_saved_the_version_under_review_cannot_approve_it(world):
    world.workflow([{"name": "Review", "kind": "human_review", "deciders": {"role": "editor"}}])
    post = world.create()
    assert world.edit(post["id"], "editor", "Editor's wording").status_code == 200
    world.submit(post["id"])
    r = world.decide(post["id"], "editor")
    assert r.status_code == 403 and "saved the version" in r.get_json()["detail"]


def test_one_person_decides_at_most_one_step_of_a_review(world):
    world.workflow([{"name": "Review", "kind": "human_review", "deciders": {"role": "manager"}},
                    {"name": "Sign-off", "kind": "human_review", "deciders": {"role": "manager"}}])
    post = world.create()
    world.submit(post["id"])
    assert world.decide(post["id"], "manager").status_code == 200
    r = world.decide(post["id"], "manager")
    assert r.status_code == 403 and "already decided" in r.get_json()["detail"]
    assert world.decide(post["id"], "manager2").status_code == 200
    assert world.post(post["id"])["status"] == "approved"


def test_roles_count_only_on_the_posts_unit_and_above(world):
    world.workflow([{"name": "Review", "kind": "human_review", "deciders": {"role": "editor"}}])
    post = world.create()
    world.submit(post["id"])
    assert world.decide(post["id"], "tea_editor").status_code in (403, 404)  # an editor of a sibling brand
    assert world.decide(post["id"], "viewer").status_code == 403


def test_a_step_needing_all_deciders_waits_for_every_one(world):
    world.workflow([{"name": "Both editors", "kind": "human_review", "deciders": {"role": "editor"},
                     "quorum": "all"}])
    post = world.create()
    world.submit(post["id"])
    world.decide(post["id"], "editor")
    assert world.post(post["id"])["status"] == "in_review"
    assert world.approval(post["id"])["steps"][0]["eligible_deciders"] == [world.ids["editor2"]]
    world.decide(post["id"], "editor2")
    assert world.post(post["id"])["status"] == "approved"


def test_a_step_needing_n_approvals_counts_distinct_people(world):
    world.workflow([{"name": "Two managers", "kind": "human_review", "deciders": {"role": "manager"},
                     "quorum": "n", "approvals_needed": 2}])
    post = world.create()
    world.submit(post["id"])
    world.decide(post["id"], "manager")
    assert world.post(post["id"])["status"] == "in_review"
    world.decide(post["id"], "manager2")
    assert world.post(post["id"])["status"] == "approved"


def test_sending_back_returns_the_post_to_its_author_with_the_comment(world, herald_runtime, run_jobs):
    world.workflow(THREE_STEPS)
    post = world.create()
    world.submit(post["id"])
    r = world.decide(post["id"], "editor", "send_back")
    assert r.status_code == 422 and "comment" in r.get_json()["errors"]
    assert world.decide(post["id"], "editor", "send_back", "Shorter, please").status_code == 200
    assert world.post(post["id"])["status"] == "changes_requested"
    run_jobs()
    with herald_runtime.db.transaction() as s:
        notes = s.query(InAppNotification).filter_by(recipient_id=world.ids["creator"], kind="approval.send_back").all()
        assert notes and notes[0].body == "Shorter, please"
    assert world.edit(post["id"], "creator", "Short.").status_code == 200
    assert world.submit(post["id"]).status_code == 200
    state = world.approval(post["id"])
    assert state["version"] == 2 and state["steps"][0]["state"] == "current" and state["decisions"] == []


def test_rejecting_ends_the_post(world):
    world.workflow(THREE_STEPS)
    post = world.create()
    world.submit(post["id"])
    assert world.decide(post["id"], "editor", "reject", "Off-brand").status_code == 200
    assert world.post(post["id"])["status"] == "rejected"
    assert world.edit(post["id"], "creator", "Try again").status_code == 409
    assert world.submit(post["id"]).status_code == 409


def test_an_edit_after_approval_invalidates_it_and_review_starts_again(world, herald_runtime):
    world.workflow(THREE_STEPS)
    post = world.create()
    world.submit(post["id"])
    for who in ("editor", "legal", "manager"):
        world.decide(post["id"], who)
    _gate(herald_runtime, post["id"])
    assert world.edit(post["id"], "editor2", "A sneaky change after approval").status_code == 200
    after = world.post(post["id"])
    assert after["status"] == "in_review" and after["approved_version"] is None
    with pytest.raises(Conflict):
        _gate(herald_runtime, post["id"])
    state = world.approval(post["id"])
    assert state["version"] == 2 and state["current_step"] == 0 and state["decisions"] == []
    assert "approval.invalidated" in _history(world, post["id"])


def test_an_edit_in_review_restarts_at_the_step_the_workflow_names(world):
    world.workflow(THREE_STEPS, restart_from_step=1)
    post = world.create()
    world.submit(post["id"])
    world.decide(post["id"], "editor")
    world.decide(post["id"], "legal")
    assert world.edit(post["id"], "editor2", "Changed during sign-off").status_code == 200
    state = world.approval(post["id"])
    assert state["current_step"] == 1 and [s["state"] for s in state["steps"]] == ["skipped", "current", "waiting"]
    # the legal reviewer must look again, at the new version
    assert world.approval(post["id"])["steps"][1]["eligible_deciders"] == [world.ids["legal"]]


def test_a_decision_for_a_step_the_review_has_left_is_refused(world):
    world.workflow(THREE_STEPS)
    post = world.create()
    world.submit(post["id"])
    world.decide(post["id"], "editor")
    r = world.clients["legal"].post(f"tenants/{world.tid}/posts/{post['id']}/decisions",
                                    {"decision": "approve", "step": 0})
    assert r.status_code == 409


def test_the_style_guide_step_blocks_with_reasons_in_arabic_and_persian(world):
    world.workflow([
        {"name": "Style", "kind": "style_guide",
         "options": {"banned_phrases": ["مجاني"], "required_hashtags": ["قهوة"], "max_emoji": 1}},
        {"name": "Review", "kind": "human_review", "deciders": {"role": "editor"}},
    ])
    post = world.create(text="قهوة مَجّاني ☕☕ اليوم")
    world.submit(post["id"])
    state = world.approval(post["id"])
    assert world.post(post["id"])["status"] == "changes_requested"
    blocked = state["decisions"][0]
    assert blocked["decision"] == "blocked" and state["steps"][0]["state"] == "blocked"
    joined = " ".join(blocked["reasons"])
    assert "مجاني" in joined and "#قهوة" in joined and "2 emoji" in joined
    assert world.edit(post["id"], "creator", "قهوة طازجة #قهوة ☕").status_code == 200
    world.submit(post["id"])
    state = world.approval(post["id"])
    assert [s["state"] for s in state["steps"]] == ["done", "current"]


def test_rules_route_paid_and_regulated_posts_through_legal_and_say_why(world):
    world.workflow([{"name": "Review", "kind": "human_review", "deciders": {"role": "editor"}}])
    world.workflow([{"name": "Legal", "kind": "human_review", "deciders": {"role": "legal_reviewer"}}], key="legal")
    for name, cond, prio in (("Paid goes to legal", {"paid_promotion": True}, 10),
                             ("Regulated accounts go to legal", {"account_labels_any": ["regulated"]}, 20),
                             ("Product line Decaf goes to legal", {"text_contains_any": ["DECAF"]}, 30)):
        r = world.admin.post(f"tenants/{world.tid}/workflow-rules", {
            "org_unit_id": world.unit("coffee"), "name": name, "priority": prio, "conditions": cond,
            "workflow_key": "legal"})
        assert r.status_code == 201, r.get_json()
    plain = world.create()
    paid = world.create(paid_promotion=True)
    regulated = world.create(account="pharma")
    decaf = world.create(text="Try our new decaf")
    for p in (plain, paid, regulated, decaf):
        world.submit(p["id"])
    assert world.approval(plain["id"])["workflow_name"] == "default workflow"
    assert "No rule matched" in world.approval(plain["id"])["chosen_because"]
    assert "Paid goes to legal" in world.approval(paid["id"])["chosen_because"]
    assert "@acme_pharma (regulated)" in world.approval(regulated["id"])["chosen_because"]
    assert "“DECAF”" in world.approval(decaf["id"])["chosen_because"]
    for p in (paid, regulated, decaf):
        assert world.approval(p["id"])["workflow_name"] == "legal workflow"
        assert world.decide(p["id"], "editor").status_code == 403
        assert world.decide(p["id"], "legal").status_code == 200


def test_where_no_workflow_is_defined_a_manager_must_approve(world):
    post = world.create()
    world.submit(post["id"])
    state = world.approval(post["id"])
    assert state["workflow_name"] == "Implicit approval"
    assert world.decide(post["id"], "editor").status_code == 403  # editors lack posts.approve
    assert world.decide(post["id"], "manager").status_code == 200
    assert world.post(post["id"])["status"] == "approved"


def test_an_overdue_step_escalates_to_the_named_role(world, clock, herald_runtime, run_jobs):
    world.workflow([{"name": "Legal", "kind": "human_review", "deciders": {"role": "legal_reviewer"},
                     "deadline_hours": 48, "on_deadline": "escalate", "escalate_to_role": "manager"}])
    post = world.create()
    world.submit(post["id"])
    assert world.approval(post["id"])["steps"][0]["due_at"].startswith("2026-03-04T09:00")
    assert world.decide(post["id"], "manager").status_code == 403  # not yet
    clock[0] += timedelta(hours=40)  # within the last quarter: a reminder
    with herald_runtime.db.transaction() as s:
        assert sweep(s) == 1
    clock[0] += timedelta(hours=9)
    with herald_runtime.db.transaction() as s:
        assert sweep(s) == 1
        assert sweep(s) == 0  # handled once
    run_jobs()
    with herald_runtime.db.transaction() as s:
        kinds = {n.kind for n in s.query(InAppNotification).filter_by(recipient_id=world.ids["manager"])}
        assert "approval.escalated" in kinds
        reminded = {n.kind for n in s.query(InAppNotification).filter_by(recipient_id=world.ids["legal"])}
        assert {"approval.due", "approval.reminder"} <= reminded
    assert world.approval(post["id"])["steps"][0]["escalated_to_role"] == "manager"
    waiting = world.clients["manager"].get(f"tenants/{world.tid}/approvals/waiting").get_json()["items"]
    assert [w["post_id"] for w in waiting] == [post["id"]] and waiting[0]["overdue"] is True
    assert world.decide(post["id"], "manager").status_code == 200
    assert world.post(post["id"])["status"] == "approved"
    assert "approval.escalated" in _history(world, post["id"])


def test_an_overdue_step_can_reject_the_post(world, clock, herald_runtime):
    world.workflow([{"name": "Review", "kind": "human_review", "deciders": {"role": "editor"},
                     "deadline_hours": 24, "on_deadline": "auto_reject"}])
    post = world.create()
    world.submit(post["id"])
    clock[0] += timedelta(hours=25)
    with herald_runtime.db.transaction() as s:
        sweep(s)
    assert world.post(post["id"])["status"] == "rejected"
    assert world.decide(post["id"], "editor").status_code == 409


def test_campaign_posts_take_the_workflows_recurring_due_dates(world):
    world.workflow(THREE_STEPS, due_calendar=[{"step": 0, "day_of_month": 15}, {"step": 1, "day_of_month": 20},
                                              {"step": 2, "day_of_month": -1}])
    r = world.clients["creator"].post(f"tenants/{world.tid}/posts", {
        "org_unit_id": world.unit("coffee"), "campaign": "Spring", "content": world.content()})
    post = r.get_json()
    world.submit(post["id"])
    due = datetime.fromisoformat(world.approval(post["id"])["steps"][0]["due_at"])
    assert due.day == 15 and due >= datetime.now(UTC) - timedelta(days=1)
    world.decide(post["id"], "editor")
    world.decide(post["id"], "legal")
    due = datetime.fromisoformat(world.approval(post["id"])["steps"][2]["due_at"])
    assert (due + timedelta(days=1)).day == 1  # the last day of its month


def test_waiting_for_me_lists_only_what_i_may_decide_now(world):
    world.workflow(THREE_STEPS)
    first, second = world.create(), world.create()
    world.submit(first["id"])
    world.submit(second["id"])
    world.decide(first["id"], "editor")

    def waiting(who: str) -> list[str]:
        return [w["post_id"] for w in
                world.clients[who].get(f"tenants/{world.tid}/approvals/waiting").get_json()["items"]]
    assert waiting("legal") == [first["id"]]
    assert waiting("editor") == [second["id"]]
    assert waiting("editor2") == [second["id"]]
    assert waiting("creator") == []


def test_withdrawing_returns_the_post_to_draft(world, herald_runtime):
    world.workflow(THREE_STEPS)
    post = world.create()
    world.submit(post["id"])
    assert world.clients["creator"].post(f"tenants/{world.tid}/posts/{post['id']}/withdraw").status_code == 204
    assert world.post(post["id"])["status"] == "draft"
    assert world.decide(post["id"], "editor").status_code == 409


def test_only_drafts_and_sent_back_posts_can_be_submitted(world):
    world.workflow(THREE_STEPS)
    post = world.create()
    assert world.submit(post["id"]).status_code == 200
    r = world.submit(post["id"])
    assert r.status_code == 409 and "in review" in r.get_json()["detail"]
    assert world.submit(post["id"], who="viewer").status_code == 403


EXTERNAL_STEPS = [{"name": "Editorial review", "kind": "human_review", "deciders": {"role": "editor"}},
                  {"name": "Client sign-off", "kind": "human_review", "deciders": {"external": True}}]


def _invite(world, post_id: str, who: str = "manager", **extra):  # type: ignore[no-untyped-def]
    body = {"name": "Dana Client", "email": "dana@client.example", **extra}
    return world.clients[who].post(f"tenants/{world.tid}/posts/{post_id}/external-reviews", body)


def test_an_external_reviewer_approves_through_a_signed_link_and_is_audited(world, client):
    world.workflow(EXTERNAL_STEPS)
    post = world.create()
    world.submit(post["id"])
    r = _invite(world, post["id"])
    assert r.status_code == 201, r.get_json()
    token = r.get_json()["token"]
    listed = world.admin.get(f"tenants/{world.tid}/posts/{post['id']}/external-reviews").get_json()["items"]
    assert "token" not in listed[0] or listed[0]["token"] is None  # shown once
    seen = client.get(f"/api/v1/external-reviews/{token}").get_json()
    assert seen["content"]["variants"][0]["text"] == "Fresh coffee today" and seen["may_decide"] is False
    r = client.post(f"/api/v1/external-reviews/{token}/decision", json={"decision": "approve"})
    assert r.status_code == 403  # the editorial step is not open to outsiders
    world.decide(post["id"], "editor")
    assert client.get(f"/api/v1/external-reviews/{token}").get_json()["may_decide"] is True
    assert client.post(f"/api/v1/external-reviews/{token}/comments", json={"body": "Looks good"}).status_code == 201
    r = client.post(f"/api/v1/external-reviews/{token}/decision", json={"decision": "approve"})
    assert r.status_code == 200, r.get_json()
    assert world.post(post["id"])["status"] == "approved"
    events = world.admin.get(f"tenants/{world.tid}/posts/{post['id']}/history",
                             query_string={"limit": 200}).get_json()["items"]
    decided = [e for e in events if e["action"] == "approval.decided"][-1]
    assert decided["actor_label"] == "Dana Client <dana@client.example> (external reviewer)"
    invited = next(e for e in events if e["action"] == "external_review.invited")
    assert decided["after"]["external_review_id"] == invited["after"]["external_review_id"]


def test_external_links_stop_working_when_expired_revoked_or_altered(world, client, clock):
    world.workflow(EXTERNAL_STEPS)
    post = world.create()
    world.submit(post["id"])
    first = _invite(world, post["id"], expires_in_hours=24).get_json()
    second = _invite(world, post["id"]).get_json()
    tampered = second["token"][:-2] + ("AA" if not second["token"].endswith("AA") else "BB")
    assert client.get(f"/api/v1/external-reviews/{tampered}").status_code == 403
    assert client.get("/api/v1/external-reviews/not-a-token").status_code == 403
    world.clients["manager"].delete(f"tenants/{world.tid}/posts/{post['id']}/external-reviews/{second['id']}")
    assert client.get(f"/api/v1/external-reviews/{second['token']}").status_code == 403
    assert client.get(f"/api/v1/external-reviews/{first['token']}").status_code == 200
    clock[0] += timedelta(hours=25)
    r = client.get(f"/api/v1/external-reviews/{first['token']}")
    assert r.status_code == 403 and "expired" in r.get_json()["detail"]


def test_a_comment_only_link_cannot_decide_and_only_approvers_invite_deciders(world, client):
    world.workflow(EXTERNAL_STEPS)
    post = world.create()
    world.submit(post["id"])
    world.decide(post["id"], "editor")
    assert _invite(world, post["id"], who="creator").status_code == 403
    token = _invite(world, post["id"], who="creator", can_decide=False).get_json()["token"]
    r = client.post(f"/api/v1/external-reviews/{token}/decision", json={"decision": "approve"})
    assert r.status_code == 403
    assert world.post(post["id"])["status"] == "in_review"
    # nobody inside can stand in for the required external approval
    assert world.decide(post["id"], "manager").status_code == 403


def test_a_token_without_the_approve_scope_cannot_decide(world, api):
    world.workflow([{"name": "Review", "kind": "human_review", "deciders": {"role": "editor"}}])
    post = world.create()
    world.submit(post["id"])
    issued = world.clients["editor"].post("me/tokens", {"name": "ci", "scopes": ["read", "write"]}).get_json()
    narrow = api(issued["token"])
    r = narrow.post(f"tenants/{world.tid}/posts/{post['id']}/decisions", {"decision": "approve"})
    assert r.status_code == 403 and "approve scope" in r.get_json()["detail"]
    assert world.post(post["id"])["status"] == "in_review"
    issued = world.clients["editor"].post("me/tokens", {"name": "reviews", "scopes": ["approve"]}).get_json()
    r = api(issued["token"]).post(f"tenants/{world.tid}/posts/{post['id']}/decisions", {"decision": "approve"})
    assert r.status_code == 200, r.get_json()
