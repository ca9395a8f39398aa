"""Documents, and comment rounds on documents and minutes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lrt_domain.base import Role, fold
from lrt_domain.comment_rounds import CommentSubmitted, RoundClosed, RoundOpened
from lrt_domain.documents import Document
from lrt_domain.errors import Forbidden, InvalidInput, RuleViolation
from lrt_domain.minutes import Minutes

from worlds.domain import (AFTER_DEADLINE, CIRCULATED_AT, DEADLINE, GUEST, MEMBER, SECRETARIAT, at,
                    circulated, ctx, document, meeting, table)

# --- documents ----------------------------------------------------------------------


def test_add_a_document():
    d = document()
    assert (d.key, d.table, d.meeting, d.code, d.text_version, d.sent_at) == (
        "LRT-2023-11-10/D1", "LRT", "LRT-2023-11-10", "HLRT 15/10 B 0.1", 1, None)


def test_add_refuses_empty_text_and_multiline_title():
    with pytest.raises(InvalidInput, match=r"^text: must not be empty"):
        Document.add(ctx(), "M/D1", table="LRT", meeting="M", title="Brief", text="  ")
    with pytest.raises(InvalidInput, match=r"^title: must be a single line"):
        Document.add(ctx(), "M/D1", table="LRT", meeting="M", title="a\nb", text="t")
    with pytest.raises(InvalidInput, match=r"^text: contains control characters"):
        Document.add(ctx(), "M/D1", table="LRT", meeting="M", title="Brief", text="a\x00")


def test_revise_bumps_the_text_version():
    d = document()
    d = fold(d, d.revise(ctx(), "Geachte voorzitter, hierbij ..."))
    assert (d.text, d.text_version, d.version) == ("Geachte voorzitter, hierbij ...", 2, 2)


def test_revise_with_the_same_text_is_refused():
    d = document()
    with pytest.raises(RuleViolation, match=r"document LRT-2023-11-10/D1: the new text is the "
                                            r"same as version 1"):
        d.revise(ctx(), "  Geachte voorzitter, ...\n")  # same after stripping
    with pytest.raises(InvalidInput, match=r"^text: must not be empty"):
        d.revise(ctx(), "")


def test_send_now_or_record_an_earlier_sending():
    d = document()
    now = at(2023, 11, 3, 17)
    assert fold(d, d.send(ctx(now))).sent_at == now
    earlier = at(2023, 11, 3, 9)
    assert fold(d, d.send(ctx(now), sent_at=earlier)).sent_at == earlier


def test_send_in_the_future_or_naive_is_refused():
    d = document()
    now = at(2023, 11, 3, 17)
    with pytest.raises(InvalidInput, match=r"^sent at: .* is in the future"):
        d.send(ctx(now), sent_at=now + timedelta(minutes=1))
    with pytest.raises(InvalidInput, match=r"^sent at: needs a time zone"):
        d.send(ctx(now), sent_at=datetime(2023, 11, 3, 9))


# --- comment rounds -----------------------------------------------------------------

OPENED = at(2023, 11, 6, 9)
ROUND_DEADLINE = at(2023, 11, 10, 12)  # "tot 12u op 10 november"


def open_document():
    d = document()
    return fold(d, d.open_round(ctx(OPENED), ROUND_DEADLINE))


def comment(d, *, now, person="bestuurder-vng", actor=MEMBER, received_at=None, m=None,
            text="Graag de passage over huisvesting aanscherpen."):
    return d.submit_comment(ctx(now, actor), table=table(), meeting=m or meeting(),
                            person=person, text=text, received_at=received_at)


def test_open_a_round():
    d = open_document()
    rnd = d.current_round
    assert (rnd.number, rnd.opened_at, rnd.deadline, rnd.comments) == (1, OPENED, ROUND_DEADLINE, ())
    assert d.round_open(ROUND_DEADLINE) and not d.round_open(ROUND_DEADLINE + timedelta(
        microseconds=1))


def test_a_deadline_in_the_past_is_refused():
    d = document()
    with pytest.raises(InvalidInput, match=r"^deadline: .* is in the past"):
        d.open_round(ctx(OPENED), OPENED - timedelta(hours=1))
    with pytest.raises(InvalidInput, match=r"^deadline: .* is in the past"):
        d.open_round(ctx(OPENED), OPENED)
    with pytest.raises(InvalidInput, match=r"^deadline: needs a time zone"):
        d.open_round(ctx(OPENED), datetime(2023, 11, 10, 12))


def test_a_second_round_while_one_is_open_is_refused():
    d = open_document()
    with pytest.raises(RuleViolation, match=r"a comment round on LRT-2023-11-10/D1 is already "
                                            r"open until 2023-11-10 12:00"):
        d.open_round(ctx(at(2023, 11, 8)), at(2023, 11, 20))
    # the deadline is inclusive: still open at the deadline itself
    with pytest.raises(RuleViolation, match="already open"):
        d.open_round(ctx(ROUND_DEADLINE), at(2023, 11, 20))


def test_after_the_deadline_a_new_round_can_be_opened():
    d = open_document()
    d = fold(d, d.open_round(ctx(AFTER_DEADLINE), at(2023, 11, 28, 12)))
    assert [r.number for r in d.rounds] == [1, 2]


def test_comment_without_a_round_is_refused():
    with pytest.raises(RuleViolation, match="no comment round was opened on LRT-2023-11-10/D1"):
        comment(document(), now=OPENED)


def test_a_member_comments_for_their_organisation():
    d = open_document()
    event = comment(d, now=at(2023, 11, 8, 9))
    assert isinstance(event, CommentSubmitted)
    assert (event.actor, event.role, event.on_behalf_of) == ("vng-lid", Role.MEMBER, "VNG")
    d = fold(d, event)
    c = d.current_round.comments[0]
    assert (c.number, c.person, c.organisation, c.received_at) == (
        1, "bestuurder-vng", "VNG", at(2023, 11, 8, 9))
    d = fold(d, comment(d, now=at(2023, 11, 9, 9), text="Nog een punt."))
    assert [c.number for c in d.current_round.comments] == [1, 2]


def test_comment_after_the_deadline_is_refused():
    d = open_document()
    with pytest.raises(RuleViolation, match=r"the comment round on LRT-2023-11-10/D1 closed at "
                                            r"2023-11-10 12:00:00; comments are no longer accepted"):
        comment(d, now=ROUND_DEADLINE + timedelta(microseconds=1))


def test_comment_at_exactly_the_deadline_is_accepted():
    d = open_document()
    d = fold(d, comment(d, now=ROUND_DEADLINE))
    assert d.current_round.comments[0].received_at == ROUND_DEADLINE


def test_deadline_is_compared_as_an_instant_not_as_a_wall_clock():
    d = open_document()  # deadline 12:00 Amsterdam = 11:00 UTC in November
    with pytest.raises(RuleViolation, match="closed at 2023-11-10 12:00"):
        comment(d, now=datetime(2023, 11, 10, 11, 30, tzinfo=timezone.utc))
    d = fold(d, comment(d, now=datetime(2023, 11, 10, 11, 0, tzinfo=timezone.utc)))
    assert len(d.current_round.comments) == 1


def test_comment_by_a_non_member_is_refused():
    with pytest.raises(Forbidden, match=r"directeur-coa is not a member of LRT nor a guest of "
                                        r"LRT-2023-11-10 on 2023-11-08"):
        comment(open_document(), now=at(2023, 11, 8), person="directeur-coa")


def test_comment_by_a_guest_of_the_meeting_is_accepted_without_organisation():
    m = meeting()
    m = fold(m, m.invite_guest(ctx(), "veiligheidsberaad"))
    d = open_document()
    event = comment(d, now=at(2023, 11, 8), person="veiligheidsberaad", actor=GUEST, m=m)
    assert event.comment.organisation is None and event.on_behalf_of is None
    assert event.role is Role.GUEST


def test_comment_after_the_membership_ended_is_refused():
    d = open_document()  # ambtenaar-ipo is a member until 2023-11-05 (inclusive)
    with pytest.raises(Forbidden, match=r"ambtenaar-ipo is not a member of LRT .* on 2023-11-08"):
        comment(d, now=at(2023, 11, 8), person="ambtenaar-ipo")


def test_membership_is_judged_on_the_dutch_date_of_receipt():
    d = fold(document(), document().open_round(ctx(at(2023, 11, 1)), ROUND_DEADLINE))
    # 23:30 on 5 November in Amsterdam is 22:30 UTC: still the last day of the membership
    last_evening = datetime(2023, 11, 5, 22, 30, tzinfo=timezone.utc)
    event = comment(d, now=last_evening, person="ambtenaar-ipo")
    assert event.comment.organisation == "IPO"
    # 00:30 on 6 November in Amsterdam is still 5 November in UTC: no longer a member
    past_midnight = datetime(2023, 11, 5, 23, 30, tzinfo=timezone.utc)
    with pytest.raises(Forbidden, match="on 2023-11-06"):
        comment(d, now=past_midnight, person="ambtenaar-ipo")


def test_secretariat_records_a_comment_received_earlier():
    d = open_document()
    received = at(2023, 11, 10, 11, 55)  # by e-mail, before the deadline
    event = comment(d, now=AFTER_DEADLINE, actor=SECRETARIAT, received_at=received)
    assert (event.actor, event.role, event.on_behalf_of) == ("sec-jenv", Role.SECRETARIAT, "VNG")
    assert event.comment.person == "bestuurder-vng"
    assert event.comment.received_at == received and event.timestamp == AFTER_DEADLINE


def test_a_comment_received_after_the_deadline_is_refused_even_when_recorded():
    with pytest.raises(RuleViolation, match="comments are no longer accepted"):
        comment(open_document(), now=AFTER_DEADLINE, actor=SECRETARIAT,
                received_at=ROUND_DEADLINE + timedelta(minutes=1))


def test_received_at_in_the_future_is_refused():
    now = at(2023, 11, 8, 9)
    with pytest.raises(InvalidInput, match=r"^received at: .* is in the future"):
        comment(open_document(), now=now, actor=SECRETARIAT,
                received_at=now + timedelta(minutes=1))
    with pytest.raises(InvalidInput, match=r"^received at: needs a time zone"):
        comment(open_document(), now=now, actor=SECRETARIAT,
                received_at=datetime(2023, 11, 8, 8))


def test_an_empty_comment_is_refused():
    with pytest.raises(InvalidInput, match=r"^text: must not be empty"):
        comment(open_document(), now=at(2023, 11, 8), text=" ")


def test_comments_go_to_the_latest_round():
    d = open_document()
    d = fold(d, comment(d, now=at(2023, 11, 8)))
    d = fold(d, d.open_round(ctx(AFTER_DEADLINE), at(2023, 11, 28, 12)))
    d = fold(d, comment(d, now=at(2023, 11, 22)))
    assert [len(r.comments) for r in d.rounds] == [1, 1]
    assert d.rounds[1].comments[0].number == 1


def test_rounds_on_minutes_work_the_same():
    mins = circulated()
    assert isinstance(mins, Minutes) and mins.current_round.deadline == DEADLINE
    mins = fold(mins, comment(mins, now=CIRCULATED_AT + timedelta(hours=1)))
    assert mins.current_round.comments[0].organisation == "VNG"
    with pytest.raises(RuleViolation, match="comments are no longer accepted"):
        comment(mins, now=AFTER_DEADLINE)


def test_a_document_round_is_a_plain_round_opened_event():
    event = document().open_round(ctx(OPENED), ROUND_DEADLINE)
    assert type(event) is RoundOpened and event.TOPIC == "lrt.CommentRound.Opened"


def test_a_comment_received_before_the_round_opened_is_refused():
    d = open_document()
    before = d.current_round.opened_at - timedelta(minutes=1)
    with pytest.raises(InvalidInput, match=r"^received at: .* before the comment round"):
        comment(d, now=AFTER_DEADLINE, actor=SECRETARIAT, received_at=before)


# --- closing a round early ----------------------------------------------------------


def test_the_secretariat_closes_an_open_round_early():
    d = open_document()
    d = fold(d, comment(d, now=at(2023, 11, 8, 9)))
    closed_at = at(2023, 11, 9, 16, 30)
    event = d.close_round(ctx(closed_at))
    assert type(event) is RoundClosed and event.TOPIC == "lrt.CommentRound.Closed"
    assert (event.number, event.closed_at, event.actor) == (1, closed_at, "sec-jenv")
    d = fold(d, event)
    rnd = d.current_round
    assert (rnd.deadline, rnd.announced_deadline, rnd.closed_early) == (
        closed_at, ROUND_DEADLINE, True)
    assert len(rnd.comments) == 1  # what came in stays
    assert not d.round_open(closed_at + timedelta(microseconds=1))
    with pytest.raises(RuleViolation, match=r"closed at 2023-11-09 16:30:00; comments are no "
                                            r"longer accepted"):
        comment(d, now=at(2023, 11, 9, 17))
    # a new round may be opened at once
    d = fold(d, d.open_round(ctx(at(2023, 11, 9, 17)), at(2023, 11, 20, 12)))
    assert [r.number for r in d.rounds] == [1, 2]


def test_closing_when_no_round_is_open_is_refused():
    with pytest.raises(RuleViolation, match=r"^no comment round is open on LRT-2023-11-10/D1$"):
        document().close_round(ctx(OPENED))
    d = open_document()
    with pytest.raises(RuleViolation, match=r"^no comment round is open on LRT-2023-11-10/D1 "
                                            r"\(round 1 closed at 2023-11-10 12:00:00\)$"):
        d.close_round(ctx(AFTER_DEADLINE))


def test_minutes_closed_early_can_be_approved_and_take_no_more_comments():
    mins = circulated()
    closed = at(2023, 11, 15, 10)
    with pytest.raises(RuleViolation, match="open until 2023-11-20 12:00:00"):
        mins._check_approvable(ctx(closed))
    mins = fold(mins, mins.close_round(ctx(closed)))
    mins._check_approvable(ctx(closed + timedelta(seconds=1)))  # no longer refused
    with pytest.raises(RuleViolation, match="comments are no longer accepted"):
        comment(mins, now=closed + timedelta(minutes=1))
