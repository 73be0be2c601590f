"""The audit trail: every change writes an event (who, before, after) in the change's own
transaction; secrets never reach it; the log is append-only in the database itself; the hash
chain makes tampering — altered rows, a cut-off tail — visible to the API and to
``herald audit verify``; the log lists newest first, filters and paginates."""

from __future__ import annotations

import itertools
import json
import types

import pytest
from audit_helpers import triggers_off
from click.testing import CliRunner
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from herald.audit.models import AuditEvent
from herald.plugins import Capabilities, NetworkConnector, hookimpl
from herald.runtime import set_current

WEBHOOK_SECRET = "whsec-do-not-leak-0123456789"


@pytest.fixture
def acme(seed):  # type: ignore[no-untyped-def]
    return seed.tenant("acme", {"coffee": None, "tea": None})


@pytest.fixture
def admin_user(seed, acme):  # type: ignore[no-untyped-def]
    return seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])


@pytest.fixture
def admin(api, admin_user):  # type: ignore[no-untyped-def]
    return api(admin_user[1])


def _events(client, t, **params) -> list[dict]:  # type: ignore[no-untyped-def]
    r = client.get(f"tenants/{t.id}/audit-events", query_string={"limit": "200", **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def _latest(client, t, action: str) -> dict:  # type: ignore[no-untyped-def]
    found = _events(client, t, action=action)
    assert found, f"no {action} event"
    return found[0]


def _verify(client, t) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(f"tenants/{t.id}/audit-events/verify")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _connector_plugin() -> object:
    class TestNet(NetworkConnector):
        key = "testnet"
        display_name = "Test network"
        capabilities = Capabilities(max_text_length=280)

    @hookimpl
    def herald_network_connectors():  # type: ignore[no-untyped-def]
        return [TestNet]

    module = types.ModuleType("testnet_plugin", "A test network connector.")
    module.HERALD_HOOK_API = "1.0"  # type: ignore[attr-defined]
    module.HERALD_DEFAULT_ENABLED = True  # type: ignore[attr-defined]
    module.herald_network_connectors = herald_network_connectors  # type: ignore[attr-defined]
    return module


# ----------------------------------------------------------------------------- what is recorded
def test_unit_changes_are_audited_with_actor_before_and_after(admin, admin_user, acme):
    user, _ = admin_user
    units = f"tenants/{acme.id}/org-units"
    unit = admin.post(units, {"parent_id": acme.units["coffee"].id, "name": "Dubai", "kind": "franchise"}).get_json()

    created = _latest(admin, acme, "org_unit.created")
    assert created["object_type"] == "org_unit" and created["object_id"] == unit["id"]
    assert created["actor_id"] == user.id and created["actor_label"].startswith("admin@acme.test [token test tok_")
    assert created["before"] is None
    assert created["after"]["name"] == "Dubai" and created["after"]["parent_id"] == acme.units["coffee"].id

    assert admin.patch(f"{units}/{unit['id']}", {"name": "Dubai Marina"}).status_code == 200
    renamed = _latest(admin, acme, "org_unit.updated")
    assert renamed["before"]["name"] == "Dubai" and renamed["after"]["name"] == "Dubai Marina"

    assert admin.post(f"{units}/{unit['id']}/move", {"parent_id": acme.units["tea"].id}).status_code == 200
    moved = _latest(admin, acme, "org_unit.moved")
    assert moved["object_id"] == unit["id"] and moved["actor_id"] == user.id
    assert moved["before"]["parent_id"] == acme.units["coffee"].id
    assert moved["after"]["parent_id"] == acme.units["tea"].id
    assert moved["after"]["path"] == f"{acme.root.path}{acme.units['tea'].id}/{unit['id']}/"

    assert admin.post(f"{units}/{unit['id']}/archive").status_code == 200
    archived = _latest(admin, acme, "org_unit.archived")
    assert archived["before"]["archived_at"] is None and archived["after"]["archived_at"] is not None
    assert admin.post(f"{units}/{unit['id']}/restore").status_code == 200
    restored = _latest(admin, acme, "org_unit.restored")
    assert restored["before"]["archived_at"] is not None and restored["after"]["archived_at"] is None


def test_tenant_changes_are_audited_in_the_tenants_log(admin, admin_user, acme):
    r = admin.patch(f"tenants/{acme.id}", {"name": "Acme Group", "default_time_zone": "Asia/Dubai"})
    assert r.status_code == 200, r.get_json()
    ev = _latest(admin, acme, "tenant.updated")
    assert ev["object_type"] == "tenant" and ev["object_id"] == acme.id
    assert ev["actor_id"] == admin_user[0].id
    assert ev["before"]["name"] == "Acme" and ev["after"]["name"] == "Acme Group"
    assert ev["before"]["default_time_zone"] == "UTC" and ev["after"]["default_time_zone"] == "Asia/Dubai"
    assert _verify(admin, acme)["ok"]


def test_grant_and_role_changes_are_audited(seed, admin, admin_user, acme):
    editor, _ = seed.user(acme, "editor@acme.test")
    grants = f"tenants/{acme.id}/grants"
    grant = admin.post(grants, {"user_id": editor.id, "role_key": "editor",
                                "org_unit_id": acme.units["coffee"].id}).get_json()
    ev = _latest(admin, acme, "grant.created")
    assert ev["object_id"] == grant["id"] and ev["actor_id"] == admin_user[0].id
    assert ev["after"] == {"id": grant["id"], "user_id": editor.id, "role_key": "editor",
                           "org_unit_id": acme.units["coffee"].id}
    assert admin.delete(f"{grants}/{grant['id']}").status_code == 204
    ev = _latest(admin, acme, "grant.deleted")
    assert ev["object_id"] == grant["id"] and ev["before"]["role_key"] == "editor" and ev["after"] is None

    roles = f"tenants/{acme.id}/roles"
    assert admin.post(roles, {"key": "scheduler", "name": "Scheduler",
                              "permissions": ["units.view", "posts.schedule"]}).status_code == 201
    created = _latest(admin, acme, "role.created")
    assert created["after"]["key"] == "scheduler"
    assert created["after"]["permissions"] == ["posts.schedule", "units.view"]
    assert admin.patch(f"{roles}/scheduler", {"permissions": ["units.view"]}).status_code == 200
    updated = _latest(admin, acme, "role.updated")
    assert updated["before"]["permissions"] == ["posts.schedule", "units.view"]
    assert updated["after"]["permissions"] == ["units.view"]
    assert admin.delete(f"{roles}/scheduler").status_code == 204
    deleted = _latest(admin, acme, "role.deleted")
    assert deleted["before"]["key"] == "scheduler" and deleted["object_id"] == created["object_id"]


def test_user_changes_are_audited_without_credentials(admin, admin_user, acme):
    users = f"tenants/{acme.id}/users"
    r = admin.post(users, {"email": "New@Acme.test", "display_name": "New", "password": "correct horse battery"})
    assert r.status_code == 201, r.get_json()
    user = r.get_json()
    ev = _latest(admin, acme, "user.created")
    assert ev["object_id"] == user["id"] and ev["after"]["email"] == "new@acme.test"
    assert admin.patch(f"{users}/{user['id']}", {"status": "disabled"}).status_code == 200
    ev = _latest(admin, acme, "user.updated")
    assert ev["before"]["status"] == "active" and ev["after"]["status"] == "disabled"
    dump = json.dumps(_events(admin, acme))
    assert "correct horse battery" not in dump and "password" not in dump


def test_social_account_changes_are_audited(admin, acme, register_plugin):
    register_plugin(_connector_plugin(), "testnet")
    accounts = f"tenants/{acme.id}/social-accounts"
    r = admin.post(accounts, {"org_unit_id": acme.units["coffee"].id, "network": "testnet", "handle": "@acme"})
    assert r.status_code == 201, r.get_json()
    acct = r.get_json()
    ev = _latest(admin, acme, "social_account.created")
    assert ev["object_type"] == "social_account" and ev["object_id"] == acct["id"]
    assert ev["after"]["handle"] == "@acme" and ev["after"]["org_unit_id"] == acme.units["coffee"].id

    assert admin.patch(f"{accounts}/{acct['id']}", {"org_unit_id": acme.units["tea"].id,
                                                    "archived": True}).status_code == 200
    ev = _latest(admin, acme, "social_account.updated")
    assert ev["before"]["org_unit_id"] == acme.units["coffee"].id and ev["before"]["archived_at"] is None
    assert ev["after"]["org_unit_id"] == acme.units["tea"].id and ev["after"]["archived_at"] is not None


def test_plugin_settings_are_audited_with_secrets_redacted(admin, admin_user, acme, herald_runtime):
    url = f"tenants/{acme.id}/plugins/webhooks"
    r = admin.patch(url, {"settings": {"url": "https://hooks.example/in", "secret": WEBHOOK_SECRET}})
    assert r.status_code == 200, r.get_json()
    assert WEBHOOK_SECRET not in r.get_data(as_text=True)

    ev = _latest(admin, acme, "plugin.configured")
    assert ev["object_type"] == "plugin" and ev["object_id"] == "webhooks"
    assert ev["actor_id"] == admin_user[0].id
    assert ev["after"]["settings"]["url"] == "https://hooks.example/in"
    assert ev["after"]["secrets"] == {"secret": "***"}
    assert "secret" not in ev["after"]["settings"]
    assert ev["before"]["secrets"] == {}

    rotated = WEBHOOK_SECRET[::-1]
    assert admin.patch(url, {"settings": {"url": "https://hooks.example/v2", "secret": rotated},
                             "enabled": True}).status_code == 200
    ev = _latest(admin, acme, "plugin.configured")
    assert ev["before"]["secrets"] == {"secret": "***"} and ev["after"]["secrets"] == {"secret": "***"}
    assert ev["before"]["settings"]["url"] == "https://hooks.example/in"
    assert ev["after"]["settings"]["url"] == "https://hooks.example/v2" and ev["after"]["enabled"] is True

    # Nowhere in the log: not in the API's view, not in the stored rows.
    assert WEBHOOK_SECRET not in json.dumps(_events(admin, acme)) and rotated not in json.dumps(_events(admin, acme))
    with herald_runtime.db.transaction() as s:
        for e in s.execute(select(AuditEvent)).scalars():
            stored = json.dumps([e.before, e.after, e.context, e.actor_label])
            assert WEBHOOK_SECRET not in stored and rotated not in stored
    assert _verify(admin, acme)["ok"]


def test_a_refused_change_writes_no_event(seed, api, admin, acme):
    _, token = seed.user(acme, "editor@acme.test", [("editor", "coffee")])
    count = len(_events(admin, acme))
    r = api(token).post(f"tenants/{acme.id}/org-units", {"parent_id": acme.units["coffee"].id, "name": "Nope"})
    assert r.status_code == 403
    r = admin.post(f"tenants/{acme.id}/org-units/{acme.root.id}/move", {"parent_id": acme.units["tea"].id})
    assert r.status_code == 409
    assert len(_events(admin, acme)) == count


# ----------------------------------------------------------------------------- the hash chain
def test_verify_reports_a_clean_chain(admin, acme):
    admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Cola"})
    body = _verify(admin, acme)
    assert body == {"chain": acme.id, "ok": True, "events": len(_events(admin, acme)), "problems": [],
                    "checkpoints": 0, "checkpoint_problems": []}  # no checkpoint file configured
    seqs = sorted(e["seq"] for e in _events(admin, acme))
    assert seqs == list(range(1, len(seqs) + 1))


def test_events_link_to_their_predecessor(admin, acme):
    admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Cola"})
    events = sorted(_events(admin, acme), key=lambda e: e["seq"])
    assert events[0]["prev_hash"] == "0" * 64
    for prev, ev in itertools.pairwise(events):
        assert ev["prev_hash"] == prev["hash"]


@pytest.mark.parametrize("column, value", [
    ("after", {"name": "Evil Corp", "kind": "brand"}),
    ("actor_label", "someone-else@acme.test"),
])
def test_an_altered_event_is_detected(admin, acme, herald_runtime, column, value):
    unit = admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Cola"}).get_json()
    admin.patch(f"tenants/{acme.id}/org-units/{unit['id']}", {"name": "Cola Light"})
    target = _latest(admin, acme, "org_unit.created")
    assert _verify(admin, acme)["ok"]

    with triggers_off(herald_runtime) as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.id == target["id"]).values({column: value}))
    tampered = next(e for e in _events(admin, acme) if e["id"] == target["id"])
    assert tampered[column] == value  # the row really changed

    body = _verify(admin, acme)
    assert body["ok"] is False
    assert any(target["id"] in p and "altered" in p for p in body["problems"]), body["problems"]


