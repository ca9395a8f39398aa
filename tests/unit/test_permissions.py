"""Who may do what (lrt_domain/permissions.py), role by role."""

from __future__ import annotations

from datetime import date

import pytest

from lrt_domain import permissions, read_rules
from lrt_domain.base import Actor, Role, fold
from lrt_domain.errors import Forbidden
from lrt_domain.meetings import Meeting
from lrt_domain.read_rules import State, View

from worlds.domain import (AUDITOR, CHAIR, GUEST, IPO_MEMBER, MEMBER, OTHER_CHAIR, OTHER_SECRETARIAT,
                    OUTSIDER, SECRETARIAT, action, ctx, meeting, table)

DAY = date(2023, 11, 8)  # IPO's membership ended on 5 November
ALL = [SECRETARIAT, OTHER_SECRETARIAT, CHAIR, OTHER_CHAIR, MEMBER, IPO_MEMBER, OUTSIDER, GUEST,
       AUDITOR]


def invited_meeting():
    m = meeting()
    return fold(m, m.invite_guest(ctx(), "veiligheidsberaad"))


# --- administration -----------------------------------------------------------------


@pytest.mark.parametrize("actor", ALL, ids=lambda a: a.user)
def test_only_secretariats_administer(actor):
    if actor.role is Role.SECRETARIAT:
        permissions.require_administrator(actor, "register organisations")
    else:
        with pytest.raises(Forbidden, match=rf"^user {actor.user} \({actor.role}\) may not "
                                            r"register organisations$"):
            permissions.require_administrator(actor, "register organisations")


# --- managing a table ---------------------------------------------------------------


@pytest.mark.parametrize("actor,expected", [
    (SECRETARIAT, True), (CHAIR, True), (OTHER_SECRETARIAT, False), (OTHER_CHAIR, False),
    (MEMBER, False), (IPO_MEMBER, False), (OUTSIDER, False), (GUEST, False), (AUDITOR, False),
], ids=lambda v: v.user if isinstance(v, Actor) else str(v))
def test_who_manages_the_table(actor, expected):
    assert permissions.manages(actor, table()) is expected
    if expected:
        permissions.require_manager(actor, table(), "schedule meetings")
    else:
        with pytest.raises(Forbidden, match=rf"^user {actor.user} \({actor.role}\) may not "
                                            r"schedule meetings \(table LRT is run by JenV\)$"):
            permissions.require_manager(actor, table(), "schedule meetings")


def test_a_secretariat_user_of_the_running_organisation_without_person_manages():
    assert permissions.manages(Actor(user="x", role=Role.SECRETARIAT, organisation="JenV"),
                               table())


def test_a_chair_manages_only_while_chairing():
    t = table()
    t = fold(t, t.appoint_chair(ctx(), "minister-am"))
    assert not permissions.manages(CHAIR, t)
    assert permissions.manages(Actor(user="am", role=Role.CHAIR, person="minister-am"), t)


def test_a_member_of_the_running_organisation_does_not_manage():
    jenv_member = Actor(user="j", role=Role.MEMBER, organisation="JenV", person="p")
    assert not permissions.manages(jenv_member, table())


# --- commenting ---------------------------------------------------------------------


@pytest.mark.parametrize("actor", [SECRETARIAT, CHAIR], ids=lambda a: a.user)
def test_managers_record_a_comment_for_a_person(actor):
    assert permissions.commenter(actor, table(), "bestuurder-vng") == "bestuurder-vng"
    with pytest.raises(Forbidden, match=r"^for: the secretariat records a comment for a person"):
        permissions.commenter(actor, table(), None)


@pytest.mark.parametrize("actor", [MEMBER, IPO_MEMBER, OUTSIDER, GUEST], ids=lambda a: a.user)
def test_members_and_guests_comment_as_themselves(actor):
    # whether they belong to the table on that day is the comment round's rule
    assert permissions.commenter(actor, table(), None) == actor.person
    assert permissions.commenter(actor, table(), actor.person) == actor.person
    with pytest.raises(Forbidden, match=r"may not comment for bestuurder-x$"):
        permissions.commenter(actor, table(), "bestuurder-x")


@pytest.mark.parametrize("actor", [OTHER_SECRETARIAT, OTHER_CHAIR, AUDITOR],
                         ids=lambda a: a.user)
def test_others_may_not_comment(actor):
    with pytest.raises(Forbidden, match=rf"^user {actor.user} \({actor.role}\) may not comment "
                                        r"at table LRT$"):
        permissions.commenter(actor, table(), "bestuurder-vng")


def test_a_member_without_a_person_may_not_comment():
    with pytest.raises(Forbidden, match="may not comment at table LRT"):
        permissions.commenter(Actor(user="x", role=Role.MEMBER, organisation="VNG"), table(),
                              None)


# --- amendments ---------------------------------------------------------------------


@pytest.mark.parametrize("actor", [SECRETARIAT, CHAIR], ids=lambda a: a.user)
def test_managers_propose_amendments_for_a_named_organisation(actor):
    assert permissions.amending_organisation(actor, table(), "IPO", DAY) == "IPO"
    with pytest.raises(Forbidden, match=r"^on behalf of: the secretariat records an amendment "
                                        r"for an organisation"):
        permissions.amending_organisation(actor, table(), None, DAY)


def test_a_member_proposes_for_their_own_organisation():
    assert permissions.amending_organisation(MEMBER, table(), None, DAY) == "VNG"
    assert permissions.amending_organisation(MEMBER, table(), "VNG", DAY) == "VNG"
    with pytest.raises(Forbidden, match=r"^user vng-lid \(member\) may not propose amendments "
                                        r"on behalf of IPO$"):
        permissions.amending_organisation(MEMBER, table(), "IPO", DAY)


