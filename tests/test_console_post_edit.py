"""Editing a post in the console and the compose form, through the Flask test client: the edit
lease (taken on opening, the holder and the time named to anybody else, given back on save and
cancel), a stale save refused with everything typed kept, the version diff after saving, the
approval engine's own invalidation when a post under review is edited, variant rows added and
removed without scripts, campaign and tags, the posts filter, people's names on the post page and
page titles without markup."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)

from herald.clock import utcnow
from herald.content.models import POST_STATUSES, Post
from herald.people.models import User

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def compose(client: Any, csrf: str, world: Any, text: str = "First words", action: str = "draft",
            **extra: Any) -> str:
    r = client.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Launch",
        "targets": [world.accounts["longnet"]], "variant-0-text": text, "action": action, **extra})
    assert r.status_code == 303, r.get_data(as_text=True)
    return r.headers["Location"].rsplit("/", 1)[1]


def edit_form(world: Any, csrf: str, text: str, base: int, **extra: Any) -> dict[str, Any]:
    return {"csrf_token": csrf, "base_version": str(base), "title": "Launch", "targets": [world.accounts["longnet"]],
            "row": "0", "variant-0-text": text, "action": "save", **extra}


def api_post(world: Any, post_id: str) -> dict[str, Any]:
    return world.admin.get(f"tenants/{world.tid}/posts/{post_id}").get_json()


def rename(rt: Any, world: Any, **names: str) -> None:
    with rt.db.transaction() as s:
        for who, name in names.items():
            s.get(User, world.ids[who]).display_name = name


# ----------------------------------------------------------------------------- the edit lease
def test_opening_the_edit_page_takes_the_lease_and_saving_makes_a_version_whose_diff_the_post_shows(app, world):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    page = creator.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert f'href="/console/posts/{post_id}/edit"' in page
    r = creator.get(f"/console/posts/{post_id}/edit")
    assert r.status_code == 200
    form = r.get_data(as_text=True)
    assert "First words</textarea>" in form and 'name="base_version" value="1"' in form
    assert api_post(world, post_id)["lease_holder_id"] == world.ids["creator"]

    r = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "Second words", 1))
    assert r.status_code == 303 and "from=1" in r.headers["Location"] and "to=2" in r.headers["Location"]
    after = api_post(world, post_id)
    assert after["current_version"] == 2 and after["content"]["variants"][0]["text"] == "Second words"
    assert after["lease_holder_id"] is None  # given back on save
    shown = creator.get(r.headers["Location"]).get_data(as_text=True)
    assert '<del dir="auto">First words</del>' in shown and '<ins dir="auto">Second words</ins>' in shown
    assert "Saved as version 2." in shown


def test_someone_else_opening_the_edit_page_is_told_who_holds_the_lease_and_until_when(app, world, herald_runtime):
    rename(herald_runtime, world, creator="Cora Creator")
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    assert creator.get(f"/console/posts/{post_id}/edit").status_code == 200
    editor, editor_csrf = sign_in(app, world, "editor")
    r = editor.get(f"/console/posts/{post_id}/edit")
    assert r.status_code == 409
    page = html.unescape(r.get_data(as_text=True))
    assert "Cora Creator is editing this post until" in page and world.emails["creator"] not in page
    until = api_post(world, post_id)["lease_expires_at"]
    # the time it runs out, as the page formats times (UTC: the editor has no zone of their own)
    shown = format_datetime(datetime.fromisoformat(until), "medium", tzinfo=ZoneInfo("UTC"), locale="en")
    assert shown in page
    assert 'name="variant-0-text"' not in page  # no form to type into
    assert "Cora Creator is editing this post until" in html.unescape(
        editor.get(f"/console/posts/{post_id}").get_data(as_text=True))
    # a save by hand is refused by the service and loses nothing typed
    r = editor.post(f"/console/posts/{post_id}/edit", data=edit_form(world, editor_csrf, "Editor's words", 1))
    assert r.status_code == 409
    page = html.unescape(r.get_data(as_text=True))
    assert "Cora Creator is editing this post until" in page and "Editor's words</textarea>" in page
    assert api_post(world, post_id)["current_version"] == 1

    creator.post(f"/console/posts/{post_id}/edit/cancel", data={"csrf_token": csrf})
    assert api_post(world, post_id)["lease_holder_id"] is None  # cancel gives it back
    assert editor.get(f"/console/posts/{post_id}/edit").status_code == 200


def test_a_save_based_on_an_old_version_is_refused_keeping_the_text_and_showing_what_changed(app, world):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    assert creator.get(f"/console/posts/{post_id}/edit").status_code == 200
    # the same person saves version 2 elsewhere (another tab, the API) meanwhile
    content = {"title": "Launch", "targets": [world.accounts["longnet"]], "variants": [{"text": "Other tab"}]}
    r = creator.put(f"/api/v1/tenants/{world.tid}/posts/{post_id}/content",
                    json={"base_version": 1, "content": content}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.get_json()
    r = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "My careful words", 1))
    assert r.status_code == 409
    page = html.unescape(r.get_data(as_text=True))
    assert "version 2 was saved after version 1" in page and "My careful words</textarea>" in page
    assert '<ins dir="auto">Other tab</ins>' in page and api_post(world, post_id)["current_version"] == 2
    # knowingly saving over it
    r = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "My careful words", 1, rebase="2"))
    assert r.status_code == 303
    after = api_post(world, post_id)
    assert after["current_version"] == 3 and after["content"]["variants"][0]["text"] == "My careful words"


def test_an_edit_without_changes_makes_no_version_and_keeps_fields_the_form_does_not_show(app, world):
    creator, csrf = sign_in(app, world, "creator")
    content = {"title": "Threaded", "targets": [world.accounts["longnet"]], "tags": ["coffee"], "notes": "Check",
               "variants": [{"text": "Part one", "language": "en", "reply_to": "remote-42"}]}
    r = creator.post(f"/api/v1/tenants/{world.tid}/posts", json={"org_unit_id": world.unit("coffee"),
                                                                 "content": content}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.get_json()
    post_id = r.get_json()["id"]
    page = creator.get(f"/console/posts/{post_id}/edit").get_data(as_text=True)
    assert 'value="coffee"' in page and "Check</textarea>" in page
    kept = html.unescape(re.search(r'name="variant-0-kept" value="([^"]*)"', page).group(1))
    form = edit_form(world, csrf, "Part one", 1, **{"title": "Threaded", "variant-0-language": "en",
                                                    "variant-0-kept": kept, "tags": "coffee", "notes": "Check"})
    r = creator.post(f"/console/posts/{post_id}/edit", data=form)
    assert r.status_code == 303 and api_post(world, post_id)["current_version"] == 1  # nothing changed
    r = creator.post(f"/console/posts/{post_id}/edit", data={**form, "variant-0-text": "Part one, edited"})
    variant = api_post(world, post_id)["content"]["variants"][0]
    assert variant["text"] == "Part one, edited" and variant["reply_to"] == "remote-42"


def test_a_post_that_can_no_longer_be_edited_and_a_person_who_may_not_edit_get_no_form(app, world, herald_runtime):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    viewer, _ = sign_in(app, world, "viewer")
    assert "/edit" not in viewer.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert viewer.get(f"/console/posts/{post_id}/edit").status_code == 403
    with herald_runtime.db.transaction() as s:
        s.get(Post, post_id).status = "published"
    assert f"/console/posts/{post_id}/edit" not in creator.get(f"/console/posts/{post_id}").get_data(as_text=True)
    r = creator.get(f"/console/posts/{post_id}/edit")
    assert r.status_code == 409 and "can no longer be edited" in r.get_data(as_text=True)
    r = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "Too late", 1))
    assert r.status_code == 409 and "Too late</textarea>" in html.unescape(r.get_data(as_text=True))
    assert api_post(world, post_id)["current_version"] == 1


def test_an_expired_lease_does_not_stop_another_editor(app, world, herald_runtime):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    creator.get(f"/console/posts/{post_id}/edit")
    with herald_runtime.db.transaction() as s:
        s.get(Post, post_id).lease_expires_at = utcnow() - timedelta(minutes=1)
    editor, _ = sign_in(app, world, "editor")
    assert editor.get(f"/console/posts/{post_id}/edit").status_code == 200
    assert api_post(world, post_id)["lease_holder_id"] == world.ids["editor"]


# ----------------------------------------------------------------------------- review and the edit
def test_editing_a_post_under_review_follows_the_engines_invalidation(app, world):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world, action="submit")
    editor, editor_csrf = sign_in(app, world, "editor")
    editor.post(f"/console/posts/{post_id}/decision", data={"csrf_token": editor_csrf, "decision": "approve"})
    before = world.admin.get(f"tenants/{world.tid}/posts/{post_id}/approval").get_json()
    assert before["current_step"] == 1 and len(before["decisions"]) == 1
    page = creator.get(f"/console/posts/{post_id}/edit").get_data(as_text=True)
    assert "withdraws the approvals given so far" in page
    r = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "Changed in review", 1))
    assert r.status_code == 303
    after = world.admin.get(f"tenants/{world.tid}/posts/{post_id}/approval").get_json()
    assert after["run_id"] != before["run_id"] and after["version"] == 2
    assert after["current_step"] == 0 and after["decisions"] == [] and after["status"] == "active"
    assert api_post(world, post_id)["status"] == "in_review"
    assert "review started again" in creator.get(r.headers["Location"]).get_data(as_text=True)


def test_editing_a_draft_keeps_it_a_draft_without_a_review(app, world):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    creator.get(f"/console/posts/{post_id}/edit")
    r = creator.post(f"/console/posts/{post_id}/edit", data=edit_form(world, csrf, "Still a draft", 1))
    assert "review started again" not in creator.get(r.headers["Location"]).get_data(as_text=True)
    assert api_post(world, post_id)["status"] == "draft"


def test_the_edit_pages_check_is_the_connectors_as_on_compose(app, world):
    world.admin.patch(f"tenants/{world.tid}/plugins/shortnet", {"enabled": True})
    world.add_account("shortnet", "acme_short")
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    data = {**edit_form(world, csrf, "x" * 60, 1), "targets": [world.accounts["shortnet"]],
            "variant-0-network": "shortnet"}
    body = creator.post(f"/console/posts/{post_id}/edit/check", data=data, headers={"X-CSRF-Token": csrf}).get_json()
    assert "40" in body["problems"]["variants[0].text"][0] and body["previews"]["0"][0]["network"] == "shortnet"
    r = creator.post(f"/console/posts/{post_id}/edit", data=data)
    assert r.status_code == 422 and api_post(world, post_id)["current_version"] == 1


# ----------------------------------------------------------------------------- compose
def test_compose_shows_one_variant_and_adds_and_removes_rows_without_scripts_keeping_what_was_typed(app, world):
    creator, csrf = sign_in(app, world, "creator")
    page = creator.get("/console/compose").get_data(as_text=True)
    assert 'id="variant-0-text"' in page and 'id="variant-1-text"' not in page
    base = {"csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Rows",
            "targets": [world.accounts["longnet"]], "row": ["0"], "variant-0-text": "English words"}
    r = creator.post("/console/compose", data={**base, "action": "add_variant"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "English words</textarea>" in page and 'id="variant-1-text"' in page
    r = creator.post("/console/compose", data={**base, "row": ["0", "1"], "variant-1-text": "Arabic words",
                                               "variant-1-language": "ar", "action": "remove_variant-0"})
    page = r.get_data(as_text=True)
    assert 'id="variant-0-text"' not in page and "Arabic words</textarea>" in page
    assert '<option value="ar" lang="ar" selected>' in page
    assert world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"] == []  # nothing saved


def test_compose_saves_the_campaign_tags_notes_and_paid_promotion(app, world):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world, campaign="Spring", tags="coffee, #latte", notes="For legal",
                      paid_promotion="1")
    saved = api_post(world, post_id)
    assert saved["campaign"] == "Spring"
    assert (saved["content"]["tags"], saved["content"]["notes"], saved["content"]["paid_promotion"]) == (
        ["coffee", "latte"], "For legal", True)


def test_the_posts_filter_offers_every_post_state_translated(app, world, herald_runtime):
    with herald_runtime.db.transaction() as s:
        s.get(User, world.ids["editor"]).locale = "ar"
    editor, _ = sign_in(app, world, "editor")
    page = editor.get("/console/posts").get_data(as_text=True)
    offered = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', page)
    assert [code for code, _ in offered] == list(POST_STATUSES)
    assert all(name and name != code for code, name in offered)  # each in Arabic, not its code
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world)
    with herald_runtime.db.transaction() as s:
        s.get(Post, post_id).status = "partially_published"
    assert post_id in editor.get("/console/posts?status=partially_published").get_data(as_text=True)
    assert post_id not in editor.get("/console/posts?status=published").get_data(as_text=True)


# ----------------------------------------------------------------------------- names and titles
def test_decisions_comments_and_versions_name_people_by_their_display_name(app, world, herald_runtime):
    rename(herald_runtime, world, creator="Cora Creator", editor="Edith Editor")
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world, action="submit")
    editor, editor_csrf = sign_in(app, world, "editor")
    editor.post(f"/console/posts/{post_id}/decision", data={"csrf_token": editor_csrf, "decision": "approve",
                                                            "comment": "Fine"})
    editor.post(f"/console/posts/{post_id}/comments", data={"csrf_token": editor_csrf, "body": "Nice"})
    page = creator.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert '<bdi class="decider">Edith Editor</bdi>' in page and "Cora Creator" in page
    assert world.emails["editor"] not in page and world.emails["creator"] not in page
    rename(herald_runtime, world, editor="")
    page = creator.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert f'<bdi class="decider">{world.emails["editor"]}</bdi>' in page  # no name: the address


def test_no_console_page_has_markup_in_its_title(app, world):
    admin, csrf = sign_in(app, world, "admin")
    post_id = compose(admin, csrf, world)
    values = {"post_id": post_id, "unit_id": world.unit("root"), "key": "default"}
    seen = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or "GET" not in rule.methods or rule.endpoint == "console.static":
            continue
        if not set(rule.arguments) <= set(values) or "." in rule.rule.rsplit("/", 1)[-1]:
            continue  # pages only: not files such as the audit log's CSV
        path = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        r = admin.get(path)
        if r.status_code != 200 or r.mimetype != "text/html":
            continue
        found = TITLE.search(r.get_data(as_text=True))
        assert found, path
        assert "<" not in found.group(1) and ">" not in found.group(1), (path, found.group(1))
        seen.append(path)
    assert {"/console/compose", f"/console/posts/{post_id}/edit", "/console/posts"} <= set(seen)


def test_editing_the_first_of_two_variants_for_the_same_network_and_language_makes_a_version(app, world):
    creator, csrf = sign_in(app, world, "creator")
    post_id = compose(creator, csrf, world, row=["0", "1"], **{"variant-1-text": "Also for every network"})
    creator.get(f"/console/posts/{post_id}/edit")
    form = edit_form(world, csrf, "First words, edited", 1, row=["0", "1"],
                     **{"variant-1-text": "Also for every network"})
    r = creator.post(f"/console/posts/{post_id}/edit", data=form)
    assert r.status_code == 303 and "to=2" in r.headers["Location"]
    variants = api_post(world, post_id)["content"]["variants"]
    assert [v["text"] for v in variants] == ["First words, edited", "Also for every network"]
