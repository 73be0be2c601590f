"""The audit trail against someone who can write its table: the chain is keyed (HMAC under an
instance key the database does not hold), so rewriting an event and recomputing plain SHA-256
hashes and the head is caught; signed checkpoints exported out of the database catch a cut-back
tail; keys rotate by id; legacy (unkeyed) events still verify; on PostgreSQL Herald's own role
cannot UPDATE, DELETE, TRUNCATE or disable the trigger."""

from __future__ import annotations

import json
import uuid

import pytest
from audit_helpers import triggers_off
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from herald import audit
from herald.audit.hashing import canonical, event_hash
from herald.audit.keys import verifying_keys
from herald.audit.models import AuditChain, AuditEvent
from herald.audit.verify import verify_chain
from herald.runtime import set_current

KEY_A1 = "t1:" + "1" * 40
KEY_A2 = "t2:" + "2" * 40


@pytest.fixture
def acme(seed):  # type: ignore[no-untyped-def]
    return seed.tenant("acme", {"coffee": None})


@pytest.fixture
def herald_cli(herald_runtime, monkeypatch):  # type: ignore[no-untyped-def]
    """``herald ...`` in-process against the test database, with HERALD_AUDIT_KEYS as given."""
    from herald.cli.main import Ctx, cli

    s = herald_runtime.settings
    for name, value in (("DATABASE_URL", s.database_url), ("HERALD_ENCRYPTION_KEYS", ",".join(s.encryption_keys)),
                        ("HERALD_SECRET_KEY", s.secret_key), ("HERALD_INSTANCE_PATH", str(s.instance_path)),
                        ("HERALD_QUEUE", s.queue_name)):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    if s.redis_url:
        monkeypatch.setenv("REDIS_URL", s.redis_url)

    def run(*args: str, keys: str | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        if keys is None:
            monkeypatch.delenv("HERALD_AUDIT_KEYS", raising=False)
        else:
            monkeypatch.setenv("HERALD_AUDIT_KEYS", keys)
        ctx = Ctx()
        try:
            result = CliRunner().invoke(cli, list(args), obj=ctx)
        finally:
            if ctx._rt is not None:
                ctx._rt.close()
            set_current(herald_runtime)
        return result.exit_code, result.output + (str(result.exception or "") if result.exit_code not in (0, 1)
                                                  else "")

    return run


def _use_keys(rt, monkeypatch, raw: str) -> str:  # type: ignore[no-untyped-def]
    """Sign with the first of ``raw``'s keys; the instance's own keys (the seed's events are
    signed with them) still verify. Returns the whole HERALD_AUDIT_KEYS value."""
    from herald.audit.keys import parse_keys

    original = rt.__dict__.setdefault("_test_original_audit_keys", rt.settings.audit_keys)
    pairs = parse_keys(raw) + tuple(p for p in original if p[0] not in dict(parse_keys(raw)))
    monkeypatch.setattr(rt, "settings", rt.settings.__class__(**{**rt.settings.__dict__, "audit_keys": pairs}))
    return ",".join(f"{k}:{v}" for k, v in pairs)


def _without(keys: str, key_id: str) -> str:
    return ",".join(e for e in keys.split(",") if not e.startswith(key_id + ":"))


def _record(rt, tenant_id: str, n: int, action: str = "thing.changed") -> None:  # type: ignore[no-untyped-def]
    with rt.db.transaction() as session:
        for i in range(n):
            audit.record(session, None, action, "thing", f"t{i}", tenant_id=tenant_id, after={"n": i})


def _rewrite_and_recompute(rt, chain: str, seq: int, after: dict) -> str:  # type: ignore[no-untyped-def]
    """The attack: rewrite event #seq, recompute plain SHA-256 hashes of it and every later event
    (as unkeyed or keeping their key id), relink them and move the head. Returns the event id."""
    with rt.db.transaction() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.chain == chain)
                                      .order_by(AuditEvent.chain_seq)))
        session.expunge_all()
    fields = [{c: getattr(e, c) for c in ("id", "chain", "chain_seq", "tenant_id", "actor_id", "actor_label",
                                          "action", "object_type", "object_id", "before", "after", "context",
                                          "at", "prev_hash", "hash", "key_id")} for e in events]
    prev = fields[seq - 2]["hash"] if seq > 1 else "0" * 64
    with triggers_off(rt) as conn:
        for f in fields[seq - 1:]:
            if f["chain_seq"] == seq:
                f["after"] = after
            f["prev_hash"] = prev
            f["hash"] = event_hash(f)  # the attacker does not have the key: plain SHA-256
            conn.execute(text("UPDATE audit_events SET after = :after, prev_hash = :p, hash = :h WHERE id = :id"),
                         {"after": json.dumps(f["after"]), "p": f["prev_hash"], "h": f["hash"], "id": f["id"]})
            prev = f["hash"]
        conn.execute(text("UPDATE audit_chains SET last_hash = :h WHERE chain = :c"), {"h": prev, "c": chain})
    return fields[seq - 1]["id"]


