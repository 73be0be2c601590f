"""Publishing dispatch benchmark: real PostgreSQL + Redis/RQ + `herald worker`-style processes
against a fake network (an HTTP server on loopback answering every publish after 50 ms).

Scenarios (``--scenario``):
  uniform  10,000 publications due over one minute across 200 accounts
  burst    10,000 publications due within one second
  crash    uniform, while a worker is SIGKILLed mid-publish 20 times (and restarted)
  --quick  1,000 publications uniform over 10 seconds

Measured at the fake network: lateness = when the publish request arrived − the planned
instant (never negative = never early); duplicates = extra posts for one publication; lost =
publications not published when the run ends. Anchors: ``redis-benchmark`` GET rate and a bare
RQ SimpleWorker no-op job rate on this machine. The last line printed is one JSON object.

    .venv/bin/python benchmarks/publish_dispatch.py --scenario uniform
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/herald_bench BENCH_REDIS_URL=redis://127.0.0.1:6379/9 ...
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/herald_bench_publishing")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
QUEUE = "herald-bench"
LATENCY_S = 0.05


# ----------------------------------------------------------------------------- the fake network
def serve_network(port_q: Any, latency: float) -> None:
    """A network: POST /posts creates (after ``latency``), GET /posts?marker= looks up,
    GET /stats tells what exists. Arrival times are recorded before the latency. HTTP/1.1 with
    keep-alive on asyncio, so that the stand-in for a remote network costs the machine little."""
    import asyncio

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not RQ's handler inherited from the anchor run
    posts: dict[str, list[tuple[str, float]]] = {}
    counter = [0]
    reasons = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found"}

    async def answer(method: str, target: str, body: bytes, arrived: float) -> tuple[int, Any]:
        url = urlparse(target)
        if method == "POST" and url.path == "/posts":
            marker = json.loads(body)["marker"]
            await asyncio.sleep(latency)
            counter[0] += 1
            remote_id = f"n{counter[0]}"
            posts.setdefault(marker, []).append((remote_id, arrived))
            return 201, {"id": remote_id}
        if method == "GET" and url.path == "/stats":
            return 200, posts
        if method == "GET" and url.path == "/posts":
            marker = parse_qs(url.query).get("marker", [""])[0]
            await asyncio.sleep(latency)
            found = posts.get(marker)
            return (200, {"id": found[0][0]}) if found else (404, {})
        return 400, {"error": f"no route {method} {url.path}"}

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrived = time.time()
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                status, payload = await answer(method, target, body, arrived)
                raw = json.dumps(payload).encode()
                writer.write(f"HTTP/1.1 {status} {reasons[status]}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(raw)}\r\n\r\n".encode() + raw)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", 0, backlog=4096)
        port_q.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


# ----------------------------------------------------------------------------- the connector plugin
def bench_plugin() -> object:
    from marshmallow import Schema, fields

    from herald.plugins import (
        Capabilities,
        ConnectedAccount,
        NetworkConnector,
        PluginSettings,
        PublishRequest,
        PublishResult,
        TransientError,
        UncertainOutcome,
        hookimpl,
    )

    local = threading.local()

    def conn(base: str) -> http.client.HTTPConnection:
        c = getattr(local, "conn", None)
        if c is None:
            u = urlparse(base)
            c = local.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            c.connect()
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return c

    def call_http_client(base: str, method: str, path: str, body: dict[str, Any] | None,
                         sent: list[bool]) -> tuple[int, Any]:
        c = conn(base)
        try:
            c.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                      headers={"Content-Type": "application/json"})
            sent[0] = True
            resp = c.getresponse()
            return resp.status, json.loads(resp.read() or b"{}")
        except OSError:
            local.conn = None
            c.close()
            raise

    def call_socket(base: str, method: str, path: str, body: dict[str, Any] | None,
                    sent: list[bool]) -> tuple[int, Any]:
        """The same exchange on a kept-alive socket with just enough HTTP/1.1 for this network
        (Content-Length bodies): a fifth of http.client's CPU on this machine."""
        wire = getattr(local, "wire", None)
        if wire is None:
            u = urlparse(base)
            wire = socket.create_connection((u.hostname, u.port), timeout=10)
            wire.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            local.wire, local.buf = wire, b""
        raw = json.dumps(body).encode() if body is not None else b""
        try:
            wire.sendall(f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(raw)}\r\n\r\n".encode() + raw)
            sent[0] = True
            buf = local.buf
            while b"\r\n\r\n" not in buf:
                chunk = wire.recv(65536)
                if not chunk:
                    raise ConnectionResetError("the network closed the connection")
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            while len(rest) < length:
                chunk = wire.recv(65536)
                if not chunk:
                    raise ConnectionResetError("the network closed the connection")
                rest += chunk
            local.buf = rest[length:]
            return int(head[9:12]), json.loads(rest[:length] or b"{}")
        except OSError:
            local.wire = None
            wire.close()
            raise

    call = call_http_client if os.environ.get("BENCH_CLIENT") == "http.client" else call_socket

    class BenchConnector(NetworkConnector):
        key = "bench"
        display_name = "Bench"
        capabilities = Capabilities(max_text_length=1000, supports_lookup=True)

        def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
            sent = [False]
            try:
                _, body = call(self.settings["api_base_url"], "POST", "/posts",
                                    {"marker": request.publication_id, "text": request.text}, sent)
            except OSError as exc:
                if sent[0]:
                    raise UncertainOutcome(f"no answer after sending: {exc}") from exc
                raise TransientError(f"could not connect: {exc}") from exc
            return PublishResult(remote_id=body["id"])

        def find_published(self, account: ConnectedAccount, request: PublishRequest,
                           not_before: datetime) -> PublishResult | None:
            try:
                status, body = call(self.settings["api_base_url"], "GET", f"/posts?marker={request.publication_id}",
                                    None, [False])
            except OSError as exc:
                raise UncertainOutcome(f"lookup failed: {exc}") from exc
            return PublishResult(remote_id=body["id"]) if status == 200 else None

    class Settings(Schema):
        api_base_url = fields.String(load_default="http://127.0.0.1:1")

    class Plugin:
        HERALD_HOOK_API = "1.0"
        HERALD_DEFAULT_ENABLED = True

        @staticmethod
        @hookimpl
        def herald_network_connectors() -> list[type[NetworkConnector]]:
            return [BenchConnector]

        @staticmethod
        @hookimpl
        def herald_plugin_settings() -> PluginSettings:
            return PluginSettings(Settings)

    return Plugin()


