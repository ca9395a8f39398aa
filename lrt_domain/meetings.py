"""Meetings (vergaderingen): scheduled, rescheduled, cancelled, held and closed.

planned -> held -> closed; planned -> cancelled; a reschedule keeps a meeting planned and
is counted. A meeting has numbered agenda items, invited guests and attendance.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from . import checks
from .base import Aggregate, Context, DomainEvent, Model
from .errors import InvalidInput, NotFound, RuleViolation


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Presence(StrEnum):
    PRESENT = "present"
    REMOTE = "remote"  # "digitaal"
    ABSENT = "absent"
    SUBSTITUTE = "substitute"  # present in place of a member


class AgendaItem(Model):
    number: int
    title: str


class Attendance(Model):
    person: str
    presence: Presence
    substitute_for: str | None = None


class Meeting(Aggregate):
    KIND: ClassVar[str] = "meeting"
    table: str
    starts_at: datetime
    place: str
    status: MeetingStatus = MeetingStatus.PLANNED
    reschedules: int = 0
    agenda: tuple[AgendaItem, ...] = ()
    guests: tuple[str, ...] = ()
    attendance: tuple[Attendance, ...] = ()

    class Scheduled(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.Scheduled"
        key: str
        table: str
        starts_at: datetime
        place: str

        def apply(self, state: None) -> Meeting:
            return Meeting.born(self, key=self.key, table=self.table,
                                starts_at=self.starts_at, place=self.place)

    class Rescheduled(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.Rescheduled"
        starts_at: datetime
        place: str
        reason: str

        def apply(self, state: Meeting) -> Meeting:
            return state.with_(starts_at=self.starts_at, place=self.place,
                               reschedules=state.reschedules + 1)

    class Cancelled(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.Cancelled"
        reason: str

        def apply(self, state: Meeting) -> Meeting:
            return state.with_(status=MeetingStatus.CANCELLED)

    class Held(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.Held"

        def apply(self, state: Meeting) -> Meeting:
            return state.with_(status=MeetingStatus.HELD)

    class Closed(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.Closed"

        def apply(self, state: Meeting) -> Meeting:
            return state.with_(status=MeetingStatus.CLOSED)

    class AgendaItemAdded(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.AgendaItemAdded"
        item: AgendaItem

        def apply(self, state: Meeting) -> Meeting:
            return state.with_(agenda=state.agenda + (self.item,))  # (a copy in C)

    class GuestInvited(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.GuestInvited"
        person: str

        def apply(self, state: Meeting) -> Meeting:
            return state.with_(guests=(*state.guests, self.person))

    class AttendanceRecorded(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Meeting.AttendanceRecorded"
        attendance: Attendance

        def apply(self, state: Meeting) -> Meeting:
            others = tuple(a for a in state.attendance if a.person != self.attendance.person)
            return state.with_(attendance=(*others, self.attendance))

    # --- commands -----------------------------------------------------------------

    @classmethod
    def schedule(cls, ctx: Context, meeting_key: str, *, table: str, starts_at: datetime,
                 place: str) -> Scheduled:
        checks.aware("starts at", starts_at)
        return cls.start(cls.Scheduled, ctx, meeting_key, table=table, starts_at=starts_at,
                         place=checks.line("place", place))

    def reschedule(self, ctx: Context, *, starts_at: datetime, place: str | None,
                   reason: str) -> Rescheduled:
        self._require(MeetingStatus.PLANNED, "reschedule")
        checks.in_future("starts at", starts_at, ctx.now)
        return self.trigger(self.Rescheduled, ctx, starts_at=starts_at,
                            place=checks.line("place", place) if place else self.place,
                            reason=checks.line("reason", reason))

    def cancel(self, ctx: Context, reason: str) -> Cancelled:
        self._require(MeetingStatus.PLANNED, "cancel")
        return self.trigger(self.Cancelled, ctx, reason=checks.line("reason", reason))

    def hold(self, ctx: Context) -> Held:
        self._require(MeetingStatus.PLANNED, "hold")
        if self.starts_at > ctx.now:
            raise RuleViolation(
                f"meeting {self.key} starts at {self.starts_at.isoformat()}; "
                "it cannot be held before it starts")
        return self.trigger(self.Held, ctx)

    def close(self, ctx: Context) -> Closed:
        self._require(MeetingStatus.HELD, "close")
        return self.trigger(self.Closed, ctx)

    def add_agenda_item(self, ctx: Context, title: str) -> AgendaItemAdded:
        self._require_open("change the agenda of")
        item = AgendaItem(number=len(self.agenda) + 1, title=checks.line("title", title))
        return self.trigger(self.AgendaItemAdded, ctx, item=item)

    def invite_guest(self, ctx: Context, person: str) -> GuestInvited:
        self._require_open("invite a guest to")
        if person in self.guests:
            raise RuleViolation(f"{person} is already invited to {self.key}")
        return self.trigger(self.GuestInvited, ctx, person=person)

    def record_attendance(self, ctx: Context, person: str, presence: Presence,
                          substitute_for: str | None = None) -> AttendanceRecorded:
        if self.status is MeetingStatus.CANCELLED:
            raise RuleViolation(f"meeting {self.key} was cancelled")
        if self.starts_at > ctx.now:
            raise RuleViolation(f"meeting {self.key} has not started yet")
        if (presence is Presence.SUBSTITUTE) != (substitute_for is not None):
            raise InvalidInput("substitute for: give it exactly when presence is substitute")
        return self.trigger(self.AttendanceRecorded, ctx, attendance=Attendance(
            person=person, presence=presence, substitute_for=substitute_for))

    # --- questions ----------------------------------------------------------------

    def agenda_item(self, number: int) -> AgendaItem:
        for item in self.agenda:
            if item.number == number:
                return item
        raise NotFound(f"agenda item: meeting {self.key} has no item {number}")

    @property
    def took_place(self) -> bool:
        return self.status in (MeetingStatus.HELD, MeetingStatus.CLOSED)

    def _require(self, status: MeetingStatus, verb: str) -> None:
        if self.status is not status:
            raise RuleViolation(f"cannot {verb} meeting {self.key}: it is {self.status}")

    def _require_open(self, verb: str) -> None:
        if self.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
            raise RuleViolation(f"cannot {verb} meeting {self.key}: it is {self.status}")
