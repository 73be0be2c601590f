"""A delivery holding several accounts' pages is taken in in one transaction: each page is
stored as it would be alone, the tenant's configuration and the authors are read once for the
whole delivery, and a bad item only affects its own page."""

from __future__ import annotations

import threading

from inbox_support import mention
from sqlalchemy import event, func, select

from herald.inbox.ingest import ingest_pages
from herald.inbox.models import Conversation, InboxAuthor, InboxItem
from herald.tenancy.models import SocialAccount

REFUND_RULE = {"match": "any", "conditions": [{"field": "text", "op": "contains_any", "value": ["refund"]}],
               "actions": [{"type": "set_priority", "priority": "high"}]}


def _deliver(w, pages):  # type: ignore[no-untyped-def]
    with w.rt.db.transaction() as s:
        return ingest_pages(s, [(s.get(SocialAccount, w.accounts[unit]), items) for unit, items in pages],
                            source="webhook")


def _statements(rt, run):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    caller = threading.get_ident()  # not the background jobs the delivery queued (embedded queue)

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if threading.get_ident() == caller and not statement.startswith("BEGIN"):  # SQLite's writer lock
            seen.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)
    return result, seen


def test_each_page_of_a_delivery_is_stored_threaded_and_routed_as_if_alone(inbox_world):
    w = inbox_world
    assert w.admin.post(w.url("routing-rules"), {"name": "Refunds", "definition": REFUND_RULE}).status_code == 201
    results = _deliver(w, [
        ("tea", [mention("a refund please", author="ann", kind="dm", thread="dm-ann"),
                 mention("and soon", author="ann", kind="dm", thread="dm-ann")]),
        ("coffee", [mention("love it", author="bob"), mention("me too", author="cy", kind="comment", root="p1")]),
        ("espresso", [mention("refund!", author="ann")]),
    ])
    assert [len(r.stored) for r in results] == [2, 2, 1]  # in the order of the pages
    assert [len(r.conversations) for r in results] == [1, 2, 1]
    with w.rt.db.transaction() as s:
        by_account = {a: sorted((c.kind, c.item_count, c.priority) for c in s.scalars(
            select(Conversation).where(Conversation.account_id == a))) for a in w.accounts.values()}
        authors = s.scalars(select(InboxAuthor.remote_id).order_by(InboxAuthor.remote_id)).all()
    assert by_account[w.accounts["tea"]] == [("dm", 2, "high")]
    assert by_account[w.accounts["coffee"]] == [("comment", 1, "normal"), ("mention", 1, "normal")]
    assert by_account[w.accounts["espresso"]] == [("mention", 1, "high")]
    assert authors == ["ann", "bob", "cy"]  # ann wrote on two accounts of the tenant: one author


def test_a_replayed_delivery_stores_nothing_twice(inbox_world):
    w = inbox_world
    pages = [("tea", [mention("hello", author="ann", kind="dm", thread="dm-ann")]),
             ("coffee", [mention("hi", author="bob"), mention("hey", author="bob")])]
    first = _deliver(w, pages)
    second = _deliver(w, pages)
    assert [len(r.stored) for r in first] == [1, 2]
    assert [r.stored for r in second] == [[], []] and [r.duplicates for r in second] == [1, 2]
    with w.rt.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(InboxItem)).scalar() == 3


def test_the_configuration_is_read_once_for_the_whole_delivery(inbox_world):
    w = inbox_world
    w.admin.post(w.url("routing-rules"), {"name": "Refunds", "definition": REFUND_RULE})

    def delivery(tag: str, n: int, per_page: int = 2):  # type: ignore[no-untyped-def]
        units = ["coffee", "espresso", "tea"][:n]  # new people each time, as in a stream of new items
        return [(unit, [mention(f"refund for {unit} {i}", author=f"{tag}.{unit}{i}") for i in range(per_page)])
                for unit in units]

    w.run_jobs()
    _, one = _statements(w.rt, lambda: _deliver(w, delivery("a", 1)))
    _, three = _statements(w.rt, lambda: _deliver(w, delivery("b", 3)))
    _, bigger = _statements(w.rt, lambda: _deliver(w, delivery("c", 3, per_page=7)))

    def reads(statements: list[str], table: str) -> int:
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s)

    for table in ("inbox_routing_rules", "inbox_sla_policies", "inbox_teams", "inbox_authors"):
        assert reads(three, table) == reads(one, table) <= 1, table
    # per account, a fixed handful of statements (the page's conversations and items), never per item
    assert len(bigger) == len(three), "\n".join(bigger)


def test_a_bad_item_only_affects_its_own_page(inbox_world):
    w = inbox_world
    results = _deliver(w, [("coffee", [mention("fine", author="a"), "not a mention"]),  # type: ignore[list-item]
                           ("tea", [mention("also fine", author="c")])])
    assert [(len(r.stored), r.rejected) for r in results] == [(1, 1), (1, 0)]
