"""Step deadlines: when a step is due, reminders before it, and what happens after it.

A step's due time is the earlier of its ``deadline_hours`` after it started and, for posts in a
campaign, the next recurring due date the workflow's ``due_calendar`` gives that step (e.g.
drafts reviewed by the 15th, legal by the 20th, everything signed off by month end; day -1 is
the last day of the month), at the end of that day in the tenant's time zone.

:func:`sweep` runs periodically in workers (and in ``herald serve`` in embedded mode): once a
step has used three quarters of its time (at most 24 hours before it is due) its deciders get a
reminder; when it is overdue the step's ``on_deadline`` applies once — ``remind`` (an overdue
notice), ``escalate`` (holders of ``escalate_to_role`` on the unit are told and may decide too)
or ``auto_reject`` (the post is rejected and its author told)."""

from __future__ import annotations

import calendar
import logging
import threading
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.approvals.models import ApprovalRun, Workflow
from herald.clock import utcnow
from herald.content.models import Post
from herald.tenancy.models import Tenant

log = logging.getLogger(__name__)
MAX_REMINDER_LEAD = timedelta(hours=24)


def _calendar_due(tz: ZoneInfo, day_of_month: int, started: datetime) -> datetime:
    local = started.astimezone(tz)
    year, month = local.year, local.month
    for _ in range(2):
        last = calendar.monthrange(year, month)[1]
        day = last if day_of_month == -1 else min(day_of_month, last)
        end_of_day = datetime.combine(datetime(year, month, day).date(), time(23, 59, 59), tzinfo=tz)
        if end_of_day >= local:
            return end_of_day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return end_of_day


def due_at(session: Session, post: Post, run: ApprovalRun, index: int, started: datetime) -> datetime | None:
    """When step ``index`` of ``run``, entered at ``started``, is due (None: no deadline)."""
    step = run.steps[index]
    candidates = []
    if step.get("deadline_hours"):
        candidates.append(started + timedelta(hours=int(step["deadline_hours"])))
    wf = session.get(Workflow, run.workflow_id) if run.workflow_id else None
    if wf is not None and post.campaign:
        tenant = session.get(Tenant, post.tenant_id)
        tz = ZoneInfo(tenant.default_time_zone if tenant else "UTC")
        for entry in wf.due_calendar or []:
            if entry.get("step") == index and entry.get("campaign") in (None, post.campaign):
                candidates.append(_calendar_due(tz, int(entry["day_of_month"]), started))
    return min(candidates) if candidates else None


def sweep(session: Session, now: datetime | None = None) -> int:
    """Send due reminders and apply overdue actions; returns how many runs it acted on."""
    from herald.approvals import engine

    now = now or utcnow()
    acted = 0
    runs = session.execute(
        select(ApprovalRun).where(ApprovalRun.status == "active", ApprovalRun.step_due_at.is_not(None),
                                  ApprovalRun.overdue_handled_at.is_(None))
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for run in runs:
        post = session.get(Post, run.post_id)
        if post is None or run.step_due_at is None:
            continue
        step = run.steps[run.current_step]
        due = run.step_due_at
        lead = min(MAX_REMINDER_LEAD, (due - run.step_started_at) / 4)
        if now >= due:
            _overdue(session, engine, post, run, step)
            acted += 1
        elif run.reminded_at is None and now >= due - lead:
            run.reminded_at = now
            engine.notify_people(session, post, engine.step_eligible(session, post, run, run.current_step),
                           "approval.reminder", f"Reminder: “{step['name']}” is due {due.isoformat()}")
            engine.record_on_post(session, None, post, "approval.reminded", run_id=run.id, step=run.current_step,
                           due_at=due)
            acted += 1
    session.flush()
    return acted


def _overdue(session: Session, engine: Any, post: Post, run: ApprovalRun, step: dict[str, Any]) -> None:
    run.overdue_handled_at = utcnow()
    action = step.get("on_deadline") or "remind"
    if action == "auto_reject":
        run.status, run.finished_at = "rejected", utcnow()
        post.status = "rejected"
        session.flush()
        engine.record_on_post(session, None, post, "post.rejected", run_id=run.id, step=run.current_step,
                       comment=f"“{step['name']}” was not decided by its deadline.", automatic=True)
        engine.notify_people(session, post, [post.author_id], "approval.auto_rejected",
                       f"Your post was rejected: “{step['name']}” passed its deadline")
        return
    if action == "escalate" and step.get("escalate_to_role"):
        run.escalated_to_role = step["escalate_to_role"]
        session.flush()
        engine.record_on_post(session, None, post, "approval.escalated", run_id=run.id, step=run.current_step,
                       to_role=run.escalated_to_role)
        engine.notify_people(session, post, engine.step_eligible(session, post, run, run.current_step),
                       "approval.escalated", f"Escalated to you: “{step['name']}” is overdue")
        return
    engine.record_on_post(session, None, post, "approval.overdue", run_id=run.id, step=run.current_step)
    engine.notify_people(session, post, engine.step_eligible(session, post, run, run.current_step), "approval.overdue",
                   f"Overdue: “{step['name']}”")


def sweep_all() -> int:
    from herald.runtime import current

    with current().db.transaction() as session:
        return sweep(session)


def start_deadline_sweeper(interval_s: float = 60.0) -> threading.Event:
    """Run :func:`sweep_all` every ``interval_s`` in a background thread; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                sweep_all()
            except Exception:
                log.exception("approval deadline sweep failed; will try again")

    threading.Thread(target=loop, name="herald-approval-deadlines", daemon=True).start()
    return stop
