"""Where trust ends on PostgreSQL: the database stamps who inserted each event and when, and
chains it itself; an event whose actor is not its inserting login is refused when read and
reported by `audit verify`; writer logins cannot write the read model, the tracking table or
the chain (issue 11, points 1 and 3). PostgreSQL only, on the private server of the session.

The insider of the issue's probe holds a login `IN ROLE lrt_writer` and types SQL."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from stores import StoreFactory
from stores import TestStore as Store  # (not a test class)
from postgres.test_postgres_store import (
    ADMIN,
    at,
    connect,
    executable_env,
    init,
    login,
    lrt_executable,
    ok,
    refused,
    run,
)

from lrt_app.application import Lrt
from lrt_app.chain import GENESIS, raw_link_digest
from lrt_app.chain_postgres import TOLERANCE, stamp_problem
from lrt_app.clock import DatabaseClock, SettableClock
from lrt_domain.base import Actor, Context, Role
from lrt_domain.directory import User

INSIDER = "mallory"


@pytest.fixture(autouse=True)
def _no_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LRT_DB", "LRT_USER", "PGPASSWORD", "PGOPTIONS", "PGUSER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pg(postgres_server, tmp_path_factory) -> Iterator[Store]:
    factory = StoreFactory("postgres", tmp_path_factory, postgres_server)
    yield factory()
    factory.drop()


def stamps(store: Store) -> list[tuple[int, str, datetime, bool]]:
    """(notification id, inserted_by, inserted_at, inserted_delegate) of every row."""
    return store.execute("SELECT notification_id, inserted_by, inserted_at, "
                         "inserted_delegate FROM lrt_events ORDER BY notification_id")


def open_app(store: Store) -> Lrt:
    return Lrt(env=store.env(create_tables=False))


def recomputed(store: Store) -> list[tuple[int, bool]]:
    """Each link's position, and whether its digest is `raw_link_digest` of the stored row
    and the previous link: the database's chain, recomputed in Python."""
    app = open_app(store)
    try:
        raws = app.recorder.raw_events(0, 10_000)
        links = app.recorder.links(0, 10_000)
    finally:
        app.close()
    assert [(r.originator_id, r.originator_version) for r in raws] == \
        [(k.originator_id, k.originator_version) for k in links]
    previous, result = GENESIS, []
    for raw, link in zip(raws, links, strict=True):
        digest = raw_link_digest(previous, raw)
        result.append((link.position, digest.hex() == link.digest))
        previous = bytes.fromhex(link.digest)
    return result


def verify(db: str) -> dict:
    result = run(db, "audit", "verify", "--json", user=ADMIN)
    assert result.exit_code in (0, 1), (result.stderr, result.exception)
    return json.loads(result.stdout)


def with_insider(store: Store) -> str:
    """A store with the secretariat user, and the insider registered as a member of VNG,
    holding a writer login (as the README said to set members up). Returns its --db URL."""
    init(store)
    clock = SettableClock(at("2026-01-02 09:00"))
    for args in (("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten"),
                 ("person", "add", "Mallory Insider"),
                 ("user", "add", INSIDER, "--role", "member", "--organisation", "VNG",
                  "--person", "mallory-insider")):
        ok(store.url, *args, user=ADMIN, clock=clock)
    return login(store, INSIDER, "lrt_writer")


# --- the database stamps and chains --------------------------------------------------------

def test_every_row_is_stamped_by_the_database_and_chained_with_its_stamps(pg):
    writer_url = with_insider(pg)
    jansen = login(pg, ADMIN, "lrt_writer")
    ok(jansen, "org", "add", "IPO", "Interprovinciaal Overleg")
    rows = stamps(pg)
    # `lrt init` and the setup ran as the superuser (a delegate); the last row as jansen
    assert [(by, delegate) for _, by, _, delegate in rows] == \
        [("postgres", True)] * 6 + [(ADMIN, False)]
    times = [t for _, _, t, _ in rows]
    assert times == sorted(times)  # the server's clock, taken under the table lock
    # the database's links equal raw_link_digest, which covers the stamps
    assert recomputed(pg) == [(p, True) for p in range(1, 8)]
    assert verify(writer_url)["ok"] is True


