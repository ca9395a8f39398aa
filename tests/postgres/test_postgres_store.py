"""The shared PostgreSQL store: what `lrt init` sets up there, who may write, who acts, and
what lrt refuses to start on. PostgreSQL only, on the private server of the test session.

Logins are cluster-wide: each test creates the ones it needs (if not there yet), in the
roles `lrt init` creates (lrt_writer, lrt_reader, lrt_delegate)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from click.testing import CliRunner, Result
from pg_server import free_port
from stores import StoreFactory
from stores import TestStore as Store  # (not a test class)

from cli.main import lrt
from cli.session import Session
from lrt_app.clock import SettableClock
from lrt_domain.dutch_time import AMSTERDAM

ADMIN = "jansen"  # the first secretariat user, and the login of that person


@pytest.fixture(autouse=True)
def _no_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LRT_DB", "LRT_USER", "PGPASSWORD", "PGOPTIONS", "PGUSER",
                 "POSTGRES_ENABLE_DB_FUNCTIONS", "LRT_POSTGRES_ENABLE_DB_FUNCTIONS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pg_factory(postgres_server, tmp_path_factory) -> Iterator[StoreFactory]:
    factory = StoreFactory("postgres", tmp_path_factory, postgres_server)
    yield factory
    factory.drop()


@pytest.fixture
def pg(pg_factory: StoreFactory) -> Store:
    """A fresh, empty database (no lrt store in it yet)."""
    return pg_factory()


# --- helpers ----------------------------------------------------------------------------

def login(store: Store, name: str, *roles: str) -> str:
    """A database login in the given group roles; returns the --db URL that logs in as it."""
    assert store.server is not None
    store.server.execute(
        f'DO $$ BEGIN CREATE ROLE "{name}" LOGIN; '
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        *(f'GRANT {role} TO "{name}"' for role in roles))
    return store.server.url(store.dbname, user=name)


def connect(store: Store, user: str) -> psycopg.Connection:
    assert store.server is not None
    return psycopg.connect(host="127.0.0.1", port=store.server.port, user=user,
                           dbname=store.dbname, autocommit=True)


def run(db: str, *args: str, user: str | None = None, env: dict[str, str] | None = None,
        clock: SettableClock | None = None) -> Result:
    """`lrt --db DB [--as USER] ARGS`, in-process."""
    return CliRunner().invoke(lrt, list(args), obj=Session(db=db, user=user, clock=clock),
                              env=env)


def ok(db: str, *args: str, **kwargs) -> str:
    result = run(db, *args, **kwargs)
    assert result.exit_code == 0, (args, result.stderr, result.exception)
    return result.stdout


def refused(result: Result, *fragments: str) -> str:
    """One line on stderr, exit 1, nothing on stdout."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr,
                                   result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def init(store: Store, db: str | None = None) -> None:
    """`lrt init` as the owner (the superuser of the test server)."""
    out = ok(db or store.url, "init", "--admin", ADMIN, "--organisation", "JenV",
             "--organisation-name", "Ministerie van Justitie en Veiligheid")
    assert "initialised" in out


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def has_function(store: Store, name: str) -> bool:
    return bool(store.execute("SELECT 1 FROM pg_proc WHERE proname = ?", (name,)))


def lrt_executable() -> Path:
    path = Path(sys.executable).parent / ("lrt.exe" if os.name == "nt" else "lrt")
    if not path.exists():
        pytest.skip(f"the lrt script is not installed next to {sys.executable}")
    return path


def executable_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LRT_DB", "LRT_USER")}
    env.update(extra)
    return env


# --- append-only, and who may write -------------------------------------------------------

def test_the_writer_login_records_events_through_lrt_but_cannot_change_them(pg):
    init(pg)
    writer = login(pg, ADMIN, "lrt_writer")
    assert ok(writer, "org", "add", "VNG", "Vereniging van Nederlandse Gemeenten") == "VNG\n"
    [registered] = json.loads(ok(writer, "history", "VNG", "--json"))
    assert (registered["event"], registered["user"]) == ("Organisation.Registered", ADMIN)
    stored = pg.stored_events()
    assert len(stored) == 4  # the store, JenV, the admin user; VNG

    with connect(pg, ADMIN) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match="stored events are append-only; UPDATE refused"):
            c.execute("UPDATE lrt_events SET topic = 'lrt.Organisation.Forged'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DELETE FROM lrt_events")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("TRUNCATE lrt_events")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DROP TABLE lrt_events")
    assert pg.stored_events() == stored


def test_the_guard_is_a_trigger_that_holds_even_for_the_owner(pg):
    """Not a grant alone: the owner (here a superuser) is refused as well."""
    init(pg)
    stored = pg.stored_events()
    for statement, operation in [("UPDATE lrt_events SET topic = 'x'", "UPDATE"),
                                 ("DELETE FROM lrt_events", "DELETE"),
                                 ("TRUNCATE lrt_events", "TRUNCATE")]:
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match=f"stored events are append-only; {operation} refused"):
            pg.execute(statement)
    assert pg.stored_events() == stored


