"""The listening volume view at size: 1,000,000 hits across 100 queries (10,000 each, over 90
days), seeded into a PostgreSQL bench database with set-based inserts (``generate_series``),
then the view's own function timed for one query over 90 days, per hour, day and week, in a zone
with a half-hour offset (Asia/Kolkata).

    .venv/bin/python benchmarks/listening.py            # 1,000,000 hits
    .venv/bin/python benchmarks/listening.py --hits 100000

``BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/herald_bench_listening``;
the schema is dropped and recreated). The last line printed is one JSON object."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from herald.db.migrate import upgrade
from herald.listening import volume

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/herald_bench_listening")
QUERIES = 100
DAYS = 90


def _reset(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    upgrade(url)


def seed(url: str, hits: int, end: datetime) -> float:
    started = time.perf_counter()
    engine = create_engine(url)
    per_query = hits // QUERIES
    span_s = DAYS * 86400
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO tenants (id, slug, name, status, default_time_zone, default_locale, "
                          "created_at, updated_at) VALUES ('ten_bench', 'bench', 'Bench', 'active', "
                          "'UTC', 'en', now(), now())"))
        conn.execute(text("INSERT INTO org_units (id, tenant_id, name, kind, path, depth, created_at, updated_at) "
                          "VALUES ('unit_bench', 'ten_bench', 'Root', 'other', '/unit_bench/', 0, now(), now())"))
        conn.execute(text(
            "INSERT INTO listening_queries (id, tenant_id, org_unit_id, name, text, exclusions, ast, networks, "
            "account_ids, owner_ids, enabled, cadence_s, compiled, next_run_at, alert_state, created_at, updated_at) "
            "SELECT 'lq_' || q, 'ten_bench', 'unit_bench', 'Q' || q, 'coffee', '[]', "
            "'{\"t\":\"word\",\"v\":\"coffee\"}', '[]', '[]', '[]', true, 900, '{}', now(), '{}', now(), now() "
            "FROM generate_series(1, :n) q"), {"n": QUERIES})
        conn.execute(text(
            "INSERT INTO listening_hits (id, tenant_id, network, remote_id, text, language, created_at, "
            "received_at, enrichment, sentiment_label, author_handle, author_followers) "
            "SELECT 'lh_' || i, 'ten_bench', 'x', i::text, 'coffee post ' || i, 'en', "
            "CAST(:end AS timestamptz) - make_interval(secs => (i::bigint * 7919) % :span), now(), '{}', "
            "(ARRAY['positive','neutral','negative','mixed'])[1 + i % 4], 'author' || (i % 5000), i % 100000 "
            "FROM generate_series(1, :hits) i"), {"end": end, "span": span_s, "hits": per_query * QUERIES})
        conn.execute(text(
            "INSERT INTO listening_hit_queries (query_id, hit_id, tenant_id, created_at, sentiment_label, found_at) "
            "SELECT 'lq_' || (1 + i % :q), h.id, h.tenant_id, h.created_at, h.sentiment_label, now() "
            "FROM listening_hits h, LATERAL (SELECT substr(h.id, 4)::bigint AS i) n"), {"q": QUERIES})
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE listening_hit_queries"))
    engine.dispose()
    return time.perf_counter() - started


def time_view(url: str, end: datetime, repeats: int = 7) -> dict[str, float]:
    engine = create_engine(url)
    out: dict[str, float] = {}
    with Session(engine) as session:
        for bucket in ("hour", "day", "week"):
            spans = []
            for _ in range(repeats):
                started = time.perf_counter()
                found = volume.series(session, "lq_7", end - timedelta(days=DAYS), end, bucket, "Asia/Kolkata")
                spans.append(time.perf_counter() - started)
            assert sum(b["total"] for b in found) > 0  # type: ignore[misc]
            out[f"{bucket}_median_ms"] = round(statistics.median(spans[1:]) * 1000, 1)
            out[f"{bucket}_max_ms"] = round(max(spans[1:]) * 1000, 1)
        plan = session.execute(text(
            "EXPLAIN SELECT date_trunc('day', timezone('Asia/Kolkata', created_at)), sentiment_label, count(*) "
            "FROM listening_hit_queries WHERE query_id = 'lq_7' AND created_at >= now() - interval '90 days' "
            "GROUP BY 1, 2")).scalars().all()
    engine.dispose()
    out["index_only"] = any("Index Only Scan" in line for line in plan)  # type: ignore[assignment]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=1_000_000)
    args = parser.parse_args()
    end = datetime.now(UTC).replace(microsecond=0)
    _reset(URL)
    seeded = seed(URL, args.hits, end)
    result = {"hits": args.hits, "queries": QUERIES, "days": DAYS, "seed_s": round(seeded, 1), **time_view(URL, end)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
