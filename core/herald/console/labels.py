"""Translated names for the codes Herald stores (post states, step states, decisions), so that
a page in Arabic does not show ``in_review``. Pages keep the code in a ``data-code`` attribute."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    # post and review states
    "draft": _l("Draft"), "in_review": _l("In review"), "changes_requested": _l("Changes requested"),
    "approved": _l("Approved"), "rejected": _l("Rejected"), "scheduled": _l("Scheduled"),
    "publishing": _l("Publishing"), "published": _l("Published"), "partially_published": _l("Partly published"),
    "active": _l("Under way"), "superseded": _l("Superseded"), "withdrawn": _l("Withdrawn"),
    # publication states
    "failed": _l("Failed"), "needs_attention": _l("Needs attention"), "cancelled": _l("Cancelled"),
    "deleted": _l("Deleted from the network"),
    # step states
    "skipped": _l("Skipped"), "blocked": _l("Blocked"), "sent_back": _l("Sent back"), "done": _l("Done"),
    "current": _l("Current"), "waiting": _l("Waiting"),
    # decisions
    "approve": _l("Approved"), "send_back": _l("Sent back"), "reject": _l("Rejected"), "passed": _l("Passed"),
}


def label(code: str | None) -> str:
    """The person's-language name of ``code``; an unknown code is shown as it is."""
    if code is None:
        return ""
    found = LABELS.get(code)
    return str(found) if found is not None else code
