"""Who may do what, through the application: refusals write nothing."""

from __future__ import annotations

from datetime import date

import pytest

from lrt_domain.base import Role
from lrt_domain.errors import Conflict, Forbidden
from lrt_domain.meetings import Meeting, MeetingStatus, Presence
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.tables import Table, TableKind

from worlds.application import (ADMIN, AUDITOR, CHAIR, GUEST, IPO_MEMBER, MEMBER, OTHER_SECRETARIAT,
                       at, items)

NEXT_YEAR = at(2024, 1, 12, 10)


@pytest.fixture
def action(world, meetings):
    m1, _ = meetings
    return world.app.agree_action(ADMIN, m1, item=3, text="VNG levert wijziging aan",
                                  owners=["VNG"])


def every_change(m1: str, m2: str, action: str):
    """One of each kind of command, as (name, call(app, login))."""
    return [
        ("register organisation", lambda app, u: app.register_organisation(u, "AEDES", "Aedes")),
        ("register person", lambda app, u: app.register_person(u, "Jan Jansen")),
        ("register user", lambda app, u: app.register_user(u, "x", Role.AUDITOR)),
        ("deactivate user", lambda app, u: app.deactivate_user(u, MEMBER, "r")),
        ("register table", lambda app, u: app.register_table(
            u, "HLRT", "HLRT", kind=TableKind.PREPARATORY, secretariat="JenV")),
        ("appoint chair", lambda app, u: app.appoint_chair(u, "LRT", "bestuurder-vng")),
        ("change rhythm", lambda app, u: app.change_rhythm(u, "LRT", 6)),
        ("add member", lambda app, u: app.add_member(
            u, "LRT", person="veiligheidsberaad", organisation="COA", function="f",
            since=date(2024, 1, 1))),
        ("end membership", lambda app, u: app.end_membership(u, "LRT", 1, date(2024, 1, 1))),
        ("schedule", lambda app, u: app.schedule_meeting(u, "LRT", NEXT_YEAR, "Webex")),
        ("reschedule", lambda app, u: app.reschedule_meeting(u, m2, NEXT_YEAR, None, "r")),
        ("cancel", lambda app, u: app.cancel_meeting(u, m2, "r")),
        ("close", lambda app, u: app.close_meeting(u, m1)),
        ("agenda", lambda app, u: app.add_agenda_item(u, m2, "Rondvraag")),
        ("invite", lambda app, u: app.invite_guest(u, m2, "veiligheidsberaad")),
        ("attendance", lambda app, u: app.record_attendance(u, m1, "bestuurder-vng",
                                                            Presence.PRESENT)),
        ("add document", lambda app, u: app.add_document(u, m2, "Brief", "Tekst")),
        ("draft minutes", lambda app, u: app.draft_minutes(u, m1, items())),
        ("agree action", lambda app, u: app.agree_action(u, m1, item=3, text="t",
                                                         owners=["VNG"])),
        ("complete action", lambda app, u: app.complete_action(u, action)),
        ("cancel action", lambda app, u: app.cancel_action(u, action, "r")),
        ("carry over", lambda app, u: app.carry_over_action(u, action, m2)),
        ("report progress", lambda app, u: app.report_progress(u, action, "n")),
    ]


def test_an_auditor_can_change_nothing(world, meetings, action):
    m1, m2 = meetings
    before = world.writes()
    refused = []
    for name, command in every_change(m1, m2, action):
        with pytest.raises(Forbidden, match=r"^user woo \(auditor\) may not "):
            command(world.app, AUDITOR)
        refused.append(name)
    assert len(refused) == 23
    assert world.writes() == before


def test_an_auditor_cannot_comment_amend_or_approve(world, circulated, meetings):
    m1, m2 = meetings
    before = world.writes()
    with pytest.raises(Forbidden, match="woo .* may not comment at table LRT"):
        world.app.comment(AUDITOR, m1, "x", for_person="bestuurder-vng")
    with pytest.raises(Forbidden, match="may not propose amendments at table LRT"):
        world.app.propose_amendment(AUDITOR, m1, item=3, point=1, text="x",
                                    on_behalf_of="VNG")
    with pytest.raises(Forbidden, match="may not approve minutes"):
        world.app.approve_minutes(AUDITOR, m1, at_meeting=m2)
    with pytest.raises(Forbidden, match="may not circulate minutes"):
        world.app.circulate_minutes(AUDITOR, m1, at(2023, 12, 1))
    assert world.writes() == before


