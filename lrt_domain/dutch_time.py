"""World time in the Netherlands: dates and deadlines are meant in Europe/Amsterdam.

Times are shown to people in Amsterdam time, never in UTC, in one style (`shown`): to the
minute, or to the second where the second decides (deadlines, receipts). A local time read
from a person is checked against the clock changes (`from_local`): a time that does not
exist (clocks jump forward) is refused, and one that exists twice (clocks go back) needs an
offset."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


def shown(moment: datetime, *, seconds: bool = False) -> str:
    """A moment as a person reads it: '2026-12-10 12:00' in Amsterdam time (with the
    seconds, '2026-12-10 12:00:00', where they decide)."""
    return f"{local(moment):%Y-%m-%d %H:%M:%S}" if seconds else f"{local(moment):%Y-%m-%d %H:%M}"


class LocalTimeError(ValueError):
    """A local time that does not exist, or exists twice, in Amsterdam."""


def from_local(naive: datetime) -> datetime:
    """A wall-clock time in Amsterdam as a moment. Refused (`LocalTimeError`, one line) when
    the clocks skip it (the last Sunday of March, 02:00-03:00) or pass it twice (the last
    Sunday of October, 02:00-03:00): then an offset says which (+02:00 the first, summer
    time; +01:00 the second)."""
    assert naive.tzinfo is None
    early, late = naive.replace(tzinfo=AMSTERDAM, fold=0), naive.replace(tzinfo=AMSTERDAM, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    when = f"{naive:%Y-%m-%d %H:%M}"
    if _round_trip(early) != naive.replace(fold=0):  # the clocks jump past it
        raise LocalTimeError(
            f"{when} does not exist in Amsterdam: on {naive:%Y-%m-%d} the clocks go forward "
            f"from 02:00 to 03:00 (summer time begins)")
    first, second = _offset(early), _offset(late)
    raise LocalTimeError(
        f"{when} happens twice in Amsterdam: on {naive:%Y-%m-%d} the clocks go back from "
        f"03:00 to 02:00 (summer time ends); give the offset: {naive:%Y-%m-%d %H:%M}{first} "
        f"(the first, summer time) or {naive:%Y-%m-%d %H:%M}{second} (the second)")


def _round_trip(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo("UTC")).astimezone(AMSTERDAM).replace(tzinfo=None,
                                                                             fold=0)


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    return f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:{rest // 60:02d}"

