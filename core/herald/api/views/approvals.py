"""Reviewing posts: submit, decide (approve / send back / reject), withdraw, the state of a
post's review, and what is waiting for me."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, tuple_

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import Page, paginate
from herald.api.schemas.common import ListQuery
from herald.api.schemas.content import CommentOut
from herald.api.schemas.workflows import (
    ApprovalOut,
    DecisionIn,
    ExternalComment,
    ExternalDecision,
    ExternalInvite,
    ExternalReviewOut,
    ExternalView,
    SubmitBody,
    WaitingOut,
)
from herald.approvals import engine, external
from herald.approvals.deciders import approvals_needed
from herald.approvals.models import ApprovalRun, ExternalReview
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.content.models import Post, PostVersion
from herald.content.service import get_post

TAG = "Approvals"
POST = "/tenants/<tenant_id>/posts/<post_id>"


def _step_state(run: ApprovalRun, index: int, decided: list[Any]) -> str:
    if index < run.start_step:
        return "skipped"
    last = [d for d in decided if d.step_index == index]
    if any(d.decision == "blocked" for d in last):
        return "blocked"
    if any(d.decision == "send_back" for d in last):
        return "sent_back"
    if any(d.decision == "reject" for d in last):
        return "rejected"
    if run.status == "approved" or index < run.current_step:
        return "done"
    if index == run.current_step and run.status == "active":
        return "current"
    return "waiting"


def approval_out(post: Post, run: ApprovalRun) -> dict[str, Any]:
    session = db()
    decided = engine.decisions(session, run)
    steps = []
    for i, step in enumerate(run.steps):
        current = i == run.current_step and run.status == "active"
        eligible = engine.step_eligible(session, post, run, i) if current else set()
        steps.append({
            "index": i, "name": step["name"], "kind": step["kind"], "state": _step_state(run, i, decided),
            "due_at": run.step_due_at if current else None,
            "approvals": len([d for d in decided if d.step_index == i and d.decision in ("approve", "passed")]),
            "approvals_needed": approvals_needed(step, eligible | {d.decider_id for d in decided
                                                                   if d.step_index == i and d.decider_id}),
            "eligible_deciders": sorted(eligible), "escalated_to_role": run.escalated_to_role if current else None,
        })
    return {"run_id": run.id, "post_id": post.id, "post_status": post.status, "version": run.version,
            "current_version": post.current_version, "approved_version": post.approved_version,
            "status": run.status, "workflow_name": run.workflow_name, "workflow_id": run.workflow_id,
            "rule_id": run.rule_id, "chosen_because": run.chosen_because, "current_step": run.current_step,
            "steps": steps, "decisions": decided, "started_at": run.started_at, "finished_at": run.finished_at}


@endpoint(bp, POST + "/submit", "POST", summary="Submit the current version for review", tag=TAG,
          body=SubmitBody, response=ApprovalOut)
def submit(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    run = engine.submit(session, actor(), tenant_id, post_id)
    session.commit()
    return approval_out(session.get(Post, post_id), run)  # type: ignore[arg-type]


@endpoint(bp, POST + "/withdraw", "POST", summary="Take the post out of review, back to draft", tag=TAG,
          status=204)
def withdraw(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    engine.withdraw(db(), actor(), tenant_id, post_id)
    db().commit()


@endpoint(bp, POST + "/decisions", "POST",
          summary="Decide at the current step: approve, send back for changes, or reject (with a comment)",
          tag=TAG, body=DecisionIn, response=ApprovalOut)
def decide(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    run = engine.decide(session, actor(), tenant_id, post_id, **body)
    session.commit()
    return approval_out(session.get(Post, post_id), run)  # type: ignore[arg-type]


@endpoint(bp, POST + "/approval", "GET",
          summary="The post's review: workflow, why it applies, each step's state, decisions", tag=TAG,
          response=ApprovalOut)
def get_approval(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    post = get_post(db(), actor(), tenant_id, post_id)
    return approval_out(post, engine.require_run(db(), post))


@endpoint(bp, "/tenants/<tenant_id>/approvals/waiting", "GET",
          summary="Posts waiting for my decision, soonest deadline first", tag=TAG, response=WaitingOut, many=True)
def waiting(tenant_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)
    now = utcnow()
    waiting_rows = engine.waiting_for(session, who, tenant_id)
    titles = {(post_id, number): (content or {}).get("title", "") for post_id, number, content in session.execute(
        select(PostVersion.post_id, PostVersion.number, PostVersion.content).where(
            tuple_(PostVersion.post_id, PostVersion.number).in_([(p.id, r.version) for p, r, _ in waiting_rows])))
    } if waiting_rows else {}
    return Page([{"post_id": post.id, "org_unit_id": post.org_unit_id,
             "title": titles.get((post.id, run.version), ""), "version": run.version,
             "step_index": run.current_step, "step_name": run.steps[run.current_step]["name"], "due_at": due,
             "overdue": bool(due and due <= now), "workflow_name": run.workflow_name}
                 for post, run, due in waiting_rows], None)


# ----------------------------------------------------------------------------- external reviewers
@endpoint(bp, POST + "/external-reviews", "POST",
          summary="Invite an external reviewer: a signed, expiring link to this post (the token is shown once)",
          tag=TAG, body=ExternalInvite, response=ExternalReviewOut, status=201)
def invite_external(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    review, token = external.invite(session, actor(), tenant_id, post_id, **body)
    session.commit()
    fields = [f for f in ExternalReviewOut().fields if f not in ("token", "link")]
    return {**{f: getattr(review, f) for f in fields}, "token": token, "link": f"/external/reviews/{token}"}


@endpoint(bp, POST + "/external-reviews", "GET", summary="External reviewers invited to this post", tag=TAG,
          query=ListQuery, response=ExternalReviewOut, many=True)
def list_external(tenant_id: str, post_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    post = get_post(db(), actor(), tenant_id, post_id)
    stmt = select(ExternalReview).where(ExternalReview.post_id == post.id)
    return paginate(db(), stmt, [ExternalReview.created_at, ExternalReview.id], query["limit"], query["cursor"])


@endpoint(bp, POST + "/external-reviews/<review_id>", "DELETE", summary="Revoke an external reviewer's link",
          tag=TAG, status=204)
def revoke_external(tenant_id: str, post_id: str, review_id: str):  # type: ignore[no-untyped-def]
    external.revoke(db(), actor(), tenant_id, post_id, review_id)
    db().commit()


@endpoint(bp, "/external-reviews/<token>", "GET", summary="(External reviewer) the post this link opens",
          tag=TAG, response=ExternalView, public=True)
def external_view(token: str):  # type: ignore[no-untyped-def]
    session = db()
    out = external.view(session, token)
    session.commit()
    return out


@endpoint(bp, "/external-reviews/<token>/decision", "POST",
          summary="(External reviewer) approve, send back or reject", tag=TAG, body=ExternalDecision,
          response=ExternalView, public=True)
def external_decide(token: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    out = external.decide(session, token, **body)
    session.commit()
    return out


@endpoint(bp, "/external-reviews/<token>/comments", "POST", summary="(External reviewer) comment on the post",
          tag=TAG, body=ExternalComment, response=CommentOut, status=201, public=True)
def external_comment(token: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    note = external.comment(session, token, body["body"])
    session.commit()
    return note
