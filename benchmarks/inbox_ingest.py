"""Inbox ingest benchmark: real PostgreSQL + Redis/RQ + worker processes taking in a stream of
mentions, comments and direct messages for 200 accounts of 20 tenants, each tenant with a team in
business hours, two routing rules and an SLA policy.

What runs, in order:
  ingest   the stream arrives at a steady rate (``--rate``, 2,000 items/s); every ``--window``
           seconds each tenant's new items go to Herald as one RQ job (a delivery: per account,
           the items of the window, stored in one transaction by ``herald.inbox.ingest.ingest``,
           as a poll page or a webhook event is). Worker processes run the jobs. A watcher asks
           ``herald.inbox.queries`` (each tenant's default view: open conversations) which of
           the arrived items it shows; visible − arrival is the latency.
  replay   the whole stream delivered twice more, by two feeder processes at once, as fast as
           they can: then the rows are counted (duplicates, lost).
  view     one unit with descendants, status open, newest first, first page — over 100,000 and
           1,000,000 stored items bulk-loaded (COPY) into one more tenant, in rows shaped like
           ingest's.
  --quick  5,000 items at 2,000/s, the view over 100,000 items

The last line printed is one JSON object.

    .venv/bin/python benchmarks/inbox_ingest.py            # 20,000 items; view at 100k and 1M
    .venv/bin/python benchmarks/inbox_ingest.py --quick
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/herald_bench_inbox \
        BENCH_REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python benchmarks/inbox_ingest.py --quick
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import publish_dispatch as publishing_bench

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/herald_bench_inbox")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
#: the queue the deliveries go to (the workers listen on it)
QUEUE = "herald-bench-inbox"
#: Herald's own queue in the workers: the outbox's dispatch jobs and notifications land here
EVENTS_QUEUE = "herald-bench-inbox-events"
TENANTS = 20
ACCOUNTS = 200
NETWORK = "bench"
WORDS = ("coffee", "order", "late", "love", "thanks", "store", "app", "help", "price", "delivery", "great",
         "question", "hours", "menu", "cup", "today", "please", "why", "again", "new")

# the anchors of the publishing benchmark, measured on this benchmark's Redis database
publishing_bench.REDIS_URL = REDIS_URL
anchor_redis_get = publishing_bench.anchor_redis_get
anchor_rq_noop = publishing_bench.anchor_rq_noop


def _pg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


# ----------------------------------------------------------------------------- the job the workers run
def ingest_delivery(batches: list[list[Any]]) -> dict[str, int]:
    """One delivery: each account's items of the window, all in one transaction, through
    ``herald.inbox.ingest.ingest_pages`` (as a webhook batch is taken in). A transaction
    PostgreSQL aborts (a deadlock, a serialization failure) is tried again, and counted, as the
    job's retry would."""
    from sqlalchemy.exc import OperationalError

    from herald.inbox.ingest import ingest_pages
    from herald.networks.connector import AuthorProfile, Mention
    from herald.runtime import current
    from herald.tenancy.models import SocialAccount

    rt = current()
    stored = duplicates = retried = 0
    pages = [(account_id, [
        Mention(remote_id=r["id"], text=r["text"], author_id=r["author"], author_handle=f"h_{r['author']}",
                created_at=datetime.fromtimestamp(r["at"], UTC), kind=r["kind"], thread_id=r.get("thread"),
                root_id=r.get("root"), language="en",
                author=AuthorProfile(r["author"], f"h_{r['author']}", f"Person {r['author']}", r["followers"], None,
                                     "en"))
        for r in raw_items]) for account_id, raw_items in batches]
    for attempt in range(5):
        try:
            with rt.db.transaction() as session:
                results = ingest_pages(session, [(session.get(SocialAccount, account_id), items)
                                                 for account_id, items in pages], source="webhook")
            stored = sum(len(result.stored) for result in results)
            duplicates = sum(result.duplicates for result in results)
            break
        except OperationalError:
            retried += 1
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
    if retried:
        from redis import Redis

        Redis.from_url(REDIS_URL).incrby("herald-bench-inbox:retried", retried)
    return {"stored": stored, "duplicates": duplicates, "retried": retried}


