"""Which of a tenant's Teams channels a notification reaches: those that want its kind and cover
where it belongs (a unit covers its subtree; an inbox team its conversations)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from herald.plugins import Notification
from herald_notify_teams import TeamsNotifier
from herald_notify_teams.settings import SETTINGS

ROOT, COFFEE, DUBAI, TEA = "unit_root", "unit_coffee", "unit_dubai", "unit_tea"


def teams(*channels: dict[str, Any], urls: tuple[str, ...] | None = None) -> TeamsNotifier:
    names = urls if urls is not None else tuple(c["name"] for c in channels)
    settings = SETTINGS.validate({"channels": list(channels),
                                  "webhook_urls": {n: f"https://acme.webhook.office.com/webhookb2/{n}" for n in names}})
    return TeamsNotifier("tenant_acme", settings)


def placed(kind: str, units: tuple[str, ...], teams: tuple[str, ...] = ()) -> Notification:
    # the scope Herald fills in: the unit concerned first, then its ancestors
    scope: Any = SimpleNamespace(org_unit_ids=units, team_ids=teams)
    return Notification("tenant_acme", "u", "e", kind, "t", scope=scope)


def test_a_unit_covers_its_subtree_and_nothing_beside_it():
    notifier = teams({"name": "coffee", "org_units": [COFFEE], "kinds": ["*"]},
                     {"name": "tea", "org_units": [TEA], "kinds": ["*"]})
    assert notifier.destinations(placed("sla.breached", (DUBAI, COFFEE, ROOT))) == ["coffee"]
    assert notifier.destinations(placed("sla.breached", (ROOT,))) == []


def test_an_inbox_team_covers_its_conversations_wherever_their_account_is():
    notifier = teams({"name": "care", "teams": ["team_care"], "kinds": ["sla.*"]})
    assert notifier.destinations(placed("sla.at_risk", (TEA, ROOT), ("team_care",))) == ["care"]
    assert notifier.destinations(placed("sla.at_risk", (TEA, ROOT), ("team_sales",))) == []


def test_a_channel_gets_only_the_kinds_it_wants():
    notifier = teams({"name": "exact", "org_units": [ROOT], "kinds": ["approval.due"]},
                     {"name": "group", "org_units": [ROOT], "kinds": ["publication.*"]},
                     {"name": "defaults", "org_units": [ROOT]})
    assert notifier.destinations(placed("approval.due", (ROOT,))) == ["exact", "defaults"]
    assert notifier.destinations(placed("publication.needs_attention", (ROOT,))) == ["group", "defaults"]
    assert notifier.destinations(placed("approval.approved", (ROOT,))) == []
    assert notifier.destinations(placed("publications.failed", (ROOT,))) == []  # a group is a whole word


def test_without_a_place_in_the_tenant_nothing_is_posted():
    notifier = teams({"name": "all", "org_units": [ROOT], "kinds": ["*"]})
    assert notifier.destinations(Notification("tenant_acme", "u", "e", "approval.due", "t")) == []
