"""Calendar systems the console's calendar can be laid out in, and what a locale expects.

Days are always :class:`datetime.date` (Gregorian, as stored and as sent in links); a calendar
system only says which local year, month and day a date is, how long a local month is and how a
month is named. Three systems, named as in CLDR / BCP 47 (``-u-ca-``):

* ``gregory`` — Python's own dates;
* ``persian`` — the Solar Hijri calendar of Iran and Afghanistan, through ``jdatetime``;
* ``islamic-umalqura`` — the Hijri calendar of Umm al-Qura (Saudi Arabia), through
  ``hijridate``, which knows the years 1343–1500 AH (1924–2077 CE); outside them the calendar
  falls back to Gregorian.

Which locale a person's page is laid out in: the console's languages carry no territory, so the
territory is taken from the person's time zone (CLDR's zone → territory table: Asia/Riyadh → SA,
Africa/Cairo → EG) when Babel knows that language in that territory, else CLDR's likely territory
of the language (en → US, ar → EG, fa → IR, ur → PK, hi → IN). The territory gives the first day
of the week (fa_IR and ar_EG: Saturday; ar_SA, en_US: Sunday; en_GB: Monday) and the digits
(ar_EG and ar_SA: Arabic-Indic, fa: extended Arabic-Indic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import jdatetime
from babel import Locale, localedata
from babel.core import get_global
from hijridate import Gregorian, Hijri

GREGORIAN, PERSIAN, HIJRI = "gregory", "persian", "islamic-umalqura"
#: the calendar each language is shown in unless the person chooses otherwise, and the others it
#: offers (the first is the default)
OFFERED: dict[str, tuple[str, ...]] = {"fa": (PERSIAN, GREGORIAN), "ar": (GREGORIAN, HIJRI)}
#: the first code point of each numbering system's digits (Unicode puts 0–9 in a row)
ZERO = {"arab": 0x0660, "arabext": 0x06F0, "deva": 0x0966, "beng": 0x09E6}


class CalendarSystem(Protocol):
    """One calendar: local (year, month, day) of a date and back, and its months."""

    key: str

    def supports(self, day: date) -> bool: ...

    def local(self, day: date) -> tuple[int, int, int]: ...

    def to_date(self, year: int, month: int, day: int) -> date: ...

    def month_name(self, month: int, language: str) -> str: ...


class Gregory:
    key = GREGORIAN

    def supports(self, day: date) -> bool:
        return True

    def local(self, day: date) -> tuple[int, int, int]:
        return day.year, day.month, day.day

    def to_date(self, year: int, month: int, day: int) -> date:
        return date(year, month, day)

    def month_name(self, month: int, language: str) -> str:
        return Locale.parse(language).months["stand-alone"]["wide"][month]


class Persian:
    key = PERSIAN

    def supports(self, day: date) -> bool:
        return True

    def local(self, day: date) -> tuple[int, int, int]:
        j = jdatetime.date.fromgregorian(date=day)
        return j.year, j.month, j.day

    def to_date(self, year: int, month: int, day: int) -> date:
        return jdatetime.date(year, month, day).togregorian()

    def month_name(self, month: int, language: str) -> str:
        names = jdatetime.date.j_months_fa if language == "fa" else jdatetime.date.j_months_en
        return names[month - 1]


class UmmAlQura:
    key = HIJRI
    first, last = date(1924, 8, 1), date(2077, 11, 16)

    def supports(self, day: date) -> bool:
        # a shown month reaches a few weeks beyond the anchor; keep clear of the table's ends
        return self.first + timedelta(days=62) <= day <= self.last - timedelta(days=62)

    def local(self, day: date) -> tuple[int, int, int]:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
        return h.year, h.month, h.day

    def to_date(self, year: int, month: int, day: int) -> date:
        return Hijri(year, month, day).to_gregorian()

    def month_name(self, month: int, language: str) -> str:
        return Hijri(1446, month, 1).month_name("ar" if language == "ar" else "en")


SYSTEMS: dict[str, CalendarSystem] = {s.key: s for s in (Gregory(), Persian(), UmmAlQura())}


def offered(language: str) -> tuple[str, ...]:
    """The calendar systems a language's speakers may choose between (the default first)."""
    return OFFERED.get(language, (GREGORIAN,))


def chosen(language: str, wish: str | None) -> CalendarSystem:
    """The system ``wish`` names if the language offers it, else the language's default."""
    choices = offered(language)
    return SYSTEMS[wish if wish in choices else choices[0]]


def month_start(system: CalendarSystem, day: date) -> date:
    """The first day of the local month ``day`` is in."""
    year, month, _ = system.local(day)
    return system.to_date(year, month, 1)


def next_month_start(system: CalendarSystem, day: date) -> date:
    """The first day of the local month after the one ``day`` is in."""
    year, month, _ = system.local(day)
    return system.to_date(year + month // 12, month % 12 + 1, 1)


def previous_month_start(system: CalendarSystem, day: date) -> date:
    """The first day of the local month before the one ``day`` is in."""
    return month_start(system, month_start(system, day) - timedelta(days=1))


def month_length(system: CalendarSystem, year: int, month: int) -> int:
    """How many days the local month has (Esfand: 29 or 30, a Hijri month: 29 or 30)."""
    first = system.to_date(year, month, 1)
    return (next_month_start(system, first) - first).days


def regional_locale(language: str, zone: str | None) -> Locale:
    """The language in the territory of the person's time zone if Babel knows that pairing,
    else in the language's likely territory (CLDR); see the module's docstring."""
    territory = get_global("zone_territories").get(zone or "")
    if territory and localedata.exists(f"{language}_{territory}"):
        return Locale(language, territory)
    likely = get_global("likely_subtags").get(language, "")
    parts = likely.split("_")
    if len(parts) > 1 and parts[-1].isalpha() and parts[-1].isupper() \
            and localedata.exists(f"{language}_{parts[-1]}"):
        return Locale(language, parts[-1])
    return Locale.parse(language)


def digits(value: int | str, locale: Locale) -> str:
    """``value`` (a number, or a text such as a formatted date) with its ASCII digits written in
    the locale's own digits; no grouping is added (days and years)."""
    zero = ZERO.get(locale.default_numbering_system)
    text = str(value)
    return text if zero is None else "".join(chr(zero + ord(c) - 48) if "0" <= c <= "9" else c for c in text)


@dataclass(frozen=True)
class LocalDay:
    """A date as the chosen calendar shows it."""

    day: date
    year: int
    month: int
    number: int


def local_day(system: CalendarSystem, day: date) -> LocalDay:
    year, month, number = system.local(day)
    return LocalDay(day, year, month, number)


def month_title(system: CalendarSystem, day: date, locale: Locale) -> str:
    """"Farvardin 1404" / "فروردین ۱۴۰۴": the local month ``day`` is in and its year."""
    year, month, _ = system.local(day)
    return f"{system.month_name(month, locale.language)} {digits(year, locale)}"


def long_date(system: CalendarSystem, day: date, locale: Locale) -> str:
    """"1 Farvardin 1404": one day, in the calendar's own words."""
    year, month, number = system.local(day)
    return f"{digits(number, locale)} {system.month_name(month, locale.language)} {digits(year, locale)}"
