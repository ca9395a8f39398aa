"""Cross-cutting views: the comment deadlines and the history of any object."""

from __future__ import annotations

import click

from ..output import json_option, show
from ..session import Session, pass_session

DEADLINE_COLUMNS = ["deadline", "subject", "title", "open", "comments", "commented",
                    "not_commented"]


@click.command()
@click.option("--table", "table_code", metavar="CODE")
@click.option("--all", "include_closed", is_flag=True, help="Include closed rounds.")
@json_option
@pass_session
def deadlines(session: Session, table_code: str | None, include_closed: bool,
              as_json: bool) -> None:
    """Comment rounds: deadline, who commented and who did not yet."""
    data = session.views().deadlines(session.now(), table=table_code,
                                     include_closed=include_closed)
    show(data, as_json, columns=DEADLINE_COLUMNS, empty="(no open comment rounds)")


@click.command()
@click.argument("key")
@json_option
@pass_session
def history(session: Session, key: str, as_json: bool) -> None:
    """Every event of one object (a meeting id shows its minutes too): record time, user,
    role, on whose behalf, and what changed."""
    from lrt_app.history import history as events_of

    session.actor()  # only registered users read history
    rows = events_of(session.app, key)
    if not as_json:  # a table row per event; the whole change is in --json
        rows = [{**r, "change": r["change"] if len(r["change"]) <= 100
                 else r["change"][:99] + "…"} for r in rows]
    show(rows, as_json,
         columns=["recorded_at", "object", "version", "event", "user", "role",
                  "on_behalf_of", "change"])


def register(group: click.Group) -> None:
    group.add_command(deadlines)
    group.add_command(history)
