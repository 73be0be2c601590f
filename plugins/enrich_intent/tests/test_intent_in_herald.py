"""The enricher as a tenant uses it through Herald: enabled with topic settings saved over the
API, it answers with those topics; another tenant that has not enabled it gets no intent."""

from __future__ import annotations

from typing import Any

PLUGIN = "enrich_intent"


def enrichers(rt: Any, tenant_id: str) -> list[Any]:
    with rt.db.transaction() as s:
        return [e for e in rt.plugins.for_tenant(s, tenant_id).instances("herald_enrichers") if e.key == "intent"]


def test_a_tenant_enables_the_plugin_saves_topics_and_the_enricher_answers_with_them(seed, api, herald_runtime):
    t = seed.tenant("acme")
    other = seed.tenant("globex")
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    topics = [{"name": "billing", "keywords": {"en": ["invoice"], "ar": ["فاتورة"]}}]
    r = admin.patch(f"tenants/{t.id}/plugins/{PLUGIN}",
                    {"enabled": True, "settings": {"topics": topics, "team_map": {"complaint": "marketing"}}})
    assert r.status_code == 200, r.get_json()

    [enricher] = enrichers(herald_runtime, t.id)
    out = enricher.enrich("engagement", {"text": "Terrible! my invoice is wrong again", "language": "en",
                                         "annotations": {}})
    assert out["intent"] == "complaint" and out["team"] == "marketing"
    assert out["topics"] == ["billing"] and "topic:billing" in out["tags"]
    assert enricher.enrich("engagement", {"text": "وين الفاتوره؟", "language": "ar"})["topics"] == ["billing"]
    assert enrichers(herald_runtime, other.id) == []


def test_wrong_topic_settings_are_refused_over_the_api(seed, api):
    t = seed.tenant("acme")
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    r = api(token).patch(f"tenants/{t.id}/plugins/{PLUGIN}",
                         {"enabled": True, "settings": {"topics": [{"name": "Bad Name", "keywords": {"en": ["x"]}}]}})
    assert r.status_code == 422
    assert "topics" in r.get_data(as_text=True)
