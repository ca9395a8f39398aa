"""`lrt use`: the current meeting (what it is and how commands use it: `cli.current`)."""

from __future__ import annotations

import os

import click

from ..current import ENV, current, remember


@click.command("use")
@click.argument("meeting", required=False)
@click.option("--clear", is_flag=True, help="Forget the current meeting.")
@click.pass_context
def use(ctx: click.Context, meeting: str | None, clear: bool) -> None:
    """Make MEETING the current meeting of this store: commands that take a meeting use it
    when it is left out (LRT_MEETING in the environment wins). Without MEETING: show it."""
    from ..session import Session

    session = ctx.find_object(Session)
    assert session is not None
    db = session.db
    if clear:
        if meeting:
            raise click.UsageError("give MEETING or --clear, not both")
        remember(db, None)
        click.echo("no current meeting")
        return
    if meeting is None:
        found = current(db)
        click.echo(f"{found[0]} (current: {found[1]})" if found else "no current meeting")
        return
    session.views().meeting(meeting)  # it exists, and this user may read it
    remember(db, meeting)
    click.echo(f"current meeting: {meeting}")
    if os.environ.get(ENV) and os.environ[ENV] != meeting:
        click.echo(f"note: {ENV}={os.environ[ENV]} is set and wins over it", err=True)


def register(group: click.Group) -> None:
    from .. import complete

    group.add_command(use)
    use.params[0]._custom_shell_complete = complete.completer("meeting")