# ----------------------------------------------------------------------------- worker processes
def bench_key() -> str:
    """The instance's encryption key (the accounts' tokens are sealed with it), one per run."""
    from cryptography.fernet import Fernet

    key = os.environ.get("BENCH_KEY") or Fernet.generate_key().decode()
    os.environ["BENCH_KEY"] = key
    return key


def worker_env() -> dict[str, str]:
    key = bench_key()
    return {**os.environ, "DATABASE_URL": DB_URL, "REDIS_URL": REDIS_URL, "HERALD_QUEUE": QUEUE,
            "HERALD_ENCRYPTION_KEYS": key, "HERALD_SECRET_KEY": "bench",
            "HERALD_PUBLISH_POLL_S": "0.1"}


def run_worker() -> None:
    """What `herald worker` does, plus registering the bench network plugin."""
    from rq import SimpleWorker

    from herald.config import Settings
    from herald.publishing.executor import close_lanes, open_lanes
    from herald.publishing.liveness import start_worker_heartbeat
    from herald.publishing.scheduler import start_scheduler
    from herald.runtime import build_runtime

    rt = build_runtime(Settings.from_env())
    rt.plugins.register(bench_plugin(), "bench_network")
    start_worker_heartbeat(rt)
    start_scheduler(rt)
    open_lanes()
    try:
        SimpleWorker([rt.queue.queue], connection=rt.queue.connection).work(  # type: ignore[attr-defined]
            logging_level="WARNING")
    finally:
        close_lanes()


