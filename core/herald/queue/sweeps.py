"""Background sweeps: a function run every few seconds in a daemon thread of ``herald serve``
(embedded) or ``herald worker``, a failure logged and tried again at the next turn."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def start_sweep(name: str, tick: Callable[[], Any], interval_s: float) -> threading.Event:
    """Run ``tick`` every ``interval_s`` in a thread named ``herald-<name>-sweeper``; set the
    returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                tick()
            except Exception:
                log.exception("%s sweep failed; will try again", name)

    threading.Thread(target=loop, name=f"herald-{name}-sweeper", daemon=True).start()
    return stop
