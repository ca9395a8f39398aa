"""The workflow through the application: readable keys, meetings, documents and comments,
minutes from draft to correction, actions; every event names who acted and in which role."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from lrt_domain.actions import Action, ActionStatus
from lrt_domain.base import Role
from lrt_domain.documents import Document
from lrt_domain.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from lrt_domain.meetings import Meeting, MeetingStatus, Presence
from lrt_domain.minutes import AmendmentStatus, Item, Minutes, MinutesStatus, Point
from lrt_domain.tables import ApprovalProcedure

from worlds.application import (ADMIN, CHAIR, DEADLINE, IPO_MEMBER, M1_START, M2_START, MEMBER, at,
                       items)

# --- readable keys ------------------------------------------------------------------


def test_meeting_keys_are_table_and_dutch_date(world):
    app = world.app
    assert app.schedule_meeting(ADMIN, "LRT", M1_START, "Johan de Witthuis") == "LRT-2023-11-10"
    assert app.schedule_meeting(ADMIN, "LRT", M1_START + timedelta(hours=4), "Webex") \
        == "LRT-2023-11-10-2"
    assert app.schedule_meeting(ADMIN, "LRT", M1_START + timedelta(hours=6), "Webex") \
        == "LRT-2023-11-10-3"
    # 00:30 on 12 November in Amsterdam, given in UTC: the Dutch date names it
    late = datetime(2023, 11, 11, 23, 30, tzinfo=timezone.utc)
    assert app.schedule_meeting(ADMIN, "LRT", late, "Webex") == "LRT-2023-11-12"
    assert app.get(Meeting, "LRT-2023-11-10-2").starts_at == M1_START + timedelta(hours=4)


def test_document_and_action_keys_are_numbered_per_meeting(world, meetings):
    m1, m2 = meetings
    app = world.app
    assert app.add_document(ADMIN, m1, "Conceptbrief 1", "Tekst 1") == "LRT-2023-11-10/D1"
    assert app.add_document(ADMIN, m1, "Conceptbrief 2", "Tekst 2") == "LRT-2023-11-10/D2"
    assert app.add_document(ADMIN, m2, "Agenda", "Tekst") == "LRT-2023-12-15/D1"
    assert app.agree_action(ADMIN, m1, item=3, text="Lijst", owners=["VNG"]) \
        == "LRT-2023-11-10/A1"
    assert app.agree_action(ADMIN, m1, item=3, text="Brief", owners=["IPO", "VNG"],
                            due=date(2023, 12, 1)) == "LRT-2023-11-10/A2"
    assert app.get(Document, "LRT-2023-11-10/D2").title == "Conceptbrief 2"
    assert app.get(Action, "LRT-2023-11-10/A2").owners == ("IPO", "VNG")


# --- meetings -----------------------------------------------------------------------


def test_meeting_lifecycle(world):
    app = world.app
    m = world.schedule(M1_START)
    with pytest.raises(RuleViolation, match="cannot be held before it starts"):
        app.hold_meeting(ADMIN, m)
    app.reschedule_meeting(ADMIN, m, M1_START + timedelta(days=7), None, "agenda minister")
    meeting = app.get(Meeting, m)
    assert (meeting.key, meeting.reschedules, meeting.status) == (m, 1, MeetingStatus.PLANNED)
    world.hold(m)
    app.record_attendance(ADMIN, m, "bestuurder-vng", Presence.PRESENT)
    app.record_attendance(ADMIN, m, "veiligheidsberaad", Presence.SUBSTITUTE,
                          substitute_for="ambtenaar-ipo")
    app.close_meeting(ADMIN, m)
    meeting = app.get(Meeting, m)
    assert meeting.status is MeetingStatus.CLOSED
    assert [(a.person, a.presence) for a in meeting.attendance] == [
        ("bestuurder-vng", Presence.PRESENT), ("veiligheidsberaad", Presence.SUBSTITUTE)]
    with pytest.raises(InvalidInput, match="^substitute for:"):
        app.record_attendance(ADMIN, m, "bestuurder-vng", Presence.SUBSTITUTE)


def test_cancel_a_meeting(world):
    m = world.schedule(M2_START)
    world.app.cancel_meeting(ADMIN, m, "kabinetscrisis")
    assert world.app.get(Meeting, m).status is MeetingStatus.CANCELLED
    world.clock.set(M2_START + timedelta(hours=1))
    with pytest.raises(RuleViolation, match="cannot hold meeting .*: it is cancelled"):
        world.app.hold_meeting(ADMIN, m)


# --- documents and comments ---------------------------------------------------------


def test_document_round_with_comments_from_members_and_the_secretariat(world, meetings):
    m1, m2 = meetings
    app = world.app
    world.clock.set(at(2023, 12, 1, 9))
    doc = app.add_document(ADMIN, m2, "Conceptbrief aan de Tweede Kamer", "Geachte voorzitter",
                           code="HLRT 15/10 B 0.1")
    app.send_document(ADMIN, doc)
    app.revise_document(ADMIN, doc, "Geachte voorzitter, hierbij")
    with pytest.raises(RuleViolation, match="the new text is the same as version 2"):
        app.revise_document(ADMIN, doc, "Geachte voorzitter, hierbij")
    deadline = at(2023, 12, 8, 12)
    app.open_comment_round(ADMIN, doc, deadline)
    with pytest.raises(RuleViolation, match="already open until 2023-12-08 12:00"):
        app.open_comment_round(ADMIN, doc, at(2023, 12, 9))

    world.clock.set(at(2023, 12, 4, 10))
    assert app.comment(MEMBER, doc, "Graag aanscherpen.") == 1
    # a comment that reached the secretariat by e-mail, before the deadline, recorded after it
    world.clock.set(at(2023, 12, 8, 15))
    received = at(2023, 12, 8, 11, 50)
    assert app.comment(ADMIN, doc, "Akkoord namens IPO.", for_person="ambtenaar-ipo",
                       received_at=received) == 2
    with pytest.raises(RuleViolation, match="closed at 2023-12-08 12:00"):
        app.comment(MEMBER, doc, "Te laat.")
    with pytest.raises(RuleViolation, match="closed at 2023-12-08 12:00"):
        app.comment(ADMIN, doc, "Te laat.", for_person="bestuurder-vng",
                    received_at=at(2023, 12, 8, 12, 1))
    with pytest.raises(InvalidInput, match="^received at: .* is in the future"):
        app.comment(ADMIN, doc, "x", for_person="bestuurder-vng",
                    received_at=at(2023, 12, 9))

    d = app.get(Document, doc)
    assert (d.text_version, d.sent_at is not None, d.code) == (2, True, "HLRT 15/10 B 0.1")
    c1, c2 = app.round_comments(d, d.current_round.number)
    assert (c1.person, c1.organisation) == ("bestuurder-vng", "VNG")
    assert (c2.person, c2.organisation, c2.received_at) == ("ambtenaar-ipo", "IPO", received)
    # each comment in its own stream (issue 16); the document's own events are its own
    last = app.comment_events(doc, d.current_round.number)[-1]
    assert (last.actor, last.role, last.on_behalf_of) == (ADMIN, Role.SECRETARIAT, "IPO")
    assert last.timestamp > received
    assert [type(e).__name__ for e in app.events_of(d.id)][-1] == "RoundOpened"


def test_a_member_cannot_backdate_a_comment(world, circulated):
    """Only the secretariat records when a comment was received."""
    world.clock.set(DEADLINE + timedelta(hours=1))
    before = world.writes()
    with pytest.raises(RuleViolation, match="comments are no longer accepted"):
        world.app.comment(MEMBER, circulated, "Te laat.", for_person="bestuurder-vng",
                          received_at=DEADLINE - timedelta(hours=1))
    assert world.writes() == before


def test_a_comment_at_exactly_the_deadline_is_kept(world, circulated):
    # the clock moves a microsecond on at each reading: the command is recorded at DEADLINE
    world.clock.set(DEADLINE - timedelta(microseconds=1))
    assert world.app.comment(MEMBER, circulated, "Net op tijd.") == 1
    m = world.app.get(Minutes, circulated)
    [comment] = world.app.round_comments(m, m.current_round.number)
    assert comment.received_at == DEADLINE
    with pytest.raises(RuleViolation, match="comments are no longer accepted"):
        world.app.comment(MEMBER, circulated, "Een microseconde te laat.")


def test_a_former_member_may_not_comment(world, circulated):
    world.app.end_membership(ADMIN, "LRT", 2, date(2023, 11, 14))
    world.clock.set(at(2023, 11, 15, 9))
    with pytest.raises(Forbidden, match="ambtenaar-ipo is not a member of LRT nor a guest of "
                                        "LRT-2023-11-10 on 2023-11-15"):
        world.app.comment(IPO_MEMBER, circulated, "Opmerking")
    # a comment received while still a member may still be recorded
    assert world.app.comment(ADMIN, circulated, "Opmerking", for_person="ambtenaar-ipo",
                             received_at=at(2023, 11, 14, 16)) == 1


# --- minutes ------------------------------------------------------------------------


def test_minutes_from_draft_to_approval_and_correction(world, meetings):
    m1, m2 = meetings
    app = world.app
    world.clock.set(at(2023, 11, 13, 9))
    assert app.draft_minutes(ADMIN, m1, items()) == m1
    with pytest.raises(Conflict, match=r"^minutes LRT-2023-11-10 already exists$"):
        app.draft_minutes(ADMIN, m1, items())
    with pytest.raises(RuleViolation, match="were never circulated; cannot approve"):
        app.approve_minutes(ADMIN, m1, at_meeting=m2)
    with pytest.raises(RuleViolation, match="were not circulated yet"):
        app.propose_amendment(ADMIN, m1, item=3, point=1, text="x", on_behalf_of="VNG")

    world.clock.set(at(2023, 11, 14, 9))
    app.circulate_minutes(ADMIN, m1, DEADLINE)
    world.clock.set(at(2023, 11, 16, 9))
    assert app.comment(MEMBER, m1, "Punt 3 graag aanvullen.") == 1
    assert app.propose_amendment(MEMBER, m1, item=3, point=1,
                                 text="Gemeenten en provincies melden knelpunten.") == 1
    assert app.propose_amendment(ADMIN, m1, item=1, point=None, text="Welkom aan COA.",
                                 on_behalf_of="IPO") == 2

    world.clock.set(at(2023, 11, 21, 9))
    app.accept_amendment(ADMIN, m1, 1)
    app.reject_amendment(ADMIN, m1, 2, "Niet besproken.")
    mins = app.get(Minutes, m1)
    assert (mins.status, mins.text_version) == (MinutesStatus.REVISED, 2)
    # proposed in their own streams (issue 16); the decisions are the minutes'
    assert mins.amendments == ()
    assert [(a.number, a.status) for a in mins.decided] == [
        (1, AmendmentStatus.ACCEPTED), (2, AmendmentStatus.REJECTED)]
    assert mins.item(3).points[0].text == "Gemeenten en provincies melden knelpunten."

    with pytest.raises(Conflict, match="are at version 2, not 1"):
        app.revise_minutes(ADMIN, m1, items(), base_version=1)
    with pytest.raises(RuleViolation, match="meeting LRT-2023-12-15 is planned; approval is "
                                            "recorded at a meeting that was held"):
        app.approve_minutes(ADMIN, m1, at_meeting=m2)
    with pytest.raises(InvalidInput, match="^approve: give either"):
        app.approve_minutes(ADMIN, m1)
    with pytest.raises(InvalidInput, match="^approve: give either"):
        app.approve_minutes(ADMIN, m1, at_meeting=m2, written_procedure=True)

    world.hold(m2)
    app.approve_minutes(CHAIR, m1, at_meeting=m2)
    mins = app.get(Minutes, m1)
    assert mins.status is MinutesStatus.APPROVED
    assert (mins.approval.at_meeting, mins.approval.text_version, mins.approval.amendments) == (
        m2, 2, (1,))
    with pytest.raises(RuleViolation, match="approved and final; cannot revise"):
        app.revise_minutes(ADMIN, m1, [Item(number=1, title="x", points=(Point(text="y"),))])

    world.clock.advance(days=30)
    assert app.correct_minutes(ADMIN, m1, item=3, point=2, text="De taakstelling wordt herzien.",
                               reason="besluit onjuist weergegeven") == 1
    mins = app.get(Minutes, m1)
    assert (mins.text_version, mins.corrections[0].of_version) == (3, 2)
    # what the minutes said when they were approved is still there
    approved = app.get(Minutes, m1, version=mins.version - 1)
    assert approved.item(3).points[1].text == "De taakstelling blijft ongewijzigd."

    events = app.events_of(mins.id)
    # the comment is in its own stream (issue 16): not an event of the minutes
    assert [type(e).__name__ for e in events] == [
        "Drafted", "Circulated", "ProposalAccepted", "ProposalRejected", "Approved",
        "Corrected"]
    who = [(e.actor, e.role, e.on_behalf_of) for e in events]
    assert who == [
        (ADMIN, Role.SECRETARIAT, None),
        (ADMIN, Role.SECRETARIAT, None),
        (ADMIN, Role.SECRETARIAT, "VNG"),
        (ADMIN, Role.SECRETARIAT, "IPO"),
        (CHAIR, Role.CHAIR, None),
        (ADMIN, Role.SECRETARIAT, None),
    ]
    timestamps = [e.timestamp for e in events]
    assert timestamps == sorted(timestamps)


def test_approval_by_written_procedure(world, circulated):
    app = world.app
    app.change_rules(ADMIN, "LRT", approval=ApprovalProcedure.WRITTEN)
    world.clock.set(DEADLINE + timedelta(hours=1))
    wp_deadline = at(2023, 11, 27, 17)
    app.start_written_procedure(ADMIN, circulated, wp_deadline)
    with pytest.raises(RuleViolation, match="runs until 2023-11-27 17:00"):
        app.approve_minutes(ADMIN, circulated, written_procedure=True)
    world.clock.set(wp_deadline + timedelta(minutes=1))
    app.approve_minutes(ADMIN, circulated, written_procedure=True)
    mins = app.get(Minutes, circulated)
    assert mins.status is MinutesStatus.APPROVED and mins.approval.at_meeting is None


def test_an_objection_blocks_approval_by_written_procedure(world, circulated):
    app = world.app
    app.change_rules(ADMIN, "LRT", approval=ApprovalProcedure.WRITTEN)
    world.clock.set(DEADLINE + timedelta(hours=1))
    app.start_written_procedure(ADMIN, circulated, at(2023, 11, 27, 17))
    app.object_to_minutes(MEMBER, circulated, "Punt 3 klopt niet.")
    with pytest.raises(Forbidden, match="veiligheidsberaad is not a member of LRT"):
        app.object_to_minutes(ADMIN, circulated, "x", for_person="veiligheidsberaad")
    world.clock.set(at(2023, 11, 28))
    before = world.writes()
    with pytest.raises(RuleViolation, match=r"1 objection\(s\) were raised"):
        app.approve_minutes(ADMIN, circulated, written_procedure=True)
    assert world.writes() == before
    event = app.events_of(Minutes.id_for(circulated))[-1]
    assert (type(event).__name__, event.actor, event.role, event.on_behalf_of) == (
        "ObjectionRaised", MEMBER, Role.MEMBER, "VNG")


# --- actions ------------------------------------------------------------------------


def test_action_lifecycle(world, meetings):
    m1, m2 = meetings
    app = world.app
    with pytest.raises(InvalidInput, match="^owner: an action needs at least one"):
        app.agree_action(ADMIN, m1, item=3, text="x", owners=[])
    a1 = app.agree_action(ADMIN, m1, item=3, text="VNG levert wijziging aan", owners=["VNG"])
    app.report_progress(MEMBER, a1, "In bewerking.")
    app.carry_over_action(ADMIN, a1, m2)
    action = app.get(Action, a1)
    assert (action.status, action.meeting, action.agreed_at, action.carried_over) == (
        ActionStatus.CARRIED_OVER, m2, m1, 1)
    with pytest.raises(RuleViolation, match="carried over to a later meeting"):
        app.carry_over_action(ADMIN, a1, m1)
    app.complete_action(ADMIN, a1, "Geleverd.")
    with pytest.raises(RuleViolation, match="cannot complete action LRT-2023-11-10/A1: it is done"):
        app.complete_action(ADMIN, a1)
    a2 = app.agree_action(CHAIR, m1, item=1, text="Uitnodiging sturen", owners=["IPO"])
    app.cancel_action(CHAIR, a2, "Niet meer nodig.")
    assert app.get(Action, a2).status is ActionStatus.CANCELLED
    progress = app.events_of(action.id)[1]
    assert (progress.actor, progress.role, progress.on_behalf_of) == (MEMBER, Role.MEMBER, "VNG")
