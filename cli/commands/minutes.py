"""Minutes, comments and amendments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..output import created, show, view_options, write_file
from ..times import moment
from ..params import DATE, DATETIME, RECORD_TIME, FilePath, from_file, read_text
from ..session import Session, pass_session

if TYPE_CHECKING:
    from projections.shapes import AttendanceRow, MinutesDocument, MinutesView

KIND_PREFIX = {"decision": "Besluit: ", "action": "Actie: ", "point": ""}
FORMATS = ("text", "md", "html", "docx", "pdf")


def _report_actions(events: list[Any]) -> None:
    """What the action lines of the text did to the register, on stderr."""
    for e in events:
        kind = type(e).__name__
        key = getattr(e, "key", None)
        if kind == "Agreed":
            click.echo(f"action {key} agreed for {', '.join(e.owners)}: {e.text}", err=True)
        elif kind == "Reworded":
            click.echo(f"action {_action_key(e)} reworded ({', '.join(e.owners)}): {e.text}",
                       err=True)
        elif kind == "Cancelled":
            click.echo(f"action {_action_key(e)} cancelled: {e.reason}", err=True)


def _action_key(event: Any) -> str:
    from lrt_domain.actions import Action

    session = click.get_current_context().find_object(Session)
    assert session is not None
    agreed = session.app.events_of(event.originator_id)[0]
    assert isinstance(agreed, Action.Agreed)
    return agreed.key




def minutes_text(m: MinutesDocument) -> str:
    """The minutes as the members read them, in Dutch throughout, as the documents write
    them (`minutes show --format md` has the same heading): `m` is what
    `Views.minutes_document` gives."""
    from lrt_app.minutes_render import header, plain

    lines = [m["table_name"], ""]
    lines += [f"{label:<24}{value}" for label, value in header(m)]
    for item in m["items"]:
        lines += ["", f"{item['number']}. {plain(item['title']).upper()}"]
        lines += [f"  • {KIND_PREFIX[p['kind']]}{plain(p['text'])}" for p in item["points"]]
    if m["amendments"]:
        lines += ["", "Wijzigingsvoorstellen"]
        for a in m["amendments"]:
            target = f"agendapunt {a['item']}" + (f", punt {a['point']}" if a["point"] else "")
            outcome = {"accepted": f"overgenomen in versie {a['version']}",
                       "rejected": f"afgewezen: {a['reason']}"}.get(a["status"],
                                                                    "in behandeling")
            lines.append(f"  {a['number']}. namens {a['organisation']}, {target}: {outcome}")
    return "\n".join(lines)


def _items(session: Session, file: Path | None, meeting: str) -> Any:
    """The items, or (from a file) their parser: the application parses the text only
    once the acting user may write these minutes."""
    from lrt_app.minutes_text import parse
    from lrt_domain.meetings import Meeting
    from lrt_domain.minutes import Item

    if file is None:  # an empty draft, one item per agenda item
        m = session.app.get(Meeting, meeting)
        return [Item(number=i.number, title=i.title) for i in m.agenda]
    text = read_text(file)
    return lambda: parse(text)


FROM_FILE = from_file(
    "The text: '## N. Title' per agenda item, '- ' per point ('Besluit:', 'Actie:').")


@click.group()
def minutes() -> None:
    """Minutes: draft, revise, circulate, approve, correct, show."""


@minutes.command("draft")
@click.argument("meeting")
@FROM_FILE
@pass_session
def minutes_draft(session: Session, meeting: str, file: Path | None) -> None:
    """Draft the minutes of a held MEETING (empty per agenda item without --from).

    Every "Actie:" line (and "(Actie: ...)" inside a point) becomes an action item, owned
    by the organisations of the table that it names (else by the secretariat)."""
    events = session.app.draft_minutes_and_actions(session.user, meeting,
                                                   _items(session, file, meeting))
    from lrt_domain.minutes import Minutes

    drafted = events[0]
    assert isinstance(drafted, Minutes.Drafted)
    created("minutes", drafted.key)
    _report_actions(events[1:])


@minutes.command("import")
@click.argument("meeting")
@click.option("--from", "file", required=True, metavar="FILE",
              type=FilePath(exists=True, dir_okay=False, path_type=Path),
              help="The minutes as published: their text (from the PDF) or a .docx.")
@pass_session
def minutes_import(session: Session, meeting: str, file: Path) -> None:
    """Draft the minutes of a held MEETING from existing minutes as they are: the published
    text (its heading block, "Aanwezig", numbered headings, bullets, page headers, names
    blacked out) or a Word document of them. Action lines become action items, as with
    `draft`."""
    from lrt_app.minutes_import import read, read_docx

    from ..params import MAX_FILE

    try:
        with open(file, "rb") as f:
            data = f.read(MAX_FILE + 1)
    except OSError as e:
        raise click.BadParameter(f"cannot read {file}: {e}", param_hint="'--from'") from None
    if len(data) > MAX_FILE:
        raise click.BadParameter(f"{file} is larger than {MAX_FILE // 1024} KiB",
                                 param_hint="'--from'")
    if data[:2] == b"PK":  # a zip: a Word document
        items = lambda: read_docx(data)  # noqa: E731 - parsed once the user may write
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise click.BadParameter(f"{file} is neither UTF-8 text nor a Word document",
                                     param_hint="'--from'") from None
        items = lambda: read(text)  # noqa: E731
    events = session.app.draft_minutes_and_actions(session.user, meeting, items)
    from lrt_domain.minutes import Minutes

    drafted = events[0]
    assert isinstance(drafted, Minutes.Drafted)
    created("minutes", drafted.key)
    _report_actions(events[1:])


@minutes.command("revise")
@click.argument("meeting")
@FROM_FILE
@click.option("--note", help="What changed.")
@click.option("--base-version", type=int,
              help="Refuse if someone revised the minutes after this version.")
@pass_session
def minutes_revise(session: Session, meeting: str, file: Path | None, note: str | None,
                   base_version: int | None) -> None:
    """Record a new version of the minutes."""
    if file is None:
        raise click.UsageError("give the new text with --from FILE")
    events = session.app.revise_minutes_and_actions(
        session.user, meeting, _items(session, file, meeting), note=note,
        base_version=base_version)
    click.echo(f"minutes {meeting} revised")
    _report_actions(events[1:])


@minutes.command("circulate")
@click.argument("meeting")
@click.option("--deadline", type=DATETIME,
              help="Comments until, e.g. '2023-11-21 12:00' (Europe/Amsterdam) [default: "
                   "12:00 after the table's comment-round working days].")
@pass_session
def minutes_circulate(session: Session, meeting: str, deadline: datetime | None) -> None:
    """Send the draft to the members and open a comment round."""
    until = session.app.circulate_minutes(session.user, meeting, deadline)
    click.echo(f"minutes {meeting} circulated; comments until {moment(until)}")


@minutes.group("round")
def minutes_round() -> None:
    """The comment round on the minutes (`minutes circulate` opens it)."""


@minutes_round.command("close")
@click.argument("meeting")
@pass_session
def minutes_round_close(session: Session, meeting: str) -> None:
    """Close the open comment round on the minutes now, before its deadline (the
    secretariat or the chair), so that they can be approved; later comments are refused."""
    from lrt_domain.minutes import Minutes

    closed = session.app.close_comment_round(session.user, meeting, Minutes)
    click.echo(f"comment round {closed.number} on minutes {meeting} closed at "
               f"{moment(closed.closed_at)}")


@minutes.command("procedure")
@click.argument("meeting")
@click.option("--deadline", type=DATETIME,
              help="Objections until; tacit consent after [default: 12:00 after the "
                   "table's written-procedure working days].")
@pass_session
def minutes_procedure(session: Session, meeting: str, deadline: datetime | None) -> None:
    """Start a written procedure (schriftelijke vaststelling), where the table's rules
    approve minutes that way."""
    until = session.app.start_written_procedure(session.user, meeting, deadline)
    click.echo(f"written procedure for {meeting} runs until {moment(until)}")


@minutes.command("object")
@click.argument("meeting")
@click.option("--text", required=True)
@click.option("--for", "for_person", metavar="PERSON",
              help="(secretariat) the member whose objection this is.")
@pass_session
def minutes_object(session: Session, meeting: str, text: str, for_person: str | None) -> None:
    """Object to approval by written procedure."""
    session.app.object_to_minutes(session.user, meeting, text, for_person=for_person)
    click.echo(f"objection to {meeting} recorded")


@minutes.command("approve")
@click.argument("meeting")
@click.option("--at-meeting", metavar="MEETING", help="The later meeting that approved them.")
@click.option("--written-procedure", is_flag=True,
              help="Approved by tacit consent: the procedure ended without objection.")
@pass_session
def minutes_approve(session: Session, meeting: str, at_meeting: str | None,
                    written_procedure: bool) -> None:
    """Record the approval (vaststelling) of the minutes."""
    session.app.approve_minutes(session.user, meeting, at_meeting=at_meeting,
                                written_procedure=written_procedure)
    click.echo(f"minutes {meeting} approved")


@minutes.command("correct")
@click.argument("meeting")
@click.option("--item", type=int, required=True)
@click.option("--point", type=int, help="The point replaced [default: a new point].")
@click.option("--text", required=True)
@click.option("--reason", required=True)
@pass_session
def minutes_correct(session: Session, meeting: str, item: int, point: int | None, text: str,
                    reason: str) -> None:
    """Record a correction of approved minutes (never an edit)."""
    created("correction", session.app.correct_minutes(session.user, meeting, item=item,
                                                      point=point, text=text, reason=reason))


@minutes.command("show")
@click.argument("meeting")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True,
              help="text: an overview; md, html, docx, pdf (PDF/A-2b): the minutes as a "
                   "Dutch document in the layout of the LRT's minutes.")
@click.option("--out", type=FilePath(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file (needed for docx and pdf) [default: stdout].")
@click.option("--template", type=FilePath(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE.docx",
              help="(docx) Render into this Word document's styles, page setup, header "
                   "and footer; {{ tafel }}, {{ titel }}, {{ datum }}, {{ referentie }} and "
                   "{{ auteur }} in it are filled in.")
@click.option("--official-on", type=DATE, metavar="DATE",
              help="The approved text in force on this date, with the corrections recorded "
                   "by then; refused when the minutes were not approved by then.")
@view_options
@pass_session
def minutes_show(session: Session, meeting: str, fmt: str, out: Path | None,
                 template: Path | None, official_on: date | None, as_json: bool) -> None:
    """The current minutes: status, version, text per agenda item, amendments."""
    if as_json and fmt != "text":
        raise click.UsageError("--json and --format exclude each other")
    if fmt in ("docx", "pdf") and out is None:
        raise click.UsageError(f"--format {fmt} writes a file: give --out FILE.{fmt}")
    if template is not None and fmt != "docx":
        raise click.UsageError("--template goes with --format docx")
    if official_on is not None:
        if session.as_of is not None:
            raise click.UsageError("--as-of and --official-on exclude each other")
        session.as_of = RECORD_TIME.convert(official_on.isoformat(), None, None)
    views = session.views()
    if official_on is not None:
        views.require_approved(meeting, official_on)
    if fmt == "text":
        import json

        content: str | bytes = (
            json.dumps(views.minutes(session.actor(), meeting), ensure_ascii=False, indent=2)
            if as_json else minutes_text(views.minutes_document(session.actor(), meeting))
        ) + "\n"
        if out is None:
            click.echo(content, nl=False)
            return
    else:
        from lrt_app import minutes_render

        document = views.minutes_document(session.actor(), meeting)
        made = session.app.clock.now()  # the render time: the document's properties
        if fmt == "md":
            content = minutes_render.to_markdown(document)
        elif fmt == "html":
            content = minutes_render.to_html(document)
        elif fmt == "pdf":
            content = minutes_render.to_pdf(document, now=made)
        else:
            try:
                content = minutes_render.to_docx(document, now=made, template=template)
            except minutes_render.TemplateError as e:
                raise click.BadParameter(str(e), param_hint="'--template'") from None
    if out is None:
        click.echo(content, nl=False)
        return
    write_file(out, content)
    click.echo(f"{out}", err=False)
    click.echo(f"minutes {meeting} written to {out} ({fmt})", err=True)


@minutes.command("list")
@click.option("--table", "table_code", metavar="CODE")
@view_options
@pass_session
def minutes_list(session: Session, table_code: str | None, as_json: bool) -> None:
    """All minutes with their status and version."""
    rows = session.views().minutes_list(table_code)
    if not as_json:  # the names people use: changed after circulating is still circulated
        rows = [{**r, "status": SHOWN_STATUS.get(r["status"], r["status"])} for r in rows]
    show(rows, as_json, columns=["meeting", "table", "date", "status", "version"])


# `revised` (the domain's state: changed after it was circulated, by an accepted amendment
# or a new version) is, to the members, circulated minutes in a newer version.
SHOWN_STATUS = {"revised": "circulated (revised)"}


@click.group()
def comment() -> None:
    """Comments in a comment round, on minutes or on a document."""


@comment.command("add")
@click.argument("on", metavar="MINUTES_OR_DOCUMENT")
@click.option("--text", required=True)
@click.option("--for", "for_person", metavar="PERSON",
              help="(secretariat) the member who sent the comment.")
@click.option("--received-at", type=DATETIME,
              help="(secretariat) when the comment was received [default: now].")
@pass_session
def comment_add(session: Session, on: str, text: str, for_person: str | None,
                received_at: datetime | None) -> None:
    """Comment on minutes (by meeting id) or a document (e.g. LRT-2023-11-10/D1)."""
    if received_at is not None and for_person is None:
        raise click.UsageError("--received-at goes with --for (a comment recorded for someone)")
    created("comment", session.app.comment(session.user, on, text, for_person=for_person,
                                           received_at=received_at))


@comment.command("list")
@click.argument("on", metavar="MINUTES_OR_DOCUMENT")
@view_options
@pass_session
def comment_list(session: Session, on: str, as_json: bool) -> None:
    """Every comment, round by round."""
    data = session.views().comments(session.actor(), on)
    show(data, as_json, columns=["round", "number", "person", "organisation", "received_at",
                                 "text"])


@click.group()
def amendment() -> None:
    """Amendments (wijzigingen) to circulated minutes."""


@amendment.command("propose")
@click.argument("meeting")
@click.option("--item", type=int, required=True, help="Agenda item number.")
@click.option("--point", type=int, help="The point to replace [default: add a new point].")
@click.option("--text", required=True, help="The proposed text.")
@click.option("--on-behalf-of", metavar="CODE",
              help="(secretariat) the organisation proposing it; members propose for their own.")
@pass_session
def amendment_propose(session: Session, meeting: str, item: int, point: int | None,
                      text: str, on_behalf_of: str | None) -> None:
    """Propose an amendment; prints its number."""
    created("amendment", session.app.propose_amendment(
        session.user, meeting, item=item, point=point, text=text, on_behalf_of=on_behalf_of))


@amendment.command("accept")
@click.argument("meeting")
@click.argument("number", type=int)
@pass_session
def amendment_accept(session: Session, meeting: str, number: int) -> None:
    """Accept an amendment: the text changes in a new version."""
    session.app.accept_amendment(session.user, meeting, number)
    click.echo(f"amendment {number} of {meeting} accepted")


@amendment.command("reject")
@click.argument("meeting")
@click.argument("number", type=int)
@click.option("--reason", required=True)
@pass_session
def amendment_reject(session: Session, meeting: str, number: int, reason: str) -> None:
    """Reject an amendment with a reason."""
    session.app.reject_amendment(session.user, meeting, number, reason)
    click.echo(f"amendment {number} of {meeting} rejected")


@amendment.command("list")
@click.argument("meeting")
@view_options
@pass_session
def amendment_list(session: Session, meeting: str, as_json: bool) -> None:
    """The amendments of a set of minutes."""
    data = session.views().minutes(session.actor(), meeting)["amendments"]
    show(data, as_json, columns=["number", "organisation", "item", "point", "status", "text"])


def register(group: click.Group) -> None:
    for command in (minutes, comment, amendment):
        group.add_command(command)
