"""No stored code leaks into a page in another language: every page of the console — the menu's
pages and the pages they lead to, as an administrator with something on each — is rendered in
Arabic, and none shows as visible text a code word of the model's enumerations (post and
publication states, people's statuses, unit kinds, step states, decisions, rule conditions),
a built-in role's, step kind's or network's English name, or the English sentence explaining
why a workflow applies. Codes a page shows *as codes* (in ``<code>``) and attributes are fine.

To cover a new page, make sure the menu or :func:`linked_pages` reaches it; to cover a new
enumeration, add it to :func:`code_words`."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from console_world import ConsoleWorld, console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from test_console_browser import more_posts, run_engine
from test_console_calendar import connect

from herald.api.schemas.workflows import RuleConditions
from herald.authz.catalogue import BUILTIN_ROLES
from herald.console.admin import UNIT_KINDS as OFFERED_UNIT_KINDS
from herald.content.models import POST_STATUSES
from herald.people.models import User
from herald.publishing.models import PUBLICATION_STATES
from herald.tenancy.models import UNIT_KINDS

#: review-run, step and decision codes (``approval_runs.status``, the review's step states,
#: ``approval_decisions.decision``)
REVIEW_CODES = ("active", "superseded", "withdrawn", "skipped", "blocked", "sent_back", "waiting", "current",
                "approve", "send_back", "reject", "passed")
PERSON_STATUSES = ("active", "invited", "disabled")
#: English names Herald itself gives (the catalogue's roles, built-in step kinds, the sandbox)
ENGLISH_NAMES = ("Human review", "Style-guide check", "Sandbox", "Implicit approval")


def code_words() -> set[str]:
    """Single codes, compared with whole words of the visible text."""
    return {*POST_STATUSES, *PUBLICATION_STATES, *UNIT_KINDS, *OFFERED_UNIT_KINDS, *REVIEW_CODES,
            *PERSON_STATUSES, *RuleConditions().fields}


def english_names() -> set[str]:
    """Names and sentences, looked for as they are."""
    return {*ENGLISH_NAMES, *(str(role["name"]) for role in BUILTIN_ROLES.values())}


class VisibleText(HTMLParser):
    """The text a person sees: no scripts, styles or ``<code>``; ``<option>`` text included."""

    HIDDEN = {"script", "style", "code", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str, between: str = " ") -> str:
    """The visible text, its text nodes joined by ``between``."""
    parser = VisibleText()
    parser.feed(html)
    return between.join(" ".join(part.split()) for part in parser.parts if part.strip())


#: an element holding the tenant's own words (names, texts: ``dir="auto"``, ``<bdi>``)
TENANTS_WORDS = re.compile(r'<(\w+)\b[^>]*\bdir="auto"[^>]*>.*?</\1>|<bdi>.*?</bdi>', re.S)


def leaks(html: str) -> list[str]:
    """The code words and English names the page shows as text (names only outside the tenant's
    own words: a step may well be called "Manager sign-off")."""
    text = visible_text(html)
    own_words_left_out = " ".join("·" if re.search(r"[@._/=\d]", w) else w
                                  for w in visible_text(TENANTS_WORDS.sub(" ", html), " | ").split())
    # e-mail addresses, handles, audit actions (``post.scheduled``) and addresses are the
    # tenant's data or codes in their own right, not words of the page
    words = [w for w in re.split(r"[\s,;:()«»“”\"'·—–!?]+", text)
             if w and not re.search(r"[@./=\d]", w)]
    found = sorted({w for w in words if w.lower() in code_words()})
    # a name standing alone, not inside an English phrase of the tenant's ("Manager sign-off")
    found += sorted(name for name in english_names()
                    if re.search(rf"(?<![A-Za-z][ -])\b{re.escape(name)}\b(?![ -]?[A-Za-z])", own_words_left_out))
    return found


def filled_in(world: ConsoleWorld, herald_runtime: Any, run_jobs: Any) -> dict[str, str]:
    """Something on every page; returns the ids the linked pages need."""
    assert world.admin.patch(f"tenants/{world.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    connect(world, world.add_account("sandbox", "acme_sandbox"))
    more_posts(world, herald_runtime)  # one scheduled, one refused by the network
    run_engine(herald_runtime, run_jobs)
    content = {"title": "Launch", "targets": [world.accounts["longnet"]],
               "variants": [{"network": None, "language": "en", "text": "Fresh coffee today"}]}
    r = world.admin.post(f"tenants/{world.tid}/posts", {"org_unit_id": world.unit("coffee"), "content": content})
    post_id = r.get_json()["id"]
    assert world.admin.post(f"tenants/{world.tid}/posts/{post_id}/submit", {}).status_code == 200
    r = world.admin.post(f"tenants/{world.tid}/roles", {"key": "social_lead", "name": "Social lead",
                                                        "permissions": ["posts.view", "posts.create"]})
    assert r.status_code == 201, r.get_json()
    r = world.admin.post(f"tenants/{world.tid}/invitations", {"email": "new.hire@acme.test", "display_name": "Nadia"})
    assert r.status_code == 201, r.get_json()
    r = world.admin.patch(f"tenants/{world.tid}/users/{world.ids['viewer']}", {"status": "disabled"})
    assert r.status_code == 200, r.get_json()
    r = world.admin.post(f"tenants/{world.tid}/org-units", {"name": "Juice", "parent_id": world.unit("root"),
                                                            "kind": "brand"})
    assert r.status_code == 201, r.get_json()
    r = world.admin.post(f"tenants/{world.tid}/workflow-rules", {
        "org_unit_id": world.unit("root"), "name": "Sea posts", "workflow_key": "default",
        "conditions": {"networks_any": ["sandbox"], "accounts_any": [world.accounts["sandbox"]]}, "priority": 10})
    assert r.status_code == 201, r.get_json()
    return {"post": post_id, "rule": r.get_json()["id"]}


def linked_pages(world: ConsoleWorld, ids: dict[str, str]) -> list[str]:
    """Pages the menu does not list but its pages lead to."""
    posts = [f"/console/posts/{p['id']}" for p in world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"]]
    root = world.unit("root")
    return [*posts, "/console/profile", "/console/admin/people", "/console/admin/roles/new",
            "/console/admin/roles/social_lead", "/console/calendar?view=week",
            f"/console/admin/workflows/{root}", f"/console/admin/workflows/{root}/default",
            "/console/admin/workflow-rules", f"/console/admin/workflow-rules/{ids['rule']}",
            "/console/admin/plugins/network_sandbox", "/console/notifications"]


def menu_pages(html: str) -> list[str]:
    menu = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    return [url for url in re.findall(r'<a href="([^"]+)"', menu) if not url.startswith("/console/x/")]


@pytest.fixture
def arabic_admin(app: Any, world: ConsoleWorld, herald_runtime: Any, run_jobs: Any) -> tuple[Any, list[str]]:
    ids = filled_in(world, herald_runtime, run_jobs)
    with herald_runtime.db.transaction() as s:
        s.get(User, world.ids["admin"]).locale = "ar"
    admin, _csrf = sign_in(app, world, "admin")
    home = admin.get("/console/").get_data(as_text=True)
    pages = list(dict.fromkeys([*menu_pages(home), *linked_pages(world, ids)]))
    assert len(pages) > 20, pages
    return admin, pages


def test_the_leak_finder_sees_codes_and_english_names_but_not_codes_shown_as_codes():
    page = ('<p>حالة: invited · <span>brand</span> <span>Human review</span></p>'
            '<p><code>in_review</code> <a title="draft" href="/x">رابط</a> post.scheduled admin@acme.test</p>'
            '<p dir="auto">Manager sign-off</p><select><option>Step 3: Manager sign-off</option></select>'
            '<p>Sandbox acme_sandbox</p>')
    assert leaks(page) == ["brand", "invited", "Human review", "Sandbox"]


def test_no_console_page_in_arabic_shows_a_stored_code_or_an_english_name(arabic_admin):
    admin, pages = arabic_admin
    problems = {}
    for path in pages:
        r = admin.get(path)
        if r.status_code == 404 and path == "/console/notifications":
            continue  # not every build has the notifications pages
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        assert '<html lang="ar"' in html, path
        found = leaks(html)
        if found:
            problems[path] = found
    assert not problems, "English codes or names on Arabic pages:\n" + "\n".join(
        f"{path}: {', '.join(words)}" for path, words in problems.items())


def test_the_implicit_workflows_step_is_named_in_the_persons_language(app):
    from herald.console.labels import IMPLICIT_STEP, IMPLICIT_WORKFLOW, step_name

    with app.test_request_context("/console/?lang=ar"):
        assert step_name(IMPLICIT_STEP, IMPLICIT_WORKFLOW) not in ("", IMPLICIT_STEP)
        assert step_name(IMPLICIT_STEP, "Legal review") == IMPLICIT_STEP  # a step someone named stays as named
    with app.test_request_context("/console/?lang=en"):
        assert step_name(IMPLICIT_STEP, IMPLICIT_WORKFLOW) == "Approval"
