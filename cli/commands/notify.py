"""`lrt notify`: mail that people act on, decided from the events and sent by SMTP."""

from __future__ import annotations

import os
from typing import Any

import click

from ..output import emit_json, show, view_options
from ..session import Session, pass_session


def smtp_options(command: Any) -> Any:
    command = click.option("--portal-url", metavar="URL",
                           help="The member portal's address, for links in the mail "
                                "[env LRT_PORTAL_URL].")(command)
    command = click.option("--from", "sender", metavar="ADDRESS",
                           help="The sender, e.g. 'Secretariaat LRT <lrt@example.nl>' "
                                "[env LRT_MAIL_FROM].")(command)
    return click.option("--smtp", metavar="URL",
                        help="smtp://user@host:port (STARTTLS when offered) or smtps://... "
                             "[env LRT_SMTP]; the password from LRT_SMTP_PASSWORD or "
                             "LRT_SMTP_PASSWORD_FILE.")(command)


UNREACHABLE = 3  # the exit code of a run that could not reach the server (1: refused)


@click.group()
def notify() -> None:
    """Mail: invitations, documents, comment rounds and reminders, minutes, actions."""


def _settings(smtp: str | None, sender: str | None, portal_url: str | None) -> Any:
    from lrt_app.smtp import settings

    return settings(dict(os.environ), smtp=smtp, sender=sender, portal_url=portal_url)


def _report_text(report: Any, dry_run: bool) -> str:
    if dry_run:
        if not report.would_send:
            return "nothing would be sent"
        rows = [f"{w['kind']:<15} {w['recipient']:<20} {w['to']:<32} {w['subject']}"
                + (f"  ({w['status']})" if w["status"] not in ("to decide", "decided")
                   else "") for w in report.would_send]
        return "\n".join(["would send (nothing recorded):", *rows])
    line = (f"decided {report.decided}, sent {report.sent}, failed {report.failed}, "
            f"refused {report.refused}, dropped {report.dropped}, waiting {report.waiting}")
    lines = [line, *report.problems]
    if report.unreachable:
        lines.append(f"stopped sending: {report.unreachable}; the rest is sent on a later run")
    return "\n".join(lines)


@notify.command("run")
@smtp_options
@click.option("--dry-run", is_flag=True,
              help="Show what would be sent, to whom; record nothing, send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_session
def notify_run(session: Session, smtp: str | None, sender: str | None,
               portal_url: str | None, dry_run: bool, as_json: bool) -> None:
    """One pass (for cron or a systemd timer): decide the mail the events and the clock
    call for, then send what is due. Exit 3 when the server could not be reached (what
    was decided is kept, and sent on a later run)."""
    from projections.outbox import run

    settings = None if dry_run and not (smtp or os.environ.get("LRT_SMTP")) else \
        _settings(smtp, sender, portal_url)
    report = run(session.app, session.user, settings, dry_run=dry_run)
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(_report_text(report, dry_run))
    if report.unreachable:
        raise SystemExit(UNREACHABLE)


@notify.command("follow")
@smtp_options
@click.option("--interval", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds between passes when nothing is recorded (reminders are timed).")
@pass_session
def notify_follow(session: Session, smtp: str | None, sender: str | None,
                  portal_url: str | None, interval: float) -> None:
    """Run continuously: a pass whenever events are recorded (PostgreSQL: LISTEN/NOTIFY)
    and every --interval seconds, until Ctrl-C or SIGTERM."""
    import signal
    import threading

    from projections.outbox import follow

    settings = _settings(smtp, sender, portal_url)
    session.actor()  # a refusal before anything starts
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"sending mail by {settings.describe()}; Ctrl-C to stop", err=True)

    def ran(report: Any) -> None:
        if report.decided or report.sent or report.failed or report.refused \
                or report.dropped:
            click.echo(_report_text(report, False), err=True)

    follow(session.app, session.user, settings, stop=stop, interval=interval, ran=ran)
    click.echo("stopped", err=True)


@notify.command("status")
@click.option("--table", "table_code", metavar="CODE")
@click.option("--all", "show_all", is_flag=True, help="List sent and dropped mail too.")
@view_options
@pass_session
def notify_status(session: Session, table_code: str | None, show_all: bool,
                  as_json: bool) -> None:
    """The outbox: how many are pending, sent, failing (with the reason and the next
    attempt), refused and dropped; the open and failed ones listed."""
    rows = session.views().outbox(table=table_code)
    counts = {s: 0 for s in ("pending", "failing", "sent", "refused", "dropped")}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    listed = [r for r in rows if show_all or r["status"] in ("pending", "failing", "refused")]
    if as_json:
        emit_json({"counts": counts, "mail": listed})
        return
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))
    if listed:
        show(listed, False, columns=["key", "status", "attempts", "next_attempt",
                                     "last_error"])


def register(group: click.Group) -> None:
    group.add_command(notify)
