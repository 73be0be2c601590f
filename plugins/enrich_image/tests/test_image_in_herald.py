"""In Herald: a tenant that enables the plugin gets the image enricher, configured with its own
settings; a tenant that did not, does not."""

from __future__ import annotations

from image_drawing import png
from PIL import Image, ImageDraw

PLUGIN = "enrich_image"


def _enrichers(runtime, tenant_id):  # type: ignore[no-untyped-def]
    with runtime.db.transaction() as s:
        return runtime.plugins.for_tenant(s, tenant_id).instances("herald_enrichers")


def test_a_tenant_enables_image_tagging_and_its_enricher_answers(seed, api, herald_runtime, make_payload):
    acme, other = seed.tenant("acme"), seed.tenant("globex")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    assert not [e for e in _enrichers(herald_runtime, acme.id) if e.key == "image"]

    r = api(token).patch(f"tenants/{acme.id}/plugins/{PLUGIN}",
                         {"enabled": True, "settings": {"ocr_enabled": False, "unsafe_threshold": 0.7}})
    assert r.status_code == 200, r.get_json()
    bad = api(token).patch(f"tenants/{acme.id}/plugins/{PLUGIN}", {"settings": {"ocr_languages": "eng; rm -rf /"}})
    assert bad.status_code == 422

    mine = [e for e in _enrichers(herald_runtime, acme.id) if e.key == "image"]
    assert len(mine) == 1 and mine[0].plugin == PLUGIN and mine[0].wants_media
    assert mine[0].settings["unsafe_threshold"] == 0.7
    assert not [e for e in _enrichers(herald_runtime, other.id) if e.key == "image"]

    img = Image.new("RGB", (200, 100), (255, 255, 255))
    ImageDraw.Draw(img).rectangle((100, 0, 199, 99), fill=(0, 0, 0))
    answer = mine[0].enrich("engagement", make_payload(png(img)))
    entry = answer["image"][0]
    assert (entry["width"], entry["height"], entry["faces"], entry["text"]) == (200, 100, 0, None)
    assert {c["hex"] for c in entry["colours"]} == {"#ffffff", "#000000"}
