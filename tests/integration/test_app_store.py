"""What the store holds: every event round-trips unchanged, names its actor and role, and a
refused command writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lrt_domain.base import EVENT_TYPES, DomainEvent, Role
from lrt_domain.directory import User
from lrt_domain.documents import Document
from lrt_domain.errors import DomainError
from lrt_domain.mail import MailKind
from lrt_domain.meetings import Presence
from lrt_domain.minutes import Item, Minutes, Point, PointKind
from lrt_domain.tables import ApprovalProcedure

from worlds.application import ADMIN, CHAIR, DEADLINE, GUEST, MEMBER, START, at, items


@pytest.fixture
def saved(app, world, meetings, monkeypatch):
    """Run one of every command and return every event that was handed to `save`."""
    del app  # initialised before the spy: its three events are read back from the log
    captured: list[DomainEvent] = []
    real_save = world.app.save

    def spy(*events, **kwargs):
        result = real_save(*events, **kwargs)
        captured.extend(events)
        return result

    monkeypatch.setattr(world.app, "save", spy)
    a = world.app
    m1, m2 = meetings
    world.clock.set(at(2023, 11, 10, 13))
    a.change_rhythm(ADMIN, "LRT", 6)
    a.end_membership(ADMIN, "LRT", 2, date(2024, 12, 31))
    a.invite_guest(ADMIN, m2, "veiligheidsberaad")
    a.record_attendance(ADMIN, m1, "bestuurder-vng", Presence.REMOTE)
    a.close_meeting(ADMIN, m1)
    m3 = a.schedule_meeting(ADMIN, "LRT", at(2024, 1, 12, 10), "Webex")
    a.reschedule_meeting(ADMIN, m3, at(2024, 1, 19, 10), "Johan de Witthuis", "reces")
    a.cancel_meeting(ADMIN, m3, "geen agenda")
    doc = a.add_document(ADMIN, m2, "Conceptbrief", "Geachte voorzitter,\n\tpunt één")
    a.revise_document(ADMIN, doc, "Geachte voorzitter, ²€ “quotes”")
    a.send_document(ADMIN, doc, sent_at=at(2023, 11, 10, 12, 30))
    a.open_comment_round(ADMIN, doc, at(2023, 11, 17, 12))
    a.comment(GUEST, doc, "Opmerking van de gast.")
    a.close_comment_round(ADMIN, doc, Document)  # before its deadline
    a.change_rules(ADMIN, "LRT", approval=ApprovalProcedure.WRITTEN, documents_due_days=3)
    # an action line agrees an action; revising its text rewords it
    a.draft_minutes(ADMIN, m1, [*items(), Item(number=4, title="WVTTK", points=(
        Point(kind=PointKind.ACTION, text="VNG levert een notitie aan."),))])
    a.revise_minutes(ADMIN, m1, [*items(), Item(number=4, title="WVTTK", points=(
        Point(text="Geen."),
        Point(kind=PointKind.ACTION, text="VNG en IPO leveren een notitie aan.")))],
        note="WVTTK")
    a.circulate_minutes(ADMIN, m1, DEADLINE)
    world.clock.set(at(2023, 11, 10, 13, 30))
    a.comment(ADMIN, m1, "Per mail ontvangen.", for_person="bestuurder-vng",
              received_at=at(2023, 11, 10, 13, 15))
    a.propose_amendment(MEMBER, m1, item=3, point=1, text="Aangepast.")
    a.propose_amendment(ADMIN, m1, item=1, point=None, text="Extra.", on_behalf_of="IPO")
    a.accept_amendment(ADMIN, m1, 1)
    a.reject_amendment(ADMIN, m1, 2, "Niet besproken.")
    world.clock.set(DEADLINE + timedelta(hours=1))
    a.start_written_procedure(ADMIN, m1, at(2023, 11, 27, 17))
    a.object_to_minutes(MEMBER, m1, "Bezwaar.")
    world.hold(m2)
    a.approve_minutes(CHAIR, m1, at_meeting=m2)
    a.correct_minutes(ADMIN, m1, item=3, point=2, text="Gecorrigeerd.", reason="typfout")
    # Woo publication: opened with the first redaction, lifted, published
    a.add_redaction(ADMIN, m1, passage="De voorzitter opent", ground="5.2", reason="r")
    a.lift_redaction(ADMIN, m1, 1, "toch openbaar")
    a.dismiss_suggestion(ADMIN, m1, "Huisvesting", "geen naam van een persoon")
    a.publish_minutes(ADMIN, m1)
    act = a.agree_action(ADMIN, m2, item=3, text="Actie", owners=["VNG"], due=date(2024, 1, 31))
    a.report_progress(MEMBER, act, "Loopt.")
    m4 = a.schedule_meeting(ADMIN, "LRT", at(2024, 2, 9, 10), "Webex")
    a.carry_over_action(ADMIN, act, m4)
    a.complete_action(ADMIN, act, "Klaar.")
    act2 = a.agree_action(ADMIN, m2, item=1, text="Actie 2", owners=["IPO"])
    a.cancel_action(ADMIN, act2, "Vervallen.")
    a.register_user(ADMIN, "tijdelijk", Role.AUDITOR)
    a.deactivate_user(ADMIN, "tijdelijk", "klaar")
    # mail: addresses and wishes, the outbox, the notifier's cursor
    person = world.app.get(User, MEMBER).person
    assert person is not None
    a.change_person_email(ADMIN, person, "lid@vng.example")
    a.change_mail_wish(MEMBER, person, "reminder", wanted=False)
    a.change_mail_wish(MEMBER, person, "reminder", wanted=True)
    a.change_organisation_email(ADMIN, "VNG", "secretariaat@vng.example")
    # documents: an office held, an organisation's TOOI identifier
    a.record_office(ADMIN, person, "burgemeester van Dordrecht")
    a.record_tooi(ADMIN, "VNG", "https://identifier.overheid.nl/tooi/id/oorg/oorg10138")
    for key in ("k1", "k2"):
        assert a.decide_mail(ADMIN, key, kind=MailKind.REMINDER, table="LRT", subject=m1,
                             recipient_kind="person", recipient=person,
                             facts={"round": "1"}, message_id=f"<{key}@example.nl>",
                             not_after=DEADLINE)
    assert not a.decide_mail(ADMIN, "k1", kind=MailKind.REMINDER, table="LRT", subject=m1,
                             recipient_kind="person", recipient=person, facts={},
                             message_id="<k1@example.nl>")  # decided once
    a.mail_sent(ADMIN, "k1", to="lid@vng.example", reply="250 OK queued")
    a.mail_failed(ADMIN, "k2", reason="421 try later", permanent=False)
    a.mail_dropped(ADMIN, "k2", "the deadline passed")
    a.advance_notifier(ADMIN, 5)
    a.advance_notifier(ADMIN, 6)
    return captured


def all_stored_events(app) -> list[DomainEvent]:
    notifications = app.recorder.select_notifications(start=1, limit=10_000)
    return [app.mapper.to_domain_event(n) for n in notifications]


def test_every_event_type_round_trips_through_the_store_unchanged(world, saved):
    assert len(saved) == 57
    for event in saved:
        stored = world.app.events_of(event.originator_id)[event.originator_version - 1]
        assert type(stored) is type(event)
        assert stored == event, type(event).__qualname__
        assert stored.model_dump(mode="json") == event.model_dump(mode="json")
    # every topic of the domain was written and read back
    topics = {type(e).TOPIC for e in all_stored_events(world.app)}
    # (but the linking of a store from before the chain: test_audit_cli, test_frozen_store;
    # and a comment as an event of its subject, which lrt wrote before issue 16 and still
    # reads: test_frozen_store, tests/unit/test_documents_and_comments.py)
    assert topics == set(EVENT_TYPES) - {t for t, c in EVENT_TYPES.items()
                                         if not c.__module__.startswith("lrt_domain.")} \
        - {"lrt.Store.ChainLinked", "lrt.CommentRound.CommentSubmitted",
           "lrt.Minutes.AmendmentProposed", "lrt.Minutes.AmendmentAccepted",
           "lrt.Minutes.AmendmentRejected"}


def test_every_stored_event_names_a_user_and_the_role_they_acted_in(world, saved):
    events = all_stored_events(world.app)
    assert len(events) == world.writes()
    for event in events:
        user = world.app.get(User, event.actor)
        assert event.role is user.role, (type(event).__qualname__, event.actor)
    roles = {e.role for e in events}
    assert roles == {Role.SECRETARIAT, Role.CHAIR, Role.MEMBER, Role.GUEST}


def test_events_involving_an_organisation_name_it(world, saved):
    by_type: dict[str, list[DomainEvent]] = {}
    for event in all_stored_events(world.app):
        by_type.setdefault(event.TOPIC, []).append(event)
    assert [e.on_behalf_of for e in by_type["lrt.Amendment.Proposed"]] == ["VNG", "IPO"]
    assert [e.on_behalf_of for e in by_type["lrt.Minutes.ProposalAccepted"]] == ["VNG"]
    assert [e.on_behalf_of for e in by_type["lrt.Minutes.ProposalRejected"]] == ["IPO"]
    assert [e.on_behalf_of for e in by_type["lrt.Minutes.ObjectionRaised"]] == ["VNG"]
    assert [e.on_behalf_of for e in by_type["lrt.Table.MemberJoined"]] == ["VNG", "IPO"]
    assert [e.on_behalf_of for e in by_type["lrt.Table.MembershipEnded"]] == ["IPO"]
    assert [e.on_behalf_of for e in by_type["lrt.Action.ProgressReported"]] == ["VNG"]
    comments = by_type["lrt.Comment.Submitted"]
    assert [(e.actor, e.role, e.on_behalf_of, e.person) for e in comments] == [
        (GUEST, Role.GUEST, None, "veiligheidsberaad"),
        (ADMIN, Role.SECRETARIAT, "VNG", "bestuurder-vng")]
    assert comments[1].received_at == at(2023, 11, 10, 13, 15)


def test_the_record_time_comes_from_the_clock(world, saved):
    events = all_stored_events(world.app)
    stamps = [e.timestamp for e in events]
    # the order of the log is the order of the record's time
    assert stamps == sorted(stamps)
    # the settable clock moves a microsecond on at each reading: initialise read it first
    assert stamps[0] == START + timedelta(microseconds=1)
    assert stamps[-1] > at(2023, 12, 15, 10)  # where the scenario moved the clock to
    assert all(s.utcoffset() == timedelta(0) for s in stamps)


def test_a_refused_command_writes_nothing_and_leaves_the_state(world, circulated):
    app = world.app
    before = world.writes()
    state = app.get(Minutes, circulated)
    refusals = [
        lambda: app.approve_minutes(ADMIN, circulated, at_meeting="LRT-2023-12-15"),
        lambda: app.propose_amendment(MEMBER, circulated, item=9, point=None, text="x"),
        lambda: app.circulate_minutes(ADMIN, circulated, at(2023, 12, 1)),
        lambda: app.comment(MEMBER, circulated, ""),
        lambda: app.correct_minutes(ADMIN, circulated, item=3, point=1, text="x", reason="r"),
        lambda: app.revise_minutes(ADMIN, circulated, items()),
    ]
    for refuse in refusals:
        with pytest.raises(DomainError):
            refuse()
    assert world.writes() == before
    assert app.get(Minutes, circulated) == state
