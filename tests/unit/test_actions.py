"""Action items: open -> done | cancelled | carried over."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from lrt_domain.actions import Action, ActionStatus
from lrt_domain.base import Role, fold
from lrt_domain.errors import InvalidInput, NotFound, RuleViolation

from worlds.domain import (M2_START, MEMBER, OTHER_SECRETARIAT, at, ctx, held_meeting, later_meeting,
                    meeting, action)

NOW = at(2023, 11, 10, 12)


def agree(m=None, *, item=3, owners=("VNG", "IPO", "VNG"), due=None, text="Lijst aanleveren"):
    return Action.agree(ctx(NOW), "LRT-2023-11-10/A1", meeting=m or held_meeting(), item=item,
                        text=text, owners=list(owners), due=due)


def test_agree_an_action():
    a = fold(None, agree(due=date(2023, 12, 1)))
    assert (a.key, a.table, a.meeting, a.agreed_at, a.item, a.owners, a.due, a.status,
            a.carried_over) == ("LRT-2023-11-10/A1", "LRT", "LRT-2023-11-10", "LRT-2023-11-10",
                                3, ("VNG", "IPO"), date(2023, 12, 1), ActionStatus.OPEN, 0)
    assert a.status.outstanding


def test_an_action_needs_an_owner():
    with pytest.raises(InvalidInput, match=r"^owner: an action needs at least one owning "
                                           r"organisation"):
        agree(owners=())


def test_an_action_needs_a_known_agenda_item():
    with pytest.raises(NotFound, match=r"^agenda item: meeting LRT-2023-11-10 has no item 9"):
        agree(item=9)


def test_an_action_needs_a_text():
    with pytest.raises(InvalidInput, match=r"^text: must not be empty"):
        agree(text="")


def test_an_action_at_a_cancelled_meeting_is_refused():
    m = meeting()
    m = fold(m, m.cancel(ctx(), "r"))
    with pytest.raises(RuleViolation, match="meeting LRT-2023-11-10 was cancelled"):
        agree(m)


def test_an_action_due_before_its_meeting_is_refused():
    with pytest.raises(InvalidInput, match=r"^due: 2023-11-09 is before the meeting of "
                                           r"LRT-2023-11-10"):
        agree(due=date(2023, 11, 9))
    assert fold(None, agree(due=date(2023, 11, 10))).due == date(2023, 11, 10)


def test_the_meeting_day_is_the_dutch_day():
    # 00:30 on 10 November in Amsterdam, given in UTC (23:30 on the 9th)
    m = meeting("LRT-2023-11-10", datetime(2023, 11, 9, 23, 30, tzinfo=timezone.utc))
    with pytest.raises(InvalidInput, match=r"^due: 2023-11-09 is before the meeting"):
        agree(m, due=date(2023, 11, 9))


def test_report_progress_on_behalf_of_the_reporting_organisation():
    a = action()
    event = a.report_progress(ctx(at(2023, 11, 20), MEMBER), "Concept is in de maak.")
    assert (event.on_behalf_of, event.role) == ("VNG", Role.MEMBER)
    a = fold(a, event)
    p = a.progress[0]
    assert (p.by, p.organisation, p.note, p.reported_at) == (
        "vng-lid", "VNG", "Concept is in de maak.", at(2023, 11, 20))
    assert a.status is ActionStatus.OPEN
    with pytest.raises(InvalidInput, match=r"^note: must not be empty"):
        a.report_progress(ctx(at(2023, 11, 20), MEMBER), " ")


def test_complete_an_action():
    a = action()
    a = fold(a, a.complete(ctx(at(2023, 12, 1)), "Geleverd op 1 december."))
    assert (a.status, a.outcome) == (ActionStatus.DONE, "Geleverd op 1 december.")
    assert not a.status.outstanding
    assert fold(action(), action().complete(ctx(at(2023, 12, 1)))).outcome is None


def test_done_twice_is_refused_and_a_done_action_is_final():
    a = action()
    a = fold(a, a.complete(ctx(at(2023, 12, 1))))
    with pytest.raises(RuleViolation, match=r"cannot complete action LRT-2023-11-10/A1: "
                                            r"it is done"):
        a.complete(ctx(at(2023, 12, 2)))
    with pytest.raises(RuleViolation, match="cannot cancel action .*: it is done"):
        a.cancel(ctx(at(2023, 12, 2)), "r")
    with pytest.raises(RuleViolation, match="cannot report progress on action .*: it is done"):
        a.report_progress(ctx(at(2023, 12, 2), MEMBER), "n")
    with pytest.raises(RuleViolation, match="cannot carry over action .*: it is done"):
        a.carry_over(ctx(at(2023, 12, 2)), held_meeting(), later_meeting())


def test_cancel_an_action():
    a = action()
    with pytest.raises(InvalidInput, match=r"^reason: must not be empty"):
        a.cancel(ctx(at(2023, 12, 1)), "")
    a = fold(a, a.cancel(ctx(at(2023, 12, 1)), "Achterhaald"))
    assert (a.status, a.outcome, a.status.outstanding) == (ActionStatus.CANCELLED,
                                                           "Achterhaald", False)
    with pytest.raises(RuleViolation, match="cannot complete action .*: it is cancelled"):
        a.complete(ctx(at(2023, 12, 2)))


def test_carry_over_to_a_later_meeting_is_counted():
    a = action()
    m2 = later_meeting(held=False)
    a = fold(a, a.carry_over(ctx(at(2023, 12, 1)), held_meeting(), m2, due=date(2024, 1, 31)))
    assert (a.status, a.meeting, a.agreed_at, a.due, a.carried_over) == (
        ActionStatus.CARRIED_OVER, "LRT-2023-12-15", "LRT-2023-11-10", date(2024, 1, 31), 1)
    assert a.status.outstanding
    m3 = meeting("LRT-2024-02-09", at(2024, 2, 9, 10))
    a = fold(a, a.carry_over(ctx(at(2023, 12, 15, 12)), m2, m3))
    assert (a.meeting, a.carried_over, a.due) == ("LRT-2024-02-09", 2, None)
    a = fold(a, a.report_progress(ctx(at(2024, 1, 5), MEMBER), "Loopt."))
    a = fold(a, a.complete(ctx(at(2024, 2, 9, 12))))
    assert a.status is ActionStatus.DONE and a.carried_over == 2


def test_carry_over_to_an_earlier_or_the_same_meeting_is_refused():
    a = action()
    with pytest.raises(RuleViolation, match="an action is carried over to a later meeting; "
                                            "LRT-2023-11-10 is not later than LRT-2023-11-10"):
        a.carry_over(ctx(NOW), held_meeting(), held_meeting())
    earlier = meeting("LRT-2023-10-13", at(2023, 10, 13, 10))
    with pytest.raises(RuleViolation, match="LRT-2023-10-13 is not later than"):
        a.carry_over(ctx(NOW), held_meeting(), earlier)


def test_carry_over_to_another_table_or_a_cancelled_meeting_is_refused():
    a = action()
    other = meeting("HLRT-2023-12-15", M2_START, table_key="HLRT")
    with pytest.raises(RuleViolation, match="meeting HLRT-2023-12-15 is of table HLRT, not LRT"):
        a.carry_over(ctx(NOW), held_meeting(), other)
    cancelled = later_meeting(held=False)
    cancelled = fold(cancelled, cancelled.cancel(ctx(), "r"))
    with pytest.raises(RuleViolation, match="meeting LRT-2023-12-15 was cancelled"):
        a.carry_over(ctx(NOW), held_meeting(), cancelled)


def test_events_record_who_acted():
    event = action().complete(ctx(at(2023, 12, 1), OTHER_SECRETARIAT))
    assert (event.actor, event.role, event.originator_version) == ("sec-bzk", Role.SECRETARIAT, 2)
