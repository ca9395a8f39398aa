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

A SQLite store with events the chain does not bind (no chain at all, or a last event that is
not the chain's last) is refused, never linked silently: a store from before the chain is
linked on purpose, and recorded, by `lrt audit link-legacy` (`linking_legacy`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
)

from lrt_domain.errors import DomainError

GENESIS = bytes(32)


class UnchainedStore(DomainError):
    """A SQLite store with events the hash chain does not bind."""


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
    # PostgreSQL's stamps (lrt_app.chain_postgres), set by the database, never by a client:
    # the login that inserted the row, the server's time, and whether that login was a
    # delegate (lrt_delegate, the tables' owner or a superuser). None on SQLite and old rows.
    inserted_by: str | None = None
    inserted_at: datetime | None = None
    delegate: bool = False


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def link_digest(previous: bytes, originator_id: str, version: int, topic: str,
                state: bytes) -> bytes:
    h = hashlib.sha256(previous)
    for part in (originator_id.encode("utf8"), str(version).encode("ascii"),
                 topic.encode("utf8"), bytes(state)):
        h.update(_field(part))
    return h.digest()


def stamp_time(moment: datetime) -> str:
    """A stamp's time as chained: UTC, microseconds, 'Z' ('2026-12-02T13:45:01.123456Z')."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def raw_link_digest(previous: bytes, raw: RawEvent) -> bytes:
    """The link of a stored row: `link_digest`, and for a stamped row (PostgreSQL) also
    field(inserted_by) + field(inserted_at, `stamp_time`) + field(b"1" delegate, else b"0").
    The database computes the same digest in its chain trigger (lrt_app.chain_postgres)."""
    if raw.inserted_by is None or raw.inserted_at is None:
        return link_digest(previous, raw.originator_id, raw.originator_version, raw.topic,
                           raw.state)
    h = hashlib.sha256(previous)
    for part in (raw.originator_id.encode("utf8"), str(raw.originator_version).encode("ascii"),
                 raw.topic.encode("utf8"), bytes(raw.state), raw.inserted_by.encode("utf8"),
                 stamp_time(raw.inserted_at).encode("ascii"),
                 b"1" if raw.delegate else b"0"):
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


class InTransaction(Protocol):
    """What a guard (`Guard`) may read in the transaction that writes the events, after the
    store's write lock was taken: every other writer's events are committed, none can be
    added until this transaction ends."""

    def version(self, originator_id: UUID) -> int:
        """The stream's last version (0: none)."""

    def require_version(self, originator_id: UUID, version: int, why: str) -> None:
        """Refuse the write (the library's IntegrityError, saying `why`) unless the stream's
        last version is `version` (0: none). Where the store allows, the check goes with
        the insert, without a round trip of its own (PostgreSQL: checked by the database
        in the insert's pipeline, `lrt_app.chain_postgres`); so nothing follows from it
        in the guard: it may refuse only when the transaction ends."""

    def first_events(self, lo: UUID, hi: UUID, *, after: int = 0
                     ) -> list[tuple[int, StoredEvent]]:
        """The first events of the streams whose ids lie from `lo` to `hi`, recorded after
        position `after`, in log order, with their positions."""

    def count_begun_after(self, lo: UUID, hi: UUID, into: list[int], *, after: int = 0
                          ) -> None:
        """How many streams with ids from `lo` to `hi` have begun after position `after`
        once this transaction's events are inserted (its own included), appended to `into`
        before the commit; like
        `require_version`, without a round trip of its own (PostgreSQL: counted by the
        database after the insert, in its pipeline). Nothing is appended if the write is
        refused."""

    def streams_begun(self, lo: UUID, hi: UUID) -> int:
        """How many streams with ids from `lo` to `hi` have begun, those this transaction
        begins included."""


# Checked in the transaction that writes a command's events (`Lrt.save(..., guard=)`); it
# raises the library's IntegrityError to refuse the write (the command is then decided
# again, as on any concurrent write).
Guard = Callable[[InTransaction], None]


class _SQLiteReads:
    """`InTransaction` on SQLite: read after the insert (which took the write lock), so the
    transaction's own events are among what it reads."""

    def __init__(self, table: str, c: SQLiteCursor):
        self.table, self.c = table, c

    def streams_begun(self, lo: UUID, hi: UUID) -> int:
        return self.count_first_events(lo, hi, upto=None)

    def version(self, originator_id: UUID) -> int:
        self.c.execute(f"SELECT MAX(originator_version) FROM {self.table} "
                       "WHERE originator_id = ?", (originator_id.hex,))
        row = self.c.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def require_version(self, originator_id: UUID, version: int, why: str) -> None:
        if self.version(originator_id) != version:
            raise IntegrityError(why)

    def count_begun_after(self, lo: UUID, hi: UUID, into: list[int], *, after: int = 0
                          ) -> None:
        into.append(self.count_first_events(lo, hi, after=after, upto=None))  # after insert

    def first_events(self, lo: UUID, hi: UUID, *, after: int = 0, upto: int | None = None
                     ) -> list[tuple[int, StoredEvent]]:
        self.c.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                       f"FROM {self.table} WHERE originator_id BETWEEN ? AND ? "
                       "AND originator_version = 1 AND rowid > ? AND rowid <= ? "
                       "ORDER BY rowid", (lo.hex, hi.hex, after,
                                          upto if upto is not None else 2 ** 62))
        return [(r[0], StoredEvent(originator_id=UUID(r[1]), originator_version=r[2],
                                   topic=r[3], state=bytes(r[4])))
                for r in self.c.fetchall()]

    def count_first_events(self, lo: UUID, hi: UUID, *, after: int = 0,
                           upto: int | None) -> int:
        if after:  # the log since `after` (a few entries), not the whole range of ids
            self.c.execute(f"SELECT COUNT(*) FROM {self.table} WHERE rowid > ? AND "
                           "rowid <= ? AND +originator_id BETWEEN ? AND ? AND "
                           "originator_version = 1",
                           (after, upto if upto is not None else 2 ** 62, lo.hex, hi.hex))
        else:
            self.c.execute(f"SELECT COUNT(*) FROM {self.table} WHERE originator_id BETWEEN "
                           "? AND ? AND originator_version = 1 AND rowid <= ?",
                           (lo.hex, hi.hex, upto if upto is not None else 2 ** 62))
        return int(self.c.fetchone()[0])


