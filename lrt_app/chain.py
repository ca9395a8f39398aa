"""The hash chain over every stored event (tamper evidence), and the SQLite recorder that
writes it.

Each stored event gets a link `(position, notification_id, originator_id, originator_version,
digest)` in the chain table, written in the same transaction as the event, in recorded order:

    digest(p) = SHA-256(digest(p-1) + field(originator_id) + field(version) + field(topic)
                        + field(state))

where digest(0) is 32 zero bytes and `field(b)` is the 8-byte big-endian length of `b`
followed by `b`: the originator id as stored (32 lowercase hex digits), the version in
decimal ASCII, the topic in UTF-8, and the state bytes exactly as stored (encrypted and
compressed, if the store is), so that an auditor can verify without the encryption key.

`position` is the chain's own counter: notification ids are not evidence (SQLite reuses the
id of a deleted last row, and VACUUM may renumber rows); the link keeps the notification id
only as a hint for a reader.

The recorders are selected with the library's APPLICATION_RECORDER_TOPIC setting
(`lrt_app.settings`). The writer inserts the events first, so that it holds the store's
write lock (SQLite) or the library's EXCLUSIVE table lock (PostgreSQL) when it reads the
chain's head: concurrent writers are serialised, and the chain follows commit order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
)

GENESIS = bytes(32)


@dataclass(frozen=True)
class Head:
    length: int  # how many events the chain binds
    digest: str  # hex; 64 zeros for an empty chain

    def as_dict(self) -> dict[str, Any]:
        return {"digest": self.digest, "length": self.length}


@dataclass(frozen=True)
class Link:
    position: int
    notification_id: int
    originator_id: str
    originator_version: int
    digest: str


@dataclass(frozen=True)
class RawEvent:
    """A stored event as its bytes are stored (the originator id as 32 hex digits)."""

    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def link_digest(previous: bytes, originator_id: str, version: int, topic: str,
                state: bytes) -> bytes:
    h = hashlib.sha256(previous)
    for part in (originator_id.encode("utf8"), str(version).encode("ascii"),
                 topic.encode("utf8"), bytes(state)):
        h.update(_field(part))
    return h.digest()


def oid_text(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


def chain_table_for(events_table: str) -> str:
    """`stored_events` -> `stored_chain`, `lrt_events` -> `lrt_chain`."""
    return events_table.removesuffix("_events") + "_chain"


def new_links(head: Head, events: Iterable[tuple[int, str, int, str, bytes]]
              ) -> list[tuple[int, int, str, int, str]]:
    """The link rows for events (notification id, originator id, version, topic, state)
    appended after `head`."""
    rows = []
    position, digest = head.length, bytes.fromhex(head.digest)
    for notification_id, oid, version, topic, state in events:
        position += 1
        digest = link_digest(digest, oid, version, topic, state)
        rows.append((position, notification_id, oid, version, digest.hex()))
    return rows


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, plus a link per event in the chain table,
    in the same transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self.chain_table = chain_table_for(self.events_table_name)
        # Called in the same transaction, after the links, with (notification id, stored
        # event) pairs: the read model written with the events (projections.catch_up).
        self.on_inserted: Callable[[SQLiteCursor, list[tuple[int, StoredEvent]]], None] | \
            None = None

    def construct_create_table_statements(self) -> list[str]:
        chain = chain_table_for(self.events_table_name)
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {chain} ("
                "position INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL, "
                "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
                "digest TEXT NOT NULL)",
                f"CREATE UNIQUE INDEX IF NOT EXISTS {chain}_event "
                f"ON {chain} (originator_id, originator_version)"]

    def create_table(self) -> None:
        super().create_table()
        if self._unchained_events():
            self._link_existing()

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        # The insert above took the database's write lock: no other writer is between
        # reading the head and appending to it.
        assert ids is not None
        self._append(c, [(i, oid_text(s.originator_id), s.originator_version, s.topic,
                          s.state) for i, s in zip(ids, stored_events, strict=True)])
        if self.on_inserted is not None:
            self.on_inserted(c, list(zip(ids, stored_events, strict=True)))
        return ids

    def _append(self, c: SQLiteCursor, events: list[tuple[int, str, int, str, bytes]]
                ) -> None:
        c.execute(f"SELECT position, digest FROM {self.chain_table} "
                  "ORDER BY position DESC LIMIT 1")
        row = c.fetchone()
        head = Head(row[0], row[1]) if row else Head(0, GENESIS.hex())
        c.executemany(f"INSERT INTO {self.chain_table} VALUES (?,?,?,?,?)",
                      new_links(head, events))

    # --- an older store, from before the chain: link its events once, in log order -----

    def _unchained_events(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT EXISTS (SELECT 1 FROM {self.chain_table}), "
                      f"EXISTS (SELECT 1 FROM {self.events_table_name})")
            has_links, has_events = c.fetchone()
            return bool(has_events and not has_links)

    def _link_existing(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"SELECT EXISTS (SELECT 1 FROM {self.chain_table})")
            if c.fetchone()[0]:
                return
            c.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                      f"FROM {self.events_table_name} ORDER BY rowid")
            rows = [tuple(r) for r in c.fetchall()]
            self._append(c, rows)  # type: ignore[arg-type]

    # --- reading, for the audit ---------------------------------------------------

    def chain_head(self) -> Head:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, digest FROM {self.chain_table} "
                      "ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            return Head(row[0], row[1]) if row else Head(0, GENESIS.hex())

    def count_events(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COUNT(*) FROM {self.events_table_name}")
            return int(c.fetchone()[0])

    def raw_events(self, after: int, limit: int) -> list[RawEvent]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                      f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid "
                      "LIMIT ?", (after, limit))
            return [RawEvent(r[0], str(r[1]), r[2], r[3], bytes(r[4])) for r in c.fetchall()]

    def links(self, after: int, limit: int) -> list[Link]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, notification_id, originator_id, originator_version, "
                      f"digest FROM {self.chain_table} WHERE position > ? ORDER BY position "
                      "LIMIT ?", (after, limit))
            return [Link(*r) for r in c.fetchall()]

    def link_of(self, originator_id: str, version: int) -> Link | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, notification_id, originator_id, originator_version, "
                      f"digest FROM {self.chain_table} WHERE originator_id = ? AND "
                      "originator_version = ?", (originator_id, version))
            row = c.fetchone()
            return Link(*row) if row else None

    def has_event(self, originator_id: str, version: int) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT 1 FROM {self.events_table_name} WHERE originator_id = ? AND "
                      "originator_version = ?", (originator_id, version))
            return c.fetchone() is not None
