"""The current meeting: `lrt use MEETING` (or LRT_MEETING in the environment) names the
meeting that commands taking a meeting use when it is left out.

    lrt use LRT-2026-12-10
    lrt agenda add "Opening en mededelingen"       # = lrt agenda add LRT-2026-12-10 ...
    lrt minutes show                               # = lrt minutes show LRT-2026-12-10

A command that used it says so on stderr (`meeting LRT-2026-12-10 (current: lrt use)`), so
nothing happens to a meeting unnamed and unseen. LRT_MEETING wins over `lrt use`. `lrt use`
remembers one meeting per store (a SQLite file by its full path, a PostgreSQL store by its
URL without the password) in $XDG_STATE_HOME/lrt/current.json (~/.local/state/...).

When is the meeting left out: a command takes the meeting as its first argument; when it is
given one positional argument fewer than it takes (or fewer than it needs), and the first
one given is not a meeting's id, the current meeting goes in front. So `lrt agenda add "Opening"` is `agenda add CURRENT "Opening"`, and
`lrt agenda add LRT-2026-12-10 "Opening"` is as it always was."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import click

ENV = "LRT_MEETING"
# A meeting's id ('LRT-2023-11-10', a second that day 'LRT-2023-11-10-2'): never taken for
# another argument when the current meeting would go in front of it.
MEETING_ID = re.compile(r"[^\s/]+-\d{4}-\d{2}-\d{2}(-\d+)?\Z")

# The commands whose first argument is a meeting (the minutes go by the meeting's id).
TAKE_A_MEETING = {
    ("meeting", "reschedule"), ("meeting", "cancel"), ("meeting", "hold"),
    ("meeting", "close"), ("meeting", "invite"), ("meeting", "show"),
    ("agenda", "add"), ("agenda", "list"), ("attendance", "record"), ("attendance", "list"),
    ("document", "add"), ("minutes", "draft"), ("minutes", "revise"),
    ("minutes", "circulate"), ("minutes", "procedure"), ("minutes", "object"),
    ("minutes", "approve"), ("minutes", "correct"), ("minutes", "show"),
    ("minutes", "redactions"), ("minutes", "redact"), ("minutes", "unredact"),
    ("minutes", "publish"), ("minutes", "round", "close"),
    ("amendment", "propose"), ("amendment", "accept"), ("amendment", "reject"),
    ("amendment", "list"), ("action", "add"),
}


def state_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "lrt" / "current.json"


def store_name(db: str | None) -> str:
    """The store as `lrt use` remembers it: a file by its full path; a URL without its
    password."""
    db = db or os.environ.get("LRT_DB") or "lrt.sqlite"
    if "://" in db:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(db)
        host = parts.hostname or ""
        netloc = (f"{parts.username}@" if parts.username else "") + host + (
            f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return str(Path(db).resolve())


def _remembered() -> dict[str, str]:
    try:
        data = json.loads(state_file().read_text(encoding="utf8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def current(db: str | None) -> tuple[str, str] | None:
    """The current meeting and where it comes from ('LRT_MEETING' or 'lrt use'), if any."""
    if os.environ.get(ENV):
        return os.environ[ENV], ENV
    meeting = _remembered().get(store_name(db))
    return (meeting, "lrt use") if meeting else None


def remember(db: str | None, meeting: str | None) -> None:
    """`lrt use MEETING` (None: forget it), for this store."""
    from .output import write_file

    data = _remembered()
    if meeting is None:
        data.pop(store_name(db), None)
    else:
        data[store_name(db)] = meeting
    path = state_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror or e}") from None
    write_file(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _positionals(command: click.Command, args: list[str]) -> list[int]:
    """The indexes of the positional arguments among `args`."""
    takes_value = {o for p in command.params if isinstance(p, click.Option)
                   and not p.is_flag and not p.count for o in p.opts}
    found: list[int] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return found + list(range(i + 1, len(args)))
        if arg.startswith("-") and len(arg) > 1:
            if arg in takes_value:
                i += 1  # its value
        else:
            found.append(i)
        i += 1
    return found


def with_current(command: click.Command, ctx: click.Context, args: list[str]) -> list[str]:
    """`args`, with the current meeting in front when the command's meeting was left out."""
    if ctx.resilient_parsing or any(a in ("-h", "--help") for a in args):
        return args  # completing a command line, or its help: as given
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    needed = sum(1 for p in arguments if p.required)
    given = _positionals(command, args)
    if not (len(given) == len(arguments) - 1 or len(given) < needed):
        return args
    if given and MEETING_ID.match(args[given[0]]):  # named, and something else left out
        return args
    from .session import Session

    session = ctx.find_object(Session)
    found = current(session.db if session else None)
    if found is None:
        if not given:
            raise click.UsageError("missing argument MEETING: name the meeting, or make one "
                                   "current with `lrt use MEETING`", ctx)
        return args
    meeting, source = found
    click.echo(f"meeting {meeting} (current: {source})", err=True)
    at = given[0] if given else len(args)
    return [*args[:at], meeting, *args[at:]]


def install(group: click.Group, path: tuple[str, ...] = ()) -> None:
    """Let every command of TAKE_A_MEETING under `group` use the current meeting."""
    for name, command in group.commands.items():
        here = (*path, name)
        if isinstance(command, click.Group):
            install(command, here)
        elif here in TAKE_A_MEETING:
            _wrap(command)


def _wrap(command: click.Command) -> None:
    if getattr(command, "_takes_current", False):
        return  # wrapped when an earlier module was loaded
    command._takes_current = True  # type: ignore[attr-defined]
    parse = command.parse_args

    def parse_args(ctx: click.Context, args: list[str]) -> list[str]:
        return parse(ctx, with_current(command, ctx, args))

    command.parse_args = parse_args  # type: ignore[method-assign]
    first = next(p for p in command.params if isinstance(p, click.Argument))
    first.metavar = "[MEETING]"