def test_stamps_a_client_sends_are_overwritten(pg):
    with_insider(pg)
    with connect(pg, INSIDER) as c, c.transaction(force_rollback=True):
        row = c.execute(
            "INSERT INTO lrt_events (originator_id, originator_version, topic, state, "
            "inserted_by, inserted_at, inserted_delegate) VALUES (gen_random_uuid(), 1, "
            "'lrt.Organisation.Registered', '\\x7b7d', 'jansen', '2026-01-05 10:00+01', "
            "true) RETURNING inserted_by, inserted_at, inserted_delegate, "
            "now() AS began").fetchone()
    assert row is not None
    by, inserted_at, delegate, began = row
    assert (by, delegate) == (INSIDER, False)
    assert inserted_at >= began  # the server's time in that transaction, not 2026-01-05
    assert len(stamps(pg)) == 6  # rolled back


def test_the_stamps_are_chained(pg):
    """Editing a stamp, as the superuser past the triggers, breaks the chain."""
    with_insider(pg)
    jansen = login(pg, ADMIN, "lrt_writer")
    ok(jansen, "org", "add", "IPO", "Interprovinciaal Overleg")
    assert verify(jansen)["ok"] is True
    assert pg.server is not None
    with psycopg.connect(host="127.0.0.1", port=pg.server.port, user=pg.server.user,
                         dbname=pg.dbname, autocommit=True) as c:
        c.execute("SET session_replication_role = replica")  # user triggers off
        c.execute("UPDATE lrt_events SET inserted_at = inserted_at - interval '1 day' "
                  "WHERE notification_id = (SELECT max(notification_id) FROM lrt_events)")
    assert recomputed(pg)[-1] == (7, False)
    report = verify(pg.url)
    assert report["ok"] is False
    assert (report["break"]["position"], report["break"]["problem"]) == (7, "edited")


# --- the insider's forgery (the "Why" point 1) ---------------------------------------

def test_a_writer_logins_forgery_is_stamped_refused_when_read_and_reported(pg):
    insider = with_insider(pg)
    app = open_app(pg)
    try:
        version = app.get(User, INSIDER).version
        # what the probe inserted: itself made secretariat, by `jansen`, on 2026-01-05
        forged = User.register(Context(actor=Actor(user=ADMIN, role=Role.SECRETARIAT,
                                                   organisation="JenV"),
                                       now=at("2026-01-05 10:00")),
                               INSIDER, Role.SECRETARIAT, organisation="JenV", person=None)
        forged = forged.model_copy(update={"originator_version": version + 1})
        stored = app.mapper.to_stored_event(forged)
    finally:
        app.close()

    with connect(pg, INSIDER) as c:
        with c.transaction():
            c.execute("LOCK TABLE lrt_events IN EXCLUSIVE MODE")  # the library's lock
            [position] = c.execute(
                "INSERT INTO lrt_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s) RETURNING notification_id",
                (stored.originator_id, stored.originator_version, stored.topic,
                 stored.state)).fetchone()
        # the matching link, appended by hand: refused (the database made the real one)
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match="permission denied for table lrt_chain"):
            c.execute("INSERT INTO lrt_chain VALUES (99, %s, 'x', 1, 'x')", (position,))

    [(by, inserted_at, delegate)] = pg.execute(
        "SELECT inserted_by, inserted_at, inserted_delegate FROM lrt_events "
        "WHERE notification_id = ?", (position,))
    assert (by, delegate) == (INSIDER, False)
    assert inserted_at - at("2026-01-05 10:00") > TOLERANCE  # its claimed time is not its own
    assert recomputed(pg)[-1] == (7, True)  # correctly chained, by the database itself

    # Reading it is refused: the insider acts as nobody, the views do not take it in.
    claim = (f"claims actor '{ADMIN}' but was inserted by the login '{INSIDER}'; refused")
    for args in (("user", "list"), ("minutes", "list"),
                 ("user", "add", "evil2", "--role", "secretariat", "--organisation", "JenV")):
        refused(run(insider, *args), claim)
    refused(run(pg.url, "user", "list", user=ADMIN), claim, "at notification 7")
    refused(run(pg.url, "history", INSIDER, user=ADMIN), claim)
    assert len(stamps(pg)) == 7  # nothing recorded by the refused `user add`

    # `audit verify` names the position and why
    report = verify(pg.url)
    assert report["ok"] is False
    assert report["break"]["position"] == 7
    assert report["break"]["problem"] == "login"
    assert f"recorded as done by '{ADMIN}', but inserted by the login '{INSIDER}'" in \
        report["break"]["detail"]


