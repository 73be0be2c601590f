"""Approval workflows are defined on units and inherited by their subtree unless a descendant
defines its own; every step is checked against the tenant's step kinds, roles and users."""

from __future__ import annotations

import pytest

THREE_STEPS = [
    {"name": "Editorial review", "kind": "human_review", "deciders": {"role": "editor"}},
    {"name": "Legal", "kind": "human_review", "deciders": {"role": "legal_reviewer"}, "deadline_hours": 48,
     "on_deadline": "escalate", "escalate_to_role": "manager"},
    {"name": "Manager sign-off", "kind": "human_review", "deciders": {"role": "manager"}, "quorum": "n",
     "approvals_needed": 2},
]


@pytest.fixture
def tree(seed, api):  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {"coffee": None, "dubai": "coffee", "tea": None})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    return t, api(token)


def _url(t, unit: str) -> str:  # type: ignore[no-untyped-def]
    return f"tenants/{t.id}/org-units/{t.units[unit].id}/workflow"


def test_a_workflow_on_a_unit_is_inherited_by_its_subtree_until_overridden(tree):
    t, admin = tree
    assert admin.get(_url(t, "dubai")).status_code == 404
    r = admin.request("PUT", _url(t, "root"), json={"name": "Group default", "steps": THREE_STEPS})
    assert r.status_code == 200, r.get_json()
    inherited = admin.get(_url(t, "dubai")).get_json()
    assert inherited["inherited"] is True and inherited["org_unit_id"] == t.units["root"].id
    assert [s["name"] for s in inherited["steps"]] == ["Editorial review", "Legal", "Manager sign-off"]

    own = admin.request("PUT", _url(t, "coffee"), json={"name": "Coffee fast lane", "steps": THREE_STEPS[:1]})
    assert own.status_code == 200
    assert admin.get(_url(t, "dubai")).get_json()["name"] == "Coffee fast lane"  # nearest ancestor wins
    assert admin.get(_url(t, "tea")).get_json()["name"] == "Group default"      # siblings unaffected
    assert admin.delete(_url(t, "coffee")).status_code == 204
    assert admin.get(_url(t, "dubai")).get_json()["name"] == "Group default"    # inherits again


def test_steps_are_checked_against_enabled_kinds_roles_users_and_options(tree):
    t, admin = tree
    steps = [
        {"name": "AI check", "kind": "no_such_kind"},
        {"name": "People", "kind": "human_review"},
        {"name": "Ghost role", "kind": "human_review", "deciders": {"role": "ghost"}},
        {"name": "Style", "kind": "style_guide", "options": {"max_emoji": -1, "colour": "red"}},
        {"name": "Escalate", "kind": "human_review", "deciders": {"users": ["usr_aaaaaaaaaaaaaaaaaaaaaaaaaa"]},
         "on_deadline": "escalate"},
    ]
    r = admin.request("PUT", _url(t, "root"), json={"name": "Broken", "steps": steps})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert set(errors) == {"steps[0].kind", "steps[1].deciders", "steps[2].deciders.role", "steps[3].options",
                           "steps[4].deciders.users[0]", "steps[4].escalate_to_role"}
    assert admin.get(_url(t, "root")).status_code == 404  # nothing half-written


def test_a_disabled_step_kind_cannot_be_used(tree):
    t, admin = tree
    admin.patch(f"tenants/{t.id}/plugins/style_guide", {"enabled": False})
    r = admin.request("PUT", _url(t, "root"), json={"name": "x", "steps": [{"name": "Style", "kind": "style_guide"}]})
    assert r.status_code == 422 and "steps[0].kind" in r.get_json()["errors"]


def test_only_workflow_managers_define_workflows_and_changes_are_audited(tree, seed, api):
    t, admin = tree
    _, editor = seed.user(t, "ed@acme.test", [("editor", "coffee")])
    body = {"name": "Mine", "steps": THREE_STEPS[:1]}
    assert api(editor).request("PUT", _url(t, "coffee"), json=body).status_code == 403
    assert admin.request("PUT", _url(t, "coffee"), json=body).status_code == 200
    events = admin.get(f"tenants/{t.id}/audit-events", query_string={"action": "workflow.defined"}).get_json()
    assert events["items"][0]["after"]["name"] == "Mine"
