"""Read-speed benchmark: the REST API's posts list and calendar, served as in production
(`herald serve --workers 2`, gunicorn gthread workers) on real PostgreSQL and Redis, loaded by
``wrk`` (Debian package ``wrk``) on the same machine.

One tenant with a unit tree (a root, 4 brands, 5 franchises each), 20 connected accounts and an
admin with an API token. Posts are loaded directly (one version and one publication each);
their creation times and planned instants spread over two years around now.

Measured, at each size (posts in the tenant):
  rps, p99_ms      the first page (50) of ``GET /posts`` and of ``GET /calendar`` (root with
                   descendants, the coming month), half of the requests each, 32 concurrent
                   clients for ``--seconds``
  anchor_rps       the same wrk run against a bare Flask endpoint on the same gunicorn
                   configuration (2 gthread workers, same threads): what this machine serves
                   before Herald adds anything
  calendar_p99_ms  one client, the calendar's first page, 200 times
  walk_1000_ms     one client, the first 1,000 calendar entries (five pages of 200)

    .venv/bin/python benchmarks/api_read.py --quick      # 10,000 and 100,000 posts (about 3 min)
    .venv/bin/python benchmarks/api_read.py              # 10,000, 100,000 and 1,000,000 posts

Environment: ``BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/herald_bench_api``; its schema is dropped and
recreated), ``BENCH_REDIS_URL`` (``redis://127.0.0.1:6379/9``), ``BENCH_THREADS`` (8 per
worker), ``BENCH_SERVER_LOG`` (a file the servers' output is appended to). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inbox_ingest as inbox_bench
import publish_dispatch as publishing_bench

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/herald_bench_api")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
WORKERS = 2
CLIENTS = 32
inbox_bench.DB_URL = DB_URL
SPAN = timedelta(days=730)


# ----------------------------------------------------------------------------- the anchor
def anchor_app() -> Any:
    """A bare Flask app: what gunicorn and Flask cost before Herald adds anything."""
    from flask import Flask, jsonify

    app = Flask("anchor")

    @app.get("/hello")
    def hello() -> Any:
        return jsonify(items=[], next_cursor=None)

    return app


# ----------------------------------------------------------------------------- set-up
def prepare_tenant() -> dict[str, Any]:
    """The tenant, its unit tree, accounts, admin and token (the token's secret is returned)."""
    from sqlalchemy import create_engine, insert

    from herald.auth.tokens import PREFIX, _digest
    from herald.db import Base
    from herald.ids import new_id

    now = datetime.now(UTC)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    tid, root = inbox_bench._tenant_rows(rows, "readbench", now)
    units = [root]
    for b in range(4):
        brand = new_id("unit")
        rows["org_units"].append({"id": brand, "tenant_id": tid, "parent_id": root, "name": f"Brand {b}",
                                  "kind": "brand", "path": f"/{root}/{brand}/", "depth": 1, "created_at": now,
                                  "updated_at": now})
        units.append(brand)
        for f in range(5):
            unit = new_id("unit")
            rows["org_units"].append({"id": unit, "tenant_id": tid, "parent_id": brand, "name": f"Franchise {b}.{f}",
                                      "kind": "franchise", "path": f"/{root}/{brand}/{unit}/", "depth": 2,
                                      "created_at": now, "updated_at": now})
            units.append(unit)
    admin = inbox_bench._user(rows, tid, root, "admin@readbench.test", "tenant_admin", now)
    accounts = []
    for a in range(20):
        aid = new_id("acct")
        rows["social_accounts"].append({"id": aid, "tenant_id": tid, "org_unit_id": units[1 + a % (len(units) - 1)],
                                        "network": "sandbox", "handle": f"read_{a}", "display_name": "",
                                        "external_id": f"remote-{a}", "connection_state": "connected",
                                        "labels": [], "created_at": now, "updated_at": now})
        accounts.append((aid, rows["social_accounts"][-1]["org_unit_id"]))
    inbox_bench._insert(rows)
    secret, token_id = secrets.token_urlsafe(32), new_id("tok")
    engine = create_engine(inbox_bench._pg(DB_URL))
    with engine.begin() as conn:
        conn.execute(insert(Base.metadata.tables["api_tokens"]),
                     [{"id": token_id, "user_id": admin, "tenant_id": tid, "name": "bench",
                       "secret_hash": _digest(secret), "created_at": now, "kind": "personal"}])
    engine.dispose()
    return {"id": tid, "root": root, "admin": admin, "accounts": accounts, "now": now,
            "token": f"{PREFIX}.{token_id}.{secret}", "posts": 0}


def load_posts(tenant: dict[str, Any], upto: int, seed: int = 5) -> None:
    """Add posts (one version, one publication each) until the tenant holds ``upto``."""
    import random

    import psycopg

    from herald.ids import new_id

    rnd = random.Random(seed + tenant["posts"])
    start, now = tenant["now"] - SPAN / 2, tenant["now"]
    with psycopg.connect(DB_URL) as conn, conn.cursor() as cur:
        while tenant["posts"] < upto:
            n = min(20_000, upto - tenant["posts"])
            posts, versions, pubs = [], [], []
            for _ in range(n):
                pid = new_id("post")
                account, unit = rnd.choice(tenant["accounts"])
                created = start + timedelta(seconds=rnd.uniform(0, SPAN.total_seconds() / 2))
                planned = start + timedelta(seconds=rnd.uniform(0, SPAN.total_seconds()))
                state = "published" if planned < now else "scheduled"
                content = json.dumps({"title": f"Post {pid[-6:]}", "variants": [
                    {"network": None, "text": f"Read benchmark post {pid}", "media": []}], "tags": [], "notes": ""})
                posts.append((pid, tenant["id"], unit, "post", "published" if state == "published" else "scheduled",
                              tenant["admin"], 1, 1, created, created))
                versions.append((new_id("pver"), pid, 1, tenant["admin"], content, "[]", created))
                pubs.append((new_id("pub"), tenant["id"], pid, account, "sandbox", "*/-", state, planned,
                             planned.strftime("%Y-%m-%dT%H:%M"), "UTC", planned if state == "scheduled" else None,
                             0, 0, "[]", "{}", planned if state == "published" else None, created, created))
            inbox_bench._copy(cur, "posts", "id, tenant_id, org_unit_id, purpose, status, author_id, current_version, "
                              "approved_version, created_at, updated_at", posts)
            inbox_bench._copy(cur, "post_versions", "id, post_id, number, author_id, content, changes, created_at",
                              versions)
            inbox_bench._copy(cur, "publications", "id, tenant_id, post_id, account_id, network, variant_key, state, "
                              "scheduled_at, local_time, time_zone, due_at, attempt_count, transient_failures, "
                              "extra_ids, lookup_hints, published_at, created_at, updated_at", pubs)
            conn.commit()
            tenant["posts"] += n
        cur.execute("ANALYZE")
        conn.commit()


# ----------------------------------------------------------------------------- servers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, path: str, headers: dict[str, str], timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path, headers=headers)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer {path} with 200 within {timeout} s")


def start_herald(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": DB_URL, "REDIS_URL": REDIS_URL, "HERALD_SECRET_KEY": "bench",
           "HERALD_ENCRYPTION_KEYS": publishing_bench.bench_key()}
    herald = os.path.join(os.path.dirname(sys.executable), "herald")
    return subprocess.Popen([herald, "serve", "--workers", str(WORKERS), "--threads", str(THREADS),
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=_server_log())


def _server_log() -> Any:
    """Where the servers' output goes: ``BENCH_SERVER_LOG`` (appended), else nowhere."""
    path = os.environ.get("BENCH_SERVER_LOG")
    return open(path, "ab") if path else subprocess.DEVNULL


def start_anchor(port: int) -> subprocess.Popen[bytes]:
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--threads", str(THREADS),
                             "-k", "gthread", "-b", f"127.0.0.1:{port}", "api_read:anchor_app()"],
                            cwd=here, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


# ----------------------------------------------------------------------------- load
WRK_SCRIPT = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def wrk(port: int, paths: list[str], token: str | None, seconds: int) -> dict[str, float]:
    """``wrk`` with CLIENTS connections, the paths in turn; rps and latency percentiles."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    script = f"/tmp/herald-bench-api-{os.getpid()}.lua"
    with open(script, "w") as fh:
        fh.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    cmd = [binary, "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds}s", "--latency", "-s", script]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    os.unlink(script)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            raise SystemExit(f"wrk printed no {label} latency:\n{out}")
        return round(float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)], 2)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),  # type: ignore[union-attr]
            "p50_ms": ms("50%"), "p99_ms": ms("99%"), "non_2xx": int(errors.group(1)) if errors else 0}


def one_client(port: int, path: str, token: str, runs: int) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for r in range(runs + 10):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if r >= 10:
            times.append(time.perf_counter() - t0)
    q = statistics.quantiles(times, n=100)
    return {"p50_ms": round(q[49] * 1000, 2), "p99_ms": round(q[98] * 1000, 2)}


def walk(port: int, path: str, token: str, items: int) -> dict[str, float]:
    """The first ``items`` entries, page after page (200 each); the best of five walks."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    best, seen = float("inf"), 0
    for _ in range(5):
        t0, cursor, seen = time.perf_counter(), None, 0
        while seen < items:
            conn.request("GET", path + "&limit=200" + (f"&cursor={cursor}" if cursor else ""),
                         headers={"Authorization": f"Bearer {token}"})
            body = json.loads(conn.getresponse().read())
            seen += len(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        best = min(best, time.perf_counter() - t0)
    return {"ms": round(best * 1000, 1), "items": seen}


def run(sizes: list[int], seconds: int) -> dict[str, Any]:
    print(f"[api] schema and tenant in {DB_URL.rsplit('@', 1)[-1]} ...", flush=True)
    inbox_bench.reset_database()
    tenant = prepare_tenant()
    month = tenant["now"].replace(hour=0, minute=0, second=0, microsecond=0)
    base = f"/api/v1/tenants/{tenant['id']}"
    posts_path = f"{base}/posts?limit=50"
    calendar_path = f"{base}/calendar?" + urlencode({
        "org_unit_id": tenant["root"], "descendants": "true", "from": month.isoformat(),
        "to": (month + timedelta(days=31)).isoformat(), "limit": 50})
    anchor_port = _free_port()
    anchor = start_anchor(anchor_port)
    try:
        _wait_up(anchor_port, "/hello", {})
        anchor_run = wrk(anchor_port, ["/hello"], None, seconds)
    finally:
        _stop(anchor)
    print(f"[api] anchor (bare Flask, {WORKERS} gunicorn workers × {THREADS} threads): {anchor_run}", flush=True)
    results = []
    for size in sizes:
        print(f"[api] loading to {size:,} posts ...", flush=True)
        load_posts(tenant, size)
        port = _free_port()
        server = start_herald(port)
        try:
            headers = {"Authorization": f"Bearer {tenant['token']}"}
            _wait_up(port, posts_path, headers)
            mixed = wrk(port, [posts_path, calendar_path], tenant["token"], seconds)
            posts_only = wrk(port, [posts_path], tenant["token"], max(5, seconds // 2))
            calendar_only = wrk(port, [calendar_path], tenant["token"], max(5, seconds // 2))
            single = one_client(port, calendar_path, tenant["token"], 200)
            walked = walk(port, calendar_path.replace("&limit=50", ""), tenant["token"], 1000)
        finally:
            _stop(server)
        row = {"posts": size, "mixed": mixed, "posts_list": posts_only, "calendar": calendar_only,
               "calendar_one_client": single, "walk_1000": walked}
        print(f"[api] {json.dumps(row)}", flush=True)
        results.append(row)
    last = results[-1]
    first_size = next((r for r in results if r["posts"] >= 100_000), results[-1])
    return {"rps": first_size["mixed"]["rps"], "p99_ms": first_size["mixed"]["p99_ms"],
            "anchor_rps": anchor_run["rps"], "anchor_p99_ms": anchor_run["p99_ms"],
            "calendar_p99_ms": first_size["calendar_one_client"]["p99_ms"],
            "calendar_p99_ms_largest": last["calendar_one_client"]["p99_ms"],
            "walk_1000_ms": first_size["walk_1000"]["ms"], "workers": WORKERS, "threads": THREADS,
            "clients": CLIENTS, "sizes": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 posts, 10-second runs")
    parser.add_argument("--seconds", type=int, default=None, help="seconds per wrk run")
    parser.add_argument("--sizes", default=None, help="posts in the tenant, comma-separated (e.g. 10000,50000)")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    if args.sizes:
        sizes = sorted(int(s) for s in args.sizes.split(","))
    seconds = args.seconds or (10 if args.quick else 20)
    print(f"machine: {os.cpu_count()} CPUs; PostgreSQL {DB_URL.rsplit('@', 1)[-1]}; Redis {REDIS_URL}", flush=True)
    result = run(sizes, seconds)
    result["mode"] = "quick" if args.quick else "full"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
