""""Waiting for my decision": exactly the posts whose current step the person may decide (what
the approval engine checks when they decide), read with the same statements for one waiting
post as for many."""

from __future__ import annotations

from approvals_world import THREE_STEPS, build_world
from sqlalchemy import select
from test_list_statement_counts import counted, still_clock  # noqa: F401  (time stands still)

from herald.approvals.engine import step_eligible
from herald.approvals.models import ApprovalRun
from herald.content.models import Post


def _waiting(world, who):  # type: ignore[no-untyped-def]
    r = world.clients[who].get(f"tenants/{world.tid}/approvals/waiting")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def _expected(rt, world, who):  # type: ignore[no-untyped-def]
    with rt.db.transaction() as s:
        rows = s.execute(select(Post, ApprovalRun).join(ApprovalRun, ApprovalRun.post_id == Post.id).where(
            ApprovalRun.tenant_id == world.tid, ApprovalRun.status == "active")).all()
        return {post.id for post, run in rows if world.ids[who] in step_eligible(s, post, run, run.current_step)}


def test_each_person_waits_for_exactly_the_posts_they_may_decide(seed, api, register_plugin, herald_runtime):
    world = build_world(seed, api, register_plugin)
    world.workflow(THREE_STEPS, unit="coffee")  # tea has none: the implicit workflow (posts.approve) applies
    posts = [world.create(who=who, unit=unit, account=account)["id"]
             for who, unit, account in [("creator", "coffee", "coffee"), ("creator2", "coffee", "coffee"),
                                        ("editor", "coffee", "coffee"), ("creator", "coffee", "pharma"),
                                        ("tea_editor", "tea", "tea"), ("manager", "tea", "tea")]]
    for post_id in posts:
        author = next(w for w, i in world.ids.items() if world.post(post_id)["author_id"] == i)
        assert world.submit(post_id, author).status_code == 200
    assert world.decide(posts[0], "editor").status_code in (200, 201)  # now at Legal
    assert world.decide(posts[1], "editor2").status_code in (200, 201)
    assert world.decide(posts[1], "legal").status_code in (200, 201)  # now at the manager's sign-off
    people = [w for w in world.clients if w != "viewer"]
    seen = {}
    for who in people:
        seen[who] = {item["post_id"] for item in _waiting(world, who)}
        assert seen[who] == _expected(herald_runtime, world, who), who
    assert posts[0] in seen["legal"] and posts[0] not in seen["editor"]  # decided once, not again
    assert posts[2] not in seen["editor"]  # the author never decides
    assert posts[2] in seen["editor2"]
    assert posts[1] in seen["manager"]  # the manager's sign-off, after the editor and legal
    # the implicit workflow on tea: whoever holds posts.approve there or above, never the author
    assert posts[5] not in seen["manager"] and posts[5] not in seen["tea_editor"]
    assert posts[4] in seen["manager"]
    assert _waiting(world, "viewer") == []


def test_the_waiting_list_costs_the_same_statements_for_one_post_and_for_twelve(seed, api, register_plugin,
                                                                                herald_runtime, run_jobs):
    world = build_world(seed, api, register_plugin)
    world.workflow(THREE_STEPS)
    first = world.create()["id"]
    assert world.submit(first).status_code == 200
    _waiting(world, "editor")  # warm
    assert run_jobs() == 0  # the notifications of the submission are sent before counting
    with counted(herald_runtime) as one:
        assert len(_waiting(world, "editor")) == 1
    for i in range(11):
        post_id = world.create(text=f"Post {i}")["id"]
        assert world.submit(post_id).status_code == 200
    assert run_jobs() == 0
    with counted(herald_runtime) as twelve:
        items = _waiting(world, "editor")
    assert len(items) == 12 and {i["title"] for i in items} == {"Launch"}
    assert len(twelve) == len(one), "\n".join(twelve)
