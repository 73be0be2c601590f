"""A social account's tokens (sealed with the runtime's SecretBox), its connection state and
its rate-limit state. A refresh never overwrites a stored refresh token with an empty one, and
only the network's own "revoked" answer disconnects an account."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from herald import audit
from herald.authz.check import role_permissions
from herald.clock import utcnow
from herald.networks.connector import ConnectedAccount, NetworkConnector, TokenSet
from herald.networks.errors import AuthRevoked, NotSupported
from herald.notifications.notifier import Notification
from herald.people.models import Grant, User
from herald.publishing.models import AccountCredential
from herald.runtime import current
from herald.tenancy.models import OrgUnit, SocialAccount

log = logging.getLogger(__name__)


def credential(session: Session, account: SocialAccount, *, lock: bool = False) -> AccountCredential:
    stmt = select(AccountCredential).where(AccountCredential.account_id == account.id)
    if lock:
        stmt = stmt.with_for_update()
    cred = session.execute(stmt).scalar_one_or_none()
    if cred is None:
        ensure_credentials(session, [account])
        cred = session.execute(stmt.execution_options(populate_existing=True)).scalar_one()
    return cred


def ensure_credentials(session: Session, accounts: list[SocialAccount]) -> None:
    """Make sure each account has its credential row. Concurrent callers do not collide: rows
    are inserted in one sorted order and an existing row is left as it is."""
    if not accounts:
        return
    ins = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [{"account_id": a.id, "tenant_id": a.tenant_id, "updated_at": now}
            for a in sorted({a.id: a for a in accounts}.values(), key=lambda a: a.id)]
    session.execute(ins(AccountCredential).values(rows).on_conflict_do_nothing(index_elements=["account_id"]))


def _tokens_to_json(t: TokenSet) -> dict[str, Any]:
    return {"access_token": t.access_token, "refresh_token": t.refresh_token,
            "expires_at": t.expires_at.isoformat() if t.expires_at else None, "scope": t.scope, "extra": t.extra}


def open_tokens(cred: AccountCredential | None) -> TokenSet | None:
    return open_sealed(cred.sealed_tokens if cred is not None else None)


def open_sealed(sealed: str | None) -> TokenSet | None:
    """The tokens sealed in a credential row's ``sealed_tokens`` (None: the account has none)."""
    if not sealed:
        return None
    raw = current().box.open(sealed)
    return TokenSet(access_token=raw["access_token"], refresh_token=raw.get("refresh_token"),
                    expires_at=datetime.fromisoformat(raw["expires_at"]) if raw.get("expires_at") else None,
                    scope=raw.get("scope"), extra=raw.get("extra") or {})


def store_tokens(session: Session, account: SocialAccount, tokens: TokenSet) -> AccountCredential:
    """Seal and store ``tokens``; an empty refresh token keeps the one already stored."""
    cred = credential(session, account)
    old = open_tokens(cred)
    if not tokens.refresh_token and old is not None and old.refresh_token:
        tokens = TokenSet(access_token=tokens.access_token, refresh_token=old.refresh_token,
                          expires_at=tokens.expires_at, scope=tokens.scope or old.scope, extra=tokens.extra)
    cred.sealed_tokens = current().box.seal(_tokens_to_json(tokens))
    cred.token_expires_at = tokens.expires_at
    return cred


def connected_account(session: Session, account: SocialAccount,
                      cred: AccountCredential | None = None) -> ConnectedAccount:
    if cred is None:
        cred = session.execute(select(AccountCredential).where(AccountCredential.account_id == account.id)
                               ).scalar_one_or_none()
    return ConnectedAccount(id=account.id, remote_id=account.external_id or "", handle=account.handle,
                            tokens=open_tokens(cred))


def owners(session: Session, account: SocialAccount) -> list[User]:
    """Active people who manage the account: ``accounts.manage`` on its unit or above."""
    unit = session.get(OrgUnit, account.org_unit_id)
    if unit is None:
        return []
    rows = session.execute(select(Grant.user_id, Grant.role_key).where(Grant.org_unit_id.in_(unit.ancestor_ids))).all()
    ids = {uid for uid, role in rows if "accounts.manage" in role_permissions(session, account.tenant_id, role)}
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids), User.status == "active")).all())


def flag_reconnect(session: Session, account: SocialAccount, reason: str) -> None:
    """Mark the account "reconnect needed", audit it and tell its owners (once per change)."""
    cred = credential(session, account)
    cred.reconnect_reason = reason
    if account.connection_state == "reconnect_needed":
        return
    before = account.connection_state
    account.connection_state = "reconnect_needed"
    audit.record(session, None, "social_account.reconnect_needed", "social_account", account.id,
                 tenant_id=account.tenant_id, before={"connection_state": before},
                 after={"connection_state": "reconnect_needed", "reason": reason})
    from herald.notifications.send import send

    for user in owners(session, account):
        try:
            send(session, Notification(
                tenant_id=account.tenant_id, recipient_id=user.id, recipient_email=user.email,
                kind="social_account.reconnect_needed",
                title=f"Reconnect {account.display_name or account.handle} ({account.network})",
                body=f"The network no longer accepts Herald's access: {reason}",
                data={"account_id": account.id}))
        except Exception:  # a notification must never undo the state change
            log.exception("could not notify %s about account %s", user.id, account.id)


def refresh(session: Session, connector: NetworkConnector, account: SocialAccount) -> str:
    """Refresh the account's tokens once: "ok", "revoked" (the account is flagged) or
    "transient" (nothing changed; try later). Holds the credential row while refreshing so
    that two workers never spend the same refresh token."""
    cred = credential(session, account, lock=True)
    tokens = open_tokens(cred)
    if tokens is None or not tokens.refresh_token:
        flag_reconnect(session, account, "The access token expired and there is no refresh token.")
        return "revoked"
    try:
        fresh = connector.refresh(tokens)
    except AuthRevoked as exc:
        flag_reconnect(session, account, exc.message)
        return "revoked"
    except NotSupported:
        flag_reconnect(session, account, f"The access token expired and {connector.display_name or connector.key} "
                       "tokens cannot be refreshed.")
        return "revoked"
    except Exception as exc:  # TransientError and anything unexpected: never disconnect
        log.warning("refreshing tokens of %s failed (will retry): %s", account.id, exc)
        return "transient"
    store_tokens(session, account, fresh)
    cred.last_refreshed_at = utcnow()
    audit.record(session, None, "social_account.tokens_refreshed", "social_account", account.id,
                 tenant_id=account.tenant_id, after={"expires_at": fresh.expires_at})
    return "ok"
