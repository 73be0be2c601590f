"""Tenants never see each other's data: tenant B's administrator can neither read nor change
anything of tenant A through any endpoint."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from herald.api.endpoint import ENDPOINTS
from herald.audit.models import AuditEvent
from herald.clock import utcnow
from herald.library.models import Asset
from herald.plugins import Capabilities, NetworkConnector, hookimpl


class _Net(NetworkConnector):
    key = "testnet"
    display_name = "Test network"
    capabilities = Capabilities(max_text_length=100)


class _NetPlugin:
    HERALD_HOOK_API = "1.0"

    @staticmethod
    @hookimpl
    def herald_network_connectors():  # type: ignore[no-untyped-def]
        return [_Net]


@pytest.fixture
def world(seed, api, register_plugin, herald_runtime):  # type: ignore[no-untyped-def]
    register_plugin(_NetPlugin(), "testnet")
    a = seed.tenant("alpha", {"brand": None})
    b = seed.tenant("beta", {"brand": None})
    admin_a_user, ta = seed.user(a, "admin@alpha.test", [("tenant_admin", "root")])
    _, tb = seed.user(b, "admin@beta.test", [("tenant_admin", "root")])
    admin_a, admin_b = api(ta), api(tb)
    admin_a.patch(f"tenants/{a.id}/plugins/testnet", {"enabled": True})
    acct = admin_a.post(f"tenants/{a.id}/social-accounts",
                        {"org_unit_id": a.units["brand"].id, "network": "testnet", "handle": "alpha"}).get_json()
    admin_a.post(f"tenants/{a.id}/roles", {"key": "auditor", "name": "Auditor", "permissions": ["audit.view"]})
    grant = admin_a.get(f"tenants/{a.id}/grants").get_json()["items"][0]
    tokens = admin_a.get("me/tokens").get_json()["items"]
    ids = {"tenant_id": a.id, "unit_id": a.units["brand"].id, "account_id": acct["id"],
           "user_id": admin_a_user.id, "grant_id": grant["id"], "role_key": "auditor", "name": "webhooks",
           "token_id": tokens[0]["id"], "number": "1"}
    post = admin_a.post(f"tenants/{a.id}/posts", {"org_unit_id": a.units["brand"].id, "content": {
        "targets": [acct["id"]], "variants": [{"text": "hello"}]}})
    assert post.status_code == 201, post.get_json()
    ids["post_id"] = post.get_json()["id"]
    ids["key"] = "legal"
    admin_a.request("PUT", f"tenants/{a.id}/org-units/{a.units['brand'].id}/workflows/legal",
                    json={"name": "Legal", "steps": [{"name": "s", "kind": "human_review",
                                                      "deciders": {"role": "legal_reviewer"}}]})
    rule = admin_a.post(f"tenants/{a.id}/workflow-rules", {
        "org_unit_id": a.units["brand"].id, "name": "Paid", "conditions": {"paid_promotion": True},
        "workflow_key": "legal"})
    assert rule.status_code == 201, rule.get_json()
    ids["rule_id"] = rule.get_json()["id"]
    review = admin_a.post(f"tenants/{a.id}/posts/{ids['post_id']}/external-reviews",
                          {"name": "Client", "email": "client@alpha.test"})
    assert review.status_code == 201, review.get_json()
    ids["review_id"] = review.get_json()["id"]
    asset = admin_a.post(f"tenants/{a.id}/assets", {"org_unit_id": a.units["brand"].id, "kind": "snippet",
                                                    "name": "Disclaimer", "text": "Terms apply."})
    assert asset.status_code == 201, asset.get_json()
    ids["asset_id"] = asset.get_json()["id"]
    from herald.publishing.models import Publication

    with herald_runtime.db.transaction() as s:
        pub = Publication(tenant_id=a.id, post_id=ids["post_id"], account_id=acct["id"], network="testnet",
                          variant_key="*/-", state="failed", scheduled_at=utcnow(), local_time="2026-01-01T00:00",
                          time_zone="UTC")
        s.add(pub)
        s.flush()
        ids["publication_id"] = pub.id
    ids.update(_inbox_of(herald_runtime, admin_a, a, acct["id"], admin_a_user.id))
    return a, b, admin_a, admin_b, ids


def _inbox_of(rt, admin_a, a, account_id: str, user_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Tenant A's inbox: a conversation with an item and a reply, a CRM record refused for it, a
    team, an SLA policy, a routing rule, a saved reply and a saved view."""
    from herald.crm.models import CrmOutboxRecord
    from herald.inbox.ingest import ingest
    from herald.inbox.models import Conversation, InboxItem, InboxReply
    from herald.networks.connector import AuthorProfile, Mention
    from herald.tenancy.models import SocialAccount

    with rt.db.transaction() as s:
        account = s.get(SocialAccount, account_id)
        ingest(s, account, [Mention(remote_id="m1", text="where is my order", author_id="cust", author_handle="cust",
                                    created_at=utcnow(), author=AuthorProfile("cust", "cust", "Customer"))],
               source="poll")
        item = s.scalars(select(InboxItem).where(InboxItem.tenant_id == a.id)).one()
        conv = s.get(Conversation, item.conversation_id)
        reply = InboxReply(tenant_id=a.id, conversation_id=conv.id, account_id=account_id, kind="mention",
                           text="on its way", state="failed", author_user_id=user_id)
        s.add(reply)
        record = CrmOutboxRecord(tenant_id=a.id, sink="crm_test", kind="case", idempotency_key="k1",
                                 conversation_id=conv.id, fields={}, state="failed", attempts=1,
                                 next_attempt_at=utcnow(), last_error="REQUIRED_FIELD_MISSING")
        s.add(record)
        s.flush()
        found = {"conversation_id": conv.id, "author_id": conv.author_id, "reply_id": reply.id,
                 "record_id": record.id, "sink": "crm_test"}
    for key, path, body in (("team_id", "teams", {"name": "Care"}),
                            ("policy_id", "sla-policies", {"name": "Std", "first_response_s": 3600}),
                            ("routing_rule_id", "routing-rules", {"name": "Orders", "definition": ROUTING}),
                            ("saved_reply_id", "saved-replies", {"name": "Thanks", "text": "Thank you"}),
                            ("view_id", "views", {"name": "Mine"})):
        r = admin_a.post(f"tenants/{a.id}/inbox/{path}", body)
        assert r.status_code == 201, (path, r.get_json())
        found[key] = r.get_json()["id"]
    r = admin_a.post(f"tenants/{a.id}/listening/queries", {"org_unit_id": a.root.id, "name": "Brand", "text": "coffee"})
    assert r.status_code == 201, r.get_json()
    found["query_id"] = r.get_json()["id"]
    return found


