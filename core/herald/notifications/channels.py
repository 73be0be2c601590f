"""A tenant's notification channels (Slack, Teams…): the settings that declare them, and which channels a notification
reaches (the org units and inbox teams each covers, the kinds it wants)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

#: the languages a channel's messages can be written in (those Herald's console speaks)
LANGUAGES = ("en", "ar", "fa", "ur", "hi")
#: what a channel gets unless it says otherwise: the messages a team acts on together
DEFAULT_KINDS = ("approval.due", "approval.overdue", "approval.escalated", "publication.failed",
                 "publication.needs_attention", "social_account.reconnect_needed", "sla.at_risk",
                 "sla.breached", "inbox_reply.failed")
NAME = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$",
                       error="A channel name is 1 to 63 letters, digits, '.', '_' or '-', starting with a "
                             "letter or digit.")
KIND = validate.Regexp(r"^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$",
                       error="A kind is a notification kind such as 'approval.due', a group such as 'sla.*', "
                             "or '*' for every kind.")
ID = validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$", error="Not an id.")


class ChannelSchema(Schema):
    """One channel: its ``name`` (which its webhook URL is filed under), where in the tenant it
    listens, which kinds it wants and the language its messages are written in."""

    name = fields.String(required=True, validate=NAME)
    org_units = fields.List(fields.String(validate=ID), load_default=list)
    teams = fields.List(fields.String(validate=ID), load_default=list)
    kinds = fields.List(fields.String(validate=KIND), load_default=lambda: list(DEFAULT_KINDS),
                        validate=validate.Length(min=1))
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))

    @validates_schema
    def _listens_somewhere(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("org_units") and not data.get("teams"):
            raise ValidationError("Name the org units (their subtrees) and/or inbox teams this channel covers; "
                                  "the root unit covers the whole organisation.", field_name="org_units")


class JsonList(fields.Field):
    """A list of channels, given as a list or as its JSON text (the console's settings form
    sends text), validated by :class:`ChannelSchema` and kept as compact JSON text so that the
    console shows and edits it like any other setting."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except ValueError as exc:
                raise ValidationError("Not valid JSON: give a list of channels.") from exc
        if not isinstance(value, list):
            raise ValidationError("Give a list of channels.")
        if len(value) > 50:
            raise ValidationError("At most 50 channels.")
        channels = ChannelSchema(many=True).load(value)
        names = [c["name"] for c in channels]
        if len(set(names)) != len(names):
            raise ValidationError("Each channel needs a name of its own.")
        return json.dumps(channels, ensure_ascii=False, separators=(",", ":"))


class JsonMapping(fields.Dict):
    """A name → value mapping, given as an object or as its JSON text."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise ValidationError("Not valid JSON: give an object of channel name → webhook URL.") from exc
        return super()._deserialize(value, attr, data, **kwargs)


@dataclass(frozen=True)
class Channel:
    """A channel as the notifier uses it."""

    name: str
    org_units: frozenset[str]
    teams: frozenset[str]
    kinds: tuple[str, ...]
    language: str

    def wants(self, kind: str) -> bool:
        return any(k == "*" or k == kind or (k.endswith(".*") and kind.startswith(k[:-1])) for k in self.kinds)

    def covers(self, org_unit_ids: Iterable[str], team_ids: Iterable[str]) -> bool:
        """A unit listed covers its whole subtree: ``org_unit_ids`` are the notification's unit
        and its ancestors."""
        return bool(self.org_units.intersection(org_unit_ids) or self.teams.intersection(team_ids))


def configured(settings: Mapping[str, Any]) -> list[Channel]:
    """The channels of the tenant's settings that have a webhook URL."""
    raw = settings.get("channels") or "[]"
    urls = settings.get("webhook_urls") or {}
    return [Channel(c["name"], frozenset(c.get("org_units") or ()), frozenset(c.get("teams") or ()),
                    tuple(c.get("kinds") or DEFAULT_KINDS), c.get("language") or "en")
            for c in (json.loads(raw) if isinstance(raw, str) else raw) if c.get("name") in urls]


def reached(channels: Iterable[Channel], kind: str, org_unit_ids: Iterable[str],
            team_ids: Iterable[str]) -> list[str]:
    """The names of the channels that want ``kind`` and cover where the notification belongs."""
    units, teams = tuple(org_unit_ids), tuple(team_ids)
    return [c.name for c in channels if c.wants(kind) and c.covers(units, teams)]


def check_every_channel_has_a_url(data: Mapping[str, Any]) -> None:
    """A schema-level check: a channel without a webhook URL could never be posted to."""
    raw = data.get("channels")
    if raw is None:
        return
    urls = data.get("webhook_urls") or {}
    missing = [c["name"] for c in json.loads(raw) if c["name"] not in urls]
    if missing:
        raise ValidationError(f"No webhook URL for the channel(s) {', '.join(missing)}: add them to "
                              "webhook_urls.", field_name="webhook_urls")
