"""Listening through the API and the runner, on both stacks: queries and their errors, runs
with cursors, hits stored once under overlapping runs, tenant isolation, the budget reserve,
429s that keep the cursor, a per-account term budget, and the views."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from herald.clock import utcnow
from herald.hookspecs import hookimpl
from herald.networks.connector import (
    AuthorProfile,
    Capabilities,
    CompiledQuery,
    ConnectedAccount,
    Mention,
    NetworkConnector,
    RateBudget,
    SearchPage,
)
from herald.networks.errors import RateLimited
from herald.tenancy.models import SocialAccount


@dataclass
class FakeSearch:
    posts: list[Mention] = field(default_factory=list)
    budget: RateBudget | None = None
    fail: list[BaseException] = field(default_factory=list)
    calls: list[tuple[str, str | None]] = field(default_factory=list)
    gate: threading.Event | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)


NET = FakeSearch()
_ids = itertools.count(1)


def post(text: str, *, author: str = "ann", followers: int = 10, lang: str | None = "en",
         at: datetime | None = None) -> Mention:
    n = next(_ids)
    return Mention(remote_id=f"p{n:06d}", text=text, author_id=author, author_handle=author,
                   created_at=at or utcnow() - timedelta(minutes=5), kind="search", language=lang,
                   author=AuthorProfile(author, author, author.title(), followers, False), url=f"https://n.test/{n}")


class FakeListener(NetworkConnector):
    """Searches keywords only (every word of the query must be in the text); tags need Herald."""

    key = "listenet"
    display_name = "ListeNet"
    capabilities = Capabilities(max_text_length=280, supports_listening=True, listening_terms_budget=2,
                                listening_terms_window_s=7 * 86400)

    def compile_listening_query(self, query: Any) -> CompiledQuery:
        from herald.listening.query.ast import terms

        words = [t.value for t, neg in terms(query) if t.kind == "word" and not neg]
        tags = [t.value.lower() for t, neg in terms(query) if t.kind == "hashtag" and not neg]
        return CompiledQuery(" ".join(words), local_filter_needed=True, unsupported_parts=("everything",),
                             notes=("ListeNet searches words; Herald filters the rest.",), budget_terms=tuple(tags))

    def search_recent(self, account: ConnectedAccount, compiled: CompiledQuery, cursor: str | None) -> SearchPage:
        with NET._lock:
            NET.calls.append((compiled.network_query or "", cursor))
            if NET.fail:
                raise NET.fail.pop(0)
        if NET.gate is not None:
            NET.gate.wait(5)
        start = int(cursor or 0)
        found = [p for p in NET.posts if int(p.remote_id[1:]) > start
                 and all(w.lower() in p.text.lower() for w in (compiled.network_query or "").split())]
        newest = max([int(p.remote_id[1:]) for p in found] + [start])
        return SearchPage(items=found, cursor=str(newest), budget=NET.budget)


class _Plugin:
    HERALD_HOOK_API = "1.4"

    @hookimpl
    def herald_network_connectors(self) -> list[type[NetworkConnector]]:
        return [FakeListener]


@pytest.fixture
def world(seed, api, herald_runtime, register_plugin):  # type: ignore[no-untyped-def]
    NET.posts.clear(), NET.calls.clear(), NET.fail.clear()
    NET.budget, NET.gate = None, None
    register_plugin(_Plugin(), "listenet")
    out: dict[str, Any] = {"rt": herald_runtime}
    for slug in ("acme", "rival"):
        t = seed.tenant(slug, {"brand": None, "other": None})
        _, token = seed.user(t, f"admin@{slug}.test", [("tenant_admin", "root")])
        admin = api(token)
        assert admin.patch(f"tenants/{t.id}/plugins/listenet", {"enabled": True}).status_code == 200
        r = admin.post(f"tenants/{t.id}/social-accounts", {"org_unit_id": t.units["brand"].id,
                                                          "network": "listenet", "handle": f"{slug}_listen"})
        assert r.status_code == 201, r.get_json()
        account_id = r.get_json()["id"]
        with herald_runtime.db.transaction() as s:
            acct = s.get(SocialAccount, account_id)
            acct.external_id, acct.connection_state = f"remote-{slug}", "connected"
        out[slug] = {"tenant": t, "admin": admin, "account": account_id}
    t = out["acme"]["tenant"]
    _, analyst = seed.user(t, "analyst@acme.test", [("analyst", "brand")])
    _, other = seed.user(t, "other@acme.test", [("analyst", "other")])
    _, viewer = seed.user(t, "viewer@acme.test", [("viewer", "root")])
    out["acme"].update(analyst=api(analyst), other=api(other), viewer=api(viewer))
    return out


def _create(w: dict[str, Any], slug: str = "acme", **body: Any) -> dict[str, Any]:
    side = w[slug]
    payload = {"org_unit_id": side["tenant"].units["brand"].id, "name": "Brand", "text": "coffee",
               "account_ids": [side["account"]], **body}
    r = side["admin"].post(f"tenants/{side['tenant'].id}/listening/queries", payload)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _url(w: dict[str, Any], path: str, slug: str = "acme") -> str:
    return f"tenants/{w[slug]['tenant'].id}/listening/{path}"


def test_a_query_with_an_error_is_refused_with_its_position(world):
    side = world["acme"]
    r = side["admin"].post(_url(world, "queries"), {"org_unit_id": side["tenant"].units["brand"].id, "name": "Bad",
                                                    "text": "coffee (tea OR milk"})
    assert r.status_code == 422
    body = r.get_json()
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert body["errors"]["text"] == ["line 1, column 20: a closing bracket is missing (for the bracket at column 8)"]


def test_a_query_shows_what_its_network_makes_of_it(world):
    q = _create(world, text="coffee #brew -decaf", exclusions=["tea time"])
    assert q["compiled"]["listenet"]["network_query"] == "coffee"
    assert q["compiled"]["listenet"]["local_filter_needed"] is True
    assert q["compiled"]["listenet"]["notes"] == ["ListeNet searches words; Herald filters the rest."]
    assert q["owner_ids"] and q["cadence_s"] == 900


def test_run_stores_matching_hits_once_and_moves_the_cursor(world):
    q = _create(world, text="coffee -decaf", exclusions=["tea time"])
    NET.posts.extend([post("coffee now"), post("decaf coffee"), post("coffee at tea time"), post("tea only")])
    r = world["acme"]["admin"].post(_url(world, f"queries/{q['id']}/run"), {})
    assert r.status_code == 200, r.get_json()
    run = r.get_json()
    assert run["status"] == "ran" and run["stored"] == 1 and len(run["new_hit_ids"]) == 1
    hits = world["acme"]["admin"].get(_url(world, f"queries/{q['id']}/hits")).get_json()["items"]
    assert [h["text"] for h in hits] == ["coffee now"]
    NET.posts.append(post("more coffee"))
    again = world["acme"]["admin"].post(_url(world, f"queries/{q['id']}/run"), {}).get_json()
    assert again["stored"] == 1
    assert NET.calls[-1][1] is not None and int(NET.calls[-1][1]) >= 3  # from the cursor, not from scratch


def test_overlapping_runs_and_queries_store_each_post_once(world):
    from sqlalchemy import func, select

    from herald.listening.hits import store_hits
    from herald.listening.models import ListeningHit, ListeningHitQuery

    a, b = _create(world, name="A"), _create(world, name="B")
    items = [post(f"coffee {i}") for i in range(20)]
    rt, tid, acct = world["rt"], world["acme"]["tenant"].id, world["acme"]["account"]
    errors: list[BaseException] = []

    def store(query_id: str) -> None:
        try:
            with rt.db.transaction() as s:
                store_hits(s, tid, query_id, "listenet", acct, items)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(q,)) for q in (a["id"], a["id"], b["id"], b["id"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with rt.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ListeningHit)) == 20
        assert s.scalar(select(func.count()).select_from(ListeningHitQuery)) == 40


def test_a_second_run_while_one_holds_the_query_is_busy(world):
    from herald.listening.runner import run_query

    q = _create(world)
    NET.posts.append(post("coffee"))
    NET.gate = threading.Event()
    results: list[Any] = []
    t = threading.Thread(target=lambda: results.append(run_query(q["id"], force=True)))
    t.start()
    for _ in range(100):
        if NET.calls:
            break
        threading.Event().wait(0.02)
    assert run_query(q["id"], force=True).status == "busy"
    NET.gate.set()
    t.join()
    assert results[0].status == "ran" and results[0].stored == 1


def test_queries_and_hits_stay_in_their_tenant(world):
    mine = _create(world, "acme")
    theirs = _create(world, "rival")
    NET.posts.append(post("coffee everywhere"))
    for slug, q in (("acme", mine), ("rival", theirs)):
        assert world[slug]["admin"].post(_url(world, f"queries/{q['id']}/run", slug), {}).get_json()["stored"] == 1
    acme = world["acme"]["admin"]
    assert acme.get(_url(world, f"queries/{theirs['id']}")).status_code == 404
    assert acme.get(f"tenants/{world['rival']['tenant'].id}/listening/queries/{theirs['id']}/hits").status_code == 404
    listed = acme.get(_url(world, "queries")).get_json()["items"]
    assert [q["id"] for q in listed] == [mine["id"]]


def test_grants_are_unit_scoped(world):
    q = _create(world)
    side = world["acme"]
    assert side["analyst"].get(_url(world, f"queries/{q['id']}/hits")).status_code == 200
    assert side["analyst"].post(_url(world, f"queries/{q['id']}/run"), {}).status_code == 403
    assert side["other"].get(_url(world, f"queries/{q['id']}")).status_code == 404
    assert side["viewer"].get(_url(world, "queries")).get_json()["items"] == []


def test_a_429_keeps_the_cursor_records_the_error_and_pauses_the_account(world):
    from herald.listening.models import ListeningCursor

    q = _create(world)
    NET.posts.append(post("coffee one"))
    admin = world["acme"]["admin"]
    admin.post(_url(world, f"queries/{q['id']}/run"), {})
    with world["rt"].db.transaction() as s:
        before = s.get(ListeningCursor, (q["id"], world["acme"]["account"])).cursor
    reset = utcnow() + timedelta(minutes=7)
    NET.fail.append(RateLimited("Too Many Requests", reset_at=reset))
    run = admin.post(_url(world, f"queries/{q['id']}/run"), {}).get_json()
    assert run["accounts"][0]["status"] == "error"
    got = admin.get(_url(world, f"queries/{q['id']}")).get_json()
    assert "Too Many Requests" in got["last_error"]
    with world["rt"].db.transaction() as s:
        state = s.get(ListeningCursor, (q["id"], world["acme"]["account"]))
        assert state.cursor == before and state.not_before is not None
    calls = len(NET.calls)
    waiting = admin.post(_url(world, f"queries/{q['id']}/run"), {}).get_json()
    assert waiting["accounts"][0]["status"] == "waiting" and len(NET.calls) == calls


def test_listening_leaves_the_reserve_of_the_budget_to_publishing_and_the_inbox(world):
    from herald.listening.budget import reserve

    q = _create(world)
    admin = world["acme"]["admin"]
    NET.budget = RateBudget(limit=100, remaining=reserve(100), reset_at=utcnow() + timedelta(minutes=10))
    admin.post(_url(world, f"queries/{q['id']}/run"), {})
    calls = len(NET.calls)
    run = admin.post(_url(world, f"queries/{q['id']}/run"), {}).get_json()
    assert run["accounts"][0]["status"] == "waiting" and "kept for publishing" in run["accounts"][0]["message"]
    assert len(NET.calls) == calls


def test_the_term_budget_is_counted_per_account_and_refused_beyond(world):
    admin = world["acme"]["admin"]
    first = _create(world, name="one", text="coffee #a #b")
    assert admin.post(_url(world, f"queries/{first['id']}/run"), {}).get_json()["accounts"][0]["status"] == "searched"
    again = admin.post(_url(world, f"queries/{first['id']}/run"), {}).get_json()
    assert again["accounts"][0]["status"] == "searched"  # a repeat within the window is free
    second = _create(world, name="two", text="coffee #c")
    run = admin.post(_url(world, f"queries/{second['id']}/run"), {}).get_json()
    assert run["accounts"][0]["status"] == "error"
    assert "may search 2 different terms in 7 days; 2 are in use (a, b)" in run["accounts"][0]["message"]


def test_volume_is_bucketed_in_the_viewers_zone_with_sentiment(world):
    from herald.listening.hits import set_enrichment

    q = _create(world)
    # 2026-03-01 20:10 and 20:40 UTC are 01:40 and 02:10 in Kolkata (UTC+5:30) on 2 March
    NET.posts.extend([post("coffee a", at=datetime(2026, 3, 1, 20, 10, tzinfo=UTC)),
                      post("coffee b", at=datetime(2026, 3, 1, 20, 40, tzinfo=UTC)),
                      post("coffee c", at=datetime(2026, 3, 1, 18, 0, tzinfo=UTC))])
    run = world["acme"]["admin"].post(_url(world, f"queries/{q['id']}/run"), {}).get_json()
    with world["rt"].db.transaction() as s:
        set_enrichment(s, run["new_hit_ids"][0], sentiment=-0.7, sentiment_label="negative")
    r = world["acme"]["admin"].get(_url(world, f"queries/{q['id']}/volume"), query_string={
        "bucket": "day", "time_zone": "Asia/Kolkata", "from": "2026-03-01T00:00:00+05:30",
        "to": "2026-03-03T00:00:00+05:30"})
    assert r.status_code == 200, r.get_json()
    buckets = r.get_json()["buckets"]
    assert [(b["start"][:10], b["total"]) for b in buckets] == [("2026-03-01", 1), ("2026-03-02", 2)]
    assert buckets[0]["start"].endswith("+05:30")
    assert sum(b["sentiment"].get("negative", 0) for b in buckets) == 1
    hourly = world["acme"]["admin"].get(_url(world, f"queries/{q['id']}/volume"), query_string={
        "bucket": "hour", "time_zone": "Asia/Kolkata", "from": "2026-03-02T00:00:00+05:30",
        "to": "2026-03-02T03:00:00+05:30"}).get_json()["buckets"]
    assert [(b["start"][11:16], b["total"]) for b in hourly] == [("00:00", 0), ("01:00", 1), ("02:00", 1)]


def test_share_of_voice_top_authors_and_top_terms(world):
    ours, theirs = _create(world, name="Ours", text="coffee"), _create(world, name="Theirs", text="tea")
    NET.posts.extend([post("coffee and the #morning ritual", author="big", followers=9000),
                      post("coffee ritual again #morning", author="small", followers=5),
                      post("more coffee ritual", author="big", followers=9100),
                      post("tea for me", author="tea_fan")])
    admin = world["acme"]["admin"]
    for q in (ours, theirs):
        admin.post(_url(world, f"queries/{q['id']}/run"), {})
    share = admin.get(_url(world, "share-of-voice"), query_string={"queries": f"{ours['id']},{theirs['id']}"})
    assert share.status_code == 200, share.get_json()
    assert [(i["name"], i["hits"], round(i["share"], 2)) for i in share.get_json()["items"]] == [
        ("Ours", 3, 0.75), ("Theirs", 1, 0.25)]
    authors = admin.get(_url(world, f"queries/{ours['id']}/top-authors")).get_json()["items"]
    assert [(a["handle"], a["followers"], a["hits"]) for a in authors] == [("big", 9100, 2), ("small", 5, 1)]
    terms = admin.get(_url(world, f"queries/{ours['id']}/top-terms")).get_json()["languages"]["en"]
    assert terms["terms"][:2] == [{"term": "coffee", "count": 3}, {"term": "ritual", "count": 3}]
    assert all(t["term"] not in ("and", "the", "more") for t in terms["terms"])
    assert terms["hashtags"] == [{"term": "#morning", "count": 2}]


def test_hits_filter_by_author_text_and_language(world):
    q = _create(world)
    NET.posts.extend([post("coffee one", author="ann"), post("coffee deux", author="bob", lang="fr")])
    admin = world["acme"]["admin"]
    admin.post(_url(world, f"queries/{q['id']}/run"), {})
    url = _url(world, f"queries/{q['id']}/hits")
    assert [h["text"] for h in admin.get(url, query_string={"author": "@Bob"}).get_json()["items"]] == ["coffee deux"]
    assert [h["text"] for h in admin.get(url, query_string={"language": "en"}).get_json()["items"]] == ["coffee one"]
    assert [h["text"] for h in admin.get(url, query_string={"text": "DEUX"}).get_json()["items"]] == ["coffee deux"]
    page = admin.get(url, query_string={"limit": 1}).get_json()
    assert len(page["items"]) == 1 and page["next_cursor"]


def test_a_spike_notifies_the_owners_once(world):
    from sqlalchemy import select

    from herald.listening.runner import run_query
    from herald.notifications.models import InAppNotification

    q = _create(world)
    NET.posts.extend(post(f"coffee {i}") for i in range(25))
    assert run_query(q["id"], force=True).alerts == 1
    NET.posts.extend(post(f"coffee more {i}") for i in range(25))
    assert run_query(q["id"], force=True).alerts == 0  # cooling down
    world["rt"].queue.drain(30) if hasattr(world["rt"].queue, "drain") else world["rt"].queue.run_burst()
    with world["rt"].db.transaction() as s:
        kinds = [n.kind for n in s.execute(select(InAppNotification)).scalars()]
    assert kinds.count("listening.spike") == 1


def test_the_sweeper_queues_due_queries_once_per_minute(world):
    from herald.listening import sweeper

    q = _create(world)
    _create(world, name="off", enabled=False)
    with world["rt"].db.transaction() as s:
        assert sweeper.due(s, utcnow() + timedelta(seconds=1)) == [q["id"]]
