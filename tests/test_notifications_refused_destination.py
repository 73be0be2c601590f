"""A notifier whose destination the operator's outbound policy refuses is not retried: the
refusal is permanent until the operator changes the policy, so the delivery is logged and
dropped once, and the other channels still deliver."""

from __future__ import annotations

import logging
import types

from sqlalchemy import select

from herald.notifications.models import InAppNotification
from herald.notifications.notifier import Notification
from herald.notifications.send import send
from herald.plugins import Notifier, OutboundRefused, hookimpl


def _refusing_notifier(calls: list[str]) -> types.ModuleType:
    mod = types.ModuleType("refusing_notifier")

    class Refused(Notifier):
        key = "refused_chat"

        def notify(self, notification: Notification) -> None:
            calls.append(notification.title)
            raise OutboundRefused("The chat server 10.0.0.7:443 is an internal address; Herald does not "
                                  "connect there.")

    @hookimpl
    def herald_notifiers():  # type: ignore[no-untyped-def]
        return [Refused]

    mod.herald_notifiers = herald_notifiers  # type: ignore[attr-defined]
    mod.HERALD_HOOK_API = "1.0"  # type: ignore[attr-defined]
    mod.HERALD_DEFAULT_ENABLED = True  # type: ignore[attr-defined]
    return mod


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_refused_destination_is_tried_once_and_never_retried(seed, herald_runtime, run_jobs, register_plugin):
    calls: list[str] = []
    register_plugin(_refusing_notifier(calls), "refusing_notifier")
    t = seed.tenant("acme")
    user, _ = seed.user(t, "someone@acme.test")
    records, logger = _Records(), logging.getLogger("herald.notifications.send")
    logger.addHandler(records)
    try:
        with herald_runtime.db.transaction() as s:
            assert send(s, Notification(t.id, user.id, "someone@acme.test", "test.kind", "hello")) >= 2
        assert run_jobs() == 0  # nothing failed for good
    finally:
        logger.removeHandler(records)
    assert calls == ["hello"]
    assert any("internal address" in m for m in records.messages)
    with herald_runtime.db.transaction() as s:  # the in-app channel delivered regardless
        assert s.scalars(select(InAppNotification.title).where(InAppNotification.recipient_id == user.id)).all() \
            == ["hello"]
