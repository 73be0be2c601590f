"""The demo tenant ``herald init --demo`` creates: a company with two brands (one with a
franchise), social accounts (two of them on the built-in sandbox network, so that publishing
works with no internet), five people in different roles, a three-step approval workflow
(editor → legal → manager), posts in every state of review, and one approved post that the
scheduler publishes to the sandbox as soon as Herald runs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.builtin.local_auth import hash_password
from herald.people import service as people
from herald.plugin_host import service as plugin_service
from herald.runtime import Runtime
from herald.tenancy import service as tenancy
from herald.tenancy.models import Tenant

DEMO_SLUG = "demo"
DEMO_PASSWORD = "herald-demo-password"
DEMO_PLUGIN_SETTINGS = {
    "network_x": {"client_id": "demo-x-client"},
    "network_instagram": {"app_id": "demo-instagram-app", "app_secret": "demo-instagram-secret"},
    "network_sandbox": {"latency_ms": 50, "simulate_customers": True},
}
DEMO_USERS = [
    # email, name, role, unit name
    ("admin@demo.example", "Dana Admin", "tenant_admin", "Acme Group"),
    ("manager@demo.example", "Manu Manager", "manager", "Acme Group"),
    ("legal@demo.example", "Layla Legal", "legal_reviewer", "Acme Group"),
    ("editor@demo.example", "Eitan Editor", "editor", "Acme Coffee"),
    ("creator@demo.example", "Chidi Creator", "creator", "Acme Coffee Dubai"),
]


def create_demo(session: Session, rt: Runtime) -> Tenant | None:
    """Creates the demo tenant unless it exists (returns None then)."""
    if session.execute(select(Tenant).where(Tenant.slug == DEMO_SLUG)).scalar_one_or_none():
        return None
    tenant = tenancy.create_tenant(session, None, slug=DEMO_SLUG, name="Acme Group (demo)",
                                   root_unit_name="Acme Group", default_time_zone="Europe/London")
    root = tenancy.tenant_root(session, tenant.id)
    units = {"Acme Group": root}
    from herald.tenancy.models import OrgUnit

    def unit(name: str, parent: str, kind: str, tz: str) -> None:
        u = OrgUnit(tenant_id=tenant.id, parent_id=units[parent].id, name=name, kind=kind, time_zone=tz,
                    depth=units[parent].depth + 1, path="")
        session.add(u)
        session.flush()
        u.path = f"{units[parent].path}{u.id}/"
        units[name] = u

    unit("Acme Coffee", "Acme Group", "brand", "America/New_York")
    unit("Acme Tea", "Acme Group", "brand", "Asia/Tokyo")
    unit("Acme Coffee Dubai", "Acme Coffee", "franchise", "Asia/Dubai")
    session.flush()

    users = {}
    for email, name, role, unit_name in DEMO_USERS:
        user = people.create_user(session, None, tenant.id, email=email, display_name=name,
                                  password_hash=hash_password(DEMO_PASSWORD))
        people.create_grant(session, None, tenant.id, user_id=user.id, role_key=role,
                            org_unit_id=units[unit_name].id)
        users[email.split("@")[0]] = user

    for plugin, settings in DEMO_PLUGIN_SETTINGS.items():
        if plugin in rt.plugins.infos:
            plugin_service.configure(session, rt.plugins, None, tenant.id, plugin, enabled=True, settings=settings)

    from herald.tenancy.models import SocialAccount

    accounts = [("x", "acmecoffee", "Acme Coffee"), ("instagram", "acme.coffee", "Acme Coffee"),
                ("x", "acmetea", "Acme Tea"), ("x", "acmecoffeedubai", "Acme Coffee Dubai")]
    made = {}
    for network, handle, unit_name in accounts:
        if network in tenancy.available_networks(session, tenant.id):
            made[handle] = SocialAccount(tenant_id=tenant.id, org_unit_id=units[unit_name].id, network=network,
                                         handle=handle, display_name=f"{unit_name} on {network}")
            session.add(made[handle])
    session.flush()
    sandbox = _sandbox_accounts(session, tenant.id, units)
    from herald.demo_reviews import create_demo_reviews

    create_demo_reviews(session, tenant.id, units, users, made.get("acmecoffeedubai"),
                        sandbox.get("acme_dubai_sandbox"))  # type: ignore[arg-type]
    from herald.demo_inbox import create_demo_inbox

    create_demo_inbox(session, tenant.id, units, users, DEMO_PASSWORD)

    return tenant


def _sandbox_accounts(session: Session, tenant_id: str, units: dict[str, object]) -> dict[str, object]:
    """Connected accounts on the built-in sandbox network, so that the demo publishes with no
    internet: handle → account (none when the sandbox plugin is not loaded)."""
    from herald.tenancy.models import SocialAccount

    if "sandbox" not in tenancy.available_networks(session, tenant_id):
        return {}
    made: dict[str, object] = {}
    for handle, unit_name in [("acme_coffee_sandbox", "Acme Coffee"), ("acme_tea_sandbox", "Acme Tea"),
                              ("acme_dubai_sandbox", "Acme Coffee Dubai")]:
        acct = SocialAccount(tenant_id=tenant_id, org_unit_id=units[unit_name].id,  # type: ignore[attr-defined]
                             network="sandbox", handle=handle, display_name=f"{unit_name} (sandbox)",
                             connection_state="connected")
        session.add(acct)
        made[handle] = acct
    session.flush()
    _sandbox_history(session, tenant_id, made)
    return made


#: handle → a post each sandbox account had made before Herald was connected (text, language)
DEMO_SANDBOX_POSTS = {
    "acme_coffee_sandbox": ("Our autumn menu is here: maple oat latte, pumpkin cold brew and more 🍂", "en"),
    "acme_tea_sandbox": ("New in store: a smoky lapsang souchong from Fujian. Who's trying it first? 🍵", "en"),
    "acme_dubai_sandbox": ("كرك بالهيل الآن في جميع فروعنا في دبي ☕", "ar"),
}


def _sandbox_history(session: Session, tenant_id: str, accounts: dict[str, object]) -> None:
    """What customers had written to the sandbox accounts before Herald ran — mentions, comments
    under an earlier post and direct messages, in five languages, a few older than the 24-hour
    messaging window — so that the inbox has conversations at first start. Seeded by handle:
    every demo starts with the same customers."""
    import random
    from datetime import timedelta

    from herald.builtin.network_sandbox_customers import seed_engagement
    from herald.builtin.network_sandbox_models import SandboxPost
    from herald.clock import utcnow
    from herald.networks.connector import ConnectedAccount

    now = utcnow()
    for handle, acct in accounts.items():
        key = acct.external_id or acct.id  # type: ignore[attr-defined]  (as the sandbox files posts)
        text, language = DEMO_SANDBOX_POSTS[handle]
        session.add(SandboxPost(tenant_id=tenant_id, account_remote_id=key, handle=handle, text=text,
                                language=language, media_count=1, likes=37, views=1_240,
                                created_at=now - timedelta(days=2)))
        session.flush()
        seed_engagement(session, tenant_id, ConnectedAccount(id=acct.id, remote_id=key,  # type: ignore[attr-defined]
                                                             handle=handle, tokens=None),
                        now, random.Random(f"herald-demo:{handle}"))
