"""Setting up a store, and keeping its projections."""

from __future__ import annotations

from typing import Any

import click

from ..output import count, json_option, progress_bar, show
from ..session import Session, pass_session


@click.command()
@click.option("--admin", required=True, metavar="USER",
              help="Login of the first secretariat user.")
@click.option("--organisation", required=True, metavar="CODE",
              help="Code of the organisation running the secretariat, e.g. JenV.")
@click.option("--organisation-name", required=True, metavar="NAME",
              help="Its full name, e.g. 'Ministerie van Justitie en Veiligheid'.")
@pass_session
def init(session: Session, admin: str, organisation: str, organisation_name: str) -> None:
    """Create a new store with its first secretariat user (on PostgreSQL: its tables, the
    append-only guard and the grants to the roles lrt_writer and lrt_reader)."""
    from lrt_app.settings import store
    from projections.catch_up import catch_up, open_read_model

    location = store(session.db, must_exist=False)
    app = session.open_app(initialising=True)
    try:
        if not app.is_postgres:
            app.check_store(location.name)  # WAL, synchronous FULL (PostgreSQL: checked)
        model = open_read_model(app)
        if app.is_postgres:
            from lrt_app import postgres
            from projections.read_model import VIEW_TABLES

            postgres.prepare(app.recorder, VIEW_TABLES, model.TRACKING_TABLE)
            from lrt_domain.directory import Store

            if app.exists(Store, "store"):  # brought up to date (an earlier lrt's store)
                click.echo(f"store {location.name} upgraded: events are stamped and "
                           "chained by the database; roles granted")
                return
        app.initialise(admin=admin, organisation=organisation,
                       organisation_name=organisation_name)
        catch_up(app, model)
        if app.is_postgres:
            from lrt_app import postgres

            hint = postgres.acting_hint(app.recorder, admin)
        else:
            hint = f"act as {admin} with --as {admin} (or LRT_USER={admin})"
    finally:
        app.close()
    click.echo(f"store {location.name} initialised; {hint}")


@click.group()
def projections() -> None:
    """The read models behind every view: status, catch-up, rebuild, verify."""


@projections.command("status")
@json_option
@pass_session
def projections_status(session: Session, as_json: bool) -> None:
    """How far the read model is behind the event log."""
    from projections.catch_up import open_read_model

    app = session.app
    model = open_read_model(app)
    data: dict[str, Any] = {"events": app.recorder.max_notification_id() or 0,
            "position": model.max_tracking_id(app.name) or 0}
    data["behind"] = data["events"] - data["position"]
    # Cheap honesty: every applied event leaves a version row, so a position moved past
    # them shows here. An edited row does not: 'projections verify' finds those.
    try:
        data["held"] = model.query("SELECT MAX(position) AS p FROM view_versions")[0]["p"] or 0
    except Exception:  # noqa: BLE001 - a read model from before view_versions
        data["held"] = None
    data["consistent"] = data["held"] == data["position"]

    def text(d: dict) -> str:
        line = f"{d['position']} of {d['events']} events applied; {d['behind']} behind"
        if d["held"] is None:
            line += "; the read model is outdated: run 'lrt projections rebuild'"
        elif not d["consistent"]:
            line += (f"; INCONSISTENT: the views hold events up to {d['held']} only; "
                     "run 'lrt projections verify'")
        return line

    show(data, as_json, text=text)


def _run_with_bar(session: Session, label: str, rebuild: bool) -> int:
    from projections.catch_up import catch_up, open_read_model, pending, require_write
    from projections.catch_up import rebuild as do_rebuild

    app = session.app
    model = open_read_model(app)
    require_write(model)
    total = app.recorder.max_notification_id() or 0 if rebuild else pending(app, model)
    with progress_bar(length=total, label=label) as bar:
        work = do_rebuild if rebuild else catch_up
        return work(app, model, progress=bar.update)


