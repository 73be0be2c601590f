"""Notifications leave only with the change they announce: queued when the transaction
commits, dropped when it rolls back."""

from __future__ import annotations

from sqlalchemy import select

from herald.notifications.models import InAppNotification
from herald.notifications.notifier import Notification
from herald.notifications.send import send


def _note(tenant_id: str, user_id: str, title: str) -> Notification:
    return Notification(tenant_id, user_id, "someone@acme.test", "test.kind", title)


def test_a_notification_is_delivered_after_its_transaction_commits(seed, herald_runtime, run_jobs):
    t = seed.tenant("acme")
    user, _ = seed.user(t, "someone@acme.test")
    with herald_runtime.db.transaction() as s:
        assert send(s, _note(t.id, user.id, "kept")) >= 1
    run_jobs()
    with herald_runtime.db.transaction() as s:
        titles = list(s.execute(select(InAppNotification.title).where(InAppNotification.recipient_id == user.id))
                      .scalars())
    assert titles == ["kept"]


def test_a_rolled_back_change_notifies_nobody(seed, herald_runtime, run_jobs):
    t = seed.tenant("acme")
    user, _ = seed.user(t, "someone@acme.test")
    s = herald_runtime.db.session()
    try:
        send(s, _note(t.id, user.id, "never happened"))
        s.rollback()
    finally:
        s.close()
    run_jobs()
    with herald_runtime.db.transaction() as s:
        count = len(s.execute(select(InAppNotification.id).where(InAppNotification.recipient_id == user.id)).all())
    assert count == 0
