"""Checks a chain end to end: every hash recomputes (HMAC under the instance key the event names;
plain SHA-256 for legacy events), every link points at its predecessor, sequence numbers have no
gaps, and the head matches the last event (no tail was cut off). Exported checkpoints
(herald.audit.checkpoints) add what the database alone cannot prove: that the chain was not
rewritten or cut back behind them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.audit.hashing import GENESIS, event_hash
from herald.audit.keys import verifying_keys
from herald.audit.models import PLATFORM_CHAIN, AuditChain, AuditEvent

_FIELDS = (
    "id", "chain", "chain_seq", "tenant_id", "actor_id", "actor_label", "action",
    "object_type", "object_id", "before", "after", "context", "at", "prev_hash", "key_id",
)


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a chain. ``kind``: rewritten (an event's content or hash does not
    hold), missing (a gap in the sequence), truncated (the newest events are gone), unknown-key
    (signed with a key that is not configured), bad-checkpoint (a checkpoint's own signature
    does not hold)."""

    kind: str
    detail: str
    seq: int | None = None
    event_id: str | None = None


@dataclass
class ChainReport:
    chain: str
    events: int = 0
    #: events from before keyed chains (plain SHA-256, key_id NULL)
    legacy_events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def tenant_id(self) -> str | None:
        return None if self.chain == PLATFORM_CHAIN else self.chain

    @property
    def problems(self) -> list[str]:
        return [f.detail for f in self.findings]

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, detail: str, seq: int | None = None, event_id: str | None = None) -> None:
        self.findings.append(Finding(kind, detail, seq, event_id))


def verify_chain(session: Session, chain: str, batch: int = 1000, *,
                 keys: Mapping[str, bytes] | None = None) -> ChainReport:
    """``keys``: the instance keys by id (default: the running instance's HERALD_AUDIT_KEYS)."""
    keys = verifying_keys() if keys is None else keys
    report = ChainReport(chain)
    head = session.get(AuditChain, chain)
    prev_hash, expected_seq = GENESIS, 1
    last_seq = 0
    keyed_since: int | None = None
    tally: dict[str, list[int]] = {}  # key id: [verified, failed]
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
                report.add("missing", f"events #{expected_seq}–#{ev.chain_seq - 1} are missing "
                                      f"(next found is #{ev.chain_seq})", expected_seq)
            if ev.prev_hash != prev_hash:
                report.add("rewritten", f"event #{ev.chain_seq} ({ev.id}) does not link to its predecessor",
                           ev.chain_seq, ev.id)
            _check_hash(report, ev, keys, keyed_since, tally)
            if ev.key_id is not None and keyed_since is None:
                keyed_since = ev.chain_seq
            prev_hash, expected_seq, last_seq = ev.hash, ev.chain_seq + 1, ev.chain_seq
        session.expunge_all()
    for key_id, (verified, failed) in sorted(tally.items()):
        if failed and not verified:
            report.add("wrong-key", f"no event signed with audit key {key_id!r} verifies: the secret configured "
                                    f"for {key_id!r} in HERALD_AUDIT_KEYS is probably wrong")
    if head is None:
        if report.events:
            report.add("truncated", "the chain head is missing")
    elif head.last_seq != last_seq or head.last_hash != prev_hash:
        report.add("truncated", f"the chain head records {head.last_seq} events but the log ends at "
                                f"#{last_seq}: events were removed", last_seq + 1)
    return report


def _check_hash(report: ChainReport, ev: AuditEvent, keys: Mapping[str, bytes], keyed_since: int | None,
                tally: dict[str, list[int]]) -> None:
    fields = {f: getattr(ev, f) for f in _FIELDS}
    if ev.key_id is None:
        report.legacy_events += 1
        if keyed_since is not None:  # a forger without the key can only write unkeyed events
            report.add("rewritten", f"event #{ev.chain_seq} ({ev.id}) is unkeyed but follows keyed event "
                                    f"#{keyed_since}: it was rewritten", ev.chain_seq, ev.id)
        elif event_hash(fields) != ev.hash:
            report.add("rewritten", f"event #{ev.chain_seq} ({ev.id}) was altered: its hash does not match "
                                    "its content", ev.chain_seq, ev.id)
        return
    key = keys.get(ev.key_id)
    if key is None:
        report.add("unknown-key", f"event #{ev.chain_seq} ({ev.id}) is signed with audit key {ev.key_id!r}, "
                                  "which is not configured (HERALD_AUDIT_KEYS): it cannot be verified",
                   ev.chain_seq, ev.id)
        return
    ok = event_hash(fields, key) == ev.hash
    tally.setdefault(ev.key_id, [0, 0])[0 if ok else 1] += 1
    if not ok:
        report.add("rewritten", f"event #{ev.chain_seq} ({ev.id}) was altered: its hash does not match its "
                                f"content under audit key {ev.key_id!r}", ev.chain_seq, ev.id)


def all_chains(session: Session) -> list[str]:
    chains = set(session.execute(select(AuditChain.chain)).scalars())
    chains |= set(session.execute(select(AuditEvent.chain).distinct()).scalars())
    return sorted(chains)


def verify_all(session: Session, *, keys: Mapping[str, bytes] | None = None) -> list[ChainReport]:
    return [verify_chain(session, c, keys=keys) for c in all_chains(session)]