def test_a_cut_off_tail_is_detected(admin, acme, herald_runtime):
    admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Cola"})
    last = _events(admin, acme, limit="1")[0]
    with triggers_off(herald_runtime) as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.id == last["id"]))
    assert all(e["id"] != last["id"] for e in _events(admin, acme))
    body = _verify(admin, acme)
    assert body["ok"] is False
    assert any("removed" in p for p in body["problems"]), body["problems"]


def test_a_removed_middle_event_is_detected(admin, acme, herald_runtime):
    admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Cola"})
    admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Soda"})
    middle = next(e for e in _events(admin, acme, action="org_unit.created") if e["after"]["name"] == "Cola")
    with triggers_off(herald_runtime) as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.id == middle["id"]))
    body = _verify(admin, acme)
    assert body["ok"] is False
    assert any(f"#{middle['seq']}" in p and "missing" in p for p in body["problems"]), body["problems"]


def test_the_database_refuses_update_and_delete_of_events(admin, acme, herald_runtime):
    target = _events(admin, acme)[0]
    engine = herald_runtime.db.engine
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.id == target["id"]).values(actor_label="mallory"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.id == target["id"]))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    # The ORM is refused too.
    with pytest.raises(DBAPIError, match="append-only"), herald_runtime.db.transaction() as s:
        s.get(AuditEvent, target["id"]).after = {"forged": True}
        s.flush()
    assert next(e for e in _events(admin, acme) if e["id"] == target["id"]) == target
    assert _verify(admin, acme)["ok"]


