"""Posts using library assets: which media items of a post's content are assets, whether they
may be used from the post's unit, and what keeps a version from going out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.library.models import Asset
from herald.tenancy.models import OrgUnit


def media_items(content: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(field path, media item) for every media item of every variant."""
    for i, variant in enumerate(content.get("variants") or []):
        for j, item in enumerate(variant.get("media") or []):
            yield f"variants[{i}].media[{j}]", item


def _assets(session: Session, tenant_id: str, ids: set[str]) -> dict[str, Asset]:
    if not ids:
        return {}
    rows = session.execute(select(Asset).where(Asset.tenant_id == tenant_id, Asset.id.in_(ids))).scalars()
    return {a.id: a for a in rows}


def media_problems(session: Session, tenant_id: str, unit: OrgUnit, content: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem with the assets a post's content names, keyed by field path: an asset must
    be visible from the post's unit (its own or an ancestor's), neither rejected, retired nor
    expired, and of the kind the media item says."""
    items = list(media_items(content))
    assets = _assets(session, tenant_id, {i["asset_id"] for _, i in items if i.get("asset_id")})
    visible_units = set(unit.ancestor_ids)
    now = utcnow()
    errors: dict[str, list[str]] = {}
    for path, item in items:
        asset_id = item.get("asset_id")
        if not asset_id:
            continue
        asset = assets.get(asset_id)
        key = f"{path}.asset_id"
        if asset is None or asset.org_unit_id not in visible_units:
            errors.setdefault(key, []).append(f"No asset {asset_id!r} in the library of this post's unit.")
            continue
        if asset.status in ("rejected", "retired"):
            errors.setdefault(key, []).append(f"The asset {asset.name!r} is {asset.status}.")
        if asset.expired(now):
            errors.setdefault(key, []).append(
                f"The asset {asset.name!r} expired at {asset.expires_at.isoformat()}.")  # type: ignore[union-attr]
        if asset.kind != item.get("kind"):
            errors.setdefault(f"{path}.kind", []).append(
                f"The asset {asset.name!r} is a {asset.kind}, not a {item.get('kind')}.")
    return errors


def approved_assets_only(session: Session, tenant_id: str, contents: list[dict[str, Any]]) -> list[bool]:
    """For each of ``contents``: True when every media item is an approved, unexpired library
    asset (vacuously true without media). One query for them all."""
    media = [[item for _, item in media_items(content)] for content in contents]
    assets = _assets(session, tenant_id, {item["asset_id"] for items in media for item in items
                                          if item.get("asset_id")})
    now = utcnow()
    return [all(item.get("asset_id") and (a := assets.get(item["asset_id"])) is not None and a.usable(now)
                for item in items) for items in media]


def _when(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "?"


def publishing_blockers(session: Session, tenant_id: str, content: dict[str, Any]) -> list[dict[str, Any]]:
    """The assets of ``content`` that may not go out now, each with a sentence saying why."""
    ids = {item["asset_id"] for _, item in media_items(content) if item.get("asset_id")}
    assets = _assets(session, tenant_id, ids)
    now = utcnow()
    blockers = []
    for asset_id in sorted(ids):
        asset = assets.get(asset_id)
        if asset is None:
            reason = f"The asset {asset_id!r} is no longer in the library."
        elif asset.expired(now):
            reason = f"The asset {asset.name!r} ({asset.id}) expired at {_when(asset.expires_at)}."
        elif asset.status == "retired":
            reason = f"The asset {asset.name!r} ({asset.id}) was retired."
        elif asset.status != "approved":
            reason = f"The asset {asset.name!r} ({asset.id}) is {asset.status}, not approved."
        else:
            continue
        blockers.append({"asset_id": asset_id, "reason": reason,
                         "expires_at": _when(asset.expires_at) if asset and asset.expires_at else None})
    return blockers
