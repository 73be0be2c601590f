"""Signed checkpoints: the head of each chain at one moment (sequence number and hash), signed
with the instance audit key and exported out of the database's reach (a file, syslog, a command
that feeds an append-only bucket). Checked later against the database, a checkpoint proves that
the chain still holds event #N with that hash: a rewrite at or before #N, or a cut-back below
#N, shows even to someone who could write every row and knew no key."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.audit.hashing import canonical
from herald.audit.keys import AuditKeyError
from herald.audit.models import AuditChain, AuditEvent
from herald.audit.verify import ChainReport
from herald.clock import utcnow

#: the fields a checkpoint's signature covers
_SIGNED = ("v", "chain", "seq", "hash", "at", "key_id")


def _mac(checkpoint: Mapping[str, Any], key: bytes) -> str:
    return hmac.new(key, canonical({f: checkpoint.get(f) for f in _SIGNED}).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def take(session: Session, key_id: str, key: bytes) -> list[dict[str, Any]]:
    """One signed checkpoint per non-empty chain, from the chain heads."""
    at = utcnow().isoformat(timespec="seconds")
    out = []
    for head in session.scalars(select(AuditChain).where(AuditChain.last_seq > 0).order_by(AuditChain.chain)):
        cp: dict[str, Any] = {"v": 1, "chain": head.chain, "seq": head.last_seq, "hash": head.last_hash,
                              "at": at, "key_id": key_id}
        cp["mac"] = _mac(cp, key)
        out.append(cp)
    return out


def to_line(checkpoint: Mapping[str, Any]) -> str:
    return json.dumps(dict(checkpoint), sort_keys=True, separators=(",", ":"))


def append_to_file(path: Path, checkpoints: Iterable[Mapping[str, Any]]) -> None:
    """Append one JSON line per checkpoint and flush it to disk."""
    import os

    with path.open("a", encoding="utf-8") as fh:
        for cp in checkpoints:
            fh.write(to_line(cp) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def syslog_address(target: str) -> str | tuple[str, int]:
    """``/dev/log`` (a local socket path), ``udp://host:port`` or ``tcp://host:port``; raises
    ValueError naming what is wrong."""
    if target.startswith("/"):
        return target
    scheme, sep, rest = target.partition("://")
    host, _, port = rest.rpartition(":")
    if not sep or scheme not in ("udp", "tcp") or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{target!r} is neither a socket path nor udp://host:port or tcp://host:port.")
    return host.strip("[]"), int(port)


def send_to_syslog(checkpoints: Iterable[Mapping[str, Any]], target: str = "/dev/log") -> None:
    """One RFC 3164 message per checkpoint (facility auth, severity notice, tag ``herald-audit``)."""
    import logging.handlers
    import socket

    address = syslog_address(target)
    kind = socket.SOCK_STREAM if target.startswith("tcp://") else socket.SOCK_DGRAM
    handler = logging.handlers.SysLogHandler(address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH,
                                             socktype=kind if not isinstance(address, str) else None)
    handler.ident = "herald-audit: "
    handler.append_nul = False
    handler.mapPriority = lambda _level: "notice"  # type: ignore[method-assign]
    try:
        for cp in checkpoints:
            record = logging.LogRecord("herald.audit", logging.WARNING, __file__, 0, "checkpoint " + to_line(cp),
                                       None, None)
            handler.emit(record)
    finally:
        handler.close()


def read(path: Path) -> list[tuple[int, dict[str, Any] | None]]:
    """(line number, checkpoint) per non-empty line; None where the line is not a checkpoint.
    Lines may carry a prefix (a syslog header) before the JSON object."""
    if not path.exists():
        raise AuditKeyError(f"checkpoint file {str(path)!r} does not exist.")
    out: list[tuple[int, dict[str, Any] | None]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        start = line.find("{")
        try:
            value = json.loads(line[start:]) if start >= 0 else None
        except ValueError:
            value = None
        ok = isinstance(value, dict) and all(f in value for f in (*_SIGNED, "mac"))
        out.append((number, value if ok else None))
    return out


def check(session: Session, reports: dict[str, ChainReport], lines: list[tuple[int, dict[str, Any] | None]],
          keys: Mapping[str, bytes], source: str) -> list[str]:
    """Check each checkpoint against the database, adding findings to the chain's report (a
    report is created for a chain the database no longer has). Returns the problems with the
    checkpoints themselves (unreadable, unknown key, bad signature)."""
    problems: list[str] = []
    for number, cp in lines:
        where = f"{source}:{number}"
        if cp is None:
            problems.append(f"{where}: not a checkpoint")
            continue
        key = keys.get(cp["key_id"])
        if key is None:
            problems.append(f"{where}: signed with audit key {cp['key_id']!r}, which is not configured")
            continue
        if not hmac.compare_digest(_mac(cp, key), str(cp["mac"])):
            problems.append(f"{where}: its signature does not hold (the checkpoint was altered)")
            continue
        chain, seq = str(cp["chain"]), int(cp["seq"])
        report = reports.get(chain)
        if report is None:
            report = ChainReport(chain)
            reports[chain] = report
        stored = session.execute(select(AuditEvent.id, AuditEvent.hash)
                                 .where(AuditEvent.chain == chain, AuditEvent.chain_seq == seq)).first()
        if stored is None:
            last = session.execute(select(AuditEvent.chain_seq).where(AuditEvent.chain == chain)
                                   .order_by(AuditEvent.chain_seq.desc()).limit(1)).scalar()
            if last is None or last < seq:
                report.add("truncated", f"the checkpoint of {cp['at']} ({where}) records #{seq}, but the log "
                                        f"ends at #{last or 0}: events #{(last or 0) + 1}–#{seq} were removed",
                           (last or 0) + 1)
            else:
                report.add("missing", f"event #{seq}, recorded by the checkpoint of {cp['at']} ({where}), "
                                      "is missing", seq)
        elif not hmac.compare_digest(stored.hash, str(cp["hash"])):
            report.add("rewritten", f"event #{seq} ({stored.id}) no longer has the hash the checkpoint of "
                                    f"{cp['at']} ({where}) recorded: the chain was rewritten at or before #{seq}",
                       seq, stored.id)
    return problems