# ----------------------------------------------------------------------------- the CLI
@pytest.fixture
def herald_cli(herald_runtime, monkeypatch):  # type: ignore[no-untyped-def]
    """Runs ``herald ...`` in-process against the test database; returns (exit code, output)."""
    from herald.cli.main import Ctx, cli

    s = herald_runtime.settings
    monkeypatch.setenv("DATABASE_URL", s.database_url)
    monkeypatch.setenv("HERALD_ENCRYPTION_KEYS", ",".join(s.encryption_keys))
    monkeypatch.setenv("HERALD_SECRET_KEY", s.secret_key)
    monkeypatch.setenv("HERALD_INSTANCE_PATH", str(s.instance_path))
    monkeypatch.setenv("HERALD_QUEUE", s.queue_name)
    if s.redis_url:
        monkeypatch.setenv("REDIS_URL", s.redis_url)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)

    def run(*args: str) -> tuple[int, str]:
        ctx = Ctx()
        try:
            result = CliRunner().invoke(cli, list(args), obj=ctx)
        finally:
            if ctx._rt is not None:
                ctx._rt.close()
            set_current(herald_runtime)
        return result.exit_code, result.output

    return run


def test_cli_audit_verify_exits_0_on_a_clean_chain_and_1_after_tampering(herald_cli, admin, acme, herald_runtime):
    admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Cola"})
    code, out = herald_cli("audit", "verify")
    assert code == 0, out
    assert f"{acme.id}: " in out and "OK" in out and "TAMPERED" not in out
    code, out = herald_cli("audit", "verify", "--tenant", "acme")
    assert code == 0, out

    target = _latest(admin, acme, "org_unit.created")
    with triggers_off(herald_runtime) as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.id == target["id"]).values(actor_label="mallory"))
    code, out = herald_cli("audit", "verify")
    assert code == 1, out
    assert f"{acme.id}: " in out and "TAMPERED" in out and target["id"] in out
    assert "platform: " in out  # the other chains are still reported
    code, out = herald_cli("audit", "verify", "--tenant", "acme")
    assert code == 1 and target["id"] in out


