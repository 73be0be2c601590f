"""Scheduling approved posts: wall-clock times in IANA zones kept across daylight-saving
changes, the approval gate on every path, rescheduling, unscheduling, cancelling, posting
slots, and the calendar with its filters."""

from __future__ import annotations

from datetime import UTC, datetime

from publishing_support import world_fixture  # noqa: F401  (the world fixture)

from herald.content.models import Post


def _schedule(w, post_id, user="publisher", **when):  # type: ignore[no-untyped-def]
    return w.users[user].post(w.url(f"posts/{post_id}/schedule"), when)


def test_nine_oclock_in_tokyo_is_planned_as_nine_oclock_tokyo_time(world):
    w = world
    post_id = w.post("fake_coffee")
    r = _schedule(w, post_id, local_time="2026-04-10T09:00", time_zone="Asia/Tokyo")
    assert r.status_code == 201, r.get_json()
    (pub,) = r.get_json()["publications"]
    assert pub["scheduled_at"].startswith("2026-04-10T00:00:00")  # Tokyo is UTC+9, no DST
    assert (pub["local_time"], pub["time_zone"], pub["state"]) == ("2026-04-10T09:00", "Asia/Tokyo", "scheduled")
    assert r.get_json()["status"] == "scheduled"


def test_a_london_post_keeps_its_wall_clock_time_on_both_sides_of_the_clock_change(world):
    w = world  # it is February: London is on GMT (UTC+0) now
    before, after = w.post("fake_coffee"), w.post("fake_dubai")
    r1 = _schedule(w, before, local_time="2026-03-27T09:00", time_zone="Europe/London")
    r2 = _schedule(w, after, local_time="2026-03-30T09:00", time_zone="Europe/London")
    assert r1.get_json()["publications"][0]["scheduled_at"].startswith("2026-03-27T09:00:00")  # GMT
    assert r2.get_json()["publications"][0]["scheduled_at"].startswith("2026-03-30T08:00:00")  # BST = UTC+1
    assert r2.get_json()["publications"][0]["local_time"] == "2026-03-30T09:00"


def test_a_skipped_or_repeated_wall_clock_time_is_refused_unless_disambiguated(world):
    w = world
    post_id = w.post("fake_coffee")
    gap = _schedule(w, post_id, local_time="2026-03-29T01:30", time_zone="Europe/London")
    assert gap.status_code == 422 and "skipped" in gap.get_json()["errors"]["local_time"][0]
    twice = _schedule(w, post_id, local_time="2026-10-25T01:30", time_zone="Europe/London")
    assert twice.status_code == 422 and "fold" in twice.get_json()["errors"]
    second = _schedule(w, post_id, local_time="2026-10-25T01:30", time_zone="Europe/London", fold=1)
    assert second.status_code == 201
    assert second.get_json()["publications"][0]["scheduled_at"].startswith("2026-10-25T01:30:00")  # GMT again


def test_bad_times_get_precise_errors(world):
    w = world
    post_id = w.post("fake_coffee")
    assert "time_zone" in _schedule(w, post_id, local_time="2026-04-10T09:00").get_json()["errors"]
    bad_zone = _schedule(w, post_id, local_time="2026-04-10T09:00", time_zone="Mars/Olympus")
    assert bad_zone.status_code == 422 and "IANA" in bad_zone.get_json()["errors"]["time_zone"][0]
    past = _schedule(w, post_id, at="2026-01-01T00:00:00Z")
    assert past.status_code == 422 and "passed" in past.get_json()["errors"]["at"][0]
    both = _schedule(w, post_id, at="2026-05-01T00:00:00Z", local_time="2026-05-01T09:00", time_zone="UTC")
    assert both.status_code == 422
    assert w.status(post_id) == "approved"


def test_only_approved_current_versions_pass_the_gate_on_every_scheduling_path(world):
    w = world
    draft = w.post("fake_coffee", approve=False)
    pub = w.users["publisher"]
    assert _schedule(w, draft, at="2026-05-01T09:00:00Z").status_code == 409
    assert pub.post(w.url(f"posts/{draft}/publish"), {}).status_code == 409
    edited = w.post("fake_coffee")
    assert _schedule(w, edited, at="2026-05-01T09:00:00Z").status_code == 201
    w.edit(edited, "Changed after approval")
    # the edit invalidated the approval: review starts again and nothing stays scheduled
    assert w.status(edited) == "in_review" and w.pub(edited).state == "cancelled"
    again = pub.request("PUT", w.url(f"posts/{edited}/schedule"), json={"at": "2026-05-02T09:00:00Z"})
    assert again.status_code == 409 and "in review" in again.get_json()["detail"]
    assert pub.post(w.url(f"posts/{edited}/publish"), {}).status_code == 409
    # and the engine's own last check, should an approval be withdrawn under a due publication
    late = w.post("fake_coffee")
    assert _schedule(w, late, at="2026-05-01T09:00:00Z").status_code == 201
    with w.rt.db.transaction() as s:
        s.get(Post, late).approved_version = None
    w.clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    w.drive()
    p = w.pub(late)
    assert p.state == "needs_attention" and "approved" in p.last_error and w.net.count("publish") == 0
    retry = pub.post(w.url(f"publications/{p.id}/retry"), {})
    assert retry.status_code == 409


