"""Two processes on one store: one wins, the other gets a clear error or is decided again on
the fresh state; never a lost update.

The second process is a second `Lrt` on the same SQLite file. The interleaving is made exact
by letting the second one act just before the first one saves what it decided."""

from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.persistence import IntegrityError

from lrt_app import application
from lrt_domain.directory import Organisation
from lrt_domain.errors import Conflict, RuleViolation
from lrt_domain.minutes import Item, Minutes, MinutesStatus, Point

from worlds.application import ADMIN, CHAIR, DEADLINE, MEMBER, interleave, items


@pytest.fixture
def ready_for_approval(world, circulated, meetings):
    """The comment round has ended and the next meeting was held."""
    _, m2 = meetings
    world.hold(m2)
    assert world.clock.now() > DEADLINE
    return circulated, m2


def approvals(app, minutes_key: str) -> list:
    return [e for e in app.events_of(Minutes.id_for(minutes_key))
            if e.TOPIC == "lrt.Minutes.Approved"]


def test_two_processes_approving_the_same_minutes_one_wins(world, make_app, monkeypatch,
                                                           ready_for_approval):
    minutes, m2 = ready_for_approval
    first, second = world.app, make_app()
    outcomes = interleave(monkeypatch, first,
                          lambda: second.approve_minutes(CHAIR, minutes, at_meeting=m2), times=1)
    with pytest.raises(RuleViolation, match=r"minutes LRT-2023-11-10 are approved and final; "
                                            r"cannot approve them"):
        first.approve_minutes(ADMIN, minutes, at_meeting=m2)
    assert outcomes == ["conflict"]  # it had decided on the stale state, then decided again
    for app in (first, second):
        assert [e.actor for e in approvals(app, minutes)] == [CHAIR]
        assert app.get(Minutes, minutes).status is MinutesStatus.APPROVED


def test_approving_again_from_another_process_is_refused(world, make_app, ready_for_approval):
    minutes, m2 = ready_for_approval
    second = make_app()
    second.approve_minutes(CHAIR, minutes, at_meeting=m2)
    before = world.writes()
    with pytest.raises(RuleViolation, match="approved and final; cannot approve"):
        world.app.approve_minutes(ADMIN, minutes, at_meeting=m2)
    assert world.writes() == before
    assert len(approvals(world.app, minutes)) == 1


def test_interleaved_comments_from_two_processes_never_conflict(world, make_app, monkeypatch,
                                                                circulated):
    """Each comment is its own stream (issue 16): a comment saved by another process between
    our decision and our save does not touch what we write, so ours is saved at once."""
    first, second = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    texts = iter(["Tweede proces 1", "Tweede proces 2", "Tweede proces 3"])
    outcomes = interleave(
        monkeypatch, first,
        lambda: second.comment(ADMIN, circulated, next(texts), for_person="ambtenaar-ipo",
                               received_at=DEADLINE - timedelta(days=3)), times=1)
    assert first.comment(MEMBER, circulated, "Eerste proces") == 2
    assert outcomes == ["saved"]
    for app in (first, second):
        m = app.get(Minutes, circulated)
        comments = app.round_comments(m, 1)
        assert [(c.number, c.text) for c in comments] == [
            (1, "Tweede proces 1"), (2, "Eerste proces")]
    assert not any(e.TOPIC == "lrt.CommentRound.CommentSubmitted"
                   for e in first.events_of(Minutes.id_for(circulated)))


def test_alternating_comments_from_two_processes(world, make_app, circulated):
    first, second = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    numbers = []
    for i in range(3):
        numbers.append(first.comment(MEMBER, circulated, f"VNG {i}"))
        numbers.append(second.comment(ADMIN, circulated, f"IPO {i}", for_person="ambtenaar-ipo"))
    assert numbers == [1, 2, 3, 4, 5, 6]
    comments = first.round_comments(first.get(Minutes, circulated), 1)
    assert [c.organisation for c in comments] == ["VNG", "IPO"] * 3


def test_a_comment_is_decided_again_when_its_subject_changed(world, make_app, monkeypatch,
                                                            circulated):
    """The comment is saved only if the minutes are still as it read them: an amendment
    accepted meanwhile (an event of the minutes) makes it decide again, and it is kept."""
    first, second = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    outcomes = interleave(
        monkeypatch, first,
        lambda: second.accept_amendment(ADMIN, circulated, second.propose_amendment(
            ADMIN, circulated, item=1, point=None, text="Welkom.", on_behalf_of="IPO")),
        times=1)
    assert first.comment(MEMBER, circulated, "Eerste proces") == 1
    assert outcomes == ["conflict", "saved"]


def test_when_the_subject_keeps_changing_the_command_gives_up_clearly(
        world, make_app, monkeypatch, circulated):
    first, second = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    outcomes = interleave(
        monkeypatch, first,
        lambda: second.accept_amendment(ADMIN, circulated, second.propose_amendment(
            ADMIN, circulated, item=1, point=None, text="Welkom.", on_behalf_of="IPO")),
        times=application.RETRIES)
    with pytest.raises(Conflict, match="someone else changed the same thing at the same time; "
                                       "try again"):
        first.comment(MEMBER, circulated, "Eerste proces")
    assert outcomes == ["conflict"] * application.RETRIES
    assert second.round_comments(second.get(Minutes, circulated), 1) == []


