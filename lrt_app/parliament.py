"""The export for parliament (geobjectiveerde weergave): a table's approved minutes over a
period, redacted for publication, as files a recipient can check with `sha256sum -c` alone.

Per meeting in the period with approved minutes: `<meeting>.md`, `<meeting>.html`,
`<meeting>.pdf` (PDF/A-2b) with its DiWoo metadata `<meeting>.xml` (`lrt_app.diwoo`), the
public minutes (`lrt_app.woo.render_public`: attendance and text with every redaction in
force marked by its Woo ground) followed by the actions agreed at that meeting; then
`index.md` and `index.html` (every meeting of the period, approved or not, linking each
exported meeting), `CHAIN.txt` (in Dutch: the hash chain's head at the moment the export
answers for, and the command that checks it)
and `MANIFEST.sha256`, the SHA-256 of every other file in `sha256sum` format.

Everything is read (`projections.parliament`) from `Views` at one position of the log: the
live views (the position they were caught up to) or, with `--as-of T`, the views as
recorded at T. The export says
which, and `CHAIN.txt` holds the head at exactly that position, so that `lrt audit verify
--against DIGEST --length N` later proves that nothing the export was made from has changed.
The command gives it views folded afresh from the events (`projections.verify.folded_views`),
never the read model's tables, which a writer of the database could have edited.

The files are written into a directory beside the target (`Staging`), the manifest last,
and that directory is renamed into place at the end: the target holds a complete export or
nothing, whatever interrupts the command.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lrt_domain.actions import Action, ActionStatus
from lrt_domain.errors import InvalidInput
from lrt_domain.tables import Table

from .minutes_render import FONT_STACK, dutch_date

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


def write_files(export: Export, table: Table, files: dict[str, bytes],
                staging: Staging) -> Export:
    """Write the public minutes (`files`), the chain head, the index and the manifest."""
    files["CHAIN.txt"] = _chain_text(export).encode("utf8")
    files["index.md"] = _index_markdown(export, table).encode("utf8")
    files["index.html"] = _index_html(export, table).encode("utf8")
    with staging:
        for name, content in files.items():
            staging.write(name, content)
            export.files[name] = hashlib.sha256(content).hexdigest()
        staging.write(MANIFEST, "".join(
            f"{digest}  {name}\n" for name, digest in sorted(export.files.items())
        ).encode("ascii"))  # last: its presence says every file above is whole
        staging.commit()
    return export


def actions_section(actions: list[Action], redact: Callable[[str], str]) -> tuple[str, str]:
    """The actions agreed at a meeting (Markdown, HTML), their texts redacted as the
    minutes are."""
    actions = sorted(actions, key=lambda a: (a.item, a.key))
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
    """The register's state the export answers for, in Dutch, with the command that checks
    it against the register."""
    if export.as_of:
        moment = datetime.fromisoformat(export.as_of)
        answers = (f"het register zoals het was vastgelegd op {dutch_date(moment.date())}, "
                   f"{moment:%H.%M} uur")
    else:
        answers = "het register zoals het stond toen deze export werd gemaakt"
    return (f"Kop van de hashketen: {export.chain_head}\n"
            f"Lengte van de keten: {export.chain_length} gebeurtenissen\n"
            f"Positie in het register: {export.position} ({answers})\n"
            "\n"
            "Controle van de bestanden: sha256sum -c MANIFEST.sha256\n"
            "Controle van het register (door wie het register beheert):\n"
            f"  lrt audit verify --against {export.chain_head} "
            f"--length {export.chain_length}\n"
            "Dit commando rekent de hashketen na en meldt of het register op deze positie "
            "nog deze kop heeft: zo ja, dan is niets waarop deze export berust sindsdien "
            "gewijzigd.\n")


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


INDEX_HTML = """\
<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: {{ font_stack }}; font-size: 10pt;
       max-width: 46em; margin: 2em auto; line-height: 1.45; }