def test_new_events_are_keyed_with_the_newest_audit_key(herald_runtime, acme, monkeypatch):
    _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 2)
    with herald_runtime.db.transaction() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.chain == acme.id,
                                                          AuditEvent.action == "thing.changed")).all()
        assert events and {e.key_id for e in events} == {"t1"}
        plain = {e.id for e in events if event_hash({**e.__dict__}) == e.hash}
        assert not plain  # not a plain SHA-256 any more
        assert verify_chain(session, acme.id).ok


def test_rewrite_with_recomputed_sha256_and_head_is_caught_by_the_cli_and_the_service(
        herald_runtime, herald_cli, acme, monkeypatch):
    all_keys = _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 4)
    assert herald_cli("audit", "verify", keys=all_keys)[0] == 0
    event_id = _rewrite_and_recompute(herald_runtime, acme.id, 2, {"n": "forged"})

    with herald_runtime.db.transaction() as session:
        report = verify_chain(session, acme.id)
    assert not report.ok
    first = report.findings[0]
    assert (first.kind, first.seq, first.event_id) == ("rewritten", 2, event_id)
    code, out = herald_cli("audit", "verify", keys=all_keys)
    assert code == 1
    assert f"{acme.id}: " in out and f"TAMPERED (tenant acme ({acme.id}))" in out
    assert f"rewritten: event #2 ({event_id})" in out


def test_deleting_the_newest_events_is_caught_against_an_exported_checkpoint(
        herald_runtime, herald_cli, acme, tmp_path, monkeypatch):
    all_keys = _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 5)  # #2–#6, after the tenant's creation
    exported = tmp_path / "checkpoints.jsonl"
    code, out = herald_cli("audit", "checkpoint", "--out", str(exported), keys=all_keys)
    assert code == 0, out
    assert herald_cli("audit", "verify", "--checkpoints", str(exported), keys=all_keys)[0] == 0

    # cut the tail back to #3 and move the head to match: the database alone looks consistent
    with triggers_off(herald_runtime) as conn:
        head = conn.execute(text("SELECT hash FROM audit_events WHERE chain = :c AND chain_seq = 3"),
                            {"c": acme.id}).scalar()
        conn.execute(text("DELETE FROM audit_events WHERE chain = :c AND chain_seq > 3"), {"c": acme.id})
        conn.execute(text("UPDATE audit_chains SET last_seq = 3, last_hash = :h WHERE chain = :c"),
                     {"h": head, "c": acme.id})
    assert herald_cli("audit", "verify", keys=all_keys)[0] == 0
    code, out = herald_cli("audit", "verify", "--checkpoints", str(exported), keys=all_keys)
    assert code == 1
    assert "truncated:" in out and "records #6, but the log ends at #3: events #4–#6 were removed" in out


