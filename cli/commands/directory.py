"""Organisations, persons and users."""

from __future__ import annotations

import click

from ..output import created, show, view_options
from ..params import ROLES
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
    show(session.views().organisations(), as_json, columns=["code", "name", "tooi"])


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
    show(session.views().persons(), as_json, columns=["id", "name", "title", "office"])


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
