"""The set-based statements of the engine's common path: a batch's publications read with what
is checked before the call in one joined query, their attempts started in one insert, and the
successes recorded in one statement per table — instead of one ORM object per row. Anything
else (a wait, a refusal, a lookup, an error) goes through the engine's row-by-row path in the
same transaction. The statements write exactly what that path writes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, insert, literal, select, text, update
from sqlalchemy.orm import Session

from herald.content.models import Post, PostVersion
from herald.db import JSONType
from herald.db.sets import among
from herald.ids import new_id
from herald.networks.connector import PublishResult
from herald.publishing.models import AccountCredential, Publication, PublicationAttempt
from herald.tenancy.models import SocialAccount

_pubs = Publication.__table__
_attempts = PublicationAttempt.__table__


@dataclass(frozen=True)
class PostFacts:
    """What the approval gate reads of a post."""

    id: str
    tenant_id: str
    status: str
    approved_version: int | None
    current_version: int


@dataclass(frozen=True)
class PublicationFacts:
    """A locked publication with everything the engine checks before calling its network."""

    id: str
    tenant_id: str
    post_id: str
    account_id: str
    variant_key: str
    attempt_count: int
    uncertain_since: datetime | None
    lookup_hints: dict[str, Any]
    post: PostFacts
    content: dict[str, Any] | None  # the post's current version
    account_archived: bool
    connection_state: str
    network: str
    external_id: str | None
    handle: str
    has_credentials: bool
    blocked_until: datetime | None
    sealed_tokens: str | None


def take(session: Session, ids: Sequence[str], token: str) -> list[PublicationFacts]:
    """Lock the publications of ``ids`` still dispatched under ``token`` (in id order, as every
    other path locks them) and read them with their post, current version, account and
    credentials in one query."""
    stmt = (
        select(Publication.id, Publication.tenant_id, Publication.post_id, Publication.account_id,
               Publication.variant_key, Publication.attempt_count, Publication.uncertain_since,
               Publication.lookup_hints,
               Post.status, Post.approved_version, Post.current_version, PostVersion.content,
               SocialAccount.archived_at, SocialAccount.connection_state, SocialAccount.network,
               SocialAccount.external_id, SocialAccount.handle,
               AccountCredential.account_id, AccountCredential.blocked_until, AccountCredential.sealed_tokens)
        .join(Post, Post.id == Publication.post_id)
        .join(SocialAccount, SocialAccount.id == Publication.account_id)
        .outerjoin(AccountCredential, AccountCredential.account_id == Publication.account_id)
        .outerjoin(PostVersion, and_(PostVersion.post_id == Post.id, PostVersion.number == Post.current_version))
        .where(among(session, Publication.id, ids), Publication.lease_token == token,
               Publication.state == "publishing")
        .order_by(Publication.id)
        .with_for_update(of=Publication)
    )
    out = []
    for (pub_id, tenant_id, post_id, account_id, variant_key, attempts, uncertain, hints, status, approved,
         current_version, content, archived_at, connection, network, external_id, handle, cred, blocked,
         sealed) in session.execute(stmt):
        out.append(PublicationFacts(
            id=pub_id, tenant_id=tenant_id, post_id=post_id, account_id=account_id, variant_key=variant_key,
            attempt_count=attempts, uncertain_since=uncertain, lookup_hints=hints or {},
            post=PostFacts(post_id, tenant_id, status, approved, current_version), content=content,
            account_archived=archived_at is not None, connection_state=connection, network=network,
            external_id=external_id, handle=handle, has_credentials=cred is not None, blocked_until=blocked,
            sealed_tokens=sealed))
    return out


def start(session: Session, facts: Sequence[PublicationFacts], plain: Sequence[PublicationFacts], worker: str,
          now: datetime, until: datetime) -> dict[str, str]:
    """The worker takes the leases of the locked ``facts`` over from the dispatch (until
    ``until``), and opens a publish attempt for each of ``plain`` among them (publication id →
    attempt id): the attempt row, the attempt count, and ``uncertain_since`` — until the
    network answers, the post may exist — with the lookup hints emptied (they describe the
    attempts since this one only). One update of the publications, one insert of attempts."""
    started = {f.id: new_id("att") for f in plain}
    if not facts:
        return started
    opening = among(session, _pubs.c.id, started) if started else literal(False)
    session.execute(update(_pubs).where(among(session, _pubs.c.id, [f.id for f in facts])).values(
        lease_owner=worker, lease_expires_at=until,
        attempt_count=case((opening, _pubs.c.attempt_count + 1), else_=_pubs.c.attempt_count),
        uncertain_since=case((opening, now), else_=_pubs.c.uncertain_since),
        lookup_hints=case((opening, literal({}, JSONType)), else_=_pubs.c.lookup_hints)))
    if not started:
        return started
    if _postgres(session):
        session.execute(text(
            "INSERT INTO publication_attempts (id, publication_id, number, kind, worker, started_at, outcome) "
            "SELECT v.id, v.publication_id, v.number, 'publish', :worker, :now, 'open' "
            "FROM unnest(CAST(:ids AS varchar[]), CAST(:pubs AS varchar[]), CAST(:numbers AS integer[])) "
            "AS v(id, publication_id, number)"),
            {"worker": worker, "now": now, "ids": [started[f.id] for f in plain], "pubs": [f.id for f in plain],
             "numbers": [f.attempt_count + 1 for f in plain]})
    else:
        session.execute(insert(_attempts), [
            {"id": started[f.id], "publication_id": f.id, "number": f.attempt_count + 1, "kind": "publish",
             "worker": worker, "started_at": now, "outcome": "open"} for f in plain])
    return started


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@dataclass(frozen=True)
class Held:
    """A locked publication of a batch being recorded, as the recording needs it."""

    id: str
    tenant_id: str
    account_id: str
    owned: bool  # still dispatched under this batch's token


def lock_posts(session: Session, post_ids: Sequence[str]) -> None:
    """Lock the posts (in id order: posts before publications, everywhere)."""
    if post_ids:
        session.execute(select(Post.id).where(among(session, Post.id, post_ids)).order_by(Post.id)
                        .with_for_update())


def lock_publications(session: Session, ids: Sequence[str], token: str) -> dict[str, Held]:
    """Lock the publications ``ids`` (in id order) and say which are still this batch's."""
    rows = session.execute(select(Publication.id, Publication.tenant_id, Publication.account_id,
                                  Publication.lease_token, Publication.state)
                           .where(among(session, Publication.id, ids)).order_by(Publication.id).with_for_update())
    return {pub_id: Held(pub_id, tenant_id, account_id, lease == token and state == "publishing")
            for pub_id, tenant_id, account_id, lease, state in rows}