def test_an_auditor_login_reads_but_cannot_write(pg):
    init(pg)
    writer = login(pg, ADMIN, "lrt_writer")
    auditor = login(pg, "woo", "lrt_reader")
    # a reader login registered as a secretariat user: the database still refuses
    misfiled = login(pg, "kluis", "lrt_reader")
    projector = login(pg, "volger", "lrt_projector")  # the service that writes the views
    ok(writer, "user", "add", "woo", "--role", "auditor")
    ok(writer, "user", "add", "kluis", "--role", "secretariat", "--organisation", "JenV")
    ok(writer, "org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    ok(projector, "projections", "catch-up")
    assert "VNG" in ok(writer, "org", "list")
    stored = pg.stored_events()

    with connect(pg, "woo") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match="permission denied for table lrt_events"):
            c.execute("INSERT INTO lrt_events (originator_id, originator_version, topic, "
                      "state) VALUES (gen_random_uuid(), 1, 'lrt.Store.Initialised', "
                      "'\\x7b7d')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("UPDATE lrt_events SET topic = topic")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DELETE FROM view_state")
    refused(run(auditor, "org", "add", "IPO", "Interprovinciaal Overleg"),
            "user woo (auditor) may not register organisations")
    refused(run(misfiled, "org", "add", "IPO", "Interprovinciaal Overleg"),
            "permission denied for table lrt_events")
    assert pg.stored_events() == stored

    # Reads work, on the views as the writers left them.
    assert [o["code"] for o in json.loads(ok(auditor, "org", "list", "--json"))] == \
        ["JenV", "VNG"]
    ok(writer, "org", "add", "IPO", "Interprovinciaal Overleg")  # not applied yet
    assert json.loads(ok(auditor, "projections", "status", "--json"))["behind"] == 1
    assert [o["code"] for o in json.loads(ok(auditor, "org", "list", "--json"))] == \
        ["JenV", "VNG"]
    catching_up = run(auditor, "projections", "catch-up")  # would write the views
    assert catching_up.exit_code == 1
    assert catching_up.stderr.splitlines() == [
        "Error: this database login may read the views but not bring them up to date; "
        "a login in lrt_projector ('lrt projections follow') does that"]
    assert json.loads(ok(auditor, "projections", "status", "--json"))["behind"] == 1
    ok(projector, "projections", "catch-up")
    assert [o["code"] for o in json.loads(ok(auditor, "org", "list", "--json"))] == \
        ["IPO", "JenV", "VNG"]
    assert json.loads(ok(auditor, "minutes", "list", "--json")) == []
    # as of a record time: temporary views in a transaction that is rolled back, which a
    # reader login may do; the versions come from the tables `lrt init` granted
    assert json.loads(ok(auditor, "org", "list", "--json", "--as-of", "2000-01-01")) == []
    assert [o["code"] for o in json.loads(ok(auditor, "org", "list", "--json",
                                             "--as-of", "2999-12-31"))] == ["IPO", "JenV", "VNG"]


# --- the acting user is the login ----------------------------------------------------------

