"""The CRM sink interface: push engagement items (a lead, a case) to a CRM.

A sink implements :meth:`CrmSink.push` (one record); a sink whose CRM takes batches overrides
:meth:`CrmSink.push_batch`. Herald sends through its CRM outbox (:mod:`herald.crm.outbox`), so
a record is retried until the CRM takes it or refuses it for good: pushing the same
``idempotency_key`` twice must update, never create a second record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from herald.networks.errors import PermanentError
from herald.plugin_host.bound import TenantBound


@dataclass(frozen=True)
class CrmRecord:
    """One item to push: ``kind`` is "lead", "case" or "contact"; ``fields`` are Herald's
    values (see :func:`herald.inbox.crm_push.record_for`)."""

    kind: str  # "lead" | "case" | "contact"
    idempotency_key: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class CrmResult:
    """What the CRM answered for one record of a batch: its id, or the CRM's own words on why it
    refused the record (``code`` is the CRM's error code). ``permanent`` false means "try again
    later" (the CRM may take it then)."""

    ok: bool
    crm_id: str | None = None
    error: str | None = None
    code: str | None = None
    permanent: bool = True


@dataclass(frozen=True)
class CrmCase:
    """A case as the CRM has it now, read back for the conversation it came from."""

    crm_id: str
    number: str | None = None
    status: str | None = None
    owner: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class CrmSink(TenantBound):
    """A CRM Herald pushes leads and cases to, configured with one tenant's settings.

    Errors are Herald's typed errors (:mod:`herald.networks.errors`): ``TransientError`` and
    ``RateLimited`` keep the records queued, ``AuthRevoked`` marks the connection "reconnect
    needed", ``PermanentError`` fails the records with the CRM's message."""

    #: most records :meth:`push_batch` is given at once
    batch_size: ClassVar[int] = 1
    #: the result and case types, reachable through the plugin facade's ``CrmSink``
    Result: ClassVar[type[CrmResult]] = CrmResult
    Case: ClassVar[type[CrmCase]] = CrmCase

    def push(self, record: CrmRecord) -> str:
        """Create or update the record in the CRM; returns the CRM's id for it. Pushing the
        same ``idempotency_key`` twice must not create a second record."""
        raise NotImplementedError

    def push_batch(self, records: list[CrmRecord]) -> list[CrmResult]:
        """Push several records; one result per record, in order. A refusal of one record is
        its result; an error that concerns every record (the CRM is down) is raised. The
        default pushes one by one through :meth:`push`."""
        results: list[CrmResult] = []
        for record in records:
            try:
                results.append(CrmResult(ok=True, crm_id=str(self.push(record))))
            except PermanentError as exc:
                results.append(CrmResult(ok=False, error=exc.message, code=exc.code))
        return results

    def next_batch_delay(self) -> float:
        """Seconds to wait before the next batch (a CRM nearing its API quota says so); 0: go on."""
        return 0.0

    def read_cases(self, crm_ids: list[str]) -> list[CrmCase]:
        """The cases' current status and owner, for those the CRM still has. The default reads
        nothing (a sink that cannot read back)."""
        return []
