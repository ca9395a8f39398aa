"""Who may do what: every role rule of the domain guide, in one place.

| role        | may                                                                     |
|-------------|-------------------------------------------------------------------------|
| secretariat | register organisations, persons, users and tables; everything on the    |
|             | tables its organisation runs                                            |
| chair       | everything the secretariat may, on the table they chair                 |
| member      | read drafts of their table; comment; propose amendments for their own   |
|             | organisation; report progress on actions their organisation owns        |
| guest       | read the documents of the meeting they are invited to; comment there    |
| auditor     | read everything; never change anything                                  |
"""

from __future__ import annotations

from datetime import date

from .actions import Action
from .base import Actor, Role
from .errors import Forbidden
from .meetings import Meeting
from .tables import Table


def _refuse(actor: Actor, what: str) -> Forbidden:
    return Forbidden(f"user {actor.user} ({actor.role}) may not {what}")


def require_administrator(actor: Actor, what: str) -> None:
    """Registering organisations, persons, users and tables."""
    if actor.role is not Role.SECRETARIAT:
        raise _refuse(actor, what)


def manages(actor: Actor, table: Table) -> bool:
    return (actor.role is Role.SECRETARIAT and actor.organisation == table.secretariat) or (
        actor.role is Role.CHAIR and actor.person is not None and actor.person == table.chair)


def require_manager(actor: Actor, table: Table, what: str) -> None:
    """Meetings, agendas, documents, attendance, minutes, approvals and actions of a table."""
    if not manages(actor, table):
        raise _refuse(actor, f"{what} (table {table.key} is run by {table.secretariat})")


def commenter(actor: Actor, table: Table, for_person: str | None) -> str:
    """Whose comment it is: members and guests comment as themselves; the secretariat and
    the chair record a comment received from a person."""
    if manages(actor, table):
        if not for_person:
            raise Forbidden("for: the secretariat records a comment for a person; give --for")
        return for_person
    if actor.role not in (Role.MEMBER, Role.GUEST) or actor.person is None:
        raise _refuse(actor, f"comment at table {table.key}")
    if for_person and for_person != actor.person:
        raise _refuse(actor, f"comment for {for_person}")
    return actor.person


def amending_organisation(actor: Actor, table: Table, on_behalf_of: str | None,
                          day: date) -> str:
    """The organisation on whose behalf an amendment is proposed."""
    if manages(actor, table):
        if not on_behalf_of:
            raise Forbidden("on behalf of: the secretariat records an amendment for an "
                            "organisation; give --on-behalf-of")
        return on_behalf_of
    membership = table.membership_of(actor.person, day) if actor.role is Role.MEMBER else None
    if membership is None:
        raise _refuse(actor, f"propose amendments at table {table.key}")
    if on_behalf_of and on_behalf_of != membership.organisation:
        raise _refuse(actor, f"propose amendments on behalf of {on_behalf_of}")
    return membership.organisation


def require_progress_reporter(actor: Actor, table: Table, action: Action) -> None:
    if manages(actor, table):
        return
    if actor.role is Role.MEMBER and actor.organisation in action.owners:
        return
    raise _refuse(actor, f"report progress on action {action.key} "
                         f"(owned by {', '.join(action.owners)})")


def may_read_drafts(actor: Actor, table: Table, meeting: Meeting, day: date) -> bool:
    if actor.role is Role.AUDITOR or manages(actor, table):
        return True
    if actor.role is Role.MEMBER and table.membership_of(actor.person, day) is not None:
        return True
    return actor.role is Role.GUEST and actor.person in meeting.guests


def require_draft_reader(actor: Actor, table: Table, meeting: Meeting, day: date) -> None:
    if not may_read_drafts(actor, table, meeting, day):
        raise _refuse(actor, f"read the drafts of meeting {meeting.key}")


# --- Woo publication (issue 4) ----------------------------------------------------------


def require_publisher(actor: Actor, table: Table, what: str) -> None:
    """Woo decisions on a table's minutes (redact, lift, publish): those who run the table,
    its secretariat and its chair."""
    if not manages(actor, table):
        raise _refuse(actor, f"{what} (the secretariat of table {table.key}, "
                             f"{table.secretariat}, or its chair decides on Woo publication)")


def require_woo_reader(actor: Actor, table: Table, meeting: Meeting) -> None:
    """The redactions name whom they hide: the table's secretariat and chair, and
    auditors (Woo officers), read them."""
    if not (actor.role is Role.AUDITOR or manages(actor, table)):
        raise _refuse(actor, f"read the Woo redactions of meeting {meeting.key}")


def require_exporter(actor: Actor, table: Table) -> None:
    """The export for parliament holds approved, redacted minutes only: those who run the
    table make it, and an auditor (a Woo officer) may make it too."""
    if not (actor.role is Role.AUDITOR or manages(actor, table)):
        raise _refuse(actor, f"export the minutes of table {table.key} (its secretariat "
                             f"{table.secretariat}, its chair or an auditor does)")