def test_a_member_cannot_manage_meetings(world, meetings):
    m1, m2 = meetings
    before = world.writes()
    with pytest.raises(Forbidden, match=r"^user vng-lid \(member\) may not schedule meetings "
                                        r"\(table LRT is run by JenV\)$"):
        world.app.schedule_meeting(MEMBER, "LRT", NEXT_YEAR, "Webex")
    with pytest.raises(Forbidden, match="may not draft minutes"):
        world.app.draft_minutes(MEMBER, m1, items())
    with pytest.raises(Forbidden, match="may not register organisations"):
        world.app.register_organisation(MEMBER, "AEDES", "Aedes")
    assert world.writes() == before


def test_the_secretariat_of_another_organisation_cannot_manage_the_table(world, meetings,
                                                                       circulated):
    m1, m2 = meetings
    before = world.writes()
    with pytest.raises(Forbidden, match=r"^user sec-bzk \(secretariat\) may not schedule "
                                        r"meetings \(table LRT is run by JenV\)$"):
        world.app.schedule_meeting(OTHER_SECRETARIAT, "LRT", NEXT_YEAR, "Webex")
    with pytest.raises(Forbidden, match="may not change agendas"):
        world.app.add_agenda_item(OTHER_SECRETARIAT, m2, "x")
    with pytest.raises(Forbidden, match="may not approve minutes"):
        world.app.approve_minutes(OTHER_SECRETARIAT, m1, at_meeting=m2)
    with pytest.raises(Forbidden, match="may not comment at table LRT"):
        world.app.comment(OTHER_SECRETARIAT, m1, "x", for_person="bestuurder-vng")
    assert world.writes() == before
    # ... but any secretariat administers the directory
    world.app.register_organisation(OTHER_SECRETARIAT, "AEDES", "Aedes")
    assert world.writes() == before + 1


def test_the_chair_manages_the_table(world, meetings):
    m1, m2 = meetings
    key = world.app.schedule_meeting(CHAIR, "LRT", NEXT_YEAR, "Johan de Witthuis")
    assert world.app.add_agenda_item(CHAIR, key, "Opening") == 1
    world.app.record_attendance(CHAIR, m1, "bestuurder-vng", Presence.REMOTE)
    world.app.close_meeting(CHAIR, m1)
    world.app.change_rhythm(CHAIR, "LRT", 6)
    assert world.app.get(Meeting, m1).status is MeetingStatus.CLOSED
    assert world.app.get(Table, "LRT").meetings_per_year == 6
    chair_events = [e for e in world.app.events_of(Meeting.id_for(key))]
    assert {(e.actor, e.role) for e in chair_events} == {(CHAIR, Role.CHAIR)}
    # the chair is no administrator
    with pytest.raises(Forbidden, match=r"^user minister \(chair\) may not register persons"):
        world.app.register_person(CHAIR, "Jan Jansen")


def test_a_chair_no_longer_chairing_cannot_manage(world, meetings):
    world.app.appoint_chair(ADMIN, "LRT", "bestuurder-vng")
    with pytest.raises(Forbidden, match="may not schedule meetings"):
        world.app.schedule_meeting(CHAIR, "LRT", NEXT_YEAR, "Webex")


def test_a_guest_comments_only_when_invited(world, meetings):
    m1, m2 = meetings
    doc = world.app.add_document(ADMIN, m2, "Conceptbrief", "Geachte voorzitter")
    world.app.open_comment_round(ADMIN, doc, at(2023, 12, 1, 12))
    before = world.writes()
    with pytest.raises(Forbidden, match="veiligheidsberaad is not a member of LRT nor a guest of "
                                        "LRT-2023-12-15"):
        world.app.comment(GUEST, doc, "Opmerking")
    assert world.writes() == before
    world.app.invite_guest(ADMIN, m2, "veiligheidsberaad")
    assert world.app.comment(GUEST, doc, "Opmerking") == 1


def test_members_report_progress_only_on_their_organisations_actions(world, action):
    before = world.writes()
    with pytest.raises(Forbidden, match=r"^user ipo-lid \(member\) may not report progress on "
                                        r"action LRT-2023-11-10/A1 \(owned by VNG\)$"):
        world.app.report_progress(IPO_MEMBER, action, "n")
    with pytest.raises(Forbidden, match="may not complete actions"):
        world.app.complete_action(MEMBER, action)
    assert world.writes() == before
    world.app.report_progress(MEMBER, action, "Concept volgt.")
    assert world.writes() == before + 1


