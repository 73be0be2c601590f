"""What an account's tokens let the connector do: the access token, and the scopes X granted."""

from __future__ import annotations

from herald.plugins import AuthRevoked, ConnectedAccount, PermanentError

#: Scopes X asks for before a direct message can be read, and sent.
DM_READ_SCOPES = ("dm.read", "tweet.read", "users.read")
DM_WRITE_SCOPES = (*DM_READ_SCOPES, "dm.write")


def access_token(account: ConnectedAccount) -> str:
    """The account's bearer token; an account without one needs reconnecting."""
    if account.tokens is None or not account.tokens.access_token:
        raise AuthRevoked("This X account has no tokens; it needs reconnecting.", code="not_connected")
    return account.tokens.access_token


def missing_scopes(account: ConnectedAccount, needed: tuple[str, ...]) -> list[str]:
    """The scopes of ``needed`` the account's grant lacks; empty when X did not say which
    scopes it granted (then X's own answer will tell)."""
    scope = account.tokens.scope if account.tokens else None
    if not scope:
        return []
    granted = set(scope.split())
    return [s for s in needed if s not in granted]


def require_scopes(account: ConnectedAccount, needed: tuple[str, ...], what: str) -> None:
    """Refuse before calling X when the grant certainly lacks a scope ``what`` needs: a token
    granted before direct messages were turned on lacks them, and only reconnecting adds them."""
    lacking = missing_scopes(account, needed)
    if lacking:
        raise missing_scope_error(what, lacking)


def missing_scope_error(what: str, lacking: list[str]) -> PermanentError:
    """The error telling people to reconnect the account so that X grants ``lacking``."""
    names = " ".join(lacking) if lacking else "dm.read dm.write"
    return PermanentError(f"X has not granted this account the scopes {what} needs ({names}); reconnect the "
                          "account to grant them.", code="missing_scope", status=403)
