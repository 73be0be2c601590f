"""The content library: uploads typed by their content and limited per kind, safe downloads,
assets inherited down the unit tree, approval with separation of duties, posts that may use
only assets fit for their unit, the publishing gate refusing expired assets, and signed links."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from herald.approvals.gate import is_publishable, require_publishable
from herald.audit.models import AuditEvent
from herald.clock import set_clock
from herald.content.models import Post
from herald.errors import Conflict
from herald.library.delivery import media_file
from herald.library.models import Asset
from herald.plugins import Capabilities, NetworkConnector, hookimpl

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 500
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 300
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 300
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 400
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 400
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b" " * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


class _Net(NetworkConnector):
    key = "testnet"
    display_name = "Test network"
    capabilities = Capabilities(max_text_length=500, media_kinds=("image", "video", "gif"), max_media=10)


class _NetPlugin:
    HERALD_HOOK_API = "1.0"

    @staticmethod
    @hookimpl
    def herald_network_connectors():  # type: ignore[no-untyped-def]
        return [_Net]


@pytest.fixture(autouse=True)
def _real_clock():  # type: ignore[no-untyped-def]
    yield
    set_clock(None)


@pytest.fixture
def lib(seed, api, herald_runtime, register_plugin):  # type: ignore[no-untyped-def]
    register_plugin(_NetPlugin(), "testnet")
    t = seed.tenant("acme", {"coffee": None, "dubai": "coffee", "tea": None})
    _, admin_token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(admin_token)
    assert admin.patch(f"tenants/{t.id}/plugins/testnet", {"enabled": True}).status_code == 200
    users, ids = {"admin": admin}, {}
    for name, grants in {"designer": [("designer", "coffee")], "designer2": [("designer", "coffee")],
                         "manager": [("manager", "root")], "viewer_dubai": [("viewer", "dubai")],
                         "designer_tea": [("designer", "tea")], "editor": [("editor", "coffee")],
                         "creator_dubai": [("creator", "dubai")]}.items():
        user, token = seed.user(t, f"{name}@acme.test", grants)
        users[name], ids[name] = api(token), user.id
    accts = {}
    for unit in ("coffee", "dubai"):
        r = admin.post(f"tenants/{t.id}/social-accounts",
                       {"org_unit_id": t.units[unit].id, "network": "testnet", "handle": unit})
        assert r.status_code == 201, r.get_json()
        accts[unit] = r.get_json()["id"]
    return t, users, ids, accts


def upload(client, t, unit: str, kind: str, data: bytes, filename: str = "file.bin",  # type: ignore[no-untyped-def]
           content_type: str = "application/octet-stream", **fields):
    form = {"org_unit_id": t.units[unit].id, "kind": kind, **fields,
            "file": (io.BytesIO(data), filename, content_type)}
    return client.request("POST", f"tenants/{t.id}/assets", data=form, content_type="multipart/form-data")


def uploaded(client, t, unit: str, kind: str = "image", data: bytes = PNG, **fields) -> dict:  # type: ignore[no-untyped-def]
    r = upload(client, t, unit, kind, data, **fields)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def approved(lib, unit: str = "coffee", kind: str = "image", data: bytes = PNG, **fields) -> dict:  # type: ignore[no-untyped-def]
    t, users, *_ = lib
    asset = uploaded(users["designer"] if unit in ("coffee", "dubai") else users["admin"], t, unit, kind, data,
                     **fields)
    r = users["manager"].post(f"tenants/{t.id}/assets/{asset['id']}/approve", {})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


# ----------------------------------------------------------------------------- uploads
def test_an_upload_records_the_sniffed_type_size_and_sha256_and_starts_pending(lib, herald_runtime):
    t, users, ids, _ = lib
    asset = uploaded(users["designer"], t, "coffee", name="Logo", tags=["brand", "logo"], licence="CC-BY 4.0")
    assert asset["mime_type"] == "image/png" and asset["size"] == len(PNG)
    assert asset["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert (asset["status"], asset["name"], asset["tags"], asset["created_by"]) == (
        "pending", "Logo", ["brand", "logo"], ids["designer"])
    with herald_runtime.db.transaction() as s:
        row = s.get(Asset, asset["id"])
        assert row.storage_key == f"tenants/{t.id}/assets/{asset['id']}"
        event = s.execute(select(AuditEvent).where(AuditEvent.object_id == asset["id"])).scalar_one()
        assert event.action == "asset.created"
    stored = herald_runtime.settings.instance_path / "media" / row.storage_key
    assert stored.read_bytes() == PNG


@pytest.mark.parametrize(("data", "kind", "mime"), [
    (PNG, "image", "image/png"), (JPEG, "image", "image/jpeg"), (GIF, "gif", "image/gif"),
    (WEBP, "image", "image/webp"), (MP4, "video", "video/mp4"), (MOV, "video", "video/quicktime"),
    (PDF, "document", "application/pdf")])
def test_each_accepted_format_is_recognised_by_its_bytes(lib, data, kind, mime):  # type: ignore[no-untyped-def]
    t, users, *_ = lib
    asset = uploaded(users["designer"], t, "coffee", kind, data, filename="whatever.txt", content_type="text/plain")
    assert asset["mime_type"] == mime


def test_a_png_named_exe_is_stored_and_served_as_a_png(lib):
    t, users, *_ = lib
    asset = uploaded(users["designer"], t, "coffee", "image", PNG, filename="setup.exe",
                     content_type="application/x-msdownload")
    assert asset["mime_type"] == "image/png" and asset["name"] == "setup.exe"
    r = users["designer"].get(f"tenants/{t.id}/assets/{asset['id']}/content")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png" and r.data == PNG


@pytest.mark.parametrize(("data", "detected", "word"), [
    (HTML, "text/html", "HTML"), (SVG, "image/svg+xml", "SVG"), (EXE, "application/vnd.microsoft.portable-executable",
                                                               "executable"),
    (b"just some words", "text/plain", "text")])
def test_content_that_is_not_an_accepted_format_is_refused_naming_what_it_is(lib, herald_runtime, data, detected,
                                                                             word):
    t, users, *_ = lib
    r = upload(users["designer"], t, "coffee", "image", data, filename="photo.png", content_type="image/png")
    assert r.status_code == 415, r.get_json()
    problem = r.get_json()
    assert problem["detected"] == detected and word in problem["detail"] and "PNG" in problem["detail"]
    with herald_runtime.db.transaction() as s:
        assert s.scalar(select(Asset.id)) is None
    media = herald_runtime.settings.instance_path / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(("head", "mime"), [
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heif"),
    (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00", "audio/mp4"),
    (b"PK\x03\x04\x14\x00", "application/zip"), (b"\x7fELF\x02\x01", "application/x-executable"),
    (b"#!/bin/sh\nrm -rf /", "text/x-shellscript"), (b"", "application/x-empty"),
    (b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    (b"\n\n<html><script>x</script>", "text/html")])
def test_lookalikes_and_other_formats_are_named_and_not_accepted(head, mime):  # type: ignore[no-untyped-def]
    from herald.library.sniff import sniff

    found = sniff(head)
    assert (found.mime_type, found.accepted) == (mime, False)


def test_the_declared_kind_must_match_the_content(lib):
    t, users, *_ = lib
    r = upload(users["designer"], t, "coffee", "image", PDF)
    assert r.status_code == 422 and "application/pdf" in r.get_json()["errors"]["kind"][0]
    r = upload(users["designer"], t, "coffee", "video", PNG)
    assert r.status_code == 422 and "image" in r.get_json()["errors"]["kind"][0]
    r = upload(users["designer"], t, "coffee", "snippet", PNG)
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]


def test_each_kind_has_its_own_size_limit(lib, herald_runtime):
    t, users, *_ = lib
    herald_runtime.settings = replace(herald_runtime.settings,
                                      media_max_bytes={"image": 2000, "gif": 4000, "video": 10, "document": 10})
    big_gif = GIF + b"\x00" * (3000 - len(GIF))
    r = upload(users["designer"], t, "coffee", "image", big_gif)
    assert r.status_code == 413 and "2000" in r.get_json()["detail"]
    assert uploaded(users["designer"], t, "coffee", "gif", big_gif)["size"] == 3000
    at_limit = PNG + b"\x00" * (2000 - len(PNG))
    assert uploaded(users["designer"], t, "coffee", "image", at_limit)["size"] == 2000
    r = upload(users["designer"], t, "coffee", "image", at_limit + b"\x00")
    assert r.status_code == 413
    # the whole request is capped too, above the largest kind's limit
    r = upload(users["designer"], t, "coffee", "gif", GIF + b"\x00" * 200_000)
    assert r.status_code == 413 and str(4000 + 64 * 1024) in r.get_json()["detail"]


def test_a_file_upload_needs_the_file_part_and_media_manage(lib):
    t, users, *_ = lib
    r = users["designer"].request("POST", f"tenants/{t.id}/assets", content_type="multipart/form-data",
                                  data={"org_unit_id": t.units["coffee"].id, "kind": "image"})
    assert r.status_code == 422 and "file" in r.get_json()["errors"]
    assert upload(users["viewer_dubai"], t, "dubai", "image", PNG).status_code == 403
    assert upload(users["designer"], t, "tea", "image", PNG).status_code == 404


# ----------------------------------------------------------------------------- downloads
def test_an_image_downloads_inline_with_nosniff_and_a_restrictive_policy(lib):
    t, users, *_ = lib
    asset = uploaded(users["designer"], t, "coffee", name="Logo.png")
    r = users["viewer_dubai"].get(f"tenants/{t.id}/assets/{asset['id']}/content")
    assert r.status_code == 200 and r.data == PNG
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("inline")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp


def test_a_document_downloads_as_an_attachment_of_its_sniffed_type(lib):
    t, users, *_ = lib
    asset = uploaded(users["designer"], t, "coffee", "document", PDF, filename="terms.html",
                     content_type="text/html")
    r = users["designer"].get(f"tenants/{t.id}/assets/{asset['id']}/content")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment;") and "terms.html" in r.headers[
        "Content-Disposition"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_and_snippets_are_created_from_text_and_have_no_file(lib):
    t, users, *_ = lib
    r = users["designer"].post(f"tenants/{t.id}/assets", {"org_unit_id": t.units["coffee"].id, "kind": "snippet",
                                                          "name": "Disclaimer", "text": "Terms apply."})
    assert r.status_code == 201, r.get_json()
    snippet = r.get_json()
    assert snippet["text"] == "Terms apply." and snippet["status"] == "pending"
    assert users["designer"].get(f"tenants/{t.id}/assets/{snippet['id']}/content").status_code == 404
    r = users["designer"].post(f"tenants/{t.id}/assets", {"org_unit_id": t.units["coffee"].id, "kind": "image",
                                                          "name": "x", "text": "y"})
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]


# ----------------------------------------------------------------------------- visibility
def test_a_unit_sees_its_own_and_its_ancestors_assets_never_a_childs(lib):
    t, users, *_ = lib
    root_asset = uploaded(users["admin"], t, "root", name="Group logo")
    coffee_asset = uploaded(users["designer"], t, "coffee", name="Coffee logo")
    dubai_asset = uploaded(users["admin"], t, "dubai", name="Dubai logo")
    tea_asset = uploaded(users["designer_tea"], t, "tea", name="Tea logo")

    def names(client, unit: str | None = None) -> set[str]:  # type: ignore[no-untyped-def]
        r = client.get(f"tenants/{t.id}/assets", query_string={"org_unit_id": t.units[unit].id} if unit else {})
        assert r.status_code == 200, r.get_json()
        return {a["name"] for a in r.get_json()["items"]}

    assert names(users["admin"], "dubai") == {"Group logo", "Coffee logo", "Dubai logo"}
    assert names(users["admin"], "coffee") == {"Group logo", "Coffee logo"}
    assert names(users["admin"], "root") == {"Group logo"}
    assert names(users["viewer_dubai"]) == {"Group logo", "Coffee logo", "Dubai logo"}
    assert names(users["designer_tea"]) == {"Group logo", "Tea logo"}
    # the child sees its parents' files; parents and siblings do not see the child's
    assert users["viewer_dubai"].get(f"tenants/{t.id}/assets/{root_asset['id']}").status_code == 200
    assert users["viewer_dubai"].get(f"tenants/{t.id}/assets/{coffee_asset['id']}/content").status_code == 200
    assert users["designer"].get(f"tenants/{t.id}/assets/{dubai_asset['id']}").status_code == 200  # grant covers it
    assert users["designer_tea"].get(f"tenants/{t.id}/assets/{dubai_asset['id']}").status_code == 404
    assert users["designer_tea"].get(f"tenants/{t.id}/assets/{coffee_asset['id']}/content").status_code == 404
    assert users["viewer_dubai"].get(f"tenants/{t.id}/assets/{tea_asset['id']}").status_code == 404
    # seeing an inherited asset is not managing it
    r = users["viewer_dubai"].patch(f"tenants/{t.id}/assets/{coffee_asset['id']}", {"name": "mine"})
    assert r.status_code == 403


def test_the_list_filters_by_kind_status_tag_expiry_and_text_and_pages(lib):
    t, users, *_ = lib
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    a = uploaded(users["designer"], t, "coffee", name="Summer hero", tags=["summer", "hero"])
    b = uploaded(users["designer"], t, "coffee", "gif", GIF, name="Spinner", tags=["ui"], expires_at=soon)
    c = approved(lib, name="Winter hero", tags=["winter", "hero"])

    def ids(**q) -> set[str]:  # type: ignore[no-untyped-def]
        r = users["designer"].get(f"tenants/{t.id}/assets", query_string=q)
        assert r.status_code == 200, r.get_json()
        return {x["id"] for x in r.get_json()["items"]}

    assert ids(kind="gif") == {b["id"]}
    assert ids(status="approved") == {c["id"]}
    assert ids(tag="hero") == {a["id"], c["id"]}
    assert ids(q="HERO") == {a["id"], c["id"]}
    assert ids(q="%") == set()
    assert ids(expired="true") == set()
    set_clock(lambda: datetime.now(UTC) + timedelta(days=2))
    assert ids(expired="true") == {b["id"]} and ids(expired="false") == {a["id"], c["id"]}
    first = users["designer"].get(f"tenants/{t.id}/assets", query_string={"limit": 2}).get_json()
    rest = users["designer"].get(f"tenants/{t.id}/assets",
                                 query_string={"limit": 2, "cursor": first["next_cursor"]}).get_json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert {x["id"] for x in first["items"] + rest["items"]} == {a["id"], b["id"], c["id"]}
    bad = users["designer"].get(f"tenants/{t.id}/assets", query_string={"kind": "banner"})
    assert bad.status_code == 422 and "kind" in bad.get_json()["errors"]


# ----------------------------------------------------------------------------- approval
def test_the_uploader_cannot_approve_their_own_asset(lib, herald_runtime):
    t, users, ids, _ = lib
    asset = uploaded(users["designer"], t, "coffee")
    r = users["designer"].post(f"tenants/{t.id}/assets/{asset['id']}/approve", {})
    assert r.status_code == 403 and "separation of duties" in r.get_json()["detail"]
    assert users["viewer_dubai"].post(f"tenants/{t.id}/assets/{asset['id']}/approve", {}).status_code == 403
    r = users["designer2"].post(f"tenants/{t.id}/assets/{asset['id']}/approve", {"note": "fine"})
    assert r.status_code == 200, r.get_json()
    done = r.get_json()
    assert (done["status"], done["decided_by"], done["decision_note"]) == ("approved", ids["designer2"], "fine")
    assert users["manager"].post(f"tenants/{t.id}/assets/{asset['id']}/reject", {"note": "late"}).status_code == 409
    with herald_runtime.db.transaction() as s:
        actions = s.execute(select(AuditEvent.action).where(AuditEvent.object_id == asset["id"])
                            .order_by(AuditEvent.chain_seq)).scalars().all()
    assert actions == ["asset.created", "asset.approved"]


def test_a_rejection_needs_a_note_and_retiring_is_audited(lib, herald_runtime):
    t, users, *_ = lib
    asset = uploaded(users["designer"], t, "coffee")
    r = users["manager"].post(f"tenants/{t.id}/assets/{asset['id']}/reject", {})
    assert r.status_code == 422 and "note" in r.get_json()["errors"]
    r = users["manager"].post(f"tenants/{t.id}/assets/{asset['id']}/reject", {"note": "No licence for EMEA"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    other = approved(lib)
    r = users["designer"].post(f"tenants/{t.id}/assets/{other['id']}/retire", {"note": "rebrand"})
    assert r.status_code == 200 and r.get_json()["status"] == "retired"
    assert users["designer"].post(f"tenants/{t.id}/assets/{other['id']}/retire", {}).status_code == 409
    assert users["designer"].patch(f"tenants/{t.id}/assets/{other['id']}", {"name": "x"}).status_code == 409
    with herald_runtime.db.transaction() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.object_id == other["id"],
                                                   AuditEvent.action == "asset.retired")).scalar_one()
        assert event.before["status"] == "approved" and event.after["status"] == "retired"


def test_metadata_and_expiry_changes_are_audited_and_new_text_needs_approval_again(lib, herald_runtime):
    t, users, *_ = lib
    asset = approved(lib)
    later = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    r = users["designer"].patch(f"tenants/{t.id}/assets/{asset['id']}",
                                {"name": "Hero", "tags": ["b", "a", "a"], "expires_at": later.isoformat()})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["name"], r.get_json()["tags"], r.get_json()["status"]) == ("Hero", ["a", "b"], "approved")
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = users["designer"].patch(f"tenants/{t.id}/assets/{asset['id']}", {"expires_at": past})
    assert r.status_code == 422 and "expires_at" in r.get_json()["errors"]
    with herald_runtime.db.transaction() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.object_id == asset["id"],
                                                   AuditEvent.action == "asset.updated")).scalar_one()
        assert event.before["expires_at"] is None and event.after["expires_at"].startswith(later.date().isoformat())
    snippet = users["designer"].post(f"tenants/{t.id}/assets", {"org_unit_id": t.units["coffee"].id,
                                                                "kind": "snippet", "name": "D", "text": "v1"})
    sid = snippet.get_json()["id"]
    assert users["manager"].post(f"tenants/{t.id}/assets/{sid}/approve", {}).get_json()["status"] == "approved"
    r = users["designer"].patch(f"tenants/{t.id}/assets/{sid}", {"text": "v2"})
    assert r.get_json()["status"] == "pending" and r.get_json()["text"] == "v2"


# ----------------------------------------------------------------------------- posts
def _post(t, accts, unit: str, media: list[dict]) -> dict:  # type: ignore[no-untyped-def]
    return {"org_unit_id": t.units[unit].id,
            "content": {"targets": [accts[unit]], "variants": [{"text": "Hello", "media": media}]}}


def test_a_post_may_only_use_assets_fit_for_its_unit_and_every_problem_is_listed(lib, seed, api):
    t, users, _, accts = lib
    dubai_only = uploaded(users["admin"], t, "dubai")
    rejected = uploaded(users["designer"], t, "coffee")
    users["manager"].post(f"tenants/{t.id}/assets/{rejected['id']}/reject", {"note": "no"})
    retired = approved(lib)
    users["manager"].post(f"tenants/{t.id}/assets/{retired['id']}/retire", {})
    video = approved(lib, kind="video", data=MP4)
    other = seed.tenant("other")
    _, other_token = seed.user(other, "a@other.test", [("tenant_admin", "root")])
    foreign = uploaded(api(other_token), other, "root")
    media = [{"kind": "image", "asset_id": dubai_only["id"]}, {"kind": "image", "asset_id": rejected["id"]},
             {"kind": "image", "asset_id": retired["id"]}, {"kind": "image", "asset_id": video["id"]},
             {"kind": "image", "asset_id": foreign["id"]}]
    r = users["editor"].post(f"tenants/{t.id}/posts", _post(t, accts, "coffee", media))
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    assert "library of this post's unit" in errors["variants[0].media[0].asset_id"][0]
    assert "rejected" in errors["variants[0].media[1].asset_id"][0]
    assert "retired" in errors["variants[0].media[2].asset_id"][0]
    assert "is a video, not a image" in errors["variants[0].media[3].kind"][0]
    assert "library of this post's unit" in errors["variants[0].media[4].asset_id"][0]


def test_an_expired_asset_cannot_be_put_in_a_post(lib):
    t, users, _, accts = lib
    asset = approved(lib, expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    set_clock(lambda: datetime.now(UTC) + timedelta(hours=2))
    r = users["editor"].post(f"tenants/{t.id}/posts", _post(t, accts, "coffee",
                                                            [{"kind": "image", "asset_id": asset["id"]}]))
    assert r.status_code == 422 and "expired at" in r.get_json()["errors"]["variants[0].media[0].asset_id"][0]


def test_a_child_units_post_may_use_its_parents_asset_and_says_whether_all_assets_are_approved(lib):
    t, users, _, accts = lib
    ok = approved(lib)
    pending = uploaded(users["designer"], t, "coffee")
    r = users["creator_dubai"].post(f"tenants/{t.id}/posts",
                                    _post(t, accts, "dubai", [{"kind": "image", "asset_id": ok["id"]}]))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["uses_only_approved_assets"] is True
    r = users["creator_dubai"].post(f"tenants/{t.id}/posts", _post(t, accts, "dubai", [
        {"kind": "image", "asset_id": ok["id"]}, {"kind": "image", "asset_id": pending["id"]}]))
    assert r.status_code == 201 and r.get_json()["uses_only_approved_assets"] is False
    r = users["creator_dubai"].post(f"tenants/{t.id}/posts", _post(t, accts, "dubai", [
        {"kind": "image", "url": "https://cdn.example.com/a.png"}]))
    assert r.status_code == 201 and r.get_json()["uses_only_approved_assets"] is False


def _approve_post(herald_runtime, post_id: str) -> None:  # type: ignore[no-untyped-def]
    # The approval engine's outcome, set directly: these tests are about what the gate does after.
    with herald_runtime.db.transaction() as s:
        post = s.get(Post, post_id)
        post.status, post.approved_version = "approved", post.current_version


def test_an_asset_expiring_after_approval_blocks_scheduling_with_its_reason(lib, herald_runtime):
    t, users, _, accts = lib
    expiry = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    asset = approved(lib, name="Spring hero", expires_at=expiry.isoformat())
    r = users["editor"].post(f"tenants/{t.id}/posts", _post(t, accts, "coffee",
                                                            [{"kind": "image", "asset_id": asset["id"]}]))
    post_id = r.get_json()["id"]
    _approve_post(herald_runtime, post_id)
    with herald_runtime.db.transaction() as s:
        post = s.get(Post, post_id)
        require_publishable(s, post)
        assert is_publishable(post)
        set_clock(lambda: expiry + timedelta(minutes=1))
        assert not is_publishable(post)
        with pytest.raises(Conflict) as caught:
            require_publishable(s, post)
    assert "Spring hero" in caught.value.detail and expiry.isoformat() in caught.value.detail
    assert caught.value.extra["assets"][0]["asset_id"] == asset["id"]
    assert r.get_json()["uses_only_approved_assets"] is True
    later = users["editor"].get(f"tenants/{t.id}/posts/{post_id}").get_json()
    assert later["uses_only_approved_assets"] is False


def test_a_retired_or_unapproved_asset_blocks_publishing(lib, herald_runtime):
    t, users, _, accts = lib
    asset = approved(lib, name="Old logo")
    r = users["editor"].post(f"tenants/{t.id}/posts", _post(t, accts, "coffee",
                                                            [{"kind": "image", "asset_id": asset["id"]}]))
    post_id = r.get_json()["id"]
    _approve_post(herald_runtime, post_id)
    users["manager"].post(f"tenants/{t.id}/assets/{asset['id']}/retire", {"note": "rebrand"})
    with herald_runtime.db.transaction() as s:
        post = s.get(Post, post_id)
        with pytest.raises(Conflict, match=r"'Old logo'.*retired"):
            require_publishable(s, post)
        assert not is_publishable(post, s)
    pending = uploaded(users["designer"], t, "coffee", name="New logo")
    r = users["editor"].post(f"tenants/{t.id}/posts", _post(t, accts, "coffee",
                                                            [{"kind": "image", "asset_id": pending["id"]}]))
    _approve_post(herald_runtime, r.get_json()["id"])
    with herald_runtime.db.transaction() as s, pytest.raises(Conflict, match=r"'New logo'.*pending, not approved"):
        require_publishable(s, s.get(Post, r.get_json()["id"]))


# ----------------------------------------------------------------------------- signed links
def test_a_signed_link_serves_the_file_without_a_token_until_it_expires(lib, api):
    t, users, *_ = lib
    asset = approved(lib)
    r = users["viewer_dubai"].post(f"tenants/{t.id}/assets/{asset['id']}/links", {"ttl": 600})
    assert r.status_code == 201, r.get_json()
    url = r.get_json()["url"]
    path = url[url.index("/api/v1/media/"):]
    anonymous = api(None)
    got = anonymous.get(path)
    assert got.status_code == 200 and got.data == PNG and got.headers["X-Content-Type-Options"] == "nosniff"
    set_clock(lambda: datetime.now(UTC) + timedelta(seconds=601))
    expired = anonymous.get(path)
    assert expired.status_code == 410 and "expired" in expired.get_json()["detail"]


def test_a_tampered_signed_link_is_refused(lib, api):
    t, users, *_ = lib
    one, two = approved(lib), approved(lib)
    path = users["designer"].post(f"tenants/{t.id}/assets/{one['id']}/links", {}).get_json()["url"]
    path = path[path.index("/api/v1/media/"):]
    token = path.rsplit("/", 1)[1]
    payload, signature = token.split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for forged in ({**claims, "a": two["id"]}, {**claims, "e": claims["e"] + 86400 * 365}):
        raw = base64.urlsafe_b64encode(json.dumps(forged, separators=(",", ":")).encode()).decode().rstrip("=")
        r = api(None).get(f"/api/v1/media/{raw}.{signature}")
        assert r.status_code == 403 and "signature" in r.get_json()["detail"]
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert api(None).get(f"/api/v1/media/{payload}.{flipped}").status_code == 403
    assert api(None).get("/api/v1/media/garbage").status_code == 403
    # a genuine link stops working once its asset is retired
    users["manager"].post(f"tenants/{t.id}/assets/{one['id']}/retire", {})
    assert api(None).get(path).status_code == 410


def test_links_are_only_made_for_approved_assets(lib):
    t, users, *_ = lib
    pending = uploaded(users["designer"], t, "coffee")
    assert users["designer"].post(f"tenants/{t.id}/assets/{pending['id']}/links", {}).status_code == 409


def test_the_publishing_engine_gets_a_media_file_with_a_signed_url_and_the_bytes(lib, herald_runtime, api):
    t, *_ = lib
    asset = approved(lib)
    herald_runtime.settings = replace(herald_runtime.settings, public_url="https://herald.example.com")
    with herald_runtime.db.transaction() as s:
        mf = media_file(s, herald_runtime.settings, t.id, asset["id"], alt_text="A cup")
    assert (mf.kind, mf.mime_type, mf.size, mf.alt_text) == ("image", "image/png", len(PNG), "A cup")
    assert mf.read() == PNG
    assert mf.url is not None and mf.url.startswith("https://herald.example.com/api/v1/media/")
    got = api(None).get(mf.url.removeprefix("https://herald.example.com"))
    assert got.status_code == 200 and got.data == PNG
    with herald_runtime.db.transaction() as s, pytest.raises(Exception, match="No asset file"):
        media_file(s, herald_runtime.settings, "ten_other", asset["id"])


# ----------------------------------------------------------------------------- tenants
def test_another_tenants_asset_ids_are_not_found(lib, seed, api):
    t, *_ = lib
    asset = approved(lib)
    other = seed.tenant("other")
    _, token = seed.user(other, "a@other.test", [("tenant_admin", "root")])
    intruder = api(token)
    for method, suffix, body in (("GET", "", None), ("GET", "/content", None), ("PATCH", "", {"name": "x"}),
                                 ("POST", "/approve", {}), ("POST", "/reject", {"note": "x"}),
                                 ("POST", "/retire", {}), ("POST", "/links", {})):
        for tenant_id in (other.id, t.id):
            r = intruder.request(method, f"tenants/{tenant_id}/assets/{asset['id']}{suffix}", json=body)
            assert r.status_code == 404, (method, suffix, tenant_id, r.get_json())
    listed = intruder.get(f"tenants/{other.id}/assets").get_json()["items"]
    assert listed == []
    r = intruder.request("POST", f"tenants/{other.id}/assets", content_type="multipart/form-data",
                         data={"org_unit_id": t.units["coffee"].id, "kind": "image",
                               "file": (io.BytesIO(PNG), "a.png")})
    assert r.status_code == 404
