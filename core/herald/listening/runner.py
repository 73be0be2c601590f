"""Running one listening query: every account it searches with, from each account's cursor,
within the account's budgets (:mod:`~herald.listening.budget`), storing the hits once.

A run claims the query with a lease (a conditional update, so two workers never run it at
once), calls each connector outside any transaction, then stores that account's hits and moves
its cursor in one transaction: if storing fails the cursor stays and the next run reads the
same posts again (stored once). An error is recorded on the account's cursor row and on the
query (``last_error``) and never touches the cursor; a 429 pauses the account's listening
until the network's reset. The run returns the ids of the hits it stored for the first time
(``new_hit_ids``), for the enrichment pipeline."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.ids import new_id
from herald.listening import budget, spikes, term_budget
from herald.listening.compiling import as_json, compile_for, query_ast
from herald.listening.hits import store_hits
from herald.listening.models import ListeningCursor, ListeningQuery
from herald.listening.query.matcher import matches
from herald.networks.connector import CompiledQuery, Mention, NetworkConnector, SearchPage
from herald.networks.errors import AuthExpired, AuthRevoked, NetworkError, NotSupported, RateLimited
from herald.publishing.planning import network_connector
from herald.publishing.tokens import connected_account
from herald.runtime import current
from herald.tenancy.models import SocialAccount

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_BACKOFF_S = 6 * 3600


@dataclass
class AccountOutcome:
    account_id: str
    network: str
    status: str  # searched | skipped | waiting | error | unsupported
    stored: int = 0
    matched: int = 0
    message: str = ""


@dataclass
class RunOutcome:
    query_id: str
    status: str  # ran | busy | not_found | disabled
    new_hit_ids: list[str] = field(default_factory=list)
    accounts: list[AccountOutcome] = field(default_factory=list)
    alerts: int = 0

    @property
    def stored(self) -> int:
        return len(self.new_hit_ids)


def _claim(query_id: str, owner: str, force: bool, now: datetime) -> bool:
    with current().db.transaction() as session:
        conditions = [ListeningQuery.id == query_id,
                      or_(ListeningQuery.lease_expires_at.is_(None), ListeningQuery.lease_expires_at < now)]
        if not force:
            conditions += [ListeningQuery.next_run_at <= now, ListeningQuery.enabled.is_(True)]
        return bool(session.execute(update(ListeningQuery).where(*conditions)
                                    .values(lease_owner=owner, lease_expires_at=now + LEASE)).rowcount)


def run_query(query_id: str, *, force: bool = False, owner: str | None = None) -> RunOutcome:
    """Run ``query_id`` once (a queued job, the sweeper, or "run now" with ``force``)."""
    rt = current()
    owner = owner or f"listen:{new_id('p')[-8:]}"
    now = utcnow()
    with rt.db.transaction() as session:
        query = session.get(ListeningQuery, query_id)
        if query is None:
            return RunOutcome(query_id, "not_found")
    if not _claim(query_id, owner, force, now):
        return RunOutcome(query_id, "busy")
    outcome = RunOutcome(query_id, "ran")
    try:
        with rt.db.transaction() as session:
            query = session.get(ListeningQuery, query_id)
            assert query is not None
            targets = _targets(session, query)
            tenant_id, ast = query.tenant_id, query_ast(query.ast)
        for account_id, network in targets:
            outcome.accounts.append(_run_account(query_id, tenant_id, ast, account_id, network, outcome))
    finally:
        with rt.db.transaction() as session:
            query = session.get(ListeningQuery, query_id)
            if query is not None and query.lease_owner == owner:
                finished = utcnow()
                errors = [f"{a.network} ({a.account_id}): {a.message}" for a in outcome.accounts
                          if a.status in ("error", "unsupported") and a.message]
                query.last_error = "\n".join(errors)[:4000] or None
                query.last_run_at = finished
                query.next_run_at = finished + timedelta(seconds=max(query.cadence_s or 0, 60))
                query.lease_owner = query.lease_expires_at = None
                outcome.alerts = spikes.check_query(session, query, finished)
    return outcome


def _targets(session: Session, query: ListeningQuery) -> list[tuple[str, str]]:
    out = []
    for account_id in query.account_ids or []:
        account = session.get(SocialAccount, account_id)
        if account is None or account.tenant_id != query.tenant_id or account.archived_at is not None:
            continue
        if query.networks and account.network not in query.networks:
            continue
        out.append((account.id, account.network))
    return out


def _cursor(session: Session, query_id: str, account_id: str, tenant_id: str, network: str) -> ListeningCursor:
    row = session.get(ListeningCursor, (query_id, account_id))
    if row is None:
        row = ListeningCursor(query_id=query_id, account_id=account_id, tenant_id=tenant_id, network=network,
                              consecutive_errors=0)
        session.add(row)
        session.flush()
    return row


def _run_account(query_id: str, tenant_id: str, ast: object, account_id: str, network: str,
                 outcome: RunOutcome) -> AccountOutcome:
    rt = current()
    now = utcnow()
    with rt.db.transaction() as session:
        account = session.get(SocialAccount, account_id)
        assert account is not None
        connector = network_connector(session, tenant_id, network)
        if connector is None:
            return _fail(query_id, account_id, network, "unsupported", f"{network} is not enabled for this tenant.")
        compiled = compile_for(connector, ast)  # type: ignore[arg-type]
        query = session.get(ListeningQuery, query_id)
        assert query is not None
        query.compiled = {**(query.compiled or {}), network: as_json(compiled)}
        if compiled.network_query is None:
            return AccountOutcome(account_id, network, "unsupported", message=" ".join(compiled.notes))
        if account.connection_state != "connected":
            return _fail_in(session, query_id, account_id, tenant_id, network, "error",
                            "The account is not connected.")
        state = _cursor(session, query_id, account_id, tenant_id, network)
        if state.not_before is not None and state.not_before > now:
            return AccountOutcome(account_id, network, "waiting",
                                  message=f"Waiting until {state.not_before.isoformat(timespec='seconds')}.")
        gate = budget.gate(session, account_id, now)
        if not gate.allowed:
            return AccountOutcome(account_id, network, "waiting", message=gate.reason)
        refused = _spend_terms(session, connector, compiled, tenant_id, account_id, network, now)
        if refused:
            return _fail_in(session, query_id, account_id, tenant_id, network, "error", refused.message,
                            until=refused.frees_at)
        connected = connected_account(session, account)
        cursor = state.cursor
    try:
        page = connector.search_recent(connected, compiled, cursor)
    except NotSupported as exc:
        return _fail(query_id, account_id, network, "unsupported", str(exc))
    except RateLimited as exc:
        with rt.db.transaction() as session:
            until = budget.pause(session, account_id, tenant_id, exc.reset_at, exc.message, utcnow())
        return _fail(query_id, account_id, network, "error", f"Rate limited: {exc.message}", until=until)
    except AuthExpired as exc:
        from herald.publishing.tokens import refresh as refresh_tokens

        with rt.db.transaction() as session:
            acct = session.get(SocialAccount, account_id)
            result = refresh_tokens(session, connector, acct) if acct else "revoked"
        return _fail(query_id, account_id, network, "error", exc.message,
                     until=utcnow() if result == "ok" else None)
    except (AuthRevoked, NetworkError) as exc:
        return _fail(query_id, account_id, network, "error", exc.message)
    except Exception as exc:  # a connector bug must not stop the other accounts' runs
        log.exception("listening query %s on account %s failed", query_id, account_id)
        return _fail(query_id, account_id, network, "error", f"The connector failed: {exc.__class__.__name__}")
    return _store(query_id, tenant_id, ast, account_id, network, connector, compiled, page, outcome)


def _spend_terms(session: Session, connector: NetworkConnector, compiled: CompiledQuery, tenant_id: str,
                 account_id: str, network: str, now: datetime) -> term_budget.TermBudgetExhausted | None:
    caps = connector.capabilities
    limit = getattr(caps, "listening_terms_budget", None)
    window_s = getattr(caps, "listening_terms_window_s", None)
    if not compiled.budget_terms or limit is None or window_s is None:
        return None
    try:
        term_budget.spend(session, tenant_id=tenant_id, account_id=account_id, network=network,
                          terms=list(compiled.budget_terms), limit=limit, window=timedelta(seconds=window_s),
                          now=now, display="hashtags" if network == "instagram" else "terms")
    except term_budget.TermBudgetExhausted as exc:
        return exc
    return None


def _keep(ast: object, compiled: CompiledQuery, network: str, items: list[Mention]) -> list[Mention]:
    if not compiled.local_filter_needed:
        return items
    return [m for m in items if matches(ast, m.text, (m.author.handle if m.author else m.author_handle),  # type: ignore[arg-type]
                                        m.language, network)]


def _store(query_id: str, tenant_id: str, ast: object, account_id: str, network: str, connector: NetworkConnector,
           compiled: CompiledQuery, page: SearchPage, outcome: RunOutcome) -> AccountOutcome:
    kept = _keep(ast, compiled, network, page.items)
    with current().db.transaction() as session:
        state = _cursor(session, query_id, account_id, tenant_id, network)
        result = store_hits(session, tenant_id, query_id, network, account_id, kept)
        if page.cursor is not None:
            state.cursor = str(page.cursor)[:4000]
        budget.record(session, account_id, tenant_id, page.budget)
        state.last_run_at = utcnow()
        state.last_error = None
        state.consecutive_errors = 0
        state.not_before = None
    outcome.new_hit_ids.extend(result.new_hit_ids)
    return AccountOutcome(account_id, network, "searched", stored=len(result.new_hit_ids), matched=len(kept))


def _fail(query_id: str, account_id: str, network: str, status: str, message: str,
          until: datetime | None = None) -> AccountOutcome:
    with current().db.transaction() as session:
        query = session.get(ListeningQuery, query_id)
        tenant_id = query.tenant_id if query else ""
        return _fail_in(session, query_id, account_id, tenant_id, network, status, message, until=until)


def _fail_in(session: Session, query_id: str, account_id: str, tenant_id: str, network: str, status: str,
             message: str, until: datetime | None = None) -> AccountOutcome:
    """Record the error on the cursor row (the cursor itself is left as it was)."""
    state = _cursor(session, query_id, account_id, tenant_id, network)
    state.consecutive_errors = (state.consecutive_errors or 0) + 1
    state.last_error = message[:4000]
    if until is None and status == "error":
        until = utcnow() + timedelta(seconds=min(MAX_BACKOFF_S, 60 * 2 ** min(state.consecutive_errors, 10)))
    state.not_before = until
    return AccountOutcome(account_id, network, status, message=message)