def test_truncating_the_whole_table_is_caught_against_an_exported_checkpoint(
        herald_runtime, herald_cli, acme, tmp_path, monkeypatch):
    all_keys = _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 3)
    exported = tmp_path / "cp.jsonl"
    assert herald_cli("audit", "checkpoint", "--out", str(exported), keys=all_keys)[0] == 0
    with herald_runtime.db.engine.begin() as conn:
        if herald_runtime.db.dialect == "postgresql":
            conn.execute(text("TRUNCATE audit_events, audit_chains"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
            conn.execute(text("DELETE FROM audit_events"))
            conn.execute(text("DELETE FROM audit_chains"))
    code, out = herald_cli("audit", "verify", "--checkpoints", str(exported), keys=all_keys)
    assert code == 1
    assert "events #1–#4 were removed" in out  # the tenant's creation and the three


def test_a_rewrite_behind_a_checkpoint_is_caught_even_when_every_event_is_made_legacy(
        herald_runtime, herald_cli, acme, tmp_path, monkeypatch):
    all_keys = _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 3)
    exported = tmp_path / "cp.jsonl"
    assert herald_cli("audit", "checkpoint", "--out", str(exported), keys=all_keys)[0] == 0
    with triggers_off(herald_runtime) as conn:  # pretend the whole chain predates keyed chains
        conn.execute(text("UPDATE audit_events SET key_id = NULL WHERE chain = :c"), {"c": acme.id})
    _rewrite_and_recompute(herald_runtime, acme.id, 1, {"n": "forged"})
    code, out = herald_cli("audit", "verify", "--checkpoints", str(exported), keys=all_keys)
    assert code == 1
    assert "no longer has the hash the checkpoint" in out and "rewritten at or before #4" in out


def test_a_forged_checkpoint_is_reported(herald_runtime, herald_cli, acme, tmp_path, monkeypatch):
    all_keys = _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 2)
    exported = tmp_path / "cp.jsonl"
    assert herald_cli("audit", "checkpoint", "--out", str(exported), keys=all_keys)[0] == 0
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    for cp in lines:
        cp["seq"] = 1
    exported.write_text("".join(json.dumps(cp) + "\n" for cp in lines) + "garbage\n")
    code, out = herald_cli("audit", "verify", "--checkpoints", str(exported), keys=all_keys)
    assert code == 1
    assert "its signature does not hold" in out and f"{exported}:{len(lines) + 1}: not a checkpoint" in out


def test_rotation_signs_with_the_newest_key_and_keeps_old_events_verifiable(
        herald_runtime, herald_cli, acme, tmp_path, monkeypatch):
    all_keys = _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 2)
    exported = tmp_path / "cp.jsonl"
    assert herald_cli("audit", "checkpoint", "--out", str(exported), keys=all_keys)[0] == 0
    all_keys = _use_keys(herald_runtime, monkeypatch, f"{KEY_A2},{KEY_A1}")  # a2 first: new events use it
    _record(herald_runtime, acme.id, 2)
    with herald_runtime.db.transaction() as session:
        ids = session.scalars(select(AuditEvent.key_id).where(AuditEvent.chain == acme.id)
                              .order_by(AuditEvent.chain_seq)).all()
    assert ids[-2:] == ["t2", "t2"] and "t1" in ids
    code, out = herald_cli("audit", "verify", "--checkpoints", str(exported), keys=all_keys)
    assert code == 0, out
    # dropping the old key too early: its events are named, not passed, and nothing crashes
    code, out = herald_cli("audit", "verify", keys=_without(all_keys, "t1"))
    assert code == 1
    assert "signed with audit key 't1', which is not configured" in out
    assert "checkpoint problem" not in out


def test_a_wrong_audit_key_is_a_clear_error(herald_runtime, herald_cli, acme, monkeypatch):
    all_keys = _use_keys(herald_runtime, monkeypatch, KEY_A1)
    _record(herald_runtime, acme.id, 2)
    code, out = herald_cli("audit", "verify", keys=_without(all_keys, "t1") + ",t1:" + "9" * 40)
    assert code == 1
    assert "wrong-key: no event signed with audit key 't1' verifies" in out
    code, out = herald_cli("audit", "verify", keys="t1:short")
    assert code == 1 and "HERALD_AUDIT_KEYS: the secret of key 't1' must be at least 32 characters" in out
    assert "Traceback" not in out
    code, out = herald_cli("audit", "verify", keys="no-colon-here")
    assert code == 1 and "HERALD_AUDIT_KEYS: each entry must be ID:SECRET" in out


