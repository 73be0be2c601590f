"""The kinds of notification Herald sends, which a person may turn off channel by channel.

Each kind is the ``kind`` its sender puts on the :class:`~herald.notifications.notifier.Notification`
(read from the code that sends them: approvals, comments, publishing, social accounts, the inbox).
Messages a person cannot do without — an invitation, a password-reset link — are *required*:
they are sent whatever the person chose, and are not offered as a choice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationKind:
    key: str
    name: str
    group: str  # approvals | posts | publishing | accounts | inbox


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
    NotificationKind("publication.failed", "A publication failed", "publishing"),
    NotificationKind("publication.needs_attention", "A publication needs attention", "publishing"),
    NotificationKind("social_account.reconnect_needed", "A social account must be reconnected", "accounts"),
    NotificationKind("conversation.assigned", "A conversation was assigned to me", "inbox"),
    NotificationKind("conversation.routed", "A routing rule sent me a conversation", "inbox"),
    NotificationKind("conversation.mentioned", "Someone mentioned me in a conversation note", "inbox"),
    NotificationKind("sla.at_risk", "A conversation's SLA is at risk", "inbox"),
    NotificationKind("sla.breached", "A conversation's SLA was breached", "inbox"),
    NotificationKind("inbox_reply.failed", "A reply could not be sent", "inbox"),
)
BY_KEY = {k.key: k for k in KINDS}

#: sent whatever the person chose: they are how a person gets into Herald at all
REQUIRED = frozenset({"auth.invitation", "auth.password_reset"})


def choosable(kind: str) -> bool:
    """True if a person may turn ``kind`` off."""
    return kind in BY_KEY
