"""Running a post's versions through approval workflows.

Lifecycle: draft → in_review (step k of n) → approved; a decider may send it back for changes
(it returns to the author as changes_requested) or reject it (the end). Submitting starts a
*run*: one version through a snapshot of the chosen workflow. Automatic steps are judged at
once; people decide the others, with a quorum (any one, all, or N of the eligible deciders).
Editing a post under review or approved supersedes the run: approvals already given no longer
count, and review restarts at the step the workflow names, on the new version.

Every transition and decision is an audit event on the post, so its history tells the story."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.approvals.deadlines import due_at
from herald.approvals.deciders import approvals_needed, authors_of, decidable_by, eligible_users
from herald.approvals.models import ApprovalDecision, ApprovalRun, Workflow
from herald.approvals.rules import choose
from herald.authz import Actor
from herald.clock import utcnow
from herald.content.models import Post
from herald.content.service import get_post, version
from herald.errors import Conflict, Forbidden, NotFound, ValidationFailed
from herald.events.bus import emit
from herald.notifications.notifier import Notification
from herald.notifications.send import send
from herald.people.models import User
from herald.runtime import current

SUBMITTABLE = ("draft", "changes_requested")
#: states in which an edit invalidates the review under way (or the approval given).
UNDER_REVIEW_OR_APPROVED = ("in_review", "approved", "scheduled", "failed")
PERSON_DECISIONS = ("approve", "send_back", "reject")
#: a scoped token must carry one of these to decide (eligibility itself comes from the step's roles).
DECIDING_PERMISSIONS = frozenset({"posts.review", "posts.legal_review", "posts.approve"})


# ----------------------------------------------------------------------------- queries
def active_run(session: Session, post: Post) -> ApprovalRun | None:
    return session.execute(
        select(ApprovalRun).where(ApprovalRun.post_id == post.id, ApprovalRun.status == "active")
    ).scalar_one_or_none()


def latest_run(session: Session, post: Post) -> ApprovalRun | None:
    return session.execute(
        select(ApprovalRun).where(ApprovalRun.post_id == post.id)
        .order_by(ApprovalRun.started_at.desc(), ApprovalRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def decisions(session: Session, run: ApprovalRun, step: int | None = None) -> list[ApprovalDecision]:
    stmt = select(ApprovalDecision).where(ApprovalDecision.run_id == run.id)
    if step is not None:
        stmt = stmt.where(ApprovalDecision.step_index == step)
    return list(session.execute(stmt.order_by(ApprovalDecision.created_at, ApprovalDecision.id)).scalars())


def step_eligible(session: Session, post: Post, run: ApprovalRun, index: int) -> set[str]:
    """Who may still decide step ``index``: eligible people who have not decided any step of
    this run yet (one person, one decision per review)."""
    step = run.steps[index]
    escalated = run.escalated_to_role if index == run.current_step else None
    already = {d.decider_id for d in decisions(session, run) if d.decider_id}
    return eligible_users(session, post, run.version, step, escalated) - already


def _post_dict(session: Session, post: Post, number: int) -> dict[str, Any]:
    return {"id": post.id, "org_unit_id": post.org_unit_id, "campaign": post.campaign, "version": number,
            "content": version(session, post, number).content}


def notify_people(session: Session, post: Post, user_ids: set[str] | list[str], kind: str, title: str,
            body: str = "") -> None:
    for user in session.execute(select(User).where(User.id.in_(set(user_ids)))).scalars():
        send(session, Notification(post.tenant_id, user.id, user.email, kind, title, body[:1000],
                                   link=f"/posts/{post.id}", data={"post_id": post.id}))


def record_on_post(session: Session, actor: Actor | None, post: Post, action: str, **after: Any) -> None:
    audit.record(session, actor, action, "post", post.id, tenant_id=post.tenant_id, after=after)


# ----------------------------------------------------------------------------- running
def _start_run(session: Session, actor: Actor, post: Post, start_from: int | None = None) -> ApprovalRun:
    content = version(session, post, post.current_version).content
    chosen = choose(session, post, content)
    start = min(start_from if start_from is not None else 0, len(chosen.steps) - 1)
    run = ApprovalRun(tenant_id=post.tenant_id, post_id=post.id, version=post.current_version,
                      workflow_id=chosen.workflow.id if chosen.workflow else None, workflow_name=chosen.name,
                      steps=chosen.steps, rule_id=chosen.rule.id if chosen.rule else None,
                      chosen_because=chosen.because[:1000], status="active", start_step=start, current_step=start,
                      submitted_by=actor.user_id, started_at=utcnow(), step_started_at=utcnow())
    session.add(run)
    post.status = "in_review"
    post.approved_version = None
    session.flush()
    record_on_post(session, actor, post, "approval.started", run_id=run.id, version=run.version,
            workflow=run.workflow_name, workflow_id=run.workflow_id, rule_id=run.rule_id,
            chosen_because=run.chosen_because, start_step=start, steps=[s["name"] for s in run.steps])
    _enter_step(session, post, run, start)
    return run


def _enter_step(session: Session, post: Post, run: ApprovalRun, index: int) -> None:
    """Move ``run`` to step ``index`` and judge it if it is automatic; finishes the run when
    the last step is done."""
    while True:
        if index >= len(run.steps):
            _finish_approved(session, post, run)
            return
        step = run.steps[index]
        run.current_step = index
        run.step_started_at = utcnow()
        run.step_due_at = due_at(session, post, run, index, run.step_started_at)
        run.reminded_at = run.overdue_handled_at = None
        run.escalated_to_role = None
        session.flush()
        kinds = current().plugins.for_tenant(session, post.tenant_id)
        kind = kinds.instance("herald_approval_step_kinds", step["kind"])
        if kind is None:
            _block(session, post, run, index, [f"The step kind {step['kind']!r} is no longer enabled for this "
                                               "tenant; an administrator must enable it or change the workflow."])
            return
        if getattr(kind, "needs_people", False):
            record_on_post(session, None, post, "approval.step_started", run_id=run.id, step=index,
                           step_name=step["name"], due_at=run.step_due_at)
            notify_people(session, post, step_eligible(session, post, run, index), "approval.due",
                    f"A post is waiting for your review: {step['name']}",
                    f"Due {run.step_due_at.isoformat()}" if run.step_due_at else "")
            return
        outcome = kind.evaluate(_post_dict(session, post, run.version), step.get("options") or {})  # type: ignore[attr-defined]
        if outcome.verdict == "passed":
            session.add(ApprovalDecision(run_id=run.id, post_id=post.id, version=run.version, step_index=index,
                                         decider_label=f"step:{step['kind']}", decision="passed",
                                         reasons=list(outcome.reasons)))
            record_on_post(session, None, post, "approval.step_passed", run_id=run.id, step=index,
                           step_name=step["name"])
            index += 1
            continue
        _block(session, post, run, index, list(outcome.reasons) or ["The check did not pass."])
        return


def _block(session: Session, post: Post, run: ApprovalRun, index: int, reasons: list[str]) -> None:
    step = run.steps[index]
    session.add(ApprovalDecision(run_id=run.id, post_id=post.id, version=run.version, step_index=index,
                                 decider_label=f"step:{step['kind']}", decision="blocked", reasons=reasons))
    run.status = "changes_requested"
    run.finished_at = utcnow()
    post.status = "changes_requested"
    session.flush()
    record_on_post(session, None, post, "approval.step_blocked", run_id=run.id, step=index, step_name=step["name"],
            reasons=reasons)
    notify_people(session, post, [post.author_id], "approval.blocked", f"{step['name']} stopped your post",
            "\n".join(reasons))


def _finish_approved(session: Session, post: Post, run: ApprovalRun) -> None:
    run.status = "approved"
    run.finished_at = utcnow()
    post.status = "approved"
    post.approved_version = run.version
    session.flush()
    record_on_post(session, None, post, "post.approved", run_id=run.id, version=run.version)
    emit(session, post.tenant_id, "post.approved", {"id": post.id, "version": run.version})
    notify_people(session, post, [post.author_id], "approval.approved", "Your post was approved")


# ----------------------------------------------------------------------------- actions
def submit(session: Session, actor: Actor, tenant_id: str, post_id: str) -> ApprovalRun:
    """Send the current version for review (author or any editor of the post)."""
    post = get_post(session, actor, tenant_id, post_id, "posts.edit")
    session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    session.refresh(post)
    if post.status not in SUBMITTABLE:
        raise Conflict(f"The post is {post.status.replace('_', ' ')}; only drafts and posts sent back for "
                       "changes can be submitted.", post_status=post.status)
    record_on_post(session, actor, post, "post.submitted", version=post.current_version)
    return _start_run(session, actor, post)


def start_review(session: Session, actor: Actor, post: Post) -> ApprovalRun:
    """Send a new post's first version for review on behalf of a caller that checked its own
    permission (the inbox, for a governed reply: ``inbox.reply`` on the conversation). The
    workflow, rules and separation of duties are the same as for any post."""
    if post.status not in SUBMITTABLE:
        raise Conflict(f"The post is {post.status.replace('_', ' ')}; it cannot be submitted.", post_status=post.status)
    record_on_post(session, actor, post, "post.submitted", version=post.current_version)
    return _start_run(session, actor, post)


def withdraw(session: Session, actor: Actor, tenant_id: str, post_id: str) -> Post:
    """Take a post out of review (or an approved, unscheduled post back) to draft."""
    post = get_post(session, actor, tenant_id, post_id, "posts.edit")
    if post.status not in ("in_review", "approved"):
        raise Conflict(f"The post is {post.status.replace('_', ' ')}; only posts in review or approved can be "
                       "withdrawn.", post_status=post.status)
    run = active_run(session, post)
    if run is not None:
        run.status, run.finished_at = "superseded", utcnow()
    post.status, post.approved_version = "draft", None
    session.flush()
    record_on_post(session, actor, post, "post.withdrawn", version=post.current_version)
    return post


def decide(session: Session, actor: Actor, tenant_id: str, post_id: str, *, decision: str, comment: str = "",
           step: int | None = None) -> ApprovalRun:
    """A person's decision at the current step of the post's review."""
    post = get_post(session, actor, tenant_id, post_id)
    if actor.permission_cap is not None and not actor.permission_cap & DECIDING_PERMISSIONS:
        raise Forbidden("This token's scopes do not allow deciding on reviews; it needs the approve scope.")
    session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
    session.refresh(post)
    run = active_run(session, post)
    if run is None or post.status != "in_review":
        raise Conflict("The post is not waiting for a decision.", post_status=post.status)
    if step is not None and step != run.current_step:
        raise Conflict(f"The review is at step {run.current_step + 1}, not step {step + 1}; reload the post.",
                       current_step=run.current_step)
    return _decide(session, actor, post, run, decision=decision, comment=comment, decider_id=actor.user_id,
                   decider_label=actor.label)


def decide_as(session: Session, actor: Actor, post: Post, run: ApprovalRun, *, decision: str, comment: str,
              external_review_id: str) -> ApprovalRun:
    """An external reviewer's decision (see :mod:`herald.approvals.external`)."""
    return _decide(session, actor, post, run, decision=decision, comment=comment, decider_id=None,
                   decider_label=actor.label, external_review_id=external_review_id)


