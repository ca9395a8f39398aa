"""The hash chain on PostgreSQL: the library's application recorder, plus a link per event
in the chain table, in the same transaction (see `lrt_app.chain` for the digest).

The library calls `_insert_events` before it takes its table lock, so the links are written
in `_fetch_ids_after_insert_events`: after `LOCK TABLE ... IN EXCLUSIVE MODE` and the insert,
inside the same transaction. Writers are serialised by that lock, so reading the head and
appending to it cannot interleave, and the chain follows commit order. The chain table is
made append-only by `lrt_app.postgres.prepare`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from .chain import GENESIS, Head, Link, RawEvent, chain_table_for, new_links, oid_text


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table = chain_table_for(self.events_table_name)
        schema = Identifier(self.datastore.schema)
        self._chain = SQL("{}.{}").format(schema, Identifier(self.chain_table))
        self._events = SQL("{}.{}").format(schema, Identifier(self.events_table_name))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} (position bigint PRIMARY KEY, "
            "notification_id bigint NOT NULL, originator_id text NOT NULL, "
            "originator_version bigint NOT NULL, digest text NOT NULL)").format(self._chain))
        self.sql_create_statements.append(SQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} (originator_id, originator_version)"
        ).format(Identifier(f"{self.chain_table}_event"), self._chain))

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow],
                                       stored_events: Sequence[StoredEvent], **kwargs: Any
                                       ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if self.datastore.enable_db_functions:  # lrt refuses this setting at start-up
            raise ProgrammingError("lrt: the hash chain needs the library's table lock")
        assert ids is not None
        self._append(curs, [(i, oid_text(s.originator_id), s.originator_version, s.topic,
                             s.state) for i, s in zip(ids, stored_events, strict=True)])
        return ids

    def _append(self, curs: Cursor[DictRow], events: list[tuple[int, str, int, str, bytes]]
                ) -> None:
        curs.execute(SQL("SELECT position, digest FROM {} ORDER BY position DESC LIMIT 1")
                     .format(self._chain))
        row = curs.fetchone()
        head = Head(row["position"], row["digest"]) if row else Head(0, GENESIS.hex())
        curs.executemany(SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)").format(self._chain),
                         new_links(head, events))

    def create_table(self) -> None:
        super().create_table()
        # An older store, from before the chain: link its events once, in log order.
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SELECT EXISTS (SELECT 1 FROM {}) AS links, "
                             "EXISTS (SELECT 1 FROM {}) AS events")
                         .format(self._chain, self._events))
            row = curs.fetchone()
            assert row is not None
            if row["links"] or not row["events"]:
                return
            for statement in self.lock_table_statements:
                curs.execute(statement)
            curs.execute(SQL("SELECT notification_id, originator_id, originator_version, "
                             "topic, state FROM {} ORDER BY notification_id")
                         .format(self._events))
            rows = [(r["notification_id"], oid_text(r["originator_id"]),
                     r["originator_version"], r["topic"], bytes(r["state"]))
                    for r in curs.fetchall()]
            curs.execute(SQL("SELECT EXISTS (SELECT 1 FROM {}) AS links").format(self._chain))
            again = curs.fetchone()
            if again is None or not again["links"]:
                self._append(curs, rows)

    # --- reading, for the audit ---------------------------------------------------

    def _all(self, query: Any, params: tuple[Any, ...] = ()) -> list[DictRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, params)
            return curs.fetchall()

    def chain_head(self) -> Head:
        rows = self._all(SQL("SELECT position, digest FROM {} ORDER BY position DESC LIMIT 1")
                         .format(self._chain))
        return Head(rows[0]["position"], rows[0]["digest"]) if rows \
            else Head(0, GENESIS.hex())

    def count_events(self) -> int:
        return int(self._all(SQL("SELECT COUNT(*) AS n FROM {}").format(self._events))[0]["n"])

    def raw_events(self, after: int, limit: int) -> list[RawEvent]:
        rows = self._all(SQL("SELECT notification_id, originator_id, originator_version, "
                             "topic, state FROM {} WHERE notification_id > %s "
                             "ORDER BY notification_id LIMIT %s").format(self._events),
                         (after, limit))
        return [RawEvent(r["notification_id"], oid_text(r["originator_id"]),
                         r["originator_version"], r["topic"], bytes(r["state"])) for r in rows]

    def links(self, after: int, limit: int) -> list[Link]:
        rows = self._all(SQL("SELECT position, notification_id, originator_id, "
                             "originator_version, digest FROM {} WHERE position > %s "
                             "ORDER BY position LIMIT %s").format(self._chain), (after, limit))
        return [Link(**r) for r in rows]

    def link_of(self, originator_id: str, version: int) -> Link | None:
        rows = self._all(SQL("SELECT position, notification_id, originator_id, "
                             "originator_version, digest FROM {} WHERE originator_id = %s "
                             "AND originator_version = %s").format(self._chain),
                         (originator_id, version))
        return Link(**rows[0]) if rows else None

    def has_event(self, originator_id: str, version: int) -> bool:
        rows = self._all(SQL("SELECT 1 AS one FROM {} WHERE originator_id::text = %s "
                             "AND originator_version = %s").format(self._events),
                         (str(_uuid_text(originator_id)), version))
        return bool(rows)


def _uuid_text(hex_id: str) -> str:
    """32 hex digits as PostgreSQL prints a uuid (with dashes); anything else unchanged."""
    from uuid import UUID

    try:
        return str(UUID(hex_id))
    except ValueError:
        return hex_id