ROUTING = {"match": "all", "conditions": [{"field": "text", "op": "contains_any", "value": ["order"]}],
           "actions": [{"type": "add_tags", "tags": ["orders"]}]}


BODIES = {
    "POST": {"name": "x", "parent_id": "unit_x", "org_unit_id": "unit_x", "network": "testnet", "handle": "h",
             "user_id": "usr_x", "role_key": "viewer", "email": "e@x.test", "display_name": "E", "key": "kk",
             "permissions": ["audit.view"], "slug": "gamma", "base_version": 1, "body": "hi",
             "content": {"targets": ["acct_x"], "variants": [{"text": "hi"}]}, "decision": "approve",
             "conditions": {"tags_any": ["x"]}, "workflow_key": "legal", "note": "n", "at": "2030-01-02T09:00:00Z",
             "post_ids": ["post_x"], "text": "hi", "definition": ROUTING, "sample": {"text": "order"},
             "action": "status", "status": "resolved", "conversation_ids": ["conv_x"],
             "first_response_s": 3600},
    "PATCH": {"name": "changed"},
    "PUT": {"base_version": 1, "content": {"targets": ["acct_x"], "variants": [{"text": "hi"}]}, "name": "w",
            "steps": [{"name": "s", "kind": "human_review", "deciders": {"role": "editor"}}],
            "org_unit_id": "unit_x", "conditions": {"tags_any": ["x"]}, "workflow_key": "legal",
            "at": "2030-01-02T09:00:00Z", "slots": [{"weekday": 0, "time": "09:00"}], "away": True,
            "rule_ids": ["rrule_x"], "tags": ["vip"]},
}

