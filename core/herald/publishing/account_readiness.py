"""Will an account be able to publish when its slot comes? Read at schedule time (and shown on
the post page), so that a post planned on an account that needs reconnecting is flagged while
there is still time to reconnect it — not only after the slot passed.

Scheduling is allowed anyway: a manager may reconnect the account (or its token may be
renewed) before the slot; the executor checks again at publishing time and sets the
publication to "needs attention" if the account still cannot publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.publishing.models import AccountCredential
from herald.publishing.tokens import open_tokens
from herald.tenancy.models import SocialAccount

#: where a person reconnects an account (the console page; the API's connect endpoint)
RECONNECT_HOW = ("Reconnect it on the Social accounts page (Reconnect), or POST "
                 "/api/v1/tenants/<tenant>/social-accounts/<account>/connect.")


@dataclass(frozen=True)
class AccountWarning:
    """Why ``account_id`` may not publish at its planned time. ``code``: ``reconnect_needed``
    (the network no longer accepts Herald's access), ``not_connected`` (never connected) or
    ``token_expires`` (the access token expires before the slot and cannot be renewed)."""

    account_id: str
    account_name: str
    network: str
    code: str
    reason: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"account_id": self.account_id, "account": self.account_name, "network": self.network,
                "code": self.code, "reason": self.reason, "message": self.message}


def account_name(account: SocialAccount) -> str:
    return account.display_name or f"@{account.handle}"


def account_warning(session: Session, account: SocialAccount, at: datetime | None = None) -> AccountWarning | None:
    """The reason ``account`` may fail to publish at ``at`` (None: nothing known against it)."""
    name = account_name(account)
    cred = session.execute(select(AccountCredential).where(AccountCredential.account_id == account.id)
                           ).scalar_one_or_none()

    def warn(code: str, reason: str | None, text: str) -> AccountWarning:
        return AccountWarning(account.id, name, account.network, code, reason, f"{text} {RECONNECT_HOW}")

    if account.connection_state == "reconnect_needed":
        reason = cred.reconnect_reason if cred is not None else None
        because = f": {reason}" if reason else "."
        return warn("reconnect_needed", reason,
                    f"{name} ({account.network}) needs reconnecting: the network no longer accepts Herald's "
                    f"access{because} Until it is reconnected nothing can be published on it.")
    if account.connection_state == "not_connected" and (cred is None or not cred.sealed_tokens):
        return warn("not_connected", None, f"{name} ({account.network}) has not been connected to its network yet.")
    if at is not None and cred is not None and cred.token_expires_at is not None and cred.token_expires_at < at:
        tokens = open_tokens(cred)
        if tokens is not None and not tokens.refresh_token:
            return warn("token_expires", None,
                        f"The access to {name} ({account.network}) expires at "
                        f"{cred.token_expires_at.isoformat(timespec='minutes')}, before the planned time, "
                        "and the network gives no way to renew it.")
    return None
