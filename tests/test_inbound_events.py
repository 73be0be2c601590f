"""Events that arrive from outside (a network's webhook) are recorded once per delivery key."""

from __future__ import annotations

from sqlalchemy import func, select

from herald.events.bus import emit_once
from herald.events.models import OutboxEvent
from herald.ids import looks_like_id
from herald.plugins import record_inbound_event, tenant_plugin_settings


def test_emit_once_records_a_repeated_key_only_once(seed, herald_runtime):
    t = seed.tenant("acme")
    with herald_runtime.db.transaction() as s:
        first = emit_once(s, t.id, "net.comment", {"n": 1}, "key-1")
    with herald_runtime.db.transaction() as s:
        assert emit_once(s, t.id, "net.comment", {"n": 2}, "key-1") is None
        assert emit_once(s, t.id, "net.comment", {"n": 3}, "key-2") is not None
    assert first is not None and looks_like_id(first.id, "evt")
    with herald_runtime.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "net.comment")) == 2


def test_the_same_key_in_two_tenants_is_two_events(seed, herald_runtime):
    a, b = seed.tenant("alpha"), seed.tenant("beta")
    assert record_inbound_event(a.id, "net.comment", {}, "k") is not None
    assert record_inbound_event(b.id, "net.comment", {}, "k") is not None
    assert record_inbound_event(a.id, "net.comment", {}, "k") is None


def test_plugin_settings_are_given_only_to_tenants_that_enabled_the_plugin(seed, api, herald_runtime):
    t = seed.tenant("acme")
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    assert tenant_plugin_settings("webhooks", t.id) is None
    resp = api(token).patch(f"tenants/{t.id}/plugins/webhooks", {
        "enabled": True, "settings": {"url": "https://hooks.acme.test/in", "secret": "s" * 20}})
    assert resp.status_code == 200, resp.get_json()
    assert tenant_plugin_settings("webhooks", t.id)["secret"] == "s" * 20
    assert tenant_plugin_settings("webhooks", "ten_unknown") is None
    assert tenant_plugin_settings("webhooks", "x" * 200) is None
