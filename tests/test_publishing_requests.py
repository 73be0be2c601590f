"""What the engine hands a connector: the variant's thread, reply and quote, and library media
as the library delivers them (the file's bytes and a signed link), checked again when the call
is prepared."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from publishing_support import world_fixture  # noqa: F401  (the world fixture)

from herald.testing.scripted_connector import scripted_network

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _asset(w) -> str:  # type: ignore[no-untyped-def]
    form = {"org_unit_id": w.tenant.units["coffee"].id, "kind": "image", "file": (io.BytesIO(PNG), "cup.png",
                                                                                   "image/png")}
    r = w.users["editor"].request("POST", w.url("assets"), data=form, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    asset_id = r.get_json()["id"]
    r = w.users["manager"].post(w.url(f"assets/{asset_id}/approve"), {})
    assert r.status_code == 200, r.get_json()
    return asset_id


def test_a_library_asset_reaches_the_connector_as_the_library_delivers_it(world):
    w = world
    asset_id = _asset(w)
    post_id = w.scheduled("fake_coffee", at=AT, media=[{"kind": "image", "asset_id": asset_id, "alt_text": "A cup"}])
    w.clock.set(AT + timedelta(seconds=1))
    assert w.drive() == 1
    assert w.status(post_id) == "published"
    [request] = w.net.requests
    [media] = request.media
    assert (media.kind, media.mime_type, media.size, media.alt_text) == ("image", "image/png", len(PNG), "A cup")
    assert media.read() == PNG


def test_an_asset_retired_after_scheduling_stops_the_publication_with_the_reason(world):
    w = world
    asset_id = _asset(w)
    post_id = w.scheduled("fake_coffee", at=AT, media=[{"kind": "image", "asset_id": asset_id}])
    r = w.users["manager"].post(w.url(f"assets/{asset_id}/retire"), {})
    assert r.status_code == 200, r.get_json()
    w.clock.set(AT + timedelta(seconds=1))
    w.drive()
    pub = w.pub(post_id)
    assert pub.state == "needs_attention" and "retired" in (pub.last_error or "")
    assert w.net.requests == []


def test_a_thread_reply_and_quote_go_to_a_network_that_takes_threads(world, register_plugin):
    w = world
    plugin, net = scripted_network("threads", supports_threads=True)
    register_plugin(plugin, "threads_network")
    r = w.admin.post(w.url("social-accounts"), {"org_unit_id": w.tenant.units["coffee"].id, "network": "threads",
                                                 "handle": "threads_coffee"})
    assert r.status_code == 201, r.get_json()
    w.accounts["threads_coffee"] = r.get_json()["id"]
    post_id = w.scheduled("threads_coffee", at=AT, text="1/ Fresh coffee", thread=["2/ From Yemen", "3/ Today only"],
                          reply_to="190001", quote_of="190002")
    w.clock.set(AT + timedelta(seconds=1))
    assert w.drive() == 1
    assert w.status(post_id) == "published"
    [request] = net.requests
    assert (request.text, request.thread, request.reply_to, request.quote_of) == (
        "1/ Fresh coffee", ["2/ From Yemen", "3/ Today only"], "190001", "190002")


def test_a_thread_for_a_network_without_threads_is_refused_at_the_part_that_cannot_go(world):
    w = world
    content = {"targets": [w.accounts["fake_coffee"]], "title": "t",
               "variants": [{"network": None, "text": "1/ Coffee", "thread": ["2/ more", " "]}]}
    r = w.users["editor"].post(w.url("posts"), {"org_unit_id": w.tenant.units["coffee"].id, "content": content})
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    assert "does not take threads" in " ".join(errors["variants[0].thread"])
    assert errors["variants[0].thread[1]"] == ["A part of a thread needs text."]


def test_a_variants_link_and_network_options_reach_the_connector_and_its_checks(world, register_plugin):
    w = world
    plugin, net = scripted_network("optnet")
    register_plugin(plugin, "options_network")
    r = w.admin.post(w.url("social-accounts"), {"org_unit_id": w.tenant.units["coffee"].id, "network": "optnet",
                                                 "handle": "opt_coffee"})
    assert r.status_code == 201, r.get_json()
    w.accounts["opt_coffee"] = r.get_json()["id"]
    post_id = w.scheduled("opt_coffee", at=AT, link="https://example.com/menu?day=1",
                          options={"spoiler_text": "Coffee talk", "visibility": "unlisted", "sensitive": False})
    w.clock.set(AT + timedelta(seconds=1))
    assert w.drive() == 1
    [request] = net.requests
    assert request.link == "https://example.com/menu?day=1"
    assert request.options == {"spoiler_text": "Coffee talk", "visibility": "unlisted", "sensitive": False}
    assert w.status(post_id) == "published"


def test_a_variant_without_link_or_options_hands_the_connector_none_and_nothing(world):
    w = world
    w.scheduled("fake_coffee", at=AT)
    w.clock.set(AT + timedelta(seconds=1))
    assert w.drive() == 1
    [request] = w.net.requests
    assert request.link is None and request.options == {}


def test_bad_links_and_options_are_refused_with_the_field_named(world):
    w = world
    unit = w.tenant.units["coffee"].id
    for variant, field in (({"link": "javascript:alert(1)"}, "link"), ({"link": "ftp://example.com/x"}, "link"),
                           ({"options": {"Bad-Key": 1}}, "options"), ({"options": {"k": {"nested": 1}}}, "options"),
                           ({"options": {"k": "x" * 5001}}, "options"),
                           ({"options": {f"k{i}": i for i in range(21)}}, "options")):
        content = {"targets": [w.accounts["fake_coffee"]], "title": "t",
                   "variants": [{"network": None, "text": "Coffee", **variant}]}
        r = w.users["editor"].post(w.url("posts"), {"org_unit_id": unit, "content": content})
        assert r.status_code == 422, (variant, r.get_json())
        assert any(key.startswith("content") for key in r.get_json()["errors"]), r.get_json()
        assert field in str(r.get_json()["errors"]), (variant, r.get_json())
