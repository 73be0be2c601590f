"""Handing asset files to the outside: signed public links and the :class:`MediaFile` the
publishing engine gives a connector."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from herald.config import Settings
from herald.errors import Conflict, NotFound
from herald.library.links import make_token
from herald.library.models import Asset
from herald.library.storage import MediaStorage, storage_for
from herald.networks.connector import MediaFile

#: the public route that serves signed links (under the API prefix)
MEDIA_ROUTE = "/api/v1/media/"


def signed_path(settings: Settings, asset: Asset, ttl: timedelta | None = None) -> str:
    """The path (no host) of a signed link to ``asset``'s file, valid for ``ttl``."""
    if asset.storage_key is None:
        raise Conflict(f"The asset {asset.name!r} is a {asset.kind}, with no file to link to.")
    ttl = ttl or timedelta(seconds=settings.media_url_ttl)
    return MEDIA_ROUTE + make_token(settings.secret_key, asset.tenant_id, asset.id, ttl)


def signed_url(settings: Settings, asset: Asset, ttl: timedelta | None = None) -> str | None:
    """An absolute signed link on ``HERALD_PUBLIC_URL``; None when no public URL is set."""
    if not settings.public_url:
        return None
    return settings.public_url + signed_path(settings, asset, ttl)


def media_file(session: Session, settings: Settings, tenant_id: str, asset_id: str, *,
               alt_text: str | None = None, storage: MediaStorage | None = None,
               ttl: timedelta | None = None) -> MediaFile:
    """What a connector needs to publish one asset: a signed public URL (for networks that
    fetch media) and ``read`` (for networks that take uploads). Refuses assets not fit to go
    out now."""
    from herald.clock import utcnow

    asset = session.get(Asset, asset_id)
    if asset is None or asset.tenant_id != tenant_id or asset.storage_key is None:
        raise NotFound(f"No asset file {asset_id!r} in this tenant.")
    if not asset.usable(utcnow()):
        raise Conflict(f"The asset {asset.name!r} is {'expired' if asset.expired(utcnow()) else asset.status}; "
                       "it cannot be published.", asset_id=asset.id)
    store = storage or storage_for(settings)
    key = asset.storage_key
    return MediaFile(kind=asset.kind, mime_type=asset.mime_type or "application/octet-stream", size=asset.size,
                     url=signed_url(settings, asset, ttl), read=lambda: store.get(key), alt_text=alt_text)
