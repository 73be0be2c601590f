"""A background thread that runs :func:`herald.events.dispatch.sweep` periodically; started by
``herald worker`` (and by ``herald serve`` in embedded mode, where the server runs the jobs)."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def start_sweeper(interval_s: float = 30.0) -> threading.Event:
    """Start the sweeper; set the returned event to stop it."""
    from herald.events.dispatch import sweep

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                found = sweep()
                if found:
                    log.warning("re-queued %d event(s) that were committed but never dispatched", found)
            except Exception:
                log.exception("outbox sweep failed; will try again")

    threading.Thread(target=loop, name="herald-outbox-sweeper", daemon=True).start()
    return stop
