"""The Teams plugin as a tenant uses it through Herald: channels configured in the plugin's
settings with write-only webhook URLs, and each notification posted once to every channel that
covers it (by org unit or inbox team), however many people it is for."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from teams_fake_server import FakeTeamsServer, failed


@pytest.fixture
def acme(seed, api, herald_runtime) -> dict[str, Any]:
    """A tenant with coffee and tea, a sandbox account in coffee, a creator there and three
    managers who all get to decide coffee's posts."""
    t = seed.tenant("acme", {"coffee": None, "tea": None})
    _, admin_token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(admin_token)
    assert admin.patch(f"tenants/{t.id}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    r = admin.post(f"tenants/{t.id}/social-accounts",
                   {"org_unit_id": t.units["coffee"].id, "network": "sandbox", "handle": "acme_coffee"})
    assert r.status_code == 201, r.get_json()
    _, creator_token = seed.user(t, "creator@acme.test", [("creator", "coffee")])
    for name, unit in (("manager", "root"), ("manager2", "root"), ("manager3", "coffee")):
        seed.user(t, f"{name}@acme.test", [("manager", unit)])
    herald_runtime.settings = dataclasses.replace(herald_runtime.settings, public_url="https://herald.example")
    return {"tenant": t, "admin": admin, "creator": api(creator_token), "account": r.get_json()["id"]}


def configure(acme: dict[str, Any], fake: FakeTeamsServer, channels: list[dict[str, Any]]) -> dict[str, str]:
    paths = {c["name"]: (fake.fake.add_connector(c["name"]) if c["name"].startswith("legacy")
                         else fake.fake.add_workflow(c["name"])) for c in channels}
    r = acme["admin"].patch(f"tenants/{acme['tenant'].id}/plugins/notify_teams", {"enabled": True, "settings": {
        "channels": channels, "webhook_urls": {n: fake.url + p for n, p in paths.items()},
        "min_interval_seconds": 0}})
    assert r.status_code == 200, r.get_json()
    return paths


def submit_a_post(acme: dict[str, Any]) -> str:
    t = acme["tenant"]
    r = acme["creator"].post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id, "content": {
        "title": "Launch", "targets": [acme["account"]], "variants": [{"text": "Fresh coffee today"}]}})
    assert r.status_code == 201, r.get_json()
    post_id = r.get_json()["id"]
    assert acme["creator"].post(f"tenants/{t.id}/posts/{post_id}/submit", {}).status_code == 200
    return post_id


def test_an_approval_for_three_managers_is_one_card_in_each_channel_covering_it(acme, fake_teams, run_jobs):
    t = acme["tenant"]
    paths = configure(acme, fake_teams, [
        {"name": "coffee", "org_units": [t.units["coffee"].id], "kinds": ["approval.due"], "language": "ur"},
        {"name": "legacy_all", "org_units": [t.root.id], "kinds": ["*"]},
        {"name": "tea", "org_units": [t.units["tea"].id], "kinds": ["*"]},
        {"name": "care", "teams": ["team_care"], "kinds": ["*"]},
    ])
    post_id = submit_a_post(acme)
    assert run_jobs() == 0
    got = {name: fake_teams.fake.hook(path).received for name, path in paths.items()}
    assert len(got["coffee"]) == 1 and len(got["legacy_all"]) == 1
    assert got["tea"] == [] and got["care"] == []
    card = got["coffee"][0]["attachments"][0]["content"]
    assert card["body"][0]["text"] == "منظوری کی درخواست"
    assert card["actions"][0]["url"] == f"https://herald.example/console/posts/{post_id}"


def test_a_connector_failing_behind_a_200_is_dropped_and_the_other_channels_still_get_it(
        acme, fake_teams, run_jobs):
    t = acme["tenant"]
    paths = configure(acme, fake_teams, [
        {"name": "legacy_gone", "org_units": [t.root.id], "kinds": ["approval.due"]},
        {"name": "coffee", "org_units": [t.units["coffee"].id], "kinds": ["approval.due"]},
    ])
    fake_teams.fake.answer_next(paths["legacy_gone"], 200, failed(404))
    submit_a_post(acme)
    assert run_jobs() == 0
    assert fake_teams.fake.hook(paths["legacy_gone"]).received == []
    assert len(fake_teams.fake.hook(paths["coffee"]).received) == 1


def test_webhook_urls_are_write_only(acme, fake_teams):
    t = acme["tenant"]
    configure(acme, fake_teams, [{"name": "coffee", "org_units": [t.units["coffee"].id]}])
    r = acme["admin"].get(f"tenants/{t.id}/plugins/notify_teams")
    assert "s1g" not in r.get_data(as_text=True) and r.get_json()["secrets_set"] == ["webhook_urls"]
    [channel] = json.loads(r.get_json()["settings"]["channels"])
    assert channel["org_units"] == [t.units["coffee"].id]


@pytest.mark.parametrize(("settings", "field"), [
    ({"channels": [{"name": "c", "teams": ["team_x"]}]}, "webhook_urls"),
    ({"channels": [{"name": "c", "org_units": ["u"], "kinds": ["Approval Due"]}],
      "webhook_urls": {"c": "https://example.webhook.office.com/webhookb2/x"}}, "channels"),
    ({"channels": [{"name": "bad name!", "org_units": ["u"]}], "webhook_urls": {}}, "channels"),
    ({"channels": [{"name": "c", "org_units": ["u"]}],
      "webhook_urls": {"c": "http://192.168.1.9:8080/workflows/x?sig=s1gsecret"}}, "webhook_urls"),
])
def test_wrong_channel_settings_are_refused_naming_the_setting(acme, settings, field):
    t = acme["tenant"]
    r = acme["admin"].patch(f"tenants/{t.id}/plugins/notify_teams", {"enabled": True, "settings": settings})
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"] and "s1gsecret" not in json.dumps(r.get_json())
