"""Setting up a store, and keeping its projections."""

from __future__ import annotations

import sys

import click

from ..output import json_option, show
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
    """Create a new store with its first secretariat user."""
    from lrt_app.settings import store_path

    app = session.open_app(must_exist=False)
    try:
        app.initialise(admin=admin, organisation=organisation,
                       organisation_name=organisation_name)
        from projections.catch_up import catch_up, open_read_model

        catch_up(app, open_read_model(app))
    finally:
        app.close()
    click.echo(f"store {store_path(session.db)} initialised; act as {admin} with --as {admin}")


@click.group()
def projections() -> None:
    """The read models behind every view: status, catch-up, rebuild."""


@projections.command("status")
@json_option
@pass_session
def projections_status(session: Session, as_json: bool) -> None:
    """How far the read model is behind the event log."""
    from projections.catch_up import open_read_model

    app = session.app
    model = open_read_model(app)
    data = {"events": app.recorder.max_notification_id() or 0,
            "position": model.max_tracking_id(app.name) or 0}
    data["behind"] = data["events"] - data["position"]
    show(data, as_json, text=lambda d: f"{d['position']} of {d['events']} events applied; "
                                        f"{d['behind']} behind")


def _run_with_bar(session: Session, label: str, rebuild: bool) -> int:
    from projections.catch_up import catch_up, open_read_model, pending
    from projections.catch_up import rebuild as do_rebuild

    app = session.app
    model = open_read_model(app)
    total = app.recorder.max_notification_id() or 0 if rebuild else pending(app, model)
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
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


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(projections)