def test_the_acting_user_is_the_database_login(pg):
    init(pg)
    clock = SettableClock(at("2023-11-09 09:00"))
    owner = pg.url  # a superuser: may act as anyone registered

    def as_admin(*args: str) -> str:
        return ok(owner, *args, user=ADMIN, clock=clock)

    as_admin("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    as_admin("person", "add", "Liesbeth Spies", "--title", "Mevr.")
    as_admin("user", "add", "spies", "--role", "member", "--organisation", "VNG",
             "--person", "liesbeth-spies")
    as_admin("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    as_admin("member", "add", "LRT", "liesbeth-spies", "--organisation", "VNG",
             "--function", "bestuurder VNG", "--since", "2023-09-01")
    meeting = as_admin("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                       "--place", "Webex").strip()
    document = as_admin("document", "add", meeting, "Conceptbrief", "--text", "Tekst.").strip()
    as_admin("document", "send", document)
    as_admin("document", "round", document, "--deadline", "2023-11-10 12:00")
    assert {e["user"] for e in json.loads(as_admin("history", document, "--json"))} == {ADMIN}

    spies = login(pg, "spies", "lrt_writer")
    clock.set(at("2023-11-10 11:00"))
    assert ok(spies, "comment", "add", document, "--text", "Te zendend.", clock=clock) == "1\n"
    assert ok(spies, "comment", "add", document, "--text", "Nog iets.", user="spies",
              clock=clock) == "2\n"
    comments = json.loads(ok(spies, "history", document, "--json"))[-2:]
    assert [(e["user"], e["role"]) for e in comments] == [("spies", "member")] * 2
    refused(run(spies, "org", "add", "IPO", "Interprovinciaal Overleg"),
            "user spies (member) may not register organisations")

    stored = pg.stored_events()
    line = refused(run(spies, "org", "add", "IPO", "Interprovinciaal Overleg", user=ADMIN))
    assert line == ("Error: --as jansen: on PostgreSQL you act as your database login "
                    "spies")
    refused(run(spies, "org", "list", env={"LRT_USER": ADMIN}),  # LRT_USER is --as too
            "--as jansen: on PostgreSQL you act as your database login spies")
    assert pg.stored_events() == stored

    # A trusted front-end (lrt_delegate) may act for a registered user.
    front = login(pg, "voorkant", "lrt_writer", "lrt_delegate")
    assert ok(front, "comment", "add", document, "--text", "Via het portaal.", user="spies",
              clock=clock) == "3\n"
    assert json.loads(ok(front, "history", document, "--json", user="spies"))[-1]["user"] \
        == "spies"
    # A login without an lrt user of its name acts as nobody.
    refused(run(login(pg, "onbekend", "lrt_writer"), "org", "list"), "no user 'onbekend'")


# --- refusing to start on an unsafe store ----------------------------------------------------

def test_start_up_refuses_synchronous_commit_off(pg):
    init(pg)
    writer = login(pg, ADMIN, "lrt_writer")
    stored = pg.stored_events()
    assert pg.server is not None
    pg.server.execute(f'ALTER DATABASE "{pg.dbname}" SET synchronous_commit = off')
    for args in (("org", "add", "VNG", "Vereniging"), ("org", "list"),
                 ("projections", "catch-up")):
        refused(run(writer, *args), "store: synchronous_commit is 'off' on "
                                    f"postgresql://jansen@127.0.0.1:{pg.server.port}/"
                                    f"{pg.dbname}; confirmed writes could be lost")
    pg.server.execute(f'ALTER DATABASE "{pg.dbname}" RESET synchronous_commit')
    # a login's own session setting (libpq's PGOPTIONS) is checked as well
    refused(run(writer, "org", "add", "VNG", "Vereniging",
                env={"PGOPTIONS": "-c synchronous_commit=off"}), "synchronous_commit is 'off'")
    assert pg.stored_events() == stored
    assert ok(writer, "org", "add", "VNG", "Vereniging") == "VNG\n"


def test_start_up_refuses_db_functions(pg):
    init(pg)
    writer = login(pg, ADMIN, "lrt_writer")
    stored = pg.stored_events()
    for name in ("POSTGRES_ENABLE_DB_FUNCTIONS", "LRT_POSTGRES_ENABLE_DB_FUNCTIONS"):
        for args in (("org", "add", "VNG", "Vereniging"), ("org", "list")):
            refused(run(writer, *args, env={name: "y"}),
                    "store: POSTGRES_ENABLE_DB_FUNCTIONS is on; it skips the table lock")
    # the executable, with the setting in its real environment
    done = subprocess.run([str(lrt_executable()), "--db", writer, "org", "add", "VNG", "V"],
                          env=executable_env(POSTGRES_ENABLE_DB_FUNCTIONS="yes"),
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        ("Error: store: POSTGRES_ENABLE_DB_FUNCTIONS is on; it skips the table lock that "
         "keeps readers from missing events. Unset it.")]
    assert pg.stored_events() == stored


def test_init_refuses_an_unsafe_store_and_creates_nothing(pg_factory):
    sync_off, functions_on = pg_factory(), pg_factory()
    assert sync_off.server is not None
    sync_off.server.execute(f'ALTER DATABASE "{sync_off.dbname}" SET synchronous_commit = off')
    args = ("init", "--admin", ADMIN, "--organisation", "JenV", "--organisation-name", "JenV")
    refused(run(sync_off.url, *args), "synchronous_commit is 'off'")
    refused(run(functions_on.url, *args, env={"POSTGRES_ENABLE_DB_FUNCTIONS": "y"}),
            "POSTGRES_ENABLE_DB_FUNCTIONS is on")
    for store in (sync_off, functions_on):
        assert not store.exists()
        assert store.execute("SELECT to_regclass('lrt_tracking')::text") == [(None,)]
        assert not has_function(store, "es_insert_events_uuid")
        assert not has_function(store, "lrt_refuse_change")
    sync_off.server.execute(f'ALTER DATABASE "{sync_off.dbname}" RESET synchronous_commit')
    init(sync_off)
    assert len(sync_off.stored_events()) == 3


# --- the --db URL, and the password ----------------------------------------------------------

@pytest.mark.parametrize("url", ["postgresql://jansen@127.0.0.1:5432",
                                 "postgresql://jansen@127.0.0.1:5432/",
                                 "postgres://jansen:geheim@db.example"])
def test_a_url_without_a_database_name_is_a_clear_error(url):
    scheme = url.split(":")[0]
    expected = (f"Error: db: {scheme}://... needs a database name, as in "
                "postgresql://user@host:5432/lrt")
    assert refused(run(url, "org", "list")) == expected
    assert refused(run(url, "init", "--admin", ADMIN, "--organisation", "JenV",
                       "--organisation-name", "JenV")) == expected


def test_a_store_that_cannot_be_reached_says_why_at_once(pg):
    assert pg.server is not None
    port = pg.server.port
    missing = f"postgresql://postgres@127.0.0.1:{port}/geen_{uuid4().hex[:8]}"
    refused(run(missing, "org", "list"), f"db: cannot connect to {missing}:",
            "does not exist")
    refused(run(f"postgresql://niemand@127.0.0.1:{port}/{pg.dbname}", "org", "list"),
            'role "niemand" does not exist')
    refused(run(pg.url, "org", "list"), f"db: no lrt store in {pg.url}; create one with "
                                        "'lrt init'")


def test_the_password_is_never_printed(pg):
    assert pg.server is not None
    secret = f"Zeer-Geheim-{uuid4().hex[:6]}"
    port = pg.server.port
    shown = pg.url
    with_password = f"postgresql://postgres:{secret}@127.0.0.1:{port}/{pg.dbname}"

    from lrt_app.settings import store

    location = store(with_password)
    assert location.env["POSTGRES_PASSWORD"] == secret  # handed to libpq, and only there
    assert secret not in repr(location) and location.name == shown

    outputs = []

    def seen(result: Result) -> Result:
        outputs.append(result.stdout + result.stderr)
        return result

    assert seen(run(with_password, "init", "--admin", ADMIN, "--organisation", "JenV",
                    "--organisation-name", "JenV")).stdout.startswith(f"store {shown} ")
    assert seen(run(with_password, "org", "list", user=ADMIN)).exit_code == 0
    login(pg, ADMIN, "lrt_writer")
    writer = f"postgresql://{ADMIN}:{secret}@127.0.0.1:{port}/{pg.dbname}"
    refused(seen(run(writer, "org", "list", user="woo")), "--as woo")
    refused(seen(run(f"{writer}_geen", "org", "list")), "does not exist")
    refused(seen(run(f"postgresql://{ADMIN}:{secret}@127.0.0.1:{free_port()}/{pg.dbname}",
                     "org", "list")), "cannot connect")
    refused(seen(run(f"postgresql://{ADMIN}:{secret}@127.0.0.1:poort/{pg.dbname}",
                     "org", "list")), "the port is not a number")
    pg.server.execute(f'ALTER DATABASE "{pg.dbname}" SET synchronous_commit = off')
    refused(seen(run(writer, "org", "list")), "synchronous_commit")
    refused(seen(run(f"postgresql://{ADMIN}@127.0.0.1:{port}/{pg.dbname}", "org", "list",
                     env={"PGPASSWORD": secret})), "synchronous_commit")
    pg.server.execute(f'ALTER DATABASE "{pg.dbname}" RESET synchronous_commit')

    # `projections follow` (the projector's login) names the store it follows; stopped by
    # SIGTERM, it exits cleanly
    login(pg, "volger", "lrt_projector")
    projector = f"postgresql://volger:{secret}@127.0.0.1:{port}/{pg.dbname}"
    follower = subprocess.Popen([str(lrt_executable()), "--db", projector, "projections",
                                 "follow", "--interval", "0.2"], env=executable_env(),
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = follower.stderr.readline()
        assert first.startswith(f"following postgresql://volger@127.0.0.1:{port}/"), first
    finally:
        follower.send_signal(signal.SIGTERM)
        try:
            out, err = follower.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            follower.kill()
            raise
    assert follower.returncode == 0, err
    assert out.startswith("stopped; ")
    outputs += [first, out, err]

    assert len(outputs) == 11 and not [o for o in outputs if secret in o]


# --- the hints a newcomer gets (issue 17) ----------------------------------------------

def test_init_says_how_its_login_acts_and_an_unregistered_login_is_not_told_to_use_as(pg):
    out = ok(pg.url, "init", "--admin", ADMIN, "--organisation", "JenV",
             "--organisation-name", "Ministerie van Justitie en Veiligheid")
    assert f"act as {ADMIN} with --as {ADMIN} (your login" in out  # a superuser: it may
    stranger = login(pg, "nieuweling", "lrt_writer")
    line = refused(run(stranger, "org", "list"), "no user 'nieuweling'",
                   "your database login is not a registered user",
                   "lrt user add nieuweling")
    assert "--as" not in line
