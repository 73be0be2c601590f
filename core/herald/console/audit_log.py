"""The audit log page and its CSV export (``audit.view``, as ``GET …/audit-events``).

Each event shows its action by name (:mod:`herald.console.audit_labels`), who acted and what was
changed by their names — the ids stay in a ``title`` and in small text. The page is paged by
keyset (the chain's sequence number, newest first), like the API; the export streams every event
matching the same filters, and neutralises cells a spreadsheet would take for a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Response, request, stream_with_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from herald.api.context import db, runtime
from herald.api.pagination import paginate
from herald.audit.checkpoint_export import verify_tenant_chain
from herald.audit.models import AuditEvent
from herald.authz import require
from herald.authz.check import in_tenant
from herald.console.audit_labels import ACTION_LABELS, action_label
from herald.console.audit_objects import object_names
from herald.console.blueprint import bp, page, tenant, who
from herald.console.person_names import person_name
from herald.people.models import User

FILTERS = ("action", "object_type", "object_id", "actor_id")
PAGE_SIZE = 50
EXPORT_BATCH = 200
#: a cell starting with one of these is a formula to a spreadsheet (and tab / CR start one too)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _require_view() -> None:
    require(db(), who(), "audit.view", in_tenant(db(), who(), tenant().id))


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip()[:200] for k in FILTERS}


def _query(tenant_id: str, filters: dict[str, str]) -> Select[Any]:
    stmt = select(AuditEvent).where(AuditEvent.chain == tenant_id)
    for key, value in filters.items():
        if value:
            stmt = stmt.where(getattr(AuditEvent, key) == value)
    return stmt


def _names(session: Session, tenant_id: str, events: list[AuditEvent]
           ) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(actor id → name, (object type, id) → name) for ``events``, read in one query per kind
    and only within the tenant."""
    # through ``session``, not the request's: the CSV export reads each batch in a transaction of its own
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = {u.id: person_name(u) for u in session.scalars(
        select(User).where(User.id.in_(actor_ids), User.tenant_id == tenant_id))} if actor_ids else {}
    wanted: dict[str, set[str]] = {}
    for e in events:
        if e.object_id:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    objects = object_names(session, tenant_id, wanted)
    return actors, objects


@bp.route("/admin/audit", methods=["GET", "POST"])
def audit() -> Response:
    session = db()
    _require_view()
    report, checked = (verify_tenant_chain(session, runtime().settings, tenant().id) if request.method == "POST"
                       else (None, None))
    filters = _filters()
    cursor = request.args.get("cursor", "")[:500] or None
    found = paginate(session, _query(tenant().id, filters), [AuditEvent.chain_seq], PAGE_SIZE, cursor,
                     descending=True)
    actors, objects = _names(session, tenant().id, found.items)
    chosen = {k: v for k, v in filters.items() if v}
    actions = sorted(ACTION_LABELS, key=action_label)
    if filters["action"] and filters["action"] not in ACTION_LABELS:
        actions.insert(0, filters["action"])
    return page("console/audit.html", events=found.items, filters=filters, report=report, checked=checked,
                actors=actors,
                objects=objects, actions=actions, action_label=action_label, chosen=chosen,
                next_cursor=found.next_cursor, first_page=cursor is None)


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: one starting like a formula gets a
    leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _header() -> list[str]:
    return [_("Number"), _("When (UTC)"), _("Actor"), _("Actor id"), _("Action"), _("Action code"),
            _("Object type"), _("Object"), _("Object id")]


def _rows(tenant_id: str, filters: dict[str, str], header: list[str]) -> Iterator[str]:
    """The CSV's lines, read in batches in a transaction of their own (the response is sent
    after the view has returned, when the request's own session is closed)."""
    yield _line(header)
    cursor: str | None = None
    while True:
        with runtime().db.transaction() as session:
            found = paginate(session, _query(tenant_id, filters), [AuditEvent.chain_seq], EXPORT_BATCH, cursor,
                             descending=True)
            actors, objects = _names(session, tenant_id, found.items)
            lines = [_line([e.chain_seq, e.at.isoformat(), actors.get(e.actor_id or "", e.actor_label), e.actor_id,
                            action_label(e.action), e.action, e.object_type,
                            objects.get((e.object_type, e.object_id or ""), ""), e.object_id])
                     for e in found.items]
        yield from lines
        if not found.next_cursor:
            return
        cursor = found.next_cursor


def _line(cells: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(c) for c in cells])
    return out.getvalue()


@bp.get("/admin/audit.csv")
def audit_export() -> Response:
    """Every event matching the page's filters, newest first, as CSV (streamed in batches)."""
    _require_view()
    filters = _filters()
    get_locale()  # chosen now, while the person's row is at hand; the lines reuse it
    resp = Response(stream_with_context(_rows(tenant().id, filters, _header())), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="audit-{tenant().slug}.csv"'
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
