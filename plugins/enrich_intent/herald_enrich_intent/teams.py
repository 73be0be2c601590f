"""Which team an item goes to, from its intent."""

from __future__ import annotations

from collections.abc import Mapping

#: the teams an intent enricher may suggest (as the enricher contract names them)
TEAMS: tuple[str, ...] = ("sales", "support", "marketing", "none")
#: intent → team; a question goes to support when it is about an order or account (see
#: :func:`team_for`), otherwise it is general brand talk for marketing; "none" is no intent
DEFAULT_TEAMS: dict[str, str] = {
    "sales_enquiry": "sales", "support_issue": "support", "complaint": "support", "praise": "marketing",
    "question": "marketing", "spam": "none", "none": "none",
}


def team_for(intent: str | None, about_order: bool, team_map: Mapping[str, str] | None = None) -> str:
    """The team for ``intent`` (``None``: nothing fits); a tenant's ``team_map`` wins over the
    defaults, for a question about an order too."""
    key = intent or "none"
    if team_map and key in team_map:
        return team_map[key]
    if key == "question" and about_order:
        return "support"
    return DEFAULT_TEAMS.get(key, "none")
