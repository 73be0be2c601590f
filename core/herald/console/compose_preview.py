"""The per-network preview on the compose page: for each form row, how its variant will look on
each chosen account's network (:func:`herald.content.preview.preview_content`, computed from the
connectors' own rules), with image thumbnails from the content library. The live check returns
it as data and as the rendered fragment; without the script, "Check" renders the same fragment."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from sqlalchemy import select

from herald.api.context import db
from herald.api.views.library import INLINE_TYPES
from herald.console.blueprint import tenant, who
from herald.content.preview import preview_content
from herald.library import service as library
from herald.library.models import Asset


def _thumbnails(ids: set[str]) -> dict[str, str]:
    """Preview URLs of the image assets among ``ids`` that the person may see."""
    if not ids:
        return {}
    session, actor = db(), who()
    rows = session.scalars(select(Asset).where(Asset.tenant_id == tenant().id, Asset.id.in_(ids))).all()
    return {a.id: url_for("console.asset_preview", asset_id=a.id) for a in rows
            if a.mime_type in INLINE_TYPES and library.can_see(session, actor, a)}


def previews_by_row(content: dict[str, Any], rows: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The previews of each form row (variant ``k`` of ``content`` is form row ``rows[k]``)."""
    session = db()
    try:
        per_variant = preview_content(session, who(), tenant().id, content)
    finally:
        session.rollback()
    thumbs = _thumbnails({m["asset_id"] for previews in per_variant for p in previews
                          for m in p["media"] if m.get("asset_id")})
    out: dict[int, list[dict[str, Any]]] = {}
    for k, previews in enumerate(per_variant):
        for p in previews:
            for m in p["media"]:
                m["thumbnail"] = thumbs.get(m.get("asset_id") or "")
        out[rows[k]] = previews
    return out


def fragment(row: int, previews: list[dict[str, Any]]) -> str:
    """The preview of one form row as HTML (the same template the page includes)."""
    return render_template("console/_compose_preview.html", row=row, previews=previews)
