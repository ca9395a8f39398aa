"""Meetings: planned -> held -> closed; cancel; reschedule (counted); agenda; guests; attendance."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lrt_domain.base import fold
from lrt_domain.errors import InvalidInput, NotFound, RuleViolation
from lrt_domain.meetings import Meeting, MeetingStatus, Presence

from worlds.domain import M1_START, START, at, ctx, meeting


def test_schedule():
    m = fold(None, Meeting.schedule(ctx(), "LRT-2023-11-10", table="LRT", starts_at=M1_START,
                                    place=" Webex "))
    assert (m.key, m.table, m.starts_at, m.place, m.status, m.reschedules) == (
        "LRT-2023-11-10", "LRT", M1_START, "Webex", MeetingStatus.PLANNED, 0)
    assert m.id == Meeting.id_for("LRT-2023-11-10")


def test_schedule_refuses_a_naive_start_and_an_empty_place():
    with pytest.raises(InvalidInput, match=r"^starts at: needs a time zone"):
        Meeting.schedule(ctx(), "M", table="LRT", starts_at=datetime(2023, 11, 10, 10),
                         place="Webex")
    with pytest.raises(InvalidInput, match=r"^place: must not be empty"):
        Meeting.schedule(ctx(), "M", table="LRT", starts_at=M1_START, place="")


def test_planned_held_closed():
    m = meeting()
    m = fold(m, m.hold(ctx(M1_START)))  # exactly at the start is fine
    assert m.status is MeetingStatus.HELD and m.took_place
    m = fold(m, m.close(ctx(M1_START + timedelta(hours=2))))
    assert m.status is MeetingStatus.CLOSED and m.took_place


def test_hold_before_start_is_refused():
    m = meeting()
    with pytest.raises(RuleViolation, match=r"meeting LRT-2023-11-10 starts at "
                                            r"2023-11-10T10:00:00\+01:00; it cannot be held "
                                            r"before it starts"):
        m.hold(ctx(M1_START - timedelta(seconds=1)))


def test_hold_twice_and_close_a_planned_meeting_are_refused():
    m = meeting()
    with pytest.raises(RuleViolation, match=r"cannot close meeting LRT-2023-11-10: it is planned"):
        m.close(ctx(M1_START))
    m = fold(m, m.hold(ctx(M1_START)))
    with pytest.raises(RuleViolation, match=r"cannot hold meeting LRT-2023-11-10: it is held"):
        m.hold(ctx(M1_START))
    m = fold(m, m.close(ctx(M1_START)))
    with pytest.raises(RuleViolation, match="cannot close meeting LRT-2023-11-10: it is closed"):
        m.close(ctx(M1_START))


def test_cancel_a_planned_meeting():
    m = meeting()
    with pytest.raises(InvalidInput, match=r"^reason: must not be empty"):
        m.cancel(ctx(), "")
    m = fold(m, m.cancel(ctx(), "kabinetscrisis"))
    assert m.status is MeetingStatus.CANCELLED and not m.took_place
    for verb, command in [("hold", lambda: m.hold(ctx(M1_START))),
                          ("cancel", lambda: m.cancel(ctx(), "again")),
                          ("reschedule", lambda: m.reschedule(ctx(), starts_at=M1_START,
                                                              place=None, reason="r"))]:
        with pytest.raises(RuleViolation, match=f"cannot {verb} meeting LRT-2023-11-10: "
                                                "it is cancelled"):
            command()


def test_cancel_a_held_meeting_is_refused():
    m = meeting(held_at=M1_START)
    with pytest.raises(RuleViolation, match="cannot cancel meeting LRT-2023-11-10: it is held"):
        m.cancel(ctx(M1_START), "te laat")


def test_reschedules_are_counted_and_the_meeting_stays_planned():
    m = meeting()
    new_start = at(2023, 11, 17, 14)
    m = fold(m, m.reschedule(ctx(), starts_at=new_start, place=None, reason="agenda minister"))
    assert (m.status, m.reschedules, m.starts_at, m.place) == (
        MeetingStatus.PLANNED, 1, new_start, "Johan de Witthuis")
    m = fold(m, m.reschedule(ctx(), starts_at=at(2023, 11, 24, 14), place="Webex",
                             reason="storm"))
    assert (m.reschedules, m.place) == (2, "Webex")
    with pytest.raises(RuleViolation, match="held before it starts"):
        m.hold(ctx(new_start))  # the old start no longer counts
    assert fold(m, m.hold(ctx(at(2023, 11, 24, 14)))).status is MeetingStatus.HELD


def test_reschedule_refusals():
    m = meeting()
    with pytest.raises(InvalidInput, match=r"^starts at: .* is in the past"):
        m.reschedule(ctx(START), starts_at=START - timedelta(days=1), place=None, reason="r")
    with pytest.raises(InvalidInput, match=r"^starts at: needs a time zone"):
        m.reschedule(ctx(START), starts_at=datetime(2024, 1, 1), place=None, reason="r")
    with pytest.raises(InvalidInput, match=r"^reason: must not be empty"):
        m.reschedule(ctx(START), starts_at=M1_START, place=None, reason=" ")
    held = meeting(held_at=M1_START)
    with pytest.raises(RuleViolation, match="cannot reschedule meeting LRT-2023-11-10: it is held"):
        held.reschedule(ctx(M1_START), starts_at=M1_START + timedelta(days=7), place=None,
                        reason="r")


def test_agenda_items_are_numbered_in_order():
    m = meeting(agenda=())
    for title in ("Opening", "Verslag", "WVTTK"):
        m = fold(m, m.add_agenda_item(ctx(), title))
    assert [(i.number, i.title) for i in m.agenda] == [(1, "Opening"), (2, "Verslag"),
                                                       (3, "WVTTK")]
    assert m.agenda_item(2).title == "Verslag"
    with pytest.raises(NotFound, match=r"^agenda item: meeting LRT-2023-11-10 has no item 4"):
        m.agenda_item(4)
    with pytest.raises(InvalidInput, match=r"^title: must not be empty"):
        m.add_agenda_item(ctx(), "")


def test_agenda_can_change_until_the_meeting_is_closed_or_cancelled():
    m = meeting(held_at=M1_START)
    m = fold(m, m.add_agenda_item(ctx(M1_START), "Rondvraag"))
    assert m.agenda[-1].number == 5
    closed = fold(m, m.close(ctx(M1_START)))
    with pytest.raises(RuleViolation, match="cannot change the agenda of meeting "
                                            "LRT-2023-11-10: it is closed"):
        closed.add_agenda_item(ctx(M1_START), "Te laat")
    cancelled = meeting()
    cancelled = fold(cancelled, cancelled.cancel(ctx(), "r"))
    with pytest.raises(RuleViolation, match="it is cancelled"):
        cancelled.add_agenda_item(ctx(), "x")


def test_invite_guest_once():
    m = meeting()
    m = fold(m, m.invite_guest(ctx(), "veiligheidsberaad"))
    assert m.guests == ("veiligheidsberaad",)
    with pytest.raises(RuleViolation, match="veiligheidsberaad is already invited to "
                                            "LRT-2023-11-10"):
        m.invite_guest(ctx(), "veiligheidsberaad")
    closed = meeting(held_at=M1_START)
    closed = fold(closed, closed.close(ctx(M1_START)))
    with pytest.raises(RuleViolation, match="cannot invite a guest to meeting"):
        closed.invite_guest(ctx(M1_START), "ocw")


def test_attendance_is_recorded_once_per_person():
    m = meeting(held_at=M1_START)
    m = fold(m, m.record_attendance(ctx(M1_START), "bestuurder-vng", Presence.PRESENT))
    m = fold(m, m.record_attendance(ctx(M1_START), "ambtenaar-ipo", Presence.REMOTE))
    m = fold(m, m.record_attendance(ctx(M1_START), "bestuurder-vng", Presence.ABSENT))
    assert {a.person: a.presence for a in m.attendance} == {
        "bestuurder-vng": Presence.ABSENT, "ambtenaar-ipo": Presence.REMOTE}


def test_a_substitute_names_whom_they_replace_and_only_a_substitute_does():
    m = meeting(held_at=M1_START)
    with pytest.raises(InvalidInput, match=r"^substitute for: give it exactly when presence "
                                           r"is substitute"):
        m.record_attendance(ctx(M1_START), "plaatsvervanger", Presence.SUBSTITUTE)
    with pytest.raises(InvalidInput, match=r"^substitute for:"):
        m.record_attendance(ctx(M1_START), "bestuurder-vng", Presence.PRESENT,
                            substitute_for="ambtenaar-ipo")
    m = fold(m, m.record_attendance(ctx(M1_START), "plaatsvervanger", Presence.SUBSTITUTE,
                                    substitute_for="bestuurder-vng"))
    assert m.attendance[0].substitute_for == "bestuurder-vng"


def test_attendance_before_the_start_or_at_a_cancelled_meeting_is_refused():
    m = meeting()
    with pytest.raises(RuleViolation, match="meeting LRT-2023-11-10 has not started yet"):
        m.record_attendance(ctx(M1_START - timedelta(minutes=1)), "p", Presence.PRESENT)
    cancelled = fold(m, m.cancel(ctx(), "r"))
    with pytest.raises(RuleViolation, match="meeting LRT-2023-11-10 was cancelled"):
        cancelled.record_attendance(ctx(M1_START), "p", Presence.PRESENT)
