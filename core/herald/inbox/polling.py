"""Polling each account's mentions and direct messages, paced by its rate-limit budget.

Each (account, stream) has a :class:`PollState`: the connector's cursor, when it may be polled
next and a lease. A poll claims the lease with a conditional update (so two workers never poll
one stream at once), calls the connector outside any transaction, then stores what came back
and moves the cursor in one transaction — if storing fails the cursor stays, and the next poll
reads the same items again (stored once, see :mod:`herald.inbox.ingest`).

Pacing: never sooner than the connector's ``min_poll_interval_s`` (nor the tenant's interval);
when the network reported a budget, the remaining calls are spread over what is left of its
window, and an empty budget waits for its reset. Errors back off exponentially; a stream the
connector does not read is marked unsupported and asked again once a day (``UNSUPPORTED_RECHECK``)
— a tenant that turns direct messages on later gets them without anyone touching the stream."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.ids import new_id
from herald.inbox.ingest import ingest
from herald.inbox.models import PollState
from herald.inbox.store import insert_once
from herald.networks.connector import MentionPage, NetworkConnector
from herald.networks.errors import AuthExpired, AuthRevoked, NetworkError, NotSupported, RateLimited
from herald.publishing.planning import network_connector
from herald.publishing.tokens import connected_account
from herald.publishing.tokens import refresh as refresh_tokens
from herald.runtime import current
from herald.tenancy.models import SocialAccount

log = logging.getLogger(__name__)
#: how long a stream the connector does not read waits before it is asked again
UNSUPPORTED_RECHECK = timedelta(days=1)

STREAMS = ("mentions", "dms")
LEASE = timedelta(minutes=2)
DEFAULT_INTERVAL_S = 60
MAX_BACKOFF_S = 3600


@dataclass(frozen=True)
class PollOutcome:
    account_id: str
    stream: str
    status: str  # polled | busy | unsupported | rate_limited | error | not_found
    stored: int = 0
    duplicates: int = 0
    next_poll_at: datetime | None = None
    message: str = ""


def ensure_states(session: Session, account: SocialAccount) -> None:
    for stream in STREAMS:
        insert_once(session, PollState.__table__, {  # type: ignore[arg-type]
            "account_id": account.id, "stream": stream, "tenant_id": account.tenant_id, "next_poll_at": utcnow(),
            "consecutive_errors": 0, "unsupported": False,
        }, ["account_id", "stream"], returning="stream")


def _supports(connector: NetworkConnector, stream: str) -> bool:
    caps = connector.capabilities
    return caps.supports_direct_messages if stream == "dms" else caps.supports_mentions


def next_poll_after(connector: NetworkConnector, page: MentionPage | None, now: datetime,
                    interval_s: int = DEFAULT_INTERVAL_S) -> datetime:
    """When the stream may be polled again after a successful read."""
    floor = max(connector.capabilities.min_poll_interval_s, interval_s)
    soonest = now + timedelta(seconds=floor)
    budget = page.budget if page else None
    if budget is None:
        return soonest
    if budget.remaining <= 0:
        return max(soonest, budget.reset_at)
    left = max((budget.reset_at - now).total_seconds(), 0.0)
    # keep a tenth of the budget for replies and people's own use of the account
    spare = max(budget.remaining - max(budget.limit // 10, 1), 1)
    return max(soonest, now + timedelta(seconds=left / spare))


def _claim(account_id: str, stream: str, owner: str, force: bool) -> bool:
    now = utcnow()
    with current().db.transaction() as session:
        conditions = [PollState.account_id == account_id, PollState.stream == stream,
                      or_(PollState.lease_expires_at.is_(None), PollState.lease_expires_at < now)]
        if not force:
            conditions.append(PollState.next_poll_at <= now)
        return bool(session.execute(update(PollState).where(*conditions)
                                    .values(lease_owner=owner, lease_expires_at=now + LEASE)).rowcount)


def poll(account_id: str, stream: str, *, force: bool = False, owner: str | None = None) -> PollOutcome:
    """Poll one stream of one account once (a queued job, or ``herald inbox poll``)."""
    rt = current()
    owner = owner or f"poll:{new_id('p')[-8:]}"
    with rt.db.transaction() as session:
        account = session.get(SocialAccount, account_id)
        if account is None or account.archived_at is not None:
            return PollOutcome(account_id, stream, "not_found", message="No such active account.")
        ensure_states(session, account)
    if not _claim(account_id, stream, owner, force):
        return PollOutcome(account_id, stream, "busy", message="Another poll holds this stream, or it is not due.")
    with rt.db.transaction() as session:
        account = session.get(SocialAccount, account_id)
        state = session.get(PollState, (account_id, stream))
        assert account is not None and state is not None
        connector = network_connector(session, account.tenant_id, account.network)
        connected = connected_account(session, account)
        cursor = state.cursor
        if state.budget_remaining == 0 and state.budget_reset_at and state.budget_reset_at > utcnow():
            wait_until = state.budget_reset_at
            _release(state, next_at=wait_until)
            return PollOutcome(account_id, stream, "rate_limited", next_poll_at=wait_until,
                               message="The network's budget for this account is spent until "
                                       f"{wait_until.isoformat()}.")
    if connector is None or not _supports(connector, stream):
        return _finish_unsupported(account_id, stream, f"{account.network} does not read {stream} here.")
    try:
        reader = connector.fetch_direct_messages if stream == "dms" else connector.fetch_mentions
        page = reader(connected, cursor)
    except NotSupported as exc:
        return _finish_unsupported(account_id, stream, str(exc))
    except RateLimited as exc:
        return _finish_error(account_id, stream, exc.message, until=exc.reset_at, status="rate_limited")
    except AuthExpired as exc:
        with rt.db.transaction() as session:
            acct = session.get(SocialAccount, account_id)
            result = refresh_tokens(session, connector, acct) if acct else "revoked"
        return _finish_error(account_id, stream, exc.message, until=utcnow() if result == "ok" else None)
    except (AuthRevoked, NetworkError) as exc:
        return _finish_error(account_id, stream, exc.message)
    except Exception as exc:  # a connector bug must not stop polling of every other account
        log.exception("polling %s of account %s failed", stream, account_id)
        return _finish_error(account_id, stream, f"The connector failed: {exc.__class__.__name__}")
    with rt.db.transaction() as session:
        account = session.get(SocialAccount, account_id)
        state = session.get(PollState, (account_id, stream), with_for_update=True)
        assert account is not None and state is not None
        if state.lease_owner != owner:
            return PollOutcome(account_id, stream, "busy", message="The lease ran out before the items were stored.")
        now = utcnow()
        result = ingest(session, account, page.items, source="poll", now=now)
        if page.cursor is not None:
            state.cursor = str(page.cursor)[:500]
        if page.budget is not None:
            state.budget_limit = page.budget.limit
            state.budget_remaining = page.budget.remaining
            state.budget_reset_at = page.budget.reset_at
        state.last_polled_at = now
        state.unsupported = False
        state.consecutive_errors = 0
        state.last_error = None
        nxt = next_poll_after(connector, page, now, _interval(connector))
        _release(state, next_at=nxt)
    return PollOutcome(account_id, stream, "polled", stored=len(result.stored), duplicates=result.duplicates,
                       next_poll_at=nxt)


def _interval(connector: NetworkConnector) -> int:
    value = connector.settings.get("inbox_poll_interval_s") if connector.settings else None
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_INTERVAL_S


def _release(state: PollState, *, next_at: datetime | None) -> None:
    state.lease_owner = None
    state.lease_expires_at = None
    if next_at is not None:
        state.next_poll_at = next_at


def _finish_unsupported(account_id: str, stream: str, why: str) -> PollOutcome:
    with current().db.transaction() as session:
        state = session.get(PollState, (account_id, stream))
        if state is not None:
            state.unsupported = True
            state.last_error = why
            _release(state, next_at=utcnow() + UNSUPPORTED_RECHECK)
    return PollOutcome(account_id, stream, "unsupported", message=why)


def _finish_error(account_id: str, stream: str, why: str, *, until: datetime | None = None,
                  status: str = "error") -> PollOutcome:
    with current().db.transaction() as session:
        state = session.get(PollState, (account_id, stream))
        if state is None:
            return PollOutcome(account_id, stream, status, message=why)
        state.consecutive_errors = (state.consecutive_errors or 0) + 1
        state.last_error = why
        if until is None:
            until = utcnow() + timedelta(seconds=min(MAX_BACKOFF_S, 30 * 2 ** min(state.consecutive_errors, 10)))
        _release(state, next_at=until)
    return PollOutcome(account_id, stream, status, next_poll_at=until, message=why)


def due(session: Session, now: datetime, limit: int = 200) -> list[tuple[str, str]]:
    """Streams whose next poll has come (and that nobody is polling)."""
    rows = session.execute(select(PollState.account_id, PollState.stream)
                           .join(SocialAccount, SocialAccount.id == PollState.account_id)
                           .where(PollState.next_poll_at <= now,
                                  or_(PollState.lease_expires_at.is_(None), PollState.lease_expires_at < now),
                                  SocialAccount.archived_at.is_(None),
                                  SocialAccount.connection_state == "connected")
                           .order_by(PollState.next_poll_at).limit(limit)).all()
    return [(a, s) for a, s in rows]


def ensure_all(session: Session, limit: int = 1000) -> int:
    """Poll states for connected accounts that have none yet."""
    missing = session.execute(select(SocialAccount).outerjoin(PollState, PollState.account_id == SocialAccount.id)
                              .where(PollState.account_id.is_(None), SocialAccount.archived_at.is_(None),
                                     SocialAccount.connection_state == "connected").limit(limit)).scalars().all()
    for account in missing:
        ensure_states(session, account)
    return len(missing)
