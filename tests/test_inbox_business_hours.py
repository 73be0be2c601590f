"""Business hours: SLA clocks counted in a team's local week, with holidays, DST and pauses."""

from __future__ import annotations

import time as perf
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herald.inbox.business_hours import NEVER_OPEN, BusinessHours, due_at, elapsed_excluding

RIYADH = ZoneInfo("Asia/Riyadh")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
HOUR = 3600.0

OFFICE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
SAUDI_WEEK = {d: [["09:00", "17:00"]] for d in ("sun", "mon", "tue", "wed", "thu")}
NIGHTS = {d: [["22:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def at(tz: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=tz)


# -- the local week ----------------------------------------------------------------------------------


def test_friday_evening_message_in_riyadh_is_due_on_sunday() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    friday_evening = at(RIYADH, 2026, 6, 5, 19, 30)  # a Friday
    assert friday_evening.isoweekday() == 5

    due = hours.add(friday_evening, 4 * HOUR)

    assert due == at(RIYADH, 2026, 6, 7, 13, 0)  # Sunday 13:00
    assert due.tzinfo is UTC
    assert hours.elapsed(friday_evening, due) == 4 * HOUR
    assert not hours.is_open(friday_evening)
    assert hours.next_open(friday_evening) == at(RIYADH, 2026, 6, 7, 9, 0)


def test_target_used_up_at_closing_time_is_due_at_closing_not_next_opening() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    assert hours.add(at(RIYADH, 2026, 6, 4, 9), 8 * HOUR) == at(RIYADH, 2026, 6, 4, 17)


def test_zero_seconds_at_a_closed_instant_is_start_itself() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    friday = at(RIYADH, 2026, 6, 5, 12)
    assert hours.add(friday, 0) == friday
    assert hours.elapsed(friday, friday) == 0
    assert hours.elapsed(friday, friday - timedelta(hours=1)) == 0


def test_interval_bounds_are_half_open() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    assert hours.is_open(at(RIYADH, 2026, 6, 7, 9, 0))
    assert not hours.is_open(at(RIYADH, 2026, 6, 7, 17, 0))
    assert hours.is_open(at(RIYADH, 2026, 6, 7, 16, 59, 59))


def test_holidays_are_skipped_as_whole_days() -> None:
    hours = BusinessHours.from_spec("America/New_York", OFFICE, ["2026-12-25", "2026-12-28"])
    christmas_eve = at(NEW_YORK, 2026, 12, 24, 16)  # Thursday; Friday and Monday are off

    assert hours.add(christmas_eve, 2 * HOUR) == at(NEW_YORK, 2026, 12, 29, 10)
    assert not hours.is_open(at(NEW_YORK, 2026, 12, 25, 12))
    assert hours.next_open(at(NEW_YORK, 2026, 12, 24, 17)) == at(NEW_YORK, 2026, 12, 29, 9)
    assert hours.elapsed(at(NEW_YORK, 2026, 12, 21), at(NEW_YORK, 2027, 1, 4)) == 8 * 8 * HOUR


def test_thirty_business_days_are_six_saudi_weeks() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    sunday = at(RIYADH, 2026, 6, 7, 9)
    assert hours.add(sunday, 30 * 8 * HOUR) == at(RIYADH, 2026, 7, 16, 17)  # Thursday of week six


def test_add_walks_per_interval_not_per_minute() -> None:
    hours = BusinessHours.from_spec("Europe/London", OFFICE, ["2026-12-25", "2027-01-01"])
    start = at(LONDON, 2026, 1, 5, 9)
    began = perf.perf_counter()
    due = hours.add(start, 500 * 8 * HOUR)  # two years of working days
    took = perf.perf_counter() - began
    assert hours.elapsed(start, due) == 500 * 8 * HOUR
    # a minute-by-minute walk would take ~1M steps here; per interval it is ~700
    assert took < 0.5


def test_always_is_plain_wall_time() -> None:
    hours = BusinessHours.always()
    start = at(NEW_YORK, 2026, 3, 7, 23).astimezone(UTC)  # across the spring-forward night
    assert hours.add(start, 5 * HOUR) == start + timedelta(hours=5)
    assert hours.elapsed(start, start + timedelta(days=40)) == 40 * 24 * HOUR
    assert hours.is_open(start)
    assert hours.next_open(start) == start
    assert hours.to_spec()["zone"] == "UTC"


# -- DST -----------------------------------------------------------------------------------------------


def test_office_day_is_eight_hours_on_both_new_york_dst_sundays() -> None:
    hours = BusinessHours.from_spec("America/New_York", {"sun": [["09:00", "17:00"]]}, [])
    for sunday in (date(2026, 3, 8), date(2026, 11, 1)):
        day_start = datetime.combine(sunday, time(0), NEW_YORK)
        assert hours.elapsed(day_start, day_start + timedelta(days=1)) == 8 * HOUR
        assert hours.add(day_start, 8 * HOUR) == datetime.combine(sunday, time(17), NEW_YORK)


def test_new_york_transition_inside_an_interval_counts_real_seconds() -> None:
    hours = BusinessHours.from_spec("America/New_York", {"sun": [["00:00", "06:00"]]}, [])
    spring = at(NEW_YORK, 2026, 3, 8)
    fall = at(NEW_YORK, 2026, 11, 1)
    assert hours.elapsed(spring, spring + timedelta(days=1)) == 5 * HOUR
    assert hours.elapsed(fall, fall + timedelta(days=1)) == 7 * HOUR
    assert hours.add(spring, 5 * HOUR) == at(NEW_YORK, 2026, 3, 8, 6)
    assert hours.add(fall, 7 * HOUR) == at(NEW_YORK, 2026, 11, 1, 6)


def test_london_night_shift_over_the_clock_changes() -> None:
    hours = BusinessHours.from_spec("Europe/London", NIGHTS, [])
    spring_eve = at(LONDON, 2026, 3, 28, 22)  # clocks go forward at 01:00 on the 29th
    autumn_eve = at(LONDON, 2026, 10, 24, 22)  # and back at 02:00 on the 25th
    assert hours.elapsed(spring_eve, spring_eve + timedelta(hours=12)) == 7 * HOUR
    assert hours.elapsed(autumn_eve, autumn_eve + timedelta(hours=12)) == 9 * HOUR
    assert hours.add(spring_eve, 7 * HOUR) == at(LONDON, 2026, 3, 29, 6)
    assert hours.add(autumn_eve, 8 * HOUR) == at(LONDON, 2026, 10, 25, 5)
    assert hours.add(spring_eve, 7.5 * HOUR) == at(LONDON, 2026, 3, 29, 22, 30)


def test_interval_starting_in_the_skipped_hour_opens_when_the_clocks_jump() -> None:
    hours = BusinessHours.from_spec("America/New_York", {"sun": [["02:30", "04:00"]]}, [])
    spring = at(NEW_YORK, 2026, 3, 8)
    assert hours.next_open(spring) == at(NEW_YORK, 2026, 3, 8, 3, 0)
    assert hours.elapsed(spring, spring + timedelta(days=1)) == 1 * HOUR


def test_interval_entirely_in_the_skipped_hour_is_empty_that_day() -> None:
    hours = BusinessHours.from_spec("America/New_York", {"sun": [["02:00", "02:45"]]}, [])
    spring = at(NEW_YORK, 2026, 3, 8)
    assert hours.elapsed(spring, spring + timedelta(days=1)) == 0
    assert hours.next_open(spring) == at(NEW_YORK, 2026, 3, 15, 2, 0)


# -- wrapping past midnight ---------------------------------------------------------------------------


def test_wrap_midnight_interval_belongs_to_the_day_it_starts() -> None:
    hours = BusinessHours.from_spec("Europe/London", {"mon": [["22:00", "06:00"]]}, [])
    monday = date(2026, 6, 1)
    assert monday.isoweekday() == 1
    assert not hours.is_open(at(LONDON, 2026, 6, 1, 3))  # Monday early morning: Sunday had no shift
    assert hours.is_open(at(LONDON, 2026, 6, 1, 23))
    assert hours.is_open(at(LONDON, 2026, 6, 2, 5, 59))
    assert not hours.is_open(at(LONDON, 2026, 6, 2, 6))
    assert hours.elapsed(at(LONDON, 2026, 6, 1, 23), at(LONDON, 2026, 6, 2, 5)) == 6 * HOUR
    assert hours.add(at(LONDON, 2026, 6, 2, 3), 4 * HOUR) == at(LONDON, 2026, 6, 8, 23)


def test_holiday_drops_the_night_shift_that_starts_on_it_and_cuts_the_one_running_into_it() -> None:
    shifts = {"mon": [["22:00", "06:00"]], "tue": [["22:00", "06:00"]]}
    on_monday = BusinessHours.from_spec("Europe/London", shifts, ["2026-06-01"])
    on_tuesday = BusinessHours.from_spec("Europe/London", shifts, ["2026-06-02"])
    week = (at(LONDON, 2026, 6, 1), at(LONDON, 2026, 6, 4))

    assert not on_monday.is_open(at(LONDON, 2026, 6, 2, 3))
    assert on_monday.elapsed(*week) == 8 * HOUR
    assert on_tuesday.is_open(at(LONDON, 2026, 6, 1, 23, 59))
    assert not on_tuesday.is_open(at(LONDON, 2026, 6, 2, 0, 0))
    assert on_tuesday.elapsed(*week) == 2 * HOUR


def test_end_at_midnight_means_the_end_of_the_day() -> None:
    hours = BusinessHours.from_spec("UTC", {"fri": [["18:00", "24:00"]], "sat": [["00:00", "00:00"]]}, [])
    friday = at(UTC, 2026, 6, 5)
    assert hours.elapsed(friday, friday + timedelta(days=3)) == 30 * HOUR
    assert hours.to_spec()["weekly"] == {"fri": [["18:00", "24:00"]], "sat": [["00:00", "24:00"]]}


# -- properties over random instants -------------------------------------------------------------------

SCHEDULES = [
    BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, ["2026-09-23"]),
    BusinessHours.from_spec("America/New_York", OFFICE | {"sat": [["10:00", "12:30"], ["13:00", "14:00"]]},
                            ["2026-11-26", "2026-12-25", "2027-01-01"]),
    BusinessHours.from_spec("Europe/London", NIGHTS | {"sun": [["09:00", "12:00"], ["22:00", "06:00"]]},
                            ["2026-10-25", "2027-03-28"]),
    # half-hour DST shifts at 02:00 on Sundays, which the Sunday interval straddles
    BusinessHours.from_spec("Australia/Lord_Howe", {"mon": [["00:00", "24:00"]], "thu": [["01:00", "03:00"]],
                                                    "sun": [["01:45", "02:15"]]}, []),
    BusinessHours.always(),
]

instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))
schedules = st.sampled_from(SCHEDULES)
property_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _open_by_wall_clock(hours: BusinessHours, instant: datetime) -> bool | None:
    """An independent oracle: read the local wall clock; None where the wall clock repeats."""
    tz = ZoneInfo(hours.zone)
    local = instant.astimezone(tz)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return None
    today, now = local.date(), local.time().replace(tzinfo=None)
    yesterday = today - timedelta(days=1)
    if today in hours.holidays:
        return False
    for start, end in hours.weekly.get(today.isoweekday(), ()):
        if start <= now and (end <= start or now < end):
            return True
    if yesterday in hours.holidays:
        return False
    return any(end <= start and now < end for start, end in hours.weekly.get(yesterday.isoweekday(), ()))


