"""The export for parliament (geobjectiveerde weergave): a table's approved minutes over a
period, redacted for publication, as files a recipient can check with `sha256sum -c` alone.

Per meeting in the period with approved minutes: `<meeting>.md` and `<meeting>.html`, the
public minutes (`lrt_app.woo.render_public`: attendance and text with every redaction in
force marked by its Woo ground) followed by the actions agreed at that meeting; then
`index.md` and `index.html` (every meeting of the period, approved or not, and how the
export was made), `CHAIN.txt` (the hash chain's head at the moment the export answers for)
and `MANIFEST.sha256`, the SHA-256 of every other file in `sha256sum` format.

Everything is read from `Views` at one position of the log: the live views (the position
they were caught up to) or, with `--as-of T`, the views as recorded at T. The export says
which, and `CHAIN.txt` holds the head at exactly that position, so that `lrt audit verify
--against DIGEST --length N` later proves that nothing the export was made from has changed.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lrt_domain import permissions
from lrt_domain.actions import Action, ActionStatus
from lrt_domain.base import Actor
from lrt_domain.dutch_time import local, local_date
from lrt_domain.errors import InvalidInput, NotFound
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.tables import Table

from . import audit
from .minutes_render import dutch_date
from .woo import woo_states_from

MANIFEST = "MANIFEST.sha256"
ACTION_STATUS_NL = {ActionStatus.OPEN: "open", ActionStatus.DONE: "afgerond",
                    ActionStatus.CANCELLED: "vervallen",
                    ActionStatus.CARRIED_OVER: "doorgeschoven"}


@dataclass
class Export:
    """What was written, for the command's report and `--json`."""

    table: str
    period: tuple[date, date]
    position: int  # the log position the export answers for
    as_of: str | None  # the record time asked for; None: the live views
    chain_head: str
    chain_length: int
    meetings: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # name -> SHA-256

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "from": self.period[0].isoformat(),
                "to": self.period[1].isoformat(), "position": self.position,
                "as_of": self.as_of, "chain_head": self.chain_head,
                "chain_length": self.chain_length, "meetings": self.meetings,
                "files": self.files}


class ParliamentExport:
    """One export, meeting by meeting (so that the caller can show progress):
    `for key in job.meetings: job.add(key)`, then `job.finish()` writes the files."""

    def __init__(self, views: Any, actor: Actor, table_code: str, start: date, end: date,
                 out: Path):
        if end < start:
            raise InvalidInput(f"period: {end.isoformat()} is before {start.isoformat()}")
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise InvalidInput(f"out: {out} exists and is not an empty directory")
        self.model = model = views.model
        table: Table | None = model.state(Table, table_code)
        if table is None:
            raise NotFound(f"table: no table {table_code!r}")
        permissions.require_exporter(actor, table)
        self.table, self.out = table, out
        position = views.position()
        head = audit.head_at(views.app.recorder, views.event_at(position))
        self.export = Export(table_code, (start, end), position,
                             views.moment and local(views.moment).isoformat(timespec="minutes"),
                             head.digest, head.length)
        self.meetings: list[str] = [r["key"] for r in model.query(
            "SELECT key FROM view_meetings WHERE table_code = ? AND day >= ? AND day <= ? "
            "ORDER BY starts_at", (table_code, start.isoformat(), end.isoformat()))]
        self.files: dict[str, bytes] = {}

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
            md, page = _actions(model, key, public.redact)
            self.files[f"{key}.md"] = (public.markdown + md).encode("utf8")
            self.files[f"{key}.html"] = public.html.replace(
                "</body>", page + "</body>").encode("utf8")
            row.update(files=[f"{key}.md", f"{key}.html"], version=minutes.text_version,
                       redactions=len(public.inventory),
                       text_digest=minutes.approval and minutes.approval.text_digest)
        self.export.meetings.append(row)

    def finish(self) -> Export:
        export, table = self.export, self.table
        self.files["CHAIN.txt"] = _chain_text(export).encode("utf8")
        self.files["index.md"] = _index_markdown(export, table).encode("utf8")
        self.files["index.html"] = _index_html(export, table).encode("utf8")
        _write(self.out, self.files, export)
        return export