class ChainRecorder(Protocol):
    """What both of lrt's application recorders (SQLite's below, PostgreSQL's in
    `chain_postgres`) add to the library's: the settings always install one of them."""

    def count_events(self) -> int: ...


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, plus a link per event in the chain table,
    in the same transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self.chain_table = chain_table_for(self.events_table_name)
        self.unchained: str | None = None  # why the store is refused (`_unchained`)
        self.guarded = True  # False: the audit, which reads the store as it is
        self._linking = False
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
        self.unchained = self._unchained()

    def _guard(self) -> None:
        """Events the chain does not bind are not read nor added to: the store is refused
        (an older store is linked on purpose, and recorded: `linking_legacy`)."""
        if self.unchained is not None and not self._linking and self.guarded:
            raise UnchainedStore(self.unchained)

    def select_events(self, *args: Any, **kwargs: Any) -> Any:
        self._guard()
        return super().select_events(*args, **kwargs)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       guard: Guard | None = None, **kwargs: Any) -> Sequence[int] | None:
        self._guard()
        ids = super()._insert_events(c, stored_events, **kwargs)
        # The insert above took the database's write lock: no other writer is between
        # reading the head and appending to it, nor between the guard's reads and the
        # commit.
        assert ids is not None
        if guard is not None:
            guard(_SQLiteReads(self.events_table_name, c))
        if self._linking:
            self._link_existing(c, before=min(ids))
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

    # --- an older store, from before the chain: refused, until linked on purpose ------

    def _unchained(self) -> str | None:
        """Why the store cannot be used: events and no chain (a store from before the
        chain, or its chain deleted), or a last event the chain does not bind (added
        behind lrt's back); None when the chain binds the last event. Two index lookups."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, originator_id, originator_version "
                      f"FROM {self.events_table_name} ORDER BY rowid DESC LIMIT 1")
            last = c.fetchone()
            c.execute(f"SELECT notification_id, originator_id, originator_version "
                      f"FROM {self.chain_table} ORDER BY position DESC LIMIT 1")
            link = c.fetchone()
            c.execute(f"SELECT COUNT(*) FROM {self.events_table_name}" if last and not link
                      else "SELECT 0")
            count = c.fetchone()[0]
        if last is None:
            return None
        if link is None:
            return (f"store: it holds {count} events and no hash chain (a store from before "
                    "the chain, or its chain was deleted); if it is a store from before the "
                    "chain, link it on purpose with 'lrt audit link-legacy', which is recorded")
        if (link[0], str(link[1]), link[2]) != (last[0], str(last[1]), last[2]):
            return (f"store: its last event (notification {last[0]}) is not the one the hash "
                    f"chain ends with (notification {link[0]}): events were added, removed "
                    "or the chain cut behind lrt's back; see 'lrt audit verify'")
        return None

    @contextmanager
    def linking_legacy(self) -> Iterator[int]:
        """Within: the store is read although unchained, and the next insert (the event that
        records the linking) first links every event before it, in log order, in the same
        transaction. Gives how many events there are to link."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT EXISTS (SELECT 1 FROM {self.chain_table}), "
                      f"(SELECT COUNT(*) FROM {self.events_table_name})")
            has_links, count = c.fetchone()
        if has_links or not count:
            raise UnchainedStore(
                "store: only a store with events and no chain at all is linked; this one "
                + ("has a chain that does not bind all its events: see 'lrt audit verify'"
                   if has_links else "has no events"))
        self._linking = True
        try:
            yield int(count)
        finally:
            self._linking = False

    def _link_existing(self, c: SQLiteCursor, *, before: int) -> None:
        c.execute(f"SELECT EXISTS (SELECT 1 FROM {self.chain_table})")
        if c.fetchone()[0]:
            raise UnchainedStore("store: the chain was started meanwhile; nothing linked")
        c.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                  f"FROM {self.events_table_name} WHERE rowid < ? ORDER BY rowid", (before,))
        self._append(c, [tuple(r) for r in c.fetchall()])

    # --- reading streams by a range of ids (lrt_domain.comments) --------------------

    def first_events(self, lo: UUID, hi: UUID, *, after: int = 0, upto: int | None = None
                     ) -> list[tuple[int, StoredEvent]]:
        """`InTransaction.first_events`, now; up to position `upto` if given."""
        self._guard()
        with self.datastore.transaction(commit=False) as c:
            return _SQLiteReads(self.events_table_name, c).first_events(
                lo, hi, after=after, upto=upto)

    def count_first_events(self, lo: UUID, hi: UUID, *, after: int = 0,
                           upto: int | None) -> int:
        """How many streams with ids from `lo` to `hi` began after position `after` and
        at or before position `upto` (None: at all)."""
        with self.datastore.transaction(commit=False) as c:
            return _SQLiteReads(self.events_table_name, c).count_first_events(
                lo, hi, after=after, upto=upto)

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
            # a value of another type is passed on as it is: the audit reports it malformed
            return [RawEvent(r[0], str(r[1]), r[2], r[3],
                             bytes(r[4]) if isinstance(r[4], (bytes, memoryview)) else r[4])
                    for r in c.fetchall()]

    def links(self, after: int, limit: int) -> list[Link]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, notification_id, originator_id, originator_version, "
                      f"digest FROM {self.chain_table} WHERE position > ? ORDER BY position "
                      "LIMIT ?", (after, limit))
            return [Link(*r) for r in c.fetchall()]

    def audit_rows(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """`raw_events` as plain rows, for the audit's walk (`lrt_app.audit.Row`): the
        values as stored, no object per row; no stamps on SQLite."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, originator_id, originator_version, topic, state, "
                      f"NULL, NULL, 0 FROM {self.events_table_name} WHERE rowid > ? "
                      "ORDER BY rowid LIMIT ?", (after, limit))
            return c.fetchall()  # type: ignore[no-any-return]

    def link_rows(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """`links` as plain rows (position, notification id, originator id, version,
        digest), for the audit's walk."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, notification_id, originator_id, originator_version, "
                      f"digest FROM {self.chain_table} WHERE position > ? ORDER BY position "
                      "LIMIT ?", (after, limit))
            return c.fetchall()  # type: ignore[no-any-return]

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