@property_settings
@given(hours=schedules, start=instants, seconds=st.floats(min_value=0, max_value=40 * 86400))
def test_elapsed_undoes_add(hours: BusinessHours, start: datetime, seconds: float) -> None:
    due = hours.add(start, seconds)
    assert due >= start
    assert hours.elapsed(start, due) == timedelta(seconds=seconds).total_seconds()
    if timedelta(seconds=seconds):
        assert hours.is_open(due - timedelta(microseconds=1))


@property_settings
@given(hours=schedules, start=instants, span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
def test_add_undoes_elapsed_up_to_closed_time(hours: BusinessHours, start: datetime, span: timedelta) -> None:
    end = start + span
    seconds = hours.elapsed(start, end)
    back = hours.add(start, seconds)
    assert start <= back <= end
    assert hours.elapsed(back, end) == 0
    if hours.is_open(end - timedelta(microseconds=1)) and seconds > 0:
        assert back == end


@property_settings
@given(hours=schedules, a=instants, b=instants, c=instants)
def test_elapsed_is_additive(hours: BusinessHours, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    whole = hours.elapsed(a, c)
    assert whole == pytest.approx(hours.elapsed(a, b) + hours.elapsed(b, c), abs=1e-6)
    assert 0 <= whole <= (c - a).total_seconds()


@property_settings
@given(hours=schedules, instant=instants)
def test_is_open_agrees_with_the_local_wall_clock(hours: BusinessHours, instant: datetime) -> None:
    expected = _open_by_wall_clock(hours, instant)
    if expected is not None:
        assert hours.is_open(instant) == expected
    following = hours.next_open(instant)
    assert following is not None and following >= instant
    assert hours.is_open(following)
    assert hours.elapsed(instant, following) == 0


@property_settings
@given(hours=schedules, start=instants, minutes=st.integers(min_value=0, max_value=1440))
def test_elapsed_counts_the_open_minutes(hours: BusinessHours, start: datetime, minutes: int) -> None:
    start = start.replace(second=0, microsecond=0)
    open_minutes = sum(hours.is_open(start + timedelta(minutes=m)) for m in range(minutes))
    assert hours.elapsed(start, start + timedelta(minutes=minutes)) == open_minutes * 60


# -- pauses ----------------------------------------------------------------------------------------------


def test_overlapping_pauses_are_not_subtracted_twice() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    start = at(RIYADH, 2026, 6, 7, 9)  # Sunday
    pauses = [(at(RIYADH, 2026, 6, 7, 10), at(RIYADH, 2026, 6, 7, 12)),
              (at(RIYADH, 2026, 6, 7, 11), at(RIYADH, 2026, 6, 7, 13)),
              (at(RIYADH, 2026, 6, 7, 8), at(RIYADH, 2026, 6, 7, 9, 30))]  # began before the clock
    assert elapsed_excluding(hours, start, at(RIYADH, 2026, 6, 7, 17), pauses) == 4.5 * HOUR
    assert due_at(hours, start, 4 * HOUR, pauses) == at(RIYADH, 2026, 6, 7, 16, 30)
    assert due_at(hours, start, 5 * HOUR, pauses) == at(RIYADH, 2026, 6, 8, 9, 30)


def test_a_pause_still_running_stops_the_clock() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    start = at(RIYADH, 2026, 6, 7, 9)
    pauses = [(at(RIYADH, 2026, 6, 7, 10), at(RIYADH, 2026, 6, 7, 11)), (at(RIYADH, 2026, 6, 7, 12), None)]
    assert due_at(hours, start, 4 * HOUR, pauses) is None
    assert elapsed_excluding(hours, start, at(RIYADH, 2026, 6, 9, 12), pauses) == 2 * HOUR
    # the target was reached before the open pause began, so its due instant stands
    assert due_at(hours, start, 1.5 * HOUR, pauses) == at(RIYADH, 2026, 6, 7, 11, 30)


def test_pauses_outside_the_window_change_nothing() -> None:
    hours = BusinessHours.from_spec("America/New_York", OFFICE, [])
    start, end = at(NEW_YORK, 2026, 6, 1, 9), at(NEW_YORK, 2026, 6, 1, 17)
    pauses = [(at(NEW_YORK, 2026, 5, 29, 9), at(NEW_YORK, 2026, 5, 29, 12)),
              (at(NEW_YORK, 2026, 6, 1, 18), None),
              (at(NEW_YORK, 2026, 6, 1, 12), at(NEW_YORK, 2026, 6, 1, 12))]
    assert elapsed_excluding(hours, start, end, pauses) == 8 * HOUR
    assert due_at(hours, start, 8 * HOUR, pauses) == end
    assert elapsed_excluding(hours, end, start, pauses) == 0


def _quarter(instant: datetime) -> datetime:
    return instant.replace(minute=instant.minute // 15 * 15, second=0, microsecond=0)


pauses_st = st.lists(st.tuples(instants, st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=4)))),
                     max_size=4)


