"""Installing a test helper's npm packages once, even with several test processes.

``npm ci`` empties ``node_modules`` before it installs, so two test processes (pytest-xdist)
installing the same folder at once would pull the packages from under each other. The install
runs under an exclusive lock on a file in the folder; whoever gets the lock second finds the
packages there and installs nothing."""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path


def npm_ci_once(directory: Path, installed: Path, *, timeout: float = 600) -> str | None:
    """Run ``npm ci`` in ``directory`` unless ``installed`` (a file or folder it creates) is there;
    returns npm's error output when it failed, else None."""
    if installed.exists():
        return None
    with (directory / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if installed.exists():
                return None
            done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=directory, capture_output=True,
                                  text=True, timeout=timeout)
            if done.returncode != 0 or not installed.exists():
                return done.stderr[-2000:] or f"npm ci gave {done.returncode}"
            return None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