#: bodies for endpoints whose fields clash with the shared ones above
BODY_FOR = {("POST", "/api/v1/tenants/<tenant_id>/assets"): {
    "org_unit_id": "unit_x", "kind": "snippet", "name": "x", "text": "hi"}}

#: path parameters that mean another object under one part of the API
IDS_UNDER = {"/inbox/routing-rules/": {"rule_id": "routing_rule_id"}}


def _valid_query_value(field) -> str:  # type: ignore[no-untyped-def]
    from marshmallow import fields

    return "2030-01-01T00:00:00Z" if isinstance(field, fields.DateTime) else "1"


def _fingerprint(rt, tenant_id: str) -> tuple:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from herald.crm.models import CrmOutboxRecord
    from herald.inbox import models as inbox
    from herald.listening.models import ListeningQuery
    from herald.models import CustomRole, Grant, OrgUnit, SocialAccount, Tenant, TenantPlugin, User

    with rt.db.transaction() as s:
        counts = tuple(s.scalar(select(func.count()).select_from(m).where(m.tenant_id == tenant_id))
                       for m in (OrgUnit, SocialAccount, User, Grant, CustomRole, TenantPlugin, Asset,
                                 inbox.Conversation, inbox.InboxItem, inbox.InboxReply, inbox.Team, inbox.SlaPolicy,
                                 inbox.RoutingRule, inbox.SavedReply, inbox.SavedView, inbox.AuthorNote,
                                 inbox.TimelineEntry, CrmOutboxRecord, ListeningQuery))
        convs = tuple(s.execute(select(inbox.Conversation.status, inbox.Conversation.priority,
                                       inbox.Conversation.tags, inbox.Conversation.assignee_id)
                                .where(inbox.Conversation.tenant_id == tenant_id)))
        names = tuple(sorted(s.scalars(select(OrgUnit.name).where(OrgUnit.tenant_id == tenant_id))))
        tenant = s.get(Tenant, tenant_id)
        assets = tuple(s.execute(select(Asset.name, Asset.status, Asset.text).where(Asset.tenant_id == tenant_id)))
        events = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.chain == tenant_id))
        crm = tuple(s.execute(select(CrmOutboxRecord.state, CrmOutboxRecord.attempts)
                              .where(CrmOutboxRecord.tenant_id == tenant_id)))
        queries = tuple(s.execute(select(ListeningQuery.name, ListeningQuery.text, ListeningQuery.enabled)
                                  .where(ListeningQuery.tenant_id == tenant_id)))
        return counts, names, (tenant.name, tenant.status, tenant.slug), assets, events, convs, crm, queries


def test_tenant_b_admin_cannot_read_or_change_anything_of_tenant_a(world, herald_runtime):
    a, _b, _, admin_b, ids = world
    before = _fingerprint(herald_runtime, a.id)
    covered = set()
    for ep in ENDPOINTS:
        if ep.public or "<tenant_id>" not in ep.rule:
            continue
        alias = next((names for part, names in IDS_UNDER.items() if part in ep.rule), {})
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>",
                      lambda m, alias=alias: ids[alias.get(m.group(1), m.group(1))], ep.rule)
        body = None
        if ep.body is not None:  # a valid body, so that only tenancy can refuse the call
            body = BODY_FOR.get((ep.method, ep.rule)) or {
                k: v for k, v in BODIES[ep.method].items() if k in ep.body().fields}
        query = {}
        if ep.query is not None:  # required query parameters, valid
            query = {f.data_key or n: _valid_query_value(f) for n, f in ep.query().fields.items() if f.required}
        resp = admin_b.request(ep.method, path, json=body, query_string=query)
        assert resp.status_code in (403, 404), (ep.method, ep.rule, resp.status_code, resp.get_json())
        assert a.id not in resp.get_data(as_text=True) or resp.status_code == 404
        covered.add((ep.method, ep.rule))
    expected = {(e.method, e.rule) for e in ENDPOINTS if not e.public and "<tenant_id>" in e.rule}
    assert covered == expected and len(covered) >= 20
    assert _fingerprint(herald_runtime, a.id) == before


