"""The tenant's logos: approved image assets of the content library tagged ``logo``, which an
image enricher looks for in posts and incoming images."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.clock import utcnow
from herald.library.models import Asset
from herald.library.storage import current_storage

log = logging.getLogger(__name__)

LOGO_TAG = "logo"
#: at most this many logos are offered to an enricher
MAX_LOGOS = 20
MAX_BYTES = 8 * 1024 * 1024


def logo_images(session: Session, tenant_id: str) -> list[dict[str, Any]]:
    """``[{"id", "name", "sha256", "data"}]`` for the tenant's usable logo images, newest first."""
    now = utcnow()
    assets = session.scalars(select(Asset).where(Asset.tenant_id == tenant_id, Asset.kind == "image",
                                                 Asset.status == "approved", Asset.storage_key.is_not(None),
                                                 Asset.size <= MAX_BYTES)
                             .order_by(Asset.created_at.desc()).limit(200)).all()
    found = []
    storage = current_storage()
    for asset in assets:
        if LOGO_TAG not in (asset.tags or []) or asset.expired(now) or not asset.storage_key:
            continue
        try:
            data = storage.get(asset.storage_key)
        except Exception:
            log.exception("logo %s could not be read", asset.id)
            continue
        found.append({"id": asset.id, "name": asset.name, "sha256": asset.sha256, "data": data})
        if len(found) >= MAX_LOGOS:
            break
    return found
