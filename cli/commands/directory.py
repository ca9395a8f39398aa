"""Organisations, persons and users."""

from __future__ import annotations

from typing import Any

import click

from ..output import created, show, view_options
from ..params import DURATION, ROLES

MAIL_KINDS = ("invitation", "rescheduled", "cancelled", "documents", "round", "reminder",
              "circulated", "amendment", "approved", "action-due", "action-overdue")
from ..session import Session, pass_session


@click.group()
def org() -> None:
    """Organisations: ministries, VNG, IPO, COA, Aedes, ..."""


@org.command("add")
@click.argument("code")
@click.argument("name")
@pass_session
def org_add(session: Session, code: str, name: str) -> None:
    """Register an organisation under a short CODE (e.g. VNG)."""
    created("organisation", session.app.register_organisation(session.user, code, name))


@org.command("tooi")
@click.argument("code")
@click.argument("tooi", required=False, metavar="URI")
@click.option("--none", "no_tooi", is_flag=True, help="Take the identifier off.")
@pass_session
def org_tooi(session: Session, code: str, tooi: str | None, no_tooi: bool) -> None:
    """Record an organisation's TOOI identifier (e.g.
    https://identifier.overheid.nl/tooi/id/ministerie/mnre1058): the DiWoo metadata of
    publications name the publisher by it."""
    if (tooi is None) == (not no_tooi):
        raise click.UsageError("give either the TOOI URI or --none")
    session.app.record_tooi(session.user, code, tooi)
    click.echo(f"organisation {code}: " + (f"TOOI {tooi} recorded" if tooi
                                            else "no TOOI identifier"), err=True)


@org.command("list")
@view_options
@pass_session
def org_list(session: Session, as_json: bool) -> None:
    """The registered organisations."""
    rows = session.views().organisations()
    show(rows, as_json, columns=["code", "name", "tooi", *(["email"] if rows and "email" in rows[0]
                                                   else [])])


@org.command("email")
@click.argument("code")
@click.argument("address", required=False)
@click.option("--remove", is_flag=True, help="Remove the functional address.")
@pass_session
def org_email(session: Session, code: str, address: str | None, remove: bool) -> None:
    """Set an organisation's functional mail ADDRESS (e.g. the VNG secretariat's), or
    --remove it. Mail for the organisation (amendments, its actions, reminders) goes there."""
    new = session.app.change_organisation_email(session.user, code, _address(address, remove))
    click.echo(f"mail address of {code} " + (f"set to {new}" if new else "removed"), err=True)


def _address(address: str | None, remove: bool) -> str | None:
    if remove == (address is not None):
        raise click.UsageError("give an ADDRESS or --remove (not both)")
    return address


@click.group()
def person() -> None:
    """Persons: the people who sit at the tables."""


@person.command("add")
@click.argument("name")
@click.option("--id", "person_key", metavar="ID", help="Id to use [default: from the name].")
@click.option("--title", help="How the minutes name them: 'Dhr.', 'Mevr.', 'minister'.")
@pass_session
def person_add(session: Session, name: str, person_key: str | None,
               title: str | None) -> None:
    """Register a person; prints the id (e.g. liesbeth-spies)."""
    created("person", session.app.register_person(session.user, name,
                                                  person_key=person_key, title=title))


@person.command("email")
@click.argument("person_key", metavar="PERSON")
@click.argument("address", required=False)
@click.option("--remove", is_flag=True, help="Remove the mail address.")
@pass_session
def person_email(session: Session, person_key: str, address: str | None, remove: bool
                 ) -> None:
    """Set a person's mail ADDRESS, or --remove it (a secretariat user, or the person
    through their own login). Addresses are personal data: never published."""
    new = session.app.change_person_email(session.user, person_key, _address(address, remove))
    click.echo(f"mail address of {person_key} " + (f"set to {new}" if new else "removed"),
               err=True)


@person.command("mail")
@click.argument("person_key", metavar="PERSON")
@click.option("--off", "off", multiple=True, metavar="KIND", type=click.Choice(MAIL_KINDS),
              help="Opt out of this kind of mail (repeatable).")
