"""My notifications (the in-app inbox) and my notification preferences per kind and channel."""

from __future__ import annotations

from typing import Any

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.schemas.notifications import (
    MarkedReadOut,
    NotificationListQuery,
    NotificationOut,
    NotificationPreferencesOut,
    NotificationPreferencesPut,
    UnreadCountOut,
)
from herald.notifications import inbox, preferences

TAG = "Me"


@endpoint(bp, "/me/notifications", "GET", summary="My notifications, newest first (optionally only the unread)",
          tag=TAG, query=NotificationListQuery, response=NotificationOut, many=True)
def my_notifications(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    return inbox.list_notifications(db(), actor(), unread_only=query["unread"], limit=query["limit"],
                                    cursor=query["cursor"])


@endpoint(bp, "/me/notifications/unread-count", "GET", summary="How many of my notifications are unread",
          tag=TAG, response=UnreadCountOut)
def my_unread_notification_count():  # type: ignore[no-untyped-def]
    return {"unread": inbox.unread_count(db(), actor())}


@endpoint(bp, "/me/notifications/<notification_id>/read", "POST", summary="Mark one of my notifications read",
          tag=TAG, response=NotificationOut)
def read_my_notification(notification_id: str):  # type: ignore[no-untyped-def]
    found = inbox.mark_read(db(), actor(), notification_id)
    db().commit()
    return found


@endpoint(bp, "/me/notifications/read-all", "POST", summary="Mark all my notifications read", tag=TAG,
          response=MarkedReadOut)
def read_all_my_notifications():  # type: ignore[no-untyped-def]
    marked = inbox.mark_all_read(db(), actor())
    db().commit()
    return {"marked": marked, "unread": inbox.unread_count(db(), actor())}


def _grid(data: dict[str, Any]) -> dict[str, Any]:
    return {"channels": [{"key": c.key, "name": c.name} for c in data["channels"]],
            "kinds": [{"key": k.key, "name": k.name, "group": k.group} for k in data["kinds"]],
            "preferences": data["preferences"]}


@endpoint(bp, "/me/notification-preferences", "GET",
          summary="My notification preferences: every kind on every enabled channel", tag=TAG,
          response=NotificationPreferencesOut)
def my_notification_preferences():  # type: ignore[no-untyped-def]
    return _grid(preferences.preferences(db(), actor()))


@endpoint(bp, "/me/notification-preferences", "PUT",
          summary="Replace my notification preferences (a kind and channel not listed is on)", tag=TAG,
          body=NotificationPreferencesPut, response=NotificationPreferencesOut)
def put_my_notification_preferences(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    data = preferences.replace(db(), actor(), body["preferences"])
    db().commit()
    return _grid(data)
