"""What a command costs on PostgreSQL in round trips, counted on the session's real server
from libpq's own trace of every connection (issue 16: 16 writers on one comment round must
reach 80% of 16 on independent aggregates).

Every insert holds the library's table lock until it commits, so what a writer does while it
holds the lock serialises all writers. A comment's guard (its subject still at the version
it was decided on) used to be read under that lock with round trips of its own, and its
number counted after the commit with another; both are now done by the database after the
insert, in the insert's pipeline. Counted, not timed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError
from concurrency.world import DEADLINE, M1, START, build
from psycopg import pq
from stores import StoreFactory
from stores import TestStore as Store  # (not a test class)

from lrt_app.application import Lrt
from lrt_app.clock import DatabaseClock, SettableClock
from lrt_domain.directory import Person
from lrt_domain.minutes import Minutes

MEMBER = "vng-lid"
COMMANDS = 8  # past psycopg's threshold for preparing a statement (5)
REFUSED = 3  # attempts of each comment refused


@pytest.fixture
def pg(postgres_server, tmp_path_factory) -> Iterator[Store]:
    factory = StoreFactory("postgres", tmp_path_factory, postgres_server)
    yield factory()
    factory.drop()


@pytest.fixture
def circulated(pg: Store) -> Store:
    """The concurrency tests' world: the minutes of M1 circulated, their round open."""
    clock = SettableClock(START)
    app = Lrt(env=pg.env(), clock=clock)
    try:
        build(app, clock)
    finally:
        app.close()
    return pg


@dataclass
class Turns:
    """Of one run of commands: how often the client waited for the server (a message sent
    after one received), and how often it did so between the server's completing the
    table lock and its completing the commit (or rollback)."""

    total: int
    under_lock: int


def traced(app: Lrt, tmp: Path, commands: Callable[[], None]) -> Turns:
    """`commands` run with libpq's trace on every connection of the application's pool (a
    file each: libpq buffers its trace per connection)."""
    pool = app.recorder.datastore.pool  # type: ignore[attr-defined]
    connections = list(pool._pool)  # all idle between commands (one thread)
    assert connections
    files = []
    for i, conn in enumerate(connections):
        path = tmp / f"trace-{commands.__name__}-{i}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        files.append((fd, path))
        conn.pgconn.trace(fd)
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
    try:
        commands()
    finally:
        for conn, (fd, _) in zip(connections, files):
            conn.pgconn.untrace()
            os.close(fd)
    assert len(pool._pool) == len(connections)  # no connection made meanwhile, untraced
    total = under_lock = 0
    for _, path in files:
        locked = False
        lines = path.read_text().splitlines()
        for line, following in zip(lines, lines[1:]):
            if line.startswith("B") and 'CommandComplete\t "LOCK TABLE"' in line:
                locked = True
            elif line.startswith("B") and ('"COMMIT"' in line or '"ROLLBACK"' in line):
                locked = False
            if line.startswith("F") and following.startswith("B"):
                total += 1
                under_lock += locked
    return Turns(total, under_lock)


