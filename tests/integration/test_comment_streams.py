"""Comments in their own streams (issue 16) beside the comments of stores from before.

A store written before issue 16 holds its comments as events of their subject
(`lrt.CommentRound.CommentSubmitted` on the minutes or the document). Those events are
neither rewritten nor migrated: every view reads both forms. Here the old events are written
exactly as the old command wrote them (the domain's `submit_comment`, saved on the subject),
then lrt comments on the same rounds in the new form; every view, the history, the as-of
views and the audit must show one round of comments, numbered in the order recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lrt_domain.errors import NotFound, RuleViolation

from lrt_app.audit import Replay, verify
from lrt_domain.base import Context
from lrt_domain.comments import Comment, round_range
from lrt_domain.directory import User
from lrt_domain.documents import Document
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes
from lrt_domain.tables import Table
from projections.history import history
from projections.views import Views

from worlds.application import (ADMIN, AUDITOR, DEADLINE, IPO_MEMBER, MEMBER, at, interleave,
                                items)


def old_comment(app, login: str, on: str, text: str, *, cls=Minutes) -> None:
    """A comment as lrt wrote it before issue 16: an event of its subject."""
    subject = app.get(cls, on)
    ctx = Context(actor=app.get(User, login).as_actor, now=app.clock.now())
    person = app.get(User, login).person
    app.save(subject.submit_comment(ctx, table=app.get(Table, subject.table),
                                    meeting=app.get(Meeting, subject.meeting),
                                    person=person, text=text))


@pytest.fixture
def mixed(world, circulated):
    """Two comments in the old form, then two in the new form, on the minutes' round."""
    app = world.app
    world.clock.set(DEADLINE - timedelta(days=3))
    old_comment(app, MEMBER, circulated, "Oud 1")
    world.clock.advance(minutes=5)
    old_comment(app, IPO_MEMBER, circulated, "Oud 2")
    world.clock.advance(minutes=5)
    between = world.clock.now()
    world.clock.advance(minutes=5)
    numbers = [app.comment(MEMBER, circulated, "Nieuw 3"),
               app.comment(IPO_MEMBER, circulated, "Nieuw 4")]
    return circulated, numbers, between


def test_new_comments_are_numbered_after_the_old_ones(world, mixed):
    circulated, numbers, _ = mixed
    assert numbers == [3, 4]
    m = world.app.get(Minutes, circulated)
    assert [c.text for c in m.current_round.comments] == ["Oud 1", "Oud 2"]  # as stored
    assert [(c.number, c.text) for c in world.app.round_comments(m, 1)] == [
        (1, "Oud 1"), (2, "Oud 2"), (3, "Nieuw 3"), (4, "Nieuw 4")]
    # the new ones are streams of their own: the minutes did not change
    assert m.version == 4  # drafted, circulated, two old comments
    lo, hi = round_range(circulated, 1)
    assert len(world.app.recorder.first_events(lo, hi)) == 2


def test_every_view_shows_both_forms(world, mixed):
    circulated, _, _ = mixed
    views = Views.open(world.app)
    auditor = world.app.actor(AUDITOR)
    assert [(c["number"], c["text"]) for c in views.comments(auditor, circulated)] == [
        (1, "Oud 1"), (2, "Oud 2"), (3, "Nieuw 3"), (4, "Nieuw 4")]
    assert views.minutes(auditor, circulated)["comment_rounds"][0]["comments"] == 4
    [row] = views.deadlines(DEADLINE - timedelta(days=1))
    assert row["comments"] == 4
    assert row["commented"] == ["ambtenaar-ipo", "bestuurder-vng"]


def test_as_of_views_count_what_was_recorded_by_then(world, mixed):
    circulated, _, between = mixed
    auditor = world.app.actor(AUDITOR)
    then = Views.as_of(world.app, between)
    assert [c["text"] for c in then.comments(auditor, circulated)] == ["Oud 1", "Oud 2"]
    now = Views.as_of(world.app, world.clock.now())
    assert [c["text"] for c in now.comments(auditor, circulated)] == [
        "Oud 1", "Oud 2", "Nieuw 3", "Nieuw 4"]


