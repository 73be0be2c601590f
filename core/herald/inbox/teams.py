"""Teams and SLA policies: what a tenant's inbox administrators define (``inbox.admin``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz.actor import Actor
from herald.authz.check import in_tenant, require
from herald.errors import Conflict, NotFound, ValidationFailed
from herald.inbox.access import of_tenant
from herald.inbox.business_hours import BusinessHours
from herald.inbox.models import SlaPolicy, Team, TeamMember
from herald.people.models import User
from herald.tenancy.models import OrgUnit


def require_admin(session: Session, actor: Actor, tenant_id: str) -> None:
    require(session, actor, "inbox.admin", in_tenant(session, actor, tenant_id))


def get_team(session: Session, tenant_id: str, team_id: str) -> Team:
    return of_tenant(session, Team, tenant_id, team_id, "team")


def _check_units(session: Session, tenant_id: str, unit_ids: list[str]) -> None:
    found = set(session.execute(select(OrgUnit.id).where(OrgUnit.tenant_id == tenant_id,
                                                         OrgUnit.id.in_(unit_ids))).scalars()) if unit_ids else set()
    missing = [u for u in unit_ids if u not in found]
    if missing:
        raise ValidationFailed("Unknown org units.", {"unit_ids": [f"No org unit {u!r}." for u in missing]})


def _check_hours(body: dict[str, Any]) -> None:
    if not body.get("business_hours"):
        return  # always open
    try:
        BusinessHours.from_spec(body.get("time_zone", "UTC"), body.get("business_hours") or {},
                                body.get("holidays") or [])
    except ValueError as exc:
        raise ValidationFailed(f"The business hours are not valid: {exc}", {"business_hours": [str(exc)]}) from exc
    if BusinessHours.from_spec(body.get("time_zone", "UTC"), body["business_hours"],
                               body.get("holidays") or []).never_open:
        raise ValidationFailed("These business hours are never open.",
                               {"business_hours": ["Give at least one open interval."]})


def _check_users(session: Session, tenant_id: str, user_ids: list[str]) -> None:
    found = set(session.execute(select(User.id).where(User.tenant_id == tenant_id,
                                                      User.id.in_(user_ids))).scalars()) if user_ids else set()
    missing = [u for u in user_ids if u not in found]
    if missing:
        raise ValidationFailed("Unknown people.", {"members": [f"No user {u!r} in this tenant." for u in missing]})


def _team_dict(team: Team) -> dict[str, Any]:
    return {k: getattr(team, k) for k in ("name", "description", "unit_ids", "time_zone", "business_hours",
                                          "holidays", "assignment")}


def save_team(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any],
              team_id: str | None = None) -> Team:
    require_admin(session, actor, tenant_id)
    team = get_team(session, tenant_id, team_id) if team_id else Team(tenant_id=tenant_id)
    before = _team_dict(team) if team_id else None
    merged = {**(_team_dict(team) if team_id else {}), **body}
    _check_units(session, tenant_id, merged.get("unit_ids") or [])
    _check_hours(merged)
    for key in ("name", "description", "unit_ids", "time_zone", "business_hours", "holidays", "assignment"):
        if key in body:
            setattr(team, key, body[key])
    clash = session.execute(select(Team.id).where(Team.tenant_id == tenant_id, Team.name == team.name,
                                                  Team.id != (team.id or ""))).scalar()
    if clash:
        raise Conflict(f"A team named {team.name!r} exists already.", team_id=clash)
    if team_id is None:
        session.add(team)
    session.flush()
    if "members" in body:
        set_members(session, team, body["members"])
    audit.record(session, actor, "inbox_team.saved", "inbox_team", team.id, tenant_id=tenant_id, before=before,
                 after=_team_dict(team))
    return team


def set_members(session: Session, team: Team, members: list[dict[str, Any]]) -> None:
    _check_users(session, team.tenant_id, [m["user_id"] for m in members])
    session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
    for m in members:
        session.add(TeamMember(team_id=team.id, user_id=m["user_id"], tenant_id=team.tenant_id,
                               away=bool(m.get("away", False)), away_until=m.get("away_until")))
    session.flush()


def members(session: Session, team: Team) -> list[TeamMember]:
    return list(session.execute(select(TeamMember).where(TeamMember.team_id == team.id)
                                .order_by(TeamMember.user_id)).scalars())


def set_away(session: Session, actor: Actor, tenant_id: str, team_id: str, user_id: str, away: bool,
             away_until: Any = None) -> TeamMember:
    """A member marks themselves away (or an inbox admin marks them)."""
    team = get_team(session, tenant_id, team_id)
    if actor.user_id != user_id:
        require_admin(session, actor, tenant_id)
    else:
        in_tenant(session, actor, tenant_id)
    member = session.get(TeamMember, (team.id, user_id))
    if member is None:
        raise NotFound(f"{user_id!r} is not a member of this team.")
    member.away, member.away_until = away, away_until
    audit.record(session, actor, "inbox_team.member_away", "inbox_team", team.id, tenant_id=tenant_id,
                 after={"user_id": user_id, "away": away})
    return member


def delete_team(session: Session, actor: Actor, tenant_id: str, team_id: str) -> None:
    require_admin(session, actor, tenant_id)
    team = get_team(session, tenant_id, team_id)
    audit.record(session, actor, "inbox_team.deleted", "inbox_team", team.id, tenant_id=tenant_id,
                 before=_team_dict(team))
    session.delete(team)


# ----------------------------------------------------------------------------- SLA policies
def get_policy(session: Session, tenant_id: str, policy_id: str) -> SlaPolicy:
    return of_tenant(session, SlaPolicy, tenant_id, policy_id, "SLA policy")


def _policy_dict(p: SlaPolicy) -> dict[str, Any]:
    return {k: getattr(p, k) for k in ("name", "team_id", "priority", "first_response_s", "resolution_s")}


def save_policy(session: Session, actor: Actor, tenant_id: str, body: dict[str, Any],
                policy_id: str | None = None) -> SlaPolicy:
    require_admin(session, actor, tenant_id)
    policy = get_policy(session, tenant_id, policy_id) if policy_id else SlaPolicy(tenant_id=tenant_id)
    before = _policy_dict(policy) if policy_id else None
    if body.get("team_id"):
        get_team(session, tenant_id, body["team_id"])
    for key in ("name", "team_id", "priority", "first_response_s", "resolution_s"):
        if key in body:
            setattr(policy, key, body[key])
    if not policy.first_response_s and not policy.resolution_s:
        raise ValidationFailed("A policy needs a first-response or a resolution target.",
                               {"first_response_s": ["Give at least one target."]})
    clash = session.execute(select(SlaPolicy.id).where(
        SlaPolicy.tenant_id == tenant_id, SlaPolicy.id != (policy.id or ""),
        SlaPolicy.team_id.is_(None) if policy.team_id is None else SlaPolicy.team_id == policy.team_id,
        SlaPolicy.priority.is_(None) if policy.priority is None else SlaPolicy.priority == policy.priority,
    )).scalar()
    if clash:
        raise Conflict(f"SLA policy {clash!r} already covers this team and priority.", policy_id=clash)
    if policy_id is None:
        session.add(policy)
    session.flush()
    audit.record(session, actor, "inbox_sla_policy.saved", "inbox_sla_policy", policy.id, tenant_id=tenant_id,
                 before=before, after=_policy_dict(policy))
    return policy


def delete_policy(session: Session, actor: Actor, tenant_id: str, policy_id: str) -> None:
    require_admin(session, actor, tenant_id)
    policy = get_policy(session, tenant_id, policy_id)
    audit.record(session, actor, "inbox_sla_policy.deleted", "inbox_sla_policy", policy.id, tenant_id=tenant_id,
                 before=_policy_dict(policy))
    session.delete(policy)
