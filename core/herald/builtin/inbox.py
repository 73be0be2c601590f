"""The inbox's own event subscribers: one turns network webhook events into inbox items, one
moves governed replies when the approval engine decides (:mod:`herald.inbox.governance`).

A connector whose webhook records inbound events (``webhook_event_prefix``, e.g. Instagram's
``instagram.``) says which account an event is for and which items it carries; this subscriber
stores them through the same ingest as polling, so an item delivered by webhook and read again by
a poll is stored once."""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import select

from herald.plugins import Event, EventSubscriber, hookimpl

HERALD_HOOK_API = "1.0"

log = logging.getLogger(__name__)


def _prefixes() -> dict[str, str]:
    """webhook event prefix → network key, over every installed connector (worked out again
    when plugins are registered or unregistered)."""
    from herald.runtime import current

    pm = current().plugins.pm
    return _prefixes_of(pm, len(pm.get_plugins()))


@cache
def _prefixes_of(pm: object, registered: int) -> dict[str, str]:
    found: dict[str, str] = {}
    for result in pm.hook.herald_network_connectors():  # type: ignore[attr-defined]
        for cls in result or []:
            prefix = getattr(cls, "webhook_event_prefix", None)
            if prefix:
                found[prefix] = cls.key
    return found


def network_of(event_type: str) -> str | None:
    for prefix, network in _prefixes().items():
        if event_type.startswith(prefix):
            return network
    return None


class InboxWebhookItems(EventSubscriber):
    key = "inbox_webhook_items"
    display_name = "Inbox: items from network webhooks"

    def wants(self, event: Event) -> bool:
        return network_of(event.type) is not None

    def deliver(self, event: Event) -> None:
        from herald.inbox.ingest import ingest_pages
        from herald.publishing.planning import network_connector
        from herald.publishing.tokens import connected_account
        from herald.runtime import current
        from herald.tenancy.models import SocialAccount

        network = network_of(event.type)
        if network is None:
            return
        with current().db.transaction() as session:
            connector = network_connector(session, event.tenant_id, network)
            if connector is None:
                return
            remote_account = connector.webhook_account(event.type, event.data)
            if not remote_account:
                return
            accounts = session.execute(select(SocialAccount).where(
                SocialAccount.tenant_id == event.tenant_id, SocialAccount.network == network,
                SocialAccount.external_id == str(remote_account), SocialAccount.archived_at.is_(None))).scalars().all()
            results = ingest_pages(session, [
                (account, connector.items_from_webhook(connected_account(session, account), event.type, event.data))
                for account in accounts], source="webhook")
            log.debug("webhook event %s: %d stored, %d duplicates", event.id,
                      sum(len(r.stored) for r in results), sum(r.duplicates for r in results))


class InboxGovernedReplies(EventSubscriber):
    """Moves a governed reply when the approval engine decides on the post that carries it."""

    key = "inbox_governed_replies"
    display_name = "Inbox: governed replies follow their approval"
    OUTCOMES = ("post.approved", "post.rejected", "post.changes_requested")

    def wants(self, event: Event) -> bool:
        return event.type in self.OUTCOMES

    def deliver(self, event: Event) -> None:
        from herald.content.models import Post
        from herald.inbox import governance
        from herald.inbox.replies import queue_send
        from herald.runtime import current

        with current().db.transaction() as session:
            post = session.get(Post, event.data.get("id"))
            if post is None or post.tenant_id != event.tenant_id or post.purpose != "inbox_reply":
                return
            if event.type == "post.approved":
                reply = governance.approved(session, post.id)
                if reply is not None:
                    queue_send(session, reply)
            else:
                governance.returned(session, post.id, event.type, str(event.data.get("comment") or ""))


class InboxCrmTimeline(EventSubscriber):
    """Puts what became of a conversation's CRM record on its timeline (once per event)."""

    key = "inbox_crm_timeline"
    display_name = "Inbox: CRM outcomes on the conversation's timeline"
    TYPES = ("crm.record_sent", "crm.record_failed")

    def wants(self, event: Event) -> bool:
        return event.type in self.TYPES and bool(event.data.get("conversation_id"))

    def deliver(self, event: Event) -> None:
        from herald.inbox import timeline
        from herald.inbox.models import Conversation, TimelineEntry
        from herald.runtime import current

        data = event.data
        with current().db.transaction() as session:
            conv = session.get(Conversation, data["conversation_id"])
            if conv is None or conv.tenant_id != event.tenant_id:
                return
            told = session.scalars(select(TimelineEntry.data).where(TimelineEntry.conversation_id == conv.id,
                                                                    TimelineEntry.kind == "crm")).all()
            if any((entry or {}).get("event_id") == event.id for entry in told):
                return  # delivered before
            outcome = {"crm_id": data.get("crm_id")} if data.get("ok") else {"error": data.get("error")}
            timeline.add(session, conv, "crm", at=event.occurred_at, sink=data.get("sink"), record=data.get("record"),
                         ok=bool(data.get("ok")), event_id=event.id, **outcome)


@hookimpl(trylast=True)
def herald_event_subscribers() -> list[type[EventSubscriber]]:
    return [InboxWebhookItems, InboxGovernedReplies, InboxCrmTimeline]
