"""`herald serve --workers N` serves with gunicorn: N worker processes under one master, each
with its own runtime, answering the API; the embedded stack refuses more than one process with
the reason (its jobs and scheduler run inside its one process)."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

from test_demo import BIN, _env, _free_port, wait_for_health


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_more_than_one_process_is_served_by_gunicorn_on_the_services_stack(herald_runtime):
    env = _env(herald_runtime)
    assert subprocess.run([str(BIN), "init"], env=env, capture_output=True, timeout=120).returncode == 0
    port = _free_port()
    command = [str(BIN), "serve", "--port", str(port), "--workers", "2", "--threads", "2"]
    if "REDIS_URL" not in env:
        refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "needs REDIS_URL" in refused.stderr
        return
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for_health(base)["status"] == "ok"
        workers = []
        for _ in range(50):  # gunicorn starts its workers one after the other
            workers = _children(server.pid)
            if len(workers) == 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2, workers
        for _ in range(20):  # every answer comes from one of the two, each with its own database pool
            with urllib.request.urlopen(base + "/health", timeout=10) as resp:
                assert resp.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert server.returncode == 0, output
    assert "2 processes × 2 threads, gunicorn" in output
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]  # the workers stopped with it
