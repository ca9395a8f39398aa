"""End-to-end helpers: the `lrt` command line on a real SQLite file.

In-process runs go through click's `CliRunner` with a `Session` that carries an injected
`SettableClock`, so the record's time is whatever the test says it is. `Cli.at` moves the
clock (forward only, as the real clock does) between steps.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import lrt
from cli.session import Session
from lrt_app.clock import SettableClock
from lrt_domain.dutch_time import AMSTERDAM

from stores import TestStore

SEC = "sec"  # the first secretariat user of every e2e store

# The command groups `lrt --help` must list.
COMMANDS = ("init", "user", "org", "person", "table", "member", "meeting", "agenda",
            "document", "attendance", "minutes", "comment", "amendment", "action",
            "deadlines", "history", "audit", "projections", "demo")


def at(text: str) -> datetime:
    """A world time in Europe/Amsterdam, e.g. '2023-11-10 09:15'."""
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def assert_one_line_error(result: Result, code: int, *fragments: str) -> str:
    """The contract of `lrt` for every mistake: exit `code`, one 'Error:' line on stderr,
    nothing on stdout, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr,
                                      result.exception)
    # CliRunner keeps an escaped exception here; a handled error leaves only SystemExit.
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def as_store(db: Path | TestStore) -> TestStore:
    return db if isinstance(db, TestStore) else TestStore("sqlite", str(db))


def store_fingerprint(db: Path | TestStore) -> tuple[int, str]:
    """How many events are stored, and a digest of all of them."""
    rows = as_store(db).stored_events()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def event_count(db: Path | TestStore) -> int:
    return len(as_store(db).stored_events())


@dataclass
class Cli:
    """The command line on one store, in-process, with a settable record clock."""

    db: Path | TestStore  # a SQLite path, or a store of either kind
    clock: SettableClock = field(default_factory=lambda: SettableClock(at("2023-10-02 09:00")))
    runner: CliRunner = field(default_factory=CliRunner)
    project_on_save: bool = True  # False: commands leave the views to a catch-up (SQLite)

    def at(self, moment: str) -> None:
        self.clock.set(at(moment))

    @property
    def store(self) -> TestStore:
        return as_store(self.db)

    def invoke(self, *args: str, user: str | None = SEC, input: str | None = None,
               env: dict[str, str] | None = None) -> Result:
        session = Session(db=self.store.url, user=user, clock=self.clock,
                          project_on_save=self.project_on_save)
        return self.runner.invoke(lrt, list(args), obj=session, catch_exceptions=True,
                                  input=input, env=env, prog_name="lrt")

    def ok(self, *args: str, user: str | None = SEC) -> str:
        """Run a command that must succeed; return its stdout."""
        result = self.invoke(*args, user=user)
        assert result.exit_code == 0, (args, result.exit_code, result.stderr,
                                       result.exception)
        assert result.exception is None, result.exception
        return result.stdout

    def new(self, *args: str, user: str | None = SEC) -> str:
        """Run a create command: its stdout is exactly the new id, on one line."""
        out = self.ok(*args, user=user)
        assert out.endswith("\n") and out.count("\n") == 1, out
        return out.strip()

    def json(self, *args: str, user: str | None = SEC) -> Any:
        return json.loads(self.ok(*args, "--json", user=user))

    def refused(self, *args: str, code: int = 1, user: str | None = SEC,
                fragments: tuple[str, ...] = ()) -> str:
        """Run a command that must be refused and record nothing; return the error line."""
        before = store_fingerprint(self.db) if self.store.exists() else None
        line = assert_one_line_error(self.invoke(*args, user=user), code, *fragments)
        after = store_fingerprint(self.db) if self.store.exists() else None
        assert after == before, f"{args} changed the store"
        return line


@pytest.fixture
def cli(store: TestStore) -> Cli:
    """The command line on a fresh store, SQLite and PostgreSQL in turn."""
    return Cli(db=store)