def test_the_meetings_history_has_the_comments_of_both_forms(world, mixed):
    circulated, _, between = mixed
    rows = [(r["object"], r["event"]) for r in history(world.app, circulated)
            if "Submitted" in r["event"]]
    assert rows == [("minutes", "CommentRound.CommentSubmitted")] * 2 + [
        ("comment", "Comment.Submitted")] * 2
    assert len([r for r in history(world.app, circulated, until=between)
                if "Submitted" in r["event"]]) == 2


def test_the_log_with_both_forms_follows_the_rules(world, mixed):
    report = verify(world.app.recorder, replay=Replay(world.app))
    assert report.ok, report.broken


def test_a_document_round_reads_both_forms(world, meetings):
    app = world.app
    m1, _ = meetings
    doc = app.add_document(ADMIN, m1, "Brief", "Tekst.")
    world.clock.set(at(2023, 11, 15, 9))
    app.open_comment_round(ADMIN, doc, at(2023, 11, 17, 12))
    old_comment(app, MEMBER, doc, "Oud", cls=Document)
    assert app.comment(IPO_MEMBER, doc, "Nieuw") == 2
    views = Views.open(app)
    [rnd] = views.document(doc)["comment_rounds"]
    assert [c["text"] for c in rnd["comments"]] == ["Oud", "Nieuw"]
    assert [r["event"] for r in history(app, doc) if "Submitted" in r["event"]] == [
        "CommentRound.CommentSubmitted", "Comment.Submitted"]
    # a comment's own history is read by its subject's rule
    [stream] = app.comment_events(doc, 1)
    assert [r["event"] for r in views.history(app.actor(AUDITOR), stream.key)] == [
        "Comment.Submitted"]
    assert isinstance(views.get(Comment, stream.key), Comment)


# --- amendments: the proposal in its own stream, the decision on the minutes ---------------

def test_proposals_of_both_forms_are_numbered_decided_and_shown(world, circulated, meetings):
    """An amendment proposed on the minutes (as lrt did before issue 16) keeps number 1;
    one proposed now, in its own stream, is number 2; both are decided by their numbers,
    shown by the views, and the log with both follows the rules."""
    from lrt_domain.minutes import AmendmentStatus

    app = world.app
    world.clock.set(DEADLINE - timedelta(days=3))
    m = app.get(Minutes, circulated)
    ctx = Context(actor=app.get(User, MEMBER).as_actor, now=app.clock.now())
    app.save(m.propose_amendment(ctx, organisation="VNG", item=1, point=None, text="Oud."))
    assert app.propose_amendment(MEMBER, circulated, item=1, point=1, text="Nieuw.") == 2
    assert app.get(Minutes, circulated).version == m.version + 1  # the old one only
    # not approvable while the proposal in its stream is pending
    world.clock.set(DEADLINE + timedelta(days=1))
    _, m2 = meetings
    world.hold(m2)
    with pytest.raises(RuleViolation, match="amendment 1 of .* is still pending"):
        app.approve_minutes(ADMIN, circulated, at_meeting=m2)
    app.reject_amendment(ADMIN, circulated, 1, "Niet nodig.")
    with pytest.raises(RuleViolation, match="amendment 2 of .* is still pending"):
        app.approve_minutes(ADMIN, circulated, at_meeting=m2)
    app.accept_amendment(ADMIN, circulated, 2)
    with pytest.raises(RuleViolation, match="amendment 2 of .* was already accepted"):
        app.accept_amendment(ADMIN, circulated, 2)
    with pytest.raises(NotFound, match="have no amendment 3"):
        app.accept_amendment(ADMIN, circulated, 3)
    mins = app.get(Minutes, circulated)
    assert mins.item(1).points[0].text == "Nieuw."
    shown = Views.open(app).minutes(app.actor(AUDITOR), circulated)["amendments"]
    assert [(a["number"], a["text"], a["status"]) for a in shown] == [
        (1, "Oud.", AmendmentStatus.REJECTED.value), (2, "Nieuw.", "accepted")]
    app.approve_minutes(ADMIN, circulated, at_meeting=m2)
    assert app.get(Minutes, circulated).approval.amendments == (2,)
    report = verify(app.recorder, replay=Replay(app))
    assert report.ok, report.broken


