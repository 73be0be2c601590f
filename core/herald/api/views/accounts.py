"""Social accounts attached to org units (the connect flow comes with the connectors)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.tenancy import AccountCreate, AccountListQuery, AccountOut, AccountUpdate
from herald.tenancy import service
from herald.tenancy.models import SocialAccount

TAG = "Social accounts"


@endpoint(bp, "/tenants/<tenant_id>/social-accounts", "GET", summary="List social accounts you can see",
          tag=TAG, query=AccountListQuery, response=AccountOut, many=True)
def list_accounts(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    visible = service.unit_ids_in_scope(session, who, tenant_id, "accounts.view", query["org_unit_id"],
                                        query["descendants"])
    stmt = select(SocialAccount).where(SocialAccount.tenant_id == tenant_id,
                                       SocialAccount.org_unit_id.in_(visible))
    if query["network"]:
        stmt = stmt.where(SocialAccount.network == query["network"])
    if not query["include_archived"]:
        stmt = stmt.where(SocialAccount.archived_at.is_(None))
    return paginate(session, stmt, [SocialAccount.created_at, SocialAccount.id], query["limit"], query["cursor"])


@endpoint(bp, "/tenants/<tenant_id>/social-accounts", "POST", summary="Attach a social account to a unit",
          tag=TAG, body=AccountCreate, response=AccountOut, status=201)
def create_account(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    acct = service.create_account(db(), actor(), tenant_id, **body)
    db().commit()
    return acct


@endpoint(bp, "/tenants/<tenant_id>/social-accounts/<account_id>", "GET", summary="Get a social account",
          tag=TAG, response=AccountOut)
def get_account(tenant_id: str, account_id: str):  # type: ignore[no-untyped-def]
    return service.get_account(db(), actor(), tenant_id, account_id)


@endpoint(bp, "/tenants/<tenant_id>/social-accounts/<account_id>", "PATCH",
          summary="Change, move or archive a social account", tag=TAG, body=AccountUpdate, response=AccountOut)
def update_account(tenant_id: str, account_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    acct = service.update_account(db(), actor(), tenant_id, account_id, body)
    db().commit()
    return acct
