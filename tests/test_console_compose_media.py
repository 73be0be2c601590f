"""Media on the compose page, through the Flask test client: picking an approved library asset,
uploading a new file (stored by the library service, then picked), previews, the connectors'
live check seeing the media, and assets the post may not use refused at their variant."""

from __future__ import annotations

import io
from typing import Any

import pytest
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b" " * 200


def _upload(world, unit: str, data: bytes = PNG, kind: str = "image", name: str = "cup.png") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    form = {"org_unit_id": world.unit(unit), "kind": kind, "name": name,
            "file": (io.BytesIO(data), name, "application/octet-stream")}
    r = world.admin.request("POST", f"tenants/{world.tid}/assets", data=form, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _decide(api, token_client, world, asset_id: str, decision: str) -> None:  # type: ignore[no-untyped-def]
    body = {"note": "no" if decision == "reject" else ""}
    r = token_client.post(f"tenants/{world.tid}/assets/{asset_id}/{decision}", body)
    assert r.status_code == 200, r.get_json()


@pytest.fixture
def manager_api(world, seed, api):  # type: ignore[no-untyped-def]
    """A second person with media.manage on the root, to approve what the admin uploads."""
    _user, token = seed.user(world.tenant, "librarian@acme.test", [("manager", "root")])
    return api(token)


def _post_content(world, post_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return world.admin.get(f"tenants/{world.tid}/posts/{post_id}").get_json()["content"]


def test_a_post_composed_with_an_approved_library_image_references_the_asset(app, world, api, manager_api):
    asset = _upload(world, "root")
    _decide(api, manager_api, world, asset["id"], "approve")
    creator, csrf = sign_in(app, world, "creator")
    page = creator.get("/console/compose").get_data(as_text=True)
    assert f'name="variant-0-media" value="{asset["id"]}"' in page
    assert f'/console/library/{asset["id"]}/preview' in page
    preview = creator.get(f'/console/library/{asset["id"]}/preview')
    assert preview.status_code == 200 and preview.data == PNG and preview.mimetype == "image/png"
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "With a picture",
        "targets": [world.accounts["longnet"]], "variant-0-text": "Our new cup",
        "variant-0-media": asset["id"], f"variant-0-alt-{asset['id']}": "A white cup", "action": "draft"})
    assert r.status_code == 303, r.get_data(as_text=True)
    content = _post_content(world, r.headers["Location"].rsplit("/", 1)[1])
    assert content["variants"][0]["media"] == [{"kind": "image", "asset_id": asset["id"], "url": None,
                                                "alt_text": "A white cup"}]
    post = world.admin.get(f"tenants/{world.tid}/posts/{r.headers['Location'].rsplit('/', 1)[1]}").get_json()
    assert post["uses_only_approved_assets"] is True


def test_a_file_uploaded_on_the_compose_page_goes_to_the_library_and_into_the_post(app, world):
    editor, csrf = sign_in(app, world, "editor")  # editors may add to the library (media.manage)
    r = editor.post("/console/compose", content_type="multipart/form-data", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Fresh",
        "targets": [world.accounts["longnet"]], "variant-0-text": "Fresh photo",
        "variant-0-upload": (io.BytesIO(PNG), "fresh.png"), "action": "upload"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assets = world.admin.get(f"tenants/{world.tid}/assets?org_unit_id={world.unit('coffee')}").get_json()["items"]
    assert [(a["name"], a["kind"], a["status"], a["mime_type"]) for a in assets] == [
        ("fresh.png", "image", "pending", "image/png")]
    new_id = assets[0]["id"]
    page = r.get_data(as_text=True)
    assert f'name="variant-0-media" value="{new_id}" checked' in page  # picked for the variant it came with
    r = editor.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Fresh",
        "targets": [world.accounts["longnet"]], "variant-0-text": "Fresh photo", "variant-0-media": new_id,
        "action": "draft"})
    assert r.status_code == 303, r.get_data(as_text=True)
    content = _post_content(world, r.headers["Location"].rsplit("/", 1)[1])
    assert [m["asset_id"] for m in content["variants"][0]["media"]] == [new_id]


