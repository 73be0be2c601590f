"""The console's inbox page through the Flask test client: who sees the menu entry and the page,
an agent sees only the conversations of their units, every action changes the conversation
through the inbox services (and bad input changes nothing, with a clear message), the reply
lease's collision notice, the live refresh's JSON, and the administration pages for teams, SLA
policies and routing rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from console_world import PASSWORD, ConsoleWorld, sign_in
from inbox_support import NET, _Plugin, mention

from herald.builtin.local_auth import hash_password
from herald.inbox.models import Conversation, RoutingRule, SlaPolicy, Team
from herald.tenancy.models import SocialAccount

PEOPLE = {
    "admin": [("tenant_admin", "root")],
    "agent": [("agent", "coffee")],
    "tea": [("agent", "tea")],
    "lead": [("manager", "coffee")],
    "viewer": [("viewer", "root")],
}


@dataclass
class InboxConsole(ConsoleWorld):
    """The console world with the inbox: a fake network's account per unit and three customers'
    messages (an English mention and an Arabic DM for coffee, a mention for tea)."""

    rt: Any = None

    def ingest(self, unit: str, *items: Any) -> None:
        from herald.inbox.ingest import ingest

        with self.rt.db.transaction() as s:
            ingest(s, s.get(SocialAccount, self.accounts[unit]), list(items), source="poll")

    def conversation(self, text: str) -> Conversation:
        with self.rt.db.session() as s:
            found = [c for c in s.query(Conversation).all() if c.preview.startswith(text)]
            assert len(found) == 1, [c.preview for c in s.query(Conversation).all()]
            s.expunge(found[0])
            return found[0]


def build_inbox_console(seed: Any, api: Any, herald_runtime: Any, register_plugin: Any) -> InboxConsole:
    for store in (NET.mentions, NET.dms, NET.delivered):
        store.clear()
    NET.sent.clear()
    NET.fail_next_send.clear()
    register_plugin(_Plugin(), "fakenet")
    t = seed.tenant("acme", {"coffee": None, "espresso": "coffee", "tea": None})
    digest = hash_password(PASSWORD)
    world: InboxConsole | None = None
    for name, grants in PEOPLE.items():
        user, token = seed.user(t, f"{name}@acme.test", grants, password_hash=digest)
        if world is None:
            world = InboxConsole(t, api(token), rt=herald_runtime)
        world.emails[name], world.ids[name] = user.email, user.id
    assert world is not None
    assert world.admin.patch(f"tenants/{t.id}/plugins/fakenet", {"enabled": True}).status_code == 200
    for unit in ("coffee", "tea"):
        r = world.admin.post(f"tenants/{t.id}/social-accounts", {"org_unit_id": t.units[unit].id,
                                                                 "network": "fakenet", "handle": f"acme_{unit}"})
        assert r.status_code == 201, r.get_json()
        world.accounts[unit] = r.get_json()["id"]
    with herald_runtime.db.transaction() as s:
        for unit, account_id in world.accounts.items():
            account = s.get(SocialAccount, account_id)
            account.external_id, account.connection_state = f"remote-{unit}", "connected"
    world.ingest("coffee", mention("My order never arrived", author="c1", n=1),
                 mention("هل يمكنني تغيير طلبي؟", author="c2", kind="dm", n=2, thread="t2", language="ar"))
    world.ingest("tea", mention("Tea leaves were stale", author="c3", n=3))
    return world


@pytest.fixture(name="inbox")
def inbox_fixture(seed: Any, api: Any, herald_runtime: Any, register_plugin: Any) -> InboxConsole:
    return build_inbox_console(seed, api, herald_runtime, register_plugin)


def api_conversation(world: InboxConsole, conv_id: str) -> dict[str, Any]:
    r = world.admin.get(f"tenants/{world.tid}/inbox/conversations/{conv_id}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


# ----------------------------------------------------------------------------- who sees what
def test_a_viewer_without_inbox_read_gets_no_menu_entry_and_a_refusal(app, inbox):
    viewer, _csrf = sign_in(app, inbox, "viewer")
    home = viewer.get("/console/").get_data(as_text=True)
    assert "/console/inbox" not in home
    assert viewer.get("/console/inbox").status_code == 403
    assert viewer.get("/console/inbox/poll").status_code == 403
    conv = inbox.conversation("My order")
    assert viewer.get(f"/console/inbox/c/{conv.id}/pane").status_code == 403


def test_an_agent_sees_the_menu_entry_and_only_the_conversations_of_their_units(app, inbox):
    agent, _csrf = sign_in(app, inbox, "agent")
    assert 'href="/console/inbox"' in agent.get("/console/").get_data(as_text=True)
    page = agent.get("/console/inbox").get_data(as_text=True)
    assert "My order never arrived" in page and "هل يمكنني تغيير طلبي؟" in page
    assert "Tea leaves" not in page
    tea_conv = inbox.conversation("Tea leaves")
    assert agent.get(f"/console/inbox?c={tea_conv.id}").status_code == 404
    assert agent.get(f"/console/inbox/c/{tea_conv.id}/pane").status_code == 404
    r = agent.post(f"/console/inbox/c/{tea_conv.id}/triage", data={"csrf_token": _csrf, "action": "status",
                                                                    "status": "resolved"})
    assert r.status_code == 404
    assert api_conversation(inbox, tea_conv.id)["status"] == "open"


def test_customers_text_is_shown_with_dir_auto_and_the_pane_shows_the_author_and_sla(app, inbox):
    agent, _csrf = sign_in(app, inbox, "agent")
    conv = inbox.conversation("هل يمكنني")
    page = agent.get(f"/console/inbox?c={conv.id}").get_data(as_text=True)
    assert '<p class="msg-text" dir="auto">هل يمكنني تغيير طلبي؟</p>' in page
    assert '<span class="conv-preview" dir="auto">هل يمكنني تغيير طلبي؟</span>' in page
    assert "@h_c2" in page and 'id="reply-box"' in page
    assert 'id="assign-me"' not in page  # an agent may not assign


def test_filters_select_and_bad_filters_show_a_clear_error(app, inbox):
    admin, _csrf = sign_in(app, inbox, "admin")
    page = admin.get("/console/inbox?kind=dm").get_data(as_text=True)
    assert "هل يمكنني" in page and "My order never arrived" not in page
    r = admin.get("/console/inbox?priority=whenever")
    assert r.status_code == 422
    assert 'id="inbox-problems"' in r.get_data(as_text=True) and "priority" in r.get_data(as_text=True)
    urgent = admin.get("/console/inbox?order=urgent&assignee_id=none").get_data(as_text=True)
    assert "Tea leaves were stale" in urgent
    mine = admin.get("/console/inbox?assignee_id=me").get_data(as_text=True)
    assert 'id="conv-empty"' in mine


def test_the_list_pages_by_keyset_with_a_more_link(app, inbox):
    inbox.ingest("coffee", *[mention(f"Question number {i}", author=f"p{i}", n=100 + i) for i in range(30)])
    admin, _csrf = sign_in(app, inbox, "admin")
    first = admin.get("/console/inbox").get_data(as_text=True)
    assert 'id="inbox-more"' in first and "33 conversations" in first
    cursor = first.split('id="inbox-more" href="')[1].split('"')[0].replace("&amp;", "&")
    second = admin.get(cursor + "&fragment=list").get_data(as_text=True)
    assert second.count('class="conv') < first.count('class="conv') and 'id="inbox-more"' not in second


# ----------------------------------------------------------------------------- actions
def test_actions_change_the_conversation_through_the_services(app, inbox):
    lead, csrf = sign_in(app, inbox, "lead")
    conv = inbox.conversation("My order")
    base = f"/console/inbox/c/{conv.id}/triage"
    for data in ({"action": "assign_me"}, {"action": "priority", "priority": "urgent"},
                 {"action": "add_tags", "tags": "late, شحن"}, {"action": "status", "status": "pending"}):
        r = lead.post(base, data={"csrf_token": csrf, "back": "order=urgent", **data})
        assert r.status_code == 303 and r.headers["Location"].endswith(f"/console/inbox?order=urgent&c={conv.id}")
    got = api_conversation(inbox, conv.id)
    assert got["assignee_id"] == inbox.ids["lead"] and got["priority"] == "urgent"
    assert got["tags"] == ["late", "شحن"] and got["status"] == "pending"
    kinds = [e["kind"] for e in got["timeline"]]
    assert {"assigned", "priority", "tags", "status"} <= set(kinds)
    page = lead.get(f"/console/inbox?c={conv.id}&status=pending").get_data(as_text=True)
    assert "Status: Pending · by lead" in page and '<span id="pane-assignee">Assignee: lead</span>' in page
    lead.post(base, data={"csrf_token": csrf, "action": "status", "status": "resolved"})
    assert api_conversation(inbox, conv.id)["status"] == "resolved"


def test_bad_input_shows_a_clear_error_and_changes_nothing(app, inbox):
    lead, csrf = sign_in(app, inbox, "lead")
    conv = inbox.conversation("My order")
    before = api_conversation(inbox, conv.id)
    for data in ({"action": "priority", "priority": "whenever"}, {"action": "snooze", "snoozed_until": "soon"},
                 {"action": "snooze", "snoozed_until": "2001-01-01T10:00"},
                 {"action": "assign", "assignee_id": "usr_nobody"}, {"action": "add_tags", "tags": " , "},
                 {"action": "explode"}):
        r = lead.post(f"/console/inbox/c/{conv.id}/triage", data={"csrf_token": csrf, **data}, follow_redirects=True)
        assert 'class="flash error"' in r.get_data(as_text=True), data
    r = lead.post(f"/console/inbox/c/{conv.id}/note", data={"csrf_token": csrf, "text": "   "},
                  follow_redirects=True)
    assert "A note needs text." in r.get_data(as_text=True)
    r = lead.post(f"/console/inbox/c/{conv.id}/reply", data={"csrf_token": csrf, "text": ""}, follow_redirects=True)
    assert "Write the reply first." in r.get_data(as_text=True)
    after = api_conversation(inbox, conv.id)
    for key in ("status", "priority", "tags", "assignee_id", "snoozed_until"):
        assert after[key] == before[key]
    assert len(after["timeline"]) == len(before["timeline"])


def test_an_agent_may_not_assign_and_nothing_changes(app, inbox):
    agent, csrf = sign_in(app, inbox, "agent")
    conv = inbox.conversation("My order")
    r = agent.post(f"/console/inbox/c/{conv.id}/triage", data={"csrf_token": csrf, "action": "assign_me"},
                   follow_redirects=True)
    assert "inbox.assign" in r.get_data(as_text=True)
    assert api_conversation(inbox, conv.id)["assignee_id"] is None


def test_a_note_with_a_mention_is_on_the_timeline(app, inbox):
    agent, csrf = sign_in(app, inbox, "agent")
    conv = inbox.conversation("My order")
    r = agent.post(f"/console/inbox/c/{conv.id}/note", data={"csrf_token": csrf, "text": "@lead can you check?"},
                   follow_redirects=True)
    assert "@lead can you check?" in r.get_data(as_text=True)
    notes = [e for e in api_conversation(inbox, conv.id)["timeline"] if e["kind"] == "note"]
    assert notes[0]["data"]["mentions"] == [inbox.ids["lead"]]


def test_the_collision_notice_and_an_explicit_take_over(app, inbox, run_jobs):
    agent, agent_csrf = sign_in(app, inbox, "agent")
    lead, lead_csrf = sign_in(app, inbox, "lead")
    conv = inbox.conversation("My order")
    r = agent.post(f"/console/inbox/c/{conv.id}/lease", data={"csrf_token": agent_csrf},
                   headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.get_json()["replying"]["user_id"] == inbox.ids["agent"]
    page = lead.get(f"/console/inbox?c={conv.id}").get_data(as_text=True)
    assert f'id="collision" data-holder="{inbox.ids["agent"]}">agent is replying<' in page
    poll = lead.get(f"/console/inbox/poll?c={conv.id}").get_json()
    assert poll["conversation"]["replying"]["user_id"] == inbox.ids["agent"]
    r = lead.post(f"/console/inbox/c/{conv.id}/lease", data={"csrf_token": lead_csrf},
                  headers={"Accept": "application/json"})
    assert r.status_code == 409 and r.get_json()["message"] == "agent is replying."
    r = lead.post(f"/console/inbox/c/{conv.id}/reply", data={"csrf_token": lead_csrf, "text": "On it"},
                  follow_redirects=True)
    assert "Your reply was not sent" in r.get_data(as_text=True)
    assert NET.sent == [] and not [e for e in api_conversation(inbox, conv.id)["timeline"] if e["kind"] == "reply"]
    r = lead.post(f"/console/inbox/c/{conv.id}/reply", data={"csrf_token": lead_csrf, "text": "On it",
                                                             "take_over": "1"}, follow_redirects=True)
    assert "The reply is on its way." in r.get_data(as_text=True)
    run_jobs()
    assert [req.text for _remote, req in NET.sent] == ["On it"]
    kinds = [e["kind"] for e in api_conversation(inbox, conv.id)["timeline"]]
    assert "lease" in kinds and "reply" in kinds


def test_the_poll_says_when_the_list_and_the_open_conversation_change(app, inbox):
    agent, _csrf = sign_in(app, inbox, "agent")
    conv = inbox.conversation("My order")
    first = agent.get(f"/console/inbox/poll?c={conv.id}").get_json()
    assert first["total"] == 2 and first["by_status"]["open"] == 2
    again = agent.get(f"/console/inbox/poll?c={conv.id}").get_json()
    assert again["list_key"] == first["list_key"] and again["conversation"]["key"] == first["conversation"]["key"]
    inbox.ingest("coffee", mention("Any update?", author="c1", n=4, in_reply_to="m1"))
    inbox.ingest("coffee", mention("A new question", author="c9", n=5))
    later = agent.get(f"/console/inbox/poll?c={conv.id}").get_json()
    assert later["total"] == 3 and later["list_key"] != first["list_key"]
    pane = agent.get(f"/console/inbox/c/{conv.id}/pane").get_data(as_text=True)
    assert "Any update?" in pane or later["conversation"]["key"] == first["conversation"]["key"]


def test_saved_replies_are_offered_with_their_placeholders_filled_in(app, inbox):
    r = inbox.admin.post(f"tenants/{inbox.tid}/inbox/saved-replies",
                         {"name": "Sorry", "text": "Hi {author.name}, this is {agent.name}."})
    assert r.status_code == 201, r.get_json()
    agent, _csrf = sign_in(app, inbox, "agent")
    conv = inbox.conversation("My order")
    page = agent.get(f"/console/inbox?c={conv.id}").get_data(as_text=True)
    assert 'data-text="Hi Name c1, this is agent."' in page


def test_a_saved_view_is_listed_with_its_count(app, inbox):
    agent, csrf = sign_in(app, inbox, "agent")
    r = agent.post("/console/inbox/views", data={"csrf_token": csrf, "name": "DMs", "back": "kind=dm"})
    assert r.status_code == 303
    page = agent.get(r.headers["Location"]).get_data(as_text=True)
    assert "هل يمكنني" in page and "My order never arrived" not in page
    assert '<span class="badge">1</span>' in page
    r = agent.post("/console/inbox/views", data={"csrf_token": csrf, "name": "Shared", "shared": "1"},
                   follow_redirects=True)
    assert 'class="flash error"' in r.get_data(as_text=True)


def test_the_author_panel_takes_tags_and_notes(app, inbox):
    agent, csrf = sign_in(app, inbox, "agent")
    conv = inbox.conversation("My order")
    author_id = api_conversation(inbox, conv.id)["author"]["id"]
    agent.post(f"/console/inbox/authors/{author_id}/tags", data={"csrf_token": csrf, "tags": "vip", "c": conv.id})
    r = agent.post(f"/console/inbox/authors/{author_id}/notes",
                   data={"csrf_token": csrf, "text": "Prefers e-mail", "c": conv.id}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "Prefers e-mail" in html and '<span class="tag" dir="auto">vip</span>' in html


def test_the_page_is_translated_and_mirrored_in_arabic(app, inbox):
    agent, _csrf = sign_in(app, inbox, "agent")
    conv = inbox.conversation("My order")
    page = agent.get(f"/console/inbox?c={conv.id}&lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in page and "صندوق الوارد" in page and "Keyboard shortcuts" not in page


# ----------------------------------------------------------------------------- administration
def test_admin_pages_are_hidden_from_and_refused_to_an_agent(app, inbox):
    agent, csrf = sign_in(app, inbox, "agent")
    assert "/console/admin/inbox/teams" not in agent.get("/console/inbox").get_data(as_text=True)
    for path in ("/console/admin/inbox/teams", "/console/admin/inbox/sla-policies",
                 "/console/admin/inbox/routing-rules", "/console/admin/inbox/routing-rules/new"):
        assert agent.get(path).status_code == 403, path
    r = agent.post("/console/admin/inbox/teams", data={"csrf_token": csrf, "name": "Rogue"})
    assert r.status_code == 403
    with inbox.rt.db.session() as s:
        assert s.query(Team).count() == 0


def test_an_admin_creates_a_team_with_hours_holidays_and_members(app, inbox):
    admin, csrf = sign_in(app, inbox, "admin")
    assert "/console/admin/inbox/teams" in admin.get("/console/inbox").get_data(as_text=True)
    r = admin.post("/console/admin/inbox/teams", data={
        "csrf_token": csrf, "name": "Care", "unit_ids": [inbox.tenant.units["coffee"].id],
        "members": [inbox.ids["agent"]], "time_zone": "Asia/Tehran", "hours-sat": "09:00-13:00, 14:00-18:00",
        "holidays": "2026-03-21\n2026-03-22", "assignment": "round_robin"})
    assert r.status_code == 303, r.get_data(as_text=True)
    team = inbox.admin.get(f"tenants/{inbox.tid}/inbox/teams").get_json()["items"][0]
    assert team["business_hours"] == {"sat": [["09:00", "13:00"], ["14:00", "18:00"]]}
    assert team["holidays"] == ["2026-03-21", "2026-03-22"] and team["assignment"] == "round_robin"
    assert [m["user_id"] for m in team["members"]] == [inbox.ids["agent"]] and team["time_zone"] == "Asia/Tehran"


def test_a_team_with_bad_hours_shows_the_error_and_is_not_saved(app, inbox):
    admin, csrf = sign_in(app, inbox, "admin")
    for hours, zone in (("9 to 5", "UTC"), ("25:00-26:00", "UTC"), ("09:00-17:00", "Mars/Base")):
        r = admin.post("/console/admin/inbox/teams", data={"csrf_token": csrf, "name": "Care", "hours-mon": hours,
                                                           "time_zone": zone})
        assert r.status_code == 422, hours
        assert 'id="form-problems"' in r.get_data(as_text=True)
    with inbox.rt.db.session() as s:
        assert s.query(Team).count() == 0


def test_an_admin_saves_an_sla_policy_and_a_bad_one_is_refused(app, inbox):
    admin, csrf = sign_in(app, inbox, "admin")
    r = admin.post("/console/admin/inbox/sla-policies", data={
        "csrf_token": csrf, "name": "Urgent", "priority": "urgent", "first_response_minutes": "15",
        "resolution_hours": "4"})
    assert r.status_code == 303, r.get_data(as_text=True)
    policy = inbox.admin.get(f"tenants/{inbox.tid}/inbox/sla-policies").get_json()["items"][0]
    assert policy["first_response_s"] == 900 and policy["resolution_s"] == 4 * 3600
    for data in ({"name": "None"}, {"name": "Quick", "first_response_minutes": "soon"},
                 {"name": "Twice", "priority": "urgent", "first_response_minutes": "30"}):
        r = admin.post("/console/admin/inbox/sla-policies", data={"csrf_token": csrf, **data})
        assert r.status_code == 422 and 'id="form-problems"' in r.get_data(as_text=True), data
    with inbox.rt.db.session() as s:
        assert s.query(SlaPolicy).count() == 1


def test_a_routing_rule_is_tried_on_sample_text_then_saved_and_reordered(app, inbox):
    admin, csrf = sign_in(app, inbox, "admin")
    definition = json.dumps({"match": "any", "conditions": [{"field": "text", "op": "contains_any",
                                                              "value": ["refund"]}],
                             "actions": [{"type": "set_priority", "priority": "urgent"}]})
    r = admin.post("/console/admin/inbox/routing-rules", data={
        "csrf_token": csrf, "name": "Refunds", "enabled": "1", "definition": definition, "action": "try",
        "sample_text": "I want a REFUND now"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="rule-tried"' in html and "The rule matches." in html
    with inbox.rt.db.session() as s:
        assert s.query(RoutingRule).count() == 0
    for name in ("Refunds", "Second"):
        r = admin.post("/console/admin/inbox/routing-rules", data={
            "csrf_token": csrf, "name": name, "enabled": "1", "definition": definition, "action": "save"})
        assert r.status_code == 303, r.get_data(as_text=True)
    ids = [x["id"] for x in inbox.admin.get(f"tenants/{inbox.tid}/inbox/routing-rules").get_json()["items"]]
    admin.post(f"/console/admin/inbox/routing-rules/{ids[1]}/move", data={"csrf_token": csrf, "direction": "up"})
    now = [x["id"] for x in inbox.admin.get(f"tenants/{inbox.tid}/inbox/routing-rules").get_json()["items"]]
    assert now == [ids[1], ids[0]]


def test_a_malformed_rule_definition_shows_where_and_is_not_saved(app, inbox):
    admin, csrf = sign_in(app, inbox, "admin")
    r = admin.post("/console/admin/inbox/routing-rules", data={
        "csrf_token": csrf, "name": "Broken", "definition": '{"conditions": [', "action": "save"})
    assert r.status_code == 422 and "Line 1, column" in r.get_data(as_text=True)
    r = admin.post("/console/admin/inbox/routing-rules", data={
        "csrf_token": csrf, "name": "Unknown team", "action": "save", "definition": json.dumps(
            {"conditions": [], "actions": [{"type": "set_team", "team_id": "team_nowhere"}]})})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="form-problems"' in html and "team_nowhere" in html
    assert "team_nowhere" in html.split('id="rule-definition"')[1]  # the definition is kept to correct it
    with inbox.rt.db.session() as s:
        assert s.query(RoutingRule).count() == 0
