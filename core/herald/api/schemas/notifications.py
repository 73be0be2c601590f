"""Schemas of a person's notifications and notification preferences."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from herald.api.schemas.common import ListQuery
from herald.notifications.links import target


class NotificationListQuery(ListQuery):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only the unread ones"})


class NotificationOut(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "e.g. approval.due, conversation.assigned"})
    title = fields.String()
    body = fields.String()
    link = fields.Method("_link", allow_none=True,
                         metadata={"description": "The console page it is about: a path on this site, or null"})
    data = fields.Dict(metadata={"description": "What it is about, e.g. post_id, conversation_id"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Method("_read", metadata={"type": "boolean"})

    def _link(self, obj: Any) -> str | None:
        return target(obj.link, obj.data)

    def _read(self, obj: Any) -> bool:
        return obj.read_at is not None


class UnreadCountOut(Schema):
    unread = fields.Integer(metadata={"description": "How many of my notifications are unread"})


class MarkedReadOut(Schema):
    marked = fields.Integer(metadata={"description": "How many notifications this marked read"})
    unread = fields.Integer()


class NotificationChannelOut(Schema):
    key = fields.String(metadata={"description": "The notifier's key, e.g. inapp, email"})
    name = fields.String()


class NotificationKindOut(Schema):
    key = fields.String()
    name = fields.String()
    group = fields.String()


_KEY = validate.Length(min=1, max=100)


class NotificationPreferenceItem(Schema):
    kind = fields.String(required=True, validate=_KEY)
    channel = fields.String(required=True, validate=_KEY)
    enabled = fields.Boolean(required=True)


class NotificationPreferencesOut(Schema):
    channels = fields.List(fields.Nested(NotificationChannelOut),
                           metadata={"description": "The notifiers this tenant enabled"})
    kinds = fields.List(fields.Nested(NotificationKindOut))
    preferences = fields.List(fields.Nested(NotificationPreferenceItem),
                              metadata={"description": "Every kind on every channel"})


class NotificationPreferencesPut(Schema):
    preferences = fields.List(fields.Nested(NotificationPreferenceItem), required=True,
                              validate=validate.Length(max=2000),
                              metadata={"description": "A (kind, channel) not listed is on"})
