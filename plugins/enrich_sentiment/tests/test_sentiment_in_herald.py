"""The plugin as a tenant uses it through Herald: enabled for one tenant, its enricher is listed
for that tenant only and answers; a wrong operator model path is refused naming the setting."""

from __future__ import annotations


def _admin(seed, api, slug: str):
    tenant = seed.tenant(slug)
    _, token = seed.user(tenant, f"admin@{slug}.test", [("tenant_admin", "root")])
    return tenant, api(token)


def _enrichers(herald_runtime, tenant_id: str) -> dict:
    with herald_runtime.db.transaction() as s:
        return {e.key: e for e in herald_runtime.plugins.for_tenant(s, tenant_id).instances("herald_enrichers")}


def test_a_tenant_enables_sentiment_and_its_enricher_answers(seed, api, herald_runtime):
    acme, admin = _admin(seed, api, "acme")
    globex, _ = _admin(seed, api, "globex")
    assert "sentiment" not in _enrichers(herald_runtime, acme.id)
    r = admin.patch(f"tenants/{acme.id}/plugins/enrich_sentiment", {"enabled": True, "settings": {"neutral_band": 0.1}})
    assert r.status_code == 200, r.get_json()
    enrichers = _enrichers(herald_runtime, acme.id)
    assert "sentiment" not in _enrichers(herald_runtime, globex.id)
    sentiment = enrichers["sentiment"]
    assert sentiment.settings["neutral_band"] == 0.1
    answer = sentiment.enrich("engagement", {"text": "خوب نیست", "language": None, "kind": "comment",
                                             "network": "sandbox", "author": None, "annotations": {}, "media": []})
    assert answer["sentiment_label"] == "negative" and answer["sentiment"] < 0


def test_a_missing_operator_model_is_refused_naming_the_setting(seed, api, herald_runtime, tmp_path):
    acme, admin = _admin(seed, api, "acme")
    r = admin.patch(f"tenants/{acme.id}/plugins/enrich_sentiment", {"enabled": True, "settings": {
        "onnx_model": str(tmp_path / "absent.onnx")}})
    assert r.status_code == 422
    assert "onnx_model" in r.get_json()["errors"]