def test_uploading_and_saving_in_one_go_saves_the_post_with_the_new_file(app, world):
    editor, csrf = sign_in(app, world, "editor")
    r = editor.post("/console/compose", content_type="multipart/form-data", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "One go",
        "targets": [world.accounts["longnet"]], "variant-0-text": "",
        "variant-0-upload": (io.BytesIO(PNG), "only-a-picture.png"), "action": "draft"})
    assert r.status_code == 303, r.get_data(as_text=True)
    media = _post_content(world, r.headers["Location"].rsplit("/", 1)[1])["variants"][0]["media"]
    asset = world.admin.get(f"tenants/{world.tid}/assets/{media[0]['asset_id']}").get_json()
    assert asset["name"] == "only-a-picture.png" and media[0]["kind"] == "image"


def test_a_person_without_media_manage_cannot_upload_and_nothing_is_stored(app, world):
    creator, csrf = sign_in(app, world, "creator")
    assert 'type="file"' not in creator.get("/console/compose").get_data(as_text=True)
    r = creator.post("/console/compose", content_type="multipart/form-data", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "targets": [world.accounts["longnet"]],
        "variant-0-text": "Sneaky", "variant-0-upload": (io.BytesIO(PNG), "x.png"), "action": "draft"})
    assert r.status_code == 422
    assert 'data-field="variants[0].upload"><span class="problem">' in r.get_data(as_text=True)
    assert world.admin.get(f"tenants/{world.tid}/assets").get_json()["items"] == []
    assert world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"] == []


def test_a_rejected_or_another_tenants_asset_is_refused_at_its_variant(app, world, seed, api, manager_api):
    rejected = _upload(world, "root", name="old.png")
    _decide(api, manager_api, world, rejected["id"], "reject")
    other = seed.tenant("globex", {"shop": None})
    _user, token = seed.user(other, "boss@globex.test", [("tenant_admin", "root")])
    form = {"org_unit_id": other.units["root"].id, "kind": "image", "name": "theirs.png",
            "file": (io.BytesIO(PNG), "theirs.png", "image/png")}
    r = api(token).request("POST", f"tenants/{other.id}/assets", data=form, content_type="multipart/form-data")
    theirs = r.get_json()["id"]

    creator, csrf = sign_in(app, world, "creator")
    assert f'value="{rejected["id"]}"' not in creator.get("/console/compose").get_data(as_text=True)
    assert creator.get(f"/console/library/{theirs}/preview").status_code == 404
    for asset_id, says in ((rejected["id"], "is rejected"), (theirs, "No asset")):
        r = creator.post("/console/compose", data={
            "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Nope",
            "targets": [world.accounts["longnet"]], "variant-0-text": "Hi", "variant-0-media": asset_id,
            "action": "draft"})
        assert r.status_code == 422, r.get_data(as_text=True)
        page = r.get_data(as_text=True)
        box = page.split('data-field="variants[0]" aria-live="polite">', 1)[1].split("</div>", 1)[0]
        assert says in box
    assert world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"] == []


def test_the_live_check_sees_the_media_the_connector_does_not_accept(app, world, api, manager_api):
    doc = _upload(world, "root", data=PDF, kind="document", name="terms.pdf")
    _decide(api, manager_api, world, doc["id"], "approve")
    image = _upload(world, "root")
    _decide(api, manager_api, world, image["id"], "approve")
    creator, csrf = sign_in(app, world, "creator")
    base = {"org_unit_id": world.unit("coffee"), "targets": [world.accounts["longnet"]], "variant-0-text": "Hi"}
    r = creator.post("/console/compose/check", data={**base, "variant-0-media": doc["id"]},
                     headers={"X-CSRF-Token": csrf})
    problems = r.get_json()["problems"]
    assert problems == {"variants[0].media[0]": ["Long network does not accept 'document' media."]}
    r = creator.post("/console/compose/check", data={**base, "variant-0-media": image["id"]},
                     headers={"X-CSRF-Token": csrf})
    assert r.get_json()["problems"] == {}