@property_settings
@given(hours=schedules, start=instants, raw=pauses_st, days=st.integers(min_value=0, max_value=5))
def test_paused_minutes_do_not_count(hours: BusinessHours, start: datetime,
                                     raw: list[tuple[datetime, timedelta | None]], days: int) -> None:
    # every boundary (interval, zone offset, pause) falls on a quarter hour, so sampling each
    # quarter hour counts business time exactly
    step = timedelta(minutes=15)
    start = _quarter(start)
    end = start + timedelta(days=days)
    pauses = [(_quarter(s), None if d is None else _quarter(s + d)) for s, d in raw]

    def paused(m: datetime) -> bool:
        return any(s <= m and (e is None or m < e) for s, e in pauses)

    quarters = [start + step * i for i in range(days * 96)]
    expected = sum(step.total_seconds() for m in quarters if hours.is_open(m) and not paused(m))
    assert elapsed_excluding(hours, start, end, pauses) == expected


@property_settings
@given(hours=schedules, start=instants, raw=pauses_st, seconds=st.floats(min_value=0, max_value=10 * 86400))
def test_due_at_is_where_elapsed_excluding_reaches_the_target(hours: BusinessHours, start: datetime,
                                                              raw: list[tuple[datetime, timedelta | None]],
                                                              seconds: float) -> None:
    pauses = [(s, None if d is None else s + d) for s, d in raw]
    due = due_at(hours, start, seconds, pauses)
    target = timedelta(seconds=seconds).total_seconds()
    if due is None:
        assert any(e is None for _, e in pauses)
        far = start + timedelta(days=400)
        assert elapsed_excluding(hours, start, far, pauses) < target
    else:
        assert elapsed_excluding(hours, start, due, pauses) == pytest.approx(target, abs=1e-6)
        if target > 0:
            assert elapsed_excluding(hours, start, due - timedelta(microseconds=1), pauses) < target


