"""The content library's rules: upload (type sniffed from the content, size limited per kind),
templates and snippets, visibility down the unit tree, metadata, and the approval of assets
with separation of duties. Every change is audited; nothing here commits."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, false, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from herald import audit
from herald.authz import Actor, can, require, visible_unit_filter
from herald.authz.check import in_tenant
from herald.clock import utcnow
from herald.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from herald.library.models import ASSET_KINDS, Asset
from herald.library.sniff import ACCEPTED_FORMATS, HEAD_BYTES, sniff
from herald.library.storage import CHUNK, MediaStorage, asset_key
from herald.tenancy.models import OrgUnit
from herald.tenancy.service import get_unit

ASSET_FIELDS = ("id", "org_unit_id", "kind", "name", "mime_type", "size", "sha256", "tags", "licence",
                "status", "expires_at", "decided_by", "decision_note")
FILE_KINDS = ("image", "video", "gif", "document")
TEXT_KINDS = ("template", "snippet")
assert set(FILE_KINDS + TEXT_KINDS) == set(ASSET_KINDS)


# ----------------------------------------------------------------------------- visibility
def _not_found(asset_id: str) -> NotFound:
    return NotFound(f"No asset {asset_id!r} in this tenant.")


def can_see(session: Session, actor: Actor, asset: Asset) -> bool:
    """An asset is seen from its own unit and every unit below it: the actor needs
    ``media.view`` on one of those."""
    if can(session, actor, "media.view", asset):
        return True
    unit = session.get(OrgUnit, asset.org_unit_id)
    if unit is None:
        return False
    below = session.execute(
        select(OrgUnit.id).where(OrgUnit.tenant_id == asset.tenant_id,
                                 OrgUnit.path.startswith(unit.path, autoescape=True),
                                 visible_unit_filter(session, actor, "media.view", asset.tenant_id)).limit(1)
    ).first()
    return below is not None


def get_asset(session: Session, actor: Actor, tenant_id: str, asset_id: str, permission: str = "media.view") -> Asset:
    in_tenant(session, actor, tenant_id)
    asset = session.get(Asset, asset_id)
    if asset is None or asset.tenant_id != tenant_id or not can_see(session, actor, asset):
        raise _not_found(asset_id)
    if permission != "media.view":
        require(session, actor, permission, asset)
    return asset


def visible_unit_ids(session: Session, actor: Actor, tenant_id: str, from_unit_id: str | None) -> list[str]:
    """Units whose assets are visible: from one unit, that unit and its ancestors; otherwise
    the ancestors-or-self of every unit where the actor holds ``media.view``."""
    if from_unit_id:
        return get_unit(session, actor, tenant_id, from_unit_id, "media.view").ancestor_ids
    in_tenant(session, actor, tenant_id)
    paths = session.execute(
        select(OrgUnit.path).where(OrgUnit.tenant_id == tenant_id,
                                   visible_unit_filter(session, actor, "media.view", tenant_id))
    ).scalars()
    return sorted({unit_id for path in paths for unit_id in path.split("/") if unit_id})


def list_query(session: Session, actor: Actor, tenant_id: str, *, org_unit_id: str | None = None,
               kind: str | None = None, status: str | None = None, tag: str | None = None,
               expired: bool | None = None, q: str | None = None) -> Select[tuple[Asset]]:
    units = visible_unit_ids(session, actor, tenant_id, org_unit_id)
    stmt = select(Asset).where(Asset.tenant_id == tenant_id, Asset.org_unit_id.in_(units) if units else false())
    if kind:
        stmt = stmt.where(Asset.kind == kind)
    if status:
        stmt = stmt.where(Asset.status == status)
    if tag:
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.where(type_coerce(Asset.tags, JSONB).contains([tag]))
        else:
            each = func.json_each(Asset.tags).table_valued("value")
            stmt = stmt.where(select(1).select_from(each).where(each.c.value == tag).exists())
    if expired is not None:
        now = utcnow()
        stmt = stmt.where(Asset.expires_at <= now if expired
                          else or_(Asset.expires_at.is_(None), Asset.expires_at > now))
    if q:
        stmt = stmt.where(or_(Asset.name.icontains(q, autoescape=True), Asset.text.icontains(q, autoescape=True)))
    return stmt


# ----------------------------------------------------------------------------- creating
def _writable_unit(session: Session, actor: Actor, tenant_id: str, org_unit_id: str) -> OrgUnit:
    unit = get_unit(session, actor, tenant_id, org_unit_id, "media.manage")
    if unit.archived_at is not None:
        raise Conflict("The unit is archived.")
    return unit


def _check_expiry(expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed("The expiry is in the past.", {"expires_at": ["Give a time in the future."]})


def _spool(stream: IO[bytes], head: bytes, limit: int, kind: str) -> tuple[IO[bytes], int, str]:
    """Copy the upload aside while hashing it; refuse as soon as it passes ``limit``."""
    digest = hashlib.sha256(head)
    size = len(head)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115  (returned to the caller)
    out.write(head)
    while size <= limit and (chunk := stream.read(CHUNK)):
        size += len(chunk)
        digest.update(chunk)
        out.write(chunk)
    if size > limit:
        out.close()
        raise PayloadTooLarge(f"The file is larger than {limit} bytes, the most a {kind} asset may be.",
                              limit=limit)
    out.seek(0)
    return out, size, digest.hexdigest()


def create_file_asset(session: Session, actor: Actor, storage: MediaStorage, tenant_id: str, *, org_unit_id: str,
                      kind: str, name: str, stream: IO[bytes], max_bytes: dict[str, int], tags: list[str] = (),  # type: ignore[assignment]
                      licence: str = "", expires_at: datetime | None = None) -> Asset:
    """Store an uploaded file as a pending asset. Its type is what its bytes are, never what
    its name or the request said; it must be one of the accepted formats and fit ``kind``."""
    unit = _writable_unit(session, actor, tenant_id, org_unit_id)
    if kind not in FILE_KINDS:
        raise ValidationFailed("Only images, videos, GIFs and documents are uploaded as files.",
                               {"kind": [f"Use one of {', '.join(FILE_KINDS)}; templates and snippets are "
                                         "created from text."]})
    _check_expiry(expires_at)
    head = stream.read(HEAD_BYTES)
    detected = sniff(head)
    if not detected.accepted:
        raise UnsupportedMediaType(
            f"The file is {detected.description} ({detected.mime_type}); the content library accepts only "
            f"{ACCEPTED_FORMATS} files.", detected=detected.mime_type)
    if kind not in detected.kinds:
        raise ValidationFailed(f"The file is {detected.description}, not a {kind}.",
                               {"kind": [f"The content is {detected.mime_type}; declare it as "
                                         f"{' or '.join(detected.kinds)}."]})
    spooled, size, sha = _spool(stream, head, max_bytes[kind], kind)
    with spooled:
        asset = Asset(tenant_id=tenant_id, org_unit_id=unit.id, kind=kind, name=name, mime_type=detected.mime_type,
                      size=size, sha256=sha, tags=_clean_tags(tags), licence=licence, expires_at=expires_at,
                      created_by=actor.user_id, status="pending")
        session.add(asset)
        session.flush()
        asset.storage_key = asset_key(tenant_id, asset.id)
        storage.put(asset.storage_key, spooled)
    session.flush()
    audit.record(session, actor, "asset.created", "asset", asset.id, tenant_id=tenant_id,
                 after=audit.snapshot(asset, ASSET_FIELDS))
    return asset


def create_text_asset(session: Session, actor: Actor, tenant_id: str, *, org_unit_id: str, kind: str, name: str,
                      text: str, tags: list[str] = (), licence: str = "",  # type: ignore[assignment]
                      expires_at: datetime | None = None) -> Asset:
    unit = _writable_unit(session, actor, tenant_id, org_unit_id)
    if kind not in TEXT_KINDS:
        raise ValidationFailed("Images, videos, GIFs and documents are uploaded as files (multipart/form-data).",
                               {"kind": [f"Only {' and '.join(TEXT_KINDS)} are created from text."]})
    _check_expiry(expires_at)
    asset = Asset(tenant_id=tenant_id, org_unit_id=unit.id, kind=kind, name=name, text=text,
                  mime_type="text/plain; charset=utf-8", size=len(text.encode()),
                  sha256=hashlib.sha256(text.encode()).hexdigest(), tags=_clean_tags(tags), licence=licence,
                  expires_at=expires_at, created_by=actor.user_id, status="pending")
    session.add(asset)
    session.flush()
    audit.record(session, actor, "asset.created", "asset", asset.id, tenant_id=tenant_id,
                 after=audit.snapshot(asset, ASSET_FIELDS))
    return asset


def _clean_tags(tags: list[str]) -> list[str]:
    return sorted({t.strip() for t in tags if t.strip()})


# ----------------------------------------------------------------------------- changing
def update_asset(session: Session, actor: Actor, tenant_id: str, asset_id: str, changes: dict[str, Any]) -> Asset:
    """Change name, tags, licence, expiry or (templates and snippets) text. New text is new
    content: an approved template goes back to pending."""
    asset = get_asset(session, actor, tenant_id, asset_id, "media.manage")
    if asset.status == "retired":
        raise Conflict("The asset is retired; it can no longer be changed.")
    before = audit.snapshot(asset, ASSET_FIELDS)
    if "text" in changes:
        if asset.kind not in TEXT_KINDS:
            raise ValidationFailed("Only templates and snippets have text.", {"text": ["Not for a file asset."]})
        if changes["text"] != asset.text:
            asset.text = changes["text"]
            asset.size = len(asset.text.encode())
            asset.sha256 = hashlib.sha256(asset.text.encode()).hexdigest()
            if asset.status in ("approved", "rejected"):
                asset.status, asset.decided_by, asset.decided_at = "pending", None, None
    if "expires_at" in changes:
        _check_expiry(changes["expires_at"])
        asset.expires_at = changes["expires_at"]
    if "tags" in changes:
        asset.tags = _clean_tags(changes["tags"])
    for key in ("name", "licence"):
        if key in changes:
            setattr(asset, key, changes[key])
    session.flush()
    after = audit.snapshot(asset, ASSET_FIELDS)
    if after != before:
        audit.record(session, actor, "asset.updated", "asset", asset.id, tenant_id=tenant_id,
                     before=before, after=after)
    return asset


def decide(session: Session, actor: Actor, tenant_id: str, asset_id: str, decision: str, note: str = "") -> Asset:
    """Approve or reject a pending asset. The decider needs ``media.manage`` on the asset's
    unit and must not be the person who added it (separation of duties)."""
    asset = get_asset(session, actor, tenant_id, asset_id, "media.manage")
    if decision not in ("approve", "reject"):
        raise ValidationFailed("Unknown decision.", {"decision": ["Use approve or reject."]})
    if asset.created_by == actor.user_id:
        raise Forbidden("You added this asset; someone else must approve or reject it (separation of duties).")
    if asset.status != "pending":
        raise Conflict(f"The asset is {asset.status}; only pending assets are approved or rejected.",
                       asset_status=asset.status)
    if decision == "reject" and not note.strip():
        raise ValidationFailed("Say why the asset is rejected.", {"note": ["A rejection needs a note."]})
    before = audit.snapshot(asset, ASSET_FIELDS)
    asset.status = "approved" if decision == "approve" else "rejected"
    asset.decided_by, asset.decided_at, asset.decision_note = actor.user_id, utcnow(), note
    session.flush()
    audit.record(session, actor, f"asset.{asset.status}", "asset", asset.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(asset, ASSET_FIELDS))
    return asset


def retire(session: Session, actor: Actor, tenant_id: str, asset_id: str, note: str = "") -> Asset:
    """Withdraw an asset for good: posts using it can no longer be scheduled or published."""
    asset = get_asset(session, actor, tenant_id, asset_id, "media.manage")
    if asset.status == "retired":
        raise Conflict("The asset is already retired.")
    before = audit.snapshot(asset, ASSET_FIELDS)
    asset.status = "retired"
    asset.decided_by, asset.decided_at, asset.decision_note = actor.user_id, utcnow(), note
    session.flush()
    audit.record(session, actor, "asset.retired", "asset", asset.id, tenant_id=tenant_id,
                 before=before, after=audit.snapshot(asset, ASSET_FIELDS))
    return asset