def _decide(session: Session, actor: Actor | None, post: Post, run: ApprovalRun, *, decision: str, comment: str,
            decider_id: str | None, decider_label: str, external_review_id: str | None = None) -> ApprovalRun:
    if decision not in PERSON_DECISIONS:
        raise ValidationFailed("Unknown decision.", {"decision": [f"One of {', '.join(PERSON_DECISIONS)}."]})
    if decision in ("send_back", "reject") and not comment.strip():
        raise ValidationFailed("Say why.", {"comment": ["A comment is required to send back or reject."]})
    index = run.current_step
    step = run.steps[index]
    if external_review_id is None:
        if decider_id not in step_eligible(session, post, run, index):
            raise Forbidden(_why_not(session, post, run, index, decider_id or ""))
    elif not (step.get("deciders") or {}).get("external"):
        raise Forbidden("This step is not open to external reviewers.")
    session.add(ApprovalDecision(run_id=run.id, post_id=post.id, version=run.version, step_index=index,
                                 decider_id=decider_id, external_review_id=external_review_id,
                                 decider_label=decider_label, decision=decision, comment=comment))
    session.flush()
    record_on_post(session, actor, post, "approval.decided", run_id=run.id, step=index, step_name=step["name"],
            decision=decision, comment=comment, decider=decider_label, external_review_id=external_review_id)
    if decision == "approve":
        if _step_complete(session, post, run, index):
            _enter_step(session, post, run, index + 1)
        return run
    run.status = "changes_requested" if decision == "send_back" else "rejected"
    run.finished_at = utcnow()
    post.status = run.status
    session.flush()
    outcome = "post.changes_requested" if decision == "send_back" else "post.rejected"
    record_on_post(session, actor, post, outcome, run_id=run.id, step=index, comment=comment)
    emit(session, post.tenant_id, outcome, {"id": post.id, "version": run.version, "comment": comment})
    notify_people(session, post, [post.author_id], f"approval.{decision}",
            "Your post was sent back for changes" if decision == "send_back" else "Your post was rejected", comment)
    return run


