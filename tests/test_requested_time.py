"""The time an author asks for when composing: part of what reviewers approve, scheduled as the
author once every approval is given, and the author told when it cannot be kept."""

from __future__ import annotations

from datetime import UTC, datetime

from publishing_support import world_fixture  # noqa: F401  (the world fixture)
from sqlalchemy import select

from herald.audit.models import AuditEvent
from herald.builtin.requested_time import schedule_requested
from herald.notifications.models import InAppNotification

DUBAI_NINE = {"local_time": "2026-02-05T09:00", "time_zone": "Asia/Dubai"}  # 05:00 UTC; the clock says 2 Feb


def _compose(w, who, requested=DUBAI_NINE, **extra):  # type: ignore[no-untyped-def]
    content = {"targets": [w.accounts["fake_coffee"], w.accounts["fake_dubai"]], "title": "Launch",
               "variants": [{"text": "Fresh coffee"}], **extra}
    if requested is not None:
        content["requested_time"] = requested
    return w.users[who].post(w.url("posts"), {"org_unit_id": w.tenant.units["coffee"].id, "content": content})


def _approved(w, who):  # type: ignore[no-untyped-def]
    """A post by ``who`` asking for 09:00 Dubai time, submitted and approved by the lead."""
    r = _compose(w, who)
    assert r.status_code == 201, r.get_json()
    post_id = r.get_json()["id"]
    assert w.users[who].post(w.url(f"posts/{post_id}/submit"), {}).status_code == 200
    decided = w.users["lead"].post(w.url(f"posts/{post_id}/decisions"), {"decision": "approve"})
    assert decided.status_code in (200, 201), decided.get_json()
    assert w.run_jobs() == 0
    return post_id


def _world(world, seed, api):  # type: ignore[no-untyped-def]
    for name, grants in (("lead", [("manager", "root")]), ("author", [("manager", "coffee")])):
        user, token = seed.user(world.tenant, f"{name}@acme.test", grants)
        world.users[name], world.user_ids[name] = api(token), user.id
    return world


def _audit(w, action):  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        return [(e.actor_label, e.after) for e in s.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == w.tenant.id, AuditEvent.action == action))]


def _notes(w, who):  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        return [(n.kind, n.title, n.body) for n in s.scalars(select(InAppNotification).where(
            InAppNotification.recipient_id == w.user_ids[who]))]


def test_an_approved_post_goes_out_at_the_time_its_author_asked_for(world, seed, api):
    w = _world(world, seed, api)
    post_id = _approved(w, "author")
    pubs = w.pubs(post_id)
    assert {(p.state, p.local_time, p.time_zone) for p in pubs} == {("scheduled", "2026-02-05T09:00", "Asia/Dubai")}
    assert {p.scheduled_at for p in pubs} == {datetime(2026, 2, 5, 5, 0, tzinfo=UTC)}
    assert w.status(post_id) == "scheduled"
    (kept,) = _audit(w, "post.requested_time_kept")
    assert kept[0] == "author@acme.test" and kept[1]["publications"] == 2
    # the event delivered again, or a second worker: nothing is planned twice
    with w.rt.db.transaction() as s:
        assert schedule_requested(s, w.tenant.id, post_id, 1) == "nothing"
    assert len(w.pubs(post_id)) == 2


def test_an_author_who_may_not_schedule_is_told_and_the_post_stays_approved(world, seed, api):
    w = _world(world, seed, api)
    post_id = _approved(w, "editor")  # editors write and submit; publishers schedule
    assert w.pubs(post_id) == [] and w.status(post_id) == "approved"
    (missed,) = _audit(w, "post.requested_time_missed")
    assert "posts.schedule" in missed[1]["reason"] or "permission" in missed[1]["reason"].lower()
    (note,) = [n for n in _notes(w, "editor") if n[0] == "post.requested_time_missed"]
    assert "2026-02-05 09:00 (Asia/Dubai)" in note[2]


