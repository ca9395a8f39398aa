"""Meetings, their agenda, documents and attendance."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from ..output import count, created, show, table, view_options
from ..times import moment
from ..params import DATE, DATETIME, PRESENCE, from_file, read_text
from ..session import Session, pass_session


def meeting_text(m: dict[str, Any]) -> str:
    lines = [f"{m['key']}  {m['table']}  {moment(m['starts_at'], seconds=None)}  "
             f"{m['place']}  [{m['status']}]"]
    if m["reschedules"]:
        lines.append(f"rescheduled {count(m['reschedules'], 'time')}")
    lines.append("\nAgenda")
    lines += [f"  {i['number']}. {i['title']}" for i in m["agenda"]] or ["  (empty)"]
    if m["documents"]:
        lines.append(f"\nDocuments (due {moment(m['documents_due'])})"
                     if m.get("documents_due") else "\nDocuments")
        columns = ["key", "title", "version", "sent_at"]
        lines.append(table(m["documents"], [*columns, "late"] if "late" in
                           m["documents"][0] else columns))
    if m["guests"]:
        lines.append("\nGuests: " + ", ".join(m["guests"]))
    if m["attendance"]:
        lines.append("\nAttendance")
        lines.append(table(m["attendance"], ["name", "presence", "substitute_for"]))
    return "\n".join(lines)


@click.group()
def meeting() -> None:
    """Meetings: schedule, reschedule, cancel, hold, close, show, list."""


@meeting.command("schedule")
@click.argument("table_code")
@click.option("--at", "starts_at", type=DATETIME, required=True,
              help="Date and time, Europe/Amsterdam unless an offset is given.")
@click.option("--place", required=True, help="E.g. 'Johan de Witthuis' or 'Webex'.")
@pass_session
def meeting_schedule(session: Session, table_code: str, starts_at: datetime,
                     place: str) -> None:
    """Schedule a meeting; prints its id (e.g. LRT-2023-11-10)."""
    created("meeting", session.app.schedule_meeting(session.user, table_code, starts_at, place))


@meeting.command("reschedule")
@click.argument("key")
@click.option("--at", "starts_at", type=DATETIME, required=True)
@click.option("--place")
@click.option("--reason", required=True)
@pass_session
def meeting_reschedule(session: Session, key: str, starts_at: datetime, place: str | None,
                       reason: str) -> None:
    """Move a planned meeting (its id stays)."""
    session.app.reschedule_meeting(session.user, key, starts_at, place, reason)
    click.echo(f"meeting {key} rescheduled")


@meeting.command("cancel")
@click.argument("key")
@click.option("--reason", required=True)
@pass_session
def meeting_cancel(session: Session, key: str, reason: str) -> None:
    """Cancel a planned meeting."""
    session.app.cancel_meeting(session.user, key, reason)
    click.echo(f"meeting {key} cancelled")


@meeting.command("hold")
@click.argument("key")
@pass_session
def meeting_hold(session: Session, key: str) -> None:
    """Record that the meeting took place."""
    session.app.hold_meeting(session.user, key)
    click.echo(f"meeting {key} held")


@meeting.command("close")
@click.argument("key")
@pass_session
def meeting_close(session: Session, key: str) -> None:
    """Close a held meeting."""
    session.app.close_meeting(session.user, key)
    click.echo(f"meeting {key} closed")


@meeting.command("invite")
@click.argument("key")
@click.argument("person")
@pass_session
def meeting_invite(session: Session, key: str, person: str) -> None:
    """Invite PERSON as a guest of one meeting (they may read and comment)."""
    session.app.invite_guest(session.user, key, person)
    click.echo(f"{person} invited to {key}")


@meeting.command("show")
@click.argument("key")
@view_options
@pass_session
def meeting_show(session: Session, key: str, as_json: bool) -> None:
    """A meeting with its agenda, documents (and whether they were sent in time) and
    attendance."""
    show(session.views().meeting(key, session.now()), as_json, text=meeting_text)


@meeting.command("list")
@click.option("--table", "table_code", metavar="CODE")
@click.option("--since", type=DATE)
@view_options
@pass_session
def meeting_list(session: Session, table_code: str | None, since: date | None,
                 as_json: bool) -> None:
    """The meeting calendar, with attendance counts."""
    data = session.views().calendar(table=table_code, since=since)
    show(data, as_json, columns=["key", "table", "starts_at", "place", "status", "present"])


@click.group()
def agenda() -> None:
    """Numbered agenda items of a meeting."""


@agenda.command("add")
@click.argument("meeting_key")
@click.argument("title")
@pass_session
def agenda_add(session: Session, meeting_key: str, title: str) -> None:
    """Add the next numbered item; prints its number."""
    created("agenda item", session.app.add_agenda_item(session.user, meeting_key, title))


@agenda.command("list")
@click.argument("meeting_key")
@view_options
@pass_session
def agenda_list(session: Session, meeting_key: str, as_json: bool) -> None:
    """The agenda of a meeting."""
    show(session.views().meeting(meeting_key)["agenda"], as_json, columns=["number", "title"])


@click.group()
def attendance() -> None:
    """Who was present, remote ("digitaal"), absent, or a substitute."""


def _people(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    """`--present a,b --present c`: a, b, c."""
    return [p.strip() for v in value for p in v.split(",") if p.strip()]


@attendance.command("record")
@click.argument("meeting_key")
@click.argument("person", required=False)
@click.argument("presence", type=click.Choice(PRESENCE), required=False)
@click.option("--for", "substitute_for", metavar="PERSON",
              help="The member a substitute stands in for (with PERSON substitute).")
@click.option("--present", multiple=True, callback=_people, metavar="PERSON[,PERSON...]",
              help="These were present (repeatable; comma-separated).")
@click.option("--remote", multiple=True, callback=_people, metavar="PERSON[,PERSON...]",
              help="These joined remotely (digitaal).")
@click.option("--absent", multiple=True, callback=_people, metavar="PERSON[,PERSON...]",
              help="These were absent.")
@pass_session
def attendance_record(session: Session, meeting_key: str, person: str | None,
                      presence: str | None, substitute_for: str | None, present: list[str],
                      remote: list[str], absent: list[str]) -> None:
    """Record attendance (a later record replaces a person's earlier one): one PERSON and
    their PRESENCE, or several at once with --present, --remote and --absent, e.g.
    `attendance record LRT-2026-12-10 --present spies,kolff --remote de-reus`. All of
    them are recorded in one transaction, or none."""
    from lrt_domain.meetings import Presence

    if (person is None) != (presence is None):
        raise click.UsageError("give PERSON and PRESENCE together (or use --present, "
                               "--remote, --absent)")
    if substitute_for and presence != "substitute":
        raise click.UsageError("--for goes with PERSON substitute")
    records = [(p, Presence.PRESENT) for p in present] + [
        (p, Presence.REMOTE) for p in remote] + [(p, Presence.ABSENT) for p in absent]
    if person is not None and presence is not None:
        records.insert(0, (person, Presence(presence)))
    if not records:
        raise click.UsageError("give PERSON PRESENCE, or --present, --remote, --absent")
    seen = [p for p, _ in records]
    twice = sorted({p for p in seen if seen.count(p) > 1})
    if twice:
        raise click.UsageError(f"{', '.join(twice)}: named more than once")
    session.app.record_attendances(session.user, meeting_key, [
        (p, how, substitute_for if how is Presence.SUBSTITUTE else None)
        for p, how in records])
    for p, how in records:
        click.echo(f"{p}: {how.value}")


@attendance.command("list")
@click.argument("meeting_key")
@view_options
@pass_session
def attendance_list(session: Session, meeting_key: str, as_json: bool) -> None:
    """The attendance register of a meeting."""
    show(session.views().meeting(meeting_key)["attendance"], as_json,
         columns=["person", "name", "presence", "substitute_for"])


@click.group()
def document() -> None:
    """Meeting documents (vergaderstukken) and comment rounds on them."""


def _text(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise click.UsageError("give the text with --text or --from FILE (one of them)")
    return read_text(file) if file is not None else str(text)


FROM_FILE = from_file("Read the text from a file.")


@document.command("add")
@click.argument("meeting_key")
@click.argument("title")
@click.option("--text")
@FROM_FILE
@click.option("--code", help="Document code, e.g. 'HLRT 15/10 B 0.1'.")
@pass_session
def document_add(session: Session, meeting_key: str, title: str, text: str | None,
                 file: Path | None, code: str | None) -> None:
    """Add a document to a meeting; prints its id (e.g. LRT-2023-11-10/D1)."""
    created("document", session.app.add_document(session.user, meeting_key, title,
                                                 _text(text, file), code=code))


@document.command("revise")
@click.argument("key")
@click.option("--text")
@FROM_FILE
@pass_session
def document_revise(session: Session, key: str, text: str | None, file: Path | None) -> None:
    """Record a new version of a document."""
    session.app.revise_document(session.user, key, _text(text, file))
    click.echo(f"document {key} revised")


@document.command("send")
@click.argument("key")
@click.option("--sent-at", type=DATETIME,
              help="When it was sent, if not now (an e-mail already sent).")
@pass_session
def document_send(session: Session, key: str, sent_at: datetime | None) -> None:
    """Record that the document was sent to the members."""
    session.app.send_document(session.user, key, sent_at)
    click.echo(f"document {key} sent")


class _OpensByDefault(click.Group):
    """`document round KEY ...` opens a round (as it always did); `document round close KEY`
    closes the open one early."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["open", *args]
        return super().parse_args(ctx, args)


@document.group("round", cls=_OpensByDefault)
def document_round() -> None:
    """Comment rounds on a document: `round KEY` opens one, `round close KEY` closes it
    before its deadline."""


@document_round.command("open")
@click.argument("key")
@click.option("--deadline", type=DATETIME,
              help="Exact deadline, e.g. '2023-11-10 12:00' (Europe/Amsterdam) [default: "
                   "12:00 after the table's comment-round working days].")
@pass_session
def document_round_open(session: Session, key: str, deadline: datetime | None) -> None:
    """Open a comment round on a document (also: `document round KEY`)."""
    until = session.app.open_comment_round(session.user, key, deadline)
    click.echo(f"comment round on {key} open until {moment(until)}")


@document_round.command("close")
@click.argument("key")
@pass_session
def document_round_close(session: Session, key: str) -> None:
    """Close the open comment round on a document now, before its deadline (the
    secretariat or the chair); later comments are refused."""
    from lrt_domain.documents import Document

    closed = session.app.close_comment_round(session.user, key, Document)
    click.echo(f"comment round {closed.number} on {key} closed at {moment(closed.closed_at)}")


@document.command("show")
@click.argument("key")
@view_options
@pass_session
def document_show(session: Session, key: str, as_json: bool) -> None:
    """A document with its comments."""
    def text(d: dict[str, Any]) -> str:
        lines = [f"{d['key']}  {d['title']}  version {d['version']}  "
                 f"sent {moment(d['sent_at']) or '-'}",
                 f"due {moment(d['due'])} ({d['rule_days']} working days before the meeting)"
                 + (f"  LATE by {d['late_by']}" if d["late_by"] else
                    "  LATE: not sent" if d["late"] else ""),
                 "", d["text"]]
        for r in d["comment_rounds"]:
            lines.append(f"\nComment round {r['number']} until {moment(r['deadline'])}")
            lines += [f"  {moment(c['received_at'])}  {c['person']} ({c['organisation'] or 'guest'}): "
                      f"{c['text']}" for c in r["comments"]] or ["  (no comments)"]
        return "\n".join(lines)

    views = session.views()
    data = views.document(key)
    data.update(views.document_due(key, session.now()))
    show(data, as_json, text=text)


def register(group: click.Group) -> None:
    for command in (meeting, agenda, attendance, document):
        group.add_command(command)