h1 { font-size: 14pt; }
p.toelichting { color: #333; }
table.overzicht { border-collapse: collapse; width: 100%; margin: 1.5em 0; }
table.overzicht th { text-align: left; font-weight: normal; color: #555;
                     border-bottom: 1px solid #999; padding: 0.2em 1em 0.2em 0; }
table.overzicht td { vertical-align: top; padding: 0.3em 1em 0.3em 0;
                     border-bottom: 1px solid #ddd; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="toelichting">Geobjectiveerde weergave: de vastgestelde verslagen, met weglakkingen
op grond van de Wet open overheid (Woo).</p>
<table class="overzicht">
<tr><th>datum</th><th>vergadering</th><th>verslag</th></tr>
{% for day, key, state, files in rows -%}
<tr><td>{{ day }}</td><td>{% if files %}<a href="{{ key }}.html">{{ key }}</a>{% else %}{{ key }}{% endif %}</td><td>{{ state }}{% if files %} (<a href="{{ key }}.html">HTML</a>, <a href="{{ key }}.pdf">PDF</a>, <a href="{{ key }}.md">Markdown</a>){% endif %}</td></tr>
{% endfor -%}
</table>
<p>Controle: <code>sha256sum -c MANIFEST.sha256</code>; de stand van het register staat in
<a href="CHAIN.txt">CHAIN.txt</a>.</p>
</body>
</html>
"""


def _index_html(export: Export, table: Table) -> str:
    """The index as a page in the style of the minutes, linking each meeting's documents."""
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    exported = {m["meeting"] for m in export.meetings if m["files"]}
    rows = [(day, key, state, key in exported) for day, key, state in _index_rows(export)]
    env = Environment(autoescape=True, undefined=StrictUndefined)
    page: str = env.from_string(INDEX_HTML).render(
        title=_title(export, table), rows=rows, font_stack=Markup(FONT_STACK))
    return page


class OutputError(Exception):
    """The target cannot be written (the OS said why): a usage error of `--out`."""


class Staging:
    """Files written beside their target and moved into place only once all are whole.

    - `directory=True` (an export): the target is a directory of its own, new or empty (or,
      with `force`, an earlier export: every file in it named in its manifest). The files
      go into a hidden directory beside it, `.NAME.lrt-XXXX`, renamed to the target at the
      end: the target appears complete, at once, or not at all.
    - `directory=False` (a publication): the target is a directory that may hold other
      files; `names` are the files to put there, none existing unless `force` (regular
      files only). Into a new target directory as above; into an existing one, the files
      are staged in a hidden directory inside it and renamed one by one at the end.

    `check()` refuses before any work (exists, not writable); leaving the `with` block
    without `commit()` removes everything made, the missing parents of the target too."""

    def __init__(self, out: Path, *, directory: bool, force: bool = False,
                 names: tuple[str, ...] = ()):
        self.out, self.directory, self.force, self.names = out, directory, force, names
        self.made: list[Path] = []  # directories made, to remove when abandoned
        self.stage: Path | None = None
        self.replaced = False

    def check(self) -> None:
        out = self.out
        try:
            if out.exists() or out.is_symlink():
                if not out.is_dir():
                    raise InvalidInput(f"out: {out} exists and is not a directory")
                if self.directory:
                    self._check_directory()
                else:
                    self._check_names()
            ancestor = out.parent
            while not ancestor.exists():
                ancestor = ancestor.parent
            if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK) \
                    or (out.is_dir() and not os.access(out, os.W_OK | os.X_OK)):
                raise OutputError(f"cannot write in {out}: permission denied")
        except OSError as e:
            raise OutputError(f"cannot write {out}: {e.strerror or e}") from None

    def _check_directory(self) -> None:
        present = sorted(p.name for p in self.out.iterdir())
        if not present:
            return
        if not self.force:
            raise InvalidInput(f"out: {self.out} exists and is not an empty directory; "
                               "--force replaces an earlier export")
        manifest = self.out / MANIFEST
        listed = set()
        if manifest.is_file():
            listed = {line.split("  ", 1)[-1] for line in
                      manifest.read_text(encoding="ascii", errors="replace").splitlines()}
        stray = [n for n in present if n != MANIFEST and
                 (n not in listed or not (self.out / n).is_file())]
        if stray or not manifest.is_file():
            raise InvalidInput(f"out: {self.out} is not an earlier export ({(stray or present)[0]}"
                               " is not in its manifest); not replaced, even with --force")
        self.replaced = True

    def _check_names(self) -> None:
        for name in self.names:
            target = self.out / name
            if target.is_symlink() or (target.exists() and not target.is_file()):
                raise InvalidInput(f"out: {target} exists and is not a file")
            if target.exists() and not self.force:
                raise InvalidInput(f"out: {target} exists; --force replaces it")

    def __enter__(self) -> Staging:
        if self.stage is None:
            self.open()
        return self

    def open(self) -> Path:
        """Check, and make the hidden directory the files are written into."""
        self.check()
        out = self.out
        try:
            missing = []
            parent = out.parent
            while not parent.exists():
                missing.append(parent)
                parent = parent.parent
            for directory in reversed(missing):
                directory.mkdir()
                self.made.append(directory)
            if out.is_dir() and not self.directory:
                self.stage = Path(tempfile.mkdtemp(dir=out, prefix=".lrt-stage-"))
            else:
                self.stage = Path(tempfile.mkdtemp(dir=out.parent,
                                                   prefix=f".{out.name}.lrt-"))
            os.chmod(self.stage, 0o777 & ~_umask())  # as an ordinary new directory
        except OSError as e:
            self.abandon()
            raise OutputError(f"cannot write in {out}: {e.strerror or e}") from None
        return self.stage

    def write(self, name: str, content: bytes) -> None:
        assert self.stage is not None
        try:
            with open(self.stage / name, "wb") as f:
                f.write(content)
            os.chmod(self.stage / name, 0o666 & ~_umask())
        except OSError as e:
            raise OutputError(f"cannot write {self.out / name}: {e.strerror or e}") from None

    def commit(self) -> None:
        """Move the staged files into place."""
        assert self.stage is not None
        out, stage = self.out, self.stage
        try:
            if out.is_dir() and not self.directory:
                for name in sorted(os.listdir(stage)):
                    os.replace(stage / name, out / name)
                stage.rmdir()
            elif self.replaced:  # an earlier export: moved aside, then removed
                old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
                os.replace(out, old / out.name)
                os.replace(stage, out)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(stage, out)  # onto nothing, or onto an empty directory
        except OSError as e:
            raise OutputError(f"cannot write {out}: {e.strerror or e}") from None
        self.stage, self.made = None, []

    def abandon(self) -> None:
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None
        for directory in reversed(self.made):
            try:
                directory.rmdir()
            except OSError:
                pass
        self.made = []

    def __exit__(self, *exc: Any) -> None:
        self.abandon()  # after commit: nothing left to remove


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