def test_a_delegate_may_insert_for_others(pg):
    """The member portal's service login (lrt_delegate) acts for its users: not refused."""
    with_insider(pg)
    portal = login(pg, "portaal", "lrt_writer", "lrt_delegate")
    ok(portal, "person", "add", "Via Portaal", user=ADMIN)
    by, _, delegate = pg.execute("SELECT inserted_by, inserted_at, inserted_delegate "
                                 "FROM lrt_events ORDER BY notification_id DESC LIMIT 1")[0]
    assert (by, delegate) == ("portaal", True)
    [registered] = json.loads(ok(portal, "history", "via-portaal", "--json", user=ADMIN))
    assert registered["user"] == ADMIN  # read through the mapper's check: not refused
    assert verify(portal)["ok"] is True


# --- record time from the server ------------------------------------------------------------

def test_the_production_clock_on_postgres_is_the_servers(pg):
    init(pg)
    jansen = login(pg, ADMIN, "lrt_writer")
    app = open_app(pg)
    try:
        assert isinstance(app.clock, DatabaseClock)
    finally:
        app.close()
    ok(jansen, "org", "add", "IPO", "Interprovinciaal Overleg")  # no clock injected
    app = open_app(pg)
    try:
        raw = app.recorder.raw_events(0, 100)[-1]
        event = app.mapper.to_domain_event(app.recorder.select_notifications(
            start=raw.notification_id, limit=1)[0])
    finally:
        app.close()
    assert raw.inserted_by == ADMIN and raw.inserted_at is not None
    # read from the same clock before the insert: never after its stamp, and within bounds
    assert event.timestamp <= raw.inserted_at
    assert stamp_problem(raw, event.actor, event.timestamp) is None
    assert verify(jansen)["ok"] is True


def test_a_back_dated_event_of_a_writer_login_is_reported_by_verify(pg):
    init(pg)
    jansen = login(pg, ADMIN, "lrt_writer")
    back = SettableClock(at("2026-01-05 10:00"))  # a client bringing its own clock
    # the owner (a delegate: `lrt init`, imports) may set the time: not reported
    ok(pg.url, "org", "add", "VNG", "Vereniging", user=ADMIN, clock=back)
    assert verify(pg.url)["ok"] is True
    ok(jansen, "org", "add", "IPO", "Interprovinciaal Overleg", clock=back)
    report = verify(pg.url)
    assert report["ok"] is False
    assert (report["break"]["position"], report["break"]["problem"]) == (5, "login")
    assert "back-dated by more than 60 s" in report["break"]["detail"]


def test_stamp_problem_bounds():
    from lrt_app.chain import RawEvent

    stamp = datetime(2026, 12, 2, 13, 0, tzinfo=timezone.utc)
    raw = RawEvent(1, "0" * 32, 1, "t", b"{}", "jansen", stamp, False)
    assert stamp_problem(raw, "jansen", stamp - TOLERANCE) is None
    assert stamp_problem(raw, "jansen", stamp + TOLERANCE) is None
    assert "back-dated" in stamp_problem(raw, "jansen", stamp - TOLERANCE
                                         - timedelta(microseconds=1))
    assert "dated ahead" in stamp_problem(raw, "jansen", stamp + timedelta(minutes=2))
    assert "inserted by the login 'jansen'" in stamp_problem(raw, "spies", stamp)
    delegate = RawEvent(1, "0" * 32, 1, "t", b"{}", "portaal", stamp, True)
    assert stamp_problem(delegate, "spies", stamp - timedelta(days=300)) is None
    unstamped = RawEvent(1, "0" * 32, 1, "t", b"{}")  # SQLite, and rows from before
    assert stamp_problem(unstamped, "spies", stamp) is None


# --- least privilege: only the projector writes the read model ---------------------------------

