"""The console's pages through the Flask test client: sign-in redirects, permissions (hidden
AND refused), languages and their fallbacks, and the forms calling the same services as the API."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from flask import Blueprint

from herald.console.i18n import LANGUAGES, TRANSLATIONS
from herald.people.models import User
from herald.plugins import ConsoleExtension, MenuEntry, hookimpl


def test_the_console_sends_people_without_a_session_to_choose_their_organisation(client):
    r = client.get("/console/posts")
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/sign-in?next=/console/posts")


def test_choosing_an_organisation_leads_to_its_sign_in_page_and_back(client, world):
    r = client.post("/console/sign-in", data={"tenant": "acme", "next": "/console/posts"})
    assert r.status_code == 303 and r.headers["Location"] == "/sign-in/acme?next=/console/posts"
    assert client.post("/console/sign-in", data={"tenant": "nobody"}).status_code == 404


def test_a_menu_entry_and_an_admin_page_are_hidden_from_and_refused_to_a_creator(app, world):
    creator, csrf = sign_in(app, world, "creator")
    home = creator.get("/console/").get_data(as_text=True)
    assert "/console/compose" in home and "/console/admin/plugins" not in home
    assert creator.get("/console/admin/plugins").status_code == 403
    r = creator.post("/console/admin/plugins/shortnet", data={"csrf_token": csrf, "action": "enable"})
    assert r.status_code == 303
    assert world.admin.get(f"tenants/{world.tid}/plugins/shortnet").get_json()["enabled"] is False


def test_a_console_form_without_the_session_csrf_token_is_refused(app, world):
    admin, _csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/plugins/shortnet", data={"action": "enable"})
    assert r.status_code == 403
    assert world.admin.get(f"tenants/{world.tid}/plugins/shortnet").get_json()["enabled"] is False


def test_an_administrator_enables_and_configures_nothing_beyond_the_settings_schema(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/plugins/shortnet", data={"csrf_token": csrf, "action": "enable"})
    assert r.status_code == 303
    assert world.admin.get(f"tenants/{world.tid}/plugins/shortnet").get_json()["enabled"] is True
    page = admin.get("/console/admin/plugins/shortnet").get_data(as_text=True)
    assert 'value="disable"' in page


def test_a_person_who_may_not_decide_sees_no_decision_form_and_is_refused(app, world):
    world.add_account("longnet", "acme_long2")
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Hello",
        "targets": [world.accounts["longnet"]], "variant-0-text": "Hello world", "action": "submit"})
    assert r.status_code == 303, r.get_data(as_text=True)
    post_id = r.headers["Location"].rsplit("/", 1)[1]
    legal, legal_csrf = sign_in(app, world, "legal")  # step 2's decider; step 1 is current
    page = legal.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert 'name="decision"' not in page
    legal.post(f"/console/posts/{post_id}/decision", data={"csrf_token": legal_csrf, "decision": "approve"})
    review = world.admin.get(f"tenants/{world.tid}/posts/{post_id}/approval").get_json()
    assert review["current_step"] == 0 and review["decisions"] == []
    editor, editor_csrf = sign_in(app, world, "editor")
    assert 'name="decision"' in editor.get(f"/console/posts/{post_id}").get_data(as_text=True)
    editor.post(f"/console/posts/{post_id}/decision",
                data={"csrf_token": editor_csrf, "decision": "send_back", "comment": "Shorter, please"})
    assert world.admin.get(f"tenants/{world.tid}/posts/{post_id}").get_json()["status"] == "changes_requested"


def test_compose_reports_each_connectors_problem_under_the_form_row_it_came_from(app, world):
    world.admin.patch(f"tenants/{world.tid}/plugins/shortnet", {"enabled": True})
    world.add_account("shortnet", "acme_short")
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose/check", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "targets": [world.accounts["shortnet"]],
        "variant-2-network": "shortnet", "variant-2-text": "x" * 60})
    problems = r.get_json()["problems"]
    assert list(problems) == ["variants[2].text"] and "40" in problems["variants[2].text"][0]
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "targets": [world.accounts["shortnet"]],
        "variant-2-network": "shortnet", "variant-2-text": "x" * 60, "action": "submit"})
    assert r.status_code == 422
    assert world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"] == []


def test_the_post_page_shows_the_diff_between_two_versions(app, world):
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "One",
        "targets": [world.accounts["longnet"]], "variant-0-text": "First words", "action": "draft"})
    post_id = r.headers["Location"].rsplit("/", 1)[1]
    content = {"title": "Two", "targets": [world.accounts["longnet"]], "variants": [{"text": "Second words"}]}
    creator.put(f"/api/v1/tenants/{world.tid}/posts/{post_id}/content", json={"base_version": 1, "content": content},
                headers={"X-CSRF-Token": csrf})
    page = creator.get(f"/console/posts/{post_id}?from=1&to=2").get_data(as_text=True)
    assert "<del dir=\"auto\">First words</del>" in page and "<ins dir=\"auto\">Second words</ins>" in page


def test_arabic_people_get_a_right_to_left_page_and_hindi_people_a_left_to_right_one(app, world, herald_runtime):
    with herald_runtime.db.transaction() as s:
        s.get(User, world.ids["editor"]).locale = "ar"
        s.get(User, world.ids["legal"]).locale = "hi"
    editor, _ = sign_in(app, world, "editor")
    page = editor.get("/console/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "الرئيسية" in page
    legal, _ = sign_in(app, world, "legal")
    page = legal.get("/console/").get_data(as_text=True)
    assert '<html lang="hi" dir="ltr">' in page and "मुखपृष्ठ" in page


def test_lang_chooses_a_language_for_the_session_without_storing_it_on_the_profile(app, world, herald_runtime):
    editor, _ = sign_in(app, world, "editor")
    assert '<html lang="fa" dir="rtl">' in editor.get("/console/?lang=fa").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in editor.get("/console/").get_data(as_text=True)
    other, _ = sign_in(app, world, "editor")  # another browser of the same person
    assert '<html lang="en" dir="ltr">' in other.get("/console/").get_data(as_text=True)
    assert '<html lang="en"' in other.get("/console/?lang=xx").get_data(as_text=True)
    with herald_runtime.db.transaction() as s:
        assert s.get(User, world.ids["editor"]).locale is None


def test_a_missing_translation_falls_back_to_english_not_to_a_key(herald_runtime, world, tmp_path):
    """A catalogue without "Waiting for me" still shows the rest in Urdu, and that in English."""
    from babel.messages.mofile import write_mo

    from herald.app import create_app

    folder = tmp_path / "translations" / "ur" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = read_po((TRANSLATIONS / "ur" / "LC_MESSAGES" / "messages.po").open("rb"), locale="ur")
    assert catalog["Waiting for me"].string and catalog["Home"].string
    catalog.delete("Waiting for me")
    with (folder / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    app = create_app(runtime=herald_runtime,
                     test_config={"TESTING": True, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")})
    editor, _ = sign_in(app, world, "editor")
    page = editor.get("/console/?lang=ur").get_data(as_text=True)
    assert "<h1>Waiting for me</h1>" in page and catalog["Home"].string in page


def test_the_profile_sets_language_and_time_zone_and_dates_follow_them(app, world, herald_runtime):
    editor, csrf = sign_in(app, world, "editor")
    r = editor.post("/console/profile", data={"csrf_token": csrf, "locale": "ar", "time_zone": "Asia/Dubai"})
    assert r.status_code == 303
    with herald_runtime.db.transaction() as s:
        person = s.get(User, world.ids["editor"])
        assert (person.locale, person.time_zone) == ("ar", "Asia/Dubai")
    assert 'dir="rtl"' in editor.get("/console/profile").get_data(as_text=True)


def test_the_audit_page_filters_and_verifies_the_chain(app, world):
    admin, csrf = sign_in(app, world, "admin")
    page = admin.get("/console/admin/audit?action=workflow.defined").get_data(as_text=True)
    actions = re.findall(r'<td class="action" data-code="([^"]+)"', page)
    assert actions == ["workflow.defined"]
    page = admin.post("/console/admin/audit", data={"csrf_token": csrf}).get_data(as_text=True)
    assert 'id="verify-result"' in page and "flash ok" in page


def test_the_org_tree_page_creates_renames_moves_and_archives_units(app, world):
    admin, csrf = sign_in(app, world, "admin")
    admin.post("/console/admin/units", data={"csrf_token": csrf, "name": "Juice", "parent_id": world.unit("root"),
                                             "kind": "brand"})
    units = world.admin.get(f"tenants/{world.tid}/org-units").get_json()["items"]
    juice = next(u for u in units if u["name"] == "Juice")
    admin.post(f"/console/admin/units/{juice['id']}", data={"csrf_token": csrf, "action": "rename", "name": "Jus"})
    admin.post(f"/console/admin/units/{juice['id']}", data={"csrf_token": csrf, "action": "move",
                                                            "parent_id": world.unit("tea")})
    admin.post(f"/console/admin/units/{juice['id']}", data={"csrf_token": csrf, "action": "archive"})
    after = world.admin.get(f"tenants/{world.tid}/org-units/{juice['id']}").get_json()
    assert after["name"] == "Jus" and after["parent_id"] == world.unit("tea") and after["archived_at"]
    viewer, viewer_csrf = sign_in(app, world, "viewer")
    assert "Rename" not in viewer.get("/console/admin/units").get_data(as_text=True)
    viewer.post(f"/console/admin/units/{world.unit('coffee')}",
                data={"csrf_token": viewer_csrf, "action": "rename", "name": "Hacked"})
    assert world.admin.get(f"tenants/{world.tid}/org-units/{world.unit('coffee')}").get_json()["name"] == "coffee"


def test_the_workflow_editor_saves_steps_through_the_workflow_service(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/workflows/{world.unit('tea')}", data={
        "csrf_token": csrf, "rows": "2", "name": "Tea review", "step-0-name": "Legal", "step-0-kind": "human_review",
        "step-0-role": "legal_reviewer", "step-1-name": ""})
    assert r.status_code == 303
    wf = world.admin.get(f"tenants/{world.tid}/org-units/{world.unit('tea')}/workflow").get_json()
    assert wf["name"] == "Tea review" and [s["name"] for s in wf["steps"]] == ["Legal"]


def test_every_language_has_a_catalogue_and_its_compiled_file_matches_it():
    for code in LANGUAGES:
        if code == "en":
            continue
        folder = TRANSLATIONS / code / "LC_MESSAGES"
        po = read_po((folder / "messages.po").open("rb"), locale=code)
        mo = read_mo((folder / "messages.mo").open("rb"))
        def flat(catalog, need_string):  # type: ignore[no-untyped-def]
            return {m.id if isinstance(m.id, str) else m.id[0]: m.string if isinstance(m.string, str)
                    else tuple(m.string) for m in catalog if m.id and (m.string or not need_string)}

        expected, compiled = flat(po, True), flat(mo, False)
        assert compiled == expected, f"{code}: run pybabel compile -d {Path(TRANSLATIONS).relative_to(Path.cwd())}"


class FeedPlugin:
    """A plugin with a console page and a menu entry."""

    HERALD_HOOK_API = "1.0"

    @staticmethod
    @hookimpl
    def herald_console_extensions():  # type: ignore[no-untyped-def]
        bp = Blueprint("feed", __name__)

        @bp.get("/")
        def index():  # type: ignore[no-untyped-def]
            return "the feed page"

        return [ConsoleExtension(bp, [MenuEntry("Feed", "feed.index", "posts.view")])]


def test_a_console_extensions_page_is_in_the_menu_only_of_tenants_that_enabled_its_plugin(
        herald_runtime, world, register_plugin):
    from herald.app import create_app

    register_plugin(FeedPlugin(), "feed")
    app = create_app(runtime=herald_runtime, test_config={"TESTING": True})
    editor, _ = sign_in(app, world, "editor")
    assert "/console/x/feed/" not in editor.get("/console/").get_data(as_text=True)
    assert editor.get("/console/x/feed/").status_code == 404
    world.admin.patch(f"tenants/{world.tid}/plugins/feed", {"enabled": True})
    assert 'href="/console/x/feed/"' in editor.get("/console/").get_data(as_text=True)
    assert editor.get("/console/x/feed/").get_data(as_text=True) == "the feed page"
    assert app.test_client().get("/console/x/feed/").status_code == 303  # not signed in


def test_dates_follow_the_persons_time_zone_and_language(app, world, herald_runtime):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "Clock",
        "targets": [world.accounts["longnet"]], "variant-0-text": "What time is it", "action": "draft"})
    post_id = r.headers["Location"].rsplit("/", 1)[1]
    created = datetime.fromisoformat(world.admin.get(f"tenants/{world.tid}/posts/{post_id}").get_json()["created_at"])
    for locale, zone in (("en", "Asia/Dubai"), ("ar", "America/New_York")):
        with herald_runtime.db.transaction() as s:
            person = s.get(User, world.ids["creator"])
            person.locale, person.time_zone = locale, zone
        page = creator.get(f"/console/posts/{post_id}").get_data(as_text=True)
        assert format_datetime(created, "medium", tzinfo=ZoneInfo(zone), locale=locale) in page
        assert format_datetime(created, "medium", tzinfo=ZoneInfo("UTC"), locale=locale) not in page


def test_plugin_settings_form_comes_from_the_schema_and_keeps_secrets_write_only(app, world, herald_runtime):
    admin, csrf = sign_in(app, world, "admin")
    page = admin.get("/console/admin/plugins/email_notifier").get_data(as_text=True)
    for name in ("host", "port", "from_address", "password"):
        assert f'id="setting-{name}"' in page
    base = {"csrf_token": csrf, "action": "settings", "setting-host": "smtp.acme.test", "setting-port": "2525",
            "setting-security": "starttls", "setting-from_address": "herald@acme.test",
            "setting-timeout_seconds": "15"}
    admin.post("/console/admin/plugins/email_notifier", data={**base, "setting-password": "s3cret-value"})
    page = admin.get("/console/admin/plugins/email_notifier").get_data(as_text=True)
    assert "s3cret-value" not in page and 'value="2525"' in page
    admin.post("/console/admin/plugins/email_notifier", data={**base, "setting-port": "2526"})  # password left empty
    with herald_runtime.db.transaction() as s:
        settings = herald_runtime.plugins.effective_settings(s, world.tid, "email_notifier")
    assert settings["password"] == "s3cret-value" and settings["port"] == 2526
    r = admin.post("/console/admin/plugins/email_notifier", data={**base, "setting-port": "not a number"},
                   follow_redirects=True)
    assert "port" in r.get_data(as_text=True) and "Not a valid integer." in r.get_data(as_text=True)


def test_a_workflow_form_with_a_nonsense_row_count_saves_no_steps_and_says_why(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/workflows/{world.unit('tea')}", data={
        "csrf_token": csrf, "rows": "lots", "name": "Tea review", "step-0-name": "Legal"}, follow_redirects=True)
    assert r.status_code == 422 and "Length must be between 1 and 20." in r.get_data(as_text=True)
    wf = world.admin.get(f"tenants/{world.tid}/org-units/{world.unit('tea')}/workflow").get_json()
    assert wf["name"] == "Three eyes" and wf["inherited"] is True


def test_an_unexpected_failure_in_the_console_is_a_page_not_a_stack_trace(app, world, monkeypatch):
    from herald.console import home

    def broken(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("database on fire")

    monkeypatch.setattr(home.engine, "waiting_for", broken)
    editor, _ = sign_in(app, world, "editor")
    r = editor.get("/console/")
    assert r.status_code == 500 and r.mimetype == "text/html"
    assert "database on fire" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)


def test_the_people_page_lists_the_grants_on_one_unit_and_grants_and_revokes_roles(app, world):
    admin, csrf = sign_in(app, world, "admin")
    page = admin.get(f"/console/admin/users?unit={world.unit('coffee')}").get_data(as_text=True)
    assert "creator@acme.test" in page and "legal@acme.test" not in page  # legal's grant is on the root
    admin.post("/console/admin/grants", data={"csrf_token": csrf, "user_id": world.ids["viewer"],
                                               "role_key": "editor", "org_unit_id": world.unit("tea")})
    grants = world.admin.get(f"tenants/{world.tid}/grants?user_id={world.ids['viewer']}").get_json()["items"]
    added = [g for g in grants if g["role_key"] == "editor"]
    assert [g["org_unit_id"] for g in added] == [world.unit("tea")]
    admin.post(f"/console/admin/grants/{added[0]['id']}/revoke", data={"csrf_token": csrf})
    grants = world.admin.get(f"tenants/{world.tid}/grants?user_id={world.ids['viewer']}").get_json()["items"]
    assert [g["role_key"] for g in grants] == ["viewer"]
    editor, editor_csrf = sign_in(app, world, "editor")
    assert editor.get("/console/admin/users").status_code == 403
    editor.post("/console/admin/grants", data={"csrf_token": editor_csrf, "user_id": world.ids["editor"],
                                                "role_key": "tenant_admin", "org_unit_id": world.unit("root")})
    grants = world.admin.get(f"tenants/{world.tid}/grants?user_id={world.ids['editor']}").get_json()["items"]
    assert [g["role_key"] for g in grants] == ["editor"]
