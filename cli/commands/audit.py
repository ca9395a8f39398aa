"""Tamper evidence: the hash chain's head, and its verification over the whole store."""

from __future__ import annotations

from typing import cast

import click

from ..output import emit_json, json_option, progress_bar
from ..session import Session, pass_session

PROGRESS_FROM = 20_000  # events: below this a verification is quick enough without a bar


@click.group()
def audit() -> None:
    """The hash chain over every stored event: its head, and a full verification."""


@audit.command("head")
@json_option
@pass_session
def audit_head(session: Session, as_json: bool) -> None:
    """The chain's current head digest and how many events it binds. Write both down
    outside the system (in a letter, say) to check later with `verify --against`."""
    from lrt_app.audit import head

    session.need_key = False  # the chain binds the bytes as stored
    h = head(session.app.recorder)
    if as_json:
        emit_json(h.as_dict())
    else:
        click.echo(f"head   {h.digest}\nlength {h.length}")


@audit.command("verify")
@click.option("--against", metavar="DIGEST",
              help="A head written down earlier: also check that the store still extends it "
                   "(catches a deleted tail or a chain recomputed from scratch).")
@click.option("--length", "against_length", type=click.IntRange(min=0), metavar="N",
              help="The length written down with that head: names the position of a break.")
@click.option("--chain-only", is_flag=True,
              help="Only the chain (much faster): the log's rules are not checked.")
@json_option
@pass_session
@click.pass_context
def audit_verify(ctx: click.Context, session: Session, against: str | None,
                 against_length: int | None, chain_only: bool, as_json: bool) -> None:
    """Recompute the chain over every stored event, from the bytes as stored, and replay the
    log through the domain's rules (each event one the rules allow its actor at that point).
    Prints the head and the number of events checked, or the first position that fails and
    how (edited, deleted, inserted, reordered, malformed; order, actor, forbidden, rule,
    login); exit 1 when one fails. Without the key of an encrypted store only the chain is
    checked, and it says so."""
    from lrt_app.audit import Replay, verify
    from lrt_app.chain import ChainRecorder

    if against_length is not None and against is None:
        raise click.UsageError("--length goes with --against")
    if against is not None and (len(against) != 64 or
                                any(ch not in "0123456789abcdefABCDEF" for ch in against)):
        raise click.BadParameter("a head digest is 64 hexadecimal digits",
                                 param_hint="--against")
    session.need_key = False  # the chain binds the bytes as stored
    recorder = session.app.recorder
    replay = Replay(session.app, skip="--chain-only was given" if chain_only else None)
    total = cast(ChainRecorder, recorder).count_events()
    if total >= PROGRESS_FROM:
        with progress_bar(length=total, label="verifying") as bar:
            report = verify(recorder, against=against, against_length=against_length,
                            progress=bar.update, replay=replay)
    else:
        report = verify(recorder, against=against, against_length=against_length,
                        replay=replay)
    if as_json:
        emit_json(report.as_dict())
    elif report.broken is None:
        click.echo(f"ok: {report.checked} events checked"
                   f"{', and the rules they follow' if report.rules['checked'] else ''}\n"
                   f"head   {report.head.digest}\nlength {report.head.length}")
        if report.against:
            click.echo(f"extends the head written down, at position {report.against['at']}")
    else:
        b = report.broken
        where = f"at position {b.position}" if b.position is not None else "against the head"
        click.echo(f"BROKEN {where}: {b.problem}: {b.detail}\n"
                   f"{report.checked} events checked before it")
    if not as_json and not report.rules["checked"]:
        click.echo(f"rules not checked: {report.rules['why']}")
    if report.broken is not None:
        ctx.exit(1)


@audit.command("link-legacy")
@pass_session
def audit_link_legacy(session: Session) -> None:
    """Link a SQLite store from before the hash chain (lrt 0.1): its events are chained as
    they stand, and the linking is recorded (who, when, how many events). A store with events
    and no chain is refused until then; check it against a copy you trust first: whatever
    it holds now is what the chain will bind."""
    from lrt_app.audit import link_legacy

    count, h = link_legacy(session.app, session.user)
    click.echo(f"linked {count} events into the hash chain; the linking is event "
               f"{h.length}\nhead   {h.digest}\nlength {h.length}")


def register(group: click.Group) -> None:
    group.add_command(audit)
