"""Property: whatever sequence of API calls random people make — writing, editing, submitting,
deciding, withdrawing, inviting outsiders, redefining workflows, letting deadlines pass,
scheduling one post or many, publishing now — no post is ever publishable, scheduled or
published without every required approval of its current version, each from a permitted person
who is neither its author nor the author of that version, no person counting twice.

The check below re-derives "permitted" from grants and the run's step definitions on its own;
it shares no code with the approval engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from approvals_world import THREE_STEPS, build_world
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from sqlalchemy import select

from herald.approvals.deadlines import sweep
from herald.approvals.gate import is_publishable
from herald.approvals.models import ApprovalDecision, ApprovalRun
from herald.clock import set_clock
from herald.content.models import Post, PostVersion
from herald.people.models import Grant
from herald.publishing.models import Publication
from herald.tenancy.models import OrgUnit

WORKFLOWS: list[list[dict[str, Any]]] = [
    [{"name": "Editor", "kind": "human_review", "deciders": {"role": "editor"}}],
    THREE_STEPS,
    [{"name": "Two managers", "kind": "human_review", "deciders": {"role": "manager"}, "quorum": "n",
      "approvals_needed": 2}],
    [{"name": "Every editor", "kind": "human_review", "deciders": {"role": "editor"}, "quorum": "all"}],
    [{"name": "Style", "kind": "style_guide", "options": {"banned_phrases": ["free"]}},
     {"name": "Legal", "kind": "human_review", "deciders": {"role": "legal_reviewer"}, "deadline_hours": 2,
      "on_deadline": "escalate", "escalate_to_role": "manager"}],
    [{"name": "Editor", "kind": "human_review", "deciders": {"role": "editor"}},
     {"name": "Client", "kind": "human_review", "deciders": {"external": True}}],
    [{"name": "Named", "kind": "human_review", "deciders": {"users": []}, "deadline_hours": 1,
      "on_deadline": "auto_reject"}],
]
PEOPLE = ["admin", "creator", "creator2", "editor", "editor2", "legal", "manager", "manager2", "tea_editor",
          "viewer"]
TEXTS = ["Fresh coffee", "Free coffee for everyone", "قهوة طازجة", "Новый вкус", "New decaf 🎉"]
ACTIONS = ["create", "edit", "submit", "submit", "decide", "decide", "decide", "decide", "decide", "withdraw",
           "workflow", "external", "time", "unlock", "schedule", "schedule", "bulk", "publish"]


def _required_approvals_hold(s: Any, post: Post) -> str | None:
    """None if the current version carries every required approval, else what is missing."""
    run = s.execute(select(ApprovalRun).where(ApprovalRun.post_id == post.id, ApprovalRun.status == "approved",
                                              ApprovalRun.version == post.current_version)).scalars().first()
    if run is None:
        return "no approved review of the current version"
    if run.start_step != 0:
        return "review did not cover every step"
    saved_by = s.execute(select(PostVersion.author_id).where(
        PostVersion.post_id == post.id, PostVersion.number == run.version)).scalar_one()
    authors = {post.author_id, saved_by}
    unit = s.get(OrgUnit, post.org_unit_id)
    decs = list(s.execute(select(ApprovalDecision).where(ApprovalDecision.run_id == run.id)).scalars())
    people = [d.decider_id for d in decs if d.decider_id and d.decision == "approve"]
    if len(people) != len(set(people)):
        return "a person counted twice"
    for i, step in enumerate(run.steps):
        at = [d for d in decs if d.step_index == i]
        if step["kind"] == "style_guide":
            if not any(d.decision == "passed" for d in at):
                return f"step {i} was not passed"
            continue
        deciders = step.get("deciders") or {}
        approvals = [d for d in at if d.decision == "approve"]
        if deciders.get("external") and not any(d.external_review_id for d in approvals):
            return f"step {i} lacks the external approval"
        named = set(deciders.get("users") or [])
        roles = {deciders.get("role")} - {None}
        if step.get("on_deadline") == "escalate":
            roles.add(step["escalate_to_role"])  # may have been escalated
        if deciders.get("permission"):
            roles |= {"manager", "tenant_admin"}  # the roles carrying posts.approve in this world
        ok = set()
        for d in approvals:
            if not d.decider_id:
                continue
            if d.decider_id in authors:
                return f"an author approved step {i}"
            granted = s.execute(select(Grant.id).where(
                Grant.user_id == d.decider_id, Grant.role_key.in_(roles),
                Grant.org_unit_id.in_(unit.ancestor_ids))).first()
            if not granted and d.decider_id not in named:
                return f"an unauthorised person approved step {i}"
            ok.add(d.decider_id)
        if roles or named:
            needed = step.get("approvals_needed", 1) if step.get("quorum") == "n" else 1
            if len(ok) < needed:
                return f"step {i} has {len(ok)} of {needed} approvals"
    return None


def _author_name(world: Any, rt: Any, post_id: str, which: str) -> str:
    with rt.db.transaction() as s:
        post = s.get(Post, post_id)
        user_id = post.author_id if which == "author" else s.execute(select(PostVersion.author_id).where(
            PostVersion.post_id == post_id, PostVersion.number == post.current_version)).scalar_one()
    return next(name for name, uid in world.ids.items() if uid == user_id)


@pytest.fixture
def new_world(seed, api, register_plugin):  # type: ignore[no-untyped-def]
    """A fresh tenant per example, so that every example (and its replay) starts the same."""
    from approvals_world import ReviewNetPlugin

    register_plugin(ReviewNetPlugin(), "reviewnet")
    count = iter(range(10_000))
    return lambda: build_world(seed, api, None, slug=f"prop{next(count)}")


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_sequence_of_calls_makes_a_post_publishable_without_its_approvals(new_world, client, herald_runtime,
                                                                           data):
    world = new_world()
    now = [datetime(2026, 5, 4, 9, 0, tzinfo=UTC)]
    set_clock(lambda: now[0])
    posts: list[str] = []
    tokens: list[str] = []
    world.admin.request("PUT", f"tenants/{world.tid}/org-units/{world.unit('root')}/workflow",
                        json={"name": "start", "steps": WORKFLOWS[0]})
    try:
        for _ in range(data.draw(st.integers(min_value=20, max_value=40), label="steps")):
            action = data.draw(st.sampled_from(ACTIONS), label="action")
            pid = data.draw(st.sampled_from(posts), label="post") if posts else None
            who = data.draw(st.sampled_from([*PEOPLE, "author", "last editor"]), label="who")
            if who in ("author", "last editor"):  # the people most tempted to approve their own work
                who = _author_name(world, herald_runtime, pid, who) if pid else "creator"
            call = world.admin if who == "admin" else world.clients[who]
            base = f"tenants/{world.tid}/posts"
            if action == "create" or pid is None:
                unit = data.draw(st.sampled_from(["coffee", "dubai", "root"]), label="unit")
                r = call.post(base, {"org_unit_id": world.unit(unit), "content": world.content(
                    data.draw(st.sampled_from(TEXTS), label="text"))})
                if r.status_code == 201:
                    posts.append(r.get_json()["id"])
            elif action == "edit":
                current = world.admin.get(f"{base}/{pid}").get_json()["current_version"]
                call.request("PUT", f"{base}/{pid}/content", json={
                    "base_version": current, "content": world.content(data.draw(st.sampled_from(TEXTS)))})
                call.delete(f"{base}/{pid}/lease")
            elif action == "submit":
                call.post(f"{base}/{pid}/submit", {})
            elif action == "decide":
                decision = data.draw(st.sampled_from(["approve"] * 8 + ["send_back", "reject"]), label="decision")
                call.post(f"{base}/{pid}/decisions", {"decision": decision, "comment": "because"})
            elif action == "withdraw":
                call.post(f"{base}/{pid}/withdraw")
            elif action == "workflow":
                steps = data.draw(st.sampled_from(WORKFLOWS), label="workflow")
                if steps[0]["name"] == "Named":
                    steps = [{**steps[0], "deciders": {"users": [world.ids[data.draw(st.sampled_from(PEOPLE))]]}}]
                unit = data.draw(st.sampled_from(["root", "coffee"]), label="workflow unit")
                call.request("PUT", f"tenants/{world.tid}/org-units/{world.unit(unit)}/workflow",
                             json={"name": "w", "steps": steps})
            elif action == "external":
                r = call.post(f"{base}/{pid}/external-reviews", {"name": "Ext", "email": "ext@client.example"})
                if r.status_code == 201:
                    tokens.append(r.get_json()["token"])
                if tokens:
                    token = data.draw(st.sampled_from(tokens), label="token")
                    client.post(f"/api/v1/external-reviews/{token}/decision",
                                json={"decision": data.draw(st.sampled_from(["approve", "send_back"])),
                                      "comment": "external"})
            elif action == "time":
                now[0] += timedelta(hours=data.draw(st.integers(min_value=1, max_value=5)))
                with herald_runtime.db.transaction() as s:
                    sweep(s)
            elif action == "unlock":
                world.clients["manager"].post(f"{base}/{pid}/lease/break")
            elif action == "schedule":
                call.post(f"{base}/{pid}/schedule", {"at": (now[0] + timedelta(days=2)).isoformat()})
            elif action == "bulk":
                call.post(f"{base}/bulk-schedule", {"post_ids": posts[-5:],
                                                    "at": (now[0] + timedelta(days=3)).isoformat()})
            elif action == "publish":
                call.post(f"{base}/{pid}/publish", {})
            with herald_runtime.db.transaction() as s:
                for post in s.execute(select(Post).where(Post.tenant_id == world.tid)).scalars():
                    active = s.execute(select(ApprovalRun.id).where(
                        ApprovalRun.post_id == post.id, ApprovalRun.status == "active")).all()
                    assert len(active) <= 1, "two reviews under way at once"
                    going_out = s.execute(select(Publication.id).where(
                        Publication.post_id == post.id,
                        Publication.state.in_(("scheduled", "publishing", "published")))).first()
                    if is_publishable(post) or going_out:
                        problem = _required_approvals_hold(s, post)
                        assert problem is None, (f"{post.id} is publishable or scheduled but {problem} "
                                                 f"(after {action} by {who})")
                    else:
                        assert post.approved_version is None or post.status not in ("in_review", "draft")
    finally:
        set_clock(None)
    with herald_runtime.db.transaction() as s:
        approved = s.execute(select(ApprovalRun.id).where(ApprovalRun.tenant_id == world.tid,
                                                          ApprovalRun.status == "approved")).all()
    target(float(len(approved)), label="approved reviews")  # steer towards sequences that get posts approved