def test_tenant_b_cannot_reach_tenant_a_objects_through_its_own_tenant_path(world, herald_runtime):
    a, b, _, admin_b, ids = world
    before = _fingerprint(herald_runtime, a.id)
    for path in (f"tenants/{b.id}/org-units/{ids['unit_id']}", f"tenants/{b.id}/social-accounts/{ids['account_id']}",
                 f"tenants/{b.id}/users/{ids['user_id']}"):
        assert admin_b.get(path).status_code == 404
        assert admin_b.patch(path, {"name": "x"} if "org-units" in path else {"display_name": "x"}).status_code == 404
    assert admin_b.delete(f"tenants/{b.id}/grants/{ids['grant_id']}").status_code == 404
    assert admin_b.delete(f"me/tokens/{ids['token_id']}").status_code == 404
    r = admin_b.post(f"tenants/{b.id}/org-units", {"parent_id": ids["unit_id"], "name": "sneaky"})
    assert r.status_code == 404
    r = admin_b.post(f"tenants/{b.id}/grants", {"user_id": ids["user_id"], "role_key": "viewer",
                                                 "org_unit_id": b.root.id})
    assert r.status_code == 404
    r = admin_b.post(f"tenants/{b.id}/org-units/{b.units['brand'].id}/move", {"parent_id": ids["unit_id"]})
    assert r.status_code == 404
    assert admin_b.get(f"tenants/{b.id}/assets/{ids['asset_id']}").status_code == 404
    inbox_b = f"tenants/{b.id}/inbox"
    for path in (f"conversations/{ids['conversation_id']}", f"conversations/{ids['conversation_id']}/timeline",
                 f"teams/{ids['team_id']}", f"authors/{ids['author_id']}",
                 f"conversations/{ids['conversation_id']}/replies"):
        assert admin_b.get(f"{inbox_b}/{path}").status_code == 404, path
    assert admin_b.patch(f"{inbox_b}/conversations/{ids['conversation_id']}", {"status": "resolved"}).status_code == 404
    r = admin_b.post(f"{inbox_b}/conversations/bulk", {"action": "status", "status": "resolved",
                                                       "conversation_ids": [ids["conversation_id"]]})
    assert r.status_code == 404
    assert admin_b.post(f"{inbox_b}/conversations/{ids['conversation_id']}/replies",
                        {"text": "hijack"}).status_code == 404
    assert admin_b.post(f"{inbox_b}/social-accounts/{ids['account_id']}/poll", {}).status_code == 404
    assert admin_b.request("PUT", f"{inbox_b}/routing-rules/order",
                           json={"rule_ids": [ids["routing_rule_id"]]}).status_code == 422
    for tenant_id in (a.id, b.id):  # a file upload into tenant A's unit, through either path
        r = admin_b.request("POST", f"tenants/{tenant_id}/assets", content_type="multipart/form-data", data={
            "org_unit_id": ids["unit_id"], "kind": "image", "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n"), "a.png")})
        assert r.status_code == 404, r.get_json()
    assert _fingerprint(herald_runtime, a.id) == before


def test_listings_show_only_the_callers_tenant(world):
    a, b, _admin_a, admin_b, _ = world
    assert [t["id"] for t in admin_b.get("tenants").get_json()["items"]] == [b.id]
    for path in ("org-units", "social-accounts", "users", "grants", "audit-events"):
        body = admin_b.get(f"tenants/{b.id}/{path}")
        text = body.get_data(as_text=True)
        assert body.status_code == 200 and a.id not in text and "alpha" not in text


def test_an_operator_sees_every_tenant(world, seed, api):
    a, b, *_ = world
    _, token = seed.operator()
    ids = {t["id"] for t in api(token).get("tenants").get_json()["items"]}
    assert {a.id, b.id} <= ids