def spawn_worker() -> subprocess.Popen[bytes]:
    """A worker process; its log goes to ``BENCH_WORKER_LOG`` (appended) when that is set."""
    log = os.environ.get("BENCH_WORKER_LOG")
    err = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    return subprocess.Popen([sys.executable, __file__, "--role", "worker"], env=worker_env(),
                            stdout=subprocess.DEVNULL, stderr=err)


# ----------------------------------------------------------------------------- set-up
def prepare_database(n: int, accounts: int, network_url: str, start: datetime, spread_s: float) -> None:
    from sqlalchemy import create_engine, insert, text

    from herald.audit.models import AuditChain  # noqa: F401
    from herald.content.models import Post, PostVersion
    from herald.db.migrate import upgrade
    from herald.ids import new_id
    from herald.people.models import User
    from herald.plugin_host.crypto import SecretBox
    from herald.plugin_host.models import TenantPlugin
    from herald.publishing.models import AccountCredential, Publication
    from herald.tenancy.models import OrgUnit, SocialAccount, Tenant
    from herald.testing.backends import _ensure_database, _pg_url

    url = _pg_url(DB_URL)
    _ensure_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    tenants = max(1, accounts // 10)
    now = datetime.now(UTC)
    box = SecretBox((bench_key(),))
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("t", "u", "usr", "tp", "a", "c", "p", "v", "pub")}
    acct_ids: list[tuple[str, str, str]] = []
    for ti in range(tenants):
        tid, uid, usr = new_id("ten"), new_id("unit"), new_id("usr")
        rows["t"].append({"id": tid, "slug": f"bench{ti}", "name": f"Bench {ti}", "status": "active",
                          "default_locale": "en", "default_time_zone": "UTC", "created_at": now, "updated_at": now})
        rows["u"].append({"id": uid, "tenant_id": tid, "parent_id": None, "name": "Root", "kind": "company",
                          "path": f"/{uid}/", "depth": 0, "created_at": now, "updated_at": now})
        rows["usr"].append({"id": usr, "tenant_id": tid, "email": f"bench{ti}@bench.test", "display_name": "Bench",
                            "status": "active", "is_operator": False, "created_at": now, "updated_at": now})
        rows["tp"].append({"id": new_id("tpl"), "tenant_id": tid, "plugin": "bench_network", "enabled": True,
                           "settings": {"api_base_url": network_url}, "secrets": None, "updated_at": now})
        for ai in range(accounts // tenants):
            aid = new_id("acct")
            rows["a"].append({"id": aid, "tenant_id": tid, "org_unit_id": uid, "network": "bench",
                              "handle": f"bench_{ti}_{ai}", "display_name": "", "connection_state": "connected",
                              "labels": [], "created_at": now, "updated_at": now})
            # a connected account: its OAuth tokens sealed, as the connect flow leaves them
            rows["c"].append({"account_id": aid, "tenant_id": tid, "updated_at": now, "sealed_tokens": box.seal(
                {"access_token": f"at-{aid}", "refresh_token": f"rt-{aid}", "expires_at": None, "scope": None,
                 "extra": {}})})
            acct_ids.append((tid, uid, aid))
    authors = {u["tenant_id"]: u["id"] for u in rows["usr"]}
    for i in range(n):
        tid, uid, aid = acct_ids[i % len(acct_ids)]
        pid = new_id("post")
        due = start + timedelta(seconds=spread_s * i / n)
        author = authors[tid]
        rows["p"].append({"id": pid, "tenant_id": tid, "org_unit_id": uid, "campaign": None, "status": "scheduled",
                          "author_id": author, "current_version": 1, "approved_version": 1,
                          "created_at": now, "updated_at": now})
        rows["v"].append({"id": new_id("pver"), "post_id": pid, "number": 1, "author_id": author,
                          "content": {"title": "", "targets": [aid], "variants": [{"network": None, "language": None,
                                                                                 "text": f"bench {i}"}]},
                          "changes": [], "created_at": now})
        rows["pub"].append({"id": new_id("pub"), "tenant_id": tid, "post_id": pid, "account_id": aid,
                            "network": "bench", "variant_key": "*/-", "state": "scheduled", "scheduled_at": due,
                            "local_time": due.strftime("%Y-%m-%dT%H:%M"), "time_zone": "UTC", "due_at": due,
                            "attempt_count": 0, "transient_failures": 0, "extra_ids": [], "created_at": now,
                            "updated_at": now})
    with engine.begin() as conn:
        for key, model in (("t", Tenant), ("u", OrgUnit), ("usr", User), ("tp", TenantPlugin), ("a", SocialAccount),
                           ("c", AccountCredential), ("p", Post), ("v", PostVersion), ("pub", Publication)):
            for i in range(0, len(rows[key]), 2000):
                conn.execute(insert(model), rows[key][i:i + 2000])
    engine.dispose()


# ----------------------------------------------------------------------------- anchors
def anchor_redis_get() -> float:
    u = urlparse(REDIS_URL)
    out = subprocess.run(["redis-benchmark", "-h", u.hostname or "127.0.0.1", "-p", str(u.port or 6379),
                          "-t", "get", "-n", "100000", "-q"], capture_output=True, text=True, timeout=120).stdout
    for line in reversed(out.replace("\r", "\n").splitlines()):
        if line.startswith("GET:") and "requests per second" in line:
            return float(line.split()[1])
    return 0.0


def anchor_rq_noop(n: int = 2000) -> float:
    from redis import Redis
    from rq import Queue, SimpleWorker

    conn = Redis.from_url(REDIS_URL)
    q = Queue("herald-bench-anchor", connection=conn)
    q.empty()
    for i in range(n):
        q.enqueue("json.dumps", i, result_ttl=0)
    t0 = time.perf_counter()
    SimpleWorker([q], connection=conn).work(burst=True, logging_level="ERROR")
    rate = n / (time.perf_counter() - t0)
    q.delete(delete_jobs=True)
    return rate


# ----------------------------------------------------------------------------- running
def run(scenario: str, n: int, spread_s: float, workers: int, kills: int) -> dict[str, Any]:
    from redis import Redis
    from rq import Queue
    from sqlalchemy import create_engine, func, select

    from herald.publishing.models import Publication, PublicationAttempt
    from herald.testing.backends import _pg_url

    Queue(QUEUE, connection=Redis.from_url(REDIS_URL)).empty()
    port_q: Any = multiprocessing.Queue()
    net = multiprocessing.Process(target=serve_network, args=(port_q, LATENCY_S), daemon=True)
    net.start()
    network_url = f"http://127.0.0.1:{port_q.get(timeout=10)}"
    lead = 12.0  # time for the workers to start before the first publication is due
    start = datetime.now(UTC) + timedelta(seconds=lead + n / 5000)
    print(f"[{scenario}] preparing {n} publications across 200 accounts ...", flush=True)
    prepare_database(n, 200, network_url, start, spread_s)
    procs = [spawn_worker() for _ in range(workers)]
    print(f"[{scenario}] {workers} workers started; first due at {start.isoformat()}", flush=True)
    killed = 0
    last_kill = None
    engine = create_engine(_pg_url(DB_URL))
    # wait for everything (a slow machine drains late rather than losing anything), within reason
    deadline = start + timedelta(seconds=spread_s + max(150 if kills else 90, n / 15))
    kill_every = spread_s / max(kills, 1)
    next_kill = start + timedelta(seconds=kill_every / 2)
    try:
        while datetime.now(UTC) < deadline:
            time.sleep(0.25)
            if kills and killed < kills and datetime.now(UTC) >= next_kill:
                victim = random.randrange(len(procs))
                os.kill(procs[victim].pid, signal.SIGKILL)  # mid-publish: it always has calls in flight
                procs[victim].wait()
                procs[victim] = spawn_worker()
                killed += 1
                last_kill = time.time()
                next_kill += timedelta(seconds=kill_every)
            with engine.connect() as conn:
                left = conn.execute(select(func.count()).select_from(Publication).where(
                    Publication.state.in_(("scheduled", "publishing")))).scalar()
            if not left and datetime.now(UTC) > start + timedelta(seconds=spread_s) and killed >= kills:
                break
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    c = http.client.HTTPConnection("127.0.0.1", int(network_url.rsplit(":", 1)[1]), timeout=30)
    c.request("GET", "/stats")
    remote: dict[str, list[list[Any]]] = json.loads(c.getresponse().read())
    net.terminate()
    with engine.connect() as conn:
        rows = conn.execute(select(Publication.id, Publication.scheduled_at, Publication.state)).all()
        # a worker killed mid-call leaves an open attempt; how long until that publication was out
        crashed = conn.execute(select(Publication.published_at, PublicationAttempt.started_at).join(
            PublicationAttempt, PublicationAttempt.publication_id == Publication.id).where(
            PublicationAttempt.outcome == "uncertain")).all()
    engine.dispose()
    lateness = []
    duplicates = sum(len(v) - 1 for v in remote.values())
    lost = 0
    for pub_id, scheduled_at, state in rows:
        made = remote.get(pub_id)
        if state != "published" or not made:
            lost += 1
            continue
        lateness.append(min(t for _, t in made) - scheduled_at.timestamp())
    lateness.sort()
    q = statistics.quantiles(lateness, n=100) if len(lateness) > 1 else [0.0] * 99
    first_due = min(r[1] for r in rows).timestamp()
    last_made = max((t for v in remote.values() for _, t in v), default=first_due)
    return {
        "scenario": scenario, "publications": n, "p50_s": round(q[49], 3), "p99_s": round(q[98], 3),
        "min_lateness_s": round(lateness[0], 3) if lateness else None,
        "per_second": round(len(lateness) / max(last_made - first_due, 1e-9), 1),
        "duplicates": duplicates, "lost": lost, "kills": killed,
        "interrupted": len(crashed),
        # from the start of the interrupted call to the publication being recorded as published
        "recovered_within_s": round(max(((done - started).total_seconds() for done, started in crashed if done),
                                        default=0.0), 1) if last_kill else None,
        "max_lateness_s": round(lateness[-1], 3) if lateness else None, "workers": workers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["uniform", "burst", "crash"], default="uniform")
    parser.add_argument("--quick", action="store_true", help="1,000 publications uniform over 10 s")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "3")))
    parser.add_argument("--role", choices=["bench", "worker"], default="bench", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "worker":
        run_worker()
        return
    if args.quick:
        scenario, n, spread, kills = "quick", 1000, 10.0, 0
    else:
        scenario = args.scenario
        n, spread = 10_000, (1.0 if scenario == "burst" else 60.0)
        kills = 20 if scenario == "crash" else 0
    print(f"machine: {os.cpu_count()} CPUs; PostgreSQL {DB_URL.rsplit('@', 1)[-1]}; Redis {REDIS_URL}", flush=True)
    redis_get = anchor_redis_get()
    rq_noop = anchor_rq_noop()
    print(f"anchors: redis-benchmark GET {redis_get:,.0f}/s; bare RQ SimpleWorker no-op {rq_noop:,.0f} jobs/s",
          flush=True)
    result = run(scenario, n, spread, args.workers, kills)
    result.update(anchor_redis_get_per_s=round(redis_get), anchor_rq_noop_per_s=round(rq_noop))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
