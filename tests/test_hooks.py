"""Every hook: exercised for real by a test named after it, and documented with its exact
signature in docs/plugins.md (datasette's two meta-tests)."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from flask import Blueprint
from sqlalchemy import select

from herald import hookspecs
from herald.notifications.models import InAppNotification
from herald.notifications.send import send
from herald.plugins import (
    ConsoleExtension,
    CrmRecord,
    CrmSink,
    Enricher,
    MenuEntry,
    Notification,
    hookimpl,
)

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(n for n, f in vars(hookspecs).items() if n.startswith("herald_") and callable(f))


def test_every_hook_has_a_test_named_after_it():
    text = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))
    missing = [h for h in HOOKS if not re.search(rf"def test_{h}\b|def test_{h}_", text)]
    assert HOOKS and not missing


def test_every_hook_signature_is_documented_exactly():
    docs = (ROOT / "docs" / "plugins.md").read_text()
    for name in HOOKS:
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"{name}({params})" in docs, f"{name}({params}) is not in docs/plugins.md"


@pytest.fixture
def acme(seed, api):  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {"brand": None})
    user, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    return t, user, api(token)


def test_herald_network_connectors_offer_the_installed_networks(acme, herald_runtime):
    t, _, admin = acme
    for name in ("network_x", "network_instagram"):
        if name not in herald_runtime.plugins.infos:
            pytest.skip("network plugins not installed")
    admin.patch(f"tenants/{t.id}/plugins/network_x", {"enabled": True, "settings": {"client_id": "cid"}})
    with herald_runtime.db.transaction() as s:
        keys = [c.key for c in herald_runtime.plugins.for_tenant(s, t.id).classes("herald_network_connectors")]
    assert keys == ["x"]


def test_herald_approval_step_kinds_include_human_review_waiting_for_people(acme, herald_runtime):
    t, _, _ = acme
    with herald_runtime.db.transaction() as s:
        step = herald_runtime.plugins.for_tenant(s, t.id).instance("herald_approval_step_kinds", "human_review")
    assert step is not None and step.needs_people and step.evaluate({}, {}).verdict == "waiting"


def test_herald_auth_providers_local_password_signs_in_and_refuses_wrong_passwords(seed, api):
    from herald.builtin.local_auth import hash_password

    t = seed.tenant("acme")
    seed.user(t, "dana@acme.test", [("viewer", "root")], password_hash=hash_password("correct horse battery"))
    ok = api(None).post("auth/password",
                        {"tenant": "acme", "email": "Dana@acme.test", "password": "correct horse battery"})
    assert ok.status_code == 201 and ok.get_json()["token"].startswith("hrd.")
    assert api(ok.get_json()["token"]).get("me").get_json()["email"] == "dana@acme.test"
    wrong = api(None).post("auth/password", {"tenant": "acme", "email": "dana@acme.test", "password": "nope"})
    nobody = api(None).post("auth/password", {"tenant": "acme", "email": "x@acme.test", "password": "nope"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.get_json()["detail"] == nobody.get_json()["detail"]


def test_herald_auth_providers_disabled_local_auth_refuses_password_sign_in(seed, api):
    from herald.builtin.local_auth import hash_password

    t = seed.tenant("acme")
    _, token = seed.user(t, "dana@acme.test", [("tenant_admin", "root")], password_hash=hash_password("pw-long-enough"))
    assert api(token).patch(f"tenants/{t.id}/plugins/local_auth", {"enabled": False}).status_code == 200
    r = api(None).post("auth/password", {"tenant": "acme", "email": "dana@acme.test", "password": "pw-long-enough"})
    assert r.status_code == 401


class _Sink(CrmSink):
    key = "memory_crm"

    def __init__(self, tenant_id: str, settings: dict) -> None:
        super().__init__(tenant_id, settings)
        self.pushed: list[CrmRecord] = []

    def push(self, record: CrmRecord) -> str:
        self.pushed.append(record)
        return f"crm-{len(self.pushed)}"


class _Tagger(Enricher):
    key = "shout_tagger"

    def enrich(self, subject: str, payload: dict) -> dict:
        return {"tags": ["shouting"]} if payload.get("text", "").isupper() else {}


class _ExtrasPlugin:
    HERALD_HOOK_API = "1.0"
    HERALD_DEFAULT_ENABLED = False

    @staticmethod
    @hookimpl
    def herald_crm_sinks():  # type: ignore[no-untyped-def]
        return [_Sink]

    @staticmethod
    @hookimpl
    def herald_enrichers():  # type: ignore[no-untyped-def]
        return [_Tagger]

    @staticmethod
    @hookimpl
    def herald_console_extensions():  # type: ignore[no-untyped-def]
        bp = Blueprint("extras_feed", __name__)
        return [ConsoleExtension(bp, [MenuEntry("Feed", "extras_feed.index", "posts.view")])]


def test_herald_crm_sinks_reach_only_tenants_that_enabled_the_plugin(acme, seed, register_plugin, herald_runtime):
    t, _, admin = acme
    other = seed.tenant("other")
    register_plugin(_ExtrasPlugin(), "extras")
    admin.patch(f"tenants/{t.id}/plugins/extras", {"enabled": True})
    with herald_runtime.db.transaction() as s:
        sink = herald_runtime.plugins.for_tenant(s, t.id).instance("herald_crm_sinks", "memory_crm")
        assert herald_runtime.plugins.for_tenant(s, other.id).instance("herald_crm_sinks", "memory_crm") is None
    assert sink.push(CrmRecord("lead", "k1", {"name": "Ada"})) == "crm-1"
    assert sink.plugin == "extras" and sink.tenant_id == t.id


def test_herald_enrichers_annotate_for_enabled_tenants(acme, register_plugin, herald_runtime):
    t, _, admin = acme
    register_plugin(_ExtrasPlugin(), "extras")
    with herald_runtime.db.transaction() as s:
        assert herald_runtime.plugins.for_tenant(s, t.id).instances("herald_enrichers") == []
    admin.patch(f"tenants/{t.id}/plugins/extras", {"enabled": True})
    with herald_runtime.db.transaction() as s:
        (tagger,) = herald_runtime.plugins.for_tenant(s, t.id).instances("herald_enrichers")
    assert tagger.enrich("post", {"text": "BUY NOW"}) == {"tags": ["shouting"]}


def test_herald_console_extensions_are_collected_per_enabled_tenant(acme, register_plugin, herald_runtime):
    t, _, admin = acme
    register_plugin(_ExtrasPlugin(), "extras")
    admin.patch(f"tenants/{t.id}/plugins/extras", {"enabled": True})
    with herald_runtime.db.transaction() as s:
        found = herald_runtime.plugins.for_tenant(s, t.id).collect("herald_console_extensions")
    assert [(p, ext.menu[0].label) for p, exts in found for ext in exts] == [("extras", "Feed")]


def test_herald_notifiers_inapp_stores_the_notification(acme, herald_runtime, run_jobs):
    t, user, _ = acme
    with herald_runtime.db.transaction() as s:
        assert send(s, Notification(t.id, user.id, user.email, "approval.due", "Post waits for you")) == 1
    assert run_jobs() == 0
    with herald_runtime.db.transaction() as s:
        rows = s.scalars(select(InAppNotification).where(InAppNotification.recipient_id == user.id)).all()
    assert [(r.kind, r.title) for r in rows] == [("approval.due", "Post waits for you")]


def test_herald_plugin_settings_describe_fields_and_secrets(acme):
    t, _, admin = acme
    body = admin.get(f"tenants/{t.id}/plugins/webhooks").get_json()
    fields = {f["name"]: f for f in body["settings_schema"]["fields"]}
    assert fields["secret"]["secret"] is True and fields["url"]["required"] is True
    assert fields["event_types"]["default"] == [] or fields["event_types"]["default"] is None


def test_herald_tenant_plugin_changed_reaches_only_the_changed_plugin(acme, register_plugin):
    t, _, admin = acme
    seen: list[tuple] = []

    def make(name: str):  # type: ignore[no-untyped-def]
        class P:
            HERALD_HOOK_API = "1.0"

            @staticmethod
            @hookimpl
            def herald_tenant_plugin_changed(tenant_id, plugin, enabled, settings):  # type: ignore[no-untyped-def]
                seen.append((name, tenant_id, plugin, enabled))
        return P()

    register_plugin(make("one"), "one")
    register_plugin(make("two"), "two")
    admin.patch(f"tenants/{t.id}/plugins/one", {"enabled": True})
    admin.patch(f"tenants/{t.id}/plugins/one", {"enabled": False})
    assert seen == [("one", t.id, "one", True), ("one", t.id, "one", False)]


def test_herald_app_created_is_called_once_with_the_app(herald_runtime, register_plugin):
    from herald.app import create_app

    apps = []

    class P:
        HERALD_HOOK_API = "1.0"

        @staticmethod
        @hookimpl
        def herald_app_created(app):  # type: ignore[no-untyped-def]
            apps.append(app)

    register_plugin(P(), "watcher")
    app = create_app(runtime=herald_runtime)
    assert apps == [app]


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []
    status = 200

    def do_POST(self):  # type: ignore[no-untyped-def]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(({k: v for k, v in self.headers.items()}, body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):  # type: ignore[no-untyped-def]
        pass


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    _Receiver.received = []
    _Receiver.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_herald_event_subscribers_webhook_delivers_signed_events_once(acme, seed, api, receiver, run_jobs):
    t, _, admin = acme
    other = seed.tenant("other")
    _, other_token = seed.user(other, "admin@other.test", [("tenant_admin", "root")])
    secret = "a-shared-secret-of-length"
    r = admin.patch(f"tenants/{t.id}/plugins/webhooks",
                    {"enabled": True, "settings": {"url": receiver, "secret": secret}})
    assert r.status_code == 200, r.get_json()
    assert admin.post(f"tenants/{t.id}/org-units", {"parent_id": t.root.id, "name": "Tea"}).status_code == 201
    api(other_token).post(f"tenants/{other.id}/org-units", {"parent_id": other.root.id, "name": "Not sent"})
    # a change that fails midway (rolled back) emits nothing
    assert admin.post(f"tenants/{t.id}/org-units", {"parent_id": t.root.id, "name": "x" * 500}).status_code == 422
    assert run_jobs() == 0
    assert len(_Receiver.received) == 1
    headers, body = _Receiver.received[0]
    event = json.loads(body)
    assert event["type"] == "org_unit.created" and event["data"]["name"] == "Tea" and event["tenant_id"] == t.id
    assert headers["Herald-Event-Id"] == event["id"]
    ts, mac = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", headers["Herald-Signature"]).groups()
    assert hmac.compare_digest(mac, hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest())


def test_herald_event_subscribers_webhook_refused_with_4xx_is_not_retried(acme, receiver, run_jobs):
    t, _, admin = acme
    _Receiver.status = 400
    admin.patch(f"tenants/{t.id}/plugins/webhooks",
                {"enabled": True, "settings": {"url": receiver, "secret": "a-shared-secret-of-length"}})
    admin.post(f"tenants/{t.id}/org-units", {"parent_id": t.root.id, "name": "Tea"})
    assert run_jobs() == 0
    assert len(_Receiver.received) == 1


def test_trace_hooks_prints_every_hook_call(herald_runtime, capsys):
    from herald.config import Settings
    from herald.plugin_host.crypto import SecretBox
    from herald.plugin_host.manager import PluginHost

    host = PluginHost(SecretBox(herald_runtime.settings.encryption_keys), trace=True)
    host.load([("human_review", "herald.builtin.human_review")], allow_list=())
    host.pm.hook.herald_approval_step_kinds()
    assert "herald_approval_step_kinds" in capsys.readouterr().err
    env = {"HERALD_TRACE_HOOKS": "1", "HERALD_INSTANCE_PATH": str(herald_runtime.settings.instance_path)}
    assert Settings.from_env(env).trace_hooks is True