def test_bulk_scheduling_passes_each_post_through_the_gate(world):
    w = world
    approved, draft, edited = w.post("fake_coffee"), w.post("fake_coffee", approve=False), w.post("fake_dubai")
    w.edit(edited, "Changed after approval")
    r = w.users["publisher"].post(w.url("posts/bulk-schedule"), {"post_ids": [approved, draft, edited],
                                                                 "local_time": "2026-04-10T09:00",
                                                                 "time_zone": "Asia/Tokyo"})
    assert r.status_code == 200, r.get_json()
    results = {x["post_id"]: x for x in r.get_json()["results"]}
    assert results[approved]["ok"] and results[approved]["status"] == "scheduled"
    assert not results[draft]["ok"] and "only approved posts" in results[draft]["problem"]["detail"]
    assert not results[edited]["ok"] and "in review" in results[edited]["problem"]["detail"]  # edit: approval gone
    assert [w.status(p) for p in (approved, draft)] == ["scheduled", "draft"] and w.pubs(edited) == []


def test_scheduling_needs_the_schedule_permission_and_other_tenants_see_nothing(world, seed, api):
    w = world
    post_id = w.post("fake_coffee")
    assert _schedule(w, post_id, user="editor", at="2026-05-01T09:00:00Z").status_code == 403
    assert _schedule(w, post_id, user="viewer", at="2026-05-01T09:00:00Z").status_code == 403
    other = seed.tenant("other")
    _, token = seed.user(other, "boss@other.test", [("tenant_admin", "root")])
    stranger = api(token)
    assert stranger.post(f"tenants/{w.tenant.id}/posts/{post_id}/schedule",
                         {"at": "2026-05-01T09:00:00Z"}).status_code == 404
    assert stranger.get(f"tenants/{other.id}/calendar?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z"
                        ).get_json()["items"] == []


def test_reschedule_moves_and_unschedule_cancels_what_is_waiting(world):
    w = world
    post_id = w.post("fake_coffee", "fake_dubai")
    _schedule(w, post_id, at="2026-05-01T09:00:00Z")
    r = w.users["publisher"].request("PUT", w.url(f"posts/{post_id}/schedule"),
                                     json={"local_time": "2026-05-03T10:00", "time_zone": "Asia/Dubai"})
    assert r.status_code == 200, r.get_json()
    assert {p["scheduled_at"][:19] for p in r.get_json()["publications"]} == {"2026-05-03T06:00:00"}
    gone = w.users["publisher"].delete(w.url(f"posts/{post_id}/schedule"))
    assert gone.status_code == 200
    assert {p["state"] for p in gone.get_json()["publications"]} == {"cancelled"}
    assert gone.get_json()["status"] == "approved"
    history = w.admin.get(w.url(f"posts/{post_id}/history")).get_json()["items"]
    assert [e["action"] for e in history][-3:] == ["post.scheduled", "post.rescheduled", "post.unscheduled"]


def test_cancelling_one_publication_keeps_the_others(world):
    w = world
    post_id = w.post("fake_coffee", "fake_dubai")
    _schedule(w, post_id, at="2026-05-01T09:00:00Z")
    dubai = w.pub(post_id, "fake_dubai")
    r = w.users["publisher"].post(w.url(f"publications/{dubai.id}/cancel"))
    assert r.status_code == 200 and r.get_json()["state"] == "cancelled"
    w.clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    w.drive()
    assert w.pub(post_id, "fake_coffee").state == "published"
    assert w.pub(post_id, "fake_dubai").state == "cancelled"
    assert w.net.calls == [("publish", w.accounts["fake_coffee"])]
    assert w.status(post_id) == "published"
    assert w.users["publisher"].post(w.url(f"publications/{dubai.id}/cancel")).status_code == 409


