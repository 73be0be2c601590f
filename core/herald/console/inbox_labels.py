"""Translated names for the inbox's codes (statuses, priorities, kinds, SLA states, assignment
modes), so that a page in Persian does not show ``at_risk``. Pages keep the code in a
``data-code`` attribute."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

INBOX_LABELS = {
    # statuses
    "open": _l("Open"), "pending": _l("Pending"), "resolved": _l("Resolved"), "spam": _l("Spam"), "all": _l("All"),
    # priorities
    "low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent"),
    # kinds
    "mention": _l("Mention"), "comment": _l("Comment"), "dm": _l("Direct message"), "search": _l("Search result"),
    # SLA states and outcomes
    "none": _l("No target"), "on_track": _l("On track"), "at_risk": _l("At risk"), "breached": _l("Breached"),
    "met": _l("Met"), "paused": _l("Paused"),
    # SLA metrics
    "first_response": _l("First response"), "resolution": _l("Resolution"),
    # assignment modes
    "manual": _l("Manual"), "round_robin": _l("Round robin"), "least_open": _l("Fewest open conversations"),
    # directions and reply states
    "inbound": _l("Received"), "outbound": _l("Sent"), "queued": _l("Queued"), "sending": _l("Sending"),
    "sent": _l("Sent"), "failed": _l("Failed"), "awaiting_approval": _l("Awaiting approval"),
    "changes_requested": _l("Changes requested"), "rejected": _l("Rejected"), "cancelled": _l("Cancelled"),
}


def inbox_label(code: str | None) -> str:
    """The person's-language name of an inbox ``code``; an unknown code is shown as it is."""
    if code is None:
        return ""
    found = INBOX_LABELS.get(code)
    return str(found) if found is not None else code