@pytest.fixture(scope="session", autouse=True)
def _no_store_env() -> Iterator[None]:
    """LRT_DB or LRT_USER in the developer's shell must not leak into a test."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("LRT_DB", raising=False)
        mp.delenv("LRT_USER", raising=False)
        yield


def lrt_executable() -> Path:
    path = Path(sys.executable).parent / ("lrt.exe" if os.name == "nt" else "lrt")
    if not path.exists():
        pytest.skip(f"the lrt script is not installed next to {sys.executable}")
    return path


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LRT_DB", "LRT_USER")}
    env.update(extra)
    return env


# --- the cycle, step by step, shared by the cycle and the projection tests -------------

MINUTES_MD = """\
## 1. Opening en mededelingen
- Het verslag van de vorige LRT wordt geaccordeerd.
- Besluit: de LRT komt voortaan eens per maand bijeen.
## 2. Huisvesting statushouders
- De richting van de voorstellen wordt op hoofdlijnen gesteund.
- Er zijn veel vragen over de operationele uitwerking; gemeenten moeten niet dubbel
  benaderd worden.
- Actie: VNG levert een notitie aan.
## 3. WVTTK
- Geen punten.
"""


@dataclass
class Cycle:
    """The ids the cycle created, for the tests that look at the result."""

    cli: Cli
    meeting: str = ""
    following: str = ""
    third: str = ""
    document: str = ""
    actions: list[str] = field(default_factory=list)
    memberships: dict[str, int] = field(default_factory=dict)
    seen: dict[str, Any] = field(default_factory=dict)  # views read during the cycle
    # how each was read: the command, the user, and a record time just after the reading
    looked: dict[str, tuple[tuple[str, ...], str, datetime]] = field(default_factory=dict)


def run_cycle(cli: Cli, tmp: Path, *, query_between: bool = True) -> Cycle:
    """A full LRT cycle through the command line, the clock moving between steps.

    With `query_between`, a view is read after each phase, so that the read model is
    brought up to date in several incremental catch-ups rather than once at the end."""
    c = Cycle(cli)

    def peek() -> None:
        if query_between:
            cli.json("projections", "status")
            cli.json("deadlines", "--all")

    def look(name: str, *args: str, user: str = SEC) -> None:
        if query_between:
            c.seen[name] = cli.json(*args, user=user)
            c.looked[name] = (args, user, cli.clock.now())

    cli.at("2023-10-02 09:00")
    init = cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van Justitie en Veiligheid", user=None)
    assert init.exit_code == 0, init.stderr
    assert f"--as {SEC}" in init.stdout

    for code, name in [("VNG", "Vereniging van Nederlandse Gemeenten"),
                       ("IPO", "Interprovinciaal Overleg"),
                       ("BZK", "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties")]:
        assert cli.new("org", "add", code, name) == code
    assert cli.new("person", "add", "Liesbeth Spies", "--title", "Mevr.") == "liesbeth-spies"
    assert cli.new("person", "add", "Jan de Reus", "--id", "de-reus", "--title", "Dhr.") \
        == "de-reus"
    assert cli.new("person", "add", "Hugo de Jonge", "--id", "de-jonge") == "de-jonge"
    assert cli.new("person", "add", "Adviseur VNG", "--id", "adviseur-vng") == "adviseur-vng"
    assert cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
                   "--person", "liesbeth-spies") == "spies"
    assert cli.new("user", "add", "de-reus", "--role", "member", "--organisation", "IPO",
                   "--person", "de-reus") == "de-reus"
    assert cli.new("user", "add", "woo", "--role", "auditor") == "woo"
    assert cli.new("table", "add", "LRT", "Landelijke Regietafel Migratie en Integratie",
                   "--secretariat", "JenV", "--meetings-per-year", "12") == "LRT"
    c.memberships["liesbeth-spies"] = int(cli.new(
        "member", "add", "LRT", "liesbeth-spies", "--organisation", "VNG",
        "--function", "bestuurder VNG", "--since", "2023-09-01", "--office-holder"))
    c.memberships["de-reus"] = int(cli.new(
        "member", "add", "LRT", "de-reus", "--organisation", "IPO",
        "--function", "bestuurlijk vertegenwoordiger IPO", "--since", "2023-09-01",
        "--office-holder"))
    c.memberships["de-jonge"] = int(cli.new(
        "member", "add", "LRT", "de-jonge", "--organisation", "BZK",
        "--function", "Minister voor VRO", "--since", "2022-01-10", "--until", "2023-10-31",
        "--office-holder"))
    c.memberships["adviseur-vng"] = int(cli.new(
        "member", "add", "LRT", "adviseur-vng", "--organisation", "VNG",
        "--function", "adviseur VNG", "--since", "2023-09-01", "--civil-servant"))
    assert list(c.memberships.values()) == [1, 2, 3, 4]
    peek()

    cli.at("2023-11-03 16:00")
    c.meeting = cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                        "--place", "Webex")
    assert c.meeting == "LRT-2023-11-10"
    for n, title in enumerate(["Opening en mededelingen", "Huisvesting statushouders",
                               "WVTTK"], start=1):
        assert cli.new("agenda", "add", c.meeting, title) == str(n)
    peek()

    cli.at("2023-11-09 17:30")
    letter = tmp / "brief.txt"
    letter.write_text("Conceptbrief aan de Tweede Kamer.\n\n(concepttekst)\n", encoding="utf8")
    c.document = cli.new("document", "add", c.meeting, "Conceptbrief Tweede Kamer",
                         "--from", str(letter), "--code", "LRT 10/11 B 0.1")
    assert c.document == f"{c.meeting}/D1"
    cli.ok("document", "send", c.document)
    cli.ok("document", "round", c.document, "--deadline", "2023-11-10 12:00")
    peek()

    cli.at("2023-11-10 09:15")
    cli.ok("meeting", "hold", c.meeting)
    cli.ok("attendance", "record", c.meeting, "liesbeth-spies", "remote")
    cli.ok("attendance", "record", c.meeting, "de-reus", "present")
    cli.ok("attendance", "record", c.meeting, "adviseur-vng", "absent")
    cli.at("2023-11-10 11:05")
    assert cli.new("comment", "add", c.document, "--text", "De toon is te zendend.",
                   user="spies") == "1"
    # The secretariat records, after the deadline, a comment e-mailed before it.
    cli.at("2023-11-10 12:20")
    assert cli.new("comment", "add", c.document, "--text", "IPO vraagt een bijlage.",
                   "--for", "de-reus", "--received-at", "2023-11-10 11:40") == "2"
    peek()

    cli.at("2023-11-13 10:00")
    c.actions.append(cli.new("action", "add", c.meeting, "--item", "2", "--owner", "VNG",
                             "--text", "VNG levert een notitie aan.", "--due", "2023-11-20"))
    c.actions.append(cli.new("action", "add", c.meeting, "--item", "2", "--owner", "IPO",
                             "--owner", "BZK", "--text", "IPO en BZK verkennen de verdeling.",
                             "--due", "2023-12-15"))
    c.actions.append(cli.new("action", "add", c.meeting, "--item", "3", "--owner", "JenV",
                             "--text", "JenV agendeert de Tijdelijke wet Oekraïne."))
    c.actions.append(cli.new("action", "add", c.meeting, "--item", "1", "--owner", "JenV",
                             "--text", "JenV past de brieven aan.", "--due", "2023-11-17"))
    c.actions.append(cli.new("action", "add", c.meeting, "--item", "1", "--owner", "VNG",
                             "--text", "VNG stuurt een reactie.", "--due", "2023-11-24"))
    assert c.actions == [f"{c.meeting}/A{n}" for n in range(1, 6)]

    cli.at("2023-11-14 10:00")
    draft = tmp / "verslag.md"
    draft.write_text(MINUTES_MD, encoding="utf8")
    assert cli.new("minutes", "draft", c.meeting, "--from", str(draft)) == c.meeting
    cli.ok("minutes", "circulate", c.meeting, "--deadline", "2023-11-21 12:00")
    look("circulated", "minutes", "show", c.meeting, user="spies")
    look("members 2023-11-14", "member", "list", "LRT")
    look("calendar 2023-11-14", "meeting", "list")
    look("history 2023-11-14", "history", c.meeting, user="woo")
    peek()

    cli.at("2023-11-20 15:00")
    assert cli.new("comment", "add", c.meeting, "--text", "Geen opmerkingen namens IPO.",
                   user="de-reus") == "1"
    assert cli.new("amendment", "propose", c.meeting, "--item", "2", "--point", "1",
                   "--text", "VNG steunt de richting op hoofdlijnen, met voorbehoud.",
                   user="spies") == "1"
    assert cli.new("amendment", "propose", c.meeting, "--item", "3",
                   "--text", "IPO vraagt aandacht voor de provincies.",
                   user="de-reus") == "2"
    cli.ok("action", "progress", c.actions[1], "--note", "Eerste verkenning gedaan.",
           user="de-reus")
    cli.ok("action", "done", c.actions[0], "--note", "Notitie aangeleverd.")
    look("deadlines open", "deadlines")
    look("actions 2023-11-20", "action", "list")
    peek()

    cli.at("2023-11-22 09:00")
    cli.ok("amendment", "accept", c.meeting, "1")
    cli.ok("amendment", "reject", c.meeting, "2", "--reason", "Valt buiten dit verslag.")
    cli.ok("action", "cancel", c.actions[3], "--reason", "Vervallen: de brieven zijn al uit.")
    look("revised", "minutes", "show", c.meeting, user="woo")
    look("documents 2023-11-22", "document", "show", c.document)
    look("deadlines 2023-11-22", "deadlines", "--all")

    cli.at("2023-11-27 10:00")
    c.following = cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00",
                          "--place", "Johan de Witthuis")
    assert c.following == "LRT-2023-12-01"
    cli.new("agenda", "add", c.following, "Vaststelling verslag LRT 10 november")
    c.third = cli.new("meeting", "schedule", "LRT", "--at", "2024-01-19 10:00",
                      "--place", "Webex")
    assert c.third == "LRT-2024-01-19"
    peek()

    cli.at("2023-12-01 10:00")
    cli.ok("meeting", "hold", c.following)
    cli.ok("minutes", "approve", c.meeting, "--at-meeting", c.following)
    cli.ok("action", "carry", c.actions[2], "--to", c.following)
    cli.ok("meeting", "close", c.following)

    cli.at("2023-12-05 14:00")
    assert cli.new("minutes", "correct", c.meeting, "--item", "3", "--point", "1",
                   "--text", "Er zijn geen punten ingebracht.",
                   "--reason", "Verschrijving") == "1"
    peek()

    cli.at("2023-12-20 09:00")
    return c


def view_commands(c: Cycle) -> list[tuple[str, ...]]:
    """Every view of the store, as `--json` commands (without the flag)."""
    views: list[tuple[str, ...]] = [
        ("org", "list"), ("person", "list"), ("user", "list"), ("table", "list"),
        ("table", "show", "LRT"), ("member", "list", "LRT", "--on", "2023-11-10"),
        ("member", "list", "LRT", "--on", "2022-06-01"), ("meeting", "list"),
        ("meeting", "list", "--table", "LRT", "--since", "2023-12-01"),
        ("minutes", "list"), ("deadlines", "--all"), ("deadlines",),
        ("action", "list"), ("action", "list", "--all"), ("action", "list", "--owner", "VNG"),
        ("minutes", "show", c.meeting), ("amendment", "list", c.meeting),
        ("comment", "list", c.meeting), ("comment", "list", c.document),
        ("document", "show", c.document),
        ("history", c.meeting),
    ]
    for key in (c.meeting, c.following, c.third):
        views += [("meeting", "show", key), ("agenda", "list", key),
                  ("attendance", "list", key)]
    views += [("action", "show", key) for key in c.actions]
    return views


@pytest.fixture(scope="module")
def cycle(module_store: TestStore, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Cycle]:
    """One full cycle per test module and store; the tests that use it only read."""
    tmp = tmp_path_factory.mktemp("cycle")
    yield run_cycle(Cli(db=module_store), tmp)
