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

Who may read what is `read_rules` (one table, per view and state of the minutes).

Scope of registration (`require_table_registrar`, `require_user_registrar`): a secretariat
registers what acts for its own organisation and tables, never another's:

| registering            | by a secretariat user of organisation X                          |
|------------------------|------------------------------------------------------------------|
| organisation, person   | any X (the shared directory: an entry grants nothing by itself)  |
| table                  | run by X                                                         |
| secretariat user of O  | O is X; or O has no secretariat user yet (how O joins the store) |
| chair user for P       | every table P chairs is run by X                                 |
| member, guest for P    | P sits at (or chairs) no table yet, or at one run by X           |
| auditor                | X keeps the store (the organisation `lrt init` named): auditors  |
|                        | read every table, and that organisation holds the store anyway   |

Deactivating a user follows the same rule as registering it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from .errors import Forbidden
from .roles import Acting, Role

if TYPE_CHECKING:  # (the read rules import `manages`: no model is built for them)
    from .actions import Action
    from .base import Actor
    from .tables import Table


class Run(Protocol):
    """What `manages` reads of a table: a `tables.Table`, or the read side's row of it
    (`read_rules.TableRow`)."""

    @property
    def secretariat(self) -> str: ...

    @property
    def chair(self) -> str | None: ...


def _refuse(actor: Actor, what: str, code: str = "may_not", /, **details: Any
            ) -> Forbidden:
    """`code` and `details` for those who say it in other words (`errors.DomainError`)."""
    return Forbidden(f"user {actor.user} ({actor.role}) may not {what}", code=code,
                     user=actor.user, role=actor.role, **details)


def require_administrator(actor: Actor, what: str) -> None:
    """Registering organisations, persons, users and tables."""
    if actor.role is not Role.SECRETARIAT:
        raise _refuse(actor, what)


def require_table_registrar(actor: Actor, secretariat: str) -> None:
    """A secretariat registers the tables its own organisation runs."""
    require_administrator(actor, "register tables")
    if secretariat != actor.organisation:
        raise _refuse(actor, f"register a table run by {secretariat} (its own secretariat "
                             "does)")


def require_user_registrar(actor: Actor, role: Role, *, organisation: str | None,
                           person: str | None, tables: Iterable[Table], host: str | None,
                           has_secretariat: bool, what: str = "register") -> None:
    """Whether `actor` may register (or deactivate: `what`) a user of `role` for
    `organisation` and `person`. `tables`: those where the person sits or that they chair;
    `host`: the organisation that keeps the store; `has_secretariat`: whether
    `organisation` has a secretariat user already. (The scope table above.)"""
    require_administrator(actor, f"{what} users")
    own = actor.organisation
    if role is Role.SECRETARIAT:
        if organisation != own and has_secretariat:
            raise _refuse(actor, f"{what} a secretariat user of {organisation} (its own "
                                 "secretariat does)")
    elif role is Role.AUDITOR:
        if own != host:
            raise _refuse(actor, f"{what} auditors (the secretariat of {host}, which keeps "
                                 "the store, does)")
    else:  # chair, member, guest: by the tables where the person acts
        tables = list(tables)
        if role is Role.CHAIR:
            foreign = [t for t in tables if t.chair == person and t.secretariat != own]
        else:
            foreign = [] if any(t.secretariat == own for t in tables) else tables
        if foreign:
            raise _refuse(actor, f"{what} a {role} user for {person} (at table "
                                 f"{foreign[0].key}, run by {foreign[0].secretariat})")


def manages(actor: Acting, table: Run) -> bool:
    return (actor.role is Role.SECRETARIAT and actor.organisation == table.secretariat) or (
        actor.role is Role.CHAIR and actor.person is not None and actor.person == table.chair)


def require_manager(actor: Actor, table: Table, what: str) -> None:
    """Meetings, agendas, documents, attendance, minutes, approvals and actions of a table."""
    if not manages(actor, table):
        raise _refuse(actor, f"{what} (table {table.key} is run by {table.secretariat})",
                      "not_manager", what=what, table=table.key)


def commenter(actor: Actor, table: Table, for_person: str | None) -> str:
    """Whose comment it is: members and guests comment as themselves; the secretariat and
    the chair record a comment received from a person."""
    if manages(actor, table):
        if not for_person:
            raise Forbidden("for: the secretariat records a comment for a person; give --for",
                            code="for_missing", field="for")
        return for_person
    if actor.role not in (Role.MEMBER, Role.GUEST) or actor.person is None:
        raise _refuse(actor, f"comment at table {table.key}", "may_not_comment",
                      table=table.key)
    if for_person and for_person != actor.person:
        raise _refuse(actor, f"comment for {for_person}", "may_not_comment_for",
                      person=for_person)
    return actor.person


def amending_organisation(actor: Actor, table: Table, on_behalf_of: str | None,
                          day: date) -> str:
    """The organisation on whose behalf an amendment is proposed."""
    if manages(actor, table):
        if not on_behalf_of:
            raise Forbidden("on behalf of: the secretariat records an amendment for an "
                            "organisation; give --on-behalf-of", code="on_behalf_of_missing",
                            field="on behalf of")
        return on_behalf_of
    membership = table.membership_of(actor.person, day) if actor.role is Role.MEMBER else None
    if membership is None:
        raise _refuse(actor, f"propose amendments at table {table.key}", "may_not_amend",
                      table=table.key)
    if on_behalf_of and on_behalf_of != membership.organisation:
        raise _refuse(actor, f"propose amendments on behalf of {on_behalf_of}",
                      "may_not_amend_for", organisation=on_behalf_of)
    return membership.organisation


def require_progress_reporter(actor: Actor, table: Table, action: Action) -> None:
    if manages(actor, table):
        return
    if actor.role is Role.MEMBER and actor.organisation in action.owners:
        return
    raise _refuse(actor, f"report progress on action {action.key} "
                         f"(owned by {', '.join(action.owners)})", "not_owner",
                  action=action.key, owners=tuple(action.owners))


# --- Woo publication (issue 4) ----------------------------------------------------------


def require_publisher(actor: Actor, table: Table, what: str) -> None:
    """Woo decisions on a table's minutes (redact, lift, publish): those who run the table,
    its secretariat and its chair."""
    if not manages(actor, table):
        raise _refuse(actor, f"{what} (the secretariat of table {table.key}, "
                             f"{table.secretariat}, or its chair decides on Woo publication)")


def require_person_editor(actor: Actor, person: str, what: str) -> None:
    """A person's mail address and the mail they want: any secretariat user (who keeps the
    directory), or the person themselves (through their own login)."""
    if actor.role is Role.SECRETARIAT or (actor.person is not None and actor.person == person
                                          and actor.role in (Role.MEMBER, Role.GUEST,
                                                             Role.CHAIR)):
        return
    raise _refuse(actor, f"{what} of {person}")


def require_notifier(actor: Actor, what: str = "run the notifier") -> str:
    """The notifier runs as a secretariat user, for the tables its organisation runs;
    returns that organisation."""
    if actor.role is not Role.SECRETARIAT or not actor.organisation:
        raise _refuse(actor, what)
    return actor.organisation