def export_parliament(views: Any, actor: Actor, table_code: str, start: date, end: date,
                      out: Path) -> Export:
    """Write the export of `table_code`'s meetings from `start` to `end` into `out` (a new
    or empty directory). `views` is a `projections.views.Views`, live or as of a moment."""
    job = ParliamentExport(views, actor, table_code, start, end, out)
    for key in job.meetings:
        job.add(key)
    return job.finish()


def _actions(model: Any, meeting: str, redact: Callable[[str], str]) -> tuple[str, str]:
    """The actions agreed at the meeting (Markdown, HTML), their texts redacted as the
    minutes are."""
    # an action's key names the meeting that agreed it (a carried-over one moves on)
    keys = [r["key"] for r in model.query(
        "SELECT key FROM view_actions WHERE key LIKE ?", (meeting + "/A%",))]
    actions: list[Action] = sorted(model.states(Action, keys), key=lambda a: (a.item, a.key))
    if not actions:
        return "", ""
    rows = [(a.key.rsplit("/", 1)[-1], ", ".join(a.owners), redact(a.text),
             dutch_date(a.due) if a.due else "voor de volgende vergadering",
             ACTION_STATUS_NL[a.status])
            for a in actions]
    md = "\n## Afgesproken acties\n\n| nr | eigenaar | actie | termijn | status |\n" \
         "|---|---|---|---|---|\n" + "".join(
             f"| {' | '.join(c.replace('|', '/') for c in row)} |\n" for row in rows)
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                    for row in rows)
    page = ("<h2>Afgesproken acties</h2><table><tr><th>nr</th><th>eigenaar</th>"
            f"<th>actie</th><th>termijn</th><th>status</th></tr>{cells}</table>\n")
    return md, page


def _chain_text(export: Export) -> str:
    answers = f"as recorded at {export.as_of}" if export.as_of else "the store as it stood"
    return (f"chain head {export.chain_head}\nchain length {export.chain_length}\n"
            f"log position {export.position} ({answers})\n"
            f"check: lrt audit verify --against {export.chain_head} "
            f"--length {export.chain_length}\n")


def _index_rows(export: Export) -> list[tuple[str, str, str]]:
    out = []
    for m in export.meetings:
        day = dutch_date(date.fromisoformat(m["date"]))
        if m["files"]:
            state = f"vastgesteld verslag (versie {m['version']}, {m['redactions']} " \
                    "weglakking(en))"
        elif m["status"] == "cancelled":
            state = "vergadering geannuleerd"
        else:
            state = f"geen vastgesteld verslag ({m['minutes'] or 'geen verslag'})"
        out.append((day, m["meeting"], state))
    return out


def _title(export: Export, table: Table) -> str:
    return (f"{table.name}: verslagen van {dutch_date(export.period[0])} tot en met "
            f"{dutch_date(export.period[1])}")


def _index_markdown(export: Export, table: Table) -> str:
    lines = [f"# {_title(export, table)}", "",
             "Geobjectiveerde weergave: de vastgestelde verslagen, met weglakkingen op grond "
             "van de Woo.", "", "| datum | vergadering | verslag |", "|---|---|---|"]
    for day, key, state in _index_rows(export):
        link = f"[{key}]({key}.md)" if any(m["meeting"] == key and m["files"]
                                           for m in export.meetings) else key
        lines.append(f"| {day} | {link} | {state} |")
    lines += ["", "Controle: `sha256sum -c MANIFEST.sha256`; de stand van het register staat "
              "in CHAIN.txt.", ""]
    return "\n".join(lines)


def _index_html(export: Export, table: Table) -> str:
    rows = "".join(f"<tr><td>{html.escape(day)}</td><td>{html.escape(key)}</td>"
                   f"<td>{html.escape(state)}</td></tr>"
                   for day, key, state in _index_rows(export))
    title = html.escape(_title(export, table))
    return (f"<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title></head><body><h1>{title}</h1>"
            "<table><tr><th>datum</th><th>vergadering</th><th>verslag</th></tr>"
            f"{rows}</table></body></html>\n")


def _write(out: Path, files: dict[str, bytes], export: Export) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
        export.files[name] = hashlib.sha256(content).hexdigest()
    (out / MANIFEST).write_text("".join(f"{digest}  {name}\n"
                                        for name, digest in sorted(export.files.items())),
                                encoding="ascii")