def test_a_time_that_passed_while_waiting_for_approval_is_not_used(world, seed, api):
    w = _world(world, seed, api)
    r = _compose(w, "author")
    post_id = r.get_json()["id"]
    assert w.users["author"].post(w.url(f"posts/{post_id}/submit"), {}).status_code == 200
    w.clock.set(datetime(2026, 2, 6, 8, 0, tzinfo=UTC))  # the review took until after 5 February
    assert w.users["lead"].post(w.url(f"posts/{post_id}/decisions"), {"decision": "approve"}).status_code in (200, 201)
    assert w.run_jobs() == 0
    assert w.pubs(post_id) == [] and w.status(post_id) == "approved"
    (missed,) = _audit(w, "post.requested_time_missed")
    assert "passed" in missed[1]["reason"]
    assert [n for n in _notes(w, "author") if n[0] == "post.requested_time_missed"]


def test_a_post_edited_after_its_approval_is_not_scheduled_for_the_old_version(world, seed, api):
    w = _world(world, seed, api)
    r = _compose(w, "author")
    post_id = r.get_json()["id"]
    w.approve(post_id)
    w.edit(post_id, "Changed")  # version 2, a draft again: the approval of version 1 no longer counts
    with w.rt.db.transaction() as s:
        assert schedule_requested(s, w.tenant.id, post_id, 1) == "nothing"
    assert w.pubs(post_id) == []


def test_a_requested_time_is_checked_when_the_post_is_saved(world):
    w = world
    past = _compose(w, "editor", {"local_time": "2026-02-01T09:00", "time_zone": "Europe/London"})
    assert past.status_code == 422
    assert "passed" in " ".join(past.get_json()["errors"]["requested_time.local_time"])
    skipped = _compose(w, "editor", {"local_time": "2026-03-29T01:30", "time_zone": "Europe/London"})
    assert skipped.status_code == 422 and "skipped" in str(skipped.get_json()["errors"])
    twice = _compose(w, "editor", {"local_time": "2026-10-25T01:30", "time_zone": "Europe/London"})
    assert twice.status_code == 422 and "requested_time.fold" in twice.get_json()["errors"]
    second = _compose(w, "editor", {"local_time": "2026-10-25T01:30", "time_zone": "Europe/London", "fold": 1})
    assert second.status_code == 201, second.get_json()
    for bad in ({"local_time": "2026-04-10T09:00+04:00", "time_zone": "Asia/Dubai"},
                {"local_time": "tomorrow", "time_zone": "Asia/Dubai"},
                {"local_time": "2026-04-10T09:00", "time_zone": "Mars/Olympus"},
                {"local_time": "2026-04-10T09:00"}):
        r = _compose(w, "editor", bad)
        assert r.status_code == 422, (bad, r.get_json())
        assert "requested_time" in str(r.get_json()["errors"]), r.get_json()


def test_changing_the_requested_time_of_an_approved_post_restarts_its_review(world, seed, api):
    w = _world(world, seed, api)
    post_id = _approved(w, "author")
    post = w.users["author"].get(w.url(f"posts/{post_id}")).get_json()
    content = {**post["content"], "requested_time": {"local_time": "2026-02-06T09:00", "time_zone": "Asia/Dubai"}}
    r = w.users["author"].request("PUT", w.url(f"posts/{post_id}/content"),
                                  json={"base_version": post["current_version"], "content": content})
    assert r.status_code == 200, r.get_json()
    assert w.status(post_id) == "in_review"
    assert {p.state for p in w.pubs(post_id)} == {"cancelled"}
    # keeping a time that has passed meanwhile is allowed: only a changed time is checked
    w.clock.set(datetime(2026, 2, 7, 8, 0, tzinfo=UTC))
    post = w.users["author"].get(w.url(f"posts/{post_id}")).get_json()
    content = {**post["content"], "title": "Launch, again"}
    again = w.users["author"].request("PUT", w.url(f"posts/{post_id}/content"),
                                      json={"base_version": post["current_version"], "content": content})
    assert again.status_code == 200, again.get_json()