def test_proposing_at_once_never_conflicts(world, make_app, monkeypatch, circulated):
    first, second = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    outcomes = interleave(monkeypatch, first, lambda: second.propose_amendment(
        ADMIN, circulated, item=1, point=None, text="Tweede.", on_behalf_of="IPO"))
    assert first.propose_amendment(MEMBER, circulated, item=1, point=None, text="Eerste.") == 2
    assert outcomes == ["saved"]


def test_an_approval_never_passes_a_proposal_saved_meanwhile(world, make_app, monkeypatch,
                                                            circulated, meetings):
    """The approval read no pending proposal; another process saves one before the
    approval is saved: the approval's save finds it (in its transaction) and the approval
    is decided again, and refused."""
    first, second = world.app, make_app()
    _, m2 = meetings
    world.clock.set(DEADLINE + timedelta(days=1))
    world.hold(m2)
    real, proposed = first.save, []

    def save(*events, **kwargs):
        if not proposed:
            # (proposed by the secretariat, after the round: proposals follow no deadline)
            proposed.append(second.propose_amendment(ADMIN, circulated, item=1, point=None,
                                                     text="Te laat?", on_behalf_of="IPO"))
        return real(*events, **kwargs)

    monkeypatch.setattr(first, "save", save)
    with pytest.raises(RuleViolation, match="amendment 1 of .* is still pending"):
        first.approve_minutes(ADMIN, circulated, at_meeting=m2)
    assert proposed == [1]
    assert first.get(Minutes, circulated).approval is None


def test_numbers_counted_on_from_the_last_count_take_in_other_writers(world, mixed,
                                                                      make_app):
    """A comment's number is counted on from the application's last count of its round
    (the log since, not the round again): comments another process saved meanwhile, on this
    round and on another, are counted where they belong."""
    circulated, numbers, _ = mixed
    app, other = world.app, make_app()
    second = world.schedule(at(2023, 11, 16, 10))  # recorded after the fact
    world.hold(second)
    app.draft_minutes(ADMIN, second, items())
    app.circulate_minutes(ADMIN, second, DEADLINE)
    got = [app.comment(MEMBER, circulated, "Nieuw 5")]
    got.append(other.comment(IPO_MEMBER, circulated, "Van elders 6"))
    other.comment(IPO_MEMBER, second, "Andere ronde 1")
    got.append(app.comment(MEMBER, circulated, "Nieuw 7"))
    got.append(app.comment(MEMBER, second, "Andere ronde 2"))
    got.append(other.comment(IPO_MEMBER, circulated, "Van elders 8"))
    got.append(app.comment(MEMBER, circulated, "Nieuw 9"))
    assert numbers + got == [3, 4, 5, 6, 7, 2, 8, 9]
    m = app.get(Minutes, circulated)
    assert [c.number for c in app.round_comments(m, 1)] == list(range(1, 10))


def test_proposals_numbered_on_from_the_last_count_take_in_other_writers(world, circulated,
                                                                         make_app):
    """A proposal's number is counted on from the application's last count of its
    minutes' proposals: another process's proposals meanwhile are counted too."""
    app, other = world.app, make_app()
    world.clock.set(DEADLINE - timedelta(days=2))
    numbers = []
    for i, writer in enumerate([app, other, other, app, app, other, app]):
        login = MEMBER if writer is app else IPO_MEMBER
        numbers.append(writer.propose_amendment(login, circulated, item=3, point=1,
                                                text=f"Voorstel {i + 1}"))
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
