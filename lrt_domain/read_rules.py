"""Who may read what: every read rule, as data, in one place (the write rules are in
`permissions`).

`RULES` says, per view and per state of the minutes it belongs to, which readers see it.
The readers of a view about a meeting are judged on one day: the day asked for (`--as-of`,
else today). So a former member, asking as of a day they were a member, sees the drafts as
they stood then; asking as of now, only the approved minutes they could read while a member
(`MEMBER_AT_APPROVAL`), not what came after. The README's table is `markdown()`, compared
by a test.

A view refused is a one-line `Forbidden`; a list leaves out the rows a user may not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from .errors import Forbidden
from .permissions import manages
from .roles import Acting
from .roles import Role

# The rules read a table and a meeting through what they need of them (`TableLike`,
# `MeetingLike`): the domain's states (`tables.Table`, `meetings.Meeting`), or the read
# side's plain rows of them (`TableRow`, `MeetingRow`, read from the read model's state
# JSON without building a pydantic model: issue 16, point 4). A test holds the two to the
# same answers.


class MembershipLike(Protocol):
    @property
    def person(self) -> str: ...


class TableLike(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def secretariat(self) -> str: ...

    @property
    def chair(self) -> str | None: ...

    @property
    def memberships(self) -> Iterable[MembershipLike]: ...

    def membership_of(self, person: str | None, day: date) -> Any: ...


class MeetingLike(Protocol):
    @property
    def guests(self) -> Iterable[str]: ...


@dataclass(frozen=True)
class MembershipRow:
    person: str
    since: date
    until: date | None

    def active_on(self, day: date) -> bool:  # as `tables.Membership.active_on`
        return self.since <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class TableRow:
    """What the read rules read of a table, from its state as JSON."""

    key: str
    secretariat: str
    chair: str | None
    memberships: tuple[MembershipRow, ...]

    @classmethod
    def of(cls, state: dict[str, Any]) -> TableRow:
        return cls(state["key"], state["secretariat"], state.get("chair"), tuple(
            MembershipRow(m["person"], date.fromisoformat(m["since"]),
                          date.fromisoformat(m["until"]) if m.get("until") else None)
            for m in state.get("memberships", ())))

    def membership_of(self, person: str | None, day: date) -> MembershipRow | None:
        # as `tables.Table.membership_of`
        return next((m for m in self.memberships if m.person == person and m.active_on(day)),
                    None)


@dataclass(frozen=True)
class MeetingRow:
    """What the read rules read of a meeting, from its state as JSON."""

    key: str
    table: str
    guests: tuple[str, ...]

    @classmethod
    def of(cls, state: dict[str, Any]) -> MeetingRow:
        return cls(state["key"], state["table"], tuple(state.get("guests", ())))


@dataclass(frozen=True)
class MinutesRow:
    """What the read rules read of minutes, from their state as JSON: approved (and when)
    or not."""

    approved_at: datetime | None

    @classmethod
    def of(cls, state: dict[str, Any]) -> MinutesRow:
        approval = state.get("approval")
        if approval is None or state.get("status") != APPROVED_STATUS:
            return cls(None)
        return cls(datetime.fromisoformat(approval["approved_at"]))


# What the rows are read by, without the domain's classes (a test holds them equal):
APPROVED_STATUS = "approved"  # `minutes.MinutesStatus.APPROVED`
TABLE_KIND, MEETING_KIND, MINUTES_KIND = "table", "meeting", "minutes"  # their `KIND`


class Reader(StrEnum):
    MANAGER = "secretariat, chair"  # the table's (`permissions.manages`)
    MEMBER = "member"  # of the table on the day asked
    MEMBER_AT_APPROVAL = "member at approval"  # of the table on the day of the approval
    GUEST = "invited guest"  # a person invited to the meeting
    AUDITOR = "auditor"
    ADMINISTRATOR = "any secretariat user"  # they keep the shared directory of persons
    ANYONE = "any user"  # every registered user


class State(StrEnum):
    DRAFT = "draft, circulated"  # minutes not approved (or none yet)
    APPROVED = "approved"
    PUBLISHED = "published"  # approved, and the Woo public text published


class View(StrEnum):
    MINUTES = "minutes show, list, rendered; amendment list; comment list on minutes"
    DOCUMENTS = "document show; comment list on a document"
    MEETINGS = "meeting show, list; agenda list; attendance list"
    ACTIONS = "action list, show (by the minutes of the meeting that agreed it)"
    DEADLINES = "deadlines, deadlines --within (each row by its meeting)"
    HISTORY = "history of minutes, a meeting, a document, an action (with text diffs)"
    HISTORY_WOO = "history: the Woo events (redactions and their reasons)"
    HISTORY_TABLE = "history of a table"
    HISTORY_DIRECTORY = "history of an organisation, person, user"
    REDACTIONS = "minutes redactions"
    PARLIAMENT = "export parliament (approved, redacted minutes)"
    CALENDAR = "calendar export (each entry by its meeting)"
    DIRECTORY = "org list, table list, table show"
    PEOPLE = "person list, user list (the names of civil servants)"
    MEMBERS = "member list (a table's members on a day, by name)"
    REPORTS = "report punctuality"
    ADDRESSES = "mail addresses of persons and organisations; mail wishes"
    OUTBOX = "notify status (the mail of a table: decided, sent, failing; to whom)"


M, MEM, APP, G, A, ADM, ANY = (Reader.MANAGER, Reader.MEMBER, Reader.MEMBER_AT_APPROVAL,
                               Reader.GUEST, Reader.AUDITOR, Reader.ADMINISTRATOR,
                               Reader.ANYONE)
_MEETING = frozenset({M, MEM, G, A})
_KEPT = frozenset({M, MEM, APP, G, A})  # approved minutes: a former member keeps them


# a meeting's minutes, documents, agenda, attendance, actions and history: by the state of
# its minutes
_BY_MINUTES = {State.DRAFT: _MEETING, State.APPROVED: _KEPT, State.PUBLISHED: _KEPT}


def _all(readers: frozenset[Reader]) -> dict[State, frozenset[Reader]]:
    return {state: readers for state in State}


# The public (any user) reads only what was published: the Woo public text, written by
# `minutes publish` (a write: the table's secretariat and chair) for the public, and never
# read back through `lrt`.
RULES: Mapping[View, Mapping[State, frozenset[Reader]]] = {
    View.MINUTES: _BY_MINUTES,
    View.DOCUMENTS: _BY_MINUTES,
    View.MEETINGS: _BY_MINUTES,
    View.ACTIONS: _BY_MINUTES,
    View.DEADLINES: _BY_MINUTES,
    View.HISTORY: _BY_MINUTES,
    View.HISTORY_WOO: _all(frozenset({M, A})),
    View.HISTORY_TABLE: _all(frozenset({M, MEM, A})),
    View.HISTORY_DIRECTORY: _all(frozenset({ADM, A})),
    View.REDACTIONS: _all(frozenset({M, A})),
    View.PARLIAMENT: {State.DRAFT: frozenset(), State.APPROVED: frozenset({M, A}),
                      State.PUBLISHED: frozenset({M, A})},
    View.CALENDAR: _BY_MINUTES,
    View.DIRECTORY: _all(frozenset({ANY})),
    View.PEOPLE: _all(frozenset({ADM, A})),
    View.MEMBERS: _all(frozenset({M, MEM, ADM, A})),
    View.REPORTS: _all(frozenset({M, MEM, A})),
    View.ADDRESSES: _all(frozenset({ADM, A})),
    View.OUTBOX: _all(frozenset({M, A})),
}


def readers(actor: Acting, table: TableLike | None, *, day: date, meeting: MeetingLike | None = None,
            approved_on: date | None = None) -> frozenset[Reader]:
    """Which readers `actor` is, for `table` (and `meeting`) on `day`."""
    who = {ANY}
    if actor.role is Role.AUDITOR:
        who.add(A)
    if actor.role is Role.SECRETARIAT:
        who.add(ADM)
    if table is not None and manages(actor, table):
        who.add(M)
    if table is not None and actor.role is Role.MEMBER and actor.person is not None:
        if table.membership_of(actor.person, day) is not None:
            who.add(MEM)
        if approved_on is not None and table.membership_of(actor.person,
                                                           approved_on) is not None:
            who.add(APP)
    if meeting is not None and actor.person is not None and actor.person in meeting.guests:
        who.add(G)
    return frozenset(who)


def may_read(actor: Acting, view: View, table: TableLike | None, *, day: date,
             meeting: MeetingLike | None = None, state: State = State.DRAFT,
             approved_on: date | None = None) -> bool:
    return bool(RULES[view][state] & readers(actor, table, day=day, meeting=meeting,
                                             approved_on=approved_on))


def settled(actor: Acting, view: View, table: TableLike | None, *, day: date,
            meeting: MeetingLike | None = None) -> bool | None:
    """`may_read`'s answer when the state of the meeting's minutes cannot change it: the
    actor reads `view` in every state, or in none, even as a member at approval; None when
    it depends on the minutes (whose state a caller then reads, `may_read`)."""
    who = readers(actor, table, day=day, meeting=meeting)
    by_state = RULES[view].values()
    if all(who & allowed for allowed in by_state):
        return True
    # a member at approval: a member of the table on some day (`readers`)
    if table is not None and actor.role is Role.MEMBER and actor.person is not None \
            and any(m.person == actor.person for m in table.memberships):
        who = who | {Reader.MEMBER_AT_APPROVAL}
    if not any(who & allowed for allowed in by_state):
        return False
    return None


def require_reader(actor: Acting, view: View, table: TableLike | None, what: str, *, day: date,
                   meeting: MeetingLike | None = None, state: State = State.DRAFT,
                   approved_on: date | None = None) -> None:
    if not may_read(actor, view, table, day=day, meeting=meeting, state=state,
                    approved_on=approved_on):
        raise Forbidden(f"user {actor.user} ({actor.role}) may not read {what}")


def markdown() -> str:
    """The rules as the README shows them."""
    lines = ["| view | " + " | ".join(s.value for s in State) + " |",
             "|---|" + "---|" * len(State)]
    for view, by_state in RULES.items():
        cells = [", ".join(r.value for r in Reader if r in by_state[s]) or "nobody"
                 for s in State]
        lines.append(f"| {view.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
