"""Tables (regietafels): the LRT, the HLRT that prepares it, and the provincial tables.

A table has a secretariat (the organisation that runs it), a chair, a rhythm (meetings a
year) and dated memberships: a person represents an organisation at the table, in a
function, from a date until a date, as an office holder (named in publications) or a civil
servant (redacted in publications).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from . import checks, working_days
from .base import Aggregate, Context, DomainEvent, Model
from .directory import key
from .dutch_time import local_date
from .errors import InvalidInput, NotFound, RuleViolation, Unchanged


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
    # how the minutes name the member's office, as the seeds write it: "SJenV", "MBZK"
    # (None: by the organisation's code)
    abbreviation: str | None = None

    def active_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


class ApprovalProcedure(StrEnum):
    MEETING = "meeting"  # at a later meeting of the table
    WRITTEN = "written"  # by written procedure: tacit consent when nobody objects in time


class TableRules(Model):
    """A table's rules of procedure, in working days (see `working_days`)."""

    documents_due_days: int = 5  # documents due this many working days before a meeting
    comment_round_days: int = 5  # the default length of a comment round
    approval: ApprovalProcedure = ApprovalProcedure.MEETING
    written_procedure_days: int = 5  # the default length of a written procedure
    # mail: reminders this many hours before a round's deadline, to those who did not
    # comment; an action's owners are told this many working days before it is due
    reminder_hours: tuple[int, ...] = (24, 2)
    action_notice_days: int = 5

    def documents_due(self, starts_at: datetime) -> datetime:
        return working_days.due_before(starts_at, self.documents_due_days)

    def comment_deadline(self, opened_at: datetime) -> datetime:
        return working_days.deadline_after(opened_at, self.comment_round_days)

    def written_procedure_deadline(self, started_at: datetime) -> datetime:
        return working_days.deadline_after(started_at, self.written_procedure_days)


DEFAULT_RULES = TableRules()
RULE_DAYS = {"documents_due_days": ("documents due", 0),
             "comment_round_days": ("comment round", 1),
             "written_procedure_days": ("written procedure", 1),
             "action_notice_days": ("action notice", 0)}
MAX_REMINDER_HOURS = 24 * 14  # two weeks
MAX_REMINDERS = 5


class RulesChange(Model):
    """The rules in force from a date (world time) until a later change takes over."""

    number: int
    effective_from: date
    rules: TableRules


class Table(Aggregate):
    KIND: ClassVar[str] = "table"
    name: str
    kind: TableKind
    secretariat: str  # organisation code
    chair: str | None = None  # person key
    meetings_per_year: int
    memberships: tuple[Membership, ...] = ()
    rules_changes: tuple[RulesChange, ...] = ()

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

    class RulesChanged(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Table.RulesChanged"
        change: RulesChange

        def apply(self, state: Table) -> Table:
            return state.with_(rules_changes=(*state.rules_changes, self.change))

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

    def change_rules(self, ctx: Context, *, effective_from: date | None = None,
                     documents_due_days: int | None = None,
                     comment_round_days: int | None = None,
                     approval: ApprovalProcedure | None = None,
                     written_procedure_days: int | None = None,
                     reminder_hours: tuple[int, ...] | None = None,
                     action_notice_days: int | None = None) -> RulesChanged:
        """New rules from `effective_from` (default: today); what is not given stays as it
        is in force on that date."""
        day = effective_from or local_date(ctx.now)
        given = {"documents_due_days": documents_due_days,
                 "comment_round_days": comment_round_days, "approval": approval,
                 "written_procedure_days": written_procedure_days,
                 "reminder_hours": reminder_hours, "action_notice_days": action_notice_days}
        given = {k: v for k, v in given.items() if v is not None}
        if reminder_hours is not None:
            given["reminder_hours"] = _reminder_hours(reminder_hours)
        if not given:
            raise InvalidInput("rules: give at least one rule to change")
        for field, (name, least) in RULE_DAYS.items():
            value = given.get(field)
            if isinstance(value, int) and not least <= value <= working_days.MAX_DAYS:
                raise InvalidInput(f"{name}: {value} working days is not between {least} "
                                   f"and {working_days.MAX_DAYS}")
        before = self.rules_on(day)
        rules = before.model_copy(update=given)
        if rules == before:
            raise Unchanged(f"the rules of {self.key} on {day} are already these")
        return self.trigger(self.RulesChanged, ctx, change=RulesChange(
            number=len(self.rules_changes) + 1, effective_from=day, rules=rules))

    def add_member(self, ctx: Context, *, person: str, organisation: str, function: str,
                   since: date, until: date | None = None,
                   office_holder: bool, abbreviation: str | None = None) -> MemberJoined:
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
                                until=until, office_holder=office_holder,
                                abbreviation=checks.line("abbreviation", abbreviation,
                                                         max_length=40)
                                if abbreviation else None)
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

    def rules_on(self, day: date) -> TableRules:
        """The rules in force on a day: the latest change effective by then (of two on the
        same date, the one recorded last), else the defaults."""
        in_force = [c for c in self.rules_changes if c.effective_from <= day]
        if not in_force:
            return DEFAULT_RULES
        return max(in_force, key=lambda c: (c.effective_from, c.number)).rules

    def rules_at(self, moment: datetime) -> TableRules:
        return self.rules_on(local_date(moment))

    def next_meeting_due(self, last_held: date) -> date:
        """When the rhythm wants the next meeting after one held on `last_held`: a whole
        number of months on when the year divides evenly (4 a year: 3 months), else the
        year divided in days."""
        n = self.meetings_per_year
        if 12 % n == 0:
            return add_months(last_held, 12 // n)
        return last_held + timedelta(days=round(365 / n))

    def members_on(self, day: date) -> list[Membership]:
        return [m for m in self.memberships if m.active_on(day)]

    def membership_of(self, person: str | None, day: date) -> Membership | None:
        # the person first: a table's memberships over the years are many (the read rules
        # ask this for every row a member may see)
        return next((m for m in self.memberships if m.person == person and m.active_on(day)),
                    None)


def _reminder_hours(hours: tuple[int, ...]) -> tuple[int, ...]:
    """Distinct, each between 1 hour and two weeks, longest first; none: no reminders."""
    if len(hours) > MAX_REMINDERS:
        raise InvalidInput(f"reminders: at most {MAX_REMINDERS}")
    for h in hours:
        if not 1 <= h <= MAX_REMINDER_HOURS:
            raise InvalidInput(f"reminders: {h} hours is not between 1 and "
                               f"{MAX_REMINDER_HOURS}")
    return tuple(sorted(set(hours), reverse=True))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    from calendar import monthrange

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _overlap(m: Membership, since: date, until: date | None) -> bool:
    return (until is None or m.since <= until) and (m.until is None or since <= m.until)
