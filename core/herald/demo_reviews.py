"""The demo tenant's approval workflow (editor → legal → manager) and posts in every state of
review, made through the real services so that their history and audit trail are genuine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from herald.approvals import engine, workflows
from herald.auth.tokens import actor_for_user
from herald.authz import Actor
from herald.clock import utcnow
from herald.content import service as content
from herald.people.models import User
from herald.tenancy.models import OrgUnit, SocialAccount

DEMO_WORKFLOW = [
    {"name": "Editorial review", "kind": "human_review", "deciders": {"role": "editor"}, "quorum": "any",
     "approvals_needed": 1, "deadline_hours": 48, "on_deadline": "remind", "escalate_to_role": None, "options": {}},
    {"name": "Legal", "kind": "human_review", "deciders": {"role": "legal_reviewer"}, "quorum": "any",
     "approvals_needed": 1, "deadline_hours": 48, "on_deadline": "escalate", "escalate_to_role": "manager",
     "options": {}},
    {"name": "Manager sign-off", "kind": "human_review", "deciders": {"role": "manager"}, "quorum": "any",
     "approvals_needed": 1, "deadline_hours": 72, "on_deadline": "remind", "escalate_to_role": None, "options": {}},
]

# (title, English text, Arabic text, what happens after it is written)
DEMO_POSTS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("Cardamom latte teaser", "Something warm is coming to Dubai ☕ #AcmeCoffee", "شيء دافئ قادم إلى دبي ☕", []),
    ("Ramadan hours", "Open late all through Ramadan 🌙 #AcmeCoffee", "مفتوح حتى وقت متأخر طوال رمضان 🌙",
     [("submit", "creator")]),
    ("New blend launch", "Meet our new single-origin blend. #AcmeCoffee", "تعرّفوا على مزيجنا الجديد",
     [("submit", "creator"), ("approve", "editor")]),
    ("Loyalty card promo", "Double stamps this weekend! #AcmeCoffee", "طوابع مضاعفة نهاية هذا الأسبوع",
     [("submit", "creator"), ("send_back:Please add the terms and conditions link.", "editor")]),
    ("Competitor comparison", "Better than the other guys. #AcmeCoffee", "أفضل من غيرنا",
     [("submit", "creator"), ("approve", "editor"), ("reject:Comparative claims need substantiation.", "legal")]),
    ("Weekend opening hours", "Open 7am–11pm this weekend. #AcmeCoffee", "مفتوح من ٧ صباحًا حتى ١١ مساءً",
     [("submit", "creator"), ("approve", "editor"), ("approve", "legal"), ("approve", "manager")]),
]


def create_demo_reviews(session: Session, tenant_id: str, units: dict[str, OrgUnit],
                        users: dict[str, User], account: SocialAccount | None,
                        sandbox: SocialAccount | None = None) -> list[str]:
    """Define the workflow on the root unit and write the demo posts; returns their ids. With a
    sandbox account, two more go through the whole workflow: a welcome post published at once
    and a launch scheduled for tomorrow morning in Dubai."""
    actors: dict[str, Actor] = {k: actor_for_user(u, via="demo") for k, u in users.items()}
    workflows.define(session, actors["admin"], tenant_id, units["Acme Group"].id, name="Acme review",
                     steps=DEMO_WORKFLOW)
    if account is None:
        return []
    ids = []
    for title, en, ar, story in DEMO_POSTS:
        post = content.create_post(session, actors["creator"], tenant_id, org_unit_id=units["Acme Coffee Dubai"].id,
                                   content=_content(account, title, en, ar))
        ids.append(post.id)
        for step, who in story:
            _STEPS[step.split(":", 1)[0]](session, actors[who], tenant_id, post.id, step.partition(":")[2])
    if sandbox is not None:
        ids += _through_to_the_sandbox(session, tenant_id, units, actors, sandbox)
    return ids


def _through_to_the_sandbox(session: Session, tenant_id: str, units: dict[str, OrgUnit], actors: dict[str, Actor],
                            sandbox: SocialAccount) -> list[str]:
    from herald.publishing.planning import publish_now, schedule

    ids = []
    for title, text, tags in (("Welcome", "Hello from Herald! ☕🍵", []),
                              ("Cardamom latte launch", "Our cardamom latte is here ☕ #AcmeCoffee", ["demo"])):
        body = {"title": title, "targets": [sandbox.id], "tags": tags, "notes": "", "paid_promotion": False,
                "variants": [{"network": None, "language": "en", "text": text, "media": [], "first_comment": None}]}
        post = content.create_post(session, actors["creator"], tenant_id, org_unit_id=units["Acme Coffee Dubai"].id,
                                   content=body)
        engine.submit(session, actors["creator"], tenant_id, post.id)
        for who in ("editor", "legal", "manager"):
            engine.decide(session, actors[who], tenant_id, post.id, decision="approve")
        if title == "Welcome":
            publish_now(session, actors["manager"], tenant_id, post.id)
        else:
            tomorrow = (utcnow() + timedelta(days=1)).astimezone(ZoneInfo("Asia/Dubai")).date()
            schedule(session, actors["manager"], tenant_id, post.id,
                     {"local_time": datetime.combine(tomorrow, time(9, 0)), "time_zone": "Asia/Dubai"})
        ids.append(post.id)
    return ids


def _content(account: SocialAccount, title: str, en: str, ar: str) -> dict[str, Any]:
    return {"title": title, "targets": [account.id], "tags": ["demo"], "notes": "", "paid_promotion": False,
            "variants": [{"network": None, "language": "en", "text": en, "media": [], "first_comment": None},
                         {"network": None, "language": "ar", "text": ar, "media": [], "first_comment": None}]}


_STEPS: dict[str, Callable[[Session, Actor, str, str, str], Any]] = {
    "submit": lambda s, a, t, p, _c: engine.submit(s, a, t, p),
    "approve": lambda s, a, t, p, c: engine.decide(s, a, t, p, decision="approve", comment=c),
    "send_back": lambda s, a, t, p, c: engine.decide(s, a, t, p, decision="send_back", comment=c),
    "reject": lambda s, a, t, p, c: engine.decide(s, a, t, p, decision="reject", comment=c),
}