def record_published(session: Session, done: Sequence[tuple[str, str, PublishResult]], now: datetime) -> None:
    """Record successes, ``(publication id, attempt id, the network's answer)`` each, as the
    row-by-row path does: the attempt closed as published, the publication published with what
    the network answered, its lease, due time, uncertainty, hints and last error cleared."""
    if not done:
        return
    if _postgres(session):  # one statement per table, whatever the batch's size
        session.execute(text(
            "UPDATE publication_attempts AS a SET outcome = 'published', finished_at = :now, remote_id = v.remote_id "
            "FROM unnest(CAST(:ids AS varchar[]), CAST(:remote_ids AS varchar[])) AS v(id, remote_id) "
            "WHERE a.id = v.id"),
            {"now": now, "ids": [a for _, a, _ in done], "remote_ids": [r.remote_id for _, _, r in done]})
        session.execute(text(
            "UPDATE publications AS p SET state = 'published', remote_id = v.remote_id, remote_url = v.remote_url, "
            "extra_ids = CAST(v.extra_ids AS jsonb), published_at = :now, uncertain_since = NULL, "
            "lookup_hints = CAST('{}' AS jsonb), last_error = NULL, last_error_code = NULL, due_at = NULL, "
            "lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now "
            "FROM unnest(CAST(:ids AS varchar[]), CAST(:remote_ids AS varchar[]), CAST(:urls AS varchar[]), "
            "CAST(:extra AS text[])) AS v(id, remote_id, remote_url, extra_ids) WHERE p.id = v.id"),
            {"now": now, "ids": [p for p, _, _ in done], "remote_ids": [r.remote_id for _, _, r in done],
             "urls": [r.url for _, _, r in done], "extra": [json.dumps(list(r.extra_ids)) for _, _, r in done]})
        return
    session.execute(
        update(_attempts).where(_attempts.c.id == bindparam("b_attempt")).values(
            outcome="published", finished_at=now, remote_id=bindparam("b_remote_id")),
        [{"b_attempt": attempt_id, "b_remote_id": result.remote_id} for _, attempt_id, result in done])
    session.execute(
        update(_pubs).where(_pubs.c.id == bindparam("b_id")).values(
            state="published", remote_id=bindparam("b_remote_id"), remote_url=bindparam("b_remote_url"),
            extra_ids=bindparam("b_extra_ids", type_=_pubs.c.extra_ids.type), published_at=now,
            uncertain_since=None, lookup_hints={}, last_error=None, last_error_code=None, due_at=None,
            lease_token=None, lease_owner=None, lease_expires_at=None),
        [{"b_id": pub_id, "b_remote_id": result.remote_id, "b_remote_url": result.url,
          "b_extra_ids": list(result.extra_ids)} for pub_id, _, result in done])
