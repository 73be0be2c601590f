"""The CRM outbox with any sink: records pushed through a sink's ``push`` when it takes no
batches, batches cut to the sink's size, a sink's own failure or a CRM's refusal of a whole
request handled without losing a record, the quota pause, and a sink the tenant has not enabled."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from herald.crm.models import CrmConnection, CrmOutboxRecord
from herald.hookspecs import hookimpl
from herald.inbox import crm_push
from herald.inbox.models import Conversation, InboxAuthor, TimelineEntry
from herald.inbox.routing.engine import queue_crm_push
from herald.networks.errors import PermanentError
from herald.plugins import CrmRecord, CrmSink
from herald.tenancy.models import SocialAccount

SENT: list[list[str]] = []


class OneByOneSink(CrmSink):
    """A sink written against the original contract: ``push`` only."""

    key = "memory_crm"

    def push(self, record: CrmRecord) -> str:
        if record.fields["author"] and record.fields["author"]["name"] == "refuse me":
            raise PermanentError("Name refused by the CRM", code="BAD_NAME")
        SENT.append([record.idempotency_key])
        return f"crm-{record.idempotency_key}"


class BatchSink(CrmSink):
    key = "batch_crm"
    batch_size = 2
    mode = "ok"

    def push_batch(self, records: list[CrmRecord]) -> list[Any]:
        if BatchSink.mode == "crash":
            raise KeyError("bug in the sink")
        if BatchSink.mode == "refuse_all":
            raise PermanentError("INVALID_FIELD: No such column", code="INVALID_FIELD")
        SENT.append([r.idempotency_key for r in records])
        return [self.Result(ok=True, crm_id=f"b-{r.idempotency_key}") for r in records]

    def next_batch_delay(self) -> float:
        return 120.0 if BatchSink.mode == "slow" else 0.0


class Plugin:
    HERALD_HOOK_API = "1.0"

    @hookimpl
    def herald_crm_sinks(self):  # type: ignore[no-untyped-def]
        return [OneByOneSink, BatchSink]


@pytest.fixture
def tenant(seed, register_plugin, api, herald_runtime):  # type: ignore[no-untyped-def]
    SENT.clear()
    BatchSink.mode = "ok"
    register_plugin(Plugin(), "memory_crm_plugin")
    t = seed.tenant("acme")
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    assert api(token).patch(f"tenants/{t.id}/plugins/memory_crm_plugin", {"enabled": True}).status_code == 200
    with herald_runtime.db.transaction() as s:
        account = SocialAccount(tenant_id=t.id, org_unit_id=t.units["root"].id, network="x", handle="hq")
        s.add(account)
        s.flush()
        t.account_id = account.id
    return t


def _conversation(rt: Any, tenant: Any, n: int, name: str = "Ana") -> str:
    with rt.db.transaction() as s:
        author = InboxAuthor(tenant_id=tenant.id, network="x", remote_id=f"a{n}", handle=f"a{n}", display_name=name)
        s.add(author)
        s.flush()
        conv = Conversation(tenant_id=tenant.id, account_id=tenant.account_id, network="x", kind="mention",
                            thread_key=f"item:{n}", author_id=author.id)
        s.add(conv)
        s.flush()
        return conv.id


def _route(rt: Any, conv_id: str | list[str], sink: str) -> None:
    """Decide the pushes in one routing transaction (their drains are queued when it commits)."""
    with rt.db.transaction() as s:
        for one in [conv_id] if isinstance(conv_id, str) else conv_id:
            queue_crm_push(s, s.get(Conversation, one), sink, "lead", "rule_1")


def _states(rt: Any) -> list[str]:
    with rt.db.transaction() as s:
        return [r.state for r in s.scalars(select(CrmOutboxRecord).order_by(CrmOutboxRecord.created_at))]


def test_crm_outbox_sends_through_push_for_a_sink_that_takes_no_batches(tenant, herald_runtime, run_jobs):
    ok, refused = _conversation(herald_runtime, tenant, 1), _conversation(herald_runtime, tenant, 2, "refuse me")
    _route(herald_runtime, ok, "memory_crm")
    _route(herald_runtime, refused, "memory_crm")
    run_jobs()
    assert _states(herald_runtime) == ["sent", "failed"]
    with herald_runtime.db.transaction() as s:
        failed = s.scalars(select(CrmOutboxRecord).where(CrmOutboxRecord.state == "failed")).one()
        assert (failed.last_error, failed.error_code) == ("Name refused by the CRM", "BAD_NAME")
    assert len(SENT) == 1


def test_crm_outbox_cuts_batches_to_the_sinks_size(tenant, herald_runtime, run_jobs):
    _route(herald_runtime, [_conversation(herald_runtime, tenant, n) for n in range(5)], "batch_crm")
    run_jobs()
    assert [len(batch) for batch in SENT] == [2, 2, 1]
    assert _states(herald_runtime) == ["sent"] * 5


def test_crm_outbox_keeps_records_when_the_sink_itself_fails(tenant, herald_runtime, run_jobs):
    BatchSink.mode = "crash"
    _route(herald_runtime, _conversation(herald_runtime, tenant, 1), "batch_crm")
    run_jobs()
    with herald_runtime.db.transaction() as s:
        row = s.scalars(select(CrmOutboxRecord)).one()
        assert row.state == "pending" and row.last_error == "The CRM sink failed: KeyError."


def test_crm_outbox_fails_every_record_a_whole_request_refusal_concerns(tenant, herald_runtime, run_jobs):
    BatchSink.mode = "refuse_all"
    _route(herald_runtime, [_conversation(herald_runtime, tenant, n) for n in range(2)], "batch_crm")
    run_jobs()
    assert _states(herald_runtime) == ["failed", "failed"]


def test_crm_outbox_pauses_a_sink_that_asks_to_slow_down(tenant, herald_runtime, run_jobs):
    BatchSink.mode = "slow"
    _route(herald_runtime, [_conversation(herald_runtime, tenant, n) for n in range(3)], "batch_crm")
    run_jobs()
    assert _states(herald_runtime) == ["sent", "sent", "pending"]
    with herald_runtime.db.transaction() as s:
        assert s.get(CrmConnection, (tenant.id, "batch_crm")).paused_until is not None


def test_crm_push_to_a_sink_the_tenant_has_not_enabled_is_noted_and_queues_nothing(tenant, herald_runtime):
    conv = _conversation(herald_runtime, tenant, 1)
    _route(herald_runtime, conv, "no_such_crm")
    assert _states(herald_runtime) == []
    with herald_runtime.db.transaction() as s:
        [entry] = s.scalars(select(TimelineEntry).where(TimelineEntry.conversation_id == conv)).all()
        assert entry.data["ok"] is False and "not enabled" in entry.data["error"]


def test_crm_push_job_queued_before_the_outbox_still_delivers_once(tenant, herald_runtime):
    conv = _conversation(herald_runtime, tenant, 1)
    first = crm_push.push(tenant.id, conv, "memory_crm", "lead", "rule_1")
    again = crm_push.push(tenant.id, conv, "memory_crm", "lead", "rule_1")
    assert first == again and _states(herald_runtime) == ["sent"] and len(SENT) == 1
