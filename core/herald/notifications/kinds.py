"""The kinds of notification Herald sends, which a person may turn off channel by channel.

Each kind is the ``kind`` its sender puts on the :class:`~herald.notifications.notifier.Notification`
(read from the code that sends them: approvals, comments, publishing, social accounts, the inbox);
a plugin that sends notifications of its own declares their kinds with the
``herald_notification_kinds`` hook, and they are offered to the people of the tenants that
enabled it (:func:`kinds_for`).
Messages a person cannot do without — an invitation, a password-reset link — are *required*:
they are sent whatever the person chose, and are not offered as a choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class NotificationKind:
    """``key`` is what the sender puts on the notification (a plugin prefixes it with its own
    name, e.g. ``crm_salesforce.sync_failed``); ``name`` says, in English, what a person gets
    it for; ``group`` is the heading it is listed under (one of :data:`GROUPS`, or a plugin's
    own)."""

    key: str
    name: str
    group: str  # approvals | posts | publishing | accounts | inbox | listening | a plugin's own


GROUPS = ("approvals", "posts", "publishing", "accounts", "inbox", "listening")


KINDS: tuple[NotificationKind, ...] = (
    NotificationKind("approval.due", "A post waits for my decision", "approvals"),
    NotificationKind("approval.reminder", "Reminder: a decision is due soon", "approvals"),
    NotificationKind("approval.overdue", "A decision is overdue", "approvals"),
    NotificationKind("approval.escalated", "An overdue decision was escalated to me", "approvals"),
    NotificationKind("approval.approved", "My post was approved", "approvals"),
    NotificationKind("approval.send_back", "My post was sent back for changes", "approvals"),
    NotificationKind("approval.reject", "My post was rejected", "approvals"),
    NotificationKind("approval.auto_rejected", "My post was rejected at a deadline", "approvals"),
    NotificationKind("approval.blocked", "An automatic check stopped my post", "approvals"),
    NotificationKind("post.mentioned", "Someone mentioned me on a post", "posts"),
    NotificationKind("post.requested_time_missed", "My approved post could not go out at the time I asked for",
                     "posts"),
    NotificationKind("publication.failed", "A publication failed", "publishing"),
    NotificationKind("publication.needs_attention", "A publication needs attention", "publishing"),
    NotificationKind("social_account.reconnect_needed", "A social account must be reconnected", "accounts"),
    NotificationKind("conversation.assigned", "A conversation was assigned to me", "inbox"),
    NotificationKind("conversation.routed", "A routing rule sent me a conversation", "inbox"),
    NotificationKind("conversation.mentioned", "Someone mentioned me in a conversation note", "inbox"),
    NotificationKind("sla.at_risk", "A conversation's SLA is at risk", "inbox"),
    NotificationKind("sla.breached", "A conversation's SLA was breached", "inbox"),
    NotificationKind("inbox_reply.failed", "A reply could not be sent", "inbox"),
    NotificationKind("listening.spike", "A listening query I own has a spike", "listening"),
)
BY_KEY = {k.key: k for k in KINDS}

#: sent whatever the person chose: they are how a person gets into Herald at all
REQUIRED = frozenset({"auth.invitation", "auth.password_reset"})


def kinds_for(session: Session, tenant_id: str) -> tuple[NotificationKind, ...]:
    """Herald's kinds, then those the tenant's enabled plugins declare (a key Herald or an
    earlier plugin already uses, or a malformed declaration, is left out)."""
    from herald.runtime import current

    found = dict(BY_KEY)
    for _plugin, declared in current().plugins.for_tenant(session, tenant_id).collect("herald_notification_kinds"):
        for kind in declared or []:
            if (isinstance(kind, NotificationKind) and kind.key and kind.key not in found
                    and kind.key not in REQUIRED):
                found[kind.key] = kind
    return tuple(found.values())


def choosable(kind: str, session: Session | None = None, tenant_id: str | None = None) -> bool:
    """True if a person (of ``tenant_id``, whose plugins may add kinds) may turn ``kind`` off."""
    if kind in BY_KEY:
        return True
    return session is not None and tenant_id is not None and any(k.key == kind for k in kinds_for(session, tenant_id))
