"""Comment rounds (commentaarrondes) on minutes and on meeting documents.

A round has an exact deadline ("tot 12u op 10 november"). Until then members of the table,
and guests invited to the meeting, may comment; the secretariat may record a comment that
reached it on a member's behalf, with the time it was received. After the deadline every
comment is refused. One round is open at a time. The secretariat (or the chair) may close
the open round before its deadline: from then on it counts as closed, its deadline is the
moment it was closed, and the deadline first announced is kept beside it.

Since issue 16 a comment is its own small aggregate (`lrt_domain.comments`,
`comment_in_stream`); the round (its opening, deadline and closing) stays here, on its
subject. A comment is on time when it was received at or before the round's deadline and
at or before the moment the round was closed (the closing's recorded time), whatever the
order in which the two reach the store (`lrt_app.application.Lrt.close_comment_round`).
Comments recorded on their subject by lrt before issue 16 (`CommentSubmitted`) stay as
they are and are read beside the new ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from . import checks
from .base import Aggregate, Context, DomainEvent, Model
from .comments import Comment as CommentStream
from .comments import comment_key
from .dutch_time import local_date, shown
from .errors import Forbidden, InvalidInput, RuleViolation
from .meetings import Meeting
from .tables import Table


class Comment(Model):
    number: int
    person: str
    organisation: str | None
    text: str
    received_at: datetime


class CommentRound(Model):
    number: int
    opened_at: datetime
    deadline: datetime
    comments: tuple[Comment, ...] = ()
    # closed before its deadline: the deadline first announced (`deadline` is then the
    # moment it was closed)
    announced_deadline: datetime | None = None

    @property
    def closed_early(self) -> bool:
        return self.announced_deadline is not None

    def is_open(self, at: datetime) -> bool:
        return at <= self.deadline


class RoundOpened(DomainEvent):
    TOPIC: ClassVar[str] = "lrt.CommentRound.Opened"
    round: CommentRound

    def apply(self, state: Commentable) -> Commentable:
        return state.with_(rounds=(*state.rounds, self.round))


class CommentSubmitted(DomainEvent):
    TOPIC: ClassVar[str] = "lrt.CommentRound.CommentSubmitted"
    comment: Comment

    def apply(self, state: Commentable) -> Commentable:
        last = state.rounds[-1]
        last = last.model_copy(update={"comments": (*last.comments, self.comment)})
        return state.with_(rounds=(*state.rounds[:-1], last))


class RoundClosed(DomainEvent):
    """The open round closed before its deadline, by those who run the table."""

    TOPIC: ClassVar[str] = "lrt.CommentRound.Closed"
    number: int
    closed_at: datetime

    def apply(self, state: Commentable) -> Commentable:
        last = state.rounds[-1]
        last = last.model_copy(update={"deadline": self.closed_at,
                                       "announced_deadline": last.deadline})
        return state.with_(rounds=(*state.rounds[:-1], last))


class Commentable(Aggregate):
    """Minutes and documents: things a comment round can be opened on."""

    table: str
    meeting: str
    rounds: tuple[CommentRound, ...] = ()

    @property
    def current_round(self) -> CommentRound | None:
        return self.rounds[-1] if self.rounds else None

    def round_open(self, at: datetime) -> bool:
        return self.current_round is not None and self.current_round.is_open(at)

    def open_round(self, ctx: Context, deadline: datetime,
                   event_class: type[RoundOpened] = RoundOpened) -> RoundOpened:
        checks.in_future("deadline", deadline, ctx.now)
        current = self.current_round
        if current is not None and self.round_open(ctx.now):
            raise RuleViolation(
                f"a comment round on {self.key} is already open until "
                f"{shown(current.deadline, seconds=True)}")
        return self.trigger(event_class, ctx, round=CommentRound(
            number=len(self.rounds) + 1, opened_at=ctx.now, deadline=deadline))

    def close_round(self, ctx: Context) -> RoundClosed:
        """Close the open round now, before its deadline: later comments are refused."""
        rnd = self.current_round
        if rnd is None or not rnd.is_open(ctx.now):
            raise RuleViolation(
                f"no comment round is open on {self.key}" + (
                    f" (round {rnd.number} closed at {shown(rnd.deadline, seconds=True)})"
                    if rnd is not None else ""))
        return self.trigger(RoundClosed, ctx, number=rnd.number, closed_at=ctx.now)

    def submit_comment(self, ctx: Context, *, table: Table, meeting: Meeting, person: str,
                       text: str, received_at: datetime | None = None) -> CommentSubmitted:
        """A comment by `person` as an event on this subject (the form before issue 16,
        which the audit still checks old events by); the secretariat may record one
        received earlier."""
        comment = self._accepted(ctx, table=table, meeting=meeting, person=person, text=text,
                                 received_at=received_at)
        return self.trigger(CommentSubmitted, ctx, comment=comment,
                            on_behalf_of=comment.organisation)

    def comment_in_stream(self, ctx: Context, token: str, *, table: Table, meeting: Meeting,
                          person: str, text: str, received_at: datetime | None = None
                          ) -> CommentStream.Submitted:
        """A comment by `person` in its own stream (`lrt_domain.comments`), by the same
        rules; `token` makes its key unique (the application draws it)."""
        comment = self._accepted(ctx, table=table, meeting=meeting, person=person, text=text,
                                 received_at=received_at)
        rnd = self.current_round
        assert rnd is not None
        return CommentStream.start(
            CommentStream.Submitted, ctx, comment_key(self.key, rnd.number, token),
            subject=self.key, subject_kind=self.KIND, round=rnd.number, table=self.table,
            meeting=self.meeting, person=comment.person, organisation=comment.organisation,
            text=comment.text, received_at=comment.received_at,
            on_behalf_of=comment.organisation)

    def _accepted(self, ctx: Context, *, table: Table, meeting: Meeting, person: str,
                  text: str, received_at: datetime | None) -> Comment:
        """The comment, numbered as the next on this subject, if the rules accept it: the
        round open at its receipt (the deadline, or the moment the round was closed, and
        no later), and `person` a member of the table or a guest of the meeting then."""
        if received_at is None:
            received_at = ctx.now
        else:
            checks.not_in_future("received at", received_at, ctx.now)
        rnd = self.current_round
        if rnd is None:
            raise RuleViolation(f"no comment round was opened on {self.key}", code="no_round",
                                subject=self.key)
        if received_at < rnd.opened_at:
            raise InvalidInput(f"received at: {shown(received_at, seconds=True)} is before "
                               f"the comment round on {self.key} opened",
                               code="received_before_round", field="received at",
                               received_at=received_at, subject=self.key)
        if not rnd.is_open(received_at):
            raise RuleViolation(
                f"the comment round on {self.key} closed at "
                f"{shown(rnd.deadline, seconds=True)}; comments are no longer accepted",
                code="round_closed", subject=self.key, deadline=rnd.deadline)
        membership = table.membership_of(person, local_date(received_at))
        if membership is None and person not in meeting.guests:
            raise Forbidden(f"{person} is not a member of {table.key} nor a guest of "
                            f"{meeting.key} on {local_date(received_at)}",
                            code="not_member_nor_guest", person=person, table=table.key,
                            meeting=meeting.key, day=local_date(received_at))
        return Comment(number=len(rnd.comments) + 1, person=person,
                       organisation=membership.organisation if membership else None,
                       text=checks.text("text", text), received_at=received_at)
