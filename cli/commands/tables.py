"""Tables and their members."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from ..output import created, show, view_options
from ..params import APPROVAL, DATE, TABLE_KINDS
from ..session import Session, pass_session


@click.group()
def table() -> None:
    """Tables: LRT, HLRT, provincial tables."""


@table.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--kind", type=click.Choice(TABLE_KINDS), default="national", show_default=True)
@click.option("--secretariat", required=True, metavar="CODE",
              help="The organisation that runs the table.")
@click.option("--meetings-per-year", type=click.IntRange(min=1), default=4, show_default=True)
@pass_session
def table_add(session: Session, code: str, name: str, kind: str, secretariat: str,
              meetings_per_year: int) -> None:
    """Register a table under a short CODE (e.g. LRT)."""
    from lrt_domain.tables import TableKind

    created("table", session.app.register_table(
        session.user, code, name, kind=TableKind(kind), secretariat=secretariat,
        meetings_per_year=meetings_per_year))


@table.command("chair")
@click.argument("code")
@click.argument("person")
@pass_session
def table_chair(session: Session, code: str, person: str) -> None:
    """Appoint PERSON as chair of the table."""
    session.app.appoint_chair(session.user, code, person)
    click.echo(f"{person} chairs {code}")


@table.command("rhythm")
@click.argument("code")
@click.argument("meetings_per_year", type=click.IntRange(min=1))
@pass_session
def table_rhythm(session: Session, code: str, meetings_per_year: int) -> None:
    """Change how many meetings a year the table has."""
    session.app.change_rhythm(session.user, code, meetings_per_year)
    click.echo(f"{code} now meets {meetings_per_year} times a year")


@table.command("list")
@view_options
@pass_session
def table_list(session: Session, as_json: bool) -> None:
    """The tables."""
    show(session.views().tables(), as_json,
         columns=["code", "name", "kind", "secretariat", "chair", "meetings_per_year"])


def table_text(d: dict[str, Any]) -> str:
    plain = {k: v for k, v in d.items() if k not in ("rules", "rules_changes", "rhythm")}
    lines = [f"{k:<18} {v if v is not None else ''}" for k, v in plain.items()]
    r = d["rules"]
    lines += [
        "",
        "Rules in force today",
        f"  documents due       {r['documents_due_days']} working days before a meeting",
        f"  comment round       {r['comment_round_days']} working days (until 12:00)",
        "  approval            " + ("at a later meeting" if r["approval"] == "meeting" else
                                    "by written procedure (tacit consent)"),
        f"  written procedure   {r['written_procedure_days']} working days (until 12:00)",
        "  mail reminders      " + (", ".join(f"{h} hours" for h in r["reminder_hours"])
                                    + " before a round's deadline"
                                    if r.get("reminder_hours") else "none"),
        f"  action notice       {r.get('action_notice_days', 5)} working days before due",
    ]
    if d["rules_changes"]:
        lines += ["  changes             " + "; ".join(
            f"{c['number']}. from {c['effective_from']}" for c in d["rules_changes"])]
    h = d["rhythm"]
    lines += ["", f"Rhythm              {h['meetings_per_year']} meetings a year; "
                  f"{h['held_last_12_months']} held in the last 12 months"]
    if h["last_held"] is None:
        lines.append("  no meeting held yet")
    else:
        lines.append(f"  last held          {h['last_held']['meeting']} on "
                     f"{h['last_held']['date']}")
        lines.append(f"  next meeting due   {h['next_due']}"
                     + ("  (behind the rhythm)" if h["behind"] else ""))
    if h["next_planned"]:
        verdict = {True: "in time", False: "later than the rhythm asks", None: ""}[
            h["planned_in_time"]]
        lines.append(f"  next planned       {h['next_planned']['meeting']} on "
                     f"{h['next_planned']['date']}" + (f"  ({verdict})" if verdict else ""))
    else:
        lines.append("  next planned       none")
    return "\n".join(lines)


@table.command("show")
@click.argument("code")
@view_options
@pass_session
def table_show(session: Session, code: str, as_json: bool) -> None:
    """One table: its rules in force, and its rhythm against the meetings held (when the
    next one is due)."""
    data = session.views().table_overview(code, session.now())
    show(data, as_json, text=table_text)


@table.command("rules")
@click.argument("code")
@click.option("--documents-due", "documents_due_days", type=int, metavar="DAYS",
              help="Documents due this many working days before a meeting (0-60).")
@click.option("--comment-days", "comment_round_days", type=int, metavar="DAYS",
              help="Default length of a comment round, in working days (1-60).")
@click.option("--approval", type=click.Choice(APPROVAL),
              help="How minutes are approved: at a later meeting, or by written procedure "
                   "with tacit consent.")
@click.option("--procedure-days", "written_procedure_days", type=int, metavar="DAYS",
              help="Default length of a written procedure, in working days (1-60).")
@click.option("--reminders", metavar="HOURS",
              help="Mail reminders this many hours before a round's deadline, to those "
                   "who have not commented: e.g. '24,2'; 'none' for none.")
@click.option("--action-notice", "action_notice_days", type=int, metavar="DAYS",
              help="Mail an action's owners this many working days before it is due "
                   "(0-60).")
@click.option("--effective", type=DATE, help="In force from this date [default: today].")
@pass_session
def table_rules(session: Session, code: str, documents_due_days: int | None,
                comment_round_days: int | None, approval: str | None,
                written_procedure_days: int | None, reminders: str | None,
                action_notice_days: int | None, effective: date | None) -> None:
    """Change the rules of procedure of a table (each change is recorded); rules not
    given stay as they are. Working days skip weekends and Dutch public holidays."""
    if (documents_due_days, comment_round_days, approval, written_procedure_days,
            reminders, action_notice_days) == (None,) * 6:
        raise click.UsageError("give at least one of --documents-due, --comment-days, "
                               "--approval, --procedure-days, --reminders, "
                               "--action-notice")
    reminder_hours = _hours(reminders) if reminders is not None else None
    from lrt_domain.checks import choice
    from lrt_domain.errors import Unchanged
    from lrt_domain.tables import ApprovalProcedure

    try:
        number = session.app.change_rules(
            session.user, code, effective_from=effective,
            documents_due_days=documents_due_days, comment_round_days=comment_round_days,
            approval=choice("approval", ApprovalProcedure, approval) if approval else None,
            written_procedure_days=written_procedure_days, reminder_hours=reminder_hours,
            action_notice_days=action_notice_days)
    except Unchanged as e:  # already in force: nothing to do, and that is no failure
        click.echo(f"{e}; nothing recorded")
        return
    click.echo(f"rules of {code} changed (change {number})")


def _hours(text: str) -> tuple[int, ...]:
    """'24,2' or '24h, 2h' -> (24, 2); 'none' -> ()."""
    if text.strip().lower() == "none":
        return ()
    try:
        return tuple(int(part.strip().removesuffix("h")) for part in text.split(","))
    except ValueError:
        raise click.UsageError(f"--reminders: {text!r} is not hours such as '24,2' or "
                               "'none'") from None


@click.group()
def member() -> None:
    """Memberships: who represents which organisation at a table, from when until when."""


@member.command("add")
@click.argument("table_code")
@click.argument("person")
@click.option("--organisation", required=True, metavar="CODE")
@click.option("--function", "function", required=True,
              help="E.g. 'Minister van BZK', 'bestuurder VNG'.")
@click.option("--since", type=DATE, required=True)
@click.option("--until", type=DATE)
@click.option("--office-holder/--civil-servant", default=False, show_default=True,
              help="Office holders are named in publications; civil servants redacted.")
@click.option("--abbreviation", metavar="TEXT",
              help="How the minutes name the member's office, e.g. SJenV, MBZK "
                   "[default: the organisation's code].")
@pass_session
def member_add(session: Session, table_code: str, person: str, organisation: str,
               function: str, since: date, until: date | None, office_holder: bool,
               abbreviation: str | None) -> None:
    """Record that PERSON represents an organisation at TABLE_CODE."""
    number = session.app.add_member(session.user, table_code, person=person,
                                    organisation=organisation, function=function,
                                    since=since, until=until, office_holder=office_holder,
                                    abbreviation=abbreviation)
    created("membership", number)


@member.command("end")
@click.argument("table_code")
@click.argument("number", type=int)
@click.option("--until", type=DATE, required=True)
@pass_session
def member_end(session: Session, table_code: str, number: int, until: date) -> None:
    """End membership NUMBER of a table on a date."""
    session.app.end_membership(session.user, table_code, number, until)
    click.echo(f"membership {number} of {table_code} ends on {until}")


@member.command("list")
@click.argument("table_code")
@click.option("--on", "on", type=DATE, help="Members on this date [default: today].")
@view_options
@pass_session
def member_list(session: Session, table_code: str, on: date | None, as_json: bool) -> None:
    """The members of a table on a date."""
    from lrt_domain.dutch_time import local_date

    views = session.views()
    show(views.members(table_code, on or local_date(session.now())), as_json,
         columns=["number", "person", "name", "organisation", "function", "since", "until",
                  "office_holder"])


def register(group: click.Group) -> None:
    for command in (table, member):
        group.add_command(command)
