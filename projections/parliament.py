"""The export for parliament, read: a table's approved minutes over a period, from `Views`
at one position of the log (the files and their writing: `lrt_app.parliament`).

Who may make it is the read rule `View.PARLIAMENT` (`lrt_domain.read_rules`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from lrt_app import audit
from lrt_app.diwoo import metadata
from lrt_app.parliament import Export, Staging, actions_section, write_files
from lrt_domain import read_rules
from lrt_domain.actions import Action
from lrt_domain.base import Actor
from lrt_domain.directory import Organisation
from lrt_domain.dutch_time import local, local_date
from lrt_domain.errors import Forbidden, InvalidInput, NotFound
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.tables import Table

from .common import ModelSource
from .woo_states import woo_states_from


class ParliamentExport:
    """One export, meeting by meeting (so that the caller can show progress):
    `for key in job.meetings: job.add(key)`, then `job.finish()` writes the files."""

    def __init__(self, views: Any, actor: Actor, table_code: str, start: date, end: date,
                 out: Path | Staging):
        self.model = model = views.model
        table = check(actor, model.state(Table, table_code), table_code, start, end)
        self.table = table
        self.staging = out if isinstance(out, Staging) else Staging(out, directory=True)
        position = views.position()
        head = audit.head_at(views.app.recorder, views.event_at(position))
        self.export = Export(table_code, (start, end), position,
                             views.moment and local(views.moment).isoformat(timespec="minutes"),
                             head.digest, head.length)
        self.meetings: list[str] = [r["key"] for r in model.query(
            "SELECT key FROM view_meetings WHERE table_code = ? AND day >= ? AND day <= ? "
            "ORDER BY starts_at", (table_code, start.isoformat(), end.isoformat()))]
        self.files: dict[str, bytes] = {}
        self.made = views.app.clock.now()  # the PDFs' date: when the export is made

    def add(self, key: str) -> None:
        """The public minutes of one meeting (if approved) and its line in the index."""
        model, table = self.model, self.table
        meeting: Meeting = model.state(Meeting, key)
        minutes: Minutes | None = model.state(Minutes, key)
        row: dict[str, Any] = {"meeting": key,
                               "date": local_date(meeting.starts_at).isoformat(),
                               "status": meeting.status.value,
                               "minutes": minutes.status.value if minutes else None,
                               "files": []}
        if minutes is not None and minutes.status is MinutesStatus.APPROVED:
            public = woo_states_from(model, key).render()
            md, page = actions_section(_agreed_at(model, key), public.redact)
            self.files[f"{key}.md"] = (public.markdown + md).encode("utf8")
            self.files[f"{key}.html"] = public.html.replace(
                "</body>", page + "</body>").encode("utf8")
            pdf = self.files[f"{key}.pdf"] = public.pdf(self.made, page)
            secretariat = model.state(Organisation, table.secretariat)
            self.files[f"{key}.xml"] = metadata(
                public.document, file_name=f"{key}.pdf", content=pdf,
                publisher=(secretariat.name if secretariat else table.secretariat,
                           secretariat.tooi if secretariat else None),
                approved_at=public.approved_at, published_at=self.made)
            row.update(files=[f"{key}.md", f"{key}.html", f"{key}.pdf", f"{key}.xml"],
                       version=minutes.text_version,
                       redactions=len(public.inventory),
                       text_digest=minutes.approval and minutes.approval.text_digest)
        self.export.meetings.append(row)

    def finish(self) -> Export:
        return write_files(self.export, self.table, self.files, self.staging)


def check(actor: Actor, table: Table | None, table_code: str, start: date, end: date
          ) -> Table:
    """What refuses an export before any work: the period, the table, the permission."""
    if end < start:
        raise InvalidInput(f"period: {end.isoformat()} is before {start.isoformat()}")
    if table is None:
        raise NotFound(f"table: no table {table_code!r}")
    # the export holds approved minutes only, whatever the day: their rule decides
    if not read_rules.may_read(actor, read_rules.View.PARLIAMENT, table, day=start,
                               state=read_rules.State.APPROVED):
        raise Forbidden(f"user {actor.user} ({actor.role}) may not export the minutes of "
                        f"table {table.key} (its secretariat {table.secretariat}, its chair "
                        "or an auditor does)")
    return table


def export_parliament(views: Any, actor: Actor, table_code: str, start: date, end: date,
                      out: Path, *, force: bool = False) -> Export:
    """Write the export of `table_code`'s meetings from `start` to `end` into `out` (a new
    or empty directory; with `force`, an earlier export is replaced). `views` is a
    `projections.views.Views`, live or as of a moment."""
    job = ParliamentExport(views, actor, table_code, start, end,
                           Staging(out, directory=True, force=force))
    for key in job.meetings:
        job.add(key)
    return job.finish()


def _agreed_at(model: ModelSource, meeting: str) -> list[Action]:
    """The actions agreed at the meeting (an action's key names the meeting that agreed
    it; a carried-over one moves on)."""
    keys = [r["key"] for r in model.query(
        "SELECT key FROM view_actions WHERE key LIKE ?", (meeting + "/A%",))]
    actions: list[Action] = model.states(Action, keys)
    return actions