def test_a_comment_received_before_the_closing_and_saved_after_it_is_kept(
        world, make_app, monkeypatch, circulated):
    """The rule for the race: on time is received at or before the closing's time."""
    first, second = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    closed = []
    outcomes = interleave(monkeypatch, first, lambda: closed.append(
        second.close_comment_round(ADMIN, circulated, Minutes)), times=1)
    assert first.comment(MEMBER, circulated, "Net voor de sluiting") == 1
    assert outcomes == ["conflict", "saved"]  # decided again on the closed round: on time
    [comment] = first.round_comments(first.get(Minutes, circulated), 1)
    assert comment.received_at <= closed[0].closed_at


def test_a_comment_received_after_the_closing_is_refused_though_read_before_it(
        world, make_app, monkeypatch, circulated):
    """The closing reads its time; a comment is received after that time and reads the
    round while it is still open; the closing is saved; then the comment: it is decided
    again on the closed round, and refused (received after the closing's time)."""
    commenter, closer = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    real_comment_save, real_close_save = commenter.save, closer.save
    log: list[str] = []
    refused: list[Exception] = []

    def comment_save(*events, **kwargs):
        if "closing saved" not in log:
            log.append("closing saved")
            log.append(repr(real_close_save(*pending, **pending_kwargs)))
        try:
            result = real_comment_save(*events, **kwargs)
        except IntegrityError:
            log.append("comment: conflict")
            raise
        log.append("comment saved")
        return result

    pending: list = []
    pending_kwargs: dict = {}

    def close_save(*events, **kwargs):
        pending[:] = list(events)
        pending_kwargs.update(kwargs)
        with pytest.raises(RuleViolation, match="comments are no longer accepted") as e:
            commenter.comment(MEMBER, circulated, "Na de sluiting")
        refused.append(e.value)
        return []

    monkeypatch.setattr(commenter, "save", comment_save)
    monkeypatch.setattr(closer, "save", close_save)
    closer.close_comment_round(ADMIN, circulated, Minutes)
    assert refused and log[0] == "closing saved" and log[-1] == "comment: conflict"
    m = commenter.get(Minutes, circulated)
    assert m.current_round.closed_early
    assert commenter.round_comments(m, 1) == []


def test_a_closing_is_decided_again_when_a_later_comment_was_saved_first(
        world, make_app, monkeypatch, circulated):
    """A comment received after the closing's time but saved before the closing: the
    closing finds it in its transaction and is decided again, at a later time, so the
    comment is on time and no stored comment is later than its round."""
    first, second = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    outcomes = interleave(monkeypatch, first, lambda: second.comment(MEMBER, circulated,
                                                                      "Later ontvangen"),
                          times=1)
    closed = first.close_comment_round(ADMIN, circulated, Minutes)
    assert outcomes == ["conflict", "saved"]
    [comment] = first.round_comments(first.get(Minutes, circulated), 1)
    assert comment.received_at <= closed.closed_at


def test_a_revision_on_a_stale_version_is_a_conflict_not_a_lost_update(
        world, make_app, monkeypatch, circulated):
    first, second = world.app, make_app()
    theirs = [*items(), Item(number=4, title="WVTTK", points=(Point(text="Geen."),))]
    ours = [items()[0]]
    interleave(monkeypatch, first,
               lambda: second.revise_minutes(ADMIN, circulated, theirs, base_version=1), times=1)
    before = world.writes()
    # reported either way: as a stale base version, or as a concurrent write
    with pytest.raises(Conflict, match=r"someone (revised them meanwhile|else changed the same "
                                       r"thing at the same time)"):
        first.revise_minutes(ADMIN, circulated, ours, base_version=1)
    assert world.writes() == before + 1  # the other process's revision only
    mins = first.get(Minutes, circulated)
    assert mins.text_version == 2 and [it.number for it in mins.items] == [1, 3, 4]


def test_a_revision_without_base_version_is_not_silently_replaced(
        world, make_app, monkeypatch, circulated):
    """Two whole new texts at once: the second is never saved over the first unseen."""
    first, second = world.app, make_app()
    theirs = [*items(), Item(number=4, title="WVTTK", points=(Point(text="Geen."),))]
    ours = [items()[0]]
    interleave(monkeypatch, first, lambda: second.revise_minutes(ADMIN, circulated, theirs),
               times=1)
    with pytest.raises(Conflict, match="someone else changed the same thing at the same time"):
        first.revise_minutes(ADMIN, circulated, ours)
    mins = first.get(Minutes, circulated)
    assert mins.text_version == 2 and [it.number for it in mins.items] == [1, 3, 4]


def test_two_processes_registering_the_same_organisation(world, make_app, monkeypatch):
    first, second = world.app, make_app()
    interleave(monkeypatch, first,
               lambda: second.register_organisation(ADMIN, "AEDES", "Aedes"), times=1)
    with pytest.raises(Conflict, match="^organisation AEDES already exists$"):
        first.register_organisation(ADMIN, "AEDES", "Aedes vereniging van woningcorporaties")
    assert first.get(Organisation, "AEDES").name == "Aedes"
    assert len(first.events_of(Organisation.id_for("AEDES"))) == 1
