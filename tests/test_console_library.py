"""The content library's console page: assets visible to the person with kind, approval status
and thumbnails; uploading with ``media.manage``; approving and rejecting through the library
service (never one's own upload; a rejection needs a note); a menu entry for ``media.view``."""

from __future__ import annotations

import io
import re
from html import unescape

from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)

from herald.console.library_page import PAGE_SIZE

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


def _assets(world) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {a["name"]: a for a in world.admin.get(f"tenants/{world.tid}/assets?limit=200").get_json()["items"]}


def _upload(client, csrf: str, world, name: str = "Latte art"):  # type: ignore[no-untyped-def]
    return client.post("/console/library/upload", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "name": name,
        "file": (io.BytesIO(PNG), "latte.png", "application/octet-stream")},
        content_type="multipart/form-data", follow_redirects=True)


def test_an_upload_waits_for_someone_elses_approval_and_is_approved_on_the_page(app, world):
    editor, csrf = sign_in(app, world, "editor")
    page = text(_upload(editor, csrf, world))
    assert "Latte art was added to the library; it waits for approval." in page
    asset = _assets(world)["Latte art"]
    assert asset["status"] == "pending" and asset["kind"] == "image"
    row = re.search(rf'<tr id="asset-{asset["id"]}">.*?</tr>', page, re.S).group(0)
    assert f'src="/console/library/{asset["id"]}/preview"' in row
    assert 'data-code="pending"' in row and "Waiting for approval" in row
    assert 'name="decision"' not in row  # not one's own upload
    forged = editor.post(f"/console/library/{asset['id']}/decision", data={"csrf_token": csrf,
                                                                             "decision": "approve"})
    assert forged.status_code == 303 and _assets(world)["Latte art"]["status"] == "pending"

    admin, admin_csrf = sign_in(app, world, "admin")
    page = text(admin.get("/console/library"))
    row = re.search(rf'<tr id="asset-{asset["id"]}">.*?</tr>', page, re.S).group(0)
    assert 'value="approve"' in row and 'value="reject"' in row
    no_note = text(admin.post(f"/console/library/{asset['id']}/decision",
                              data={"csrf_token": admin_csrf, "decision": "reject", "note": " "},
                              follow_redirects=True))
    assert "Say why the asset is rejected." in no_note and _assets(world)["Latte art"]["status"] == "pending"
    approved = text(admin.post(f"/console/library/{asset['id']}/decision",
                               data={"csrf_token": admin_csrf, "decision": "approve"}, follow_redirects=True))
    assert "Latte art was approved." in approved and _assets(world)["Latte art"]["status"] == "approved"
    assert admin.get(f"/console/library/{asset['id']}/preview").data == PNG


def test_a_viewer_sees_the_library_in_the_menu_but_may_neither_upload_nor_decide(app, world):
    editor, csrf = sign_in(app, world, "editor")
    _upload(editor, csrf, world, "Flat white")
    asset = _assets(world)["Flat white"]
    viewer, viewer_csrf = sign_in(app, world, "viewer")
    home = viewer.get("/console/").get_data(as_text=True)
    assert 'href="/console/library"' in home
    page = text(viewer.get("/console/library"))
    assert "Flat white" in page and 'action="/console/library/upload"' not in page and 'name="decision"' not in page
    refused = text(_upload(viewer, viewer_csrf, world, "Sneaky"))
    assert 'role="alert"' in refused and "Sneaky" not in _assets(world)
    viewer.post(f"/console/library/{asset['id']}/decision", data={"csrf_token": viewer_csrf, "decision": "approve"})
    assert _assets(world)["Flat white"]["status"] == "pending"
    no_csrf = viewer.post(f"/console/library/{asset['id']}/decision", data={"decision": "approve"})
    assert no_csrf.status_code == 403


def test_the_library_is_filtered_and_paged_by_keyset(app, world):
    for i in range(PAGE_SIZE + 2):
        r = world.admin.post(f"tenants/{world.tid}/assets", {"org_unit_id": world.unit("coffee"), "kind": "snippet",
                                                            "name": f"Snippet {i:02d}", "text": "Hello"})
        assert r.status_code == 201, r.get_json()
    admin, _csrf = sign_in(app, world, "admin")
    first = text(admin.get("/console/library?kind=snippet"))
    assert first.count('<tr id="asset-') == PAGE_SIZE
    following = re.search(r'<a href="([^"]+)" rel="next">', first).group(1)
    assert "kind=snippet" in following
    second = text(admin.get(following))
    assert second.count('<tr id="asset-') == 2 and 'rel="next"' not in second
    assert text(admin.get("/console/library?kind=image")).count('<tr id="asset-') == 0
    odd = admin.get("/console/library?kind=<script>")
    assert odd.status_code == 200 and "<script>" not in odd.get_data(as_text=True).split("<main", 1)[1]
