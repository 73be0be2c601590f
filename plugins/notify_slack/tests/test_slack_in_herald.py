"""The Slack plugin as a tenant uses it through Herald: channels configured in the plugin's
settings with write-only webhook URLs, and each notification posted once to every channel that
covers it, however many people it is for."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from slack_fake_server import FakeSlackServer


@pytest.fixture
def acme(seed, api, herald_runtime) -> dict[str, Any]:
    """A tenant with coffee (and dubai below it) and tea, a sandbox account in coffee, a creator
    there and three managers who all get to decide coffee's posts."""
    t = seed.tenant("acme", {"coffee": None, "dubai": "coffee", "tea": None})
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


def configure(acme: dict[str, Any], fake: FakeSlackServer, channels: list[dict[str, Any]]) -> dict[str, str]:
    paths = {c["name"]: fake.fake.add(c["name"]) for c in channels}
    r = acme["admin"].patch(f"tenants/{acme['tenant'].id}/plugins/notify_slack", {"enabled": True, "settings": {
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


def test_an_approval_for_three_managers_is_posted_once_to_the_channel_covering_its_unit(acme, fake_slack, run_jobs):
    t = acme["tenant"]
    paths = configure(acme, fake_slack, [
        {"name": "coffee", "org_units": [t.units["coffee"].id], "kinds": ["approval.due"]},
        {"name": "everything", "org_units": [t.root.id], "kinds": ["approval.*"], "language": "hi"},
        {"name": "tea", "org_units": [t.units["tea"].id], "kinds": ["*"]},
        {"name": "sla_only", "org_units": [t.root.id], "kinds": ["sla.*"]},
    ])
    post_id = submit_a_post(acme)
    assert run_jobs() == 0
    hooks = {name: fake_slack.fake.webhooks[path].received for name, path in paths.items()}
    assert len(hooks["coffee"]) == 1 and len(hooks["everything"]) == 1
    assert hooks["tea"] == [] and hooks["sla_only"] == []
    [message] = hooks["coffee"]
    assert message["blocks"][0]["text"]["text"] == "Approval requested"
    button = message["blocks"][2]["elements"][0]
    assert button["url"] == f"https://herald.example/console/posts/{post_id}"
    assert hooks["everything"][0]["blocks"][0]["text"]["text"] == "स्वीकृति का अनुरोध"


def test_a_channel_that_slack_no_longer_knows_is_tried_once_and_the_others_still_get_it(
        acme, fake_slack, run_jobs):
    t = acme["tenant"]
    paths = configure(acme, fake_slack, [
        {"name": "gone", "org_units": [t.root.id], "kinds": ["approval.due"]},
        {"name": "coffee", "org_units": [t.units["coffee"].id], "kinds": ["approval.due"]},
    ])
    fake_slack.fake.webhooks[paths["gone"]].status = "channel_not_found"
    submit_a_post(acme)
    assert run_jobs() == 0  # not failed for good: refused once, reported, and dropped
    assert len(fake_slack.fake.webhooks[paths["coffee"]].received) == 1
    assert fake_slack.fake.webhooks[paths["gone"]].received == []


def test_webhook_urls_are_write_only_and_the_channels_are_shown(acme, fake_slack):
    t = acme["tenant"]
    configure(acme, fake_slack, [{"name": "coffee", "org_units": [t.units["coffee"].id]}])
    r = acme["admin"].get(f"tenants/{t.id}/plugins/notify_slack")
    assert "s3cr3t" not in r.get_data(as_text=True)
    body = r.get_json()
    assert body["secrets_set"] == ["webhook_urls"]
    [channel] = json.loads(body["settings"]["channels"])
    assert channel["name"] == "coffee" and channel["language"] == "en" and "approval.due" in channel["kinds"]
    # saving the channels again (as the console's form does, as text) keeps the stored URL
    r = acme["admin"].patch(f"tenants/{t.id}/plugins/notify_slack",
                            {"settings": {"channels": body["settings"]["channels"]}})
    assert r.status_code == 200, r.get_json()
    # the console's form sends the secret as text too
    r = acme["admin"].patch(f"tenants/{t.id}/plugins/notify_slack", {"settings": {
        "webhook_urls": json.dumps({"coffee": "https://hooks.slack.com/services/T1/B1/s3cr3tnew"})}})
    assert r.status_code == 200, r.get_json()
    assert "s3cr3tnew" not in r.get_data(as_text=True)


@pytest.mark.parametrize(("settings", "field"), [
    ({"channels": [{"name": "c", "org_units": ["unit_x"]}]}, "webhook_urls"),
    ({"channels": [{"name": "c"}], "webhook_urls": {"c": "https://hooks.slack.com/services/T/B/x"}}, "channels"),
    ({"channels": [{"name": "c", "org_units": ["u"], "language": "de"}],
      "webhook_urls": {"c": "https://hooks.slack.com/services/T/B/x"}}, "channels"),
    ({"channels": "not json", "webhook_urls": {}}, "channels"),
    ({"channels": [{"name": "c", "org_units": ["u"]}, {"name": "c", "org_units": ["v"]}],
      "webhook_urls": {"c": "https://hooks.slack.com/services/T/B/x"}}, "channels"),
    ({"channels": [{"name": "c", "org_units": ["u"]}], "webhook_urls": {"c": "http://10.0.0.7/services/T/B/s3cr3t"}},
     "webhook_urls"),
    ({"channels": [{"name": "c", "org_units": ["u"]}], "webhook_urls": {"c": "not a url"}}, "webhook_urls"),
])
def test_wrong_channel_settings_are_refused_naming_the_setting_and_nothing_is_saved(acme, settings, field):
    t = acme["tenant"]
    r = acme["admin"].patch(f"tenants/{t.id}/plugins/notify_slack", {"enabled": True, "settings": settings})
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert "s3cr3t" not in json.dumps(r.get_json())  # a refused URL is named by its channel only
    assert acme["admin"].get(f"tenants/{t.id}/plugins/notify_slack").get_json()["enabled"] is False
