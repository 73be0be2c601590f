"""Herald exports signed checkpoints of the audit chains itself, and checks against them.

With ``HERALD_AUDIT_CHECKPOINT_FILE`` and/or ``HERALD_AUDIT_CHECKPOINT_SYSLOG`` set, each process
that runs background work (``herald worker``, embedded ``herald serve``) signs the chain heads
every ``HERALD_AUDIT_CHECKPOINT_MINUTES`` and appends them there — only when a head moved since
that process's last export, so an idle instance writes nothing. The API's and the console's
"Verify" check a tenant's chain against the checkpoint file too, when it is set and readable:
a rewrite or a cut-back at or before a checkpointed event then shows there as well."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.orm import Session

from herald.audit import checkpoints
from herald.audit.keys import AuditKeyError, verifying_keys
from herald.audit.verify import ChainReport, verify_chain
from herald.config import Settings
from herald.runtime import Runtime

log = logging.getLogger(__name__)


def configured(settings: Settings) -> bool:
    return settings.audit_checkpoint_file is not None or settings.audit_checkpoint_syslog is not None


class CheckpointExporter:
    """Takes and exports checkpoints for one runtime; remembers the heads it last exported."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.last: dict[str, int] = {}

    def export(self) -> int:
        """Export the heads that moved since the last export; returns how many were exported."""
        settings = self.rt.settings
        key_id, secret = settings.audit_keys[0]
        with self.rt.db.transaction() as session:
            taken = checkpoints.take(session, key_id, secret.encode("utf-8"))
        fresh = [cp for cp in taken if self.last.get(cp["chain"]) != cp["seq"]]
        if not fresh:
            return 0
        if settings.audit_checkpoint_file is not None:
            checkpoints.append_to_file(settings.audit_checkpoint_file, fresh)
        if settings.audit_checkpoint_syslog is not None:
            checkpoints.send_to_syslog(fresh, settings.audit_checkpoint_syslog)
        self.last.update({cp["chain"]: cp["seq"] for cp in fresh})
        return len(fresh)


def start_checkpoint_exporter(runtime: Runtime) -> threading.Event | None:
    """Export every ``audit_checkpoint_minutes`` in a daemon thread (None when not configured)."""
    if not configured(runtime.settings):
        return None
    exporter, stop = CheckpointExporter(runtime), threading.Event()

    def loop() -> None:
        while True:
            try:
                exporter.export()
            except Exception:
                log.exception("exporting audit checkpoints failed; will try again")
            if stop.wait(runtime.settings.audit_checkpoint_minutes * 60):
                return

    threading.Thread(target=loop, name="herald-audit-checkpoints", daemon=True).start()
    return stop


def verify_tenant_chain(session: Session, settings: Settings, chain: str) -> tuple[ChainReport, dict[str, Any]]:
    """The chain's report, also checked against the checkpoint file when one is configured;
    with what was checked: ``{"checkpoints": n, "checkpoint_problems": [...]}``."""
    keys = verifying_keys(settings.audit_keys)
    report = verify_chain(session, chain, keys=keys)
    path = settings.audit_checkpoint_file
    checked: dict[str, Any] = {"checkpoints": 0, "checkpoint_problems": []}
    if path is None:
        return report, checked
    try:
        lines = [(n, cp) for n, cp in checkpoints.read(path) if cp is not None and cp.get("chain") == chain]
    except (AuditKeyError, OSError, UnicodeDecodeError) as exc:
        log.warning("audit checkpoint file %s unreadable: %s", path, exc)
        checked["checkpoint_problems"] = ["The checkpoint file configured for this instance cannot be read."]
        return report, checked
    # the file names the operator's path; a tenant is told only what was found, never where
    reports = {chain: report}
    problems = checkpoints.check(session, reports, lines, keys, "checkpoint")
    checked["checkpoints"] = len(lines)
    checked["checkpoint_problems"] = problems
    return report, checked
