"""`lrt`: the command line of the LRT minutes cycle."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from lrt_app import __version__

from .session import Session

# lrt uses no pydantic plugins: not looking for them spares every command that builds a
# model a scan of the installed packages' entry points (25 ms on a loaded machine). An
# explicit setting (an empty one: look for them) is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

COMMAND_MODULES = ("admin", "directory", "tables", "meetings", "minutes", "actions", "views",
                   "planning", "audit", "demo", "keys", "woo", "export", "portal",
                   "notify", "use")
# Each top-level command: the modules of cli/commands that make it (in order: woo adds to
# minutes), and its summary in `lrt --help`. A command's module is imported only when the
# command runs (`LazyGroup`), so `lrt --help` imports none. tests/e2e/test_fast_start.py
# holds this table to the modules (a new command missing here still runs: every module is
# then loaded).
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "init": (("admin",), "Create a new store with its first secretariat user (on PostgreSQL:"
                         " its tables, the append-only guard and the grants to the roles "
                         "lrt_writer and lrt_reader)."),
    "backup": (("admin",), "Copy a SQLite store to a new file: one consistent snapshot, even"
                           " while others write (SQLite's online backup)."),
    "projections": (("admin",), "The read models behind every view: status, catch-up, "
                                "rebuild, verify."),
    "org": (("directory",), "Organisations: ministries, VNG, IPO, COA, Aedes, ..."),
    "person": (("directory",), "Persons: the people who sit at the tables."),
    "user": (("directory",), "Users: who may act, and in which role."),
    "table": (("tables",), "Tables: LRT, HLRT, provincial tables."),
    "member": (("tables",), "Memberships: who represents which organisation at a table, from"
                            " when until when."),
    "meeting": (("meetings",), "Meetings: schedule, reschedule, cancel, hold, close, show, "
                               "list."),
    "agenda": (("meetings",), "Numbered agenda items of a meeting."),
    "attendance": (("meetings",), 'Who was present, remote ("digitaal"), absent, or a '
                                  "substitute."),
    "document": (("meetings",), "Meeting documents (vergaderstukken) and comment rounds on "
                                "them."),
    "minutes": (("minutes", "woo"), "Minutes: draft, revise, circulate, approve, correct, "
                                    "show."),
    "comment": (("minutes",), "Comments in a comment round, on minutes or on a document."),
    "amendment": (("minutes",), "Amendments (wijzigingen) to circulated minutes."),
    "action": (("actions",), "Action items: add, progress, done, cancel, carry, list."),
    "deadlines": (("views",), "Comment rounds: deadline, who commented and who did not yet."),
    "history": (("views",), "Every event of one object (a meeting id shows its minutes too):"
                            " record time, user, role, on whose behalf, and what changed."),
    "report": (("planning",), "Reports over a period."),
    "calendar": (("planning",), "The meeting calendar and deadlines as an iCalendar file."),
    "audit": (("audit",), "The hash chain over every stored event: its head, and a full "
                          "verification."),
    "demo": (("demo",), "Build a fresh demo store and run the LRT cycle of 10 November 2023 "
                        "(simulated clock)."),
    "key": (("keys",), "Encryption keys: a store made with a key (--key-file, LRT_KEY_FILE "
                       "or LRT_CIPHER_KEY) stores every event encrypted, and opens only with"
                       " that key."),
    "export": (("export",), "Exports of the record for others."),
    "serve": (("portal",), "Serve the member portal: members read, comment and amend in a "
                           "browser."),
    "notify": (("notify",), "Mail: invitations, documents, comment rounds and reminders, "
                            "minutes, actions."),
    "use": (("use",), "Make MEETING the current meeting of this store: commands that take a "
                      "meeting use it when it is left out (LRT_MEETING in the environment "
                      "wins)."),
}


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

    lrt.load_all()
    return option in flags(lrt) | {"--help", "-h", "--version"}


def _escapes_only(value: str) -> bool:
    """Whether every surrogate stands for a byte (as Python reads invalid UTF-8)."""
    return all("\udc80" <= c <= "\udcff" for c in value if "\ud800" <= c <= "\udfff")


class LazyGroup(click.Group):
    """A group whose commands are imported when first asked for (as in click's documentation
    on lazily loading subcommands): `lrt --help` lists them from `COMMANDS` alone."""

    loaded: set[str]

    def _load(self, modules: tuple[str, ...]) -> None:
        import importlib

        if not hasattr(self, "loaded"):
            self.loaded = set()
        new = [name for name in modules if name not in self.loaded]
        for name in new:
            self.loaded.add(name)
            importlib.import_module(f"cli.commands.{name}").register(self)
        if new:  # the current meeting and the completion of ids, on what was loaded
            from . import complete, current

            current.install(self)
            complete.install(self)

    def load_all(self) -> None:
        self._load(COMMAND_MODULES)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS.keys() | self.commands.keys())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)  # its modules, even if another one made it already
        if where or cmd_name not in self.commands:  # (`comment` makes `minutes` without woo)
            self._load(where[0] if where else COMMAND_MODULES)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, without importing a command that is not
        loaded (its summary from `COMMANDS`)."""
        shown = {name: self.commands.get(name) or click.Command(name, help=COMMANDS[name][1])
                 for name in self.list_commands(ctx)}
        rows = [(name, c) for name, c in shown.items() if not c.hidden]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, c.get_short_help_str(limit)) for name, c in rows])


class LrtGroup(LazyGroup):
    """Every mistake is one line on stderr: 2 for usage, 1 for a refused command."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
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
        except Exception as e:
            # (the domain's errors module is imported by whatever raised one: not before,
            # so that `lrt --help` imports nothing of the domain)
            errors = sys.modules.get("lrt_domain.errors")
            if errors is not None and isinstance(e, errors.DomainError):
                code = _fail(str(e).replace("\n", " "), 1)
            # sqlite3: a --db file that is not a SQLite database, or cannot be read (as
            # with the domain's errors: imported by whatever raised one)
            elif (type(e).__module__.startswith("eventsourcing")
                  or ((sqlite3 := sys.modules.get("sqlite3")) is not None
                      and isinstance(e, sqlite3.Error))):
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


def main() -> None:
    lrt.main(prog_name="lrt")