def test_a_member_proposes_only_for_their_own_organisation(world, circulated):
    before = world.writes()
    with pytest.raises(Forbidden, match="may not propose amendments on behalf of IPO"):
        world.app.propose_amendment(MEMBER, circulated, item=3, point=1, text="x",
                                    on_behalf_of="IPO")
    with pytest.raises(Forbidden, match="may not comment for ambtenaar-ipo"):
        world.app.comment(MEMBER, circulated, "x", for_person="ambtenaar-ipo")
    with pytest.raises(Forbidden, match="may not decide on amendments"):
        world.app.accept_amendment(MEMBER, circulated, 1)
    assert world.writes() == before
    assert world.app.get(Minutes, circulated).status is MinutesStatus.CIRCULATED


def test_a_secretariat_registers_only_for_its_own_organisation_and_tables(world):
    """The issue's repro (a JenV secretariat user registered a BZK secretariat user and used
    it on BZK's table), and the rest of the scope table in `permissions`."""
    app = world.app
    app.register_person(OTHER_SECRETARIAT, "Minister van BZK", person_key="minister-bzk")
    app.register_person(OTHER_SECRETARIAT, "Ambtenaar BZK", person_key="ambtenaar-bzk")
    assert app.register_table(OTHER_SECRETARIAT, "BZK-T", "Tafel van BZK",
                              kind=TableKind.PREPARATORY, secretariat="BZK") == "BZK-T"
    app.appoint_chair(OTHER_SECRETARIAT, "BZK-T", "minister-bzk")
    app.add_member(OTHER_SECRETARIAT, "BZK-T", person="ambtenaar-bzk", organisation="BZK",
                   function="f", since=date(2023, 1, 1))
    before = world.writes()
    refusals = [
        (lambda: app.register_user(ADMIN, "evil", Role.SECRETARIAT, organisation="BZK"),
         r"may not register a secretariat user of BZK \(its own secretariat does\)$"),
        (lambda: app.register_user(ADMIN, "evil", Role.CHAIR, person="minister-bzk"),
         r"may not register a chair user for minister-bzk \(at table BZK-T, run by BZK\)$"),
        (lambda: app.register_user(ADMIN, "evil", Role.MEMBER, organisation="BZK",
                                   person="ambtenaar-bzk"),
         r"may not register a member user for ambtenaar-bzk \(at table BZK-T"),
        (lambda: app.register_user(ADMIN, "evil", Role.GUEST, person="ambtenaar-bzk"),
         r"may not register a guest user for ambtenaar-bzk"),
        (lambda: app.register_table(ADMIN, "BZK-2", "Nog een tafel van BZK",
                                    kind=TableKind.PREPARATORY, secretariat="BZK"),
         r"may not register a table run by BZK \(its own secretariat does\)$"),
        (lambda: app.deactivate_user(ADMIN, OTHER_SECRETARIAT, "weg"),
         r"may not deactivate a secretariat user of BZK"),
        (lambda: app.register_user(OTHER_SECRETARIAT, "evil", Role.AUDITOR),
         r"may not register auditors \(the secretariat of JenV, which keeps the store"),
        (lambda: app.register_user(OTHER_SECRETARIAT, "evil", Role.SECRETARIAT,
                                   organisation="JenV"),
         r"may not register a secretariat user of JenV"),
        (lambda: app.schedule_meeting(ADMIN, "BZK-T", NEXT_YEAR, "Webex"),
         r"may not schedule meetings \(table BZK-T is run by BZK\)$"),
        (lambda: app.appoint_chair(ADMIN, "BZK-T", "minister-jenv"),
         r"may not appoint a chair \(table BZK-T is run by BZK\)$"),
    ]
    for refused, message in refusals:
        with pytest.raises(Forbidden, match=rf"^user (admin|sec-bzk) \(secretariat\) "
                                            rf"{message}"):
            refused()
    assert world.writes() == before
    # BZK registers its own; JenV a login for someone at both tables
    app.register_user(OTHER_SECRETARIAT, "sec-bzk-2", Role.SECRETARIAT, organisation="BZK")
    app.register_user(OTHER_SECRETARIAT, "minister-bzk", Role.CHAIR, person="minister-bzk")
    app.add_member(OTHER_SECRETARIAT, "BZK-T", person="bestuurder-vng", organisation="VNG",
                   function="f", since=date(2023, 1, 1))
    app.register_user(ADMIN, "vng-lid-2", Role.MEMBER, organisation="VNG",
                      person="bestuurder-vng")
    assert world.writes() == before + 4


def test_organisation_codes_are_unique_whatever_their_case(world):
    before = world.writes()
    for code in ("vng", "Vng", "bzk"):
        with pytest.raises(Conflict, match=rf"^organisation {code} already exists \(as "
                                           rf"{code.upper()}\)$"):
            world.app.register_organisation(ADMIN, code, "Nog een")
    assert world.writes() == before
