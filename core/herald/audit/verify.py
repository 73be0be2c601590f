"""Checks a chain end to end: every hash recomputes, every link points at its predecessor,
sequence numbers have no gaps, and the head matches the last event (no tail was cut off)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.audit.hashing import GENESIS, event_hash
from herald.audit.models import AuditChain, AuditEvent

_FIELDS = (
    "id", "chain", "chain_seq", "tenant_id", "actor_id", "actor_label", "action",
    "object_type", "object_id", "before", "after", "context", "at", "prev_hash",
)


@dataclass
class ChainReport:
    chain: str
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, chain: str, batch: int = 1000) -> ChainReport:
    report = ChainReport(chain)
    head = session.get(AuditChain, chain)
    prev_hash, expected_seq = GENESIS, 1
    last_seq = 0
    while True:
        rows = session.execute(
            select(AuditEvent)
            .where(AuditEvent.chain == chain, AuditEvent.chain_seq >= expected_seq)
            .order_by(AuditEvent.chain_seq)
            .limit(batch)
        ).scalars().all()
        if not rows:
            break
        for ev in rows:
            report.events += 1
            if ev.chain_seq != expected_seq:
                report.problems.append(f"event #{expected_seq} is missing (next found is #{ev.chain_seq})")
            if ev.prev_hash != prev_hash:
                report.problems.append(f"event #{ev.chain_seq} ({ev.id}) does not link to its predecessor")
            if event_hash({f: getattr(ev, f) for f in _FIELDS}) != ev.hash:
                report.problems.append(
                    f"event #{ev.chain_seq} ({ev.id}) was altered: its hash does not match its content")
            prev_hash, expected_seq, last_seq = ev.hash, ev.chain_seq + 1, ev.chain_seq
        session.expunge_all()
    if head is None:
        if report.events:
            report.problems.append("the chain head is missing")
    elif head.last_seq != last_seq or head.last_hash != prev_hash:
        report.problems.append(
            f"the chain head records {head.last_seq} events but the log ends at #{last_seq}: events were removed"
        )
    return report


def verify_all(session: Session) -> list[ChainReport]:
    chains = set(session.execute(select(AuditChain.chain)).scalars())
    chains |= set(session.execute(select(AuditEvent.chain).distinct()).scalars())
    return [verify_chain(session, c) for c in sorted(chains)]
