"""The console's administration pages for social accounts, people's access, custom roles and API
tokens, through the Flask test client: each calls the API's own service with the signed-in person
as actor, hides what the person may not do and refuses it when a form is posted by hand."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes, policy
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)

from herald.people.models import User
from herald.publishing.models import AccountCredential
from herald.tenancy.models import SocialAccount

ADMIN_PAGES = ("/console/admin/accounts", "/console/admin/people", "/console/admin/roles",
               "/console/admin/tokens", "/console/tokens")


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


# ----------------------------------------------------------------------------- every page, and who may see it
def test_every_administration_page_renders_for_an_administrator_and_is_in_the_menu(app, world):
    admin, _ = sign_in(app, world, "admin")
    home = admin.get("/console/").get_data(as_text=True)
    for path in ADMIN_PAGES:
        r = admin.get(path)
        assert r.status_code == 200, (path, r.get_data(as_text=True)[:500])
        assert r.mimetype == "text/html"
    for path in ("/console/admin/accounts", "/console/admin/roles", "/console/admin/tokens", "/console/tokens"):
        assert f'href="{path}"' in home, path
    assert 'href="/console/admin/people"' in admin.get("/console/admin/users").get_data(as_text=True)


def test_a_creator_sees_no_administration_entry_and_is_refused_even_posting_forms_by_hand(app, world):
    creator, csrf = sign_in(app, world, "creator")
    home = creator.get("/console/").get_data(as_text=True)
    for path in ("/console/admin/accounts", "/console/admin/roles", "/console/admin/tokens"):
        assert f'href="{path}"' not in home
    assert 'href="/console/tokens"' in home  # their own tokens are everyone's
    for path in ADMIN_PAGES[:-1]:
        r = creator.get(path)
        assert r.status_code == 403 and 'role="alert"' in r.get_data(as_text=True), path
    account = world.accounts["longnet"]
    forms = {
        "/console/admin/accounts": {"org_unit_id": world.unit("coffee"), "network": "longnet", "handle": "sneaky"},
        f"/console/admin/accounts/{account}": {"action": "archive"},
        f"/console/admin/accounts/{account}/connect": {},
        "/console/admin/people/invite": {"email": "friend@acme.test", "display_name": "Friend"},
        f"/console/admin/people/{world.ids['viewer']}/status": {"action": "disable"},
        "/console/admin/roles/new": {"key": "sneaky", "name": "Sneaky", "permissions": ["posts.view"]},
        "/console/admin/tokens": {"name": "mine now", "scopes": ["admin"]},
    }
    for path, data in forms.items():
        r = creator.post(path, data={"csrf_token": csrf, **data})
        assert r.status_code == 403, (path, r.status_code)
    handles = [a["handle"] for a in world.admin.get(f"tenants/{world.tid}/social-accounts").get_json()["items"]]
    assert handles == ["acme_long"]
    users = world.admin.get(f"tenants/{world.tid}/users").get_json()["items"]
    assert "friend@acme.test" not in [u["email"] for u in users]
    assert {u["email"]: u["status"] for u in users}[world.emails["viewer"]] == "active"
    roles = world.admin.get(f"tenants/{world.tid}/roles").get_json()["items"]
    assert "sneaky" not in [r["key"] for r in roles]
    assert world.admin.get(f"tenants/{world.tid}/service-tokens").get_json()["items"] == []


def test_an_administration_form_without_the_csrf_token_is_refused(app, world):
    admin, _ = sign_in(app, world, "admin")
    posts = {"/console/admin/roles/new": {"key": "nocsrf", "name": "No", "permissions": ["posts.view"]},
             "/console/tokens": {"name": "nocsrf"},
             "/console/admin/people/invite": {"email": "nocsrf@acme.test", "display_name": "No"}}
    for path, data in posts.items():
        assert admin.post(path, data=data).status_code == 403, path
    assert "nocsrf" not in [r["key"] for r in world.admin.get(f"tenants/{world.tid}/roles").get_json()["items"]]
    assert world.admin.get(f"tenants/{world.tid}/users?email=nocsrf@acme.test").get_json()["items"] == []


# ----------------------------------------------------------------------------- social accounts
@pytest.fixture
def sandbox_account(world):  # type: ignore[no-untyped-def]
    assert world.admin.patch(f"tenants/{world.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    return world.add_account("sandbox", "acme_sandbox")


def test_connect_sends_the_browser_to_the_networks_authorize_url_and_the_callback_lands_back_connected(
        app, world, sandbox_account):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/accounts/{sandbox_account}/connect", data={"csrf_token": csrf})
    assert r.status_code == 303
    authorize = urlparse(r.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert authorize.path == "/api/v1/connect/callback"  # the sandbox approves at once and sends it back
    assert params["code"].startswith("sbx-code-") and params["state"]
    back = admin.get(r.headers["Location"])
    assert back.status_code == 303 and urlparse(back.headers["Location"]).path == "/console/admin/accounts/connected"
    done = admin.get(back.headers["Location"], follow_redirects=True)
    assert done.request.path == "/console/admin/accounts"
    page = text(done)
    assert "The account acme_sandbox is connected." in page and 'class="flash ok"' in page
    acct = world.admin.get(f"tenants/{world.tid}/social-accounts/{sandbox_account}").get_json()
    assert acct["connection_state"] == "connected"
    row = re.search(rf'<tr id="account-{sandbox_account}".*?</tr>', page, re.S).group(0)
    assert 'data-code="connected"' in row


def test_a_refused_connect_comes_back_to_the_console_with_the_networks_reason(app, world, sandbox_account):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/accounts/{sandbox_account}/connect", data={"csrf_token": csrf})
    state = parse_qs(urlparse(r.headers["Location"]).query)["state"][0]
    done = admin.get("/api/v1/connect/callback", query_string={"state": state, "error": "access_denied"},
                     follow_redirects=True)
    assert done.request.path == "/console/admin/accounts"
    assert "access_denied" in text(done) and 'class="flash error"' in text(done)
    acct = world.admin.get(f"tenants/{world.tid}/social-accounts/{sandbox_account}").get_json()
    assert acct["connection_state"] == "not_connected"


def test_connecting_through_a_network_that_cannot_connect_says_so_on_the_page(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/accounts/{world.accounts['longnet']}/connect", data={"csrf_token": csrf},
                   follow_redirects=True)
    assert r.request.path == "/console/admin/accounts"
    assert "Long network: connecting accounts is not supported" in text(r)


def test_a_connect_started_through_the_api_still_answers_the_api_way(app, world, sandbox_account, api):
    start = world.admin.post(f"tenants/{world.tid}/social-accounts/{sandbox_account}/connect").get_json()
    params = {k: v[0] for k, v in parse_qs(urlparse(start["authorize_url"]).query).items()}
    done = api(None).get("/api/v1/connect/callback", query_string=params)
    assert done.status_code == 200 and done.get_json()["connection_state"] == "connected"


def test_an_account_that_needs_reconnecting_stands_out_with_its_reason_and_a_reconnect_button(
        app, world, herald_runtime):
    with herald_runtime.db.transaction() as s:
        s.get(SocialAccount, world.accounts["longnet"]).connection_state = "reconnect_needed"
        s.add(AccountCredential(account_id=world.accounts["longnet"], tenant_id=world.tid,
                                reconnect_reason="The network revoked Herald's access."))
    admin, _ = sign_in(app, world, "admin")
    page = text(admin.get("/console/admin/accounts"))
    row = re.search(rf'<tr id="account-{world.accounts["longnet"]}".*?</tr>', page, re.S).group(0)
    assert "Reconnect needed" in row and "The network revoked Herald's access." in row
    assert 'class="badge state-reconnect_needed"' in row and "⚠" in row
    assert re.search(r"<button[^>]*>Reconnect<", row)


def test_an_administrator_adds_an_account_from_an_enabled_network_archives_and_restores_it(app, world):
    admin, csrf = sign_in(app, world, "admin")
    page = admin.get("/console/admin/accounts").get_data(as_text=True)
    assert '<option value="longnet">Long network</option>' in page and 'value="shortnet"' not in page
    r = admin.post("/console/admin/accounts", data={"csrf_token": csrf, "org_unit_id": world.unit("tea"),
                                                    "network": "longnet", "handle": "tea_long"},
                   follow_redirects=True)
    assert "The account was added." in text(r)
    items = world.admin.get(f"tenants/{world.tid}/social-accounts?org_unit_id={world.unit('tea')}").get_json()["items"]
    assert [(a["network"], a["handle"]) for a in items] == [("longnet", "tea_long")]
    r = admin.post("/console/admin/accounts", data={"csrf_token": csrf, "org_unit_id": world.unit("tea"),
                                                    "network": "shortnet", "handle": "tea_short"},
                   follow_redirects=True)
    assert "Network 'shortnet' is not available to this tenant." in text(r)
    r = admin.post("/console/admin/accounts", data={"csrf_token": csrf, "org_unit_id": world.unit("tea"),
                                                    "network": "longnet", "handle": ""}, follow_redirects=True)
    assert "Handle: " in text(r) and "handle: " not in text(r)  # the field's label, not its raw name
    admin.post(f"/console/admin/accounts/{items[0]['id']}", data={"csrf_token": csrf, "action": "archive"})
    assert world.admin.get(f"tenants/{world.tid}/social-accounts/{items[0]['id']}").get_json()["archived_at"]
    assert "tea_long" not in admin.get("/console/admin/accounts").get_data(as_text=True)
    assert "tea_long" in admin.get("/console/admin/accounts?archived=1").get_data(as_text=True)
    admin.post(f"/console/admin/accounts/{items[0]['id']}", data={"csrf_token": csrf, "action": "restore"})
    assert world.admin.get(f"tenants/{world.tid}/social-accounts/{items[0]['id']}").get_json()["archived_at"] is None


def test_the_accounts_page_filters_by_unit(app, world):
    world.add_account("longnet", "tea_only", unit="tea")
    admin, _ = sign_in(app, world, "admin")
    page = admin.get(f"/console/admin/accounts?unit={world.unit('tea')}").get_data(as_text=True)
    assert "tea_only" in page and "acme_long" not in page


# ----------------------------------------------------------------------------- people
class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox(world):  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    r = world.admin.patch(f"tenants/{world.tid}/plugins/email_notifier", {"enabled": True, "settings": {
        "host": "127.0.0.1", "port": port, "security": "none", "from_address": "herald@acme.test"}})
    assert r.status_code == 200, r.get_json()
    try:
        yield inbox
    finally:
        controller.stop()


def test_inviting_a_person_emails_them_a_link_and_shows_them_as_invited(app, world, mailbox, run_jobs, client):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/people/invite", data={"csrf_token": csrf, "email": "Nia@acme.test",
                                                         "display_name": "Nia"}, follow_redirects=True)
    assert "The invitation was sent." in text(r)
    row = re.search(r'<tr id="person-[^"]+"><td dir="auto">Nia</td>.*?</tr>', text(r), re.S).group(0)
    assert 'data-code="invited"' in row and ">Invited<" in row
    assert run_jobs() == 0
    rcpts, message = mailbox.messages[0]
    assert rcpts == ["nia@acme.test"] and "invited" in message["Subject"]
    token = re.search(r"token=([A-Za-z0-9_.\-]+)", message.get_content()).group(1)
    accepted = client.post("/api/v1/auth/invitations/accept", json={"token": token, "password": "a new passphrase 42"})
    assert accepted.status_code == 204


def test_an_invitation_with_a_wrong_address_says_so_and_creates_nobody(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/people/invite", data={"csrf_token": csrf, "email": "not an address",
                                                         "display_name": "X"}, follow_redirects=True)
    assert r.status_code == 422 and 'id="inv-email-problem"' in text(r)
    assert "Not a valid email address." in text(r)
    r = admin.post("/console/admin/people/invite", data={"csrf_token": csrf, "email": world.emails["viewer"],
                                                         "display_name": "Again"}, follow_redirects=True)
    assert "already exists" in text(r)
    users = world.admin.get(f"tenants/{world.tid}/users").get_json()["items"]
    assert len(users) == len(world.emails)


def test_disabling_a_person_revokes_their_tokens_and_enabling_lets_them_back(app, world, api):
    viewer, viewer_csrf = sign_in(app, world, "viewer")
    r = viewer.post("/console/tokens", data={"csrf_token": viewer_csrf, "name": "laptop"})
    secret = re.search(r'id="issued-secret"[^>]*value="([^"]+)"', r.get_data(as_text=True)).group(1)
    assert api(secret).get("me").status_code == 200
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post(f"/console/admin/people/{world.ids['viewer']}/status", data={"csrf_token": csrf,
                                                                               "action": "disable"},
                   follow_redirects=True)
    assert "their tokens were revoked" in text(r)
    row = re.search(rf'<tr id="person-{world.ids["viewer"]}">.*?</tr>', text(r), re.S).group(0)
    assert 'data-code="disabled"' in row and 'value="enable"' in row
    assert api(secret).get("me").status_code == 401
    assert viewer.get("/console/").status_code == 303  # the session ended too
    admin.post(f"/console/admin/people/{world.ids['viewer']}/status", data={"csrf_token": csrf, "action": "enable"})
    assert world.admin.get(f"tenants/{world.tid}/users/{world.ids['viewer']}").get_json()["status"] == "active"
    assert sign_in(app, world, "viewer")


def test_an_administrator_cannot_disable_themself_and_is_told_why(app, world, herald_runtime):
    admin, csrf = sign_in(app, world, "admin")
    assert f'action="/console/admin/people/{world.ids["admin"]}/status"' not in \
        admin.get("/console/admin/people").get_data(as_text=True)
    r = admin.post(f"/console/admin/people/{world.ids['admin']}/status", data={"csrf_token": csrf,
                                                                              "action": "disable"},
                   follow_redirects=True)
    assert "You cannot disable yourself." in text(r)
    with herald_runtime.db.transaction() as s:
        assert s.get(User, world.ids["admin"]).status == "active"


# ----------------------------------------------------------------------------- custom roles
def test_custom_roles_are_created_edited_and_deleted_with_mistakes_shown_on_the_form(app, world):
    admin, csrf = sign_in(app, world, "admin")
    page = text(admin.get("/console/admin/roles"))
    assert "Tenant administrator" in page and "<code>posts.legal_review</code>" in page
    form = text(admin.get("/console/admin/roles/new"))
    assert "<legend>Posts</legend>" in form and 'value="posts.approve"' in form
    r = admin.post("/console/admin/roles/new", data={"csrf_token": csrf, "key": "Bad Key", "name": "",
                                                     "permissions": []})
    assert r.status_code == 422
    page = text(r)
    assert '<span class="problem">Lowercase letters, digits and underscores; 2–64 characters.</span>' in page
    assert 'id="permissions-problem">Choose at least one permission.' in page and 'value="Bad Key"' in page
    assert re.search(r'id="role-name"[^>]*aria-invalid="true"', page)
    r = admin.post("/console/admin/roles/new", data={"csrf_token": csrf, "key": "editor", "name": "Mine",
                                                     "permissions": ["posts.view"]})
    assert r.status_code == 409 and "'editor' is a built-in role." in text(r)
    r = admin.post("/console/admin/roles/new", data={"csrf_token": csrf, "key": "social_lead", "name": "Social lead",
                                                     "permissions": ["posts.view", "posts.nonsense"]})
    assert r.status_code == 422 and "Not in the catalogue: posts.nonsense." in text(r)
    assert "social_lead" not in [x["key"] for x in world.admin.get(f"tenants/{world.tid}/roles").get_json()["items"]]
    r = admin.post("/console/admin/roles/new", data={"csrf_token": csrf, "key": "social_lead", "name": "Social lead",
                                                     "permissions": ["posts.view", "posts.create"]})
    assert r.status_code == 303
    role = next(x for x in world.admin.get(f"tenants/{world.tid}/roles").get_json()["items"]
                if x["key"] == "social_lead")
    assert role["permissions"] == ["posts.create", "posts.view"] and role["builtin"] is False
    edit = admin.get("/console/admin/roles/social_lead").get_data(as_text=True)
    assert 'value="posts.create" checked' in edit
    r = admin.post("/console/admin/roles/social_lead", data={"csrf_token": csrf, "name": "Social lead",
                                                             "permissions": []})
    assert r.status_code == 422 and 'id="permissions-problem">Choose at least one permission.' in text(r)
    admin.post("/console/admin/roles/social_lead", data={"csrf_token": csrf, "name": "Lead",
                                                         "permissions": ["posts.view", "posts.publish"]})
    role = next(x for x in world.admin.get(f"tenants/{world.tid}/roles").get_json()["items"]
                if x["key"] == "social_lead")
    assert (role["name"], role["permissions"]) == ("Lead", ["posts.publish", "posts.view"])
    world.admin.post(f"tenants/{world.tid}/grants", {"user_id": world.ids["viewer"], "role_key": "social_lead",
                                                     "org_unit_id": world.unit("tea")})
    r = admin.post("/console/admin/roles/social_lead/delete", data={"csrf_token": csrf}, follow_redirects=True)
    assert "still granted" in text(r)
    grant = world.admin.get(f"tenants/{world.tid}/grants?user_id={world.ids['viewer']}").get_json()["items"]
    world.admin.delete(f"tenants/{world.tid}/grants/{next(g['id'] for g in grant if g['role_key'] == 'social_lead')}")
    r = admin.post("/console/admin/roles/social_lead/delete", data={"csrf_token": csrf}, follow_redirects=True)
    assert "The role was deleted." in text(r)
    assert "social_lead" not in [x["key"] for x in world.admin.get(f"tenants/{world.tid}/roles").get_json()["items"]]


def test_a_manager_sees_the_roles_but_may_not_define_one(app, world):
    manager, csrf = sign_in(app, world, "manager")
    page = manager.get("/console/admin/roles")
    assert page.status_code == 200 and "/console/admin/roles/new" not in page.get_data(as_text=True)
    assert manager.post("/console/admin/roles/new", data={"csrf_token": csrf, "key": "mine", "name": "Mine",
                                                          "permissions": ["posts.view"]}).status_code == 403


def test_permission_labels_are_translated(app, world, herald_runtime):
    with herald_runtime.db.transaction() as s:
        s.get(User, world.ids["admin"]).locale = "ar"
    admin, _ = sign_in(app, world, "admin")
    form = admin.get("/console/admin/roles/new").get_data(as_text=True)
    assert "Create posts" not in form and "إنشاء المنشورات" in form and 'value="posts.create"' in form
    assert "<legend>المنشورات</legend>" in form


# ----------------------------------------------------------------------------- API tokens
def test_a_personal_token_is_shown_once_works_against_the_api_and_stops_working_when_revoked(app, world, api):
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/tokens", data={"csrf_token": csrf, "name": "script", "scopes": ["read"],
                                              "expires_in_days": "30"})
    assert r.status_code == 201 and r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    secret = re.search(r'id="issued-secret"[^>]*value="([^"]+)"', page).group(1)
    assert 'readonly' in re.search(r'<input id="issued-secret"[^>]*>', page).group(0)
    assert 'data-copy="issued-secret"' in page and creator.get("/console/static/copy.js").status_code == 200
    assert api(secret).get(f"tenants/{world.tid}/posts").status_code == 200
    mine = {t["name"]: t for t in api(secret).get("me/tokens").get_json()["items"]}
    assert mine["script"]["scopes"] == ["read"] and mine["script"]["expires_at"]
    listing = creator.get("/console/tokens").get_data(as_text=True)
    assert secret not in listing and "script" in listing and "127.0.0.1" in listing
    token_id = secret.split(".")[1]
    assert f'id="token-{token_id}"' in listing
    creator.post(f"/console/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert api(secret).get(f"tenants/{world.tid}/posts").status_code == 401
    assert ">Revoked<" in creator.get("/console/tokens").get_data(as_text=True)


def test_a_token_form_with_mistakes_says_which_and_issues_nothing(app, world):
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/tokens", data={"csrf_token": csrf, "name": "", "expires_in_days": "forever",
                                              "scopes": ["everything"]})
    assert r.status_code == 422
    page = text(r)
    assert "Not a valid integer." in page and "Must be one of" in page and 'id="issued-secret"' not in page
    assert re.findall(r'<tr id="token-[^"]+">\s*<td dir="auto">([^<]*)</td>', page) == ["test"]  # the seeded one


def test_nobody_revokes_another_persons_token(app, world, api):
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/tokens", data={"csrf_token": csrf, "name": "mine"})
    secret = re.search(r'id="issued-secret"[^>]*value="([^"]+)"', r.get_data(as_text=True)).group(1)
    editor, editor_csrf = sign_in(app, world, "editor")
    r = editor.post(f"/console/tokens/{secret.split('.')[1]}/revoke", data={"csrf_token": editor_csrf},
                    follow_redirects=True)
    assert "No token" in text(r)
    assert api(secret).get("me").status_code == 200


def test_a_service_token_is_created_with_scopes_used_once_shown_and_revoked(app, world, api):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/tokens", data={"csrf_token": csrf, "name": "crm sync", "scopes": ["read"]})
    assert r.status_code == 201
    secret = re.search(r'id="issued-secret"[^>]*value="([^"]+)"', r.get_data(as_text=True)).group(1)
    me = api(secret).get("me").get_json()
    assert me["kind"] == "service" if "kind" in me else me["display_name"] == "service:crm sync"
    listed = world.admin.get(f"tenants/{world.tid}/service-tokens").get_json()["items"]
    assert [(t["name"], t["scopes"]) for t in listed] == [("crm sync", ["read"])]
    page = admin.get("/console/admin/tokens").get_data(as_text=True)
    assert "crm sync" in page and secret not in page
    admin.post(f"/console/admin/tokens/{listed[0]['id']}/revoke", data={"csrf_token": csrf})
    assert api(secret).get("me").status_code == 401
