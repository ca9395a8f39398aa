"""Shell completion of ids (click's `shell_complete`): meetings, documents, tables,
persons, organisations and actions, read from the read model through `Views`, as the
acting user may read them (a list leaves out what they may not; nothing at all when the
store cannot be opened). Enable it with `eval "$(_LRT_COMPLETE=bash_source lrt)"` (zsh,
fish: `zsh_source`, `fish_source`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click
from click.shell_completion import CompletionItem

Lister = Callable[[Any], list[tuple[str, str]]]


def _meetings(views: Any) -> list[tuple[str, str]]:
    return [(m["key"], f"{m['starts_at'][:16].replace('T', ' ')} {m['place']} ({m['status']})")
            for m in views.meeting_rows()]


def _documents(views: Any) -> list[tuple[str, str]]:
    return [(d["key"], d["title"]) for m in views.calendar() for d in m["documents"]]


def _tables(views: Any) -> list[tuple[str, str]]:
    return [(t["code"], t["name"]) for t in views.tables()]


def _organisations(views: Any) -> list[tuple[str, str]]:
    return [(o["code"], o["name"]) for o in views.organisations()]


def _persons(views: Any) -> list[tuple[str, str]]:
    from datetime import date

    from lrt_domain.errors import DomainError

    try:
        return [(p["id"], p["name"]) for p in views.persons()]
    except DomainError:  # a member: the people of their tables
        found: dict[str, str] = {}
        for t in views.tables():
            try:
                found.update({m["person"]: m["name"] for m in views.members(t["code"],
                                                                              date.today())})
            except DomainError:
                continue
        return sorted(found.items())


def _actions(views: Any) -> list[tuple[str, str]]:
    from datetime import date

    return [(a["key"], a["text"]) for a in views.actions(date.today())]


LISTERS: dict[str, Lister] = {"meeting": _meetings, "document": _documents,
                              "table": _tables, "organisation": _organisations,
                              "person": _persons, "action": _actions}


def completer(kind: str) -> Callable[[click.Context, click.Parameter, str],
                                      list[CompletionItem]]:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str
                 ) -> list[CompletionItem]:
        try:
            found = LISTERS[kind](_views(ctx))
        except Exception:  # completion never fails a shell: no store, no user, ...
            return []
        return [CompletionItem(key, help=help) for key, help in found
                if key.startswith(incomplete)]

    return complete


def _views(ctx: click.Context) -> Any:
    """The views as the user of the command line being completed reads them."""
    from .session import Session

    root = ctx.find_root()
    given = root.obj if isinstance(root.obj, Session) else Session()
    session = Session(db=root.params.get("db") or given.db or os.environ.get("LRT_DB"),
                      user=root.params.get("user") or given.requested_user
                      or os.environ.get("LRT_USER"),
                      key_file=root.params.get("key_file") or given.key_file,
                      clock=given.clock)
    if session.db and "://" not in session.db and not os.path.exists(session.db) or (
            not session.db and not os.path.exists("lrt.sqlite")):
        raise LookupError("no store here")  # completing must not create one
    root.call_on_close(session.close)
    return session.views()


# Which ids a parameter takes: by command and parameter name; a name alone for any command.
BY_NAME = {"meeting": "meeting", "meeting_key": "meeting", "at_meeting": "meeting",
           "to_meeting": "meeting", "table_code": "table", "person": "person",
           "substitute_for": "person", "present": "person", "remote": "person",
           "absent": "person", "for_person": "person", "owners": "organisation",
           "owner": "organisation", "organisation": "organisation",
           "on_behalf_of": "organisation"}
BY_COMMAND = {("meeting", "key"): "meeting", ("document", "key"): "document",
              ("action", "key"): "action", ("table", "code"): "table",
              ("comment", "on"): "document"}


def install(group: click.Group, path: tuple[str, ...] = ()) -> None:
    for name, command in group.commands.items():
        here = (*path, name)
        if isinstance(command, click.Group):
            install(command, here)
            continue
        for param in command.params:
            kind = BY_COMMAND.get((here[0], param.name or "")) or BY_NAME.get(
                param.name or "")
            if kind is not None and getattr(param, "_custom_shell_complete", None) is None:
                param._custom_shell_complete = completer(kind)
