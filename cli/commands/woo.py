"""Woo publication of approved minutes: `lrt minutes redactions|redact|unredact|publish`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..output import count, json_option, show, view_options
from ..params import FilePath
from ..session import Session, pass_session

GROUNDS = ("5.1.2e", "5.2")


def _decision(d: Any) -> dict[str, Any] | None:
    from projections.common import when

    return None if d is None else {"user": d.user, "role": d.role.value,
                                   "organisation": d.organisation, "at": when(d.at),
                                   "reason": d.reason}


def redaction_row(e: Any) -> dict[str, Any]:
    """One redaction as `lrt minutes redactions --json` shows it."""
    from lrt_domain.publication import GROUND_DESCRIPTIONS

    return {"number": e.number, "kind": e.kind.value, "person": e.person,
            "passage": e.passage, "name": e.name, "phone": e.phone,
            "ground": e.ground.value,
            "ground_description": GROUND_DESCRIPTIONS[e.ground], "origin": e.origin.value,
            "in_force": e.in_force, "reason": e.reason, "decided": _decision(e.decided),
            "lifted": _decision(e.lifted), "occurrences": e.occurrences,
            "where": list(e.locations)}


def _target(row: dict[str, Any]) -> str:
    if row["person"]:
        return str(row["person"])
    if row.get("name"):
        return f'name "{row["name"]}"'
    if row.get("phone"):
        return f"phone {row['phone']}"
    text = " ".join(row["passage"].split())
    return f'"{text[:40]}..."' if len(text) > 43 else f'"{text}"'


def _table_text(rows: list[dict[str, Any]]) -> str:
    from ..output import table

    if not rows:
        return "(none)"
    for r in rows:
        r["target"] = _target(r)
        r["status"] = "in force" if r["in_force"] else "lifted"
        d = r["lifted"] or r["decided"]
        r["by"] = f"{d['user']} ({d['role']}) {d['at']}" if d else "default rule"
    return table(rows, ["number", "kind", "target", "ground", "origin", "status", "by",
                        "occurrences", "where"])


@click.command("redactions")
@click.argument("meeting")
@click.option("--suggest", is_flag=True,
              help="Instead: names in the minutes that the directory does not hold, found "
                   "by deduce (Dutch de-identification, offline), to confirm (redact "
                   "--name) or dismiss (dismiss NAME). Its first use after an install "
                   "builds deduce's lookup lists (1-2 minutes).")
@view_options
@pass_session
def minutes_redactions(session: Session, meeting: str, suggest: bool, as_json: bool) -> None:
    """The Woo redactions of the minutes: the defaults (civil servants named in the
    attendance or the text, under 5.1.2e), those added, and those lifted; with where each
    occurs. Numbers are those `unredact` takes. For the table's secretariat and chair, and
    auditors."""
    if suggest:
        show_suggestions(session, meeting, as_json)
        return
    entries = session.views().redactions(session.actor(), meeting)
    show([redaction_row(e) for e in entries], as_json, text=_table_text)


def show_suggestions(session: Session, meeting: str, as_json: bool) -> None:
    """The names `deduce` finds that nobody decided on yet, then those dismissed."""
    states = session.views().woo_states(session.actor(), meeting)
    from lrt_app.name_suggestions import deduce_version, suggest

    click.echo(f"looking for names with deduce {deduce_version()} ...", err=True)
    rows: list[dict[str, Any]] = [
        {"name": s.name, "status": "suggested", "occurrences": s.occurrences,
         "where": list(dict.fromkeys(s.locations)), "dismissed": None}
        for s in suggest(states)]
    for d in states.publication.dismissed if states.publication else ():
        rows.append({"name": d.name, "status": "dismissed", "occurrences": None,
                     "where": [], "dismissed": _decision(d.decided)})

    def text(rows: list[dict[str, Any]]) -> str:
        from ..output import table

        if not rows:
            return "(none)"
        for r in rows:
            d = r["dismissed"]
            r["by"] = f"{d['user']} ({d['role']}) {d['at']}: {d['reason']}" if d else ""
        return table(rows, ["name", "status", "occurrences", "where", "by"])

    show(rows, as_json, text=text)
    if any(r["status"] == "suggested" for r in rows):
        click.echo(f'confirm: lrt minutes redact {meeting} --name NAME --ground 5.1.2e '
                   f'--reason R; dismiss: lrt minutes dismiss {meeting} NAME --reason R',
                   err=True)


@click.command("redact")
@click.argument("meeting")
@click.option("--person", metavar="PERSON", help="Redact this person's name (person id).")
@click.option("--passage", metavar="TEXT", help="Redact this literal passage of the text.")
@click.option("--name", metavar="NAME",
              help="Redact this name, which the directory does not hold, in all its forms "
                   "(a suggestion of `redactions --suggest` confirmed).")
@click.option("--ground", type=click.Choice(GROUNDS), required=True,
              help="5.1.2e: personal data (civil servants' names); 5.2: personal policy "
                   "opinions.")
@click.option("--reason", required=True, help="Why.")
@pass_session
def minutes_redact(session: Session, meeting: str, person: str | None, passage: str | None,
                   name: str | None, ground: str, reason: str) -> None:
    """Add a redaction (secretariat of the table); prints its number."""
    if sum(x is not None for x in (person, passage, name)) != 1:
        raise click.UsageError("give one of --person, --passage or --name")
    entry = session.app.add_redaction(session.user, meeting, person=person, passage=passage,
                                      name=name, ground=ground, reason=reason)
    click.echo(entry.number)
    click.echo(f"redaction {entry.number} of {meeting} recorded ({entry.ground.value}, "
               f"{count(entry.occurrences, 'occurrence')})", err=True)


@click.command("unredact")
@click.argument("meeting")
@click.argument("number", type=int)
@click.option("--reason", required=True, help="Why (an office holder, consent, ...).")
@pass_session
def minutes_unredact(session: Session, meeting: str, number: int, reason: str) -> None:
    """Lift redaction NUMBER (of `lrt minutes redactions`), a default one too."""
    entry = session.app.lift_redaction(session.user, meeting, number, reason)
    click.echo(f"redaction {number} of {meeting} lifted ({entry.kind.value}"
               + (f" {entry.person}" if entry.person else "") + ")")


@click.command("dismiss")
@click.argument("meeting")
@click.argument("name")
@click.option("--reason", required=True, help="Why it stays in clear (not a person's "
                                               "name, an office holder, ...).")
@pass_session
def minutes_dismiss(session: Session, meeting: str, name: str, reason: str) -> None:
    """Dismiss a name suggested by `redactions --suggest`: it stays in clear and is not
    suggested again (recorded: who, when, why). Secretariat and chair of the table."""
    session.app.dismiss_suggestion(session.user, meeting, name, reason)
    click.echo(f"suggestion {name!r} of {meeting} dismissed")


@click.command("publish")
@click.argument("meeting")
@click.option("--out", required=True, metavar="DIR",
              type=FilePath(file_okay=False, path_type=Path),
              help="Write the public minutes (.md, .html, .pdf) and the inventory here.")
@click.option("--force", is_flag=True, help="Replace files of these names in --out.")
@json_option
@pass_session
def minutes_publish(session: Session, meeting: str, out: Path, force: bool,
                    as_json: bool) -> None:
    """Publish approved minutes under the Woo (secretariat of the table): records the
    publication with the digests of the public text, and writes MEETING-openbaar.md,
    MEETING-openbaar.html, MEETING-openbaar.pdf (PDF/A-2b), its DiWoo metadata
    MEETING-openbaar.xml and MEETING-inventaris.md. The files are written beside their
    place first and the publication is recorded only then; they are moved into place
    after. A refused publication leaves nothing behind. The unredacted text stays in the
    store."""
    from lrt_app.parliament import OutputError, Staging
    from lrt_app.woo import inventory_rows
    from projections.common import when

    from lrt_domain.errors import Unchanged

    try:  # nothing to publish is not a failure: said, and nothing is written
        session.app.check_publication(session.user, meeting)
    except Unchanged as e:
        show({"meeting": meeting, "changed": False, "message": str(e)}, as_json,
             text=lambda d: f"{d['message']}; nothing written")
        return
    names = {"markdown": f"{meeting}-openbaar.md", "html": f"{meeting}-openbaar.html",
             "pdf": f"{meeting}-openbaar.pdf", "diwoo": f"{meeting}-openbaar.xml",
             "inventory": f"{meeting}-inventaris.md"}
    app, user = session.app, session.user
    try:
        with Staging(out, directory=False, force=force,
                     names=tuple(names.values())) as staging:
            def stage(public: Any) -> None:  # before the publication is recorded
                staging.write(names["markdown"], public.markdown.encode("utf8"))
                staging.write(names["html"], public.html.encode("utf8"))
                pdf = public.pdf(app.clock.now())
                staging.write(names["pdf"], pdf)
                staging.write(names["diwoo"], diwoo_metadata(app, public, names["pdf"], pdf))
                staging.write(names["inventory"], public.inventory_markdown.encode("utf8"))

            public, event = app.publish_minutes(user, meeting, staged=stage)
            try:
                staging.commit()
            except OutputError as e:  # recorded: keep the files where they are
                kept, staging.stage = staging.stage, None
                raise OutputError(f"{e}; publication {event.number} is recorded and its "
                                  f"files are in {kept}") from None
    except OutputError as e:
        raise click.BadParameter(str(e), param_hint="'--out'") from None
    files = {k: out / v for k, v in names.items()}
    data = {"meeting": meeting, "publication": event.number,
            "published_at": when(event.timestamp), "text_version": event.text_version,
            "approved_version": event.approved_version, "text_digest": event.text_digest,
            "approved_digest": event.approved_digest, "public_digest": event.public_digest,
            "html_digest": event.html_digest,
            "files": {k: str(v) for k, v in files.items()},
            "inventory": inventory_rows(public.inventory)}
    show(data, as_json, text=lambda d: "\n".join(d["files"].values()))
    click.echo(f"minutes {meeting} published (publication {event.number}, "
               f"{count(len(public.inventory), 'redaction')}) in {out}", err=True)


def diwoo_metadata(app: Any, public: Any, file_name: str, pdf: bytes) -> bytes:
    """The DiWoo metadata of the published PDF, the table's secretariat its publisher."""
    from lrt_app.diwoo import metadata
    from lrt_domain.directory import Organisation

    secretariat = app.get(Organisation, public.document["secretariat"])
    return metadata(public.document, file_name=file_name, content=pdf,
                    publisher=(secretariat.name, secretariat.tooi),
                    approved_at=public.approved_at, published_at=public.published_at)


def register(group: click.Group) -> None:
    minutes = group.commands["minutes"]
    assert isinstance(minutes, click.Group)
    for command in (minutes_redactions, minutes_redact, minutes_unredact, minutes_dismiss,
                    minutes_publish):
        minutes.add_command(command)
