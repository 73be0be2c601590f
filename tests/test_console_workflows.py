"""The console's workflow editor and workflow rules, through the Flask test client: every field
the API accepts round-trips, the service's refusals are shown next to their field with nothing
saved, style-guide rules block a post, and a rule sends a post to a keyed workflow."""

from __future__ import annotations

import re
from typing import Any

from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)


def _api_workflow(world, unit: str, key: str = "default") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    path = "workflow" if key == "default" else f"workflows/{key}"
    r = world.admin.get(f"tenants/{world.tid}/org-units/{world.unit(unit)}/{path}")
    return r.get_json()


def _fields(html: str) -> dict[str, str]:
    """The named inputs and selected options of a form, as a browser would post them (one
    value per name; multi-selects are not used in these forms' round trip)."""
    out: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        out[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen:
            out[name] = chosen.group(1)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        out[name] = body.replace("&#34;", '"').replace("&#39;", "'")
    return out


def test_every_step_field_round_trips_through_the_api_view_of_the_workflow(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/workflows/{world.unit('tea')}", data={
        "csrf_token": csrf, "rows": "3", "name": "Tea review", "restart_from_step": "1",
        "step-0-name": "House style", "step-0-kind": "style_guide", "step-0-banned_phrases": "cheap\nfree money",
        "step-0-required_hashtags": "#tea", "step-0-required_phrases": "Terms apply", "step-0-max_emoji": "2",
        "step-0-restrict_links": "1", "step-0-allowed_link_domains": "acme.test",
        "step-1-name": "Legal", "step-1-kind": "human_review", "step-1-role": "legal_reviewer",
        "step-1-users": [world.ids["manager"], world.ids["editor"]], "step-1-external": "1",
        "step-1-quorum": "n", "step-1-approvals_needed": "2", "step-1-deadline_hours": "48",
        "step-1-on_deadline": "escalate", "step-1-escalate_to_role": "manager",
        "step-1-dues": "2", "step-1-due-0-day": "15", "step-1-due-0-campaign": "", "step-1-due-1-day": "-1",
        "step-1-due-1-campaign": "Spring",
        "step-2-name": "Sign-off", "step-2-kind": "human_review", "step-2-role": "manager",
        "step-2-quorum": "all", "step-2-deadline_hours": "24", "step-2-on_deadline": "auto_reject"})
    assert r.status_code == 303, r.get_data(as_text=True)
    wf = _api_workflow(world, "tea")
    assert wf["name"] == "Tea review" and wf["restart_from_step"] == 1 and wf["inherited"] is False
    style, legal, sign_off = wf["steps"]
    assert style["kind"] == "style_guide" and style["options"] == {
        "banned_phrases": ["cheap", "free money"], "required_hashtags": ["tea"], "required_phrases": ["Terms apply"],
        "max_emoji": 2, "allowed_link_domains": ["acme.test"]}
    assert legal["deciders"] == {"role": "legal_reviewer", "users": [world.ids["manager"], world.ids["editor"]],
                                 "external": True}
    assert (legal["quorum"], legal["approvals_needed"], legal["deadline_hours"], legal["on_deadline"],
            legal["escalate_to_role"]) == ("n", 2, 48, "escalate", "manager")
    assert (sign_off["quorum"], sign_off["on_deadline"]) == ("all", "auto_reject")
    assert wf["due_calendar"] == [{"step": 1, "day_of_month": 15, "campaign": None},
                                  {"step": 1, "day_of_month": -1, "campaign": "Spring"}]

    # the page shows what was saved; posting it back unchanged saves the same workflow
    html = admin.get(f"/console/admin/workflows/{world.unit('tea')}").get_data(as_text=True)
    data = _fields(html)
    data["step-1-users"] = [world.ids["manager"], world.ids["editor"]]  # type: ignore[assignment]
    data["op"] = "save"
    assert admin.post(f"/console/admin/workflows/{world.unit('tea')}", data=data).status_code == 303
    again = _api_workflow(world, "tea")
    assert again["steps"] == wf["steps"] and again["due_calendar"] == wf["due_calendar"]
    assert again["restart_from_step"] == 1


