"""A fast start (issue 16, point 4): `lrt --help` and `lrt --version` import no command
module and nothing of the domain, the read side, pydantic or eventsourcing; the commands
are imported when first asked for (`cli.main.LazyGroup`), and `--help` lists them from
`cli.main.COMMANDS`, which this test holds to the modules. Completion still works.

A query on a SQLite store whose read model is caught up imports neither the application
(the write side) nor an event class nor a pydantic model (`projections.reading`); on views
behind the log it runs through the application, which catches them up, and says the
same."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from cli.main import COMMAND_MODULES, COMMANDS
import stores
from worlds.command_line import SEC, Cli, run_cycle

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("lrt_domain", "projections", "pydantic", "eventsourcing", "cli.commands",
         "lrt_app.")  # lrt_app itself only for its __version__

PROBE = """
import json, sys
from cli.main import lrt
try:
    lrt.main(sys.argv[1:], prog_name="lrt")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported(*args: str, **extra: str) -> tuple[str, list[str]]:
    """What `lrt ARGS` prints, and every module it imported (`extra`: in the environment)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LRT_DB", "LRT_USER")}
    env.update(extra, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout, json.loads(done.stderr.splitlines()[-1])


# the write side, the event classes (every one: the catalogue; each with its aggregate's
# model) and pydantic's model machinery
WRITE_SIDE = ("lrt_app.application", "lrt_app.persistence", "lrt_domain.catalogue",
              "lrt_domain.base", "lrt_domain.tables", "lrt_domain.meetings",
              "lrt_domain.minutes", "lrt_domain.directory", "pydantic.main",
              "eventsourcing.application", "projections.read_model", "projections.catch_up")


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_no_domain(args: list[str]) -> None:
    out, modules = imported(*args)
    assert "Commands:" in out or "version" in out
    heavy = [m for m in modules if m.startswith(HEAVY) or m == "pydantic"]
    assert heavy == []


def test_a_command_imports_only_its_own_module() -> None:
    out, modules = imported("action", "--help")
    assert "progress" in out
    commands = {m for m in modules if m.startswith("cli.commands.")}
    assert commands == {"cli.commands.actions"}


def test_deduce_is_loaded_by_the_suggestions_only() -> None:
    """`deduce` (numpy, rapidfuzz, 80 MB of lookup lists) is imported by `minutes
    redactions --suggest` when it runs, never to start or to show help."""
    out, modules = imported("minutes", "redactions", "--help")
    assert "--suggest" in out
    assert [m for m in modules
            if m.split(".")[0] in ("deduce", "docdeid", "numpy", "rapidfuzz")] == []


def test_the_table_of_commands_is_the_modules() -> None:
    """Every command is in `COMMANDS` with its module and its summary (a command added to a
    module must be added there too, or `lrt --help` does not list it)."""
    made_by: dict[str, str] = {}
    group = click.Group()
    for module in COMMAND_MODULES:
        before = set(group.commands)
        importlib.import_module(f"cli.commands.{module}").register(group)
        made_by.update({name: module for name in set(group.commands) - before})
    assert sorted(COMMANDS) == sorted(group.commands)
    for name, command in group.commands.items():
        modules, summary = COMMANDS[name]
        assert modules[0] == made_by[name], name
        assert summary == command.get_short_help_str(10**6), name


def test_help_lists_what_the_loaded_commands_say() -> None:
    """`lrt --help` from the table, and from every command loaded: the same text."""
    def help_text(load: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", f"from cli.main import lrt; {load}lrt.main(['--help'], "
             "prog_name='lrt')"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=60, check=False).stdout

    lazy = help_text("")
    assert "Commands:" in lazy and lazy == help_text("lrt.load_all(); ")


@pytest.mark.parametrize("words, cword, expected", [
    ("lrt act", 1, "action"), ("lrt action l", 2, "list"), ("lrt minutes pub", 2, "publish"),
])
def test_completion_still_works(words: str, cword: int, expected: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_LRT_COMPLETE": "bash_complete",
           "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([sys.executable, "-c", "from cli.main import main; main()"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert f"plain,{expected}" in done.stdout.splitlines(), (done.stdout, done.stderr)


def by_the_application(store: str, user: str) -> Any:
    """The action register (`action list --all`) as the application's views give it."""
    from datetime import datetime, timezone

    from lrt_app.bootstrap import build
    from lrt_domain.dutch_time import local_date
    from projections.views import Views

    app = build(store)
    try:
        views = Views.open(app, actor=app.actor(user))
        today = local_date(datetime.now(timezone.utc))
        return json.loads(json.dumps(views.actions(today, include_closed=True)))
    finally:
        app.close()