def test_cli_audit_verify_detects_a_cut_off_tail(herald_cli, admin, acme, herald_runtime):
    last = _events(admin, acme, limit="1")[0]
    with triggers_off(herald_runtime) as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.id == last["id"]))
    code, out = herald_cli("audit", "verify", "--tenant", "acme")
    assert code == 1 and "removed" in out, out


# ----------------------------------------------------------------------------- reading the log
def test_the_log_filters_by_action_and_object_type(seed, admin, acme):
    editor, _ = seed.user(acme, "editor@acme.test")
    unit = admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Cola"}).get_json()
    admin.post(f"tenants/{acme.id}/grants", {"user_id": editor.id, "role_key": "viewer", "org_unit_id": unit["id"]})

    created = _events(admin, acme, action="org_unit.created")
    assert created and {e["action"] for e in created} == {"org_unit.created"}
    assert unit["id"] in {e["object_id"] for e in created}
    grants = _events(admin, acme, object_type="grant")
    assert grants and {e["object_type"] for e in grants} == {"grant"}
    assert _events(admin, acme, object_type="org_unit", object_id=unit["id"])[0]["object_id"] == unit["id"]
    assert _events(admin, acme, action="no.such.action") == []
    assert len(_events(admin, acme, action="grant.created", object_type="org_unit")) == 0


