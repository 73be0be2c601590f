"""The Salesforce CRM sink: a message's author upserted as a Contact (or Lead) on Herald's
author id, a Case for support and a Lead for sales upserted on Herald's record key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from herald.plugins import CrmRecord, CrmSink, PermanentError, TransientError
from herald_crm_salesforce import cases, mapping
from herald_crm_salesforce.client import SalesforceClient
from herald_crm_salesforce.limits import ApiUsage, pause_for
from herald_crm_salesforce.upsert import COLLECTION_LIMIT, upsert_all

CrmResult = CrmSink.Result
CrmCase = CrmSink.Case


class SalesforceSink(CrmSink):
    """Pushes leads, cases and contacts to one tenant's Salesforce org, in batches."""

    key = "crm_salesforce"
    display_name = "Salesforce"
    batch_size: ClassVar[int] = COLLECTION_LIMIT

    def __init__(self, tenant_id: str, settings: Mapping[str, Any]) -> None:
        super().__init__(tenant_id, settings)
        self.usage: ApiUsage | None = None

    def _client(self) -> SalesforceClient:
        return SalesforceClient(self.settings)

    def push(self, record: CrmRecord) -> str:
        result = self.push_batch([record])[0]
        if not result.ok:
            if result.permanent:
                raise PermanentError(result.error or "Salesforce refused the record.", code=result.code)
            raise TransientError(result.error or "Salesforce did not take the record.", code=result.code)
        return result.crm_id or ""

    def push_batch(self, records: list[CrmRecord]) -> list[CrmResult]:
        with self._client() as sf:
            try:
                return Batch(sf, self.settings).push(records)
            finally:
                self.usage = sf.usage or self.usage

    def next_batch_delay(self) -> float:
        s = self.settings
        return pause_for(self.usage, slow_at=float(s.get("limit_slow_at", 0.8)),
                         stop_at=float(s.get("limit_stop_at", 0.95)),
                         slow_delay=float(s.get("slow_delay_seconds", 300.0)),
                         stop_delay=float(s.get("stop_delay_seconds", 3600.0)))

    def read_cases(self, crm_ids: list[str]) -> list[CrmCase]:
        with self._client() as sf:
            try:
                return cases.read_cases(sf, crm_ids)
            finally:
                self.usage = sf.usage or self.usage


class Batch:
    """One batch: authors first (so a Case can name its Contact by Herald's author id), then the
    cases and leads, each sObject type in collections of at most 200."""

    def __init__(self, sf: SalesforceClient, settings: Mapping[str, Any]) -> None:
        self.sf = sf
        self.s = settings
        self.author_type = str(settings.get("author_as") or "Contact")
        self.author_field = str(settings["author_external_id_field"])
        self.record_field = str(settings["record_external_id_field"])

    def _fields(self, sobject: str, record: CrmRecord) -> dict[str, Any]:
        values = mapping.fill(sobject, mapping.field_map(sobject, self.s.get(f"{sobject.lower()}_fields")), record)
        record_type = self.s.get(f"{sobject.lower()}_record_type_id")
        if record_type:
            values["RecordTypeId"] = record_type
        return values

    def push(self, records: list[CrmRecord]) -> list[CrmResult]:
        results: list[CrmResult | None] = [None] * len(records)
        authors: dict[str, CrmRecord] = {}
        for record in records:
            aid = mapping.author_id(record)
            if record.kind in ("case", "contact") and aid:
                authors.setdefault(aid, record)
        author_ids = list(authors)
        sent = upsert_all(self.sf, self.author_type, self.author_field,
                          [{self.author_field: aid, **self._fields(self.author_type, authors[aid])}
                           for aid in author_ids]) if author_ids else []
        by_author = dict(zip(author_ids, sent, strict=True))

        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {"Case": [], "Lead": []}
        for i, record in enumerate(records):
            aid = mapping.author_id(record)
            author = by_author.get(aid) if aid else None
            if record.kind == "contact":
                results[i] = author or CrmResult(ok=False, code="NO_AUTHOR",
                                                 error="The author's data was erased: there is no one to push.")
            elif record.kind == "case":
                if author is not None and not author.ok:
                    results[i] = CrmResult(ok=False, code=author.code, permanent=author.permanent,
                                           error=f"The author could not be saved as a {self.author_type}: "
                                                 f"{author.error}")
                    continue
                values = {self.record_field: record.idempotency_key, **self._fields("Case", record)}
                if author is not None and self.author_type == "Contact":
                    values["Contact"] = {self.author_field: aid}  # the Contact, by Herald's author id
                groups["Case"].append((i, values))
            elif record.kind == "lead":
                groups["Lead"].append((i, {self.record_field: record.idempotency_key, **self._fields("Lead", record)}))
            else:
                results[i] = CrmResult(ok=False, code="UNKNOWN_KIND", error=f"Salesforce takes no {record.kind!r}.")
        for sobject, rows in groups.items():
            if rows:
                for (i, _), result in zip(rows, upsert_all(self.sf, sobject, self.record_field,
                                                           [values for _, values in rows]), strict=True):
                    results[i] = result
        return [r if r is not None else CrmResult(ok=False, error="Not pushed.") for r in results]
