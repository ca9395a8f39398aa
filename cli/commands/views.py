"""Cross-cutting views: the comment deadlines and the history of any object."""

from __future__ import annotations

from datetime import timedelta

import click

from ..output import show, view_options
from ..params import DURATION
from ..session import Session, pass_session

DUE_COLUMNS = ["due", "overdue", "kind", "subject", "title", "waiting_on"]
DEADLINE_COLUMNS = ["deadline", "subject", "title", "open", "comments", "commented",
                    "not_commented"]


@click.command()
@click.option("--table", "table_code", metavar="CODE")
@click.option("--all", "include_closed", is_flag=True, help="Include closed rounds.")
@click.option("--within", type=DURATION, metavar="DURATION",
              help="Instead: everything that falls due within this time (48h, 2d, 1w): "
                   "comment rounds and written procedures closing, documents due, actions "
                   "due; overdue ones first.")
@view_options
@pass_session
def deadlines(session: Session, table_code: str | None, include_closed: bool,
              within: timedelta | None, as_json: bool) -> None:
    """Comment rounds: deadline, who commented and who did not yet. With --within: what
    falls due soon, of every kind."""
    if within is not None:
        if include_closed:
            raise click.UsageError("--all and --within exclude each other")
        due = session.views().due_soon(session.now(), within, table=table_code)
        show(due, as_json, columns=DUE_COLUMNS, empty="(nothing falls due)")
        return
    data = session.views().deadlines(session.now(), table=table_code,
                                     include_closed=include_closed)
    show(data, as_json, columns=DEADLINE_COLUMNS, empty="(no open comment rounds)")


@click.command()
@click.argument("key")
@view_options
@pass_session
def history(session: Session, key: str, as_json: bool) -> None:
    """Every event of one object (a meeting id shows its minutes too): record time, user,
    role, on whose behalf, and what changed."""
    rows = session.views().history(session.actor(), key)
    if not as_json:  # a table row per event; the whole change is in --json
        rows = [{**r, "change": r["change"] if len(r["change"]) <= 100
                 else r["change"][:99] + "…"} for r in rows]
    show(rows, as_json,
         columns=["recorded_at", "object", "version", "event", "user", "role",
                  "on_behalf_of", "change"])
    if not as_json:  # the text changes, as unified diffs between versions
        for r in rows:
            if r["diff"]:
                click.echo(f"\n{r['recorded_at']}  {r['object']} v{r['version']}  "
                           f"{r['event']}  ({r['user']})\n{r['diff']}")


def register(group: click.Group) -> None:
    group.add_command(deadlines)
    group.add_command(history)