def test_add_move_and_remove_buttons_change_the_form_without_saving(app, world):
    admin, _csrf = sign_in(app, world, "admin")
    url = f"/console/admin/workflows/{world.unit('root')}"
    data = _fields(admin.get(url).get_data(as_text=True))
    assert [data[f"step-{i}-name"] for i in range(3)] == ["Editorial review", "Legal", "Manager sign-off"]
    html = admin.post(url, data={**data, "op": "down-0"}).get_data(as_text=True)
    moved = _fields(html)
    assert [moved[f"step-{i}-name"] for i in range(3)] == ["Legal", "Editorial review", "Manager sign-off"]
    html = admin.post(url, data={**moved, "op": "add"}).get_data(as_text=True)
    assert 'name="step-3-name"' in html
    html = admin.post(url, data={**moved, "op": "remove-2"}).get_data(as_text=True)
    assert 'name="step-2-name"' not in html
    assert [s["name"] for s in _api_workflow(world, "root")["steps"]] == ["Editorial review", "Legal",
                                                                        "Manager sign-off"]
    assert admin.post(url, data={**_fields(html), "op": "save"}).status_code == 303
    assert [s["name"] for s in _api_workflow(world, "root")["steps"]] == ["Legal", "Editorial review"]


def test_an_invalid_quorum_and_an_unknown_role_are_shown_at_their_fields_and_nothing_is_saved(app, world):
    admin, csrf = sign_in(app, world, "admin")
    url = f"/console/admin/workflows/{world.unit('root')}"
    r = admin.post(url, data={"csrf_token": csrf, "rows": "1", "name": "Broken", "step-0-name": "Review",
                              "step-0-kind": "human_review", "step-0-role": "editor", "step-0-quorum": "most"})
    assert r.status_code == 422
    assert re.search(r'data-field="row\[0\]\.quorum">Must be one of', r.get_data(as_text=True))
    r = admin.post(url, data={"csrf_token": csrf, "rows": "1", "name": "Broken", "step-0-name": "Review",
                              "step-0-kind": "human_review", "step-0-role": "ghost"})
    assert r.status_code == 422
    assert re.search(r'data-field="row\[0\]\.deciders\.role">No role &#39;ghost&#39; in this tenant',
                     r.get_data(as_text=True))
    wf = _api_workflow(world, "root")
    assert wf["name"] == "Three eyes" and len(wf["steps"]) == 3


def test_a_person_without_workflows_manage_sees_no_editor_and_cannot_save(app, world):
    creator, csrf = sign_in(app, world, "creator")
    assert creator.get("/console/admin/workflows").status_code == 403
    assert creator.get("/console/admin/workflow-rules").status_code == 403
    r = creator.post(f"/console/admin/workflows/{world.unit('coffee')}", data={
        "csrf_token": csrf, "rows": "1", "name": "Mine", "step-0-name": "Me", "step-0-role": "creator"})
    assert r.status_code in (403, 404)
    assert _api_workflow(world, "coffee")["name"] == "Three eyes"


def _compose(client, csrf, world, text: str, action: str = "submit") -> str:  # type: ignore[no-untyped-def]
    r = client.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "T",
        "targets": [world.accounts["longnet"]], "variant-0-text": text, "action": action})
    assert r.status_code == 303, r.get_data(as_text=True)
    return r.headers["Location"].rsplit("/", 1)[1]


def test_style_guide_rules_saved_in_the_editor_block_a_post_with_a_banned_phrase(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/workflows/{world.unit('coffee')}", data={
        "csrf_token": csrf, "rows": "2", "name": "Checked", "step-0-name": "House style",
        "step-0-kind": "style_guide", "step-0-banned_phrases": "guaranteed returns",
        "step-1-name": "Editor", "step-1-kind": "human_review", "step-1-role": "editor"})
    assert r.status_code == 303, r.get_data(as_text=True)
    creator, ccsrf = sign_in(app, world, "creator")
    blocked = _compose(creator, ccsrf, world, "Guaranteed returns on every cup!")
    review = world.admin.get(f"tenants/{world.tid}/posts/{blocked}/approval").get_json()
    assert review["status"] == "changes_requested" and review["workflow_name"] == "Checked"
    assert "banned phrase" in review["decisions"][0]["reasons"][0]
    fine = _compose(creator, ccsrf, world, "A calm cup of coffee")
    review = world.admin.get(f"tenants/{world.tid}/posts/{fine}/approval").get_json()
    assert review["status"] == "active" and review["current_step"] == 1


