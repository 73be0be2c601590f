"""Salesforce as a tenant uses it through Herald's inbox: a routing decision stored in the CRM
outbox in its own transaction, drained to the fake Salesforce, nothing lost and nothing doubled
while Salesforce is down for a while, refusals kept in the sync log for admins to retry, a
refused grant flagging the connection and telling the admins, and the case's status and owner
read back for the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from salesforce_fake_server import CONSUMER_KEY, USERNAME
from sqlalchemy import select

from herald.clock import set_clock, utcnow
from herald.crm import drain, sweeper
from herald.crm.models import CrmConnection, CrmOutboxRecord
from herald.inbox.models import Conversation, InboxAuthor, InboxItem, TimelineEntry
from herald.inbox.routing.engine import queue_crm_push
from herald.notifications.models import InAppNotification
from herald.tenancy.models import SocialAccount

SINK = "crm_salesforce"


@dataclass
class World:
    rt: Any
    tenant: Any
    admin: Any
    agent: Any
    account_id: str
    fake: Any
    admin_id: str

    def url(self, path: str) -> str:
        return f"tenants/{self.tenant.id}/{path}"

    def conversation(self, n: int, *, name: str = "Ana Ruiz", handle: str | None = None) -> str:
        with self.rt.db.transaction() as s:
            author = InboxAuthor(tenant_id=self.tenant.id, network="x", remote_id=f"fan{n}",
                                 handle=handle if handle is not None else f"fan{n}", display_name=name)
            s.add(author)
            s.flush()
            conv = Conversation(tenant_id=self.tenant.id, account_id=self.account_id, network="x", kind="mention",
                                thread_key=f"item:{n}", author_id=author.id, priority="high")
            s.add(conv)
            s.flush()
            s.add(InboxItem(tenant_id=self.tenant.id, conversation_id=conv.id, account_id=self.account_id,
                            network="x", remote_id=f"m{n}", kind="mention", author_id=author.id,
                            text=f"Order {n} never arrived"))
            return conv.id

    def route(self, conv_id: str, record: str = "case", rule_id: str = "rule_1") -> None:
        """What the routing engine does for a ``crm`` action, in a routing transaction."""
        with self.rt.db.transaction() as s:
            queue_crm_push(s, s.get(Conversation, conv_id), SINK, record, rule_id)

    def rows(self) -> list[CrmOutboxRecord]:
        with self.rt.db.transaction() as s:
            rows = list(s.scalars(select(CrmOutboxRecord).order_by(CrmOutboxRecord.created_at)))
            s.expunge_all()
            return rows


@pytest.fixture
def world(seed, api, herald_runtime, salesforce, private_key_pem):  # type: ignore[no-untyped-def]
    tenant = seed.tenant("acme")
    admin_user, token = seed.user(tenant, "admin@acme.test", [("tenant_admin", "root")])
    _, agent_token = seed.user(tenant, "agent@acme.test", [("agent", "root")])
    admin = api(token)
    r = admin.patch(f"tenants/{tenant.id}/plugins/{SINK}", {"enabled": True, "settings": {
        "login_url": salesforce.url, "client_id": CONSUMER_KEY, "username": USERNAME,
        "private_key_pem": private_key_pem, "timeout_seconds": 5}})
    assert r.status_code == 200, r.get_json()
    assert private_key_pem not in r.get_data(as_text=True) and "private_key_pem" in r.get_json()["secrets_set"]
    with herald_runtime.db.transaction() as s:
        account = SocialAccount(tenant_id=tenant.id, org_unit_id=tenant.units["root"].id, network="x",
                                handle="heraldhq")
        s.add(account)
        s.flush()
        account_id = account.id
    yield World(herald_runtime, tenant, admin, api(agent_token), account_id, salesforce.fake, admin_user.id)
    set_clock(None)


def _later(minutes: float) -> None:
    moment = utcnow() + timedelta(minutes=minutes)
    set_clock(lambda: moment)


def test_a_routing_decision_is_stored_in_the_outbox_with_it_and_pushed_once(world, run_jobs):
    conv = world.conversation(1)
    world.route(conv)
    world.route(conv)  # decided again (a re-run of the rules): still one record
    [row] = world.rows()
    assert (row.state, row.kind, row.conversation_id) == ("pending", "case", conv)
    assert run_jobs() == 0
    [row] = world.rows()
    assert row.state == "sent" and row.crm_id == world.fake.of("Case")[0]["Id"]
    assert len(world.fake.of("Case")) == 1 and len(world.fake.of("Contact")) == 1
    with world.rt.db.transaction() as s:
        entries = s.scalars(select(TimelineEntry).where(TimelineEntry.conversation_id == conv,
                                                        TimelineEntry.kind == "crm")).all()
        assert [(e.data["ok"], e.data["crm_id"]) for e in entries] == [(True, row.crm_id)]


def test_a_routing_transaction_that_rolls_back_pushes_nothing(world, run_jobs):
    conv = world.conversation(1)
    with pytest.raises(RuntimeError), world.rt.db.transaction() as s:
        queue_crm_push(s, s.get(Conversation, conv), SINK, "case", "rule_1")
        raise RuntimeError("routing failed")
    assert world.rows() == []
    run_jobs()
    assert world.fake.of("Case") == []


def test_salesforce_down_for_a_while_and_back_delivers_every_record_exactly_once(world, run_jobs):
    world.fake.down = 10_000
    convs = [world.conversation(n) for n in range(5)]
    for conv in convs:
        world.route(conv)
    run_jobs()
    rows = world.rows()
    assert {r.state for r in rows} == {"pending"} and all(r.attempts >= 1 for r in rows)
    assert "503" in rows[0].last_error and rows[0].next_attempt_at > utcnow()
    # still down at the next try; the answer of a write that went through is lost once it is back
    _later(1)
    sweeper.tick()
    run_jobs()
    assert {r.state for r in world.rows()} == {"pending"}
    world.fake.down = 0
    world.fake.lose_answers = 1
    _later(10)
    sweeper.tick()
    run_jobs()
    _later(30)
    sweeper.tick()
    run_jobs()
    assert {r.state for r in world.rows()} == {"sent"}
    cases = world.fake.of("Case")
    assert sorted(c["Herald_Record_Id__c"] for c in cases) == sorted(r.idempotency_key for r in world.rows())
    assert len(cases) == 5 and len(world.fake.of("Contact")) == 5


def test_request_limit_exceeded_keeps_records_queued_and_pauses_the_sink(world, run_jobs):
    world.fake.api_used = world.fake.api_limit
    world.route(world.conversation(1))
    run_jobs()
    [row] = world.rows()
    assert row.state == "pending" and row.error_code == "REQUEST_LIMIT_EXCEEDED"
    with world.rt.db.transaction() as s:
        assert s.get(CrmConnection, (world.tenant.id, SINK)).paused_until > utcnow()
    assert sweeper.tick()["drains"] == 0  # paused: the sweep leaves it alone
    world.fake.api_used = 0
    _later(60)
    sweeper.tick()
    run_jobs()
    assert world.rows()[0].state == "sent"


def test_a_refused_record_is_kept_with_salesforces_message_and_an_admin_retries_it(world, run_jobs):
    good, nameless = world.conversation(1), world.conversation(2, name="", handle="")
    world.route(good)
    world.route(nameless)
    run_jobs()
    r = world.admin.get(world.url("crm/records?state=failed"))
    assert r.status_code == 200, r.get_json()
    [failed] = r.get_json()["items"]
    assert failed["conversation_id"] == nameless and failed["error_code"] == "REQUIRED_FIELD_MISSING"
    assert "Required fields are missing: [LastName]" in failed["last_error"]
    assert {i["state"] for i in world.admin.get(world.url("crm/records")).get_json()["items"]} == {"sent", "failed"}
    assert world.agent.get(world.url("crm/records")).status_code == 403
    # the admin fixes the cause (a fixed last name for nameless authors) and retries
    r = world.admin.patch(world.url(f"plugins/{SINK}"), {"settings": {
        "login_url": world.fake.login_url, "client_id": CONSUMER_KEY, "username": USERNAME, "timeout_seconds": 5,
        "contact_fields": {"LastName": "=Social fan"}}})
    assert r.status_code == 200, r.get_json()
    r = world.admin.post(world.url(f"crm/records/{failed['id']}/retry"))
    assert r.status_code == 200 and r.get_json()["state"] == "pending"
    run_jobs()
    assert {r.state for r in world.rows()} == {"sent"}
    assert world.admin.post(world.url(f"crm/records/{failed['id']}/retry")).status_code == 409


def test_a_refused_grant_flags_the_connection_and_tells_the_admins_once(world, run_jobs):
    world.fake.revoked = True
    world.route(world.conversation(1))
    world.route(world.conversation(2))
    run_jobs()
    [conn] = world.admin.get(world.url("crm/connections")).get_json()["items"]
    assert conn["state"] == "reconnect_needed" and conn["reason"] == "user hasn't approved this consumer"
    with world.rt.db.transaction() as s:
        kinds = [n.kind for n in s.scalars(select(InAppNotification).where(
            InAppNotification.recipient_id == world.admin_id))]
    assert kinds.count("crm_salesforce.reconnect_needed") == 1
    assert {r.state for r in world.rows()} == {"pending"}
    world.fake.revoked = False
    r = world.admin.post(world.url(f"crm/connections/{SINK}/reconnect"))
    assert r.status_code == 200 and r.get_json()["state"] == "ok"
    run_jobs()
    assert {r.state for r in world.rows()} == {"sent"} and len(world.fake.of("Case")) == 2


def test_the_conversation_shows_its_case_number_status_and_owner(world, run_jobs):
    conv = world.conversation(1)
    world.route(conv)
    run_jobs()
    case_id = world.rows()[0].crm_id
    world.fake.set_case(case_id, status="Escalated", owner="Priya")
    assert drain.read_back(world.tenant.id, SINK) == 1
    r = world.agent.get(world.url(f"inbox/conversations/{conv}/crm"))
    assert r.status_code == 200, r.get_json()
    [record] = r.get_json()["items"]
    number = world.fake.records["Case"][case_id]["CaseNumber"]
    assert record["label"] == f"Case {number} — Escalated — owner Priya"
    assert (record["case_status"], record["case_owner"]) == ("Escalated", "Priya")


def test_the_sweep_reads_cases_back_on_a_schedule(world, run_jobs):
    world.route(world.conversation(1))
    run_jobs()
    assert sweeper.tick()["read_backs"] == 1
    run_jobs()
    assert sweeper.tick()["read_backs"] == 0  # read a moment ago
    _later(16)
    assert sweeper.tick()["read_backs"] == 1
