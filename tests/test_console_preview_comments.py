"""Compose's per-network preview (computed from each connector's own rules: X's weighted count,
Instagram's caption with its hashtags) and the comments thread on a post's page (the comments
service, with its permissions and the session's CSRF token), through the Flask test client."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from console_world import build_console_world, sign_in
from test_console_compose_media import PDF
from test_console_compose_media import _upload as upload_asset

from herald.content.models import PostComment

LINK = "https://example.com/a/very/long/path/that/is/much/longer/than/twenty-three/characters"


@pytest.fixture
def world(seed, api, register_plugin):  # type: ignore[no-untyped-def]
    w = build_console_world(seed, api, register_plugin)
    for plugin, settings in (("network_x", {"client_id": "cid"}),
                             ("network_instagram", {"app_id": "app", "app_secret": "secret"}),
                             ("network_sandbox", {})):
        r = w.admin.patch(f"tenants/{w.tid}/plugins/{plugin}", {"enabled": True, "settings": settings})
        assert r.status_code == 200, r.get_json()
    w.add_account("x", "acme_x")
    w.add_account("instagram", "acme_ig")
    w.add_account("sandbox", "acme_sandbox")
    return w


def check(client, csrf, world, text: str, *targets: str, **extra: str):  # type: ignore[no-untyped-def]
    form = {"csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Preview",
            "targets": [world.accounts[t] for t in targets], "variant-0-text": text, **extra}
    r = client.post("/console/compose/check", data=form, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


# ----------------------------------------------------------------------------- preview
def test_the_x_preview_counts_a_link_as_23_and_cjk_as_2_as_x_does(app, world):
    creator, csrf = sign_in(app, world, "creator")
    body = check(creator, csrf, world, f"Read {LINK} 今日は", "x")
    (x,) = body["previews"]["0"]
    assert (x["network"], x["handle"], x["limit"]) == ("x", "acme_x", 280)
    assert x["length"] == len("Read ") + 23 + len(" ") + 3 * 2  # not the 99 code points
    assert x["over"] is False and x["cut"] == ""
    assert 'data-length="35"' in body["previews_html"]["0"]
    assert list(body["previews"]) == ["0"] and "variants[0].text" not in body["problems"]  # the form's one row


def test_the_x_preview_flags_text_over_the_limit_and_marks_the_part_x_would_cut(app, world):
    creator, csrf = sign_in(app, world, "creator")
    body = check(creator, csrf, world, "界" * 150, "x", "sandbox")
    by_network = {p["network"]: p for p in body["previews"]["0"]}
    x, sandbox = by_network["x"], by_network["sandbox"]
    assert (x["length"], x["over"]) == (300, True)
    assert (x["kept"], x["cut"]) == ("界" * 140, "界" * 10)  # 140 wide characters weigh 280
    assert '<mark class="cut"' in body["previews_html"]["0"] and "20 over the limit" in body["previews_html"]["0"]
    assert body["problems"]["variants[0].text"]  # the check agrees with the preview
    assert (sandbox["style"], sandbox["length"], sandbox["cut"]) == ("text", 150, "")  # plain code points


def test_the_instagram_preview_shows_the_caption_its_hashtags_and_the_first_comment_it_cannot_post(app, world):
    creator, csrf = sign_in(app, world, "creator")
    body = check(creator, csrf, world, "Fresh roast today #coffee #latte #morning@acme", "instagram",
                 **{"variant-0-first_comment": "#more #tags"})
    (ig,) = body["previews"]["0"]
    assert (ig["network"], ig["style"], ig["hashtags"], ig["limit"]) == ("instagram", "caption", 3, 2200)
    assert ig["first_comment"] == "#more #tags" and ig["supports_first_comment"] is False
    html = body["previews_html"]["0"]
    assert 'data-hashtags="3"' in html and "Hashtags: 3" in html and "Caption" in html
    assert "Instagram has no first comment" in html and "needs at least 1 media item" in html


def test_the_preview_shows_picked_images_as_thumbnails_and_flags_media_a_network_refuses(app, world):
    image = upload_asset(world, "root")
    document = upload_asset(world, "root", data=PDF, kind="document", name="menu.pdf")
    creator, csrf = sign_in(app, world, "admin")
    body = check(creator, csrf, world, "Our new cup", "x", **{
        "variant-0-media": [image["id"], document["id"]], f"variant-0-alt-{image['id']}": "A white cup"})
    (x,) = body["previews"]["0"]
    assert [(m["asset_id"], m["accepted"]) for m in x["media"]] == [(image["id"], True), (document["id"], False)]
    assert x["media"][0]["thumbnail"] == f"/console/library/{image['id']}/preview"
    assert x["media"][1]["thumbnail"] is None
    html = body["previews_html"]["0"]
    assert f'src="/console/library/{image["id"]}/preview" alt="A white cup"' in html
    assert "X does not accept this kind of media." in html


def test_without_scripts_the_check_button_shows_the_preview_on_the_page(app, world):
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "T", "action": "check",
        "targets": [world.accounts["x"]], "variant-0-text": f"{LINK} ok"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert 'class="net-preview" data-network="x"' in page and 'data-length="26"' in page
    assert "compose_preview.js" in page


def test_the_live_check_needs_the_session_csrf_token(app, world):
    creator, _csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose/check", data={"targets": [world.accounts["x"]], "variant-0-text": "hi"})
    assert r.status_code == 403


def test_accounts_the_person_may_not_see_are_not_previewed(app, world):
    tea_account = world.add_account("x", "acme_tea_x", unit="tea")
    creator, csrf = sign_in(app, world, "creator")  # a creator in "coffee" only
    r = creator.post("/console/compose/check", headers={"X-CSRF-Token": csrf}, data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "targets": [tea_account], "variant-0-text": "hi"})
    assert r.get_json()["previews"]["0"] == []


# ----------------------------------------------------------------------------- comments
def _post(world, unit: str = "coffee") -> str:  # type: ignore[no-untyped-def]
    target = world.accounts["longnet"] if unit == "coffee" else world.add_account("longnet", f"acme_{unit}", unit)
    content = {"title": "Coffee news", "targets": [target],
               "variants": [{"network": None, "language": "en", "text": "New roast"}]}
    r = world.admin.post(f"tenants/{world.tid}/posts", {"org_unit_id": world.unit(unit), "content": content})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _comments(world, post_id: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    return world.admin.get(f"tenants/{world.tid}/posts/{post_id}/comments").get_json()["items"]


def test_the_post_page_lists_comments_oldest_first_with_external_reviewers_named(app, world, client):
    post_id = _post(world)
    assert world.admin.post(f"tenants/{world.tid}/posts/{post_id}/comments",
                            {"body": "First: check the price"}).status_code == 201
    r = world.admin.post(f"tenants/{world.tid}/posts/{post_id}/external-reviews",
                         {"name": "Dana Client", "email": "dana@client.example", "can_decide": False})
    assert r.status_code == 201, r.get_json()
    token = r.get_json()["token"]
    assert client.post(f"/api/v1/external-reviews/{token}/comments", json={"body": "تبدو جيدة"}).status_code == 201

    editor, csrf = sign_in(app, world, "editor")
    assert editor.post("/console/profile", data={"csrf_token": csrf, "locale": "en",
                                                 "time_zone": "Asia/Dubai"}).status_code == 303
    page = editor.get(f"/console/posts/{post_id}").get_data(as_text=True)
    first, second = page.index("First: check the price"), page.index("تبدو جيدة")
    assert first < second
    assert "Dana Client (external reviewer)" in page
    assert '<p class="body" dir="auto">تبدو جيدة</p>' in page
    created = _comments(world, post_id)[0]["created_at"]
    shown = format_datetime(datetime.fromisoformat(created), tzinfo=ZoneInfo("Asia/Dubai"), locale="en")
    assert shown in page  # in the viewer's zone
    # the decision's comment field is another control
    assert 'id="new-comment" name="body"' in page


def test_a_comment_is_added_from_the_post_page_through_the_comments_service(app, world):
    post_id = _post(world)
    editor, csrf = sign_in(app, world, "editor")
    r = editor.post(f"/console/posts/{post_id}/comments", data={"csrf_token": csrf, "body": "  Shorter, please  "})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/console/posts/{post_id}#h-comments")
    (comment,) = _comments(world, post_id)
    assert (comment["body"], comment["author_id"]) == ("Shorter, please", world.ids["editor"])
    page = editor.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert "Your comment was added." in page and "Shorter, please" in page

    r = editor.post(f"/console/posts/{post_id}/comments", data={"csrf_token": csrf, "body": "   "})
    assert r.status_code == 303
    assert "Write the comment before adding it." in editor.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert len(_comments(world, post_id)) == 1


def test_a_comment_is_refused_to_a_person_who_may_not_see_the_post_even_by_hand(app, world, herald_runtime):
    post_id = _post(world, unit="tea")
    creator, csrf = sign_in(app, world, "creator")  # a creator in "coffee": the "tea" post is not theirs to see
    assert creator.get(f"/console/posts/{post_id}").status_code == 404
    r = creator.post(f"/console/posts/{post_id}/comments", data={"csrf_token": csrf, "body": "Sneaky"})
    assert r.status_code == 404
    with herald_runtime.db.transaction() as s:
        assert s.query(PostComment).filter_by(post_id=post_id).count() == 0


def test_a_comment_without_the_session_csrf_token_is_refused(app, world):
    post_id = _post(world)
    editor, _csrf = sign_in(app, world, "editor")
    r = editor.post(f"/console/posts/{post_id}/comments", data={"body": "No token"})
    assert r.status_code == 403
    assert _comments(world, post_id) == []
