"""Working days: weekends and Dutch public holidays skipped; deadlines in working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from lrt_domain import working_days as wd
from worlds.domain import at


@pytest.mark.parametrize("day,working", [
    (date(2023, 11, 10), True),  # a Friday
    (date(2023, 11, 11), False),  # Saturday
    (date(2023, 11, 12), False),  # Sunday
    (date(2023, 12, 25), False),  # Eerste kerstdag, a Monday
    (date(2023, 12, 26), False),  # Tweede kerstdag
    (date(2024, 1, 1), False),  # Nieuwjaarsdag
    (date(2024, 4, 1), False),  # Tweede paasdag
    (date(2023, 4, 27), False),  # Koningsdag, a Thursday
    (date(2024, 5, 9), False),  # Hemelvaartsdag
    (date(2024, 5, 20), False),  # Tweede pinksterdag
    (date(2025, 5, 5), False),  # Bevrijdingsdag in a lustrum year
    (date(2024, 5, 6), True),  # an ordinary Monday
])
def test_working_days_skip_weekends_and_dutch_public_holidays(day, working):
    assert wd.is_working_day(day) is working


def test_holidays_are_named_in_dutch():
    assert wd.holiday(date(2024, 4, 1)) == "Tweede paasdag"
    assert wd.holiday(date(2024, 4, 2)) is None


def test_adding_working_days_skips_weekends_and_holidays():
    assert wd.add_working_days(date(2023, 11, 10), 1) == date(2023, 11, 13)  # Fri -> Mon
    assert wd.add_working_days(date(2023, 11, 14), 5) == date(2023, 11, 21)
    # Friday 22 December 2023, three working days: not Christmas, nor the weekend
    assert wd.add_working_days(date(2023, 12, 22), 3) == date(2023, 12, 29)
    assert wd.add_working_days(date(2023, 12, 22), 0) == date(2023, 12, 22)


def test_subtracting_working_days_skips_weekends_and_holidays():
    assert wd.subtract_working_days(date(2023, 11, 10), 5) == date(2023, 11, 3)
    # before Tuesday 2 April 2024: Easter Monday and Good Friday are not working days
    assert wd.subtract_working_days(date(2024, 4, 2), 1) == date(2024, 3, 28)
    assert wd.subtract_working_days(date(2024, 4, 2), 0) == date(2024, 4, 2)


def test_working_days_between_counts_the_end_not_the_start():
    assert wd.working_days_between(date(2023, 11, 10), date(2023, 11, 13)) == 1
    assert wd.working_days_between(date(2023, 11, 13), date(2023, 11, 10)) == -1
    assert wd.working_days_between(date(2023, 12, 22), date(2023, 12, 29)) == 3


def test_a_round_of_n_working_days_closes_at_noon_on_the_nth():
    # opened on Tuesday 14 November 10:00: five working days, Tuesday 21 November 12:00
    assert wd.deadline_after(at(2023, 11, 14, 10), 5) == at(2023, 11, 21, 12)
    # opened on a Saturday: counted from that day, Monday is the first working day
    assert wd.deadline_after(at(2023, 11, 11, 23, 30), 1) == at(2023, 11, 13, 12)
    # the Amsterdam day counts: 23:30 UTC on 13 November is already the 14th there
    late = datetime(2023, 11, 13, 23, 30, tzinfo=timezone.utc)
    assert wd.deadline_after(late, 1) == at(2023, 11, 15, 12)


def test_documents_due_keep_the_meetings_time_of_day_across_a_clock_change():
    # Monday 30 October 2023 09:15 (CET); five working days before is Monday 23 October,
    # still summer time: 09:15 on the clock there too
    due = wd.due_before(at(2023, 10, 30, 9, 15), 5)
    assert due == at(2023, 10, 23, 9, 15)
    assert due.utcoffset() == timedelta(hours=2)
    assert wd.due_before(at(2023, 11, 10, 9, 15), 0) == at(2023, 11, 10, 9, 15)


@pytest.mark.parametrize("sent,notice", [
    (at(2023, 11, 9, 17, 30), 0),  # the evening before
    (at(2023, 11, 9, 9, 15), 1),  # exactly one working day before
    (at(2023, 11, 9, 9, 16), 0),
    (at(2023, 11, 3, 9, 15), 5),
    (at(2023, 11, 2, 12, 0), 5),  # Thursday: not yet six full working days
    (at(2023, 11, 10, 9, 20), None),  # after the meeting had started
])
def test_notice_in_working_days(sent, notice):
    assert wd.notice(sent, at(2023, 11, 10, 9, 15)) == notice
