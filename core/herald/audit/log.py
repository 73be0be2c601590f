"""The one way to write an audit event: in the caller's transaction, so a change and its audit
event commit together or not at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from herald.audit.hashing import GENESIS, event_hash, jsonable
from herald.audit.keys import signing_key
from herald.audit.models import PLATFORM_CHAIN, AuditChain, AuditEvent
from herald.clock import utcnow
from herald.db.sets import among
from herald.ids import new_id

if TYPE_CHECKING:
    from herald.authz.actor import Actor

REDACTED = "***"


def chain_for(tenant_id: str | None) -> str:
    return tenant_id or PLATFORM_CHAIN


def snapshot(obj: object, fields: list[str] | tuple[str, ...], secret: tuple[str, ...] = ()) -> dict[str, Any]:
    """A JSON-safe picture of ``obj``'s fields for before/after; secret fields are redacted."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = REDACTED if name in secret and value else value
    return jsonable(out)


def _lock_head(session: Session, chain: str) -> AuditChain:
    """The chain's head row, locked until the transaction ends (see :func:`_lock_heads`)."""
    return _lock_heads(session, [chain])[chain]


def _lock_heads(session: Session, chains: list[str]) -> dict[str, AuditChain]:
    """The heads of ``chains``, locked until the transaction ends, in one sorted order (two
    transactions locking overlapping chains never deadlock) and with one statement for all the
    heads this transaction does not hold yet. Locked once per transaction: a transaction that
    appends many events (the publishing engine records a batch of outcomes at once) reuses the
    heads it already holds. Not inside a savepoint, whose rollback would release the lock while
    the head stayed remembered."""
    session.connection()  # begins the transaction if nothing did yet
    tx = session.get_transaction()
    held: tuple[object, dict[str, AuditChain]] | None = session.info.get(_HEADS)
    nested = session.get_nested_transaction() is not None
    reusable = held[1] if not nested and held is not None and held[0] is tx else {}
    wanted = sorted(set(chains) - set(reusable))
    heads = {chain: reusable[chain] for chain in chains if chain in reusable}
    if wanted:
        _create_heads_apart(session, wanted)
        # ORDER BY under FOR UPDATE: the rows are locked in that order
        locked = list(session.scalars(select(AuditChain).where(among(session, AuditChain.chain, wanted))
                                      .order_by(AuditChain.chain).with_for_update()).all())
        missing = sorted(set(wanted) - {head.chain for head in locked})
        if missing:  # created here, in this transaction (SQLite; or a head created apart went away since)
            dialect = session.get_bind().dialect.name
            ins = pg_insert if dialect == "postgresql" else sqlite_insert
            session.execute(ins(AuditChain).values([{"chain": c, "last_seq": 0, "last_hash": GENESIS}
                                                    for c in missing]).on_conflict_do_nothing())
            locked += session.scalars(select(AuditChain).where(among(session, AuditChain.chain, missing))
                                      .order_by(AuditChain.chain).with_for_update()).all()
        heads.update({head.chain: head for head in locked})
        if not nested:
            if held is None or held[0] is not tx:
                held = (tx, {})
                session.info[_HEADS] = held
            held[1].update({head.chain: head for head in locked})
    return heads


_HEADS = "herald.audit.heads"
#: chains whose head this process has seen exist (heads are never deleted)
_existing: set[str] = set()