@pytest.fixture(scope="module")
def caught_up(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A SQLite store after a whole cycle, its views caught up."""
    tmp = tmp_path_factory.mktemp("fast")
    cli = Cli(db=stores.TestStore("sqlite", str(tmp / "lrt.sqlite")))
    run_cycle(cli, tmp, query_between=False)
    cli.ok("projections", "catch-up")
    return cli


@pytest.mark.parametrize("user", [SEC, "spies", "woo"])  # secretariat, member, auditor
def test_a_query_on_views_caught_up_imports_no_write_side(caught_up: Cli, user: str
                                                          ) -> None:
    """`action list` reads the read model's rows; the read rules read plain rows of the
    tables, meetings and minutes (a member's answer depends on the state of the minutes)."""
    store = caught_up.store.url
    out, modules = imported("--db", store, "--as", user, "action", "list", "--all",
                            "--json")
    assert [m for m in modules if m in WRITE_SIDE] == []
    assert "projections.reading" in modules  # (the probe did run the query)
    assert json.loads(out) == by_the_application(store, user)
    assert json.loads(out), "the cycle agreed actions"


def test_completing_a_meeting_id_imports_no_write_side(caught_up: Cli) -> None:
    """The meetings the user may read, from the read model's query table alone."""
    from lrt_app.bootstrap import build
    from projections.views import Views

    line = f"lrt --db {caught_up.store.url} --as spies minutes show LRT-20"
    out, modules = imported(_LRT_COMPLETE="bash_complete", COMP_WORDS=line,
                            COMP_CWORD=str(len(line.split()) - 1))
    assert [m for m in modules if m in WRITE_SIDE] == []
    app = build(caught_up.store.url)
    try:
        calendar = Views.open(app, actor=app.actor("spies")).calendar()
    finally:
        app.close()
    assert calendar
    assert [row.split(",")[1] for row in out.splitlines() if row.startswith("plain,")] == \
        [m["key"] for m in calendar]
    assert f"plain,{calendar[0]['key']}" in out.splitlines()


def test_views_behind_the_log_are_caught_up_by_the_application(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """An event the views have not applied yet: the query runs through the application
    (which decodes the event to catch up), answers with it, and the next query is again
    the read side's alone."""
    tmp = tmp_path_factory.mktemp("behind")
    cli = Cli(db=stores.TestStore("sqlite", str(tmp / "lrt.sqlite")))
    run_cycle(cli, tmp, query_between=False)
    cli.ok("projections", "catch-up")
    behind = Cli(db=cli.db, clock=cli.clock, project_on_save=False)
    behind.new("org", "add", "SZW", "Ministerie van Sociale Zaken en Werkgelegenheid")
    args = ("--db", cli.store.url, "--as", SEC, "action", "list", "--all", "--json")
    out, modules = imported(*args)
    assert "lrt_app.application" in modules and "lrt_domain.catalogue" in modules
    assert json.loads(out) == by_the_application(cli.store.url, SEC)
    assert cli.store.execute("SELECT COUNT(*) FROM view_state WHERE key = 'SZW'") == [(1,)]
    again, modules = imported(*args)
    assert [m for m in modules if m in WRITE_SIDE] == []
    assert json.loads(again) == json.loads(out)


@pytest.mark.parametrize("args, fragment", [
    (("--as", "nobody"), "user: no user 'nobody'; register one with 'lrt user add'"),
    ((), "user: name the acting user with --as or LRT_USER"),
])
def test_a_query_refused_says_what_the_application_says(caught_up: Cli, args: tuple[str, ...],
                                                        fragment: str) -> None:
    """Whoever the read side cannot answer for, the application refuses, in its words."""
    env = {k: v for k, v in os.environ.items() if k not in ("LRT_DB", "LRT_USER")}
    done = subprocess.run([sys.executable, "-c", "from cli.main import main; main()",
                           "--db", caught_up.store.url, *args, "action", "list"],
                          cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"Error: {fragment}\n"


def test_a_deactivated_user_is_refused(caught_up: Cli, tmp_path_factory: pytest.TempPathFactory
                                       ) -> None:
    tmp = tmp_path_factory.mktemp("gone")
    cli = Cli(db=stores.TestStore("sqlite", str(tmp / "lrt.sqlite")), clock=caught_up.clock)
    cli.invoke("init", "--admin", SEC, "--organisation", "JenV", "--organisation-name",
               "Ministerie van Justitie en Veiligheid", user=None)
    cli.new("user", "add", "woo", "--role", "auditor")
    cli.ok("user", "deactivate", "woo", "--reason", "vertrokken")
    cli.refused("action", "list", user="woo", fragments=("user woo was deactivated",))


def test_a_long_agenda_in_parts_is_read_by_the_read_side_alone(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """A meeting whose agenda is kept in parts (`projections.read_model.PART_SIZE` items
    each): `agenda list` on the read side alone reads the meeting's row and its parts, joined,
    and answers with every item, as the application does."""
    from projections.reading import PART_SIZE

    tmp = tmp_path_factory.mktemp("parts")
    cli = Cli(db=stores.TestStore("sqlite", str(tmp / "lrt.sqlite")))
    r = cli.invoke("init", "--admin", SEC, "--organisation", "JenV", "--organisation-name",
                   "Ministerie van Justitie en Veiligheid", user=None)
    assert r.exit_code == 0, r.stderr
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    meeting = cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                      "--place", "Webex")
    titles = [f"Agendapunt {i + 1}" for i in range(2 * PART_SIZE + 3)]
    for title in titles:
        cli.new("agenda", "add", meeting, title)
    cli.ok("projections", "catch-up")
    assert cli.store.execute("SELECT COUNT(*) FROM view_state_parts") == [(3,)]
    out, modules = imported("--db", cli.store.url, "--as", SEC, "agenda", "list", meeting,
                            "--json")
    # (the meeting view imports more of the domain than `action list` does, but not the
    # application)
    assert [m for m in modules if m in ("lrt_app.application", "eventsourcing.application",
                                        "projections.catch_up")] == []
    assert "projections.reading" in modules
    assert [i["title"] for i in json.loads(out)] == titles
    assert json.loads(out) == cli.json("agenda", "list", meeting)
