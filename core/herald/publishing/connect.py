"""Connecting a social account (OAuth 2 with PKCE): ``start`` keeps the state and the PKCE
verifier server-side and returns where to send the person; ``callback`` trades the code for
tokens, asks the network whose they are, and stores them sealed. Both are audited."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz import Actor
from herald.clock import utcnow
from herald.errors import BadRequest, Conflict
from herald.networks.errors import NetworkError, NotSupported
from herald.people.models import User
from herald.publishing.models import ConnectFlow
from herald.publishing.planning import connector_for
from herald.publishing.refusals import network_refusal
from herald.publishing.tokens import credential, store_tokens
from herald.tenancy.models import SocialAccount
from herald.tenancy.service import get_account

FLOW_TTL = timedelta(minutes=10)
#: Browser-session key of a page that started a flow and finishes it itself: ``{"state", "endpoint"}``.
RETURN_KEY = "herald.connect_return"


def start(session: Session, actor: Actor, tenant_id: str, account_id: str, redirect_uri: str) -> dict[str, Any]:
    account = get_account(session, actor, tenant_id, account_id, "accounts.manage")
    if account.archived_at is not None:
        raise Conflict("The account is archived.")
    connector = connector_for(session, account)
    if connector is None:
        raise Conflict(f"The {account.network!r} connector is not enabled for this tenant.")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)[:96]  # RFC 7636: 43–128 characters
    try:
        url = connector.authorize_url(state, redirect_uri, verifier)
    except NotSupported as exc:
        raise Conflict(str(exc)) from exc
    now = utcnow()
    flow = ConnectFlow(state=state, tenant_id=tenant_id, account_id=account.id, user_id=actor.user_id,
                       code_verifier=verifier, redirect_uri=redirect_uri, created_at=now, expires_at=now + FLOW_TTL)
    session.add(flow)
    audit.record(session, actor, "social_account.connect_started", "social_account", account.id,
                 tenant_id=tenant_id, after={"network": account.network})
    return {"authorize_url": url, "state": state, "expires_at": flow.expires_at}


def callback(session: Session, state: str, code: str | None, error: str | None,
             error_description: str | None) -> SocialAccount:
    """Finish a flow. The state is single-use and expires; the person who started it is the
    actor of the audit event."""
    flow = session.execute(select(ConnectFlow).where(ConnectFlow.state == state).with_for_update()
                           ).scalar_one_or_none()
    if flow is None or flow.used_at is not None or flow.expires_at <= utcnow():
        raise BadRequest("This connect link is unknown, used or expired; start connecting again.")
    flow.used_at = utcnow()
    account = session.get(SocialAccount, flow.account_id)
    user = session.get(User, flow.user_id)
    if account is None or user is None or not user.active:
        raise BadRequest("The account or the person who started connecting it is gone.")
    actor = Actor(user_id=user.id, tenant_id=user.tenant_id, label=user.email, via="connect")
    if error:
        audit.record(session, actor, "social_account.connect_refused", "social_account", account.id,
                     tenant_id=account.tenant_id, after={"error": error, "description": error_description})
        session.commit()
        raise BadRequest(f"The network did not connect the account: {error_description or error}.",
                         network_error=error)
    if not code:
        raise BadRequest("The callback carries no code.")
    connector = connector_for(session, account)
    if connector is None:
        raise Conflict(f"The {account.network!r} connector is not enabled for this tenant.")
    try:
        tokens = connector.exchange_code(code, flow.redirect_uri, flow.code_verifier)
        profile = connector.profile(tokens)
    except NetworkError as exc:
        raise network_refusal(exc, "connecting the account") from exc
    if account.external_id and account.external_id != profile.remote_id:
        raise Conflict(f"These tokens belong to {profile.handle!r}, not to {account.handle!r}; sign in to the "
                       "network as the right account.")
    before = {"connection_state": account.connection_state, "external_id": account.external_id}
    store_tokens(session, account, tokens)
    cred = credential(session, account)
    cred.reconnect_reason = None
    account.external_id = profile.remote_id
    if not account.display_name and profile.display_name:
        account.display_name = profile.display_name
    account.connection_state = "connected"
    audit.record(session, actor, "social_account.connected", "social_account", account.id,
                 tenant_id=account.tenant_id, before=before,
                 after={"connection_state": "connected", "external_id": profile.remote_id, "tokens": "***"})
    return account