# -- the stored form and its errors ----------------------------------------------------------------------


def test_spec_round_trips() -> None:
    spec = {"zone": "Europe/London",
            "weekly": {"mon": [["09:00", "12:00"], ["13:00", "17:30"]], "sat": [["22:00", "06:00"]]},
            "holidays": ["2026-12-25", "2026-12-26"]}
    hours = BusinessHours.from_spec(spec["zone"], spec["weekly"], spec["holidays"])
    assert hours.to_spec() == spec
    assert BusinessHours.from_spec(**hours.to_spec()) == hours
    assert hours.weekly[1] == ((time(9), time(12)), (time(13), time(17, 30)))
    assert hours.holidays == frozenset({date(2026, 12, 25), date(2026, 12, 26)})


@pytest.mark.parametrize(("zone", "weekly", "holidays", "message"), [
    ("Mars/Olympus_Mons", {}, [], "unknown time zone 'Mars/Olympus_Mons'"),
    ("", {}, [], "unknown time zone ''"),
    ("../../etc/passwd", {}, [], "unknown time zone '../../etc/passwd'"),
    ("UTC", {"monday": [["09:00", "17:00"]]}, [], "unknown day 'monday' in weekly hours"),
    ("UTC", {"mon": [["9:00", "17:00"]]}, [], "mon interval 1: '9:00' is not a time of day in HH:MM form"),
    ("UTC", {"tue": [["09:00", "17:00"], ["18:00", "25:00"]]}, [],
     "tue interval 2: '25:00' is not a time of day in HH:MM form"),
    ("UTC", {"mon": [["24:00", "05:00"]]}, [], "mon interval 1: '24:00' is not a time of day"),
    ("UTC", {"mon": [["09:00"]]}, [], r"mon interval 1: expected a \[start, end\] pair"),
    ("UTC", {"mon": [["09:00", "17:00"], ["12:00", "13:00"]]}, [],
     "overlapping intervals: mon 09:00-17:00 and mon 12:00-13:00"),
    ("UTC", {"mon": [["22:00", "06:00"]], "tue": [["05:00", "09:00"]]}, [],
     "overlapping intervals: mon 22:00-06:00 and tue 05:00-09:00"),
    ("UTC", {"sun": [["20:00", "02:00"]], "mon": [["01:00", "09:00"]]}, [],
     "overlapping intervals: sun 20:00-02:00 and mon 01:00-09:00"),
    ("UTC", {}, ["2026-02-30"], "holiday '2026-02-30' is not a date in YYYY-MM-DD form"),
    ("UTC", {}, ["20261225"], "holiday '20261225' is not a date in YYYY-MM-DD form"),
])
def test_from_spec_names_what_is_wrong(zone: str, weekly: dict[str, list[list[str]]], holidays: list[str],
                                       message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}"):
        BusinessHours.from_spec(zone, weekly, holidays)


