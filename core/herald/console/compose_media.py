"""Media on the compose page: the content-library assets a person may pick for a variant,
uploading a new file into the library (the library service, as ``POST …/assets`` does), the
media items of a variant as the post schema has them (``{"kind", "asset_id", "alt_text"}``),
and image previews.

The post service checks every picked asset again (visible from the post's unit, not rejected,
retired or expired, of the kind the item says): a hand-made form naming another tenant's or a
rejected asset is refused with a message at that variant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from herald.api.context import db, runtime
from herald.api.views.library import INLINE_TYPES, _serve
from herald.clock import utcnow
from herald.console.blueprint import bp, tenant, who
from herald.errors import HeraldError, NotFound
from herald.library import service as library
from herald.library.models import Asset
from herald.library.service import FILE_KINDS
from herald.library.sniff import HEAD_BYTES, sniff
from herald.library.storage import storage_for

MAX_PICKABLE = 60
MAX_MEDIA = 20
#: the form posts that may carry a file
UPLOADING_ENDPOINTS = {"console.compose_post", "console.edit_post_save"}


@dataclass(frozen=True)
class Pickable:
    asset: Asset
    preview: bool
    pending: bool


def pickable_assets(extra_ids: set[str] = frozenset()) -> list[Pickable]:  # type: ignore[assignment]
    """What the picker offers: approved, unexpired file assets visible to the person (from the
    units where they may see the library), and their own uploads still waiting for approval;
    plus ``extra_ids`` (already picked) when the person may see them."""
    session, actor, now = db(), who(), utcnow()
    stmt = library.list_query(session, actor, tenant().id).where(Asset.kind.in_(FILE_KINDS))
    rows = session.scalars(stmt.order_by(Asset.created_at.desc(), Asset.id).limit(500)).all()
    out = [a for a in rows if a.usable(now) or (a.status == "pending" and a.created_by == actor.user_id
                                                 and not a.expired(now))][:MAX_PICKABLE]
    seen = {a.id for a in out}
    for asset_id in sorted(extra_ids - seen):
        asset = session.get(Asset, asset_id)
        if asset is not None and asset.tenant_id == tenant().id and library.can_see(session, actor, asset):
            out.append(asset)
    return [Pickable(a, a.mime_type in INLINE_TYPES, a.status != "approved") for a in out]


def media_of(form: Any, row: int, extra: list[str] | None = None) -> list[dict[str, Any]]:
    """The media items of variant ``row``: each picked asset with its kind and alt text."""
    ids = [i[:40] for i in form.getlist(f"variant-{row}-media")] + list(extra or [])
    ids = list(dict.fromkeys(i for i in ids if i))[:MAX_MEDIA]
    return media_items(ids, {i: form.get(f"variant-{row}-alt-{i}") or "" for i in ids})


def media_items(ids: list[str], alt: dict[str, str]) -> list[dict[str, Any]]:
    """The media items for the picked assets ``ids`` (``alt``: their descriptions), each with
    the asset's kind as the post schema has it."""
    kinds = {}
    if ids:
        kinds = {a.id: a.kind for a in db().scalars(select(Asset).where(Asset.tenant_id == tenant().id,
                                                                        Asset.id.in_(ids)))}
    return [{"kind": kinds.get(i, "image"), "asset_id": i, "url": None,
             "alt_text": (alt.get(i) or "").strip()[:1000] or None} for i in ids]


def upload(unit_id: str, file: FileStorage) -> Asset:
    """Store ``file`` in the library of ``unit_id`` as a pending asset (the person needs
    ``media.manage`` there). Its kind is what its bytes are; the service checks it again."""
    stream = file.stream
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    detected = sniff(head)
    kind = next((k for k in detected.kinds if k in FILE_KINDS), "image")
    name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200] or _("Untitled")
    settings = runtime().settings
    return library.create_file_asset(db(), who(), storage_for(settings), tenant().id, org_unit_id=unit_id,
                                     kind=kind, name=name, stream=stream, max_bytes=settings.media_max_bytes)


def uploads(form: Any, files: Any, rows: Iterable[int], unit_id: str | None = None
            ) -> tuple[dict[int, list[str]], dict[str, list[str]]]:
    """Upload the file attached to each variant into the library of ``unit_id`` (by default the
    form's unit); (new asset ids by row, problems by field).
    Each upload is committed on its own, so a later refusal keeps what was stored."""
    added: dict[int, list[str]] = {}
    problems: dict[str, list[str]] = {}
    unit_id = unit_id or form.get("org_unit_id", "")[:40]
    for row in rows:
        file = files.get(f"variant-{row}-upload")
        if file is None or not file.filename:
            continue
        try:
            asset = upload(unit_id, file)
            db().commit()
            added.setdefault(row, []).append(asset.id)
        except HeraldError as exc:
            db().rollback()
            problems.setdefault(f"variants[{row}].upload", []).append(exc.detail)
    return added, problems


def _allow_uploads() -> None:
    """Compose posts may carry a file: allow the library's biggest upload (plus the form)
    instead of the general request limit. Runs before the CSRF check reads the form."""
    if request.endpoint in UPLOADING_ENDPOINTS:
        request.max_content_length = max(runtime().settings.media_max_bytes.values()) + 256 * 1024


@bp.record_once
def _install_upload_limit(state: Any) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_uploads)


@bp.get("/library/<asset_id>/preview")
def asset_preview(asset_id: str) -> Response:
    """An image asset's file, for the picker's thumbnails (anything else is not previewed)."""
    asset = library.get_asset(db(), who(), tenant().id, asset_id[:40])
    if asset.mime_type not in INLINE_TYPES:
        raise NotFound(_("This asset has no preview."))
    return _serve(asset)