def _create_heads_apart(session: Session, chains: list[str]) -> None:
    """On PostgreSQL, make sure the heads of ``chains`` exist before locking any of them, in a
    short transaction of its own: created inside the caller's transaction, after it locked the
    heads that existed, a new head would be locked out of the one order, and two transactions
    creating heads at once (a tenant's first events, from several batches) could deadlock. An
    empty head (sequence 0) is a valid start of a chain whatever becomes of the caller. Elsewhere
    (SQLite serialises writers) heads are created in the caller's transaction."""
    unknown = [c for c in chains if c not in _existing]
    if not unknown or session.get_bind().dialect.name != "postgresql":
        return
    with session.get_bind().connect() as conn:
        conn.execute(pg_insert(AuditChain).values([{"chain": c, "last_seq": 0, "last_hash": GENESIS}
                                                   for c in unknown]).on_conflict_do_nothing())
        conn.commit()
    _existing.update(unknown)


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: str | None,
    *,
    tenant_id: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> str:
    """Append one event to the tenant's chain (the platform chain when ``tenant_id`` is None);
    returns the event's id.

    ``actor`` None means the system itself (a CLI run without a user, a scheduled job). Inside
    :func:`appended_last` the event is appended when that block ends."""
    chain = chain_for(tenant_id)
    fields: dict[str, Any] = {
        "id": new_id("evt"),
        "chain": chain,
        "tenant_id": tenant_id,
        "actor_id": actor.user_id if actor else None,
        "actor_label": actor.audit_label if actor else "system",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": jsonable(before),
        "after": jsonable(after),
        "context": jsonable({**(actor.audit_context() if actor else {}), **(context or {})}),
        "at": utcnow(),
    }
    waiting: list[dict[str, Any]] | None = session.info.get(_DEFERRED)
    if waiting is not None:
        waiting.append(fields)
    else:
        head = _lock_head(session, chain)
        _chain(head, fields)
        session.add(AuditEvent(**fields))
        # Written with the caller's next flush (at the latest, at commit): many events in one
        # transaction go out as one multi-row insert and one update of the head.
    return fields["id"]


def _chain(head: AuditChain, fields: dict[str, Any]) -> None:
    """Give the event its place after ``head`` (sequence, previous hash, own hash) and move the head."""
    key_id, key = signing_key()
    fields["chain_seq"] = head.last_seq + 1
    fields["prev_hash"] = head.last_hash
    fields["key_id"] = key_id
    fields["hash"] = event_hash(fields, key)
    head.last_seq, head.last_hash = fields["chain_seq"], fields["hash"]


@contextmanager
def appended_last(session: Session) -> Iterator[None]:
    """Events recorded inside this block are appended when it ends without error, chain by chain
    in one sorted order, in one multi-row insert. A transaction holds a chain's head from its
    first append until it commits, and every change in that tenant waits meanwhile: appending
    last keeps that short, and the one order keeps two such transactions from deadlocking."""
    outer = session.info.get(_DEFERRED)
    waiting: list[dict[str, Any]] = []
    session.info[_DEFERRED] = waiting
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(_DEFERRED, None)
        else:
            session.info[_DEFERRED] = outer
    if outer is not None:
        outer.extend(waiting)
        return
    if not waiting:
        return
    session.flush()  # the transaction's other writes first: the heads are held only for the appends
    heads = _lock_heads(session, [e["chain"] for e in waiting])
    rows = []
    for chain in sorted(heads):
        for fields in waiting:
            if fields["chain"] == chain:
                _chain(heads[chain], fields)
                rows.append(fields)
    _insert_events(session, rows)
    session.flush()  # the heads' new positions


_EVENT_COLUMNS = ("id", "chain", "chain_seq", "tenant_id", "actor_id", "actor_label", "action", "object_type",
                  "object_id", "before", "after", "context", "at", "prev_hash", "hash", "key_id")
_PG_ARRAY = {"chain_seq": "bigint[]", "before": "text[]", "after": "text[]", "context": "text[]",
             "at": "timestamptz[]"}
_PG_INSERT_EVENTS = text(
    f"INSERT INTO audit_events ({', '.join(_EVENT_COLUMNS)}) "
    "SELECT " + ", ".join(f"CAST(v.{c} AS jsonb)" if c in ("before", "after", "context") else f"v.{c}"
                          for c in _EVENT_COLUMNS)
    + " FROM unnest(" + ", ".join(f"CAST(:{c} AS {_PG_ARRAY.get(c, 'varchar[]')})" for c in _EVENT_COLUMNS)
    + f") AS v({', '.join(_EVENT_COLUMNS)})")


def _insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """One statement for all the events, whatever their number (one array per column on
    PostgreSQL; a multi-row insert elsewhere). JSON values are stored as SQLAlchemy stores them
    (``None`` as JSON null)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(AuditEvent), rows)
        return
    columns: dict[str, list[Any]] = {c: [r[c] for r in rows] for c in _EVENT_COLUMNS}
    for c in ("before", "after", "context"):
        columns[c] = [json.dumps(v) for v in columns[c]]
    session.execute(_PG_INSERT_EVENTS, columns)


_DEFERRED = "herald.audit.deferred"
