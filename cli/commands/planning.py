"""Reports and the calendar: documents' punctuality, and an iCalendar export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..output import count, emit_json, show, table, view_options, write_file
from ..params import FilePath
from ..session import Session, pass_session

if TYPE_CHECKING:
    from projections.shapes import Punctuality


@click.group()
def report() -> None:
    """Reports over a period."""


def punctuality_text(d: Punctuality) -> str:
    t = d["totals"]
    lines = [f"Punctuality of the documents of {d['table']} in {d['year']}: "
             f"{t['on_time']} of {t['documents']} on time, {t['late']} late, "
             f"{t['unsent']} not sent ({count(t['meetings'], 'meeting')})", ""]
    if not d["meetings"]:
        return lines[0] + "\n(no meetings)"
    lines.append(table(d["meetings"], ["meeting", "due", "rule_days", "documents", "on_time",
                                       "late", "unsent", "latest"],
                       ["meeting", "documents due", "rule", "documents", "on time", "late",
                        "not sent", "latest by"]))
    late = [(m["meeting"], doc) for m in d["meetings"] for doc in m["late_documents"]]
    if late:
        lines += ["", "Late documents"]
        lines.append(table([{"meeting": meeting, **doc,
                             "notice": "after the start" if doc["notice_days"] is None
                             else f"{doc['notice_days']} working days"}
                            for meeting, doc in late],
                           ["key", "sent_at", "late_by", "notice", "title"]))
    return "\n".join(lines)


@report.command("punctuality")
@click.option("--table", "table_code", metavar="CODE", required=True)
@click.option("--year", type=click.IntRange(1900, 9999), required=True)
@view_options
@pass_session
def report_punctuality(session: Session, table_code: str, year: int, as_json: bool) -> None:
    """Per meeting of a table in a year: how many documents were sent on time (the table's
    rule: N working days before the meeting), and how late the others were."""
    session.actor()  # registered users only
    show(session.views().punctuality(table_code, year, session.now()), as_json,
         text=punctuality_text)


@click.group()
def calendar() -> None:
    """The meeting calendar and deadlines as an iCalendar file."""


@calendar.command("export")
@click.option("--table", "table_code", metavar="CODE", help="Only this table.")
@click.option("--person", metavar="ID",
              help="Only what concerns this person: meetings of their tables and those they "
                   "are invited to, rounds they may comment in, their organisations' actions.")
@click.option("--out", required=True,
              type=FilePath(dir_okay=False, writable=True, path_type=Path),
              help="The .ics file to write (replaced whole).")
@view_options
@pass_session
def calendar_export(session: Session, table_code: str | None, person: str | None, out: Path,
                    as_json: bool) -> None:
    """Meetings as events (cancelled ones marked so), comment deadlines, written
    procedures and actions as to-dos, in Europe/Amsterdam, with stable UIDs: importing a
    later export updates the entries."""
    from lrt_app.calendar_ics import to_ics

    session.actor()  # registered users only
    entries = session.views().calendar_entries(session.now(), table=table_code, person=person)
    write_file(out, to_ics(entries))
    summary = {"file": str(out), "events": len(entries["events"]),
               "todos": len(entries["todos"]),
               "cancelled": sum(e["status"] == "cancelled" for e in entries["events"])}
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"{out}: {count(len(entries['events']), 'meeting')} "
                   f"({summary['cancelled']} cancelled), {summary['todos']} to-dos")


def register(group: click.Group) -> None:
    for command in (report, calendar):
        group.add_command(command)
