"""Action items (acties): agreed at a meeting under an agenda item, owned by one or more
organisations, due at a date or "before the next meeting".

open -> done | cancelled | carried over. A carried-over action moves to a later meeting of
the same table and stays outstanding; how often that happened is counted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from . import checks
from .base import Context, DomainEvent, Model, Aggregate
from .dutch_time import local_date
from .errors import InvalidInput, RuleViolation
from .meetings import Meeting, MeetingStatus


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    CARRIED_OVER = "carried over"

    @property
    def outstanding(self) -> bool:
        return self in (ActionStatus.OPEN, ActionStatus.CARRIED_OVER)


class Progress(Model):
    reported_at: datetime
    by: str
    organisation: str | None
    note: str


class Action(Aggregate):
    KIND: ClassVar[str] = "action"
    table: str
    meeting: str  # the meeting it now belongs to (changes when carried over)
    agreed_at: str  # the meeting where it was agreed
    item: int
    text: str
    owners: tuple[str, ...]
    due: date | None = None  # None: before the next meeting of the table
    status: ActionStatus = ActionStatus.OPEN
    carried_over: int = 0
    progress: tuple[Progress, ...] = ()
    outcome: str | None = None  # the closing note or the reason for cancelling

    class Agreed(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Action.Agreed"
        key: str
        table: str
        meeting: str
        item: int
        text: str
        owners: tuple[str, ...]
        due: date | None = None

        def apply(self, state: None) -> Action:
            return Action.born(self, key=self.key, table=self.table, meeting=self.meeting,
                               agreed_at=self.meeting, item=self.item, text=self.text,
                               owners=self.owners, due=self.due)

    class ProgressReported(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Action.ProgressReported"
        progress: Progress

        def apply(self, state: Action) -> Action:
            return state.with_(progress=(*state.progress, self.progress))

    class Completed(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Action.Completed"
        note: str | None = None

        def apply(self, state: Action) -> Action:
            return state.with_(status=ActionStatus.DONE, outcome=self.note)

    class Cancelled(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Action.Cancelled"
        reason: str

        def apply(self, state: Action) -> Action:
            return state.with_(status=ActionStatus.CANCELLED, outcome=self.reason)

    class CarriedOver(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Action.CarriedOver"
        to_meeting: str
        due: date | None = None

        def apply(self, state: Action) -> Action:
            return state.with_(status=ActionStatus.CARRIED_OVER, meeting=self.to_meeting,
                               due=self.due, carried_over=state.carried_over + 1)

    class Reworded(DomainEvent):
        """The minutes were revised: the action's text (and the owners read from it)."""

        TOPIC: ClassVar[str] = "lrt.Action.Reworded"
        text: str
        owners: tuple[str, ...]

        def apply(self, state: Action) -> Action:
            return state.with_(text=self.text, owners=self.owners)

    # --- commands -----------------------------------------------------------------

    @classmethod
    def agree(cls, ctx: Context, action_key: str, *, meeting: Meeting, item: int, text: str,
              owners: list[str], due: date | None) -> Agreed:
        meeting.agenda_item(item)
        if meeting.status is MeetingStatus.CANCELLED:
            raise RuleViolation(f"meeting {meeting.key} was cancelled")
        if not owners:
            raise InvalidInput("owner: an action needs at least one owning organisation")
        if due is not None and due < local_date(meeting.starts_at):
            raise InvalidInput(f"due: {due} is before the meeting of {meeting.key}")
        return cls.start(cls.Agreed, ctx, action_key, table=meeting.table,
                         meeting=meeting.key, item=item, text=checks.text("text", text),
                         owners=tuple(dict.fromkeys(owners)), due=due)

    def reword(self, ctx: Context, text: str, owners: list[str]) -> Reworded:
        self._require_outstanding("reword")
        if not owners:
            raise InvalidInput("owner: an action needs at least one owning organisation")
        text, owners_ = checks.text("text", text), tuple(dict.fromkeys(owners))
        if (text, owners_) == (self.text, self.owners):
            raise RuleViolation(f"action {self.key}: the new text is the same")
        return self.trigger(self.Reworded, ctx, text=text, owners=owners_)

    def report_progress(self, ctx: Context, note: str) -> ProgressReported:
        self._require_outstanding("report progress on")
        return self.trigger(self.ProgressReported, ctx, on_behalf_of=ctx.actor.organisation,
                            progress=Progress(reported_at=ctx.now, by=ctx.actor.user,
                                              organisation=ctx.actor.organisation,
                                              note=checks.text("note", note)))

    def complete(self, ctx: Context, note: str | None = None) -> Completed:
        self._require_outstanding("complete")
        return self.trigger(self.Completed, ctx,
                            note=checks.text("note", note) if note else None)

    def cancel(self, ctx: Context, reason: str) -> Cancelled:
        self._require_outstanding("cancel")
        return self.trigger(self.Cancelled, ctx, reason=checks.line("reason", reason))

    def carry_over(self, ctx: Context, current: Meeting, to: Meeting,
                   due: date | None = None) -> CarriedOver:
        self._require_outstanding("carry over")
        if to.table != self.table:
            raise RuleViolation(f"meeting {to.key} is of table {to.table}, not {self.table}")
        if to.starts_at <= current.starts_at:
            raise RuleViolation(f"an action is carried over to a later meeting; {to.key} is "
                                f"not later than {current.key}")
        if to.status is MeetingStatus.CANCELLED:
            raise RuleViolation(f"meeting {to.key} was cancelled")
        return self.trigger(self.CarriedOver, ctx, to_meeting=to.key, due=due)

    def _require_outstanding(self, verb: str) -> None:
        if not self.status.outstanding:
            raise RuleViolation(f"cannot {verb} action {self.key}: it is {self.status}",
                                code="action_closed", action=self.key, verb=verb,
                                status=self.status)