def test_a_rule_made_in_the_rules_editor_sends_a_post_to_the_keyed_workflow(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/workflows/new", data={"csrf_token": csrf, "org_unit_id": world.unit("root"),
                                                          "key": "legal-only"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/{world.unit('root')}/legal-only")
    r = admin.post(r.headers["Location"], data={"csrf_token": csrf, "rows": "1", "name": "Lawyers only",
                                                "step-0-name": "Legal", "step-0-role": "legal_reviewer"})
    assert r.status_code == 303, r.get_data(as_text=True)
    assert _api_workflow(world, "root", "legal-only")["name"] == "Lawyers only"
    r = admin.post("/console/admin/workflow-rules", data={
        "csrf_token": csrf, "name": "Mergers go to legal", "org_unit_id": world.unit("root"), "priority": "10",
        "workflow_key": "legal-only", "text_contains_any": "merger\nacquisition", "paid_promotion": ""})
    assert r.status_code == 303, r.get_data(as_text=True)
    rules = world.admin.get(f"tenants/{world.tid}/workflow-rules").get_json()["items"]
    assert [(x["name"], x["workflow_key"], x["conditions"]) for x in rules] == [
        ("Mergers go to legal", "legal-only", {"text_contains_any": ["merger", "acquisition"]})]
    assert "Mergers go to legal" in admin.get("/console/admin/workflow-rules").get_data(as_text=True)

    creator, ccsrf = sign_in(app, world, "creator")
    routed = _compose(creator, ccsrf, world, "News about the merger")
    review = world.admin.get(f"tenants/{world.tid}/posts/{routed}/approval").get_json()
    assert review["workflow_name"] == "Lawyers only" and review["rule_id"] == rules[0]["id"]
    other = _compose(creator, ccsrf, world, "News about coffee")
    assert world.admin.get(f"tenants/{world.tid}/posts/{other}/approval").get_json()["workflow_name"] == "Three eyes"


def test_a_rule_with_a_bad_key_is_refused_at_its_field_and_not_saved(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/workflow-rules", data={
        "csrf_token": csrf, "name": "Bad", "org_unit_id": world.unit("root"), "workflow_key": "Not A Key",
        "tags_any": "x"})
    assert r.status_code == 422
    assert re.search(r'data-field="workflow_key">String does not match', r.get_data(as_text=True))
    assert world.admin.get(f"tenants/{world.tid}/workflow-rules").get_json()["items"] == []


def test_a_unit_manager_who_may_not_list_people_names_deciders_by_id(app, world, seed):
    from console_world import PASSWORD

    from herald.builtin.local_auth import hash_password

    user, _token = seed.user(world.tenant, "tea-boss@acme.test", [("manager", "tea")],
                             password_hash=hash_password(PASSWORD))
    world.emails["tea_boss"] = user.email
    boss, csrf = sign_in(app, world, "tea_boss")
    html = boss.get(f"/console/admin/workflows/{world.unit('tea')}").get_data(as_text=True)
    assert world.emails["legal"] not in html and 'name="step-0-user_ids"' in html
    r = boss.post(f"/console/admin/workflows/{world.unit('tea')}", data={
        "csrf_token": csrf, "rows": "1", "name": "Tea", "step-0-name": "Named",
        "step-0-user_ids": f"{world.ids['legal']}\n"})
    assert r.status_code == 303, r.get_data(as_text=True)
    assert _api_workflow(world, "tea")["steps"][0]["deciders"]["users"] == [world.ids["legal"]]
    assert boss.get(f"/console/admin/workflows/{world.unit('coffee')}").status_code in (403, 404)
