"""The action register."""

from __future__ import annotations

from datetime import date

import click

from ..output import count, created, show, view_options
from ..times import moment
from ..params import DATE
from ..session import Session, pass_session

REGISTER_COLUMNS = ["key", "owners", "due", "status", "carried_over", "overdue", "text"]


@click.group()
def action() -> None:
    """Action items: add, progress, done, cancel, carry, list."""


@action.command("add")
@click.argument("meeting")
@click.option("--item", type=int, required=True, help="Agenda item it was agreed under.")
@click.option("--owner", "owners", multiple=True, required=True, metavar="CODE",
              help="Owning organisation (repeat for several).")
@click.option("--text", required=True)
@click.option("--due", type=DATE, help="Due date [default: before the next meeting].")
@pass_session
def action_add(session: Session, meeting: str, item: int, owners: tuple[str, ...], text: str,
               due: date | None) -> None:
    """Record an action agreed at MEETING; prints its id (e.g. LRT-2023-11-10/A1)."""
    created("action", session.app.agree_action(session.user, meeting, item=item, text=text,
                                               owners=list(owners), due=due))


@action.command("progress")
@click.argument("key")
@click.option("--note", required=True)
@pass_session
def action_progress(session: Session, key: str, note: str) -> None:
    """Report progress (owners' members or the secretariat)."""
    session.app.report_progress(session.user, key, note)
    click.echo(f"progress on {key} recorded")


@action.command("done")
@click.argument("key")
@click.option("--note")
@pass_session
def action_done(session: Session, key: str, note: str | None) -> None:
    """Mark an action done."""
    session.app.complete_action(session.user, key, note)
    click.echo(f"action {key} done")


@action.command("cancel")
@click.argument("key")
@click.option("--reason", required=True)
@pass_session
def action_cancel(session: Session, key: str, reason: str) -> None:
    """Cancel an action."""
    session.app.cancel_action(session.user, key, reason)
    click.echo(f"action {key} cancelled")


@action.command("carry")
@click.argument("key")
@click.option("--to", "to_meeting", required=True, metavar="MEETING")
@click.option("--due", type=DATE, help="New due date [default: before the next meeting].")
@pass_session
def action_carry(session: Session, key: str, to_meeting: str, due: date | None) -> None:
    """Carry an open action over to a later meeting."""
    session.app.carry_over_action(session.user, key, to_meeting, due)
    click.echo(f"action {key} carried over to {to_meeting}")


@action.command("show")
@click.argument("key")
@view_options
@pass_session
def action_show(session: Session, key: str, as_json: bool) -> None:
    """One action with its progress reports."""
    def text(a: dict) -> str:
        lines = [f"{a['key']}  [{a['status']}]  owners {', '.join(a['owners'])}  "
                 f"due {a['due'] or 'before the next meeting'}",
                 f"agreed at {a['agreed_at']} item {a['item']}; now at {a['meeting']}; "
                 f"carried over {count(a['carried_over'], 'time')}", "", a["text"]]
        lines += [f"  {moment(p['reported_at'], seconds=None)}  {p['by']} ({p['organisation'] or '-'}): {p['note']}"
                  for p in a["progress"]]
        if a["outcome"]:
            lines.append(f"outcome: {a['outcome']}")
        return "\n".join(lines)

    show(session.views().action(key), as_json, text=text)


@action.command("list")
@click.option("--table", "table_code", metavar="CODE")
@click.option("--owner", metavar="CODE", help="Only actions this organisation owns.")
@click.option("--all", "include_closed", is_flag=True, help="Include done and cancelled.")
@view_options
@pass_session
def action_list(session: Session, table_code: str | None, owner: str | None,
                include_closed: bool, as_json: bool) -> None:
    """The action register: overdue first, then by due date."""
    from lrt_domain.dutch_time import local_date

    views = session.views()
    data = views.actions(local_date(session.now()), table=table_code, owner=owner,
                         include_closed=include_closed)
    show(data, as_json, columns=REGISTER_COLUMNS)


def register(group: click.Group) -> None:
    group.add_command(action)
