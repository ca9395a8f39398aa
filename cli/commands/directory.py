"""Organisations, persons and users."""

from __future__ import annotations

from typing import Any

import click

from ..output import created, show, view_options
from ..params import DURATION, ROLES
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


@org.command("list")
@view_options
@pass_session
def org_list(session: Session, as_json: bool) -> None:
    """The registered organisations."""
    show(session.views().organisations(), as_json, columns=["code", "name"])


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


@person.command("list")
@view_options
@pass_session
def person_list(session: Session, as_json: bool) -> None:
    """The registered persons."""
    show(session.views().persons(), as_json, columns=["id", "name", "title"])


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