# ----------------------------------------------------------------------------- worker processes
def worker_env() -> dict[str, str]:
    here = os.path.dirname(os.path.abspath(__file__))
    return {**os.environ, "DATABASE_URL": DB_URL, "REDIS_URL": REDIS_URL, "HERALD_QUEUE": EVENTS_QUEUE,
            "HERALD_ENCRYPTION_KEYS": publishing_bench.bench_key(), "HERALD_SECRET_KEY": "bench",
            "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}


def run_worker() -> None:
    """What `herald worker` does for the inbox (RQ SimpleWorker, the inbox sweeper), on the
    benchmark's delivery queue."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from herald.config import Settings
    from herald.inbox.sweeper import start_inbox_sweeper
    from herald.runtime import build_runtime

    build_runtime(Settings.from_env())
    start_inbox_sweeper()
    conn = Redis.from_url(REDIS_URL)
    SimpleWorker([Queue(QUEUE, connection=conn)], connection=conn).work(logging_level="WARNING")


def spawn_worker() -> subprocess.Popen[bytes]:
    log = os.environ.get("BENCH_WORKER_LOG")
    err = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "--role", "worker"], env=worker_env(),
                            stdout=subprocess.DEVNULL, stderr=err)


# ----------------------------------------------------------------------------- set-up
def reset_database() -> None:
    from sqlalchemy import create_engine, text

    from herald.db.migrate import upgrade
    from herald.testing.backends import _ensure_database

    url = _pg(DB_URL)
    _ensure_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def _tenant_rows(rows: dict[str, list[dict[str, Any]]], slug: str, now: datetime) -> tuple[str, str]:
    from herald.ids import new_id

    tid, root = new_id("ten"), new_id("unit")
    rows["tenants"].append({"id": tid, "slug": slug, "name": slug, "status": "active", "default_locale": "en",
                            "default_time_zone": "UTC", "created_at": now, "updated_at": now})
    rows["org_units"].append({"id": root, "tenant_id": tid, "parent_id": None, "name": "Root", "kind": "company",
                              "path": f"/{root}/", "depth": 0, "created_at": now, "updated_at": now})
    return tid, root


def _user(rows: dict[str, list[dict[str, Any]]], tid: str, unit: str, email: str, role: str, now: datetime) -> str:
    from herald.ids import new_id

    uid = new_id("usr")
    rows["users"].append({"id": uid, "tenant_id": tid, "email": email, "display_name": email.split("@")[0],
                          "status": "active", "is_operator": False, "created_at": now, "updated_at": now})
    rows["grants"].append({"id": new_id("grt"), "tenant_id": tid, "user_id": uid, "role_key": role,
                           "org_unit_id": unit, "created_at": now})
    return uid


def _insert(rows: dict[str, list[dict[str, Any]]]) -> None:
    from sqlalchemy import create_engine, insert

    from herald.audit.models import AuditChain  # noqa: F401  (every table known to the metadata)
    from herald.db import Base

    engine = create_engine(_pg(DB_URL))
    with engine.begin() as conn:
        for name in ("tenants", "org_units", "users", "grants", "social_accounts", "inbox_teams",
                     "inbox_team_members", "inbox_sla_policies", "inbox_routing_rules"):
            table = Base.metadata.tables[name]
            for i in range(0, len(rows[name]), 2000):
                if rows[name][i:i + 2000]:
                    conn.execute(insert(table), rows[name][i:i + 2000])
    engine.dispose()


def prepare_world() -> list[dict[str, Any]]:
    """20 tenants, each: a root with two units, 10 connected accounts, a team covering the root
    (office hours in a zone, two members), an SLA policy (first response 1 h, resolution 24 h)
    and two routing rules (billing words → high priority, tagged, to the team; DMs → tagged)."""
    from herald.ids import new_id
    from herald.inbox.routing.definition import RuleDefinitionSchema

    now = datetime.now(UTC)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    world = []
    hours = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    for ti in range(TENANTS):
        tid, root = _tenant_rows(rows, f"bench{ti}", now)
        units = []
        for ui in range(2):
            uid = new_id("unit")
            rows["org_units"].append({"id": uid, "tenant_id": tid, "parent_id": root, "name": f"Brand {ui}",
                                      "kind": "brand", "path": f"/{root}/{uid}/", "depth": 1, "created_at": now,
                                      "updated_at": now})
            units.append(uid)
        admin = _user(rows, tid, root, f"admin{ti}@bench.test", "tenant_admin", now)
        agents = [_user(rows, tid, root, f"agent{ti}.{k}@bench.test", "agent", now) for k in range(2)]
        team = new_id("team")
        rows["inbox_teams"].append({"id": team, "tenant_id": tid, "name": "Care", "description": "",
                                    "unit_ids": [root], "time_zone": "Europe/Berlin", "business_hours": hours,
                                    "holidays": ["2026-12-25"], "assignment": "manual", "created_at": now,
                                    "updated_at": now})
        for agent in agents:
            rows["inbox_team_members"].append({"team_id": team, "user_id": agent, "tenant_id": tid, "away": False,
                                               "added_at": now})
        rows["inbox_sla_policies"].append({"id": new_id("sla"), "tenant_id": tid, "name": "Standard",
                                           "team_id": None, "priority": None, "first_response_s": 3600,
                                           "resolution_s": 86400, "created_at": now, "updated_at": now})
        definitions = [
            {"match": "any", "conditions": [{"field": "text", "op": "contains_any", "value": ["refund", "billing"]}],
             "actions": [{"type": "set_priority", "priority": "high"}, {"type": "add_tags", "tags": ["billing"]},
                         {"type": "set_team", "team_id": team}], "stop": False},
            {"match": "all", "conditions": [{"field": "kind", "op": "in", "value": ["dm"]}],
             "actions": [{"type": "add_tags", "tags": ["dm"]}], "stop": False},
        ]
        for position, definition in enumerate(definitions):
            RuleDefinitionSchema().load(definition)  # a rule the API would accept
            rows["inbox_routing_rules"].append({"id": new_id("rrule"), "tenant_id": tid, "org_unit_id": None,
                                                "name": f"rule {position}", "position": position, "enabled": True,
                                                "definition": definition, "created_at": now, "updated_at": now})
        accounts = []
        for ai in range(ACCOUNTS // TENANTS):
            aid = new_id("acct")
            rows["social_accounts"].append({"id": aid, "tenant_id": tid, "org_unit_id": units[ai % 2],
                                            "network": NETWORK, "handle": f"bench_{ti}_{ai}", "display_name": "",
                                            "external_id": f"remote-{ti}-{ai}", "connection_state": "connected",
                                            "labels": [], "created_at": now, "updated_at": now})
            accounts.append(aid)
        world.append({"id": tid, "admin": admin, "accounts": accounts})
    _insert(rows)
    return world


Stream = list[tuple[float, int, str, dict[str, Any]]]


def make_stream(world: list[dict[str, Any]], n: int, rate: float, seed: int = 7) -> Stream:
    """``n`` items as (arrival offset s, tenant index, account id, item): half mentions (a fifth
    of them in one of 50 network threads per account), 30 % comments under 20 posts per account,
    20 % direct messages (a thread per person); 500 people per tenant; one in ten asks about
    billing."""
    rnd = random.Random(seed)
    stream = []
    for i in range(n):
        ti = rnd.randrange(TENANTS)
        account = rnd.choice(world[ti]["accounts"])
        person = f"p{ti}_{rnd.randrange(500)}"
        roll = rnd.random()
        item: dict[str, Any] = {"author": person, "followers": rnd.randrange(10, 100_000)}
        if roll < 0.5:
            item["kind"], item["id"] = "mention", f"m{i}"
            if rnd.random() < 0.2:
                item["thread"] = f"t{rnd.randrange(50)}"
        elif roll < 0.8:
            item["kind"], item["id"], item["root"] = "comment", f"c{i}", f"post{rnd.randrange(20)}"
        else:
            item["kind"], item["id"], item["thread"] = "dm", f"d{i}", f"dm-{person}"
        words = rnd.choices(WORDS, k=rnd.randrange(4, 16))
        if rnd.random() < 0.1:
            words.insert(rnd.randrange(len(words) + 1), rnd.choice(("refund", "billing")))
        item["text"] = " ".join(words)
        stream.append((i / rate, ti, account, item))
    return stream


def expected_conversations(stream: list[tuple[float, int, str, dict[str, Any]]]) -> int:
    keys = set()
    for _, _, account, item in stream:
        if item["kind"] == "dm":
            keys.add((account, f"dm:{item['thread']}"))
        elif item["kind"] == "comment":
            keys.add((account, f"post:{item['root']}"))
        else:
            keys.add((account, f"thread:{item['thread']}" if item.get("thread") else f"item:{item['id']}"))
    return len(keys)


# ----------------------------------------------------------------------------- feeding
def feed(stream: list[tuple[float, int, str, dict[str, Any]]], start: float, window: float, paced: bool) -> int:
    """Hand the stream to Herald: per window, one job per tenant with each account's items.
    ``paced``: a window is sent once its last item has arrived (arrival = start + offset);
    else as fast as the queue takes them. Returns how many jobs were queued."""
    from redis import Redis
    from rq import Queue

    q = Queue(QUEUE, connection=Redis.from_url(REDIS_URL))
    jobs = 0
    i = 0
    n = len(stream)
    w = 1
    while i < n:
        edge = w * window
        batch: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        while i < n and stream[i][0] < edge:
            offset, ti, account, item = stream[i]
            batch[ti][account].append({**item, "at": start + offset})
            i += 1
        if paced:
            delay = start + edge - time.time()
            if delay > 0:
                time.sleep(delay)
        with q.connection.pipeline() as pipe:
            for accounts in batch.values():
                q.enqueue("inbox_ingest.ingest_delivery", [[a, items] for a, items in accounts.items()],
                          result_ttl=0, failure_ttl=86400, pipeline=pipe)
                jobs += 1
            pipe.execute()
        w += 1
    return jobs


def _feed_process(stream: list[Any], window: float) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    feed(stream, time.time(), window, paced=False)


# ----------------------------------------------------------------------------- watching
class Watcher(threading.Thread):
    """Asks Herald's inbox view (each tenant's default view, as its admin) which of the arrived
    items it shows, over and over; keeps the instant each was first seen."""

    def __init__(self, world: list[dict[str, Any]], arrivals: list[tuple[float, int, str]]) -> None:
        super().__init__(daemon=True)
        self.world = world
        self.arrivals = arrivals  # (arrival instant, tenant index, remote id), in arrival order
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.passes = 0

    def run(self) -> None:
        from sqlalchemy import select

        from herald.authz.actor import Actor
        from herald.db import Database
        from herald.inbox import queries
        from herald.inbox.models import Conversation, InboxItem

        db = Database(_pg(DB_URL))
        actors = [Actor(t["admin"], t["id"], "bench admin") for t in self.world]
        pending: list[set[str]] = [set() for _ in self.world]
        nxt = 0
        while not self.stop.is_set():
            now = time.time()
            while nxt < len(self.arrivals) and self.arrivals[nxt][0] <= now:
                pending[self.arrivals[nxt][1]].add(self.arrivals[nxt][2])
                nxt += 1
            with db.transaction() as session:
                for ti, tenant in enumerate(self.world):
                    if not pending[ti]:
                        continue
                    convs = queries.select_conversations(session, actors[ti], tenant["id"], {}).with_only_columns(
                        Conversation.id)
                    found = session.execute(select(InboxItem.remote_id).where(
                        InboxItem.tenant_id == tenant["id"], InboxItem.remote_id.in_(list(pending[ti])),
                        InboxItem.conversation_id.in_(convs))).scalars().all()
                    at = time.time()
                    for remote_id in found:
                        self.seen[remote_id] = at
                        pending[ti].discard(remote_id)
            self.passes += 1
            if nxt >= len(self.arrivals) and not any(pending):
                break
            time.sleep(0.02)
        db.dispose()


# ----------------------------------------------------------------------------- the view
def bulk_load_view(tenant: dict[str, Any] | None, items: int, seed: int = 11) -> dict[str, Any]:
    """Add conversations (two items each) to the view tenant, created on first use: a root, 5
    regions of 4 brands, 5 accounts per brand, an agent on each region. Rows go in with COPY,
    shaped like ingest's (the item and its conversation; no timeline or events)."""
    import psycopg

    from herald.ids import new_id
    from herald.inbox.models import NOTHING_DUE

    now = datetime.now(UTC)
    rnd = random.Random(seed + items)
    if tenant is None:
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        tid, root = _tenant_rows(rows, "viewbench", now)
        regions, accounts_by_region = [], []
        for ri in range(5):
            rid = new_id("unit")
            rows["org_units"].append({"id": rid, "tenant_id": tid, "parent_id": root, "name": f"Region {ri}",
                                      "kind": "region", "path": f"/{root}/{rid}/", "depth": 1, "created_at": now,
                                      "updated_at": now})
            agent = _user(rows, tid, rid, f"region{ri}@view.test", "agent", now)
            accts = []
            for bi in range(4):
                bid = new_id("unit")
                rows["org_units"].append({"id": bid, "tenant_id": tid, "parent_id": rid, "name": f"Brand {ri}.{bi}",
                                          "kind": "brand", "path": f"/{root}/{rid}/{bid}/", "depth": 2,
                                          "created_at": now, "updated_at": now})
                for ai in range(5):
                    aid = new_id("acct")
                    rows["social_accounts"].append({"id": aid, "tenant_id": tid, "org_unit_id": bid,
                                                    "network": NETWORK, "handle": f"view_{ri}_{bi}_{ai}",
                                                    "display_name": "", "connection_state": "connected",
                                                    "labels": [], "created_at": now, "updated_at": now})
                    accts.append(aid)
            regions.append({"unit": rid, "agent": agent})
            accounts_by_region.append(accts)
        _insert(rows)
        tenant = {"id": tid, "regions": regions, "accounts": [a for r in accounts_by_region for a in r],
                  "authors": [], "items": 0}
    tid = tenant["id"]
    conn = psycopg.connect(DB_URL)
    new_authors = []
    if not tenant["authors"]:
        for k in range(50_000):
            new_authors.append((new_id("aut"), tid, NETWORK, f"va{k}", f"h_va{k}", f"Person {k}",
                                rnd.randrange(10, 100_000), None, "en", "[]", False, now, now))
        tenant["authors"] = [a[0] for a in new_authors]
    statuses = ["open"] * 30 + ["pending"] * 10 + ["resolved"] * 55 + ["spam"] * 5
    kinds = ["mention"] * 5 + ["comment"] * 3 + ["dm"] * 2
    span = 90 * 86400
    with conn.cursor() as cur:
        if new_authors:
            with cur.copy("COPY inbox_authors (id, tenant_id, network, remote_id, handle, display_name, followers, "
                          "verified, language, tags, spam, first_seen_at, last_seen_at) FROM STDIN") as cp:
                for row in new_authors:
                    cp.write_row(row)
        conv_cols = ("id, tenant_id, account_id, network, kind, thread_key, author_id, status, priority, team_id, "
                     "assignee_id, tags, language, sentiment, intent, preview, snoozed_until, item_count, "
                     "first_inbound_at, last_inbound_at, last_message_at, routing, sla_policy_id, sla_cycle, "
                     "sla_started_at, first_response_due_at, first_responded_at, resolution_due_at, sla_due_at, "
                     "urgency_at, sla_state, sla_check_at, sla_pauses, resolved_at, created_at, updated_at")
        item_cols = ("id, tenant_id, conversation_id, account_id, network, remote_id, kind, direction, author_id, "
                     "text, language, url, in_reply_to, root_id, thread_id, media, enrichment, source, created_at, "
                     "received_at, reply_id")
        base = tenant["items"]
        convs: list[tuple[Any, ...]] = []
        its: list[tuple[Any, ...]] = []
        for c in range(items // 2):
            seq = base + 2 * c
            cid, account, author = new_id("conv"), rnd.choice(tenant["accounts"]), rnd.choice(tenant["authors"])
            kind, status = rnd.choice(kinds), rnd.choice(statuses)
            first = now - timedelta(seconds=rnd.random() * span)
            last = first + timedelta(seconds=rnd.random() * 3600)
            text = " ".join(rnd.choices(WORDS, k=8))
            started, due = first, first + timedelta(hours=1)
            responded = first + timedelta(minutes=20) if status != "open" else None
            resolved = last if status == "resolved" else None
            convs.append((cid, tid, account, NETWORK, kind, f"item:v{seq}", author, status, "normal", None, None,
                          "[]", "en", None, None, text, None, 2, first, last, last, "[]", None, 1, started,
                          None if responded else due, responded, None if resolved else started + timedelta(days=1),
                          None if responded else due, due if status == "open" else NOTHING_DUE,
                          "on_track" if status == "open" else "met", None, "[]", resolved, first, last))
            for k, at in ((0, first), (1, last)):
                its.append((new_id("itm"), tid, cid, account, NETWORK, f"v{seq + k}", kind, "inbound", author, text,
                            "en", None, None, None, None, "[]", "{}", "poll", at, at, None))
            if len(convs) >= 20_000:
                _copy(cur, "inbox_conversations", conv_cols, convs)
                _copy(cur, "inbox_items", item_cols, its)
                convs, its = [], []
        _copy(cur, "inbox_conversations", conv_cols, convs)
        _copy(cur, "inbox_items", item_cols, its)
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("ANALYZE inbox_conversations")
        cur.execute("ANALYZE inbox_items")
        cur.execute("ANALYZE inbox_authors")
    conn.commit()
    conn.close()
    tenant["items"] = base + 2 * (items // 2)
    return tenant


def _copy(cur: Any, table: str, cols: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)


def measure_view(tenant: dict[str, Any], runs: int = 200) -> dict[str, float]:
    """The first page (50) of one region's open conversations, newest first, as its agent sees
    it — what ``GET /inbox/conversations?unit_id=…`` does: the tenant check, the filter, the
    keyset page, the reply leases."""
    from herald.api.pagination import paginate
    from herald.authz.actor import Actor
    from herald.authz.check import in_tenant
    from herald.db import Database
    from herald.inbox import queries, replies

    db = Database(_pg(DB_URL))
    columns, descending = queries.ORDERS["newest"]
    times = []
    shown = 0
    for r in range(runs + 10):
        region = tenant["regions"][r % len(tenant["regions"])]
        actor = Actor(region["agent"], tenant["id"], "region agent")
        t0 = time.perf_counter()
        with db.transaction() as session:
            in_tenant(session, actor, tenant["id"])
            stmt = queries.select_conversations(session, actor, tenant["id"],
                                                {"unit_id": region["unit"], "descendants": True})
            page = paginate(session, stmt, columns, 50, None, descending=descending)
            for conv in page.items:
                replies.lease_info(session, conv)
        if r >= 10:  # the first few warm the connection pool and the caches
            times.append(time.perf_counter() - t0)
            shown = len(page.items)
    db.dispose()
    q = statistics.quantiles(times, n=100)
    return {"p50_ms": round(q[49] * 1000, 2), "p99_ms": round(q[98] * 1000, 2), "rows": shown}


# ----------------------------------------------------------------------------- running
def _drain(q: Any, timeout: float) -> bool:
    from rq.registry import StartedJobRegistry

    started = StartedJobRegistry(queue=q)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if q.count == 0 and started.count == 0:
            return True
        time.sleep(0.2)
    return False


def run(n: int, rate: float, window: float, workers: int, view_sizes: list[int]) -> dict[str, Any]:
    from redis import Redis
    from rq import Queue
    from sqlalchemy import create_engine, func, select

    from herald.events.models import OutboxEvent
    from herald.inbox.models import Conversation, InboxItem, TimelineEntry

    conn = Redis.from_url(REDIS_URL)
    q = Queue(QUEUE, connection=conn)
    events_q = Queue(EVENTS_QUEUE, connection=conn)
    for queue in (q, events_q):
        queue.empty()
    conn.delete("herald-bench-inbox:retried")
    print(f"[ingest] preparing {TENANTS} tenants, {ACCOUNTS} accounts ...", flush=True)
    reset_database()
    world = prepare_world()
    stream = make_stream(world, n, rate)
    procs = [spawn_worker() for _ in range(workers)]
    time.sleep(4.0)  # the workers import Herald and connect
    start = time.time() + 1.0
    arrivals = [(start + offset, ti, item["id"]) for offset, ti, _, item in stream]
    watcher = Watcher(world, arrivals)
    print(f"[ingest] {workers} workers; {n:,} items at {rate:,.0f}/s, delivered every {window} s", flush=True)
    watcher.start()
    jobs = feed(stream, start, window, paced=True)
    fed_at = time.time()
    watcher.join(timeout=max(60.0, n / 200))
    watcher.stop.set()
    watcher.join(5)
    latency = sorted(watcher.seen[rid] - at for at, _, rid in arrivals if rid in watcher.seen)
    last_seen = max(watcher.seen.values(), default=start)
    invisible = n - len(latency)
    qs = statistics.quantiles(latency, n=100) if len(latency) > 1 else [0.0] * 99
    print(f"[ingest] visible: {len(latency):,}/{n:,}; p50 {qs[49]:.3f} s, p99 {qs[98]:.3f} s; "
          f"feeding took {fed_at - start:.1f} s", flush=True)
    _drain(q, 120)

    print("[replay] the whole stream twice more, from two processes at once ...", flush=True)
    t0 = time.time()
    feeders = [multiprocessing.Process(target=_feed_process, args=(stream, window)) for _ in range(2)]
    for f in feeders:
        f.start()
    for f in feeders:
        f.join()
    drained = _drain(q, max(120.0, n / 50))
    replay_s = time.time() - t0
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
    retried = int(conn.get("herald-bench-inbox:retried") or 0)
    failed = q.failed_job_registry.count
    events_queued = events_q.count

    engine = create_engine(_pg(DB_URL))
    tenant_ids = [t["id"] for t in world]
    with engine.connect() as c:
        rows = c.execute(select(InboxItem.remote_id).where(InboxItem.tenant_id.in_(tenant_ids))).scalars().all()
        timeline = c.execute(select(func.count()).select_from(TimelineEntry).where(
            TimelineEntry.tenant_id.in_(tenant_ids), TimelineEntry.kind == "message")).scalar()
        events = c.execute(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.tenant_id.in_(tenant_ids), OutboxEvent.type == "engagement.received")).scalar()
        conversations = c.execute(select(func.count()).select_from(Conversation).where(
            Conversation.tenant_id.in_(tenant_ids))).scalar()
        routed = c.execute(select(func.count()).select_from(Conversation).where(
            Conversation.tenant_id.in_(tenant_ids), Conversation.priority == "high")).scalar()
        timed = c.execute(select(func.count()).select_from(Conversation).where(
            Conversation.tenant_id.in_(tenant_ids), Conversation.sla_due_at.is_not(None))).scalar()
    engine.dispose()
    expected = {item["id"] for _, _, _, item in stream}
    found = set(rows)
    duplicates = (len(rows) - len(found)) + max(0, int(timeline or 0) - n) + max(0, int(events or 0) - n) + max(
        0, int(conversations or 0) - expected_conversations(stream))
    lost = len(expected - found)
    print(f"[replay] {replay_s:.1f} s ({'drained' if drained else 'NOT drained'}); items {len(rows):,}, "
          f"timeline messages {timeline:,}, engagement.received {events:,}, conversations {conversations:,} "
          f"(expected {expected_conversations(stream):,}); routed high {routed:,}, SLA running {timed:,}", flush=True)
    for queue in (q, events_q):
        queue.empty()

    views: dict[str, Any] = {}
    tenant = None
    loaded = 0
    for size in view_sizes:
        t1 = time.time()
        tenant = bulk_load_view(tenant, size - loaded)
        loaded = size
        print(f"[view] {size:,} items loaded in {time.time() - t1:.0f} s; measuring ...", flush=True)
        views[str(size)] = measure_view(tenant)
        print(f"[view] {size:,} items: {views[str(size)]}", flush=True)
    largest = views[str(view_sizes[-1])]
    return {
        "items": n, "offered_per_second": rate, "window_s": window, "workers": workers,
        "per_second": round(len(latency) / max(last_seen - start, 1e-9), 1),
        "p50_visible_s": round(qs[49], 3), "p99_visible_s": round(qs[98], 3),
        "max_visible_s": round(latency[-1], 3) if latency else None,
        "not_visible_in_time": invisible, "jobs": jobs, "watcher_passes": watcher.passes,
        "duplicates": duplicates, "lost": lost, "replay_s": round(replay_s, 1),
        "replay_items_per_s": round(2 * n / replay_s, 1), "retried_transactions": retried, "failed_jobs": failed,
        "events_queued": events_queued, "view_items": view_sizes[-1], "view_p50_ms": largest["p50_ms"],
        "view_p99_ms": largest["p99_ms"], "views": views,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5,000 items; the view over 100,000")
    parser.add_argument("--items", type=int, default=None)
    parser.add_argument("--rate", type=float, default=2000.0, help="items arriving per second")
    parser.add_argument("--window", type=float, default=0.25, help="seconds of items per delivery")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "3")))
    parser.add_argument("--role", choices=["bench", "worker"], default="bench", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "worker":
        run_worker()
        return
    n = args.items or (5_000 if args.quick else 20_000)
    views = [100_000] if args.quick else [100_000, 1_000_000]
    print(f"machine: {os.cpu_count()} CPUs; PostgreSQL {DB_URL.rsplit('@', 1)[-1]}; Redis {REDIS_URL}", flush=True)
    redis_get = anchor_redis_get()
    rq_noop = anchor_rq_noop()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the handler the anchor's RQ worker left behind
    print(f"anchors: redis-benchmark GET {redis_get:,.0f}/s; bare RQ SimpleWorker no-op {rq_noop:,.0f} jobs/s",
          flush=True)
    result = run(n, args.rate, args.window, args.workers, views)
    result.update(mode="quick" if args.quick else "full", anchor_redis_get_per_s=round(redis_get),
                  anchor_rq_noop_per_s=round(rq_noop))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