def test_adjacent_intervals_do_not_overlap() -> None:
    hours = BusinessHours.from_spec("UTC", {"mon": [["09:00", "12:00"], ["12:00", "17:00"]],
                                            "sun": [["18:00", "00:00"]]}, [])
    monday = at(UTC, 2026, 6, 1)
    assert hours.elapsed(monday, monday + timedelta(days=1)) == 8 * HOUR


# -- misuse ------------------------------------------------------------------------------------------------


def test_never_open_hours_raise_instead_of_looping() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", {}, ["2026-06-07"])
    start = at(RIYADH, 2026, 6, 7, 9)
    with pytest.raises(ValueError, match=f"^{NEVER_OPEN}$"):
        hours.add(start, 1)
    with pytest.raises(ValueError, match=f"^{NEVER_OPEN}$"):
        due_at(hours, start, 60, [])
    assert hours.next_open(start) is None
    assert not hours.is_open(start)
    assert hours.elapsed(start, start + timedelta(days=30)) == 0
    assert elapsed_excluding(hours, start, start + timedelta(days=30), []) == 0
    assert hours.add(start, 0) == start


def test_naive_datetimes_are_refused() -> None:
    hours = BusinessHours.from_spec("Asia/Riyadh", SAUDI_WEEK, [])
    naive = datetime(2026, 6, 7, 9)
    aware = at(RIYADH, 2026, 6, 7, 9)
    for call in (lambda: hours.is_open(naive), lambda: hours.add(naive, 60), lambda: hours.next_open(naive),
                 lambda: hours.elapsed(naive, aware), lambda: hours.elapsed(aware, naive),
                 lambda: elapsed_excluding(hours, aware, aware + timedelta(hours=1), [(naive, None)]),
                 lambda: due_at(hours, naive, 60, [])):
        with pytest.raises(TypeError, match="aware datetime"):
            call()


def test_negative_or_infinite_targets_are_refused() -> None:
    hours = BusinessHours.always()
    start = at(UTC, 2026, 6, 1)
    for bad in (-1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="finite number >= 0"):
            hours.add(start, bad)


def test_direct_construction_is_validated_and_normalised() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Nowhere'"):
        BusinessHours("Nowhere", {}, frozenset())
    with pytest.raises(ValueError, match="unknown weekday 0"):
        BusinessHours("UTC", {0: ((time(9), time(17)),)}, frozenset())
    with pytest.raises(ValueError, match="overlapping intervals: wed 09:00-17:00 and wed 16:00-18:00"):
        BusinessHours("UTC", {3: ((time(16), time(18)), (time(9), time(17)))}, frozenset())
    a = BusinessHours("UTC", {3: ((time(13), time(17)), (time(9), time(12))), 4: ()}, frozenset())
    b = BusinessHours.from_spec("UTC", {"wed": [["09:00", "12:00"], ["13:00", "17:00"]]}, [])
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(TypeError):
        a.weekly[1] = ()  # type: ignore[index]
