"""Exports of the record for others: the export for parliament."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..output import count, progress_bar, show, view_options
from ..params import DATE, FilePath
from ..session import Session, pass_session


@click.group()
def export() -> None:
    """Exports of the record for others."""


@export.command("parliament")
@click.option("--table", "table_code", required=True, metavar="CODE")
@click.option("--from", "start", type=DATE, required=True, help="First meeting date.")
@click.option("--to", "end", type=DATE, required=True, help="Last meeting date.")
@click.option("--out", type=FilePath(file_okay=False, path_type=Path), required=True,
              help="A new or empty directory.")
@click.option("--force", is_flag=True, help="Replace an earlier export in --out.")
@view_options
@pass_session
def export_parliament(session: Session, table_code: str, start: date, end: date, out: Path,
                      force: bool, as_json: bool) -> None:
    """The approved, redacted minutes of a table's meetings in a period, one document per
    meeting (Markdown, HTML, PDF/A), an index, the chain head, and a SHA-256 manifest to check
    with `sha256sum -c MANIFEST.sha256`. Made from the events themselves (folded afresh,
    not read from the read model); written beside --out and renamed into place whole."""
    from lrt_app.parliament import OutputError, Staging
    from projections.parliament import ParliamentExport, check
    from lrt_domain.tables import Table
    from projections.verify import folded_views

    app = session.app
    actor = app.actor(session.user)  # the write side's (the export folds the log)
    # refused before the fold: the period, the table and the permission, as of now
    check(actor, app.get(Table, table_code) if app.exists(Table, table_code) else None,
          table_code, start, end)
    try:
        with Staging(out, directory=True, force=force) as staging, \
                folded_views(app, session.as_of) as views:
            job = ParliamentExport(views, actor, table_code, start, end, staging)
            with progress_bar(job.meetings, label="exporting") as meetings:
                for key in meetings:
                    job.add(key)
            result = job.finish()
    except OutputError as e:
        raise click.BadParameter(str(e), param_hint="'--out'") from None
    done = sum(1 for m in result.meetings if m["files"])
    show(result.as_dict(), as_json, text=lambda d: (
        f"{out}: {done} of {count(len(d['meetings']), 'meeting')} with approved minutes; "
        f"chain head {d['chain_head']} (length {d['chain_length']}); "
        f"check with: cd {out} && sha256sum -c MANIFEST.sha256"))


def register(group: click.Group) -> None:
    group.add_command(export)
