"""The plugin as a tenant uses it: enabled for a tenant, its enricher is offered to that tenant
(and not to another) and answers."""

from __future__ import annotations

import herald_enrich_language


def test_a_tenant_that_enables_the_plugin_gets_its_enricher(seed, api, herald_runtime) -> None:
    # installed, the plugin is loaded with Herald (its entry point); else register it for this test
    assert "enrich_language" in herald_runtime.plugins.infos
    assert herald_runtime.plugins.infos["enrich_language"].module is herald_enrich_language
    acme, other = seed.tenant("acme"), seed.tenant("other")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    r = api(token).patch(f"tenants/{acme.id}/plugins/enrich_language",
                         {"enabled": True, "settings": {"languages": "en,ar,fa,ur,hi"}})
    assert r.status_code == 200, r.get_json()
    with herald_runtime.db.transaction() as session:
        enrichers = herald_runtime.plugins.for_tenant(session, acme.id).instances("herald_enrichers")
        others = herald_runtime.plugins.for_tenant(session, other.id).instances("herald_enrichers")
    [language] = [e for e in enrichers if e.key == "language"]
    assert not [e for e in others if e.key == "language"]
    assert language.plugin == "enrich_language"
    answer = language.enrich("engagement", {"text": "mera order abhi tak nahi aaya", "language": None,
                                            "kind": "mention", "network": "x", "author": None,
                                            "annotations": {}, "media": []})
    assert answer == {"language": "hi", "language_confidence": answer["language_confidence"], "script": "Latn"}
    assert language.enrich("post", {"text": "je voudrais annuler", "language": None, "kind": "post",
                                    "network": None, "author": None, "annotations": {},
                                    "media": []})["language"] != "fr"  # fr is not among this tenant's languages