def test_the_log_pages_newest_first_with_a_cursor(admin, acme):
    for i in range(6):
        admin.post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": f"Unit {i}"})
    everything = _events(admin, acme)
    assert len(everything) >= 7
    seqs = [e["seq"] for e in everything]
    assert seqs == sorted(seqs, reverse=True)
    assert everything[0]["action"] == "org_unit.created" and everything[0]["after"]["name"] == "Unit 5"

    paged: list[dict] = []
    cursor = None
    while True:
        r = admin.get(f"tenants/{acme.id}/audit-events",
                      query_string={"limit": "3", **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        body = r.get_json()
        assert len(body["items"]) <= 3
        paged += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert [e["id"] for e in paged] == [e["id"] for e in everything]

    # Filters and the cursor combine.
    first = admin.get(f"tenants/{acme.id}/audit-events",
                      query_string={"limit": "2", "action": "org_unit.created"}).get_json()
    second = admin.get(f"tenants/{acme.id}/audit-events",
                       query_string={"limit": "2", "action": "org_unit.created",
                                     "cursor": first["next_cursor"]}).get_json()
    names = [e["after"]["name"] for e in first["items"] + second["items"]]
    assert names == ["Unit 5", "Unit 4", "Unit 3", "Unit 2"]
    assert admin.get(f"tenants/{acme.id}/audit-events", query_string={"cursor": "!!garbage"}).status_code == 400


def test_reading_and_verifying_the_log_needs_audit_view(seed, api, acme):
    _, token = seed.user(acme, "editor@acme.test", [("editor", "root")])
    editor = api(token)
    assert editor.get(f"tenants/{acme.id}/audit-events").status_code == 403
    assert editor.post(f"tenants/{acme.id}/audit-events/verify").status_code == 403
    other = seed.tenant("globex")
    _, other_token = seed.user(other, "admin@globex.test", [("tenant_admin", "root")])
    assert api(other_token).get(f"tenants/{acme.id}/audit-events").status_code == 404


def test_a_transaction_appending_many_events_locks_each_chain_head_once_and_keeps_it_whole(
        seed, acme, herald_runtime):
    from sqlalchemy import event

    from herald import audit
    from herald.audit.verify import verify_chain

    other = seed.tenant("globex", {"north": None})
    locks: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if "audit_chains" in statement and statement.lstrip().upper().startswith("SELECT"):
            locks.append(statement)

    event.listen(herald_runtime.db.engine, "before_cursor_execute", count)
    try:
        with herald_runtime.db.transaction() as s:
            for i in range(5):
                audit.record(s, None, "test.many", "thing", f"a{i}", tenant_id=acme.id, after={"i": i})
                audit.record(s, None, "test.many", "thing", f"g{i}", tenant_id=other.id, after={"i": i})
            # a savepoint that rolls back takes its events (and never its own lock) with it
            try:
                with s.begin_nested():
                    audit.record(s, None, "test.undone", "thing", "x", tenant_id=acme.id)
                    raise RuntimeError("undo")
            except RuntimeError:
                pass
            audit.record(s, None, "test.after", "thing", "z", tenant_id=acme.id)
    finally:
        event.remove(herald_runtime.db.engine, "before_cursor_execute", count)
    # one lock per chain, one inside the savepoint, one re-read of the head the rollback expired
    # (rather than one lock per event: 12)
    assert len(locks) <= 4
    with herald_runtime.db.transaction() as s:
        for chain in (acme.id, other.id):
            report = verify_chain(s, chain)
            assert report.ok, report
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.tenant_id == acme.id,
                                                                 AuditEvent.action.like("test.%"))))
    assert sorted(actions) == ["test.after"] + ["test.many"] * 5


