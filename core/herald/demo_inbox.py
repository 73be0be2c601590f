"""The demo tenant's inbox: two inbox agents, a customer care team covering every brand (round
robin, London office hours) and a sales team, SLA policies (an hour to first response, a day to
resolve; a quarter of an hour when urgent), routing rules in five languages (refunds and double
charges are urgent billing conversations; wholesale and office enquiries go to sales as leads)
and saved replies. The sandbox's simulated customers then fill it as soon as Herald runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from herald.builtin.local_auth import hash_password
from herald.inbox.models import RoutingRule, SavedReply, SlaPolicy, Team, TeamMember
from herald.inbox.routing.definition import RuleDefinitionSchema
from herald.people import service as people
from herald.people.models import User
from herald.tenancy.models import OrgUnit

DEMO_AGENTS = [("agent@demo.example", "Aisha Agent"), ("sales@demo.example", "Sami Sales")]
OFFICE_HOURS = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["10:00", "16:00"]]}

REFUNDS = ["refund", "charged twice", "money back", "استرداد", "بازپرداخت", "پول را برگردانید", "رقم واپس",
           "دو بار پیسے", "रिफंड", "दो बार पैसे"]
WHOLESALE = ["office", "wholesale", "supplier", "hotel", "مورد", "مكاتب", "عمده", "ہول سیل", "होलसेल", "थोक"]


def create_demo_inbox(session: Session, tenant_id: str, units: dict[str, OrgUnit], users: dict[str, User],
                      password: str) -> dict[str, Any]:
    """Teams, SLA policies, routing rules and saved replies for the demo tenant."""
    root = units["Acme Group"]
    for email, name in DEMO_AGENTS:
        user = people.create_user(session, None, tenant_id, email=email, display_name=name,
                                  password_hash=hash_password(password))
        people.create_grant(session, None, tenant_id, user_id=user.id, role_key="agent", org_unit_id=root.id)
        users[email.split("@")[0]] = user
    care = Team(tenant_id=tenant_id, name="Customer care", description="Every brand's customers, first line.",
                unit_ids=[root.id], time_zone="Europe/London", business_hours=OFFICE_HOURS, assignment="round_robin")
    sales = Team(tenant_id=tenant_id, name="Sales", description="Wholesale, offices and hotels.",
                 unit_ids=[], time_zone="Europe/London", business_hours=OFFICE_HOURS, assignment="manual")
    session.add_all([care, sales])
    session.flush()
    session.add_all([TeamMember(team_id=care.id, user_id=users["agent"].id, tenant_id=tenant_id),
                     TeamMember(team_id=care.id, user_id=users["manager"].id, tenant_id=tenant_id),
                     TeamMember(team_id=sales.id, user_id=users["sales"].id, tenant_id=tenant_id)])
    session.add_all([
        SlaPolicy(tenant_id=tenant_id, name="Customer care", team_id=care.id, first_response_s=3600,
                  resolution_s=86400),
        SlaPolicy(tenant_id=tenant_id, name="Customer care, urgent", team_id=care.id, priority="urgent",
                  first_response_s=900, resolution_s=4 * 3600),
        SlaPolicy(tenant_id=tenant_id, name="Sales", team_id=sales.id, first_response_s=4 * 3600),
    ])
    schema = RuleDefinitionSchema()
    rules = [
        ("Refunds and double charges", {
            "match": "all", "stop": False,
            "conditions": [{"field": "text", "op": "contains_any", "value": REFUNDS}],
            "actions": [{"type": "set_team", "team_id": care.id}, {"type": "set_priority", "priority": "urgent"},
                        {"type": "add_tags", "tags": ["billing"]}]}),
        ("Wholesale leads", {
            "match": "all", "stop": True,
            "conditions": [{"field": "text", "op": "contains_any", "value": WHOLESALE}],
            "actions": [{"type": "set_team", "team_id": sales.id}, {"type": "add_tags", "tags": ["lead"]},
                        {"type": "set_priority", "priority": "high"}]}),
    ]
    for position, (name, body) in enumerate(rules, start=1):
        session.add(RoutingRule(tenant_id=tenant_id, name=name, position=position * 10, enabled=True,
                                definition=schema.load(body).to_dict(), created_by=users["admin"].id))
    saved = [("Sorry about your order", "en", "Hi {author.name}, I'm sorry about this. Could you send us your "
              "order number in a direct message? — {agent.name}"),
             ("آسفون لطلبك", "ar", "مرحباً {author.name}، نعتذر عن ذلك. هل يمكنك إرسال رقم الطلب في رسالة خاصة؟ "
              "— {agent.name}")]
    for title, language, text in saved:
        session.add(SavedReply(tenant_id=tenant_id, name=title, language=language, text=text,
                               created_by=users["admin"].id))
    session.flush()
    return {"teams": [care.id, sales.id]}
