"""Scheduling and publishing posts, publications, the calendar, posting slots, connecting accounts."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, session, url_for
from sqlalchemy import select

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.schemas.publication_plan import ScheduledOut
from herald.api.schemas.publishing import (
    BulkScheduleBody,
    BulkScheduleOut,
    CalendarEntryOut,
    CalendarQuery,
    ConnectCallbackQuery,
    ConnectedOut,
    ConnectStartOut,
    PostPublicationsOut,
    PublicationOut,
    PublishNowBody,
    RetryBody,
    ScheduleBody,
    SlotsBody,
    SlotsOut,
)
from herald.content.service import get_post
from herald.publishing import calendar as cal
from herald.publishing import connect, planning
from herald.publishing.models import PostingSlot, Publication, PublicationAttempt
from herald.publishing.publication_plan import schedule_warnings
from herald.tenancy.service import get_account
from herald.web.request_trust import public_base

TAG = "Publishing"
POST = "/tenants/<tenant_id>/posts/<post_id>"
PUB = "/tenants/<tenant_id>/publications/<publication_id>"
WHEN = ("local_time", "time_zone", "at", "fold", "slot")


def _pub_out(pub: Publication) -> dict[str, Any]:
    attempts = db().scalars(select(PublicationAttempt).where(PublicationAttempt.publication_id == pub.id)
                            .order_by(PublicationAttempt.number)).all()
    out = {k: getattr(pub, k) for k in PublicationOut().fields if k not in ("attempts", "variant")}
    return {**out, "variant_key": pub.variant_key, "attempts": attempts}


def _post_out(tenant_id: str, post_id: str) -> dict[str, Any]:
    session = db()
    post = get_post(session, actor(), tenant_id, post_id)
    pubs = planning.list_publications(session, actor(), tenant_id, post_id)
    return {"post_id": post.id, "status": post.status, "publications": [_pub_out(p) for p in pubs]}


@endpoint(bp, POST + "/schedule", "POST", summary="Schedule an approved post: a wall-clock time in a zone, "
          "an instant, or each account's next free slot (warns about accounts that need reconnecting)", tag=TAG,
          body=ScheduleBody, response=ScheduledOut, status=201)
def schedule_post(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    pubs = planning.schedule(db(), actor(), tenant_id, post_id, {k: body.get(k) for k in WHEN}, body["account_ids"])
    warnings = schedule_warnings(db(), pubs)
    db().commit()
    return {**_post_out(tenant_id, post_id), "warnings": warnings}


@endpoint(bp, "/tenants/<tenant_id>/posts/bulk-schedule", "POST",
          summary="Schedule several approved posts at the same time; each is checked on its own", tag=TAG,
          body=BulkScheduleBody, response=BulkScheduleOut)
def bulk_schedule_posts(tenant_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    results = planning.bulk_schedule(db(), actor(), tenant_id, body["post_ids"], {k: body.get(k) for k in WHEN})
    db().commit()
    return {"results": results}


@endpoint(bp, POST + "/schedule", "PUT", summary="Reschedule what is still waiting", tag=TAG, body=ScheduleBody,
          response=ScheduledOut)
def reschedule_post(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    pubs = planning.reschedule(db(), actor(), tenant_id, post_id, {k: body.get(k) for k in WHEN})
    warnings = schedule_warnings(db(), pubs)
    db().commit()
    return {**_post_out(tenant_id, post_id), "warnings": warnings}


@endpoint(bp, POST + "/schedule", "DELETE", summary="Unschedule: cancel what is still waiting", tag=TAG,
          response=PostPublicationsOut)
def unschedule_post(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    planning.unschedule(db(), actor(), tenant_id, post_id)
    db().commit()
    return _post_out(tenant_id, post_id)


@endpoint(bp, POST + "/publish", "POST", summary="Publish an approved post now", tag=TAG, body=PublishNowBody,
          response=ScheduledOut, status=202)
def publish_post_now(tenant_id: str, post_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    pubs = planning.publish_now(db(), actor(), tenant_id, post_id, body["account_ids"])
    warnings = schedule_warnings(db(), pubs)
    db().commit()
    return {**_post_out(tenant_id, post_id), "warnings": warnings}


@endpoint(bp, POST + "/publications", "GET", summary="The post's publications with their attempts", tag=TAG,
          response=PostPublicationsOut)
def list_post_publications(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    return _post_out(tenant_id, post_id)


@endpoint(bp, PUB, "GET", summary="One publication with its attempts", tag=TAG, response=PublicationOut)
def get_publication(tenant_id: str, publication_id: str):  # type: ignore[no-untyped-def]
    pub, _ = planning.get_publication(db(), actor(), tenant_id, publication_id)
    return _pub_out(pub)


@endpoint(bp, PUB + "/retry", "POST", summary="Retry a failed publication (or one that needs attention)", tag=TAG,
          body=RetryBody, response=PublicationOut)
def retry_publication(tenant_id: str, publication_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    pub = planning.retry(db(), actor(), tenant_id, publication_id, body["assume_not_published"])
    db().commit()
    return _pub_out(pub)


@endpoint(bp, PUB + "/cancel", "POST", summary="Cancel one publication", tag=TAG, response=PublicationOut)
def cancel_publication(tenant_id: str, publication_id: str):  # type: ignore[no-untyped-def]
    pub = planning.cancel(db(), actor(), tenant_id, publication_id)
    db().commit()
    return _pub_out(pub)


@endpoint(bp, PUB + "/unpublish", "POST", summary="Delete a published post from the network (where it allows)",
          tag=TAG, response=PublicationOut)
def unpublish_publication(tenant_id: str, publication_id: str):  # type: ignore[no-untyped-def]
    pub = planning.unpublish(db(), actor(), tenant_id, publication_id)
    db().commit()
    return _pub_out(pub)


@endpoint(bp, "/tenants/<tenant_id>/calendar", "GET", summary="Publications in a time range, with times in the "
          "planned zone and in yours", tag=TAG, query=CalendarQuery, response=CalendarEntryOut, many=True)
def calendar(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    by_post = query.pop("group", None) == "post"
    return (cal.calendar_by_post if by_post else cal.calendar)(db(), actor(), tenant_id, query)


def _slots_out(account_id: str) -> list[dict[str, Any]]:
    rows = db().scalars(select(PostingSlot).where(PostingSlot.account_id == account_id)
                        .order_by(PostingSlot.weekday, PostingSlot.local_time)).all()
    return [{"weekday": r.weekday, "time": r.local_time} for r in rows]


@endpoint(bp, "/tenants/<tenant_id>/social-accounts/<account_id>/slots", "GET", summary="The account's posting slots",
          tag=TAG, response=SlotsOut)
def get_slots(tenant_id: str, account_id: str):  # type: ignore[no-untyped-def]
    acct = get_account(db(), actor(), tenant_id, account_id)
    return {"account_id": acct.id, "time_zone": planning.zone_of_account(db(), acct), "slots": _slots_out(acct.id)}


@endpoint(bp, "/tenants/<tenant_id>/social-accounts/<account_id>/slots", "PUT",
          summary="Replace the account's posting slots (weekday + wall-clock time in the account's zone)", tag=TAG,
          body=SlotsBody, response=SlotsOut)
def put_slots(tenant_id: str, account_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    acct = get_account(db(), actor(), tenant_id, account_id)
    planning.set_slots(db(), actor(), tenant_id, acct, body["slots"])
    db().commit()
    return {"account_id": acct.id, "time_zone": planning.zone_of_account(db(), acct), "slots": _slots_out(acct.id)}


@endpoint(bp, "/tenants/<tenant_id>/social-accounts/<account_id>/connect", "POST",
          summary="Start connecting the account: where to send the person (OAuth with PKCE)", tag=TAG,
          response=ConnectStartOut, status=201)
def connect_start(tenant_id: str, account_id: str):  # type: ignore[no-untyped-def]
    redirect_uri = public_base() + bp.url_prefix + "/connect/callback"  # type: ignore[operator]
    out = connect.start(db(), actor(), tenant_id, account_id, redirect_uri)
    db().commit()
    return out


@endpoint(bp, "/connect/callback", "GET", summary="Where the network sends the person back after connecting",
          tag=TAG, query=ConnectCallbackQuery, response=ConnectedOut, public=True)
def connect_callback(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    started_by = session.get(connect.RETURN_KEY)
    if isinstance(started_by, dict) and started_by.get("state") == query["state"]:
        # Started from a console page in this browser: that page finishes it and says how it went.
        session.pop(connect.RETURN_KEY)
        handed_over = {k: request.args[k] for k in ("state", "code", "error", "error_description") if k in request.args}
        return redirect(url_for(started_by["endpoint"], **handed_over), code=303)
    acct = connect.callback(db(), query["state"], query["code"], query["error"], query["error_description"])
    db().commit()
    return {"account_id": acct.id, "network": acct.network, "handle": acct.handle, "external_id": acct.external_id,
            "connection_state": acct.connection_state}
