"""Business hours: a team's weekly open intervals in its IANA zone, less its holidays.

SLA targets are counted in business seconds: :meth:`BusinessHours.add` says when a target is
reached, :meth:`BusinessHours.elapsed` how much of it has run, and :func:`elapsed_excluding` /
:func:`due_at` do the same while leaving out the spans a conversation waited on the customer.

Written by hand rather than on a library: the candidates on PyPI are either unmaintained and
built on pytz (businesstimedelta, last release 2019) or pandas (business-duration), or young
alpha releases by a single author (workclock, timegrid); none is a dependency worth taking for
a couple of hundred lines of stdlib ``zoneinfo`` code.

Semantics, precisely:

* Each interval belongs to the local date it starts on. ``end <= start`` wraps into the next
  day, so ``("22:00", "06:00")`` is a night shift and ``("00:00", "24:00")`` a whole day.
* A holiday closes its whole local day: intervals starting on it are dropped, including the
  part of a night shift that runs into the next day, and an interval of the day before that
  wraps into the holiday stops at the holiday's midnight.
* Wall-clock times become instants through ``zoneinfo``; an interval counts the real seconds
  between its two instants, so a 09:00–17:00 day is 8 h unless a DST transition falls inside.
  An ambiguous time (the repeated hour when clocks go back) means its first occurrence, and a
  time that does not exist (the skipped hour) means the instant the clocks jumped. Both keep
  the mapping monotonic, so intervals that do not overlap on the wall clock never overlap in
  real time.
* Durations are summed as :class:`~datetime.timedelta` (exact microseconds) and converted to
  float seconds only at the edge, so ``elapsed(start, add(start, s))`` gives back ``s`` to the
  microsecond.

Cost: one step per calendar day and open interval, never per minute: a 30-business-day target
is about 42 steps (a fraction of a millisecond), and ``always()`` is plain arithmetic. Whole
weeks are not skipped: a week's length depends on the DST transitions inside it, which
``zoneinfo`` does not expose, and SLA targets span days, not years.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DAY_KEYS", "NEVER_OPEN", "BusinessHours", "due_at", "elapsed_excluding"]

#: ISO weekday (1 = Monday) of each day key of a spec, in order
DAY_KEYS: Mapping[str, int] = MappingProxyType(
    {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7})
_DAY_NAMES = {number: key for key, number in DAY_KEYS.items()}
NEVER_OPEN = "these business hours are never open"

_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY = timedelta(days=1)
_WEEK_S = 7 * 86400
_MIDNIGHT = time(0)

Interval = tuple[time, time]


def _seconds_of(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _length_s(start: time, end: time) -> int:
    """Wall-clock length of an interval, wrapping past midnight when ``end <= start``."""
    length = _seconds_of(end) - _seconds_of(start)
    return length if length > 0 else length + 86400


def _hhmm(t: time, *, end: bool = False) -> str:
    # An end at midnight reads as the end of the day, as people write it on a rota.
    return "24:00" if end and t == _MIDNIGHT else t.strftime("%H:%M")


def _label(day: int, interval: Interval) -> str:
    return f"{_DAY_NAMES[day]} {_hhmm(interval[0])}-{_hhmm(interval[1], end=True)}"


def _utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.utcoffset() is None:
        raise TypeError(f"{name} must be an aware datetime (it has no time zone)")
    return value.astimezone(UTC)


def _seconds(td: timedelta) -> float:
    return td.total_seconds()


def _duration(seconds: float) -> timedelta:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"seconds must be a number, not {type(seconds).__name__}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class BusinessHours:
    """Open intervals per ISO weekday in ``zone``, closed on ``holidays`` (local dates).

    ``weekly`` maps 1 (Monday) .. 7 (Sunday) to ``[start, end)`` local wall-clock intervals;
    ``end`` may be ``time(0)`` for midnight, and an interval whose end is not after its start
    wraps into the next day. Construction validates everything and normalises ``weekly`` to a
    read-only mapping of sorted tuples, so two equal schedules compare equal.
    """

    zone: str
    weekly: Mapping[int, tuple[Interval, ...]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _always_open: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            raise ValueError(f"unknown time zone {self.zone!r}") from None
        weekly: dict[int, tuple[Interval, ...]] = {}
        # sorted by repr so that a bad key is reported rather than failing the sort
        for day, intervals in sorted(self.weekly.items(), key=lambda item: repr(item[0])):
            if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
                raise ValueError(f"unknown weekday {day!r} (use ISO weekdays 1=Mon..7=Sun)")
            checked = []
            for interval in intervals:
                if not isinstance(interval, tuple | list) or len(interval) != 2:
                    raise ValueError(f"{_DAY_NAMES[day]}: {interval!r} is not a (start, end) pair")
                start, end = interval
                for t in (start, end):
                    if not isinstance(t, time) or t.tzinfo is not None:
                        raise ValueError(f"{_DAY_NAMES[day]}: {t!r} is not a naive time of day")
                    if t.second or t.microsecond:
                        raise ValueError(f"{_DAY_NAMES[day]}: {t.isoformat()} is not a whole minute")
                checked.append((start, end))
            if checked:
                weekly[day] = tuple(sorted(checked))
        _check_overlaps(weekly)
        holidays = frozenset(self.holidays)
        for holiday in holidays:
            if not isinstance(holiday, date) or isinstance(holiday, datetime):
                raise ValueError(f"holiday {holiday!r} is not a date")
        always = not holidays and all(weekly.get(d) == ((_MIDNIGHT, _MIDNIGHT),) for d in range(1, 8))
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_tz", tz)
        object.__setattr__(self, "_always_open", always)

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def always(cls) -> BusinessHours:
        """Open around the clock, in UTC, without holidays: for teams that keep no hours."""
        return cls("UTC", {day: ((_MIDNIGHT, _MIDNIGHT),) for day in range(1, 8)}, frozenset())

    @classmethod
    def from_spec(cls, zone: str, weekly: dict[str, list[list[str]]], holidays: list[str]) -> BusinessHours:
        """Build from the stored form: ``{"mon": [["09:00", "17:00"]], ...}`` and ISO dates.

        Days left out are closed. ``"24:00"`` is accepted as an end (midnight). Raises
        :class:`ValueError` naming the zone, day, interval or date that is wrong.
        """
        if not isinstance(zone, str) or not zone:
            raise ValueError(f"unknown time zone {zone!r}")
        if not isinstance(weekly, Mapping):
            raise ValueError("weekly hours must be a mapping of day to intervals")
        parsed: dict[int, tuple[Interval, ...]] = {}
        for key, intervals in weekly.items():
            if key not in DAY_KEYS:
                raise ValueError(f"unknown day {key!r} in weekly hours (use {', '.join(DAY_KEYS)})")
            if not isinstance(intervals, list | tuple):
                raise ValueError(f"{key}: intervals must be a list of [start, end] pairs")
            day_intervals = []
            for n, pair in enumerate(intervals, start=1):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise ValueError(f"{key} interval {n}: expected a [start, end] pair, got {pair!r}")
                day_intervals.append((_parse_hhmm(key, n, pair[0], end=False),
                                      _parse_hhmm(key, n, pair[1], end=True)))
            parsed[DAY_KEYS[key]] = tuple(day_intervals)
        if not isinstance(holidays, list | tuple | set | frozenset):
            raise ValueError("holidays must be a list of YYYY-MM-DD dates")
        days = set()
        for text in holidays:
            if not isinstance(text, str) or not _ISO_DATE.match(text):
                raise ValueError(f"holiday {text!r} is not a date in YYYY-MM-DD form")
            try:
                days.add(date.fromisoformat(text))
            except ValueError:
                raise ValueError(f"holiday {text!r} is not a date in YYYY-MM-DD form") from None
        return cls(zone, parsed, frozenset(days))

    def to_spec(self) -> dict[str, Any]:
        """The stored form that :meth:`from_spec` reads back into an equal value."""
        return {
            "zone": self.zone,
            "weekly": {_DAY_NAMES[day]: [[_hhmm(s), _hhmm(e, end=True)] for s, e in self.weekly[day]]
                       for day in sorted(self.weekly)},
            "holidays": sorted(d.isoformat() for d in self.holidays),
        }

    # -- questions ----------------------------------------------------------------------------

    @property
    def never_open(self) -> bool:
        return not self.weekly

    def is_open(self, at: datetime) -> bool:
        at_utc = _utc(at, "at")
        if self._always_open:
            return True
        today = at_utc.astimezone(self._tz).date()
        return any(start <= at_utc < end
                   for day in (today - _DAY, today)
                   for start, end in self._day_intervals(day))

    def next_open(self, at: datetime) -> datetime | None:
        """The first open instant at or after ``at`` (in UTC); None when never open."""
        at_utc = _utc(at, "at")
        if self.never_open:
            return None
        return next(self._open_from(at_utc))[0]

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Business seconds in ``[start, end)``; 0 when ``end <= start``."""
        return _seconds(self._elapsed(_utc(start, "start"), _utc(end, "end")))

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant (UTC) at which ``seconds`` of business time have run since ``start``.

        The earliest such instant: a target that is used up exactly at closing time is due at
        closing time, not at the next opening. ``seconds == 0`` gives ``start`` back.
        """
        return self._add(_utc(start, "start"), _duration(seconds))

    # -- the walk -------------------------------------------------------------------------------

    def _to_utc(self, day: date, t: time) -> datetime:
        naive = datetime.combine(day, t)
        first = naive.replace(tzinfo=self._tz).astimezone(UTC)
        if first.astimezone(self._tz).replace(tzinfo=None) == naive:
            return first  # exists; when ambiguous, fold=0 is the first occurrence
        # In the skipped hour: find the transition, the first instant whose wall clock is past
        # ``naive``. fold=0 and fold=1 bracket it, and tzdb transitions fall on whole seconds.
        other = naive.replace(tzinfo=self._tz, fold=1).astimezone(UTC)
        lo, hi = int(min(first, other).timestamp()), math.ceil(max(first, other).timestamp())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self._tz).replace(tzinfo=None) >= naive:
                hi = mid
            else:
                lo = mid
        return datetime.fromtimestamp(hi, UTC)

    def _day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open instants of the intervals that start on local date ``day``, in order."""
        if day in self.holidays:
            return []
        found = []
        for start, end in self.weekly.get(day.isoweekday(), ()):
            start_at = self._to_utc(day, start)
            if end > start:
                end_at = self._to_utc(day, end)
            else:
                next_day = day + _DAY
                end_at = self._to_utc(next_day, _MIDNIGHT if next_day in self.holidays else end)
            if end_at > start_at:  # an interval inside a skipped hour is empty
                found.append((start_at, end_at))
        return found

    def _open_from(self, at_utc: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals from ``at_utc`` on, the first clipped to it; endless when any exist."""
        # The previous local day's night shift may still be running at ``at_utc``.
        day = at_utc.astimezone(self._tz).date() - _DAY
        while True:
            for start, end in self._day_intervals(day):
                if end > at_utc:
                    yield max(start, at_utc), end
            day += _DAY

    def _elapsed(self, start: datetime, end: datetime) -> timedelta:
        if end <= start or self.never_open:
            return timedelta(0)
        if self._always_open:
            return end - start
        total = timedelta(0)
        for open_at, close_at in self._open_from(start):
            if open_at >= end:
                break
            total += min(close_at, end) - open_at
        return total

    def _add(self, start: datetime, remaining: timedelta) -> datetime:
        if not remaining:
            return start
        if self.never_open:
            raise ValueError(NEVER_OPEN)
        if self._always_open:
            return start + remaining
        for open_at, close_at in self._open_from(start):
            available = close_at - open_at
            if remaining <= available:
                return open_at + remaining
            remaining -= available
        raise AssertionError("unreachable: _open_from is endless for a schedule that opens")


def _parse_hhmm(day: str, n: int, text: object, *, end: bool) -> time:
    if end and text == "24:00":
        return _MIDNIGHT
    if not isinstance(text, str) or not _HHMM.match(text):
        raise ValueError(f"{day} interval {n}: {text!r} is not a time of day in HH:MM form")
    return time(int(text[:2]), int(text[3:]))


def _check_overlaps(weekly: Mapping[int, tuple[Interval, ...]]) -> None:
    """Reject intervals that share time, wrapping ones and Sunday-into-Monday included."""
    # On a cyclic week of seconds, sorted by start, each interval must end by the next start.
    spans = sorted(((day - 1) * 86400 + _seconds_of(s), _length_s(s, e), day, (s, e))
                   for day, intervals in weekly.items() for s, e in intervals)
    if len(spans) < 2:
        return  # one interval cannot overlap itself, even a 24-hour one
    for i, (start, length, day, interval) in enumerate(spans):
        nxt_start, _, nxt_day, nxt_interval = spans[(i + 1) % len(spans)]
        if i + 1 == len(spans):
            nxt_start += _WEEK_S
        if start + length > nxt_start:
            raise ValueError(f"overlapping intervals: {_label(day, interval)} and {_label(nxt_day, nxt_interval)}")


# -- pauses ----------------------------------------------------------------------------------------


def _merged_pauses(start: datetime, end: datetime | None,
                   paused: Iterable[tuple[datetime, datetime | None]]) -> list[tuple[datetime, datetime | None]]:
    """Pauses clipped to start from ``start`` (and end by ``end`` if given), merged, in order.

    An open pause (``None`` end) swallows every pause after its start.
    """
    spans: list[tuple[datetime, datetime | None]] = []
    for n, pause in enumerate(paused, start=1):
        try:
            pause_start, pause_end = pause
        except (TypeError, ValueError):
            raise TypeError(f"pause {n} must be a (start, end or None) pair") from None
        p_start = max(_utc(pause_start, f"pause {n} start"), start)
        p_end = None if pause_end is None else _utc(pause_end, f"pause {n} end")
        if end is not None:
            if p_start >= end:
                continue
            p_end = end if p_end is None else min(p_end, end)
        if p_end is not None and p_end <= p_start:
            continue
        spans.append((p_start, p_end))
    spans.sort(key=lambda span: span[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for p_start, p_end in spans:
        if merged and (merged[-1][1] is None or p_start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, None if last_end is None or p_end is None else max(last_end, p_end))
        else:
            merged.append((p_start, p_end))
    return merged


def elapsed_excluding(hours: BusinessHours, start: datetime, end: datetime,
                      paused: Iterable[tuple[datetime, datetime | None]]) -> float:
    """Business seconds in ``[start, end)`` outside every pause.

    A pause ``(from, None)`` is still running. Pauses may overlap each other and reach outside
    ``[start, end)``; only the part inside counts.
    """
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        return 0.0
    total = timedelta(0)
    cursor = start_utc
    for p_start, p_end in _merged_pauses(start_utc, end_utc, paused):
        total += hours._elapsed(cursor, p_start)
        cursor = end_utc if p_end is None else p_end
    total += hours._elapsed(cursor, end_utc)
    return _seconds(total)


def due_at(hours: BusinessHours, start: datetime, target_seconds: float,
           paused: Iterable[tuple[datetime, datetime | None]]) -> datetime | None:
    """When ``target_seconds`` of unpaused business time have run since ``start`` (UTC).

    None while the clock is stopped: a pause that is still running and began before the
    target was reached. A target reached before such a pause began keeps its due instant.
    """
    cursor = _utc(start, "start")
    remaining = _duration(target_seconds)
    for p_start, p_end in _merged_pauses(cursor, None, paused):
        available = hours._elapsed(cursor, p_start)
        if remaining <= available:
            return hours._add(cursor, remaining)
        remaining -= available
        if p_end is None:
            return None
        cursor = p_end
    return hours._add(cursor, remaining)