def test_keys_generate_audit_prints_a_usable_entry(herald_cli):
    code, out = herald_cli("keys", "generate-audit", "--id", "a3")
    assert code == 0 and out.startswith("a3:") and len(out.strip()) > 40


# ----------------------------------------------------------------------------- legacy chains
def _legacy_hash(fields: dict) -> str:
    return event_hash(fields)


def test_legacy_events_verify_as_before_and_new_ones_are_keyed_after_the_migration(
        herald_backend, tmp_path, monkeypatch):
    """Upgrade a database holding an unkeyed chain (revision 0015) to the keyed one, on SQLite
    and on PostgreSQL."""
    from datetime import UTC, datetime

    from cryptography.fernet import Fernet

    from herald.config import Settings
    from herald.db.migrate import upgrade
    from herald.runtime import build_runtime

    if herald_backend.name == "embedded":
        url, cleanup = f"sqlite:///{tmp_path / 'legacy.db'}", None
    else:
        base = make_url(herald_backend.database_url_template)
        name = f"herald_legacy_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)

        def cleanup() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    try:
        upgrade(url, "0015")
        at = datetime(2026, 1, 1, tzinfo=UTC)
        legacy = {"id": "evt_legacy1", "chain": "platform", "chain_seq": 1, "tenant_id": None, "actor_id": None,
                  "actor_label": "system", "action": "user.created", "object_type": "user", "object_id": "u1",
                  "before": None, "after": {"email": "a@b.c"}, "context": {}, "at": at, "prev_hash": "0" * 64}
        legacy["hash"] = _legacy_hash(legacy)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_events (id, chain, chain_seq, tenant_id, actor_id, actor_label, "
                              "action, object_type, object_id, before, after, context, at, prev_hash, hash) VALUES "
                              "(:id, :chain, :chain_seq, NULL, NULL, :actor_label, :action, :object_type, "
                              ":object_id, 'null', :after, '{}', :at, :prev_hash, :hash)"),
                         {**legacy, "after": canonical(legacy["after"])})
            conn.execute(text("INSERT INTO audit_chains (chain, last_seq, last_hash) VALUES ('platform', 1, :h)"),
                         {"h": legacy["hash"]})
        engine.dispose()
        upgrade(url)

        settings = Settings.from_env({"DATABASE_URL": url, "HERALD_ENCRYPTION_KEYS":
                                      Fernet.generate_key().decode(),
                                      "HERALD_SECRET_KEY": "s", "HERALD_AUDIT_KEYS": KEY_A1,
                                      "HERALD_INSTANCE_PATH": str(tmp_path / "inst")})
        rt = build_runtime(settings)
        try:
            with rt.db.transaction() as session:
                audit.record(session, None, "thing.changed", "thing", "t1", tenant_id=None)
            with rt.db.transaction() as session:
                report = verify_chain(session, "platform", keys=verifying_keys(settings.audit_keys))
                ids = session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.chain_seq)).all()
            assert report.ok, report.problems
            assert (report.events, report.legacy_events) == (2, 1)
            assert ids == [None, "t1"]
            # the legacy event is checked as before: altering it is still caught
            with rt.db.engine.begin() as conn:
                if rt.db.dialect == "postgresql":
                    conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
                else:
                    conn.execute(text("DROP TRIGGER audit_events_no_update"))
                conn.execute(text("UPDATE audit_events SET action = 'user.deleted' WHERE id = 'evt_legacy1'"))
            with rt.db.transaction() as session:
                report = verify_chain(session, "platform", keys=verifying_keys(settings.audit_keys))
            assert [(f.kind, f.seq) for f in report.findings] == [("rewritten", 1)]
        finally:
            rt.close()
            set_current(None)
    finally:
        if cleanup:
            cleanup()


