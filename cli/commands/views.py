"""Cross-cutting views: the comment deadlines and the history of any object."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import click

from ..output import show, view_options
from ..params import DURATION
from ..times import moment
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
    views = session.views()
    data = views.deadlines(session.now(), table=table_code, include_closed=include_closed)
    if not as_json:  # names beside the ids, where the user may read the table's members
        named = _names(views, data)
        shown: list[dict[str, Any]] = [{**r, **{k: [named.get(p, p) for p in r[k]]
                         for k in ("commented", "not_commented")},
                 "title": f"minutes of {r['subject']}" if r["kind"] == "minutes"
                 else r["title"]} for r in data]  # (in JSON as the calendar says it)
        show(shown, as_json, columns=DEADLINE_COLUMNS, empty="(no open comment rounds)")
        return
    show(data, as_json, columns=DEADLINE_COLUMNS, empty="(no open comment rounds)")


def _names(views: Any, rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """'Liesbeth Spies (liesbeth-spies)' per person id, from the members of the rows'
    tables on the days of their deadlines; ids stay where the user may not read those."""
    from datetime import date

    from lrt_domain.errors import DomainError

    named: dict[str, str] = {}
    for t, day in {(r["table"], date.fromisoformat(r["deadline"][:10])) for r in rows}:
        try:
            members = views.members(t, day)
        except DomainError:
            continue
        named.update({m["person"]: f"{m['name']} ({m['person']})" for m in members})
    return named


@click.command()
@click.argument("key")
@view_options
@pass_session
def history(session: Session, key: str, as_json: bool) -> None:
    """Every event of one object (a meeting id shows its minutes too): record time, user,
    role, on whose behalf, and what changed."""
    rows = session.views().history(session.actor(), key)
    if not as_json:  # a table row per event, readable; the whole change is in --json
        rows = [{**r, "change": _short(readable_change(r["change"]))} for r in rows]
    show(rows, as_json,
         columns=["recorded_at", "object", "version", "event", "user", "role",
                  "on_behalf_of", "change"])
    if not as_json:  # the text changes, as unified diffs between versions
        for r in rows:
            if r["diff"]:
                click.echo(f"\n{moment(r['recorded_at'])}  {r['object']} v{r['version']}  "
                           f"{r['event']}  ({r['user']})\n{r['diff']}")


DECIDING = ("deadline", "closed_at", "received_at", "sent_at")  # shown to the second


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def readable_change(change: str) -> str:
    """The change column for a person: `table LRT, starts at 2026-11-11 09:15, place
    Webex` rather than its JSON; times in Amsterdam time (to the second where they
    decide), digests shortened, lists of records counted (a text change is shown as its
    diff below the table)."""
    from projections.changes import Words, said

    from ..output import ISO_MOMENT
    from ..times import moment

    return said(change, Words(
        name=lambda k: k.replace("_", " "),
        moment=lambda v, k: moment(v, seconds=True if k in DECIDING else None)
        if ISO_MOMENT.match(v) else None,
        text=lambda v, k: repr(v) if " " in v and k in ("text", "title", "reason", "note",
                                                        "name") else v,
        yes="yes", no="no"))


def register(group: click.Group) -> None:
    group.add_command(deadlines)
    group.add_command(history)
