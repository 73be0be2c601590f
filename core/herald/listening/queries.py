"""Listening queries as people manage them: create, change, delete, list, with the one
permission check (``listening.read`` to see a query, ``listening.admin`` to manage it, both on
the query's org unit and below) and one audit event per change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.authz.check import can, in_tenant, path_filter, require, visible_unit_paths
from herald.clock import utcnow
from herald.errors import NotFound, ValidationFailed
from herald.listening.models import ListeningQuery
from herald.listening.query import QueryError, parse, parse_exclusions, with_exclusions
from herald.listening.query.ast import networks_named, to_json
from herald.people.models import User
from herald.tenancy.models import OrgUnit, SocialAccount

READ = "listening.read"
ADMIN = "listening.admin"
FIELDS = ("name", "text", "exclusions", "networks", "account_ids", "owner_ids", "enabled", "cadence_s")


def get_query(session: Session, actor: Actor, tenant_id: str, query_id: str, permission: str = READ
              ) -> ListeningQuery:
    """The query, if the actor may see it (NotFound otherwise, so others' queries stay unseen);
    Forbidden when they may see but not do ``permission``."""
    in_tenant(session, actor, tenant_id)
    row = session.get(ListeningQuery, query_id)
    if row is None or row.tenant_id != tenant_id or not can(session, actor, READ, row):
        raise NotFound(f"No listening query {query_id!r}.")
    if permission != READ:
        require(session, actor, permission, row)
    return row


def visible(session: Session, actor: Actor, tenant_id: str) -> Select[Any]:
    in_tenant(session, actor, tenant_id)
    paths = visible_unit_paths(session, actor, READ, tenant_id)
    return (select(ListeningQuery).join(OrgUnit, OrgUnit.id == ListeningQuery.org_unit_id)
            .where(ListeningQuery.tenant_id == tenant_id, path_filter(OrgUnit.path, paths)))


def compile_text(text: str, exclusions: list[str]) -> dict[str, Any]:
    """The stored AST of ``text`` with ``exclusions``; QueryError → a 422 naming the field."""
    try:
        node = parse(text)
    except QueryError as exc:
        raise ValidationFailed(f"The query is not valid: {exc}", {"text": [str(exc)]}) from exc
    try:
        excluded = parse_exclusions(exclusions)
    except QueryError as exc:
        raise ValidationFailed(f"An exclusion is not valid: {exc.message}", {"exclusions": [exc.message]}) from exc
    return to_json(with_exclusions(node, excluded))


def _check_refs(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for account_id in body.get("account_ids") or []:
        account = session.get(SocialAccount, account_id)
        if account is None or account.tenant_id != tenant_id or not can(session, actor, "accounts.view", account):
            errors.setdefault("account_ids", []).append(f"No social account {account_id!r}.")
        elif body.get("networks") and account.network not in body["networks"]:
            errors.setdefault("account_ids", []).append(
                f"Account {account_id!r} is on {account.network}, which the query's networks leave out.")
    for user_id in body.get("owner_ids") or []:
        user = session.get(User, user_id)
        if user is None or user.tenant_id != tenant_id:
            errors.setdefault("owner_ids", []).append(f"No user {user_id!r}.")
    if errors:
        raise ValidationFailed("The query names things that do not exist here.", errors)


def _summary(row: ListeningQuery) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ("name", "text", "exclusions", "networks", "account_ids", "owner_ids",
                                         "enabled", "cadence_s", "org_unit_id")}


def create(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any]) -> ListeningQuery:
    in_tenant(session, actor, tenant_id)
    unit = session.get(OrgUnit, body["org_unit_id"])
    if unit is None or unit.tenant_id != tenant_id:
        raise ValidationFailed("The org unit does not exist.", {"org_unit_id": [f"No unit {body['org_unit_id']!r}."]})
    require(session, actor, ADMIN, unit)
    ast = compile_text(body["text"], body.get("exclusions") or [])
    _check_refs(session, actor, tenant_id, body)
    row = ListeningQuery(tenant_id=tenant_id, org_unit_id=unit.id, ast=ast, created_by=actor.user_id,
                         owner_ids=body.get("owner_ids") or [actor.user_id], compiled={}, alert_state={},
                         next_run_at=utcnow())
    for key in FIELDS:
        if key in body and key != "owner_ids":
            setattr(row, key, body[key])
    row.networks = row.networks or sorted(networks_named_or_empty(ast))
    session.add(row)
    session.flush()
    audit.record(session, actor, "listening_query.created", "listening_query", row.id, tenant_id=tenant_id,
                 after=_summary(row))
    return row


def networks_named_or_empty(ast: dict[str, Any]) -> set[str]:
    from herald.listening.query.ast import from_json

    return networks_named(from_json(ast))


def update(session: Session, actor: Actor, tenant_id: str, query_id: str, body: dict[str, Any]) -> ListeningQuery:
    row = get_query(session, actor, tenant_id, query_id, ADMIN)
    before = _summary(row)
    if "text" in body or "exclusions" in body:
        row.ast = compile_text(body.get("text", row.text), body.get("exclusions", row.exclusions or []))
        row.compiled = {}
    merged = {"account_ids": body.get("account_ids", row.account_ids),
              "networks": body.get("networks", row.networks), "owner_ids": body.get("owner_ids", [])}
    _check_refs(session, actor, tenant_id, merged)
    if "org_unit_id" in body and body["org_unit_id"] != row.org_unit_id:
        unit = session.get(OrgUnit, body["org_unit_id"])
        if unit is None or unit.tenant_id != tenant_id:
            raise ValidationFailed("The org unit does not exist.", {"org_unit_id": ["No such unit."]})
        require(session, actor, ADMIN, unit)
        row.org_unit_id = unit.id
    for key in FIELDS:
        if key in body:
            setattr(row, key, body[key])
    if "cadence_s" in body or body.get("enabled"):
        row.next_run_at = min(row.next_run_at, utcnow()) if row.last_run_at is None else row.next_run_at
    session.flush()
    audit.record(session, actor, "listening_query.updated", "listening_query", row.id, tenant_id=tenant_id,
                 before=before, after=_summary(row))
    return row


def delete(session: Session, actor: Actor, tenant_id: str, query_id: str) -> None:
    row = get_query(session, actor, tenant_id, query_id, ADMIN)
    audit.record(session, actor, "listening_query.deleted", "listening_query", row.id, tenant_id=tenant_id,
                 before=_summary(row))
    session.delete(row)
