"""Herald exports signed checkpoints itself (a file and syslog, only when a chain head moved),
and the API's "verify" checks a tenant's chain against the instance's checkpoint file: a cut-back
tail that the database alone cannot show is reported to the tenant's auditors."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading

import pytest
from audit_helpers import triggers_off
from sqlalchemy import text

from herald import audit
from herald.audit import checkpoints
from herald.audit.checkpoint_export import CheckpointExporter, start_checkpoint_exporter
from herald.config import ConfigError, Settings


@pytest.fixture
def acme(seed, api):  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {"coffee": None})
    _, token = seed.user(t, "auditor@acme.test", [("tenant_admin", "root")])
    return t, api(token)


def _configure(rt, monkeypatch, **values):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rt, "settings", dataclasses.replace(rt.settings, **values))


def _record(rt, tenant_id: str, n: int) -> None:  # type: ignore[no-untyped-def]
    with rt.db.transaction() as session:
        for i in range(n):
            audit.record(session, None, "thing.changed", "thing", f"t{i}", tenant_id=tenant_id, after={"n": i})


def _lines(path) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_exporter_appends_signed_heads_only_when_they_moved(herald_runtime, acme, tmp_path, monkeypatch):
    t, _ = acme
    exported = tmp_path / "cp.jsonl"
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=exported)
    exporter = CheckpointExporter(herald_runtime)
    first = exporter.export()
    assert first >= 1 and t.id in {cp["chain"] for cp in _lines(exported)}
    assert exporter.export() == 0 and len(_lines(exported)) == first  # nothing moved: nothing written
    _record(herald_runtime, t.id, 2)
    assert exporter.export() == 1
    newest = _lines(exported)[-1]
    assert newest["chain"] == t.id and newest["key_id"] == herald_runtime.settings.audit_keys[0][0]
    with herald_runtime.db.transaction() as s:
        head = s.execute(text("SELECT last_seq FROM audit_chains WHERE chain = :c"), {"c": t.id}).scalar()
    assert newest["seq"] == head


def test_verify_in_the_api_catches_a_cut_back_tail_against_the_instance_checkpoints(
        herald_runtime, acme, tmp_path, monkeypatch):
    t, admin = acme
    _record(herald_runtime, t.id, 5)
    exported = tmp_path / "cp.jsonl"
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=exported)
    CheckpointExporter(herald_runtime).export()
    ok = admin.post(f"tenants/{t.id}/audit-events/verify").get_json()
    assert ok["ok"] is True and ok["checkpoints"] == 1 and ok["checkpoint_problems"] == []
    last = _lines(exported)[-1]["seq"]
    with triggers_off(herald_runtime) as conn:  # cut the tail back by three and move the head to match
        head = conn.execute(text("SELECT hash FROM audit_events WHERE chain = :c AND chain_seq = :s"),
                            {"c": t.id, "s": last - 3}).scalar()
        conn.execute(text("DELETE FROM audit_events WHERE chain = :c AND chain_seq > :s"), {"c": t.id, "s": last - 3})
        conn.execute(text("UPDATE audit_chains SET last_seq = :s, last_hash = :h WHERE chain = :c"),
                     {"s": last - 3, "h": head, "c": t.id})
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=None)
    assert admin.post(f"tenants/{t.id}/audit-events/verify").get_json()["ok"] is True  # the database alone
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=exported)
    caught = admin.post(f"tenants/{t.id}/audit-events/verify").get_json()
    assert caught["ok"] is False
    assert any(f"events #{last - 2}–#{last} were removed" in p for p in caught["problems"]), caught
    assert str(tmp_path) not in json.dumps(caught)  # the operator's path is not shown to a tenant


def test_a_forged_line_in_the_checkpoint_file_fails_verification(herald_runtime, acme, tmp_path, monkeypatch):
    t, admin = acme
    exported = tmp_path / "cp.jsonl"
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=exported)
    CheckpointExporter(herald_runtime).export()
    forged = {**_lines(exported)[-1], "seq": 1}
    with exported.open("a") as fh:
        fh.write(json.dumps(forged) + "\n")
    body = admin.post(f"tenants/{t.id}/audit-events/verify").get_json()
    assert body["ok"] is False and any("signature does not hold" in p for p in body["checkpoint_problems"])


def test_another_tenants_checkpoints_are_not_counted(herald_runtime, acme, seed, tmp_path, monkeypatch):
    t, admin = acme
    other = seed.tenant("other")
    _record(herald_runtime, other.id, 3)
    exported = tmp_path / "cp.jsonl"
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=exported)
    CheckpointExporter(herald_runtime).export()
    assert admin.post(f"tenants/{t.id}/audit-events/verify").get_json()["checkpoints"] == 1


class _SyslogListener:
    """A UDP syslog server on loopback that keeps every datagram."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]

    def receive(self, n: int) -> list[bytes]:
        return [self.sock.recv(65536) for _ in range(n)]