def test_the_organisation_is_the_membership_not_the_user_record():
    # the person represents VNG at the table even if the user names another organisation
    odd = Actor(user="odd", role=Role.MEMBER, organisation="Aedes", person="bestuurder-vng")
    assert permissions.amending_organisation(odd, table(), None, DAY) == "VNG"


def test_a_former_member_may_not_propose_amendments():
    assert permissions.amending_organisation(IPO_MEMBER, table(), None, date(2023, 11, 5)) == "IPO"
    with pytest.raises(Forbidden, match=r"^user ipo-lid \(member\) may not propose amendments "
                                        r"at table LRT$"):
        permissions.amending_organisation(IPO_MEMBER, table(), None, DAY)


@pytest.mark.parametrize("actor", [OUTSIDER, GUEST, AUDITOR, OTHER_SECRETARIAT, OTHER_CHAIR],
                         ids=lambda a: a.user)
def test_others_may_not_propose_amendments(actor):
    with pytest.raises(Forbidden, match="may not propose amendments at table LRT"):
        permissions.amending_organisation(actor, table(), None, DAY)


# --- progress on actions ------------------------------------------------------------


@pytest.mark.parametrize("actor", [SECRETARIAT, CHAIR, MEMBER], ids=lambda a: a.user)
def test_managers_and_owning_members_report_progress(actor):
    permissions.require_progress_reporter(actor, table(), action(owners=("VNG", "COA")))


@pytest.mark.parametrize("actor", [IPO_MEMBER, GUEST, AUDITOR, OTHER_SECRETARIAT, OTHER_CHAIR],
                         ids=lambda a: a.user)
def test_others_may_not_report_progress(actor):
    with pytest.raises(Forbidden, match=r"may not report progress on action LRT-2023-11-10/A1 "
                                        r"\(owned by VNG, COA\)$"):
        permissions.require_progress_reporter(actor, table(), action(owners=("VNG", "COA")))


def test_a_member_of_an_owning_organisation_outside_the_table_reports_progress():
    permissions.require_progress_reporter(OUTSIDER, table(), action(owners=("VNG", "COA")))


# --- reading drafts (lrt_domain.read_rules) -----------------------------------------


def _reads(actor: Actor, m: Meeting, day: date, view: View = View.MINUTES) -> bool:
    return read_rules.may_read(actor, view, table(), day=day, meeting=m)


@pytest.mark.parametrize("actor,expected", [
    (SECRETARIAT, True), (CHAIR, True), (AUDITOR, True), (MEMBER, True),
    (IPO_MEMBER, False),  # membership ended before DAY
    (OUTSIDER, False), (OTHER_SECRETARIAT, False), (OTHER_CHAIR, False),
    (GUEST, True),  # invited to this meeting
], ids=lambda v: v.user if isinstance(v, Actor) else str(v))
def test_who_reads_the_drafts(actor, expected):
    m = invited_meeting()
    assert _reads(actor, m, DAY) is expected
    if expected:
        read_rules.require_reader(actor, View.MINUTES, table(), "the draft", day=DAY,
                                  meeting=m)
    else:
        with pytest.raises(Forbidden, match=rf"^user {actor.user} \({actor.role}\) may not read "
                                            r"the draft$"):
            read_rules.require_reader(actor, View.MINUTES, table(), "the draft", day=DAY,
                                      meeting=m)


def test_a_guest_reads_only_the_meeting_they_are_invited_to():
    assert not _reads(GUEST, meeting(), DAY)


def test_a_former_member_read_drafts_while_a_member():
    assert _reads(IPO_MEMBER, meeting(), date(2023, 11, 5))


def test_a_former_member_keeps_the_minutes_approved_while_a_member():
    def approved(on: date) -> bool:
        return read_rules.may_read(IPO_MEMBER, View.MINUTES, table(), day=DAY,
                                   meeting=meeting(), state=State.APPROVED, approved_on=on)

    assert approved(date(2023, 11, 5)) and not approved(DAY)


# --- the read rules decided without the minutes (read_rules.settled) ---------------------


@pytest.mark.parametrize("actor", ALL, ids=lambda a: a.user)
def test_a_settled_answer_is_the_answer_in_every_state_of_the_minutes(actor):
    """`settled` lets the views skip reading a meeting's minutes; when it answers, it is
    `may_read`'s answer whatever the minutes' state and day of approval."""
    t, days = table(), [date(2023, 10, 1), DAY, date(2023, 11, 1), date(2024, 1, 1)]
    for m in (None, meeting(), invited_meeting()):
        for view in View:
            for day in days:
                answer = read_rules.settled(actor, view, t, day=day, meeting=m)
                if answer is None:
                    continue
                for state in State:
                    for approved_on in (None, *days):
                        assert read_rules.may_read(
                            actor, view, t, day=day, meeting=m, state=state,
                            approved_on=approved_on) is answer, (view, day, state)
    # a member of the table, or a stranger to it, is settled for the views of a meeting
    assert read_rules.settled(MEMBER, View.MINUTES, t, day=DAY, meeting=meeting()) is True
    assert read_rules.settled(OUTSIDER, View.MINUTES, t, day=DAY, meeting=meeting()) is False
    # who was a member once depends on when the minutes were approved
    assert read_rules.settled(IPO_MEMBER, View.MINUTES, t, day=DAY, meeting=meeting()) is None