@projections.command("catch-up")
@pass_session
def projections_catch_up(session: Session) -> None:
    """Apply the events recorded since the read model's last position."""
    click.echo(f"{_run_with_bar(session, 'catching up', rebuild=False)} events applied")


@projections.command("rebuild")
@pass_session
def projections_rebuild(session: Session) -> None:
    """Empty the read model and rebuild it from every event."""
    click.echo(f"{_run_with_bar(session, 'rebuilding', rebuild=True)} events applied")


@projections.command("verify")
@json_option
@pass_session
@click.pass_context
def projections_verify(ctx: click.Context, session: Session, as_json: bool) -> None:
    """Fold the events afresh (in memory, by the read model's own code) up to the read
    model's position and compare every state, view row, version and history row, and the
    position itself, with the read model. Lists each difference; exit 1 if there is any.
    Writes nothing ('lrt projections rebuild' repairs)."""
    from projections.catch_up import open_read_model
    from projections.verify import verify

    app = session.app
    model = open_read_model(app)
    with progress_bar(length=model.max_tracking_id(app.name) or 0,
                      label="verifying") as bar:
        result = verify(app, model, progress=bar.update)

    def text(d: dict) -> str:
        if d["ok"]:
            return f"ok: {d['events']} events up to position {d['position']}, no differences"
        more = result.count - len(result.differences)
        return "\n".join([f"DIFFERENT {x}" for x in result.differences]
                         + ([f"... and {more} more"] if more else [])
                         + [f"{count(result.count, 'difference')} between the read model and the "
                            "events; 'lrt projections rebuild' rebuilds it from the events"])

    show(result.as_dict(), as_json, text=text)
    if not result.ok:
        ctx.exit(1)


@projections.command("follow")
@click.option("--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
              help="Seconds between checks (SQLite; PostgreSQL is told of new events).")
@pass_session
def projections_follow(session: Session, interval: float) -> None:
    """Keep the read model up to date as events are recorded, until Ctrl-C."""
    import signal
    import threading

    from lrt_app.settings import store
    from projections.follow import follow

    from projections.catch_up import open_read_model, require_write

    location = store(session.db)
    require_write(open_read_model(session.app))  # before it says it follows
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"following {location.name}; Ctrl-C to stop", err=True)
    total = 0

    def applied(n: int) -> None:
        nonlocal total
        total += n

    follow(session.app, location.env, stop=stop, interval=interval, applied=applied)
    click.echo(f"stopped; {total} events applied")


@click.command()
@click.option("--to", "target", required=True, metavar="FILE",
              help="The new file to write the copy to; never an existing one.")
@pass_session
def backup(session: Session, target: str) -> None:
    """Copy a SQLite store to a new file: one consistent snapshot, even while others write
    (SQLite's online backup). Copy a store this way, not with cp: a copy of the main file
    taken while lrt runs, or after a crash, misses what is still in its -wal file. On
    PostgreSQL, use pg_dump."""
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    from lrt_app import sqlite_store
    from lrt_app.settings import store

    location = store(session.db, key_file=session.key_file)
    if location.is_postgres:
        raise sqlite_store.BackupRefused(
            f"backup: lrt backup copies SQLite stores; back up {location.name} with "
            "PostgreSQL's pg_dump (pg_dump -Fc -f FILE DBNAME)")
    session.need_key = False  # the bytes are copied as stored, encrypted or not
    app = session.app  # the start-up checks; replays a -wal left by a crash
    assert isinstance(app.recorder, SQLiteApplicationRecorder)  # a SQLite store, as above
    copied = sqlite_store.backup(location.env["SQLITE_DBNAME"], target,
                                 events_table=app.recorder.events_table_name)
    click.echo(f"store {location.name} copied to {target}: {count(copied, 'event')}; check the "
               f"copy with: lrt --db {target} audit verify")


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(backup)
    group.add_command(projections)