def one_connection(store: Store) -> dict[str, str]:
    """The store's settings, with a pool of one connection (each statement prepared on it
    once, when psycopg's threshold is passed)."""
    return {**store.env(), "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}


def comment_and_register(store: Store, tmp: Path) -> tuple[Turns, Turns]:
    app = Lrt(env=one_connection(store), clock=SettableClock(DEADLINE - timedelta(days=2)))
    try:
        def comments(first: int) -> None:
            for i in range(first, first + COMMANDS):
                app.comment(MEMBER, M1, f"Opmerking {i}")

        def registrations(first: int) -> None:
            for i in range(first, first + COMMANDS):
                app.register_person("admin", f"Persoon {i}", person_key=f"persoon-{i}")

        # as a writer that has run a while: the states kept, and the statements used more
        # than psycopg's threshold prepared (outside a pipeline one round trip each, once)
        comments(0)
        comments(COMMANDS)
        registrations(0)
        registrations(COMMANDS)
        def more_comments() -> None:
            comments(2 * COMMANDS)

        def more_registrations() -> None:
            registrations(2 * COMMANDS)

        return traced(app, tmp, more_comments), traced(app, tmp, more_registrations)
    finally:
        app.close()


def test_a_comment_costs_the_round_trips_of_a_command_on_an_aggregate_of_its_own(
        circulated: Store, tmp_path: Path) -> None:
    comment, register = comment_and_register(circulated, tmp_path)
    # a registration: the log read since the last command, whether the person exists, and
    # the save (BEGIN; the lock, the insert; a sync; COMMIT; a sync); a comment: the read
    # and the save only (its subject's version checked and its number counted by the
    # database after the insert, in the insert's pipeline)
    assert register.total == 7 * COMMANDS
    assert comment.total == 6 * COMMANDS
    # while the table lock is held, the client turns to the server twice (the library's
    # sync after the insert, and the COMMIT) for either; before, a comment's guard
    # took the lock first and was read under it with two more
    assert register.under_lock == 2 * COMMANDS
    assert comment.under_lock == register.under_lock


def test_a_refused_check_aborts_its_save_and_the_connection_saves_on(
        circulated: Store, tmp_path: Path) -> None:
    """The subject changed after the decision: the database refuses the insert's
    transaction at the check that follows it, and the comment is decided again. Refused
    three times in four, on one connection, so that psycopg prepares the insert (at its
    sixth use) in a transaction that is refused: the connection still saves (the prepared
    statement exists on the server: psycopg never believes in one the server skipped)."""
    first = Lrt(env=one_connection(circulated),
                clock=SettableClock(DEADLINE - timedelta(days=2)))
    second = Lrt(env=circulated.env(), clock=SettableClock(DEADLINE - timedelta(days=2)))
    try:
        real_save = first.save
        refusals: list[int] = []
        changed: list[int] = []  # the amendments accepted between decision and save

        def save(*events: object, **kwargs: object) -> object:
            if len(changed) < REFUSED * (len(numbers) + 1):  # its first REFUSED attempts
                number = second.propose_amendment("admin", M1, item=1, point=None,
                                                  text="Welkom.", on_behalf_of="IPO")
                second.accept_amendment("admin", M1, number)
                changed.append(number)
            try:
                return real_save(*events, **kwargs)  # type: ignore[arg-type]
            except IntegrityError:
                refusals.append(len(numbers))
                raise

        first.save = save  # type: ignore[method-assign]
        numbers: list[int] = []
        for i in range(COMMANDS):
            try:
                numbers.append(first.comment(MEMBER, M1, f"Opmerking {i}"))
            except Exception as e:  # noqa: BLE001 (reported below, with what it was)
                pytest.fail(f"comment {i}: {type(e).__name__}: {e}")
        assert refusals == [i for i in range(COMMANDS) for _ in range(REFUSED)]
        assert numbers == list(range(1, COMMANDS + 1))
        minutes = second.get(Minutes, M1)
        assert [c.text for c in second.round_comments(minutes, 1)] == \
            [f"Opmerking {i}" for i in range(COMMANDS)]
    finally:
        first.close()
        second.close()


def test_a_commands_time_is_the_servers_taken_by_its_first_read(pg: Store, tmp_path: Path
                                                                ) -> None:
    """With the server's clock (the default on PostgreSQL), a command's time of receipt is
    read by the statement that brings its kept states up to date: still the server's
    `clock_timestamp()`, taken before the command decides (so not after the insert's
    stamp), and no round trip of its own."""
    clock = SettableClock(START)
    app = Lrt(env=one_connection(pg), clock=clock)
    try:
        build(app, clock)  # (a world in 2023: registering persons needs no deadline)
    finally:
        app.close()
    app = Lrt(env=one_connection(pg))  # no clock given: the database server's
    try:
        assert isinstance(app.clock, DatabaseClock)

        def registrations(first: int) -> Callable[[], None]:
            def register() -> None:
                for i in range(first, first + COMMANDS):
                    app.register_person("admin", f"Persoon {i}", person_key=f"persoon-{i}")
            return register

        registrations(0)()  # (the first command reads the log's end, and the clock)
        registrations(COMMANDS)()
        before = pg.execute("SELECT clock_timestamp()")[0][0]
        turns = traced(app, tmp_path, registrations(2 * COMMANDS))
        after = pg.execute("SELECT clock_timestamp()")[0][0]
        assert turns.total == 7 * COMMANDS  # as with a clock that asks no server
        times = [e.timestamp for i in range(2 * COMMANDS, 3 * COMMANDS)
                 for e in app.events_of(Person.id_for(f"persoon-{i}"))]
        stamps = [r[0] for r in pg.execute(
            "SELECT inserted_at FROM lrt_events ORDER BY notification_id DESC LIMIT ?",
            (COMMANDS,))][::-1]
        assert len(times) == len(stamps) == COMMANDS
        assert before <= times[0]
        for time, stamp in zip(times, stamps):
            assert time <= stamp <= after  # taken before the insert, by the server
        assert times == sorted(times) and len(set(times)) == COMMANDS  # one reading each
    finally:
        app.close()
