"""Working days (werkdagen) in the Netherlands: Monday to Friday, except Dutch public holidays.

The holidays are those of the `holidays` package for the Netherlands (its "public" category:
Nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag in lustrum years,
Hemelvaartsdag, Pinksteren, Kerstmis). The calendar is computed, never fetched: these
functions are pure, and the same day always gives the same answer for one package version.

Deadlines in days are counted in whole working days from the day after the start:

- a comment round or written procedure of N working days, opened on day D, closes at
  12:00 (Europe/Amsterdam) on the Nth working day after D ("tot 12u op 10 november");
- documents due N working days before a meeting are due at the meeting's own time of day on
  the Nth working day before the meeting's day (N full working days to prepare).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from .dutch_time import AMSTERDAM, local

NOON = time(12, 0)
MAX_DAYS = 60  # more working days than any rule of a table needs (about three months)


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[date, str]:
    from holidays.countries.netherlands import Netherlands

    return dict(Netherlands(years=year, language="nl").items())  # type: ignore[no-untyped-call]


def holiday(day: date) -> str | None:
    """The name of the Dutch public holiday on `day` ("Tweede paasdag"), if it is one."""
    return _holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday(day) is None


def add_working_days(day: date, n: int) -> date:
    """The Nth working day after `day` (n >= 1); n == 0 gives `day` itself."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(day: date, n: int) -> date:
    """The Nth working day before `day`; n == 0 gives `day` itself."""
    return add_working_days(day, -n)


def working_days_between(start: date, end: date) -> int:
    """Working days d with start < d <= end (negative when end is before start)."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def deadline_after(moment: datetime, n: int) -> datetime:
    """12:00 Amsterdam time on the Nth working day after the (Amsterdam) day of `moment`."""
    day = add_working_days(local(moment).date(), n)
    return datetime.combine(day, NOON, tzinfo=AMSTERDAM)


def due_before(starts_at: datetime, n: int) -> datetime:
    """The meeting's time of day, on the Nth working day before the meeting's day."""
    start = local(starts_at)
    day = subtract_working_days(start.date(), n)
    return datetime.combine(day, start.time().replace(tzinfo=None), tzinfo=AMSTERDAM)


def notice(sent_at: datetime, starts_at: datetime) -> int | None:
    """How many working days' notice a document sent at `sent_at` gave: the largest N for
    which it was in time under a rule of N days (0: before the meeting started, but not a
    full working day before); None when it was sent after the meeting had started."""
    if sent_at > starts_at:
        return None
    start, sent = local(starts_at), local(sent_at)
    n, day = 0, start.date()
    while n < 366:  # a year's notice is as good as any more
        day = subtract_working_days(day, 1)
        if datetime.combine(day, start.time().replace(tzinfo=None),
                            tzinfo=AMSTERDAM) < sent:
            break
        n += 1
    return n