# ----------------------------------------------------------------------------- database roles
def test_herald_s_own_role_can_only_insert_and_select_audit_events(herald_runtime, herald_cli, acme, tmp_path):
    if herald_runtime.db.dialect != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    from herald.config import Settings
    from herald.db.roles import grant_app_role
    from herald.runtime import build_runtime

    role = f"herald_app_{uuid.uuid4().hex[:10]}"
    owner_url = herald_runtime.settings.database_url
    owner = create_engine(owner_url)
    with owner.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'app-pw' NOSUPERUSER"))
    app_url = make_url(owner_url).set(username=role, password="app-pw").render_as_string(hide_password=False)
    try:
        # `herald init` / `herald db upgrade`: migrate as the owner, grant DATABASE_URL's role
        settings = Settings.from_env({"DATABASE_URL": app_url, "HERALD_MIGRATION_DATABASE_URL": owner_url,
                                      "HERALD_ENCRYPTION_KEYS": ",".join(herald_runtime.settings.encryption_keys),
                                      "HERALD_SECRET_KEY": herald_runtime.settings.secret_key,
                                      "HERALD_INSTANCE_PATH": str(tmp_path / "inst")})
        code, out = herald_cli("db", "upgrade", env={"DATABASE_URL": app_url,
                                                     "HERALD_MIGRATION_DATABASE_URL": owner_url})
        assert code == 0, out
        assert f"granted Herald's role {role!r} its rights" in out
        _record(herald_runtime, acme.id, 1)
        app = create_engine(app_url)
        try:
            for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events",
                              "TRUNCATE audit_events", "ALTER TABLE audit_events DISABLE TRIGGER ALL",
                              "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
                              "DROP TRIGGER audit_events_append_only ON audit_events",
                              "DELETE FROM audit_chains", "TRUNCATE audit_chains",
                              "UPDATE alembic_version SET version_num = '0001'"):
                with app.connect() as conn, pytest.raises(DBAPIError) as refused:
                    conn.execute(text(statement))
                assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value), statement
            with app.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() >= 1
        finally:
            app.dispose()

        # normal Herald work as that role: audit events, the head, other tables, verification
        rt = build_runtime(settings)
        try:
            from herald.tenancy.models import Tenant

            with rt.db.transaction() as session:
                tenant = session.get(Tenant, acme.id)
                tenant.name = "Acme renamed"
                audit.record(session, None, "tenant.updated", "tenant", acme.id, tenant_id=acme.id,
                             after={"name": "Acme renamed"})
            with rt.db.transaction() as session:
                report = verify_chain(session, acme.id, keys=verifying_keys(settings.audit_keys))
                head = session.get(AuditChain, acme.id)
            assert report.ok, report.problems
            assert head is not None and head.last_seq == report.events
        finally:
            rt.close()
            set_current(herald_runtime)

        # granting a superuser or the owner itself is refused with a clear reason
        from herald.db.roles import RoleError

        with pytest.raises(RoleError, match="superuser"):
            grant_app_role(owner, "postgres")
    finally:
        with owner.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()



def test_migrating_as_herald_s_own_role_warns_that_it_owns_the_audit_table(herald_runtime, herald_cli):
    if herald_runtime.db.dialect != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    code, out = herald_cli("db", "upgrade")
    assert code == 0, out
    assert "warning: Herald's database user owns audit_events" in out


def test_grant_app_role_refuses_a_superuser_and_a_missing_role(herald_runtime, herald_cli):
    if herald_runtime.db.dialect != "postgresql":
        code, out = herald_cli("db", "grant-app-role", "herald")
        assert code == 1 and "database roles apply to PostgreSQL only" in out
        return
    code, out = herald_cli("db", "grant-app-role", "postgres")
    assert code == 1 and "is a superuser: no grant can restrict it" in out
    code, out = herald_cli("db", "grant-app-role", f"nobody_{uuid.uuid4().hex[:8]}")
    assert code == 1 and "does not exist" in out
