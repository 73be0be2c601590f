"""Writing records to Salesforce, always as upserts on an External ID field, so that sending a
record again (after Salesforce was down, or an answer was lost) updates it instead of creating
a second one.

Batches go through sObject Collections upsert (``PATCH /composite/sobjects/{type}/{field}``,
``allOrNone: false``, at most 200 records a call): each record succeeds or fails on its own.
An org (or API version) without it answers 404/405, and the records are then upserted one by
one (``PATCH /sobjects/{type}/{field}/{value}``: 201 created, 200 or 204 updated, 300 when
several records hold the value)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from herald.plugins import CrmSink, PermanentError
from herald_crm_salesforce.client import SalesforceClient
from herald_crm_salesforce.errors import TRANSIENT_CODES, body_of, record_errors

CrmResult = CrmSink.Result
#: most records one sObject Collections call takes
COLLECTION_LIMIT = 200


def upsert_all(sf: SalesforceClient, sobject: str, field: str, records: list[dict[str, Any]]) -> list[CrmResult]:
    """Upsert ``records`` (each holding its ``field`` value) as ``sobject``; a result each, in order."""
    results: list[CrmResult] = []
    for start in range(0, len(records), COLLECTION_LIMIT):
        chunk = records[start:start + COLLECTION_LIMIT]
        if getattr(sf, "collections_unavailable", False):
            results.extend(upsert_one(sf, sobject, field, record) for record in chunk)
            continue
        try:
            results.extend(_collection(sf, sobject, field, chunk))
        except PermanentError as exc:
            if exc.status not in (404, 405):
                raise
            sf.collections_unavailable = True  # type: ignore[attr-defined]
            results.extend(upsert_one(sf, sobject, field, record) for record in chunk)
    return results


def _collection(sf: SalesforceClient, sobject: str, field: str, chunk: list[dict[str, Any]]) -> list[CrmResult]:
    body = {"allOrNone": False, "records": [{"attributes": {"type": sobject}, **record} for record in chunk]}
    answer = body_of(sf.call("PATCH", f"composite/sobjects/{sobject}/{field}", json=body))
    if not isinstance(answer, list) or len(answer) != len(chunk):
        raise PermanentError("Salesforce's collections answer does not match the records sent.",
                             code="bad_collections_answer")
    return [_result(item) for item in answer]


def _result(item: Any) -> CrmResult:
    if isinstance(item, dict) and item.get("success") is True:
        return CrmResult(ok=True, crm_id=str(item["id"]) if item.get("id") else None)
    code, message = record_errors(item.get("errors") if isinstance(item, dict) else None)
    return CrmResult(ok=False, error=message, code=code, permanent=code not in TRANSIENT_CODES)


def upsert_one(sf: SalesforceClient, sobject: str, field: str, record: dict[str, Any]) -> CrmResult:
    """One record through ``PATCH /sobjects/{type}/{field}/{value}``."""
    value = quote(str(record[field]), safe="")
    path = f"sobjects/{sobject}/{field}/{value}"
    payload = {k: v for k, v in record.items() if k != field}
    try:
        response = sf.call("PATCH", path, json=payload, ok=(300,))
    except PermanentError as exc:
        if exc.status is None:  # nothing was answered for this record (a refused URL)
            raise
        return CrmResult(ok=False, error=exc.message, code=exc.code, permanent=exc.code not in TRANSIENT_CODES)
    if response.status_code == 300:
        return CrmResult(ok=False, code="MULTIPLE_CHOICES",
                         error=f"Several {sobject} records hold {field} = {record[field]!r}; Herald updates one only.")
    body = body_of(response)
    if isinstance(body, dict) and body.get("id"):
        return CrmResult(ok=True, crm_id=str(body["id"]))
    return CrmResult(ok=True, crm_id=_id_by_external(sf, path))


def _id_by_external(sf: SalesforceClient, path: str) -> str | None:
    """The id of a record an older API version updated with 204 and no body."""
    body = body_of(sf.call("GET", path, params={"fields": "Id"}))
    return str(body["Id"]) if isinstance(body, dict) and body.get("Id") else None
