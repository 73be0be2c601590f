"""The content library's own page (``/console/library``): the assets visible to the person, with
kind, approval status and a thumbnail of images; uploading (``media.manage`` on a unit) and
approving or rejecting pending assets (``media.manage`` on the asset's unit, never one's own
upload). Everything goes through :mod:`herald.library.service`, as ``…/assets`` in the API."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from herald.api.context import db, runtime
from herald.api.pagination import paginate
from herald.api.schemas.library import AssetListQuery
from herald.api.schemas.names import NAME_LIMITS, clean_name
from herald.api.views.library import INLINE_TYPES
from herald.authz import can
from herald.clock import utcnow
from herald.console.blueprint import back, bp, can_somewhere, page, refused, tenant, units_with, who
from herald.console.person_names import people_names
from herald.errors import Forbidden, HeraldError
from herald.library import service as library
from herald.library.models import Asset
from herald.library.service import FILE_KINDS
from herald.library.sniff import HEAD_BYTES, sniff
from herald.library.storage import storage_for

PAGE_SIZE = 40
UPLOAD_ENDPOINT = "console.library_upload"
KIND_LABELS = {"image": _l("Image"), "video": _l("Video"), "gif": _l("GIF"), "document": _l("Document"),
               "template": _l("Template"), "snippet": _l("Snippet")}
STATUS_LABELS = {"pending": _l("Waiting for approval"), "approved": _l("Approved"), "rejected": _l("Rejected"),
                 "retired": _l("Retired")}


def _require_view() -> None:
    if not can_somewhere("media.view"):
        raise Forbidden(_("You may not see the content library."))


def _filters() -> dict[str, Any]:
    raw = {k: request.args.get(k, "").strip()[:200] for k in ("kind", "status", "q") if request.args.get(k)}
    if request.args.get("cursor"):
        raw["cursor"] = request.args["cursor"][:500]
    try:
        return AssetListQuery().load({**raw, "limit": PAGE_SIZE})
    except ValidationError:
        return AssetListQuery().load({"limit": PAGE_SIZE})  # a hand-made filter: show everything


@bp.get("/library")
def library_page() -> Response:
    _require_view()
    session, actor = db(), who()
    query = _filters()
    limit, cursor = query.pop("limit"), query.pop("cursor")
    found = paginate(session, library.list_query(session, actor, tenant().id, **query),
                     [Asset.created_at, Asset.id], limit, cursor)
    names = people_names({a.created_by for a in found.items})
    units = {u.id: u.name for u in units_with("media.view", include_archived=True)}
    now = utcnow()
    rows = [{"asset": a, "preview": a.mime_type in INLINE_TYPES, "expired": a.expired(now),
             "may_decide": a.status == "pending" and a.created_by != actor.user_id
             and can(session, actor, "media.manage", a)} for a in found.items]
    chosen = {k: v for k, v in query.items() if v not in (None, "")}
    return page("console/library.html", rows=rows, uploaders=names, units=units, filters=chosen,
                kinds=KIND_LABELS, statuses=STATUS_LABELS, next_cursor=found.next_cursor, first_page=cursor is None,
                upload_units=units_with("media.manage"), file_kinds=FILE_KINDS, name_limit=NAME_LIMITS["asset"])


@bp.post("/library/upload")
def library_upload() -> Response:
    """Store the chosen file in the chosen unit's library as a pending asset; its kind is what
    its bytes are (the service checks the type and the size for that kind)."""
    _require_view()
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a file to upload."), "error")
        return back("console.library_page")
    try:
        typed = request.form.get("name", "")
        name = clean_name(typed, "asset") if typed.strip() else \
            (file.filename.replace("\\", "/").rsplit("/", 1)[-1][:NAME_LIMITS["asset"]] or _("Untitled"))
    except ValidationError as exc:
        flash(" ".join(str(m) for m in exc.messages), "error")
        return back("console.library_page")
    head = file.stream.read(HEAD_BYTES)
    file.stream.seek(0)
    kind = next((k for k in sniff(head).kinds if k in FILE_KINDS), "image")
    settings = runtime().settings
    try:
        asset = library.create_file_asset(db(), who(), storage_for(settings), tenant().id,
                                          org_unit_id=request.form.get("org_unit_id", "")[:40], kind=kind, name=name,
                                          stream=file.stream, max_bytes=settings.media_max_bytes)
        db().commit()
    except HeraldError as exc:
        db().rollback()
        refused(exc)
        return back("console.library_page")
    flash(_("%(name)s was added to the library; it waits for approval.", name=asset.name), "ok")
    return back("console.library_page")


@bp.post("/library/<asset_id>/decision")
def library_decide(asset_id: str) -> Response:
    """Approve or reject a pending asset (a rejection says why)."""
    _require_view()
    decision = request.form.get("decision", "")
    note = request.form.get("note", "")[:2000]
    try:
        asset = library.decide(db(), who(), tenant().id, asset_id[:40], decision, note)
        db().commit()
    except HeraldError as exc:
        db().rollback()
        refused(exc)
        return back("console.library_page")
    flash(_("%(name)s was approved.", name=asset.name) if asset.status == "approved"
          else _("%(name)s was rejected.", name=asset.name), "ok")
    return back("console.library_page")


def _allow_uploads() -> None:
    """The upload form may carry the library's biggest file (plus the form) instead of the
    general request limit. Runs before the CSRF check reads the form."""
    if request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = max(runtime().settings.media_max_bytes.values()) + 64 * 1024


@bp.record_once
def _install_upload_limit(state: Any) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_uploads)
