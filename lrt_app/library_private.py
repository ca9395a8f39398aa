"""Every use of the eventsourcing library's private API (9.5.x), in one place.

lrt needs a few things the library does not offer publicly: the notification ids of an
insert inside its transaction (to chain the events and project them there), SQL run when
the tables are made, a PRAGMA on every connection, and the tracking position read and
written inside a transaction of lrt's own. Each is named here with the behaviour relied
upon; `tests/library/test_private_api.py` pins every one (its signature and its
behaviour), so that a library upgrade that changes one fails there, in one place.

Two kinds of use:
- overridden: a class of lrt replaces the library's method and calls it through `super()`
  (`OVERRIDDEN`; the test also refuses any other private override);
- called: the functions below are the only callers of the library's private names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import Tracking

# The library's class (as a topic, so that PostgreSQL's driver is imported only when
# used) -> its private methods that a class of lrt overrides, and why.
OVERRIDDEN: dict[str, dict[str, str]] = {
    "eventsourcing.sqlite:SQLiteApplicationRecorder": {
        # lrt_app/chain.py: returns the notification ids of the events it inserted, in
        # their order, in the insert's own transaction (the chain and the read model are
        # written there, after it)
        "_insert_events": "(self, c, stored_events, **kwargs)",
    },
    "eventsourcing.postgres:PostgresApplicationRecorder": {
        # lrt_app/chain_postgres.py: run in `create_table`'s transaction with its cursor
        # (the triggers and grants are made there)
        "_create_table": "(self, curs)",
        # lrt_app/chain_postgres.py: returns the notification ids after an insert (and
        # reads the counts a guard queued after it, synced with it)
        "_fetch_ids_after_insert_events": "(self, curs, stored_events, **kwargs)",
        # lrt_app/chain_postgres.py: run in the insert's transaction and pipeline, before
        # the library's table lock (a guard that reads takes it first) ...
        "_insert_events": "(self, curs, stored_events, **kwargs)",
        # ... and the library's lock, notify and insert, after which a guard's queued
        # checks are sent, synced with the insert by the library
        "_insert_stored_events": "(self, curs, stored_events, **kwargs)",
    },
    "eventsourcing.sqlite:SQLiteConnectionPool": {
        # lrt_app/sqlite_store.py: makes every connection of the pool (PRAGMA synchronous)
        "_create_connection": "(self)",
    },
}


def sqlite_connection(connection: Any) -> sqlite3.Connection:
    """The `sqlite3` connection inside the library's `SQLiteConnection` (for PRAGMAs)."""
    raw: sqlite3.Connection = connection._sqlite_conn
    return raw


def max_tracking_id(recorder: Any, application_name: str, cursor: Any) -> int | None:
    """A tracking recorder's position, read with a cursor of a transaction already open
    (it sees that transaction's own writes)."""
    position: int | None = recorder._max_tracking_id(application_name, cursor)
    return position


def insert_tracking(recorder: Any, cursor: Any, tracking: Tracking) -> None:
    """Record a tracking position in a transaction already open (committed with it)."""
    recorder._insert_tracking(cursor, tracking)


def wrap_connection_factory(pool: Any, wrap: Callable[[Any], Any]) -> None:
    """The benchmark's generator: pass every connection the SQLite pool makes (and those
    it holds already) through `wrap`."""
    create = pool._create_connection
    pool._create_connection = lambda: wrap(create())
    for connection in list(pool._pool):
        wrap(connection)