def test_next_free_slot_takes_each_accounts_first_untaken_slot(world):
    w = world
    acct = w.accounts["fake_coffee"]
    r = w.admin.request("PUT", w.url(f"social-accounts/{acct}/slots"),
                        json={"slots": [{"weekday": 1, "time": "09:30"}, {"weekday": 3, "time": "18:00"}]})
    assert r.status_code == 200 and r.get_json()["time_zone"] == "UTC"
    first, second, third = w.post("fake_coffee"), w.post("fake_coffee"), w.post("fake_dubai")
    a = _schedule(w, first, slot="next").get_json()["publications"][0]
    b = _schedule(w, second, slot="next").get_json()["publications"][0]
    assert a["scheduled_at"][:16] == "2026-02-03T09:30"  # Tuesday after Monday T0
    assert b["scheduled_at"][:16] == "2026-02-05T18:00"  # Thursday: Tuesday's slot is taken
    none = _schedule(w, third, slot="next")
    assert none.status_code == 422 and "no posting slots" in none.get_json()["detail"]
    bad = w.admin.request("PUT", w.url(f"social-accounts/{acct}/slots"), json={"slots": [{"weekday": 7,
                                                                                            "time": "25:00"}]})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]["slots"]["0"]) == {"weekday", "time"}


def test_the_calendar_filters_and_shows_times_in_the_planned_and_the_viewers_zone(world, herald_runtime):
    w = world
    from herald.people.models import User

    with herald_runtime.db.transaction() as s:
        s.get(User, w.user_ids["manager"]).time_zone = "America/New_York"
    a = w.post("fake_coffee", campaign="spring")
    b = w.post("fake_dubai", campaign="summer", unit="dubai")
    d = w.post("blind_coffee", campaign="summer")
    c = w.post("fake_tea", as_user="tea_editor", unit="tea")
    _schedule(w, a, local_time="2026-04-10T09:00", time_zone="Asia/Tokyo")
    _schedule(w, b, at="2026-04-12T12:00:00Z")
    _schedule(w, d, at="2026-04-12T13:00:00Z")
    w.admin.post(w.url(f"posts/{c}/schedule"), {"at": "2026-04-11T12:00:00Z"})
    _schedule(w, w.post("fake_coffee"), at="2026-06-01T12:00:00Z")  # outside the range

    def cal(user="admin", **q):  # type: ignore[no-untyped-def]
        client = w.admin if user == "admin" else w.users[user]
        params = "&".join(f"{k}={v}" for k, v in {"from": "2026-04-01T00:00:00Z", "to": "2026-05-01T00:00:00Z",
                                                   **q}.items())
        r = client.get(w.url(f"calendar?{params}"))
        assert r.status_code == 200, r.get_json()
        return r.get_json()["items"]

    everything = cal()
    assert [e["post_id"] for e in everything] == [a, c, b, d]  # in time order
    assert {e["post_id"] for e in cal(campaign="summer")} == {b, d}
    assert [e["network"] for e in cal(network="blind")] == ["blind"]
    assert {e["post_id"] for e in cal(account_id=w.accounts["fake_dubai"])} == {b}
    assert {e["post_id"] for e in cal(author_id=w.user_ids["tea_editor"])} == {c}
    assert {e["post_id"] for e in cal(org_unit_id=w.tenant.units["coffee"].id, descendants="false")} == {a, d}
    assert {e["post_id"] for e in cal(org_unit_id=w.tenant.units["dubai"].id)} == {b}
    assert cal(status="published") == []
    mine = cal(user="manager")  # the coffee manager does not see tea
    assert {e["post_id"] for e in mine} == {a, b, d}
    tokyo = next(e for e in mine if e["post_id"] == a)
    assert (tokyo["planned_local_time"], tokyo["planned_time_zone"]) == ("2026-04-10T09:00", "Asia/Tokyo")
    assert (tokyo["viewer_local_time"], tokyo["viewer_time_zone"]) == ("2026-04-09T20:00", "America/New_York")
    page = w.admin.get(w.url("calendar?from=2026-04-01T00:00:00Z&to=2026-05-01T00:00:00Z&limit=2")).get_json()
    rest = w.admin.get(w.url(f"calendar?from=2026-04-01T00:00:00Z&to=2026-05-01T00:00:00Z&limit=2"
                             f"&cursor={page['next_cursor']}")).get_json()
    assert [e["publication_id"] for e in page["items"] + rest["items"]] == [e["publication_id"] for e in everything]
    bad = w.admin.get(w.url("calendar?from=2026-05-01T00:00:00Z&to=2026-04-01T00:00:00Z"))
    assert bad.status_code == 422 and "to" in bad.get_json()["errors"]
    assert w.admin.get(w.url("calendar?from=2026-04-01T00:00:00&to=2026-05-01T00:00:00Z")).status_code == 422
