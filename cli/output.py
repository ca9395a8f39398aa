"""One set of output options for every command that shows something (as sqlite-utils does):
`--json` for a stable machine-readable shape, otherwise an aligned table or readable text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

# ISO 8601 with an offset, as the views give times ('2023-11-10T09:15+01:00')
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)\Z")

json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print JSON (a stable shape, documented in the README).")


def _as_of(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None:
        from .session import Session

        session = ctx.find_object(Session)
        assert session is not None  # cli.main always gives one
        session.as_of = value


def view_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of every view: --json, and --as-of for the view as it stood then."""
    from .params import RECORD_TIME

    command = click.option(
        "--as-of", type=RECORD_TIME, expose_value=False, callback=_as_of, metavar="TIME",
        help="Answer as the system stood at this record time (YYYY-MM-DD[ HH:MM]; a date "
             "alone: the end of that day): what it said then.")(command)
    return json_option(command)


def progress_bar(iterable: Any = None, *, length: int | None = None, label: str) -> Any:
    """click's progress bar on stderr for long work, shown on a terminal only (in a pipe or
    a log it would leave its label behind, unterminated)."""
    import sys

    return click.progressbar(iterable, length=length, label=label, file=sys.stderr,
                             hidden=not sys.stderr.isatty())


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# Columns whose times decide something to the second: shown with their seconds.
EXACT_COLUMNS = frozenset({"deadline", "due", "received_at", "sent_at", "recorded_at",
                           "published_at", "closed_at"})


def cell(value: Any, column: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, str) and ISO_MOMENT.match(value):  # a time: as a person reads it
        from .times import moment

        return moment(value, seconds=column in EXACT_COLUMNS or len(value) > 22)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    return str(value).replace("\n", " ")


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
          headers: Sequence[str] | None = None) -> str:
    """An aligned text table; the last column is not padded."""
    headers = list(headers or [c.replace("_", " ") for c in columns])
    cells = [[cell(r.get(c), c) for c in columns] for r in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


def show(data: Any, as_json: bool, *, columns: Sequence[str] | None = None,
         text: Callable[[Any], str] | None = None, empty: str = "(none)") -> None:
    """Print `data` as JSON, as a table of `columns`, or through `text`."""
    if as_json:
        emit_json(data)
    elif text is not None:
        click.echo(text(data))
    elif not data:
        click.echo(empty)
    else:
        assert columns is not None
        click.echo(table(data, columns))


def created(kind: str, key: Any) -> None:
    """Every command that creates something prints the new id (alone, for scripts)."""
    click.echo(key)
    click.echo(f"{kind} {key} recorded", err=True)


def write_file(path: Any, content: str | bytes) -> None:
    """Write the whole file or nothing (a temporary file renamed into place)."""
    import os
    import tempfile

    data = content.encode("utf8") if isinstance(content, str) else content
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it private)
        os.replace(tmp, path)
    except OSError as e:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise click.BadParameter(f"cannot write {path}: {e.strerror or e}",
                                 param_hint="'--out'") from None


PLURALS = {"time": "times", "difference": "differences", "amendment": "amendments",
           "comment": "comments", "occurrence": "occurrences", "redaction": "redactions",
           "meeting": "meetings", "event": "events", "to-do": "to-dos"}


def count(n: int, noun: str) -> str:
    """'1 meeting', '2 meetings', '0 meetings': English, as every CLI message is."""
    return f"{n} {noun if n == 1 else PLURALS.get(noun, noun + 's')}"
