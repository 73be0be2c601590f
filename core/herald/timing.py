"""Wall-clock times in IANA zones, and the instants they mean.

A post planned for "09:00 Asia/Tokyo" or "09:00 Europe/London" keeps that wall-clock time and
zone; the instant is computed with the zone's rules for that date, so the same 09:00 is 08:00
UTC in British summer and 09:00 UTC in winter. A wall-clock time that does not exist (skipped
by a spring-forward change) is refused; one that happens twice (a fall-back change) needs
``fold`` to say which (0: the first, 1: the second)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from herald.errors import ValidationFailed


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed("Unknown time zone.", {"time_zone": [f"{name!r} is not an IANA time zone."]}) from exc


def to_instant(local: datetime, tz_name: str, fold: int | None = None, field: str = "local_time") -> datetime:
    """The UTC instant of the naive wall-clock ``local`` in ``tz_name``."""
    if local.tzinfo is not None:
        raise ValidationFailed("The local time must not carry an offset.",
                               {field: ["Give the wall-clock time without offset; the zone says where."]})
    tz = zone(tz_name)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    u0, u1 = first.astimezone(UTC), second.astimezone(UTC)
    if u0 != u1:
        # Either a gap (the time is skipped: round-tripping changes it) or an overlap (twice).
        if u0.astimezone(tz).replace(tzinfo=None) != local or u1.astimezone(tz).replace(tzinfo=None) != local:
            raise ValidationFailed(
                f"{local.isoformat(timespec='minutes')} does not exist in {tz_name} (the clocks skip it).",
                {field: [f"{local.isoformat(timespec='minutes')} is skipped by a daylight-saving change "
                         f"in {tz_name}; pick another time."]})
        if fold is None:
            raise ValidationFailed(
                f"{local.isoformat(timespec='minutes')} happens twice in {tz_name}.",
                {"fold": ["The clocks go back at this time: send fold 0 for the first occurrence, "
                          "1 for the second."]})
        return u1 if fold else u0
    return u0


def local_of(instant: datetime, tz_name: str) -> datetime:
    """``instant`` as an aware datetime in ``tz_name``."""
    return instant.astimezone(zone(tz_name))


def local_iso(instant: datetime, tz_name: str) -> str:
    """The wall-clock time of ``instant`` in ``tz_name``, ISO without offset (minutes)."""
    return local_of(instant, tz_name).replace(tzinfo=None).isoformat(timespec="minutes")


def slot_instants(slots: list[tuple[int, str]], tz_name: str, after: datetime, days: int = 28) -> list[datetime]:
    """The instants of weekly ``slots`` [(weekday, "HH:MM")] in ``tz_name`` strictly after
    ``after``, in order, over the next ``days`` days. Slots skipped by a DST change are left
    out; repeated ones count once (the first occurrence)."""
    tz = zone(tz_name)
    start: date = after.astimezone(tz).date()
    out: list[datetime] = []
    for d in range(days + 1):
        day = start + timedelta(days=d)
        for weekday, hhmm in slots:
            if day.weekday() != weekday:
                continue
            h, m = (int(x) for x in hhmm.split(":"))
            try:
                instant = to_instant(datetime.combine(day, time(h, m)), tz_name, fold=0)
            except ValidationFailed:
                continue
            if instant > after:
                out.append(instant)
    return sorted(set(out))
