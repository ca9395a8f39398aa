"""Bad input on the command line: random arguments and values (dates, ids, empty and huge
texts, unicode, control characters, invalid UTF-8, characters no document can hold, options
in random order) never give a traceback; the exit code is 0, 1 or 2; a refusal is exactly
one "Error:" line on stderr and records nothing; what is recorded can go into a document."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worlds.application import ADMIN, AUDITOR, CHAIR, GUEST, MEMBER, at

from cli.main import lrt
from cli.session import Session
from lrt_app.clock import SettableClock

EXAMPLES = int(os.environ.get("LRT_FUZZ_EXAMPLES", "300"))
SKIP = {("projections", "follow"), ("notify", "follow"), ("demo",), ("serve",)}  # run until
# interrupted; a whole demo


def leaf_commands() -> list[tuple[tuple[str, ...], click.Command]]:
    out = []

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, (*path, name))
        elif path not in SKIP:
            out.append((path, cmd))

    lrt.load_all()  # every command's module (lrt imports them when first asked for)
    walk(lrt, ())
    return out


COMMANDS = leaf_commands()

IDS = st.sampled_from(["LRT", "LRT-2023-11-10", "LRT-2023-12-15", "LRT-2023-11-10/A1",
                       "LRT-2023-11-10/D1", "VNG", "IPO", "JenV", "bestuurder-vng",
                       "veiligheidsberaad", "admin", "1", "nope", "../../etc/passwd"])
DATES = st.sampled_from(["2023-11-10", "2023-11-10 10:00", "2023-11-20T12:00+01:00",
                         "2023-02-30", "10-11-2023", "2023-11-10 25:00", "0001-01-01",
                         "9999-12-31 23:59", "2023-03-26 02:30", "2023-10-29 02:30",
                         "2023-11-10 10:00+14:00", "2023-11-10 10:00-99:00", "now", "",
                         "2023-W45", "20231110"])
NUMBERS = st.one_of(st.integers(-3, 10).map(str),
                    st.sampled_from(["99999999999999999999", "1e3", "0x10", "", "½", "٣"]))
TEXTS = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"]), max_size=10),
    st.sampled_from(["", " ", "\x00", "\n\n", "Akkoord\r\nmet wijziging", "x" * 100_000,
                     "Ĳssel — ‘quote’ 🙂", "\u202eevil", "-", "--", "--json", "-h"]))
# Invalid UTF-8 on a command line arrives as lone surrogates ('\udcff'): as Python reads argv.
INVALID_UTF8 = st.binary(max_size=6).map(
    lambda b: (b"x" + b + b"\xff").decode("utf8", "surrogateescape"))
NOT_IN_DOCUMENTS = ["\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\ufffe", "\uffff",
                    "\ud800", "\udfff"]
UNSTORABLE = st.tuples(st.text(max_size=5), st.sampled_from(NOT_IN_DOCUMENTS),
                       st.text(max_size=5)).map("".join)
TEXTS = st.one_of(TEXTS, INVALID_UTF8, UNSTORABLE)
# Files the fuzz may give with --from (made in the test's directory): a byte order mark, a
# character no document can hold, invalid UTF-8, text before the first heading.
MADE_FILES = {"bom.md": "\ufeff## 1. Opening\n- Welkom.\n".encode(),
              "ffff.md": "## 1. Opening\n- Wel\uffffkom.\n".encode(),
              "latin1.md": "## 1. Opening\n- Caf\xe9.\n".encode("latin-1"),
              "preamble.md": b"Verslag\n## 1. Opening\n- Welkom.\n"}
FILES = st.sampled_from(["missing.txt", "", ".", "notes.md", "/nonexistent/dir/out.md",
                         *MADE_FILES])
USERS = st.sampled_from([ADMIN, CHAIR, MEMBER, GUEST, AUDITOR, "niemand", None, "",
                         "admin\udcff"])


@st.composite
def argv(draw: st.DrawFn) -> list[str]:
    path, cmd = draw(st.sampled_from(COMMANDS))
    words: list[list[str]] = []
    for p in cmd.params:
        kind = getattr(p.type, "name", "text")
        if isinstance(p.type, click.Choice):
            values = st.one_of(st.sampled_from([str(c) for c in p.type.choices]), TEXTS)
        elif kind in ("date", "datetime"):
            values = st.one_of(DATES, TEXTS)
        elif "integer" in kind or "float" in kind:
            values = st.one_of(NUMBERS, TEXTS)
        elif kind in ("file", "path"):
            values = FILES
        elif kind == "duration":
            values = st.sampled_from(["48h", "2d", "0", "-1h", "99999w", "1y", ""])
        else:
            values = st.one_of(IDS, TEXTS)
        if isinstance(p, click.Argument):
            if draw(st.integers(0, 9)):  # mostly given
                words.append([draw(values)])
        elif draw(st.booleans()):
            name = p.opts[-1]
            words.append([name] if p.is_flag else [name, draw(values)])  # type: ignore
    words.extend([w] for w in draw(st.lists(st.sampled_from(
        ["--json", "--bogus", "-x", "extra", "--", "--help"]), max_size=1)))
    order = draw(st.permutations(range(len(words))))  # options (and arguments) in any order
    return [*path, *(w for i in order for w in words[i])]


def event_count(db: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]


def unstorable_since(db: str, count: int) -> list[str]:
    """The texts of the events after the first `count` that no document could hold."""
    import json
    import sqlite3

    from lrt_domain.checks import NOT_IN_DOCUMENTS as PATTERN

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT state FROM stored_events ORDER BY rowid LIMIT -1 OFFSET ?",
                         (count,)).fetchall()
    return [s for (state,) in rows for s in strings(json.loads(state)) if PATTERN.search(s)]


@pytest.mark.parametrize("store_factory", ["sqlite"], indirect=True)
def test_random_command_lines_give_one_line_errors(circulated, world, store,
                                                    tmp_path: Path) -> None:
    from projections.catch_up import catch_up, open_read_model

    # the views as any command leaves them (a store's first query builds them): else a
    # first `projections verify` lists the read model as outdated, rightly, on many lines
    catch_up(world.app, open_read_model(world.app))
    world.app.close()
    clock = SettableClock(at(2023, 11, 16, 9))
    runner = CliRunner()
    tally: Counter[int] = Counter()
    cwd = os.getcwd()
    os.chdir(tmp_path)  # where `--out` files land
    for name, data in MADE_FILES.items():
        (tmp_path / name).write_bytes(data)
    try:
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(args=argv(), user=USERS)
        def run(args: list[str], user: str | None) -> None:
            before = event_count(store.url)
            session = Session(db=store.url, user=user, clock=clock)
            result = runner.invoke(lrt, args, obj=session, catch_exceptions=True)
            assert result.exception is None or isinstance(result.exception, SystemExit), \
                (args, result.exception, result.stderr)
            assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
            assert "Traceback" not in result.stderr, (args, result.stderr)
            tally[result.exit_code] += 1
            if result.exit_code:
                lines = result.stderr.splitlines()
                assert len(lines) == 1 and lines[0].startswith("Error: "), (args, result.stderr,
                                                                            result.stdout)
                assert result.stdout == "", (args, result.stdout)
                assert event_count(store.url) == before, (args, "refused but wrote")
            else:
                assert not unstorable_since(store.url, before), (args, "stored")

        run()
    finally:
        os.chdir(cwd)
    print(dict(tally))
    assert tally[1] and tally[2] and tally[0], tally


@pytest.mark.parametrize("store_factory", ["sqlite"], indirect=True)
@pytest.mark.parametrize("args", [
    ["action", "list", "--table", ""],  # found by the fuzz: a ValueError from the views
    ["deadlines", "--table", ""],
    ["action", "done", "LRT", "--", "--note", "\r"],  # found: an error line split by \r
    ["meeting", "show", "x\u2028y\x0bz"],
    ["agenda", "add", "LRT-2023-12-15", "Rond\udcffvraag"],  # invalid UTF-8: exit 2
    ["agenda", "add", "LRT-2023-12-15", "Rond\uffffvraag"],  # no document holds U+FFFF
])
def test_what_the_fuzz_found(circulated, world, store, args: list[str]) -> None:
    world.app.close()
    result = CliRunner().invoke(lrt, args, obj=Session(db=store.url, user=ADMIN,
                                                       clock=SettableClock(at(2023, 11, 16))))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert result.exit_code in (0, 1, 2)
    if result.exit_code:
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("Error: ")
