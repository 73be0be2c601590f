"""Reading back the status and owner of cases Herald created (SOQL, following
``nextRecordsUrl`` until ``done``)."""

from __future__ import annotations

import re
from typing import Any

from herald.plugins import CrmSink, PermanentError
from herald_crm_salesforce.client import SalesforceClient
from herald_crm_salesforce.errors import body_of

CrmCase = CrmSink.Case
#: a Salesforce record id (15 or 18 characters); anything else never reaches a query
RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")
#: pages followed at most for one query (2,000 records a page)
MAX_PAGES = 20


def read_cases(sf: SalesforceClient, ids: list[str]) -> list[CrmCase]:
    wanted = sorted({i for i in ids if RECORD_ID.match(i)})
    if not wanted:
        return []
    soql = ("SELECT Id, CaseNumber, Status, Owner.Name FROM Case WHERE Id IN ("
            + ", ".join(f"'{i}'" for i in wanted) + ")")
    body = body_of(sf.call("GET", "query", params={"q": soql}))
    found: list[CrmCase] = []
    for _ in range(MAX_PAGES):
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise PermanentError("Salesforce's query answer has no records.", code="bad_query_answer")
        found.extend(_case(r) for r in body["records"] if isinstance(r, dict) and r.get("Id"))
        following = body.get("nextRecordsUrl")
        if body.get("done", True) or not isinstance(following, str):
            break
        if not following.startswith("/services/data/"):  # never leave the instance
            raise PermanentError("Salesforce's nextRecordsUrl is not a query path.", code="bad_query_answer")
        body = body_of(sf.call("GET", following))
    return found


def _case(row: dict[str, Any]) -> CrmCase:
    owner = row.get("Owner") if isinstance(row.get("Owner"), dict) else {}
    return CrmCase(crm_id=str(row["Id"]), number=_text(row.get("CaseNumber")), status=_text(row.get("Status")),
                   owner=_text(owner.get("Name")))


def _text(value: Any) -> str | None:
    return str(value)[:200] if value not in (None, "") else None