def test_events_recorded_inside_appended_last_lock_their_chains_at_the_end_in_one_order(
        seed, acme, herald_runtime):
    from sqlalchemy import event

    from herald import audit
    from herald.audit.verify import verify_chain

    other = seed.tenant("globex", {"north": None})
    locked: list[tuple[str, object]] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if "audit_chains" in statement and statement.lstrip().upper().startswith("SELECT"):
            locked.append((statement, params))

    event.listen(herald_runtime.db.engine, "before_cursor_execute", count)
    try:
        with herald_runtime.db.transaction() as s:
            with audit.appended_last(s):
                for i in range(3):
                    audit.record(s, None, "test.late", "thing", f"g{i}", tenant_id=other.id)
                    audit.record(s, None, "test.late", "thing", f"a{i}", tenant_id=acme.id)
                    s.flush()  # nothing half-made is written meanwhile
                assert locked == []
            # both heads in one statement, locked in the order of their chains
            assert len(locked) == 1
            statement, params = locked[0]
            assert acme.id in str(params) and other.id in str(params)
            assert "ORDER BY audit_chains.chain" in statement
            if herald_runtime.db.dialect == "postgresql":
                assert statement.rstrip().endswith("FOR UPDATE")
    finally:
        event.remove(herald_runtime.db.engine, "before_cursor_execute", count)
    with herald_runtime.db.transaction() as s:
        for chain in (acme.id, other.id):
            assert verify_chain(s, chain).ok
        objects = list(s.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "test.late",
                                                                    AuditEvent.tenant_id == acme.id)
                                 .order_by(AuditEvent.chain_seq)))
    assert objects == ["a0", "a1", "a2"]


def test_a_new_chains_head_is_created_apart_so_that_heads_are_always_locked_in_one_order(
        seed, acme, herald_runtime):
    """On PostgreSQL the head of a chain that has no events yet is created in a transaction of its
    own before any head is locked: created inside the caller's transaction, after the heads that
    existed were locked, it would be locked out of order, and two batches writing a new tenant's
    first events could deadlock. An empty head is a valid chain whatever the caller does next."""
    from herald import audit
    from herald.audit.models import AuditChain
    from herald.audit.verify import verify_chain

    fresh = "ten_never_seen_before_0001"
    try:
        with herald_runtime.db.transaction() as s:
            with audit.appended_last(s):
                audit.record(s, None, "test.first", "thing", "x", tenant_id=acme.id)
                audit.record(s, None, "test.first", "thing", "y", tenant_id=fresh)
            raise RuntimeError("the caller gives up")
    except RuntimeError:
        pass
    with herald_runtime.db.transaction() as s:
        head = s.get(AuditChain, fresh)
        assert s.scalars(select(AuditEvent).where(AuditEvent.chain == fresh)).all() == []
        if herald_runtime.db.dialect == "postgresql":
            assert head is not None and head.last_seq == 0  # created apart, kept, still empty
            assert verify_chain(s, fresh).ok
        else:
            assert head is None  # SQLite serialises writers: created with the caller's transaction
    # and the chain works from there
    with herald_runtime.db.transaction() as s, audit.appended_last(s):
        audit.record(s, None, "test.second", "thing", "z", tenant_id=fresh)
    with herald_runtime.db.transaction() as s:
        assert verify_chain(s, fresh).ok and s.get(AuditChain, fresh).last_seq == 1
