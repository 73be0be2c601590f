"""The README's run command: `herald init --demo` then `herald serve` gives a working Herald
with the demo tenant (two brands, four social accounts, five people in different roles, a
three-step workflow and posts in every state of review)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent / "herald"


def _env(rt) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": rt.settings.database_url,
        "HERALD_ENCRYPTION_KEYS": ",".join(rt.settings.encryption_keys),
        "HERALD_SECRET_KEY": rt.settings.secret_key,
        "HERALD_INSTANCE_PATH": str(rt.settings.instance_path),
    })
    if rt.settings.redis_url:
        env["REDIS_URL"] = rt.settings.redis_url
        env["HERALD_QUEUE"] = rt.settings.queue_name
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url: str, body: dict | None = None, token: str | None = None) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def wait_for_health(base: str, tries: int = 150) -> dict:
    """``/health`` of a server that is starting, once it answers."""
    for _ in range(tries):
        try:
            return _call(base + "/health")
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{base} did not answer /health")


def test_init_demo_then_serve_gives_the_demo_tenant(herald_runtime):
    env = _env(herald_runtime)
    first = subprocess.run([str(BIN), "init", "--demo"], env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "bootstrap API token" in first.stdout and "demo tenant 'demo' created" in first.stdout
    again = subprocess.run([str(BIN), "init", "--demo"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "bootstrap" not in again.stdout  # idempotent: nothing twice

    port = _free_port()
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for_health(base)["status"] == "ok"
        login = _call(base + "/api/v1/auth/password",
                      {"tenant": "demo", "email": "admin@demo.example", "password": "herald-demo-password"})
        token = login["token"]
        tenant = _call(base + "/api/v1/tenants", token=token)["items"]
        assert [t["slug"] for t in tenant] == ["demo"]
        tid = tenant[0]["id"]
        units = _call(base + f"/api/v1/tenants/{tid}/org-units", token=token)["items"]
        assert sorted(u["kind"] for u in units) == ["brand", "brand", "company", "franchise"]
        accounts = _call(base + f"/api/v1/tenants/{tid}/social-accounts", token=token)["items"]
        assert len(accounts) == 7 and {a["network"] for a in accounts} == {"x", "instagram", "sandbox"}
        posts = _call(base + f"/api/v1/tenants/{tid}/posts?limit=100", token=token)["items"]
        assert sorted(p["status"] for p in posts if "demo" in p["content"]["tags"]) == [
            "approved", "changes_requested", "draft", "in_review", "in_review", "rejected", "scheduled"]
        wf = _call(base + f"/api/v1/tenants/{tid}/org-units/{units[0]['id']}/workflow", token=token)
        assert [s["name"] for s in wf["steps"]] == ["Editorial review", "Legal", "Manager sign-off"]
        welcome = next(p["id"] for p in posts if "demo" not in p["content"]["tags"])
        if "REDIS_URL" not in env:  # embedded: `herald serve` runs the scheduler and the jobs itself
            for _ in range(100):
                status = _call(base + f"/api/v1/tenants/{tid}/posts/{welcome}/publications", token=token)["status"]
                if status == "published":
                    break
                time.sleep(0.1)
            assert status == "published"
            feed = urllib.request.urlopen(urllib.request.Request(
                base + f"/console/x/network_sandbox/{tid}/", headers={"Authorization": f"Bearer {token}"}), timeout=10)
            assert "Hello from Herald!" in feed.read().decode()
            # the inbox sweeper polls the sandbox: customers' messages arrive, routed by the demo's rules
            convs: list[dict[str, object]] = []
            for _ in range(150):
                convs = _call(base + f"/api/v1/tenants/{tid}/inbox/conversations?limit=100", token=token)["items"]
                if len(convs) >= 20:
                    break
                time.sleep(0.1)
            assert len(convs) >= 20
            assert {"billing", "lead"} <= {tag for c in convs for tag in c["tags"]}  # type: ignore[attr-defined]
            assert any(c["priority"] == "urgent" for c in convs) and all(c["team_id"] for c in convs)
        users = _call(base + f"/api/v1/tenants/{tid}/users", token=token)["items"]
        grants = _call(base + f"/api/v1/tenants/{tid}/grants", token=token)["items"]
        assert len(users) == 7  # five in publishing, two inbox agents
        assert len({g["role_key"] for g in grants}) == 6
        verify = subprocess.run([str(BIN), "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
        assert verify.returncode == 0 and "TAMPERED" not in verify.stdout
    finally:
        server.terminate()
        server.wait(10)
