"""The listening API: queries (CRUD, run now), their hits, volume and sentiment over time,
share of voice, top authors and top terms. Thin: the rules live in :mod:`herald.listening`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas import listening as s
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.errors import ValidationFailed
from herald.listening import queries, reports, volume
from herald.listening.compiling import as_json, compile_for, query_ast
from herald.listening.models import ListeningHit, ListeningQuery
from herald.listening.runner import run_query
from herald.publishing.calendar import viewer_zone
from herald.publishing.planning import network_connector
from herald.tenancy.models import SocialAccount

TAG = "Listening"
P = "/tenants/<tenant_id>/listening"
DEFAULT_SPAN = {"hour": timedelta(days=2), "day": timedelta(days=30), "week": timedelta(weeks=26)}


@endpoint(bp, f"{P}/queries", "GET", summary="List listening queries", tag=TAG, query=s.ListQuery,
          response=s.QueryOut, many=True)
def list_listening_queries(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    stmt = queries.visible(session, actor(), tenant_id)
    return paginate(session, stmt, [ListeningQuery.created_at, ListeningQuery.id], query["limit"], query["cursor"])


@endpoint(bp, f"{P}/queries", "POST", summary="Create a listening query", tag=TAG, body=s.QueryCreate,
          response=s.QueryOut, status=201)
def create_listening_query(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    row = queries.create(session, actor(), tenant_id, body)
    _compile_now(row)
    session.commit()
    return row


@endpoint(bp, f"{P}/queries/<query_id>", "GET",
          summary="Get a listening query with what each network makes of it", tag=TAG, response=s.QueryOut)
def get_listening_query(tenant_id: str, query_id: str):  # type: ignore[no-untyped-def]
    return queries.get_query(db(), actor(), tenant_id, query_id)


@endpoint(bp, f"{P}/queries/<query_id>", "PATCH", summary="Change a listening query", tag=TAG,
          body=s.QueryUpdate, response=s.QueryOut)
def update_listening_query(tenant_id: str, query_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    row = queries.update(session, actor(), tenant_id, query_id, body)
    _compile_now(row)
    session.commit()
    return row


@endpoint(bp, f"{P}/queries/<query_id>", "DELETE", summary="Delete a listening query", tag=TAG, status=204)
def delete_listening_query(tenant_id: str, query_id: str):  # type: ignore[no-untyped-def]
    session = db()
    queries.delete(session, actor(), tenant_id, query_id)
    session.commit()


def _compile_now(row: ListeningQuery) -> None:
    """Show on the query what each of its networks makes of it, before it first runs."""
    session = db()
    networks = set(row.networks or [])
    for account_id in row.account_ids or []:
        account = session.get(SocialAccount, account_id)
        if account is not None:
            networks.add(account.network)
    compiled: dict[str, Any] = {}
    for network in sorted(networks):
        connector = network_connector(session, row.tenant_id, network)
        if connector is not None:
            compiled[network] = as_json(compile_for(connector, query_ast(row.ast)))
        else:
            compiled[network] = {"network_query": None, "local_filter_needed": False, "unsupported_parts": [],
                                 "notes": [f"{network} is not enabled for this tenant."], "budget_terms": []}
    row.compiled = compiled


@endpoint(bp, f"{P}/queries/<query_id>/run", "POST", summary="Run a listening query now", tag=TAG,
          response=s.RunOut)
def run_listening_query(tenant_id: str, query_id: str):  # type: ignore[no-untyped-def]
    session = db()
    queries.get_query(session, actor(), tenant_id, query_id, queries.ADMIN)
    session.commit()  # the run works in transactions of its own
    return run_query(query_id, force=True)


@endpoint(bp, f"{P}/queries/<query_id>/hits", "GET", summary="The hits of a listening query, newest first",
          tag=TAG, query=s.HitListQuery, response=s.HitOut, many=True)
def list_listening_hits(tenant_id: str, query_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    queries.get_query(session, actor(), tenant_id, query_id)
    stmt = reports.hits_of(query_id, query)
    return paginate(session, stmt, [ListeningHit.created_at, ListeningHit.id], query["limit"], query["cursor"],
                    descending=True)


def _range(query: dict[str, Any], span: timedelta) -> tuple[datetime, datetime]:
    end = query.get("to") or utcnow()
    start = query.get("from_") or end - span
    if end <= start:
        raise ValidationFailed("The query parameters are not valid.", {"to": ["'to' must be after 'from'."]})
    return start, end


@endpoint(bp, f"{P}/queries/<query_id>/volume", "GET",
          summary="Hits per hour, day or week in the viewer's time zone, with counts per sentiment label",
          tag=TAG, query=s.VolumeQuery, response=s.VolumeOut)
def listening_volume(tenant_id: str, query_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    queries.get_query(session, who, tenant_id, query_id)
    zone = query.get("time_zone") or viewer_zone(session, who, tenant_id)
    start, end = _range(query, DEFAULT_SPAN[query["bucket"]])
    return {"query_id": query_id, "bucket": query["bucket"], "time_zone": zone,
            "buckets": volume.series(session, query_id, start, end, query["bucket"], zone)}


@endpoint(bp, f"{P}/share-of-voice", "GET", summary="Hits per query and each query's share, over a range",
          tag=TAG, query=s.ShareQuery, response=s.ShareOut)
def listening_share_of_voice(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    in_tenant(session, who, tenant_id)  # another tenant's path says nothing of what it holds
    ids = list(dict.fromkeys(q.strip() for q in query["queries"].split(",") if q.strip()))
    if not 2 <= len(ids) <= 10:
        raise ValidationFailed("The query parameters are not valid.", {"queries": ["Name 2 to 10 queries."]})
    names = {q: queries.get_query(session, who, tenant_id, q).name for q in ids}
    start, end = _range(query, timedelta(days=30))
    items = reports.share_of_voice(session, ids, start, end)
    return {"items": [{**item, "name": names[item["query_id"]]} for item in items],
            "total": sum(item["hits"] for item in items)}


@endpoint(bp, f"{P}/queries/<query_id>/top-authors", "GET",
          summary="The authors of a query's hits by reach (followers), then by hits", tag=TAG,
          query=s.TopQuery, response=s.AuthorsOut)
def listening_top_authors(tenant_id: str, query_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    queries.get_query(session, actor(), tenant_id, query_id)
    return {"items": reports.top_authors(session, query_id, query.get("from_"), query.get("to"), query["limit"])}


@endpoint(bp, f"{P}/queries/<query_id>/top-terms", "GET",
          summary="The commonest terms and hashtags of a query's hits, per language, stop-words removed",
          tag=TAG, query=s.TopQuery, response=s.TermsOut)
def listening_top_terms(tenant_id: str, query_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session = db()
    queries.get_query(session, actor(), tenant_id, query_id)
    return {"languages": reports.top_terms(session, query_id, query.get("from_"), query.get("to"), query["limit"])}
