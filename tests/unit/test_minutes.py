"""Minutes: draft -> circulated -> revised -> approved; amendments; approval; corrections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lrt_domain.base import Role, fold
from lrt_domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from lrt_domain.meetings import MeetingStatus
from lrt_domain.minutes import (AmendmentStatus, Item, Minutes, MinutesStatus, Point, PointKind,
                                replace_point)
from lrt_domain.tables import ApprovalProcedure, TableRules

from worlds.domain import (AFTER_DEADLINE, CIRCULATED_AT, DEADLINE, DRAFTED_AT, M1_START, M2_START,
                    MEMBER, at, circulated, ctx, draft, held_meeting, items, later_meeting,
                    meeting)

APPROVAL_TIME = at(2023, 12, 15, 13)
MEETING = TableRules()  # the default: approval at a later meeting
WRITTEN = TableRules(approval=ApprovalProcedure.WRITTEN)


def approve(mins: Minutes, now=APPROVAL_TIME) -> Minutes:
    return fold(mins, mins.approve_at_meeting(ctx(now), held_meeting(), later_meeting(),
                                              rules=MEETING))


def proposed(mins: Minutes | None = None, *, item=3, point: int | None = 1,
             text="Gemeenten en provincies melden knelpunten.", organisation="VNG") -> Minutes:
    mins = mins or circulated()
    return fold(mins, mins.propose_amendment(ctx(CIRCULATED_AT + timedelta(days=1), MEMBER),
                                             organisation=organisation, item=item, point=point,
                                             text=text))


# --- drafting -----------------------------------------------------------------------


def test_draft_for_a_held_meeting():
    mins = draft()
    assert (mins.key, mins.table, mins.meeting, mins.status, mins.text_version) == (
        "LRT-2023-11-10", "LRT", "LRT-2023-11-10", MinutesStatus.DRAFT, 1)
    assert [it.number for it in mins.items] == [1, 3]
    assert mins.item(3).points[1].kind is PointKind.DECISION
    assert mins.id == Minutes.id_for("LRT-2023-11-10")


def test_draft_for_a_closed_meeting():
    m = held_meeting()
    m = fold(m, m.close(ctx(M1_START)))
    assert fold(None, Minutes.draft(ctx(DRAFTED_AT), m, items())).status is MinutesStatus.DRAFT


def test_draft_for_a_meeting_not_held_is_refused():
    with pytest.raises(RuleViolation, match=r"meeting LRT-2023-11-10 is planned; minutes are "
                                            r"drafted for a meeting that was held"):
        Minutes.draft(ctx(DRAFTED_AT), meeting(), items())
    m = meeting()
    m = fold(m, m.cancel(ctx(), "r"))
    with pytest.raises(RuleViolation, match="is cancelled"):
        Minutes.draft(ctx(DRAFTED_AT), m, items())


def test_items_are_stored_in_agenda_order():
    mins = fold(None, Minutes.draft(ctx(DRAFTED_AT), held_meeting(), list(reversed(items()))))
    assert [it.number for it in mins.items] == [1, 3]


def test_an_item_not_on_the_agenda_is_refused():
    with pytest.raises(NotFound, match=r"^agenda item: meeting LRT-2023-11-10 has no item 7"):
        Minutes.draft(ctx(DRAFTED_AT), held_meeting(), [*items(), Item(number=7, title="?")])


def test_a_duplicate_item_is_refused():
    with pytest.raises(InvalidInput, match=r"^items: agenda item 3 appears twice"):
        Minutes.draft(ctx(DRAFTED_AT), held_meeting(), [*items(), Item(number=3, title="x")])


def test_minutes_without_items_or_with_an_empty_point_are_refused():
    with pytest.raises(InvalidInput, match=r"^items: minutes need at least one agenda item"):
        Minutes.draft(ctx(DRAFTED_AT), held_meeting(), [])
    bad = [Item(number=2, title="Verslag", points=(Point(text=" "),))]
    with pytest.raises(InvalidInput, match=r"^item 2 point: must not be empty"):
        Minutes.draft(ctx(DRAFTED_AT), held_meeting(), bad)


# --- revising -----------------------------------------------------------------------


def new_items() -> list[Item]:
    return [*items(), Item(number=4, title="WVTTK", points=(Point(text="Geen."),))]


def test_revising_a_draft_keeps_it_a_draft_and_bumps_the_text_version():
    mins = draft()
    mins = fold(mins, mins.revise(ctx(DRAFTED_AT), held_meeting(), new_items(), note="WVTTK"))
    assert (mins.status, mins.text_version, len(mins.items)) == (MinutesStatus.DRAFT, 2, 3)


def test_revising_circulated_minutes_makes_them_revised():
    mins = circulated()
    mins = fold(mins, mins.revise(ctx(AFTER_DEADLINE), held_meeting(), new_items()))
    assert (mins.status, mins.text_version) == (MinutesStatus.REVISED, 2)


def test_a_revision_that_changes_nothing_is_refused():
    mins = draft()
    with pytest.raises(RuleViolation, match="minutes LRT-2023-11-10: the revision changes "
                                            "nothing"):
        mins.revise(ctx(DRAFTED_AT), held_meeting(), list(reversed(items())))


def test_revision_checks_items_and_note():
    mins = draft()
    with pytest.raises(NotFound, match=r"^agenda item:"):
        mins.revise(ctx(DRAFTED_AT), held_meeting(), [Item(number=9, title="x")])
    with pytest.raises(InvalidInput, match=r"^note: must be a single line"):
        mins.revise(ctx(DRAFTED_AT), held_meeting(), new_items(), note="a\nb")


def test_revision_on_a_stale_base_version_is_a_conflict():
    mins = draft()
    mins = fold(mins, mins.revise(ctx(DRAFTED_AT), held_meeting(), new_items()))
    with pytest.raises(Conflict, match=r"minutes LRT-2023-11-10 are at version 2, not 1: "
                                       r"someone revised them meanwhile"):
        mins.revise(ctx(DRAFTED_AT), held_meeting(), items(), base_version=1)
    mins = fold(mins, mins.revise(ctx(DRAFTED_AT), held_meeting(), items(), base_version=2))
    assert mins.text_version == 3


def test_revising_approved_minutes_is_refused():
    mins = approve(circulated())
    with pytest.raises(RuleViolation, match=r"minutes LRT-2023-11-10 are approved and final; "
                                            r"cannot revise them \(record a correction instead\)"):
        mins.revise(ctx(APPROVAL_TIME), held_meeting(), new_items())


# --- circulating --------------------------------------------------------------------


def test_circulating_opens_a_comment_round():
    mins = circulated()
    assert mins.status is MinutesStatus.CIRCULATED
    assert mins.current_round.deadline == DEADLINE and mins.round_open(CIRCULATED_AT)
    assert mins.text_version == 1


def test_circulating_with_a_past_deadline_is_refused():
    with pytest.raises(InvalidInput, match=r"^deadline: .* is in the past"):
        draft().circulate(ctx(CIRCULATED_AT), CIRCULATED_AT - timedelta(hours=1))


def test_circulating_again_while_the_round_is_open_is_refused():
    mins = circulated()
    with pytest.raises(RuleViolation, match="a comment round on LRT-2023-11-10 is already open "
                                            "until 2023-11-20 12:00"):
        mins.circulate(ctx(CIRCULATED_AT), at(2023, 11, 30))


def test_revised_minutes_can_be_circulated_again():
    mins = circulated()
    mins = fold(mins, mins.revise(ctx(AFTER_DEADLINE), held_meeting(), new_items()))
    mins = fold(mins, mins.circulate(ctx(AFTER_DEADLINE), at(2023, 11, 30, 12)))
    assert mins.status is MinutesStatus.CIRCULATED and len(mins.rounds) == 2


def test_circulating_approved_minutes_is_refused():
    with pytest.raises(RuleViolation, match="approved and final; cannot circulate"):
        approve(circulated()).circulate(ctx(APPROVAL_TIME), at(2024, 1, 1))


# --- amendments ---------------------------------------------------------------------


def test_propose_an_amendment_on_behalf_of_an_organisation():
    mins = circulated()
    event = mins.propose_amendment(ctx(CIRCULATED_AT, MEMBER), organisation="VNG", item=3,
                                   point=1, text="Nieuwe tekst.")
    assert (event.on_behalf_of, event.actor, event.role) == ("VNG", "vng-lid", Role.MEMBER)
    mins = fold(mins, event)
    a = mins.amendment(1)
    assert (a.organisation, a.item, a.point, a.status, a.version) == (
        "VNG", 3, 1, AmendmentStatus.PENDING, None)
    assert mins.text_version == 1 and mins.status is MinutesStatus.CIRCULATED


def test_an_amendment_on_a_draft_is_refused():
    with pytest.raises(RuleViolation, match="minutes LRT-2023-11-10 were not circulated yet"):
        draft().propose_amendment(ctx(DRAFTED_AT), organisation="VNG", item=3, point=1,
                                  text="x")


def test_an_amendment_on_an_unknown_item_or_point_is_refused():
    mins = circulated()
    with pytest.raises(NotFound, match=r"^item: minutes LRT-2023-11-10 have no item 2"):
        mins.propose_amendment(ctx(CIRCULATED_AT), organisation="VNG", item=2, point=None,
                               text="x")
    with pytest.raises(NotFound, match=r"^point: item 3 of LRT-2023-11-10 has no point 3"):
        mins.propose_amendment(ctx(CIRCULATED_AT), organisation="VNG", item=3, point=3,
                               text="x")
    with pytest.raises(NotFound, match=r"^point: item 3 of LRT-2023-11-10 has no point 0"):
        mins.propose_amendment(ctx(CIRCULATED_AT), organisation="VNG", item=3, point=0,
                               text="x")
    with pytest.raises(InvalidInput, match=r"^text: must not be empty"):
        mins.propose_amendment(ctx(CIRCULATED_AT), organisation="VNG", item=3, point=1,
                               text="")


def test_accepting_an_amendment_changes_the_text_in_a_new_version():
    mins = proposed()
    event = mins.accept_amendment(ctx(AFTER_DEADLINE), 1)
    assert event.on_behalf_of == "VNG"
    mins = fold(mins, event)
    assert mins.item(3).points[0].text == "Gemeenten en provincies melden knelpunten."
    assert mins.item(3).points[1].kind is PointKind.DECISION  # the other point is kept
    assert (mins.text_version, mins.status) == (2, MinutesStatus.REVISED)
    a = mins.amendment(1)
    assert (a.status, a.version) == (AmendmentStatus.ACCEPTED, 2)


def test_an_amendment_without_a_point_adds_one_at_the_end_of_the_item():
    mins = proposed(item=1, point=None, text="De voorzitter heet de gasten welkom.")
    mins = fold(mins, mins.accept_amendment(ctx(AFTER_DEADLINE), 1))
    assert [p.text for p in mins.item(1).points] == ["De voorzitter opent de vergadering.",
                                                     "De voorzitter heet de gasten welkom."]


def test_rejecting_an_amendment_records_the_reason_and_keeps_the_text():
    mins = proposed()
    with pytest.raises(InvalidInput, match=r"^reason: must not be empty"):
        mins.reject_amendment(ctx(AFTER_DEADLINE), 1, "")
    event = mins.reject_amendment(ctx(AFTER_DEADLINE), 1, "Niet besproken in de vergadering.")
    assert event.on_behalf_of == "VNG"
    mins = fold(mins, event)
    a = mins.amendment(1)
    assert (a.status, a.reason, a.version) == (AmendmentStatus.REJECTED,
                                               "Niet besproken in de vergadering.", None)
    assert (mins.text_version, mins.status, mins.items) == (1, MinutesStatus.CIRCULATED,
                                                            circulated().items)


def test_an_amendment_is_decided_once():
    mins = proposed()
    accepted = fold(mins, mins.accept_amendment(ctx(AFTER_DEADLINE), 1))
    with pytest.raises(RuleViolation, match="amendment 1 of LRT-2023-11-10 was already accepted"):
        accepted.accept_amendment(ctx(AFTER_DEADLINE), 1)
    with pytest.raises(RuleViolation, match="was already accepted"):
        accepted.reject_amendment(ctx(AFTER_DEADLINE), 1, "r")
    rejected = fold(mins, mins.reject_amendment(ctx(AFTER_DEADLINE), 1, "r"))
    with pytest.raises(RuleViolation, match="was already rejected"):
        rejected.accept_amendment(ctx(AFTER_DEADLINE), 1)


def test_an_unknown_amendment_is_not_found():
    with pytest.raises(NotFound, match=r"^amendment: minutes LRT-2023-11-10 have no amendment 2"):
        proposed().accept_amendment(ctx(AFTER_DEADLINE), 2)


def test_accepting_an_amendment_whose_point_was_revised_away_is_refused():
    mins = proposed(point=2)
    shorter = [items()[0], Item(number=3, title="Huisvesting", points=(Point(text="Eén."),))]
    mins = fold(mins, mins.revise(ctx(AFTER_DEADLINE), held_meeting(), shorter))
    with pytest.raises(NotFound, match=r"^point: item 3 of LRT-2023-11-10 has no point 2"):
        mins.accept_amendment(ctx(AFTER_DEADLINE), 1)


def test_an_amendment_on_approved_minutes_is_refused():
    with pytest.raises(RuleViolation, match="approved and final; cannot amend"):
        approve(circulated()).propose_amendment(ctx(APPROVAL_TIME), organisation="VNG", item=3,
                                                point=1, text="x")


def test_replace_point_leaves_other_items_alone():
    its = tuple(items())
    out = replace_point(its, 3, 2, Point(text="Nieuw besluit."))
    assert out[0] == its[0] and out[1].points[0] == its[1].points[0]
    assert out[1].points[1] == Point(text="Nieuw besluit.")


# --- approval at a meeting ----------------------------------------------------------


def test_approval_at_a_later_held_meeting_of_the_same_table():
    mins = proposed()
    mins = fold(mins, mins.accept_amendment(ctx(AFTER_DEADLINE), 1))
    mins = fold(mins, mins.propose_amendment(ctx(AFTER_DEADLINE), organisation="IPO", item=1,
                                             point=1, text="x"))
    mins = fold(mins, mins.reject_amendment(ctx(AFTER_DEADLINE), 2, "r"))
    event = mins.approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), later_meeting(),
                                    rules=MEETING)
    mins = fold(mins, event)
    assert mins.status is MinutesStatus.APPROVED
    approval = mins.approval
    # "met een wijziging namens VNG": only the accepted amendment is listed
    assert (approval.at_meeting, approval.text_version, approval.amendments,
            approval.approved_at) == ("LRT-2023-12-15", 2, (1,), APPROVAL_TIME)


def test_minutes_never_circulated_cannot_be_approved():
    with pytest.raises(RuleViolation, match=r"minutes LRT-2023-11-10 were never circulated; "
                                            r"cannot approve them"):
        draft().approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), later_meeting(),
                                   rules=MEETING)


def test_approval_at_a_meeting_of_another_table_is_refused():
    other = meeting("HLRT-2023-12-15", M2_START, table_key="HLRT", held_at=M2_START)
    with pytest.raises(RuleViolation, match="meeting HLRT-2023-12-15 is of table HLRT, not LRT"):
        circulated().approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), other, rules=MEETING)


def test_approval_at_an_earlier_or_the_same_meeting_is_refused():
    earlier = meeting("LRT-2023-10-13", at(2023, 10, 13, 10), held_at=at(2023, 10, 13, 12))
    with pytest.raises(RuleViolation, match="minutes are approved at a later meeting; "
                                            "LRT-2023-10-13 is not later than LRT-2023-11-10"):
        circulated().approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), earlier, rules=MEETING)
    with pytest.raises(RuleViolation, match="is not later than"):
        circulated().approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), held_meeting(),
                                        rules=MEETING)


def test_approval_at_a_meeting_not_held_is_refused():
    planned = later_meeting(held=False)
    with pytest.raises(RuleViolation, match=r"meeting LRT-2023-12-15 is planned; approval is "
                                            r"recorded at a meeting that was held"):
        circulated().approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), planned, rules=MEETING)
    cancelled = fold(planned, planned.cancel(ctx(), "r"))
    with pytest.raises(RuleViolation, match="is cancelled"):
        circulated().approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), cancelled,
                                        rules=MEETING)


def test_approval_with_a_pending_amendment_is_refused():
    with pytest.raises(RuleViolation, match="amendment 1 of LRT-2023-11-10 is still pending; "
                                            "accept or reject it first"):
        proposed().approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), later_meeting(),
                                      rules=MEETING)


def test_approval_while_the_comment_round_is_open_is_refused():
    mins = circulated(deadline=at(2023, 12, 20, 12))
    with pytest.raises(RuleViolation, match="the comment round on LRT-2023-11-10 is open until "
                                            "2023-12-20 12:00"):
        mins.approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), later_meeting(), rules=MEETING)


def test_approval_happens_once():
    mins = approve(circulated())
    with pytest.raises(RuleViolation, match="approved and final; cannot approve them"):
        mins.approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), later_meeting(), rules=MEETING)
    with pytest.raises(RuleViolation, match="approved and final; cannot approve them"):
        mins.approve_by_written_procedure(ctx(APPROVAL_TIME))


def test_a_later_meeting_that_is_closed_counts_as_held():
    later = later_meeting()
    later = fold(later, later.close(ctx(APPROVAL_TIME)))
    assert later.status is MeetingStatus.CLOSED
    mins = circulated()
    mins = fold(mins, mins.approve_at_meeting(ctx(APPROVAL_TIME), held_meeting(), later,
                                              rules=MEETING))
    assert mins.approval.at_meeting == "LRT-2023-12-15"


# --- written procedure --------------------------------------------------------------

WP_START = AFTER_DEADLINE
WP_DEADLINE = at(2023, 11, 28, 17)


def in_procedure() -> Minutes:
    mins = circulated()
    return fold(mins, mins.start_written_procedure(ctx(WP_START), WP_DEADLINE, rules=WRITTEN))


def object_(mins: Minutes, now=at(2023, 11, 27)) -> Minutes:
    return fold(mins, mins.raise_objection(ctx(now, MEMBER), person="bestuurder-vng",
                                           organisation="VNG", text="Punt 3 klopt niet."))


def test_start_a_written_procedure():
    mins = in_procedure()
    wp = mins.written_procedure
    assert (wp.started_at, wp.deadline, wp.objections) == (WP_START, WP_DEADLINE, ())


def test_a_written_procedure_needs_circulated_minutes_and_a_future_deadline():
    with pytest.raises(RuleViolation, match="were never circulated; cannot start a written "
                                            "procedure for them"):
        draft().start_written_procedure(ctx(WP_START), WP_DEADLINE, rules=WRITTEN)
    with pytest.raises(InvalidInput, match=r"^deadline: .* is in the past"):
        circulated().start_written_procedure(ctx(WP_START), WP_START, rules=WRITTEN)


def test_a_second_written_procedure_while_one_runs_is_refused():
    mins = in_procedure()
    with pytest.raises(RuleViolation, match="a written procedure for LRT-2023-11-10 is already "
                                            "running"):
        mins.start_written_procedure(ctx(WP_DEADLINE), at(2023, 12, 5), rules=WRITTEN)
    later = WP_DEADLINE + timedelta(minutes=1)
    mins = fold(mins, mins.start_written_procedure(ctx(later), at(2023, 12, 5), rules=WRITTEN))
    assert mins.written_procedure.started_at == later


def test_an_objection_is_recorded_on_behalf_of_the_organisation():
    mins = in_procedure()
    event = mins.raise_objection(ctx(at(2023, 11, 27), MEMBER), person="bestuurder-vng",
                                 organisation="VNG", text="Punt 3 klopt niet.")
    assert event.on_behalf_of == "VNG"
    mins = fold(mins, event)
    assert mins.written_procedure.objections[0].person == "bestuurder-vng"


def test_objection_refusals():
    with pytest.raises(RuleViolation, match="no written procedure runs for minutes "
                                            "LRT-2023-11-10"):
        object_(circulated())
    with pytest.raises(RuleViolation, match=r"the written procedure for LRT-2023-11-10 ended at "
                                            r"2023-11-28 17:00"):
        object_(in_procedure(), now=WP_DEADLINE + timedelta(microseconds=1))
    assert len(object_(in_procedure(), now=WP_DEADLINE).written_procedure.objections) == 1
    with pytest.raises(InvalidInput, match=r"^text: must not be empty"):
        in_procedure().raise_objection(ctx(WP_START), person="p", organisation=None, text="")


def test_approval_by_written_procedure_before_its_deadline_is_refused():
    mins = in_procedure()
    for now in (WP_START + timedelta(hours=1), WP_DEADLINE):
        with pytest.raises(RuleViolation, match=r"the written procedure for LRT-2023-11-10 runs "
                                                r"until 2023-11-28 17:00"):
            mins.approve_by_written_procedure(ctx(now))


def test_approval_by_written_procedure_with_an_objection_is_refused():
    mins = object_(in_procedure())
    with pytest.raises(RuleViolation, match=r"1 objection\(s\) were raised in the written "
                                            r"procedure; approve minutes LRT-2023-11-10 at a "
                                            r"meeting"):
        mins.approve_by_written_procedure(ctx(WP_DEADLINE + timedelta(minutes=1)))
    # ... but at a meeting it can still be approved
    assert approve(mins).status is MinutesStatus.APPROVED


def test_approval_by_written_procedure_after_its_deadline_without_objection():
    mins = in_procedure()
    now = WP_DEADLINE + timedelta(minutes=1)
    mins = fold(mins, mins.approve_by_written_procedure(ctx(now)))
    assert mins.status is MinutesStatus.APPROVED
    assert (mins.approval.at_meeting, mins.approval.approved_at, mins.approval.text_version) == (
        None, now, 1)


def test_approval_by_written_procedure_without_one_is_refused():
    with pytest.raises(RuleViolation, match="no written procedure was started for minutes "
                                            "LRT-2023-11-10"):
        circulated().approve_by_written_procedure(ctx(AFTER_DEADLINE))


def test_an_objection_to_approved_minutes_is_refused():
    mins = in_procedure()
    mins = approve(mins, now=WP_START + timedelta(days=1))  # approved at a meeting meanwhile
    with pytest.raises(RuleViolation, match="approved and final; cannot object to"):
        object_(mins)


# --- corrections --------------------------------------------------------------------


def test_a_correction_is_only_for_approved_minutes():
    for mins in (draft(), circulated()):
        with pytest.raises(RuleViolation, match=r"minutes LRT-2023-11-10 are (draft|circulated): "
                                                r"revise them instead; only approved minutes "
                                                r"are corrected"):
            mins.correct(ctx(AFTER_DEADLINE), item=3, point=1, text="x", reason="typo")


def test_a_correction_bumps_the_text_version_and_refers_to_the_approved_version():
    mins = proposed()
    mins = fold(mins, mins.accept_amendment(ctx(AFTER_DEADLINE), 1))
    mins = approve(mins)
    assert mins.approval.text_version == 2
    later = APPROVAL_TIME + timedelta(days=30)
    mins = fold(mins, mins.correct(ctx(later), item=3, point=2, text="De taakstelling wordt "
                                   "verhoogd.", reason="verkeerd genotuleerd besluit"))
    c = mins.corrections[0]
    assert (c.number, c.item, c.point, c.of_version) == (1, 3, 2, 2)
    assert mins.text_version == 3 and mins.status is MinutesStatus.APPROVED
    assert mins.item(3).points[1].text == "De taakstelling wordt verhoogd."
    assert mins.approval.text_version == 2  # the approval itself is untouched
    mins = fold(mins, mins.correct(ctx(later), item=1, point=None, text="Aanvulling.",
                                   reason="ontbrak"))
    assert (mins.corrections[1].number, mins.corrections[1].of_version) == (2, 2)
    assert mins.text_version == 4 and mins.item(1).points[-1].text == "Aanvulling."


def test_correction_refusals():
    mins = approve(circulated())
    with pytest.raises(NotFound, match=r"^item: minutes LRT-2023-11-10 have no item 4"):
        mins.correct(ctx(APPROVAL_TIME), item=4, point=None, text="x", reason="r")
    with pytest.raises(NotFound, match=r"^point: item 3 of LRT-2023-11-10 has no point 5"):
        mins.correct(ctx(APPROVAL_TIME), item=3, point=5, text="x", reason="r")
    with pytest.raises(InvalidInput, match=r"^reason: must not be empty"):
        mins.correct(ctx(APPROVAL_TIME), item=3, point=1, text="x", reason="")
    with pytest.raises(InvalidInput, match=r"^text: must not be empty"):
        mins.correct(ctx(APPROVAL_TIME), item=3, point=1, text="", reason="r")
