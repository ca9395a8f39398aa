"""The installed `lrt` script, run as a user runs it: a subprocess on a real SQLite file,
with the system clock."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lrt_app import __version__

from worlds.command_line import (
    COMMANDS,
    clean_env,
    event_count,
    lrt_executable,
    store_fingerprint,
)


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(lrt_executable()), *args], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, encoding="utf8", timeout=60,
                          check=False)


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int,
                          *fragments: str) -> None:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_version(tmp_path: Path) -> None:
    result = run(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"lrt, version {__version__}\n"


def test_help_lists_every_command_group(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: lrt [OPTIONS] COMMAND [ARGS]...")
    listed = result.stdout.split("\nCommands:\n", 1)[1]
    names = {m[1] for m in re.finditer(r"^  (\S+)\s", listed, re.MULTILINE)}
    assert set(COMMANDS) <= names, set(COMMANDS) - names
    for option in ("--db", "--as", "--version", "--help"):
        assert option in result.stdout
    assert not (tmp_path / "lrt.sqlite").exists()  # help opens no store


def test_every_command_answers_help() -> None:
    """`lrt GROUP --help` for every group (in-process: eighteen subprocesses would only
    be slower)."""
    from click.testing import CliRunner

    from cli.main import lrt

    for name in COMMANDS:
        result = CliRunner().invoke(lrt, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert result.stdout.startswith(f"Usage: lrt {name}"), name


def test_no_command_shows_the_help(tmp_path: Path) -> None:
    result = run(tmp_path, "meeting")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: lrt meeting [OPTIONS] COMMAND [ARGS]...")
    assert "\nCommands:\n" in result.stderr  # readable help, not one squashed line
    assert "schedule" in result.stderr and "Traceback" not in result.stderr


def test_demo_then_query_its_store(tmp_path: Path) -> None:
    result = run(tmp_path, "--db", "demo.sqlite", "demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the approved minutes
    assert "Verslag LRT 10 november 2023   [vastgesteld, versie 2]" in out
    assert "Vastgesteld in de vergadering LRT-2023-12-01 met wijziging 1" in out
    assert "1. namens VNG, agendapunt 4, punt 2: overgenomen in versie 2" in out
    assert "VNG ervaart de toon in de brieven vaak als te zendend" in out
    # the deadlines: four letters and the minutes, all closed by now
    deadlines = out.split("Comment deadlines", 1)[1].split("Action register", 1)[0]
    assert deadlines.count("LRT-2023-11-10/D") == 4
    assert "2023-11-21T12:00+01:00  LRT-2023-11-10 " in deadlines
    # the action register: overdue first, done last
    register = out.split("Action register", 1)[1]
    keys = re.findall(r"^(LRT-2023-11-10/A\d)", register, re.MULTILINE)
    assert keys == ["LRT-2023-11-10/A5", "LRT-2023-11-10/A3", "LRT-2023-11-10/A2",
                    "LRT-2023-11-10/A4", "LRT-2023-11-10/A1"]
    assert "refused, as it should be" in out  # the late comment of Aedes
    assert (tmp_path / "demo.sqlite").exists()

    shown = run(tmp_path, "--db", "demo.sqlite", "--as", "secretariaat", "minutes", "show",
                "LRT-2023-11-10", "--json")
    assert shown.returncode == 0, shown.stderr
    minutes = json.loads(shown.stdout)
    assert minutes["status"] == "approved"
    assert minutes["version"] == 2
    assert minutes["approval"]["at_meeting"] == "LRT-2023-12-01"
    assert [(a["organisation"], a["status"]) for a in minutes["amendments"]] == [
        ("VNG", "accepted")]

    # LRT_DB and LRT_USER stand in for --db and --as
    via_env = run(tmp_path, "minutes", "list", "--json", LRT_DB="demo.sqlite",
                  LRT_USER="woo-officer")
    assert via_env.returncode == 0, via_env.stderr
    assert json.loads(via_env.stdout) == [{"meeting": "LRT-2023-11-10", "table": "LRT",
                                           "date": "2023-11-10", "status": "approved",
                                           "version": 2}]

    # a second demo replaces the demo store: the same events, not twice as many
    events = event_count(tmp_path / "demo.sqlite")
    again = run(tmp_path, "--db", "demo.sqlite", "demo")
    assert again.returncode == 0, again.stderr
    assert event_count(tmp_path / "demo.sqlite") == events


def test_demo_refuses_to_replace_a_real_store(tmp_path: Path) -> None:
    init = run(tmp_path, "init", "--admin", "sec", "--organisation", "JenV",
               "--organisation-name", "Ministerie van Justitie en Veiligheid")
    assert init.returncode == 0, init.stderr
    assert "lrt.sqlite initialised" in init.stdout
    added = run(tmp_path, "--as", "sec", "org", "add", "VNG",
                "Vereniging van Nederlandse Gemeenten")
    assert (added.returncode, added.stdout) == (0, "VNG\n"), added.stderr
    store = tmp_path / "lrt.sqlite"
    before = store_fingerprint(store)
    assert before[0] == 4

    assert_one_line_error(run(tmp_path, "demo"), 1, "real store", "--db")  # the default db
    assert_one_line_error(run(tmp_path, "--db", str(store), "demo"), 1, "real store")
    assert store_fingerprint(store) == before
    listed = run(tmp_path, "--as", "sec", "org", "list", "--json")
    assert [o["code"] for o in json.loads(listed.stdout)] == ["JenV", "VNG"]


def test_errors_from_the_real_executable(tmp_path: Path) -> None:
    assert_one_line_error(run(tmp_path, "--as", "sec", "org", "list"), 1, "no store at")
    assert not (tmp_path / "lrt.sqlite").exists()
    assert_one_line_error(run(tmp_path, "--as", "sec", "meeting", "schedule", "LRT", "--at",
                              "morgen", "--place", "Webex"), 2, "'--at'")
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database\n", encoding="utf8")
    assert_one_line_error(run(tmp_path, "--db", str(notes), "--as", "sec", "org", "list"),
                          1, "store")
    assert notes.read_text(encoding="utf8") == "not a database\n"


# --- shell completion -----------------------------------------------------------------

def test_bash_completion_script(tmp_path: Path) -> None:
    result = run(tmp_path, _LRT_COMPLETE="bash_source")
    assert result.returncode == 0, result.stderr
    script = result.stdout
    assert "_lrt_completion()" in script
    assert "_LRT_COMPLETE=bash_complete" in script
    assert "complete -o nosort -F _lrt_completion lrt" in script
    if bash := shutil.which("bash"):
        check = subprocess.run([bash, "-n"], input=script, capture_output=True, text=True,
                               check=False)
        assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("words,cword,expected", [
    ("lrt mee", "1", {"meeting"}),
    ("lrt meeting s", "2", {"schedule", "show"}),
    ("lrt minutes ap", "2", {"approve"}),
    ("lrt attendance record M p ", "5", {"present", "remote", "absent", "substitute"}),
])
def test_bash_completes_commands_and_choices(tmp_path: Path, words: str, cword: str,
                                             expected: set[str]) -> None:
    result = run(tmp_path, _LRT_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=cword)
    assert result.returncode == 0, result.stderr
    offered = {line.split(",", 1)[1] for line in result.stdout.splitlines()}
    assert offered == expected


def test_zsh_completion_script(tmp_path: Path) -> None:
    result = run(tmp_path, _LRT_COMPLETE="zsh_source")
    assert result.returncode == 0, result.stderr
    assert "#compdef lrt" in result.stdout
