"""`lrt`: the command line of the LRT minutes cycle."""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click

from lrt_app import __version__

from .session import Session

COMMAND_MODULES = ("admin", "directory", "tables", "meetings", "minutes", "actions", "views",
                   "planning", "audit", "demo", "keys", "woo", "export", "portal",
                   "notify")


def _fail(message: str, code: int) -> int:
    # one line, whatever the message echoes back (a value may hold \r, \v, \u2028, ...)
    message = " ".join(message.splitlines())
    click.echo(f"Error: {message}", err=True)
    return code


# Options whose value is a file name, which the system may spell in any bytes.
PATH_OPTIONS = ("--db", "--key-file", "--from", "--out")
ENVIRONMENT = ("LRT_DB", "LRT_USER", "LRT_KEY_FILE")


def require_utf8(args: list[str]) -> None:
    """Refuse, as a usage error naming it, an argument (or LRT_ setting) that is not valid
    UTF-8 text. Python gives such bytes as lone surrogates ('\\udcff'), which no store,
    document or terminal takes; file names are the exception. One check, for every command."""
    import os

    named = []
    for i, arg in enumerate(args):
        if arg.startswith("--") and "=" in arg:  # --as=USER
            option, arg = arg.split("=", 1)
        else:
            option = args[i - 1] if i and args[i - 1].startswith("-") else ""
            if option and any("\ud800" <= c <= "\udfff" for c in arg) and _flag(option):
                option = ""  # `--json 'x'`: x is an argument, not the flag's value
        named.append((option or f"argument {i + 1}", option in PATH_OPTIONS, arg))
    named += [(name, name != "LRT_USER", os.environ[name]) for name in ENVIRONMENT
              if name in os.environ]
    for where, a_path, value in named:
        if not any("\ud800" <= c <= "\udfff" for c in value) or (
                a_path and _escapes_only(value)):  # a file name's bytes
            continue
        shown = value.encode("utf8", "surrogateescape" if _escapes_only(value)
                             else "backslashreplace").decode("utf8", "backslashreplace")
        raise click.UsageError(f"{where}: '{shown}' is not valid UTF-8 text")


def _flag(option: str) -> bool:
    """Whether `option` is a flag (takes no value) of some command."""
    def flags(command: click.Command) -> set[str]:
        found = {o for p in command.params if isinstance(p, click.Option)
                 and (p.is_flag or p.count) for o in (*p.opts, *p.secondary_opts)}
        for sub in getattr(command, "commands", {}).values():
            found |= flags(sub)
        return found

    return option in flags(lrt) | {"--help", "-h", "--version"}


def _escapes_only(value: str) -> bool:
    """Whether every surrogate stands for a byte (as Python reads invalid UTF-8)."""
    return all("\udc80" <= c <= "\udcff" for c in value if "\ud800" <= c <= "\udfff")


class LrtGroup(click.Group):
    """Every mistake is one line on stderr: 2 for usage, 1 for a refused command."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        from lrt_domain.errors import DomainError

        try:
            require_utf8(list(sys.argv[1:] if args is None else args))
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:
            e.show()  # `lrt` or `lrt meeting` alone: the help, readable, as click shows it
            code = e.exit_code
        except click.ClickException as e:
            code = _fail(e.format_message().replace("\n", " "), e.exit_code)
        except click.Abort:
            code = _fail("aborted", 1)
        except DomainError as e:
            code = _fail(str(e).replace("\n", " "), 1)
        except Exception as e:
            # sqlite3: a --db file that is not a SQLite database, or cannot be read
            if type(e).__module__.startswith("eventsourcing") or isinstance(e, sqlite3.Error):
                code = _fail(f"store: {e}".replace("\n", " "), 1)
            else:
                raise
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=LrtGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lrt")
@click.option("--db", envvar="LRT_DB", metavar="PATH",
              help="The store: a SQLite file [default: lrt.sqlite; env LRT_DB].")
@click.option("--as", "user", envvar="LRT_USER", metavar="USER",
              help="The registered user who acts [env LRT_USER].")
@click.option("--key-file", envvar="LRT_KEY_FILE", metavar="PATH",
              help="The encryption key of an encrypted store [env LRT_KEY_FILE; or the key "
                   "itself in LRT_CIPHER_KEY].")
@click.pass_context
def lrt(ctx: click.Context, db: str | None, user: str | None, key_file: str | None) -> None:
    """Minutes, comment rounds, amendments, approvals and actions of the Landelijke
    Regietafel Migratie & Integratie, recorded as events.

    Start with `lrt init`, or see a whole cycle with `lrt demo`."""
    session = ctx.obj if isinstance(ctx.obj, Session) else Session()
    session.db = db or session.db
    session.requested_user = user or session.requested_user
    session.key_file = key_file or session.key_file
    ctx.obj = session
    ctx.call_on_close(session.close)


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"cli.commands.{name}").register(lrt)
    importlib.import_module("cli.current").register(lrt)  # `lrt use`, after every command


_register()


def main() -> None:
    lrt.main(prog_name="lrt")
