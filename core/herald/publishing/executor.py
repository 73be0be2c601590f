"""Executing publications: the worker side of the engine.

For each publication of a job: take the lease the scheduler handed out, re-check the approval
gate, write the attempt row and commit it, and only then call the network; record what
happened. A publication whose earlier attempt never reported back (the worker died mid-call)
or ended uncertain is reconciled first — looked up with ``find_published`` when the network
can, otherwise set aside for a person — and never blindly created again."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from herald import audit
from herald.clock import utcnow
from herald.content.models import Post, PostVersion
from herald.errors import Conflict
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
from herald.publishing import tokens
from herald.publishing.config import EngineConfig, engine_config
from herald.publishing.models import Publication, PublicationAttempt
from herald.publishing.planning import connector_for, find_variant, gate, refresh_post_status
from herald.runtime import current
from herald.tenancy.models import SocialAccount

log = logging.getLogger(__name__)

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
def run_batch(publication_ids: list[str], token: str) -> int:
    """The queued job: execute the publications the scheduler dispatched under ``token``.
    Returns how many this job executed (others were taken over by a later dispatch)."""
    rt, cfg = current(), engine_config()
    me = worker_name()
    now = utcnow()
    with rt.db.transaction() as session:
        owned = dict(session.execute(select(Publication.id, Publication.post_id).where(
            Publication.id.in_(publication_ids), Publication.lease_token == token,
            Publication.state == "publishing").with_for_update()).all())
        mine = list(owned)
        if mine:
            session.execute(update(Publication).where(Publication.id.in_(mine), Publication.lease_token == token)
                            .values(lease_owner=me, lease_expires_at=now + timedelta(seconds=cfg.lease_s)))
    if not mine:
        return 0
    running = set(mine)
    lock = threading.Lock()
    stop = threading.Event()
    renewer = threading.Thread(target=_renew_leases, args=(running, lock, token, stop, cfg), daemon=True,
                               name="herald-lease-renewer")
    renewer.start()

    def one(pub_id: str) -> None:
        try:
            execute(pub_id, token, owned[pub_id])
        except Exception:
            log.exception("publication %s: unexpected failure; its lease will expire and it is reconciled", pub_id)
        finally:
            with lock:
                running.discard(pub_id)

    try:
        if len(mine) == 1 or cfg.threads <= 1:
            for pub_id in mine:
                one(pub_id)
        else:
            with ThreadPoolExecutor(max_workers=min(cfg.threads, len(mine)), thread_name_prefix="herald-publish") as ex:
                list(ex.map(one, mine))
    finally:
        stop.set()
    return len(mine)


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


def execute(pub_id: str, token: str, post_id: str) -> None:
    """Run one publication to its next resting state (published, failed, needs attention, or
    scheduled again after a backoff / rate-limit wait)."""
    try:
        _execute(pub_id, token)
    finally:
        sync_post_status(post_id)


def sync_post_status(post_id: str) -> None:
    """Derive the post's status in a transaction of its own, holding the post row: the last of
    several concurrent publications of one post sees all the others' outcomes, and locks are
    always taken post first, then publications (as the API does), so they cannot deadlock."""
    with current().db.transaction() as session:
        post = session.execute(select(Post).where(Post.id == post_id).with_for_update()).scalar_one_or_none()
        if post is not None:
            refresh_post_status(session, post)


def _execute(pub_id: str, token: str) -> None:
    rt, cfg = current(), engine_config()
    refreshed = False
    for _ in range(6):
        with rt.db.transaction() as session:
            call = _prepare(session, pub_id, token, cfg)
        if call is None:
            return
        try:
            result = _invoke(call)
            error: BaseException | None = None
        except Exception as exc:  # every failure is recorded; a kill (BaseException) is not
            result, error = None, exc
        if isinstance(error, AuthExpired) and not refreshed:
            refreshed = True
            with rt.db.transaction() as session:
                outcome = _refresh(session, pub_id, token, call, error, cfg)
            if outcome == "ok":
                continue
            return
        with rt.db.transaction() as session:
            again = _record(session, pub_id, token, call, result, error, cfg)
        if not again:
            return


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


def _request(session: Session, pub: Publication, post: Post) -> PublishRequest | None:
    ver = session.execute(select(PostVersion).where(PostVersion.post_id == post.id,
                                                    PostVersion.number == post.current_version)).scalar_one()
    variant = find_variant(ver.content, pub.variant_key)
    if variant is None:
        return None
    media = [MediaFile(kind=m.get("kind", "image"), mime_type=_mime(m), size=0, url=m.get("url"),
                       read=_no_bytes, alt_text=m.get("alt_text")) for m in variant.get("media", [])]
    return PublishRequest(publication_id=pub.id, text=variant.get("text", ""), media=media,
                          first_comment=variant.get("first_comment"), language=variant.get("language"))


def _mime(media: dict[str, Any]) -> str:
    return {"image": "image/jpeg", "video": "video/mp4", "gif": "image/gif", "document": "application/pdf"}.get(
        media.get("kind", "image"), "application/octet-stream")


def _no_bytes() -> bytes:
    raise NotSupported("Media bytes are fetched by the network from the media URL.")


#: (tenant, network) → (connector, until): building a connector reads the tenant's enabled
#: plugins and settings; publications of one account come in bursts, so it is kept briefly.
_connectors: dict[tuple[str, str], tuple[NetworkConnector | None, float]] = {}
CONNECTOR_TTL_S = 5.0


def _connector(session: Session, account: SocialAccount) -> NetworkConnector | None:
    key = (account.tenant_id, account.network)
    hit = _connectors.get(key)
    now = time.monotonic()
    if hit is not None and hit[1] > now:
        return hit[0]
    found = connector_for(session, account)
    _connectors[key] = (found, now + CONNECTOR_TTL_S)
    return found


def _prepare(session: Session, pub_id: str, token: str, cfg: EngineConfig) -> _Call | None:
    pub = _lock(session, pub_id, token)
    if pub is None:
        return None
    post = session.get(Post, pub.post_id)
    account = session.get(SocialAccount, pub.account_id)
    assert post is not None and account is not None
    now = utcnow()
    try:
        gate(session, post)  # the last check before the network
    except Conflict as exc:
        _settle(session, pub, post, "needs_attention", exc.detail, "not_approved")
        return None
    if account.archived_at is not None:
        _settle(session, pub, post, "failed", "The social account was archived.", "account_archived")
        return None
    if account.connection_state == "reconnect_needed":
        _settle(session, pub, post, "needs_attention", "The account needs reconnecting.", "reconnect_needed")
        return None
    cred = tokens.credential(session, account)
    if cred.blocked_until is not None and cred.blocked_until > now:
        _wait(pub, cred.blocked_until)
        return None
    connector = _connector(session, account)
    if connector is None:
        _settle(session, pub, post, "needs_attention", f"The {account.network!r} connector is not enabled.",
                "connector_disabled")
        return None
    request = _request(session, pub, post)
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
    attempt = PublicationAttempt(publication_id=pub.id, number=pub.attempt_count, kind=kind, worker=worker_name(),
                                 started_at=now)
    session.add(attempt)
    if kind == "publish":
        pub.uncertain_since = now  # until the network answers, the post may exist
    session.flush()
    not_before = (pub.uncertain_since - LOOKUP_SKEW) if kind == "lookup" and pub.uncertain_since else None
    # Commits on leaving the transaction: the attempt exists before the network is called.
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
    audit.record(session, None, f"publication.{state}", "publication", pub.id, tenant_id=pub.tenant_id,
                 before={"state": before},
                 after={"state": state, "remote_id": pub.remote_id, "remote_url": pub.remote_url, "error": message},
                 context={"post_id": post.id, "account_id": pub.account_id})
    if state in ("failed", "needs_attention"):
        _tell_author(session, pub, post, state, message)


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
    pub.published_at, pub.uncertain_since = utcnow(), None
    pub.last_error = pub.last_error_code = None
    _settle(session, pub, post, "published", None, None)


def _record(session: Session, pub_id: str, token: str, call: _Call, result: PublishResult | None,
            error: BaseException | None, cfg: EngineConfig) -> bool:
    """Record what the network said; True to go round again at once (a lookup found nothing)."""
    pub = session.execute(select(Publication).where(Publication.id == pub_id).with_for_update()).scalar_one()
    post = session.get(Post, pub.post_id)
    account = session.get(SocialAccount, pub.account_id)
    assert post is not None and account is not None
    owned = pub.lease_token == token and pub.state == "publishing"
    if not owned:
        # Another dispatch took over (our lease ran out). Keep the attempt's truth; a success
        # is a fact whoever learns it, anything else is left to the current holder.
        if call.kind == "publish" and result is not None:
            _finish_attempt(session, call, "published", remote_id=result.remote_id)
            if pub.state != "published":
                pub.lease_token = pub.lease_owner = pub.lease_expires_at = None
                _published(session, pub, post, result)
        return False
    now = utcnow()

    if call.kind == "lookup":
        if error is None:
            if result is not None:
                _finish_attempt(session, call, "found", remote_id=result.remote_id)
                _published(session, pub, post, result)
                return False
            _finish_attempt(session, call, "not_found")
            pub.uncertain_since = None  # certainly not there: publishing now is safe
            return True
        if isinstance(error, (AuthRevoked, AuthExpired)):
            _finish_attempt(session, call, "auth_revoked", error)
            tokens.flag_reconnect(session, account, error.message)
            _settle(session, pub, post, "needs_attention", f"The account needs reconnecting: {error.message}",
                    error.code or "reconnect_needed")
            return False
        net = error if isinstance(error, NetworkError) else None
        _finish_attempt(session, call, "uncertain", net or NetworkError(repr(error)))
        return _retry_later(session, pub, post, account, error, cfg, now)

    # a publish attempt
    if error is None and result is not None:
        _finish_attempt(session, call, "published", remote_id=result.remote_id)
        _published(session, pub, post, result)
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
    cred = tokens.credential(session, account)
    cred.blocked_until, cred.blocked_reason = until, error.message
    pub.last_error, pub.last_error_code = error.message, error.code or "rate_limited"
    _wait(pub, until)
    # Everything else due on this account before the reset waits too, without calling. Rows
    # another worker holds are skipped (no lock cycles): they see ``blocked_until`` themselves.
    waiting = select(Publication.id).where(
        Publication.account_id == account.id, Publication.state == "scheduled", Publication.due_at < until,
        Publication.id != pub.id).with_for_update(skip_locked=True)
    session.execute(update(Publication).where(Publication.id.in_(waiting))
                    .values(due_at=until))
    return False


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