def test_checkpoints_reach_syslog_as_auth_notice_messages_that_verify(herald_runtime, acme, tmp_path, monkeypatch):
    t, _ = acme
    listener = _SyslogListener()
    _configure(herald_runtime, monkeypatch, audit_checkpoint_syslog=f"udp://127.0.0.1:{listener.port}")
    sent = CheckpointExporter(herald_runtime).export()
    messages = listener.receive(sent)
    # facility auth (4) × 8 + severity notice (5) = <37>
    assert all(m.startswith(b"<37>herald-audit: checkpoint {") for m in messages), messages
    saved = tmp_path / "syslog.log"  # as a syslog daemon would store them: a header, then the message
    saved.write_text("".join(f"Dec  7 12:00:00 host {m[4:].decode()}\n" for m in messages))
    lines = checkpoints.read(saved)
    assert lines and all(cp is not None for _, cp in lines)
    with herald_runtime.db.transaction() as s:
        from herald.audit.keys import verifying_keys
        from herald.audit.verify import verify_chain

        reports = {t.id: verify_chain(s, t.id)}
        problems = checkpoints.check(s, reports, [(n, cp) for n, cp in lines if cp["chain"] == t.id],
                                     verifying_keys(), "syslog")
    assert problems == [] and reports[t.id].ok


def test_the_exporter_thread_starts_only_when_configured(herald_runtime, acme, tmp_path, monkeypatch):
    assert start_checkpoint_exporter(herald_runtime) is None
    exported = tmp_path / "cp.jsonl"
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=exported, audit_checkpoint_minutes=60)
    stop = start_checkpoint_exporter(herald_runtime)
    assert isinstance(stop, threading.Event)
    try:
        for _ in range(100):
            if exported.exists() and exported.read_text():
                break
            threading.Event().wait(0.05)
        assert exported.read_text()  # the first export runs at start
    finally:
        stop.set()


@pytest.mark.parametrize("name, value, message", [
    ("HERALD_AUDIT_CHECKPOINT_SYSLOG", "syslog.example:514", "neither a socket path"),
    ("HERALD_AUDIT_CHECKPOINT_SYSLOG", "udp://host:99999", "neither a socket path"),
    ("HERALD_AUDIT_CHECKPOINT_MINUTES", "0", "from 1 to 1440"),
    ("HERALD_AUDIT_CHECKPOINT_MINUTES", "ten", "from 1 to 1440"),
])
def test_bad_checkpoint_settings_stop_start_up_with_one_clear_line(name, value, message, tmp_path):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"HERALD_INSTANCE_PATH": str(tmp_path), name: value})


def test_checkpoint_settings_are_read(tmp_path):
    s = Settings.from_env({"HERALD_INSTANCE_PATH": str(tmp_path), "HERALD_AUDIT_CHECKPOINT_FILE": "cp.jsonl",
                           "HERALD_AUDIT_CHECKPOINT_SYSLOG": "tcp://[::1]:601",
                           "HERALD_AUDIT_CHECKPOINT_MINUTES": "15"})
    assert s.audit_checkpoint_file is not None and s.audit_checkpoint_file.is_absolute()
    assert (s.audit_checkpoint_syslog, s.audit_checkpoint_minutes) == ("tcp://[::1]:601", 15)


def test_the_consoles_verify_checks_against_the_checkpoint_file(app, seed, api, register_plugin, herald_runtime,
                                                                tmp_path, monkeypatch):
    from console_world import build_console_world, sign_in

    world = build_console_world(seed, api, register_plugin)
    exported = tmp_path / "cp.jsonl"
    _configure(herald_runtime, monkeypatch, audit_checkpoint_file=exported)
    CheckpointExporter(herald_runtime).export()
    admin, csrf = sign_in(app, world, "admin")
    html = admin.post("/console/admin/audit", data={"csrf_token": csrf}).get_data(as_text=True)
    assert "The chain is intact" in html and "Checked against 1 exported checkpoints" in html
    last = _lines(exported)[-1]["seq"]
    with triggers_off(herald_runtime) as conn:
        head = conn.execute(text("SELECT hash FROM audit_events WHERE chain = :c AND chain_seq = :s"),
                            {"c": world.tid, "s": last - 1}).scalar()
        conn.execute(text("DELETE FROM audit_events WHERE chain = :c AND chain_seq > :s"),
                     {"c": world.tid, "s": last - 1})
        conn.execute(text("UPDATE audit_chains SET last_seq = :s, last_hash = :h WHERE chain = :c"),
                     {"s": last - 1, "h": head, "c": world.tid})
    html = admin.post("/console/admin/audit", data={"csrf_token": csrf}).get_data(as_text=True)
    assert "The chain is broken" in html and "were removed" in html