def _step_complete(session: Session, post: Post, run: ApprovalRun, index: int) -> bool:
    """An external reviewer's approval when the step requires one, and the people's quorum
    when the step names people (a role or users)."""
    step = run.steps[index]
    approvals = [d for d in decisions(session, run, index) if d.decision == "approve"]
    deciders = step.get("deciders") or {}
    if deciders.get("external") and not any(d.external_review_id for d in approvals):
        return False
    if not (deciders.get("role") or deciders.get("users") or deciders.get("permission")):
        return True
    people = {d.decider_id for d in approvals if d.decider_id}
    if step.get("quorum") == "all":
        return bool(people) and not step_eligible(session, post, run, index)
    return len(people) >= approvals_needed(step, set())


def _why_not(session: Session, post: Post, run: ApprovalRun, index: int, user_id: str) -> str:
    if user_id == post.author_id:
        return "Authors cannot approve their own posts."
    if user_id in authors_of(session, post, run.version):
        return "You saved the version under review; another person must decide."
    if user_id in {d.decider_id for d in decisions(session, run)}:
        return "You have already decided on this review; another person must decide this step."
    return f"You are not a decider of the step “{run.steps[index]['name']}” for this post."


# ----------------------------------------------------------------------------- edits
def on_edit(session: Session, actor: Actor, post: Post, previous_version: int) -> None:
    """Called after an edit was saved (:func:`herald.editing.posts.save_post`). An edit to a
    post under review or approved invalidates the approvals given and restarts review; a draft
    stays a draft."""
    if post.status not in UNDER_REVIEW_OR_APPROVED:
        return
    run = active_run(session, post) or latest_run(session, post)
    restart = 0
    if run is not None:
        if run.status == "active":
            run.status, run.finished_at = "superseded", utcnow()
        restart = _restart_step(session, run)
    was = post.status
    post.approved_version = None
    session.flush()
    record_on_post(session, actor, post, "approval.invalidated", previous_version=previous_version,
            version=post.current_version, was=was, restart_step=restart)
    _start_run(session, actor, post, start_from=restart)


def _restart_step(session: Session, run: ApprovalRun) -> int:
    wf = session.get(Workflow, run.workflow_id) if run.workflow_id else None
    return wf.restart_from_step if wf is not None else 0



# ----------------------------------------------------------------------------- waiting for me
def waiting_for(session: Session, actor: Actor, tenant_id: str) -> list[tuple[Post, ApprovalRun, datetime | None]]:
    """Posts whose current step this person may decide now, soonest deadline first."""
    rows = session.execute(
        select(Post, ApprovalRun).join(ApprovalRun, ApprovalRun.post_id == Post.id)
        .where(ApprovalRun.tenant_id == tenant_id, ApprovalRun.status == "active")
    ).all()
    out = [(post, run, run.step_due_at)
           for post, run in decidable_by(session, tenant_id, actor.user_id, [(p, r) for p, r in rows])]
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    return sorted(out, key=lambda r: (r[2] or far, r[0].id))


def require_run(session: Session, post: Post) -> ApprovalRun:
    run = latest_run(session, post)
    if run is None:
        raise NotFound("The post has not been submitted for review.")
    return run
