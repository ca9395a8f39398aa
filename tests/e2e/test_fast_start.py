"""A fast start (issue 16, point 4): `lrt --help` and `lrt --version` import no command
module and nothing of the domain, the read side, pydantic or eventsourcing; the commands
are imported when first asked for (`cli.main.LazyGroup`), and `--help` lists them from
`cli.main.COMMANDS`, which this test holds to the modules. Completion still works."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli.main import COMMAND_MODULES, COMMANDS

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


def imported(*args: str) -> tuple[str, list[str]]:
    """What `lrt ARGS` prints, and every module it imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout, json.loads(done.stderr.splitlines()[-1])


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