def test_a_writer_login_cannot_write_the_read_model_the_tracking_or_the_chain(pg):
    """The issue's "Why" point 2, on PostgreSQL: the lie is refused by the database."""
    init(pg)
    jansen = login(pg, ADMIN, "lrt_writer")
    ok(jansen, "org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    before = pg.execute("SELECT * FROM view_state ORDER BY id")
    with connect(pg, ADMIN) as c:
        for sql in ("UPDATE view_state SET state = replace(state, 'Justitie', 'Onrecht')",
                    "DELETE FROM view_state",
                    "INSERT INTO view_meta VALUES ('x', 'y')",
                    "UPDATE lrt_tracking SET notification_id = notification_id + 2",
                    "DELETE FROM lrt_tracking",
                    "UPDATE lrt_chain SET digest = 'x'",
                    "INSERT INTO lrt_chain VALUES (99, 99, 'x', 1, 'x')",
                    "TRUNCATE view_state"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
    assert pg.execute("SELECT * FROM view_state ORDER BY id") == before
    refused(run(jansen, "projections", "catch-up"),
            "may read the views but not bring them up to date")
    refused(run(jansen, "projections", "rebuild"),
            "may read the views but not bring them up to date")
    refused(run(jansen, "projections", "follow", "--interval", "0.2"),
            "may read the views but not bring them up to date")

    # the projector's login may (it has no lrt user: it never acts)
    projector = login(pg, "volger", "lrt_projector")
    assert ok(projector, "projections", "catch-up") == "1 events applied\n"
    with connect(pg, "volger") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # but records nothing
            c.execute("INSERT INTO lrt_events (originator_id, originator_version, topic, "
                      "state) VALUES (gen_random_uuid(), 1, 't', '\\x7b7d')")
    grants = {r[0]: r[1] for r in pg.execute(
        "SELECT grantee, string_agg(privilege_type, ',' ORDER BY privilege_type) "
        "FROM information_schema.role_table_grants WHERE table_name = ? "
        "AND grantee IN ('lrt_writer', 'lrt_reader', 'lrt_projector', 'lrt_delegate') "
        "GROUP BY grantee", ("view_state",))}
    assert grants == {"lrt_writer": "SELECT", "lrt_reader": "SELECT",
                      "lrt_projector": "DELETE,INSERT,SELECT,UPDATE"}


def test_a_writers_query_waits_for_the_follower_or_says_how_far_behind(pg):
    init(pg)
    jansen = login(pg, ADMIN, "lrt_writer")
    ok(jansen, "org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    result = run(jansen, "org", "list")  # no follower: waits briefly, then reads and says
    assert result.exit_code == 0 and "VNG" not in result.stdout
    assert result.stderr == ("note: the views are 1 event(s) behind the log; is "
                             "'lrt projections follow' running?\n")

    # with the follower running as the projector's login, the writer reads its own write
    projector = login(pg, "volger", "lrt_projector")
    follower = subprocess.Popen([str(lrt_executable()), "--db", projector, "projections",
                                 "follow", "--interval", "0.2"], env=executable_env(),
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert follower.stderr is not None
        assert follower.stderr.readline().startswith("following ")
        ok(jansen, "org", "add", "IPO", "Interprovinciaal Overleg")
        result = run(jansen, "org", "list")
        assert result.exit_code == 0, result.stderr
        assert "IPO" in result.stdout and "VNG" in result.stdout
        assert result.stderr == ""
    finally:
        follower.terminate()
        try:
            follower.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            follower.kill()
            raise


# --- a store made by an earlier lrt ----------------------------------------------------------

def test_a_store_from_before_the_stamps_is_refused_until_init_upgrades_it(pg):
    init(pg)
    jansen = login(pg, ADMIN, "lrt_writer")
    # as an earlier lrt left it: no stamps, no database chain, the writer granted the chain
    # and the views (its links, made without stamps, are made again by `init` below)
    assert pg.server is not None
    with psycopg.connect(host="127.0.0.1", port=pg.server.port, user=pg.server.user,
                         dbname=pg.dbname, autocommit=True) as c:
        for name in ("stamp", "link", "lock"):
            c.execute(f"DROP TRIGGER lrt_events_{name} ON lrt_events")
        c.execute("ALTER TABLE lrt_events DROP COLUMN inserted_by, DROP COLUMN inserted_at, "
                  "DROP COLUMN inserted_delegate")
        c.execute("SET session_replication_role = replica")  # past the append-only guard
        c.execute("DELETE FROM lrt_chain")
        c.execute("GRANT INSERT ON lrt_chain, view_state, lrt_tracking TO lrt_writer")
    stored = pg.stored_events()
    refused(run(jansen, "org", "add", "VNG", "Vereniging"),
            "was set up by an earlier lrt", "'lrt init'")
    assert pg.stored_events() == stored

    out = ok(pg.url, "init", "--admin", ADMIN, "--organisation", "JenV",
             "--organisation-name", "Ministerie van Justitie en Veiligheid")
    assert "upgraded" in out
    assert pg.stored_events() == stored
    ok(jansen, "org", "add", "VNG", "Vereniging")
    assert [(by, d) for _, by, _, d in stamps(pg)] == [(None, None)] * 3 + [(ADMIN, False)]
    assert recomputed(pg) == [(p, True) for p in range(1, 5)]
    assert verify(jansen)["ok"] is True
    with connect(pg, ADMIN) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute("INSERT INTO lrt_chain VALUES (99, 99, 'x', 1, 'x')")