@click.option("--on", "on", multiple=True, metavar="KIND", type=click.Choice(MAIL_KINDS),
              help="Opt back into this kind of mail (repeatable).")
@pass_session
def person_mail(session: Session, person_key: str, off: tuple[str, ...],
                on: tuple[str, ...]) -> None:
    """Which mail a person wants: --off KIND / --on KIND. Invitations, reschedulings,
    cancellations and comment rounds (round, circulated) cannot be switched off. Kinds:
    documents, reminder, amendment, approved, action-due, action-overdue."""
    if not off and not on:
        raise click.UsageError("give --off KIND or --on KIND")
    for kind in off:
        session.app.change_mail_wish(session.user, person_key, kind, wanted=False)
    for kind in on:
        session.app.change_mail_wish(session.user, person_key, kind, wanted=True)
    click.echo(f"mail wishes of {person_key} recorded", err=True)


@person.command("office")
@click.argument("person_key", metavar="PERSON")
@click.option("--office", metavar="TEXT",
              help="The public office held, e.g. 'burgemeester van Dordrecht'.")
@click.option("--none", "no_office", is_flag=True, help="The person holds no public office.")
@pass_session
def person_office(session: Session, person_key: str, office: str | None,
                  no_office: bool) -> None:
    """Record the public office a person holds: an office holder is named in Woo
    publications, a guest who holds none is redacted as a civil servant."""
    if (office is None) == (not no_office):
        raise click.UsageError("give either --office TEXT or --none")
    session.app.record_office(session.user, person_key, office)
    click.echo(f"person {person_key}: " + (f"office {office!r} recorded" if office
                                            else "no public office"), err=True)


@person.command("list")
@view_options
@pass_session
def person_list(session: Session, as_json: bool) -> None:
    """The registered persons."""
    rows = session.views().persons()
    show(rows, as_json, columns=["id", "name", "title", "office", *(
        ["email", "mail_off"] if rows and "email" in rows[0] else [])])


@click.group()
def user() -> None:
    """Users: who may act, and in which role."""


@user.command("add")
@click.argument("login")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--organisation", metavar="CODE",
              help="Organisation (secretariat and member users).")
@click.option("--person", metavar="ID", help="Person the user is (member, guest, chair).")
@pass_session
def user_add(session: Session, login: str, role: str, organisation: str | None,
             person: str | None) -> None:
    """Register a user with a role."""
    from lrt_domain.base import Role

    created("user", session.app.register_user(session.user, login, Role(role),
                                              organisation=organisation, person=person))


@user.command("deactivate")
@click.argument("login")
@click.option("--reason", required=True)
@pass_session
def user_deactivate(session: Session, login: str, reason: str) -> None:
    """Stop a user from acting (their history stays)."""
    session.app.deactivate_user(session.user, login, reason)
    click.echo(f"user {login} deactivated")


@user.command("link")
@click.argument("login")
@click.option("--valid", type=DURATION, default="15m", show_default=True,
              help="How long the link works: '15m', '2h', '1d' (at most 7 days).")
@click.option("--base-url", envvar="LRT_PORTAL_BASE_URL", default="http://127.0.0.1:8000",
              show_default=True, help="The portal's address [env LRT_PORTAL_BASE_URL].")
@pass_session
def user_link(session: Session, login: str, valid: Any, base_url: str) -> None:
    """Print a one-time login link to the member portal for LOGIN (`lrt serve`).

    The link works once, until it expires; only its hash is kept, beside the store and
    never in the event log."""
    token = session.app.issue_login_link(session.user, login, valid)
    click.echo(f"{base_url.rstrip('/')}/inloggen/{token}")
    click.echo(f"login link for {login}, valid for {_span(valid)}, once", err=True)


def _span(valid: Any) -> str:
    minutes = int(valid.total_seconds() // 60)
    return f"{minutes} minute(s)" if minutes < 120 else f"{minutes // 60} hour(s)"


@user.command("list")
@view_options
@pass_session
def user_list(session: Session, as_json: bool) -> None:
    """The registered users and their roles."""
    show(session.views().users(), as_json,
         columns=["user", "role", "organisation", "person", "active"])


def register(group: click.Group) -> None:
    for command in (org, person, user):
        group.add_command(command)
