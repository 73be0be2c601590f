"""Executing publications: the worker side of the engine.

For each publication of a job: take the lease the scheduler handed out, re-check the approval
gate, write the attempt row and commit it, and only then call the network; record what
happened. A publication whose earlier attempt never reported back (the worker died mid-call)
or ended uncertain is reconciled first — looked up with ``find_published`` when the network
can, otherwise set aside for a person — and never blindly created again."""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from herald import audit
from herald.approvals.gate import require_publishable
from herald.clock import utcnow
from herald.content.models import Post, PostVersion
from herald.content.variant_choice import find_variant
from herald.errors import Conflict, NotFound
from herald.ids import new_id
from herald.library.delivery import media_file
from herald.networks.connector import ConnectedAccount, MediaFile, NetworkConnector, PublishRequest, PublishResult
from herald.networks.errors import (
    AuthExpired,
    AuthRevoked,
    DuplicateContent,
    NetworkError,
    NotSupported,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald.notifications.notifier import Notification
from herald.people.models import User
from herald.publishing import batch_sql, tokens
from herald.publishing.batch_sql import PublicationFacts
from herald.publishing.config import EngineConfig, engine_config
from herald.publishing.models import AccountCredential, Publication, PublicationAttempt
from herald.publishing.planning import (
    gate,
    network_connector,
    refresh_post_status,
    refresh_statuses_of,
)
from herald.runtime import current
from herald.tenancy.models import SocialAccount

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

#: randomness of the backoff jitter (tests may seed it)
jitter = random.Random()
#: a lookup may run on a clock slightly behind ours
LOOKUP_SKEW = timedelta(seconds=60)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def backoff(failures: int, cfg: EngineConfig, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``failures``-th consecutive transient failure: exponential,
    capped, with "equal jitter" (half fixed, half random) so retries spread out."""
    delay = min(cfg.backoff_cap_s, cfg.backoff_base_s * 2 ** max(failures - 1, 0))
    delay = delay / 2 + jitter.uniform(0, delay / 2)
    return max(delay, retry_after or 0.0)


# ----------------------------------------------------------------------------- jobs
def start_batch(publication_ids: list[str], token: str) -> int:
    """The queued job. In a process that opened publishing lanes (``herald worker``), the batch
    is handed to a free lane and the job ends at once, so that the queue's next job starts while
    this batch waits on the network; with every lane busy, the job waits for one (the queue
    backs up, not the process). Elsewhere the batch runs inside the job."""
    lanes = _lanes
    if lanes is None:
        return run_batch(publication_ids, token)
    lanes.submit(publication_ids, token)
    return len(publication_ids)


class Lanes:
    """At most ``size`` batches in flight in this process, each in a thread of its own. At exit
    the interpreter waits for the batches in flight (a stopped worker finishes its work); a
    killed one leaves leases that run out, and its publications are reconciled elsewhere."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="herald-lane")
        self._free = threading.BoundedSemaphore(size)

    def submit(self, publication_ids: list[str], token: str) -> None:
        self._free.acquire()
        try:
            self._pool.submit(self._run, publication_ids, token)
        except BaseException:
            self._free.release()
            raise

    def _run(self, publication_ids: list[str], token: str) -> None:
        try:
            run_batch(publication_ids, token)
        finally:
            self._free.release()

    def close(self) -> None:
        """Wait for the batches in flight."""
        self._pool.shutdown(wait=True)


_lanes: Lanes | None = None


def open_lanes(size: int | None = None) -> Lanes | None:
    """Run queued batches concurrently in this process (``herald worker``); ``size`` defaults to
    ``HERALD_PUBLISH_LANES``. A size of 1 or less keeps batches inside their jobs."""
    global _lanes
    size = engine_config().lanes if size is None else size
    _lanes = Lanes(size) if size > 1 else None
    return _lanes


def close_lanes() -> None:
    global _lanes
    lanes, _lanes = _lanes, None
    if lanes is not None:
        lanes.close()


def run_batch(publication_ids: list[str], token: str) -> int:
    """The queued job: execute the publications the scheduler dispatched under ``token``.
    Returns how many this job executed (others were taken over by a later dispatch).

    The job works in rounds of three stages, whatever the number of publications: one
    transaction takes them, re-checks the gate and commits an attempt row for each; then every
    network call runs concurrently; then one transaction records every outcome (post rows
    first, then publications, as everywhere else). A publication that needs another go at once
    (a lookup found nothing, a token was refreshed) takes part in the next round."""
    rt, cfg = current(), engine_config()
    running: set[str] = set(publication_ids)
    lock = threading.Lock()
    stop = threading.Event()
    renewer = threading.Thread(target=_renew_leases, args=(running, lock, token, stop, cfg), daemon=True,
                               name="herald-lease-renewer")
    taken = 0
    try:
        pending, refreshed = list(publication_ids), set()
        for round_no in range(6):
            if not pending:
                break
            owned, pending = _round(rt, pending, token, refreshed, cfg)
            if round_no == 0:
                taken = owned
                with lock:
                    running.intersection_update(pending)
                if taken:
                    renewer.start()
            else:
                with lock:
                    running.intersection_update(pending)
    except Exception:
        log.exception("publications %s: unexpected failure; their leases expire and they are reconciled",
                      ", ".join(publication_ids))
    finally:
        stop.set()
    return taken


def _round(rt: Any, pending: list[str], token: str, refreshed: set[str], cfg: EngineConfig) -> tuple[int, list[str]]:
    """One round over ``pending``: (how many were ours, those that need another round). Should
    the shared transaction of a stage fail, its publications are taken one by one, so that one
    bad row cannot hold back the others."""
    try:
        taken, calls, post_of = _take_and_prepare(rt, pending, token, cfg)
    except Exception:
        log.exception("preparing %d publication(s) together failed; preparing them one by one", len(pending))
        taken, calls, post_of = 0, {}, {}
        for pub_id in pending:
            try:
                n, one_call, one_post = _take_and_prepare(rt, [pub_id], token, cfg)
            except Exception:
                log.exception("publication %s could not be prepared; its lease runs out and it is tried again",
                              pub_id)
                continue
            taken += n
            calls.update(one_call)
            post_of.update(one_post)
    if not taken:
        return 0, []
    outcomes = _call_all(calls, cfg)
    try:
        again, to_refresh = _record_all(rt, sorted(set(post_of.values())), calls, outcomes, post_of, token,
                                        refreshed, cfg)
    except Exception:
        log.exception("recording %d outcome(s) together failed; recording them one by one", len(calls))
        again, to_refresh = [], []
        for pub_id, call in calls.items():
            try:
                a, r = _record_all(rt, [post_of[pub_id]], {pub_id: call}, outcomes, post_of, token, refreshed, cfg)
            except Exception:
                log.exception("publication %s: the outcome could not be recorded; it is reconciled", pub_id)
                continue
            again += a
            to_refresh += r
        rest = sorted({post_of[p] for p in post_of if p not in calls})
        if rest:
            _record_all(rt, rest, {}, outcomes, post_of, token, refreshed, cfg)
    for pub_id in to_refresh:
        refreshed.add(pub_id)
        error = outcomes[pub_id][1]
        assert isinstance(error, AuthExpired)
        with rt.db.transaction() as session:
            outcome = _refresh(session, pub_id, token, calls[pub_id], error, cfg)
        if outcome == "ok":
            again.append(pub_id)
        else:
            sync_post_status(post_of[pub_id])
    return taken, again


_stage_gate: tuple[int, threading.BoundedSemaphore] | None = None
_stage_gate_lock = threading.Lock()


def _database_stage(fn: Callable[P, R]) -> Callable[P, R]:
    """At most ``db_stages`` batches of this process in a database stage at once (see
    :class:`EngineConfig`)."""

    @functools.wraps(fn)
    def staged(*args: P.args, **kwargs: P.kwargs) -> R:
        global _stage_gate
        size = max(engine_config().db_stages, 1)
        with _stage_gate_lock:
            if _stage_gate is None or _stage_gate[0] != size:
                _stage_gate = (size, threading.BoundedSemaphore(size))
            gate_ = _stage_gate[1]
        with gate_:
            return fn(*args, **kwargs)

    return staged


@_database_stage
def _take_and_prepare(rt: Any, pending: list[str], token: str,
                      cfg: EngineConfig) -> tuple[int, dict[str, _Call], dict[str, str]]:
    """Stage one, in one transaction: lock the publications still ours, re-check each (gate,
    account, rate limit, connector) and write an attempt row for each that goes ahead. Returns
    (how many were ours, the calls to make, publication id → post id).

    Publications that go straight out (the common case) are read, checked and started with a
    handful of set-based statements (:mod:`batch_sql`); the others — a wait, a refusal, a
    reconciliation — are prepared row by row."""
    me = worker_name()
    with rt.db.transaction() as session:
        facts = batch_sql.take(session, pending, token)
        if not facts:
            return 0, {}, {}
        now = utcnow()
        ready: list[tuple[PublicationFacts, tuple[NetworkConnector, ConnectedAccount, PublishRequest]]] = []
        others: list[str] = []
        for f in facts:
            plain = _plain_call(session, f, now)
            if plain is None:
                others.append(f.id)
            else:
                ready.append((f, plain))
        started = batch_sql.start(session, facts, [f for f, _ in ready], me, now, now + timedelta(seconds=cfg.lease_s))
        calls = {f.id: _Call("publish", started[f.id], connector, account, request, None, False)
                 for f, (connector, account, request) in ready}
        if others:
            pubs = list(session.scalars(select(Publication).where(Publication.id.in_(others))
                                        .order_by(Publication.id)))
            loaded = _load_for(session, pubs)
            with audit.appended_last(session):
                for pub in pubs:
                    call = _prepare(session, pub, loaded, cfg, now)
                    if call is not None:
                        calls[pub.id] = call
        post_of = {f.id: f.post_id for f in facts}
        # Commits on leaving the transaction: every attempt exists before any network call.
    return len(facts), calls, post_of


def _plain_call(session: Session, f: PublicationFacts,
                now: datetime) -> tuple[NetworkConnector, ConnectedAccount, PublishRequest] | None:
    """What to call for a publication that simply goes out now — approved, its account connected
    and not held, its connector enabled, no earlier attempt in doubt; None for any other
    (prepared row by row, which settles or defers it with its reason)."""
    if (f.uncertain_since is not None or f.post.status == "failed" or f.content is None or f.account_archived
            or f.connection_state == "reconnect_needed" or not f.has_credentials
            or (f.blocked_until is not None and f.blocked_until > now)):
        return None
    connector = _connector(session, f.tenant_id, f.network)
    if connector is None:
        return None
    try:
        require_publishable(session, f.post, f.content)  # the last check before the network
        request = _request(session, f, f.content)
    except (Conflict, NotFound):
        return None
    if request is None:
        return None
    account = ConnectedAccount(id=f.account_id, remote_id=f.external_id or "", handle=f.handle,
                               tokens=tokens.open_sealed(f.sealed_tokens))
    return connector, account, request


@_database_stage
def _record_all(rt: Any, post_ids: list[str], calls: dict[str, _Call],
                outcomes: dict[str, tuple[PublishResult | None, BaseException | None]], post_of: dict[str, str],
                token: str, refreshed: set[str], cfg: EngineConfig) -> tuple[list[str], list[str]]:
    """Stage three, in one transaction: lock the posts, then the publications, record every
    outcome and derive the posts' statuses. Returns (publications to go round again, those whose
    token is to be refreshed first). Plain successes are recorded set-based (:mod:`batch_sql`),
    everything else row by row."""
    again: list[str] = []
    to_refresh: list[str] = []
    with rt.db.transaction() as session:
        batch_sql.lock_posts(session, post_ids)
        with audit.appended_last(session):
            if calls:
                held = batch_sql.lock_publications(session, list(calls), token)
                now = utcnow()
                done: list[tuple[str, str, PublishResult]] = []
                others: list[str] = []
                for pub_id, call in calls.items():
                    result, error = outcomes[pub_id]
                    h = held.get(pub_id)
                    if h is None:
                        continue
                    if _plain_success(h, call, result, error):
                        assert result is not None
                        done.append((pub_id, call.attempt_id, result))
                        _settled_event(session, pub_id, h.tenant_id, post_of[pub_id], h.account_id, "publishing",
                                       "published", result.remote_id, result.url, None)
                    else:
                        others.append(pub_id)
                batch_sql.record_published(session, done, now)
                if others:
                    again, to_refresh = _record_each(session, others, calls, outcomes, post_of, token, refreshed, cfg)
            refresh_statuses_of(session, post_ids)  # before the audit chains' heads are locked
    return again, to_refresh


def _plain_success(held: batch_sql.Held, call: _Call, result: PublishResult | None,
                   error: BaseException | None) -> bool:
    """A publish call that succeeded, for a publication still this batch's, with nothing more to
    do (no pause): recorded set-based."""
    return (held.owned and call.kind == "publish" and error is None and result is not None
            and result.pause_until is None)


def _record_each(session: Session, pub_ids: list[str], calls: dict[str, _Call],
                 outcomes: dict[str, tuple[PublishResult | None, BaseException | None]], post_of: dict[str, str],
                 token: str, refreshed: set[str], cfg: EngineConfig) -> tuple[list[str], list[str]]:
    """Record the outcomes of the (locked) publications ``pub_ids`` one by one."""
    again: list[str] = []
    to_refresh: list[str] = []
    posts = _preload(session, Post, {post_of[p] for p in pub_ids})
    held = {p.id: p for p in session.scalars(select(Publication).where(Publication.id.in_(sorted(pub_ids)))
                                              .order_by(Publication.id))}
    kept = (_preload(session, SocialAccount, {p.account_id for p in held.values()}),  # noqa: F841
            _preload(session, PublicationAttempt, {calls[p].attempt_id for p in pub_ids}))
    for pub_id in pub_ids:
        pub, post, call = held.get(pub_id), posts.get(post_of[pub_id]), calls[pub_id]
        if pub is None or post is None:
            continue
        result, error = outcomes[pub_id]
        if (isinstance(error, AuthExpired) and pub_id not in refreshed and pub.lease_token == token
                and pub.state == "publishing"):
            to_refresh.append(pub_id)  # refreshed afterwards, each in a transaction of its own
            continue
        if _record(session, pub, post, token, call, result, error, cfg):
            again.append(pub_id)
    return again, to_refresh


def _preload(session: Session, model: Any, ids: set[str]) -> dict[str, Any]:
    """Load rows in one query (id → row). Keep the result while working: the session's identity
    map holds rows weakly, and ``session.get`` finds them there without asking the database."""
    if not ids:
        return {}
    pk = model.__mapper__.primary_key[0]
    return {getattr(row, pk.key): row for row in session.scalars(select(model).where(pk.in_(sorted(ids))))}


@dataclass
class _Loaded:
    """Rows a round works on, loaded a kind at a time."""

    posts: dict[str, Post]
    accounts: dict[str, SocialAccount]
    credentials: dict[str, AccountCredential]
    versions: dict[str, PostVersion]  # post id → its current version


def _load_for(session: Session, pubs: list[Publication]) -> _Loaded:
    posts = _preload(session, Post, {p.post_id for p in pubs})
    accounts = _preload(session, SocialAccount, {p.account_id for p in pubs})
    creds = _preload(session, AccountCredential, {p.account_id for p in pubs})
    missing = [a for a in accounts.values() if a.id not in creds]
    if missing:  # accounts that never had tokens (a network without sign-in)
        tokens.ensure_credentials(session, missing)
        creds = _preload(session, AccountCredential, {p.account_id for p in pubs})
    wanted = [(post.id, post.current_version) for post in posts.values()]
    versions: dict[str, PostVersion] = {}
    if wanted:
        for ver in session.scalars(select(PostVersion).where(tuple_(PostVersion.post_id, PostVersion.number)
                                                             .in_(wanted))):
            versions[ver.post_id] = ver
    return _Loaded(posts, accounts, creds, versions)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _call_all(calls: dict[str, _Call], cfg: EngineConfig) -> dict[str, tuple[PublishResult | None,
                                                                             BaseException | None]]:
    """Make every call, concurrently (``cfg.threads`` at a time per process)."""
    global _pool
    if not calls:
        return {}
    if len(calls) == 1 or cfg.threads <= 1:
        return {pub_id: _outcome(call) for pub_id, call in calls.items()}
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=cfg.threads, thread_name_prefix="herald-publish")
        pool = _pool
    futures = {pub_id: pool.submit(_outcome, call) for pub_id, call in calls.items()}
    return {pub_id: f.result() for pub_id, f in futures.items()}


def _outcome(call: _Call) -> tuple[PublishResult | None, BaseException | None]:
    try:
        return _invoke(call), None
    except Exception as exc:  # every failure is recorded; a kill (BaseException) is not
        return None, exc


def _renew_leases(running: set[str], lock: threading.Lock, token: str, stop: threading.Event,
                  cfg: EngineConfig) -> None:
    while not stop.wait(cfg.lease_s / 3):
        with lock:
            ids = list(running)
        if not ids:
            return
        try:
            with current().db.transaction() as session:
                session.execute(update(Publication).where(
                    Publication.id.in_(ids), Publication.lease_token == token, Publication.state == "publishing")
                    .values(lease_expires_at=utcnow() + timedelta(seconds=cfg.lease_s)))
        except Exception:
            log.exception("could not renew publication leases")


# ----------------------------------------------------------------------------- one publication
@dataclass
class _Call:
    kind: str  # publish | lookup
    attempt_id: str
    connector: NetworkConnector
    account: ConnectedAccount
    request: PublishRequest
    not_before: datetime | None
    earlier_uncertain: bool


def sync_post_status(post_id: str) -> None:
    """Derive the post's status in a transaction of its own, holding the post row (locks are
    always taken post first, then publications, as the API does, so they cannot deadlock)."""
    with current().db.transaction() as session:
        post = session.execute(select(Post).where(Post.id == post_id).with_for_update()).scalar_one_or_none()
        if post is not None:
            refresh_post_status(session, post)


def _invoke(call: _Call) -> PublishResult | None:
    if call.kind == "lookup":
        assert call.not_before is not None
        return call.connector.find_published(call.account, call.request, call.not_before)
    return call.connector.publish(call.account, call.request)


def _lock(session: Session, pub_id: str, token: str) -> Publication | None:
    pub = session.execute(select(Publication).where(Publication.id == pub_id).with_for_update()).scalar_one_or_none()
    if pub is None or pub.lease_token != token or pub.state != "publishing":
        return None
    return pub


def _request(session: Session, pub: Publication | PublicationFacts,
             content: dict[str, Any] | None) -> PublishRequest | None:
    """What the connector gets for ``pub`` (``content``: its post's current version); None when
    the post no longer has its variant. Library media come as the library hands them out (a
    signed link and the file's bytes); media given by URL are fetched by the network."""
    variant = find_variant(content, pub.variant_key) if content is not None else None
    if variant is None:
        return None
    media = [_media(session, pub, m) for m in variant.get("media", [])]
    hints = dict(pub.lookup_hints or {}) if pub.uncertain_since is not None else {}
    return PublishRequest(publication_id=pub.id, text=variant.get("text", ""), media=media,
                          thread=list(variant.get("thread") or []), reply_to=variant.get("reply_to"),
                          quote_of=variant.get("quote_of"),
                          first_comment=variant.get("first_comment"), language=variant.get("language"),
                          link=variant.get("link"), options=dict(variant.get("options") or {}),
                          lookup_hints=MappingProxyType(hints))


def _media(session: Session, pub: Publication | PublicationFacts, item: dict[str, Any]) -> MediaFile:
    if item.get("asset_id"):
        return media_file(session, current().settings, pub.tenant_id, item["asset_id"], alt_text=item.get("alt_text"))
    return MediaFile(kind=item.get("kind", "image"), mime_type=_mime(item), size=0, url=item.get("url"),
                     read=_no_bytes, alt_text=item.get("alt_text"))


def _mime(media: dict[str, Any]) -> str:
    return {"image": "image/jpeg", "video": "video/mp4", "gif": "image/gif", "document": "application/pdf"}.get(
        media.get("kind", "image"), "application/octet-stream")


def _no_bytes() -> bytes:
    raise NotSupported("Media bytes are fetched by the network from the media URL.")


#: (tenant, network) → (connector, until): building a connector reads the tenant's enabled
#: plugins and settings; publications of one account come in bursts, so it is kept briefly.
_connectors: dict[tuple[str, str], tuple[NetworkConnector | None, float]] = {}
CONNECTOR_TTL_S = 5.0


def _connector(session: Session, tenant_id: str, network: str) -> NetworkConnector | None:
    key = (tenant_id, network)
    hit = _connectors.get(key)
    now = time.monotonic()
    if hit is not None and hit[1] > now:
        return hit[0]
    found = network_connector(session, tenant_id, network)
    _connectors[key] = (found, now + CONNECTOR_TTL_S)
    return found


def _prepare(session: Session, pub: Publication, loaded: _Loaded, cfg: EngineConfig,
             now: datetime) -> _Call | None:
    """Check one locked publication and write its attempt row (not yet committed); None when it
    was settled or set to wait instead."""
    post, account = loaded.posts[pub.post_id], loaded.accounts[pub.account_id]
    version = loaded.versions.get(post.id)
    try:
        gate(session, post, version.content if version is not None else {})  # the last check before the network
    except Conflict as exc:
        _settle(session, pub, post, "needs_attention", exc.detail, "not_approved")
        return None
    if account.archived_at is not None:
        _settle(session, pub, post, "failed", "The social account was archived.", "account_archived")
        return None
    if account.connection_state == "reconnect_needed":
        _settle(session, pub, post, "needs_attention", "The account needs reconnecting.", "reconnect_needed")
        return None
    cred = loaded.credentials.get(account.id) or tokens.credential(session, account)
    if cred.blocked_until is not None and cred.blocked_until > now:
        _wait(pub, cred.blocked_until)
        return None
    connector = _connector(session, account.tenant_id, account.network)
    if connector is None:
        _settle(session, pub, post, "needs_attention", f"The {account.network!r} connector is not enabled.",
                "connector_disabled")
        return None
    try:
        request = _request(session, pub, version.content if version is not None else None)
    except (Conflict, NotFound) as exc:  # an asset went away since the gate looked
        _settle(session, pub, post, "needs_attention", exc.detail, "asset_unavailable")
        return None
    if request is None:
        _settle(session, pub, post, "needs_attention", "The post no longer has this variant.", "variant_removed")
        return None
    earlier_uncertain = pub.uncertain_since is not None
    kind = "publish"
    if earlier_uncertain:
        # Close attempts that never reported back (the worker died mid-call) as uncertain.
        session.execute(update(PublicationAttempt).where(PublicationAttempt.publication_id == pub.id,
                                                         PublicationAttempt.outcome == "open")
                        .values(outcome="uncertain", finished_at=now,
                                error="The attempt never reported back (the worker stopped mid-call)."))
        if not connector.capabilities.supports_lookup:
            _settle(session, pub, post, "needs_attention",
                    f"An earlier attempt may have published this post and {connector.display_name or account.network} "
                    "cannot be asked whether it did. Check the account, then retry or cancel.", "uncertain")
            return None
        kind = "lookup"
    pub.attempt_count += 1
    attempt = PublicationAttempt(id=new_id("att"), publication_id=pub.id, number=pub.attempt_count, kind=kind,
                                 worker=worker_name(), started_at=now)
    session.add(attempt)
    if kind == "publish":
        pub.uncertain_since = now  # until the network answers, the post may exist
        pub.lookup_hints = {}  # hints describe the attempts since this one only
    not_before = (pub.uncertain_since - LOOKUP_SKEW) if kind == "lookup" and pub.uncertain_since else None
    return _Call(kind, attempt.id, connector, tokens.connected_account(session, account, cred), request, not_before,
                 earlier_uncertain)


def _wait(pub: Publication, until: datetime) -> None:
    pub.state, pub.due_at = "scheduled", until
    pub.lease_token = pub.lease_owner = pub.lease_expires_at = None


def _settle(session: Session, pub: Publication, post: Post, state: str, message: str | None,
            code: str | None) -> None:
    """A resting state: published, failed or needs attention. Audited; people are told of trouble."""
    before = pub.state
    pub.state = state
    pub.due_at = None
    pub.lease_token = pub.lease_owner = pub.lease_expires_at = None
    if state != "published":
        pub.last_error, pub.last_error_code = message, code
    _settled_event(session, pub.id, pub.tenant_id, post.id, pub.account_id, before, state, pub.remote_id,
                   pub.remote_url, message)
    if state in ("failed", "needs_attention"):
        _tell_author(session, pub, post, state, message)


def _settled_event(session: Session, pub_id: str, tenant_id: str, post_id: str, account_id: str, before: str,
                   state: str, remote_id: str | None, remote_url: str | None, message: str | None) -> None:
    """The audit event of a publication coming to rest in ``state``."""
    audit.record(session, None, f"publication.{state}", "publication", pub_id, tenant_id=tenant_id,
                 before={"state": before},
                 after={"state": state, "remote_id": remote_id, "remote_url": remote_url, "error": message},
                 context={"post_id": post_id, "account_id": account_id})


def _tell_author(session: Session, pub: Publication, post: Post, state: str, message: str | None) -> None:
    from herald.notifications.send import send

    author = session.get(User, post.author_id)
    if author is None or not author.active:
        return
    try:
        send(session, Notification(tenant_id=pub.tenant_id, recipient_id=author.id, recipient_email=author.email,
                                   kind=f"publication.{state}",
                                   title=f"A publication {'failed' if state == 'failed' else 'needs attention'}",
                                   body=message or "", data={"post_id": post.id, "publication_id": pub.id}))
    except Exception:
        log.exception("could not notify the author of post %s", post.id)


def _finish_attempt(session: Session, call: _Call, outcome: str, error: NetworkError | None = None,
                    remote_id: str | None = None) -> None:
    att = session.get(PublicationAttempt, call.attempt_id)
    if att is None:
        return
    att.outcome, att.finished_at, att.remote_id = outcome, utcnow(), remote_id
    if error is not None:
        att.error, att.error_code = error.message, error.code


def _published(session: Session, pub: Publication, post: Post, result: PublishResult) -> None:
    pub.remote_id, pub.remote_url, pub.extra_ids = result.remote_id, result.url, list(result.extra_ids)
    pub.published_at, pub.uncertain_since, pub.lookup_hints = utcnow(), None, {}
    pub.last_error = pub.last_error_code = None
    _settle(session, pub, post, "published", None, None)


def _record(session: Session, pub: Publication, post: Post, token: str, call: _Call, result: PublishResult | None,
            error: BaseException | None, cfg: EngineConfig) -> bool:
    """Record what the network said about the locked ``pub``; True to go round again at once
    (a lookup found nothing)."""
    account = session.get(SocialAccount, pub.account_id)
    assert account is not None
    owned = pub.lease_token == token and pub.state == "publishing"
    if not owned:
        # Another dispatch took over (our lease ran out). Keep the attempt's truth; a success
        # is a fact whoever learns it, anything else is left to the current holder.
        if call.kind == "publish" and result is not None:
            _finish_attempt(session, call, "published", remote_id=result.remote_id)
            if pub.state != "published":
                pub.lease_token = pub.lease_owner = pub.lease_expires_at = None
                _published(session, pub, post, result)
            _pause(session, pub, account, result, utcnow())
        elif isinstance(error, UncertainOutcome) and pub.uncertain_since is not None:
            _remember_hints(pub, error)  # whoever looks the post up next can use them
        return False
    now = utcnow()

    if call.kind == "lookup":
        if error is None:
            if result is not None:
                _finish_attempt(session, call, "found", remote_id=result.remote_id)
                _published(session, pub, post, result)
                _pause(session, pub, account, result, now)
                return False
            _finish_attempt(session, call, "not_found")
            pub.uncertain_since, pub.lookup_hints = None, {}  # certainly not there: publishing now is safe
            return True
        if isinstance(error, (AuthRevoked, AuthExpired)):
            _finish_attempt(session, call, "auth_revoked", error)
            tokens.flag_reconnect(session, account, error.message)
            _settle(session, pub, post, "needs_attention", f"The account needs reconnecting: {error.message}",
                    error.code or "reconnect_needed")
            return False
        net = error if isinstance(error, NetworkError) else None
        _finish_attempt(session, call, "uncertain", net or NetworkError(repr(error)))
        if isinstance(error, UncertainOutcome):
            _remember_hints(pub, error)
        return _retry_later(session, pub, post, account, error, cfg, now)

    # a publish attempt
    if error is None and result is not None:
        _finish_attempt(session, call, "published", remote_id=result.remote_id)
        _published(session, pub, post, result)
        _pause(session, pub, account, result, now)
        return False
    if isinstance(error, DuplicateContent):
        _finish_attempt(session, call, "duplicate", error)
        uncertain, seen_before = _uncertain_history(session, pub, call.attempt_id)
        if uncertain is not None:
            if call.connector.capabilities.supports_lookup and not seen_before:
                pub.uncertain_since = uncertain
                pub.state, pub.due_at = "scheduled", now
                pub.lease_token = pub.lease_owner = pub.lease_expires_at = None
                return False
            pub.uncertain_since = uncertain
            _settle(session, pub, post, "needs_attention",
                    f"The network refused the post as a duplicate after an earlier attempt that may have "
                    f"published it: {error.message}", error.code or "duplicate")
            return False
        pub.uncertain_since = None
        _settle(session, pub, post, "failed", error.message, error.code or "duplicate")
        return False
    if isinstance(error, UncertainOutcome) or not isinstance(error, NetworkError) or isinstance(error, NotSupported):
        if isinstance(error, NotSupported):
            _finish_attempt(session, call, "refused", NetworkError(str(error)))
            pub.uncertain_since = None
            _settle(session, pub, post, "failed", str(error), "not_supported")
            return False
        net = error if isinstance(error, NetworkError) else NetworkError(f"Unexpected error: {error!r}")
        _finish_attempt(session, call, "uncertain", net)
        if isinstance(error, UncertainOutcome):
            _remember_hints(pub, error)
        pub.last_error, pub.last_error_code = net.message, net.code or "uncertain"
        if call.connector.capabilities.supports_lookup:
            return _retry_later(session, pub, post, account, net, cfg, now, keep_uncertain=True)
        _settle(session, pub, post, "needs_attention",
                f"The network may or may not have published this post ({net.message}) and cannot be asked. "
                "Check the account, then retry or cancel.", net.code or "uncertain")
        return False

    # The network answered definitively: nothing was created.
    pub.uncertain_since = None
    if isinstance(error, RateLimited):
        _finish_attempt(session, call, "rate_limited", error)
        return _rate_limited(session, pub, account, error, cfg, now)
    if isinstance(error, (AuthRevoked, AuthExpired)):
        _finish_attempt(session, call, "auth_revoked" if isinstance(error, AuthRevoked) else "auth_expired", error)
        tokens.flag_reconnect(session, account, error.message)
        _settle(session, pub, post, "needs_attention", f"The account needs reconnecting: {error.message}",
                error.code or "reconnect_needed")
        return False
    if isinstance(error, PermanentError):
        _finish_attempt(session, call, "permanent", error)
        _settle(session, pub, post, "failed", error.message, error.code or "permanent")
        return False
    _finish_attempt(session, call, "transient", error)  # TransientError and any other NetworkError
    return _retry_later(session, pub, post, account, error, cfg, now)


def _uncertain_history(session: Session, pub: Publication, current_attempt: str) -> tuple[datetime | None, bool]:
    """(when the earliest attempt that may have created the post began, whether "duplicate" was answered
    before this one). After such an attempt "duplicate" most likely means our own post: look
    it up (once) before believing the refusal."""
    rows = session.execute(select(PublicationAttempt.kind, PublicationAttempt.outcome, PublicationAttempt.started_at)
                           .where(PublicationAttempt.publication_id == pub.id,
                                  PublicationAttempt.id != current_attempt)).all()
    starts = [t for k, o, t in rows if k == "publish" and o in ("uncertain", "open")]
    return (min(starts) if starts else None), any(o == "duplicate" for _, o, _ in rows)


def _retry_later(session: Session, pub: Publication, post: Post, account: SocialAccount, error: BaseException,
                 cfg: EngineConfig, now: datetime, keep_uncertain: bool = False) -> bool:
    if isinstance(error, RateLimited):
        return _rate_limited(session, pub, account, error, cfg, now)
    message = error.message if isinstance(error, NetworkError) else repr(error)
    code = error.code if isinstance(error, NetworkError) else None
    pub.transient_failures += 1
    pub.last_error, pub.last_error_code = message, code or "transient"
    if pub.transient_failures >= cfg.max_transient_failures:
        _settle(session, pub, post, "needs_attention" if pub.uncertain_since else "failed",
                f"Gave up after {pub.transient_failures} attempts: {message}", code or "transient")
        return False
    retry_after = error.retry_after if isinstance(error, TransientError) else None
    _wait(pub, now + timedelta(seconds=backoff(pub.transient_failures, cfg, retry_after)))
    return False


def _rate_limited(session: Session, pub: Publication, account: SocialAccount, error: RateLimited,
                  cfg: EngineConfig, now: datetime) -> bool:
    until = error.reset_at if error.reset_at and error.reset_at > now else now + timedelta(
        seconds=cfg.default_rate_limit_wait_s)
    pub.last_error, pub.last_error_code = error.message, error.code or "rate_limited"
    _wait(pub, until)
    _hold_account(session, pub, account, until, error.message)
    return False


def _pause(session: Session, pub: Publication, account: SocialAccount, result: PublishResult | None,
           now: datetime) -> None:
    """A success whose usage signals say the account's allowance is spent: hold the account
    until ``result.pause_until``, as a rate limit does, so that nothing calls early."""
    until = result.pause_until if result is not None else None
    if until is None:
        return
    if until.tzinfo is None:
        until = until.replace(tzinfo=now.tzinfo)
    held = tokens.credential(session, account).blocked_until
    if until <= now or (held is not None and held >= until):
        return
    _hold_account(session, pub, account, until,
                  f"The network's usage limits for this account are reached; publishing resumes at "
                  f"{until.isoformat(timespec='seconds')}.")


def _hold_account(session: Session, pub: Publication, account: SocialAccount, until: datetime,
                  reason: str) -> None:
    cred = tokens.credential(session, account)
    cred.blocked_until, cred.blocked_reason = until, reason
    # Everything else due on this account before then waits too, without calling. Rows
    # another worker holds are skipped (no lock cycles): they see ``blocked_until`` themselves.
    waiting = select(Publication.id).where(
        Publication.account_id == account.id, Publication.state == "scheduled", Publication.due_at < until,
        Publication.id != pub.id).with_for_update(skip_locked=True)
    session.execute(update(Publication).where(Publication.id.in_(waiting))
                    .values(due_at=until))


def _remember_hints(pub: Publication, error: UncertainOutcome) -> None:
    """Merge the hints of an uncertain outcome into the publication's (later values win). Hints
    that are not JSON are left out with a warning: they could not be stored."""
    hints = getattr(error, "hints", None) or {}
    kept: dict[str, Any] = {}
    for key, value in hints.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            log.warning("publication %s: lookup hint %r is not JSON and is left out", pub.id, key)
            continue
        kept[str(key)] = value
    if kept:
        pub.lookup_hints = {**(pub.lookup_hints or {}), **kept}  # a new dict: the column sees the change


def _refresh(session: Session, pub_id: str, token: str, call: _Call, error: AuthExpired,
             cfg: EngineConfig) -> str:
    """An access token expired: refresh once. "ok" goes round again; otherwise settled here."""
    pub = _lock(session, pub_id, token)
    if pub is None:
        return "lost"
    post = session.get(Post, pub.post_id)
    account = session.get(SocialAccount, pub.account_id)
    assert post is not None and account is not None
    _finish_attempt(session, call, "auth_expired", error)
    if call.kind == "publish":
        pub.uncertain_since = None  # the network refused the token: nothing was created
    outcome = tokens.refresh(session, call.connector, account)
    if outcome == "ok":
        return "ok"
    if outcome == "revoked":
        _settle(session, pub, post, "needs_attention",
                f"The account needs reconnecting: {account_reason(session, account) or error.message}",
                "reconnect_needed")
        return outcome
    _retry_later(session, pub, post, account, TransientError("Refreshing the access token failed; will retry."),
                 cfg, utcnow())
    return outcome


def account_reason(session: Session, account: SocialAccount) -> str | None:
    return tokens.credential(session, account).reconnect_reason

