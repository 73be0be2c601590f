"""The words Teams cards are framed with (a heading per kind, the button), in a channel's
language, from this plugin's own gettext catalogues (``translations/<lang>``, domain
``herald_notify_teams``). What a notification itself says comes from Herald as it is."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

DOMAIN = "herald_notify_teams"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def _(message: str) -> str:
    """Marks a message for extraction; it is translated when a message is rendered."""
    return message


HEADINGS: dict[str, str] = {
    "approval.due": _("Approval requested"),
    "approval.reminder": _("Reminder: a decision is due soon"),
    "approval.overdue": _("A decision is overdue"),
    "approval.escalated": _("An overdue decision was escalated"),
    "approval.approved": _("Post approved"),
    "approval.send_back": _("Post sent back for changes"),
    "approval.reject": _("Post rejected"),
    "approval.auto_rejected": _("Post rejected at a deadline"),
    "approval.blocked": _("An automatic check stopped a post"),
    "post.mentioned": _("Mentioned on a post"),
    "post.requested_time_missed": _("An approved post missed its requested time"),
    "publication.failed": _("Publication failed"),
    "publication.needs_attention": _("Publication needs attention"),
    "social_account.reconnect_needed": _("A social account must be reconnected"),
    "conversation.assigned": _("Conversation assigned"),
    "conversation.routed": _("Conversation routed"),
    "conversation.mentioned": _("Mentioned in a conversation note"),
    "sla.at_risk": _("SLA at risk"),
    "sla.breached": _("SLA breached"),
    "inbox_reply.failed": _("A reply could not be sent"),
    "listening.spike": _("Listening spike"),
}
OTHER = _("Herald notification")
DECIDE = _("Review and decide")
OPEN = _("Open in Herald")
#: kinds whose button leads to a decision to take
DECISIONS = frozenset({"approval.due", "approval.reminder", "approval.overdue", "approval.escalated"})


@lru_cache(maxsize=8)
def catalogue(language: str) -> NullTranslations:
    """The catalogue of ``language`` (English, the source language, needs none)."""
    if language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language], domain=DOMAIN)


def heading(kind: str, language: str) -> str:
    return catalogue(language).gettext(HEADINGS.get(kind, OTHER))


def button(kind: str, language: str) -> str:
    return catalogue(language).gettext(DECIDE if kind in DECISIONS else OPEN)
