"""A post's campaign changed after it was created (in the API and on the console's edit page),
and the time to publish chosen at compose: what reviewers see, and the form's own checks."""

from __future__ import annotations

import html
from typing import Any

from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from sqlalchemy import select
from test_console_post_edit import api_post, compose, edit_form

from herald.audit.models import AuditEvent


def _put(world: Any, who: Any, post_id: str, **body: Any) -> Any:
    post = api_post(world, post_id)
    return who.request("PUT", f"tenants/{world.tid}/posts/{post_id}/content",
                       json={"base_version": post["current_version"], "content": post["content"], **body})


def _actions(rt: Any, post_id: str) -> list[str]:
    with rt.db.transaction() as s:
        return [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.object_id == post_id)
                                             .order_by(AuditEvent.at, AuditEvent.id))]


def test_the_api_moves_a_post_to_another_campaign_and_an_absent_campaign_keeps_it(app, world, herald_runtime):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world, campaign="Spring")
    admin = world.admin
    assert _put(world, admin, post_id).status_code == 200
    kept = api_post(world, post_id)
    assert kept["campaign"] == "Spring"  # not named: it stays
    moved = _put(world, admin, post_id, campaign="  Summer  ")
    assert moved.status_code == 200 and moved.get_json()["campaign"] == "Summer"
    assert api_post(world, post_id)["current_version"] == kept["current_version"]  # the content did not change
    assert "post.campaign_changed" in _actions(herald_runtime, post_id)
    assert _put(world, admin, post_id, campaign=None).get_json()["campaign"] is None
    for bad in ("", "   ", "x" * 121, "Spring\nSale"):
        r = _put(world, admin, post_id, campaign=bad)
        assert r.status_code == 422 and "campaign" in r.get_json()["errors"], (bad, r.get_json())
    assert api_post(world, post_id)["campaign"] is None


def test_moving_a_post_under_review_to_another_campaign_restarts_its_review(app, world, herald_runtime):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world, campaign="Spring", action="submit")
    editor, editor_csrf = sign_in(app, world, "editor")
    editor.post(f"/console/posts/{post_id}/decision", data={"csrf_token": editor_csrf, "decision": "approve"})
    assert world.admin.get(f"tenants/{world.tid}/posts/{post_id}/approval").get_json()["current_step"] == 1
    r = _put(world, world.admin, post_id, campaign="Ramadan")  # the campaign may choose another workflow
    assert r.status_code == 200, r.get_json()
    approval = world.admin.get(f"tenants/{world.tid}/posts/{post_id}/approval").get_json()
    assert approval["current_step"] == 0 and approval["decisions"] == []
    assert "approval.invalidated" in _actions(herald_runtime, post_id)


def test_the_edit_page_changes_the_campaign_and_offers_the_known_ones(app, world):
    creator, csrf = sign_in(app, world, "creator")
    compose(creator, csrf, world, campaign="Spring")
    post_id = compose(creator, csrf, world, campaign="Winter")
    form = creator.get(f"/console/posts/{post_id}/edit").get_data(as_text=True)
    assert 'name="campaign"' in form and 'value="Winter"' in form and '<option value="Spring">' in form
    r = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "First words", 1, campaign="Spring"))
    assert r.status_code == 303
    saved = api_post(world, post_id)
    assert saved["campaign"] == "Spring" and saved["current_version"] == 1
    shown = html.unescape(creator.get(r.headers["Location"]).get_data(as_text=True))
    assert "The post now belongs to the campaign “Spring”." in shown
    bad = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "First words", 1,
                                                                        campaign="x" * 130))
    assert bad.status_code == 422 and "at most 120 characters" in html.unescape(bad.get_data(as_text=True))
    assert api_post(world, post_id)["campaign"] == "Spring"


def test_the_time_chosen_at_compose_is_saved_and_shown_to_reviewers(app, world):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world, requested_local_time="2031-03-05T09:00",
                      requested_time_zone="Asia/Dubai", action="submit")
    assert api_post(world, post_id)["content"]["requested_time"] == {"local_time": "2031-03-05T09:00",
                                                                     "time_zone": "Asia/Dubai"}
    editor, _ = sign_in(app, world, "editor")
    page = html.unescape(editor.get(f"/console/posts/{post_id}").get_data(as_text=True))
    assert "To be published" in page and "(Asia/Dubai), once approved" in page and "2031" in page
    form = creator.get(f"/console/posts/{post_id}/edit").get_data(as_text=True)
    assert 'value="2031-03-05T09:00"' in form and "<option selected>Asia/Dubai</option>" in form


def test_a_past_or_missing_time_at_compose_is_shown_next_to_the_field(app, world):
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Launch",
        "targets": [world.accounts["longnet"]], "variant-0-text": "Words", "action": "draft",
        "requested_local_time": "2001-03-05T09:00", "requested_time_zone": "Europe/Paris"})
    assert r.status_code == 422
    page = html.unescape(r.get_data(as_text=True))
    field = page.split('data-field="requested_time"', 1)[1].split("</div>", 1)[0]
    assert "has already passed" in field
    assert world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"] == []
