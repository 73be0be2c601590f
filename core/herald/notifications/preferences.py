"""Each person's notification preferences: which kinds reach them over which channel.

Channels are the notifier plugins the person's tenant enabled that reach people one by one
(in-app, email; a shared chat channel's notifier is configured by the tenant instead); kinds are
Herald's and those the tenant's plugins declare (:func:`herald.notifications.kinds.kinds_for`). Everything
is on unless the person turned it off; only the choices that differ from that are stored.
:func:`herald.notifications.send.send` reads them, so every channel honours them in one place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz import Actor
from herald.clock import utcnow
from herald.errors import Forbidden, ValidationFailed
from herald.notifications.kinds import REQUIRED, kinds_for
from herald.notifications.models import NotificationPreference
from herald.runtime import current


@dataclass(frozen=True)
class Channel:
    key: str
    name: str


def channels(session: Session, tenant_id: str) -> list[Channel]:
    """The tenant's enabled notifiers that reach people one by one, in-app first, then by key
    (a channel notifier posts where many read: what it carries is the tenant's setting, not a
    person's choice)."""
    hooks = current().plugins.for_tenant(session, tenant_id)
    found = {cls.key: Channel(cls.key, str(getattr(cls, "display_name", cls.key)))
             for cls in hooks.classes("herald_notifiers") if getattr(cls, "audience", "person") != "channel"}
    return sorted(found.values(), key=lambda c: (c.key != "inapp", c.key))


def turned_off(session: Session, user_id: str, kind: str) -> set[str]:
    """The channels over which the person does not want ``kind`` (none for a required kind)."""
    if kind in REQUIRED or not user_id:
        return set()
    return set(session.scalars(select(NotificationPreference.channel).where(
        NotificationPreference.user_id == user_id, NotificationPreference.kind == kind,
        NotificationPreference.enabled.is_(False))))


def _person(actor: Actor) -> str:
    if actor.tenant_id is None:
        raise Forbidden("Notification preferences belong to people of a tenant.")
    return actor.tenant_id


def preferences(session: Session, actor: Actor) -> dict[str, Any]:
    """The whole grid for the actor: every kind on every enabled channel, with its setting."""
    tenant_id = _person(actor)
    chans = channels(session, tenant_id)
    off = {(p.kind, p.channel) for p in session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == actor.user_id, NotificationPreference.enabled.is_(False)))}
    kinds = kinds_for(session, tenant_id)
    return {
        "channels": chans,
        "kinds": list(kinds),
        "preferences": [{"kind": k.key, "channel": c.key, "enabled": (k.key, c.key) not in off}
                        for k in kinds for c in chans],
    }


def replace(session: Session, actor: Actor, entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Set the actor's preferences to ``entries`` ({kind, channel, enabled}); a (kind, channel)
    not listed goes back to the default, on. Unknown kinds or channels are refused, nothing
    written. Returns the new grid."""
    tenant_id = _person(actor)
    known_channels = {c.key for c in channels(session, tenant_id)}
    known_kinds = {k.key for k in kinds_for(session, tenant_id)}
    errors: dict[str, list[str]] = {}
    chosen: dict[tuple[str, str], bool] = {}
    for i, entry in enumerate(entries):
        kind, channel = entry["kind"], entry["channel"]
        if kind not in known_kinds:
            errors[f"preferences[{i}].kind"] = [f"{kind!r} is not a kind of notification a person can choose."]
        if channel not in known_channels:
            errors[f"preferences[{i}].channel"] = [f"{channel!r} is not a notification channel of this tenant."]
        if (kind, channel) in chosen:
            errors[f"preferences[{i}]"] = [f"({kind!r}, {channel!r}) is listed twice."]
        chosen[(kind, channel)] = bool(entry["enabled"])
    if errors:
        raise ValidationFailed("Some notification preferences are not valid.", errors)
    before = sorted(f"{k}/{c}" for k, c in _stored_off(session, actor.user_id) if c in known_channels)
    # choices about a channel the tenant has since disabled are kept for when it comes back
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == actor.user_id,
                                                         NotificationPreference.channel.in_(known_channels)))
    now = utcnow()
    off = sorted(pair for pair, enabled in chosen.items() if not enabled)
    for kind, channel in off:
        session.add(NotificationPreference(user_id=actor.user_id, tenant_id=tenant_id, kind=kind, channel=channel,
                                           enabled=False, updated_at=now))
    session.flush()
    after = [f"{k}/{c}" for k, c in off]
    if before != after:
        audit.record(session, actor, "notification_preferences.changed", "user", actor.user_id,
                     tenant_id=tenant_id, before={"off": before}, after={"off": after})
    return preferences(session, actor)


def _stored_off(session: Session, user_id: str) -> list[tuple[str, str]]:
    return [(p.kind, p.channel) for p in session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == user_id, NotificationPreference.enabled.is_(False)))]
