"""The content library: upload, list (inherited down the unit tree), metadata, approval,
downloads served safely, and signed public links for networks that fetch media."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from flask import Response, request

from herald.api.blueprint import bp
from herald.api.context import actor, db, runtime
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate
from herald.api.schemas.library import (
    AssetListQuery,
    AssetNote,
    AssetOut,
    AssetReject,
    AssetTextCreate,
    AssetUpdate,
    AssetUpload,
    SignedUrlOut,
    SignedUrlQuery,
)
from herald.clock import utcnow
from herald.errors import Conflict, NotFound, ValidationFailed
from herald.library import service
from herald.library.delivery import signed_path
from herald.library.links import MediaLinkExpired, read_token
from herald.library.models import Asset
from herald.library.storage import storage_for
from herald.web.request_trust import public_base

TAG = "Content library"
BASE = "/tenants/<tenant_id>/assets"
#: images are shown inline; everything else only ever downloads
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
#: a served file can run nothing, load nothing and be framed by nobody
CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox; frame-ancestors 'none'"


def _out(asset: Asset) -> dict[str, Any]:
    data = {c: getattr(asset, c) for c in AssetOut().fields if c != "expired"}
    data["expired"] = asset.expired(utcnow())
    return data


def _upload_limit() -> int:
    # The biggest kind's limit plus room for the form fields; each kind's own limit is checked
    # while the file is read.
    return max(runtime().settings.media_max_bytes.values()) + 64 * 1024


@endpoint(bp, BASE, "POST", tag=TAG, status=201, response=AssetOut,
          summary="Add an asset: upload a file (multipart/form-data) or create a template or snippet (JSON)",
          body=AssetTextCreate, form=AssetUpload, form_max_bytes=_upload_limit)
def create_asset(tenant_id: str, body: dict[str, Any] | None = None, form: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    if form is not None:
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed("Attach the file as the multipart part named 'file'.",
                                   {"file": ["Missing file."]})
        form.pop("file", None)
        settings = runtime().settings
        name = form.pop("name") or (upload.filename or "").rsplit("/", 1)[-1][:200] or "Untitled"
        asset = service.create_file_asset(session, who, storage_for(settings), tenant_id, name=name,
                                          stream=upload.stream, max_bytes=settings.media_max_bytes, **form)
    else:
        assert body is not None
        asset = service.create_text_asset(session, who, tenant_id, **body)
    session.commit()
    return _out(asset)


@endpoint(bp, BASE, "GET", tag=TAG, query=AssetListQuery, response=AssetOut, many=True,
          summary="Assets visible from a unit (its own and its ancestors'), or from every unit you can see")
def list_assets(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    limit, cursor = query.pop("limit"), query.pop("cursor")
    stmt = service.list_query(db(), actor(), tenant_id, **query)
    page = paginate(db(), stmt, [Asset.created_at, Asset.id], limit, cursor)
    page.items = [_out(a) for a in page.items]
    return page


@endpoint(bp, BASE + "/<asset_id>", "GET", tag=TAG, response=AssetOut, summary="One asset")
def get_asset(tenant_id: str, asset_id: str):  # type: ignore[no-untyped-def]
    return _out(service.get_asset(db(), actor(), tenant_id, asset_id))


@endpoint(bp, BASE + "/<asset_id>", "PATCH", tag=TAG, body=AssetUpdate, response=AssetOut,
          summary="Change an asset's name, tags, licence, expiry or text")
def update_asset(tenant_id: str, asset_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    asset = service.update_asset(db(), actor(), tenant_id, asset_id, body)
    db().commit()
    return _out(asset)


@endpoint(bp, BASE + "/<asset_id>/approve", "POST", tag=TAG, body=AssetNote, response=AssetOut,
          summary="Approve a pending asset (media.manage; not its uploader)")
def approve_asset(tenant_id: str, asset_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    asset = service.decide(db(), actor(), tenant_id, asset_id, "approve", body["note"])
    db().commit()
    return _out(asset)


@endpoint(bp, BASE + "/<asset_id>/reject", "POST", tag=TAG, body=AssetReject, response=AssetOut,
          summary="Reject a pending asset, saying why (media.manage; not its uploader)")
def reject_asset(tenant_id: str, asset_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    asset = service.decide(db(), actor(), tenant_id, asset_id, "reject", body["note"])
    db().commit()
    return _out(asset)


@endpoint(bp, BASE + "/<asset_id>/retire", "POST", tag=TAG, body=AssetNote, response=AssetOut,
          summary="Retire an asset: posts using it can no longer be scheduled or published")
def retire_asset(tenant_id: str, asset_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    asset = service.retire(db(), actor(), tenant_id, asset_id, body["note"])
    db().commit()
    return _out(asset)


def _serve(asset: Asset) -> Response:
    if asset.storage_key is None:
        raise NotFound(f"The asset {asset.name!r} is a {asset.kind}; its text is in the asset itself.")
    chunks = storage_for(runtime().settings).open(asset.storage_key)
    mime = asset.mime_type or "application/octet-stream"
    resp = Response(chunks, mimetype=mime, direct_passthrough=True)
    resp.headers["Content-Length"] = str(asset.size)
    disposition = "inline" if mime in INLINE_TYPES else "attachment"
    resp.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(asset.name, safe='')}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@endpoint(bp, BASE + "/<asset_id>/content", "GET", tag=TAG,
          summary="The asset's file, served as its sniffed type (images inline, everything else as a download)")
def download_asset(tenant_id: str, asset_id: str):  # type: ignore[no-untyped-def]
    return _serve(service.get_asset(db(), actor(), tenant_id, asset_id))


@endpoint(bp, BASE + "/<asset_id>/links", "POST", tag=TAG, body=SignedUrlQuery, response=SignedUrlOut, status=201,
          summary="A signed, expiring public link to an approved asset's file (for networks that fetch media)")
def create_link(tenant_id: str, asset_id: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    asset = service.get_asset(db(), actor(), tenant_id, asset_id)
    if not asset.usable(utcnow()):
        raise Conflict(f"The asset {asset.name!r} is not approved or has expired; it cannot be shared.")
    settings = runtime().settings
    ttl = timedelta(seconds=body["ttl"] or settings.media_url_ttl)
    base = public_base()
    return {"url": base + signed_path(settings, asset, ttl), "expires_at": utcnow() + ttl}


@endpoint(bp, "/media/<token>", "GET", tag=TAG, public=True, problems=(410,),
          summary="A file behind a signed link (no token needed; the link itself is the credential)")
def signed_media(token: str):  # type: ignore[no-untyped-def]
    claims = read_token(runtime().settings.secret_key, token)
    asset = db().get(Asset, claims.asset_id)
    if asset is None or asset.tenant_id != claims.tenant_id or asset.storage_key is None:
        raise NotFound("The file behind this link no longer exists.")
    if not asset.usable(utcnow()):
        raise MediaLinkExpired("The asset behind this link is no longer approved for use.")
    return _serve(asset)
