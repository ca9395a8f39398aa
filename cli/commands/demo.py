"""`lrt demo`: a whole LRT cycle on a fresh store, then its minutes, deadlines and actions."""

from __future__ import annotations

from pathlib import Path

import click

from ..output import count, table
from ..session import Session, pass_session


@click.command()
@pass_session
def demo(session: Session) -> None:
    """Build a fresh demo store and run the LRT cycle of 10 November 2023 (simulated clock)."""
    from datetime import datetime

    from lrt_app import demo as scenario
    from lrt_app.bootstrap import build
    from lrt_app.clock import SettableClock
    from lrt_app.settings import store_path
    from lrt_domain.dutch_time import AMSTERDAM, local_date
    from projections.views import Views

    from .actions import REGISTER_COLUMNS
    from .minutes import minutes_text
    from .views import DEADLINE_COLUMNS

    path = Path(store_path(session.db))
    if path.exists():
        existing = build(str(path), key_file=session.key_file, project_on_save=False)
        try:
            if not existing.simulated():
                raise click.ClickException(f"{path} holds a real store; the demo only "
                                           "replaces a demo store (use --db)")
        finally:
            existing.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    clock = SettableClock(datetime(2023, 10, 2, tzinfo=AMSTERDAM))
    # as every command's: the views written with the events (the root's hooks)
    app = build(str(path), clock=clock, key_file=session.key_file, initialising=True)
    try:
        click.secho(f"Demo store {path} (simulated clock)\n", bold=True)
        meeting = scenario.run(app, clock, say=lambda line: click.echo(f"  {line}"))
        views = Views.open(app)
        actor = app.actor(scenario.SEC)
        now = clock.now()
        click.secho(f"\nThe minutes, as of {now:%Y-%m-%d}\n", bold=True)
        click.echo(minutes_text(views.minutes_document(actor, meeting)))
        click.secho("\nComment deadlines (all rounds)\n", bold=True)
        click.echo(table(views.deadlines(now, include_closed=True), DEADLINE_COLUMNS))
        click.secho("\nAction register\n", bold=True)
        click.echo(table(views.actions(local_date(now), include_closed=True),
                         REGISTER_COLUMNS))
        from .planning import punctuality_text

        click.echo("")
        click.echo(punctuality_text(views.punctuality("LRT", now.year, now)))
        then = datetime(2023, 11, 20, 23, 59, tzinfo=AMSTERDAM)
        earlier = Views.as_of(app, then).minutes(actor, meeting)
        click.secho(f"\nThe same minutes as recorded on {then:%Y-%m-%d} (--as-of)\n",
                    bold=True)
        click.echo(f"status {earlier['status']}, version {earlier['version']}, "
                   f"{count(len(earlier['amendments']), 'amendment')}, "
                   f"{count(sum(r['comments'] for r in earlier['comment_rounds']), 'comment')}")
        lrt = f"lrt --db {path} --as {scenario.SEC}"
        click.echo(f"\nTry: {lrt} history {meeting}")
        click.echo(f"     {lrt} minutes show {meeting} --format docx --out verslag.docx")
        click.echo(f"     {lrt} minutes show {meeting} --as-of 2023-11-20")
        click.echo(f"     {lrt} minutes redactions {meeting}")
        click.echo(f"     {lrt} export parliament --table LRT --from 2023-01-01 "
                   "--to 2023-12-31 --out kamer-2023")
    finally:
        app.close()
    _portal_hint(session, path, lrt)


def _portal_hint(session: Session, path: Path, lrt: str) -> None:
    """How to open the member portal on the demo store as spies (VNG): `lrt serve`, and a
    login link issued now, on the real clock (the demo's own clock stands in 2023)."""
    from datetime import timedelta

    from lrt_app import demo as scenario
    from lrt_app.bootstrap import build

    app = build(str(path), key_file=session.key_file)
    try:
        token = app.issue_login_link(scenario.SEC, "spies", timedelta(hours=1))
    finally:
        app.close()
    click.secho("\nThe member portal, as Liesbeth Spies (VNG)\n", bold=True)
    click.echo(f"  lrt --db {path} serve")
    click.echo(f"  then open http://127.0.0.1:8000/inloggen/{token}")
    click.echo("  (the link works once, within the hour; "
               f"a new one: {lrt} user link spies)")


def register(group: click.Group) -> None:
    group.add_command(demo)
