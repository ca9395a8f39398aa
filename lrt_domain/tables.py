"""Tables (regietafels): the LRT, the HLRT that prepares it, and the provincial tables.

A table has a secretariat (the organisation that runs it), a chair, a rhythm (meetings a
year) and dated memberships: a person represents an organisation at the table, in a
function, from a date until a date, as an office holder (named in publications) or a civil
servant (redacted in publications).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from . import checks
from .base import Aggregate, Context, DomainEvent, Model
from .directory import key
from .errors import InvalidInput, NotFound, RuleViolation


class TableKind(StrEnum):
    NATIONAL = "national"  # the LRT
    PREPARATORY = "preparatory"  # the HLRT
    PROVINCIAL = "provincial"  # provincial or regional tables


class Membership(Model):
    number: int
    person: str
    organisation: str
    function: str
    since: date
    until: date | None = None
    office_holder: bool

    def active_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


class Table(Aggregate):
    KIND: ClassVar[str] = "table"
    name: str
    kind: TableKind
    secretariat: str  # organisation code
    chair: str | None = None  # person key
    meetings_per_year: int
    memberships: tuple[Membership, ...] = ()

    class Registered(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Table.Registered"
        key: str
        name: str
        kind: TableKind
        secretariat: str
        meetings_per_year: int

        def apply(self, state: None) -> Table:
            return Table.born(self, key=self.key, name=self.name, kind=self.kind,
                              secretariat=self.secretariat,
                              meetings_per_year=self.meetings_per_year)

    class ChairAppointed(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Table.ChairAppointed"
        person: str

        def apply(self, state: Table) -> Table:
            return state.with_(chair=self.person)

    class RhythmChanged(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Table.RhythmChanged"
        meetings_per_year: int

        def apply(self, state: Table) -> Table:
            return state.with_(meetings_per_year=self.meetings_per_year)

    class MemberJoined(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Table.MemberJoined"
        membership: Membership

        def apply(self, state: Table) -> Table:
            return state.with_(memberships=(*state.memberships, self.membership))

    class MembershipEnded(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Table.MembershipEnded"
        number: int
        until: date

        def apply(self, state: Table) -> Table:
            return state.with_(memberships=tuple(
                m.model_copy(update={"until": self.until}) if m.number == self.number else m
                for m in state.memberships))

    # --- commands -----------------------------------------------------------------

    @classmethod
    def register(cls, ctx: Context, code: str, name: str, *, kind: TableKind,
                 secretariat: str, meetings_per_year: int = 4) -> Registered:
        return cls.start(cls.Registered, ctx, key("table code", code),
                         name=checks.line("name", name), kind=kind, secretariat=secretariat,
                         meetings_per_year=checks.positive("meetings per year",
                                                           meetings_per_year))

    def appoint_chair(self, ctx: Context, person: str) -> ChairAppointed:
        if person == self.chair:
            raise RuleViolation(f"{person} already chairs {self.key}")
        return self.trigger(self.ChairAppointed, ctx, person=person)

    def change_rhythm(self, ctx: Context, meetings_per_year: int) -> RhythmChanged:
        checks.positive("meetings per year", meetings_per_year)
        return self.trigger(self.RhythmChanged, ctx, meetings_per_year=meetings_per_year)

    def add_member(self, ctx: Context, *, person: str, organisation: str, function: str,
                   since: date, until: date | None = None,
                   office_holder: bool) -> MemberJoined:
        checks.period("since", since, "until", until)
        for m in self.memberships:
            if m.person == person and m.organisation == organisation and _overlap(
                    m, since, until):
                raise RuleViolation(
                    f"{person} is already a member of {self.key} for {organisation} "
                    f"from {m.since} (membership {m.number})")
        membership = Membership(number=len(self.memberships) + 1, person=person,
                                organisation=organisation,
                                function=checks.line("function", function), since=since,
                                until=until, office_holder=office_holder)
        return self.trigger(self.MemberJoined, ctx, membership=membership,
                            on_behalf_of=organisation)

    def end_membership(self, ctx: Context, number: int, until: date) -> MembershipEnded:
        m = self.membership(number)
        checks.period("since", m.since, "until", until)
        if m.until is not None and m.until <= until:
            raise RuleViolation(f"membership {number} already ends on {m.until}")
        return self.trigger(self.MembershipEnded, ctx, number=number, until=until,
                            on_behalf_of=m.organisation)

    # --- questions ----------------------------------------------------------------

    def membership(self, number: int) -> Membership:
        for m in self.memberships:
            if m.number == number:
                return m
        raise NotFound(f"membership: {self.key} has no membership {number}")

    def members_on(self, day: date) -> list[Membership]:
        return [m for m in self.memberships if m.active_on(day)]

    def membership_of(self, person: str | None, day: date) -> Membership | None:
        return next((m for m in self.members_on(day) if m.person == person), None)


def _overlap(m: Membership, since: date, until: date | None) -> bool:
    return (until is None or m.since <= until) and (m.until is None or since <= m.until)


def parse_kind(value: str) -> TableKind:
    try:
        return TableKind(value)
    except ValueError:
        raise InvalidInput(f"kind: {value!r} is not one of "
                           f"{', '.join(k.value for k in TableKind)}") from None
