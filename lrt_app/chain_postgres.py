"""The hash chain on PostgreSQL, and the stamps: who inserted each event, and when.

The database itself, not the client, stamps and chains every event row:

- a BEFORE INSERT trigger (`<events>_stamp`) overwrites the columns `inserted_by` (the
  inserting login, `session_user`), `inserted_at` (the server's `clock_timestamp()`, taken
  after the library's table lock) and `inserted_delegate` (whether that login is a member of
  `lrt_delegate`, of the tables' owner, or a superuser), whatever a client sent;
- a statement trigger takes the library's `LOCK TABLE ... IN EXCLUSIVE MODE` for every insert
  (lrt's own inserts hold it already), so that even an insert typed by hand is serialised and
  the chain follows commit order;
- an AFTER INSERT trigger (`<events>_link`, SECURITY DEFINER: it runs as the tables' owner)
  appends the event's link to the chain table, with the digest of `lrt_app.chain.
  raw_link_digest` computed by PostgreSQL's own `sha256`. No login but the owner may write
  the chain table, so nobody appends, edits or skips a link.

Reading refuses an event whose actor is not the login that inserted it, unless that login was
a delegate (`Stamp.check`, called by the mapper); `audit verify` reports it, and an event whose
recorded time is more than `TOLERANCE` from its stamp (`stamp_problem`). The chain table is
made append-only by `lrt_app.postgres.prepare`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier, Literal

from lrt_domain.errors import DomainError

from .chain import (GENESIS, Guard, Head, Link, RawEvent, chain_table_for, new_links,
                    oid_text)
from .postgres import DELEGATE_ROLE as DELEGATE

# How far an event's own time may lie from the server's stamp before `audit verify` reports
# it: the command reads the server's clock before it decides, and the insert follows after
# the decision and any wait for the table lock (up to POSTGRES_LOCK_TIMEOUT, 30 s) and
# retries. Reported, not refused on read: an honest command slowed past it must not make the
# store unreadable.
TOLERANCE = timedelta(seconds=60)


class ForgedEvent(DomainError):
    """A stored event whose actor is not the login that inserted it."""


@dataclass(frozen=True)
class Stamp:
    inserted_by: str
    inserted_at: datetime
    delegate: bool

    def check(self, stored: StoredEvent, actor: str | None) -> None:
        """Refuse an event whose actor is not its inserting login (unless a delegate's);
        called by the mapper (`lrt_app.persistence`) for every event read."""
        if self.delegate or self.inserted_by == actor:
            return
        where = f" at notification {stored.id}" if isinstance(stored, Notification) else ""
        raise ForgedEvent(f"store: event {oid_text(stored.originator_id)} "
                          f"v{stored.originator_version} ({stored.topic}){where} claims actor "
                          f"{actor!r} but was inserted by the login {self.inserted_by!r}; "
                          "refused")


@dataclass(frozen=True)
class StampedStoredEvent(StoredEvent):
    stamp: Stamp | None = None


@dataclass(frozen=True)
class StampedNotification(Notification):
    stamp: Stamp | None = None


def _stamp(row: DictRow) -> Stamp | None:
    if row.get("inserted_by") is None:
        return None  # a row from before the stamps
    return Stamp(row["inserted_by"], row["inserted_at"], bool(row["inserted_delegate"]))


def stamp_problem(raw: RawEvent, actor: str, timestamp: datetime) -> str | None:
    """Why a stamped row (`RawEvent` with `inserted_by`) was not written as it claims, or
    None: another login's name as actor, or a time more than TOLERANCE from the stamp; a
    delegate's rows are trusted on both."""
    if raw.inserted_by is None or raw.inserted_at is None or raw.delegate:
        return None
    if actor != raw.inserted_by:
        return f"recorded as done by {actor!r}, but inserted by the login {raw.inserted_by!r}"
    drift = timestamp - raw.inserted_at
    if abs(drift) > TOLERANCE:
        return (f"recorded at {timestamp.isoformat()}, but inserted at "
                f"{raw.inserted_at.isoformat()} by {raw.inserted_by!r} ("
                f"{'back-dated' if drift < timedelta(0) else 'dated ahead'} by more than "
                f"{int(TOLERANCE.total_seconds())} s)")
    return None


def _field(expression: str) -> str:
    """SQL for `lrt_app.chain._field`: the 8-byte big-endian length, then the bytes."""
    return f"int8send(octet_length({expression})::int8) || {expression}"


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

    def _function(self, suffix: str) -> Composed:
        return SQL("{}.{}").format(Identifier(self.datastore.schema),
                                   Identifier(f"{self.events_table_name}_{suffix}"))

    def _trust_statements(self) -> list[Composed]:
        """The stamp columns, and the triggers that stamp, lock and chain every insert."""
        oid = "NEW.originator_id::text"
        if self.datastore.originator_id_type == "uuid":
            oid = f"replace({oid}, '-', '')"  # as `oid_text`: 32 hex digits
        parts = [f"convert_to({oid}, 'UTF8')",
                 "convert_to(NEW.originator_version::text, 'UTF8')",
                 "convert_to(NEW.topic, 'UTF8')", "NEW.state",
                 "convert_to(NEW.inserted_by, 'UTF8')",
                 "convert_to(to_char(NEW.inserted_at AT TIME ZONE 'UTC', "
                 "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'UTF8')",
                 "convert_to(CASE WHEN NEW.inserted_delegate THEN '1' ELSE '0' END, 'UTF8')"]
        digest = " || ".join(["decode(head_digest, 'hex')", *map(_field, parts)])
        fixed = SQL("SET search_path = pg_catalog, pg_temp")
        return [
            SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql {} AS $$ "
                "BEGIN "
                "NEW.inserted_by := session_user; "
                "NEW.inserted_at := clock_timestamp(); "
                "NEW.inserted_delegate := pg_has_role(session_user, "
                "(SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') "
                "OR (to_regrole({}) IS NOT NULL AND pg_has_role(session_user, {}, 'MEMBER')); "
                "RETURN NEW; END $$").format(self._function("stamp"), fixed,
                                             Literal(DELEGATE), Literal(DELEGATE)),
            SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql "
                "SECURITY DEFINER {} AS $$ BEGIN LOCK TABLE {} IN EXCLUSIVE MODE; "
                "RETURN NULL; END $$").format(self._function("lock"), fixed, self._events),
            SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql "
                "SECURITY DEFINER {} AS $$ "
                "DECLARE head_position bigint; head_digest text; "
                "BEGIN "
                "SELECT c.position, c.digest INTO head_position, head_digest FROM {} c "
                "ORDER BY c.position DESC LIMIT 1; "
                "IF NOT FOUND THEN head_position := 0; head_digest := {}; END IF; "
                "INSERT INTO {} (position, notification_id, originator_id, "
                "originator_version, digest) VALUES (head_position + 1, "
                "NEW.notification_id, " + oid + ", NEW.originator_version, "  # noqa: ISC003
                "encode(sha256(" + digest + "), 'hex')); "
                "RETURN NULL; END $$").format(self._function("link"), fixed, self._chain,
                                              Literal(GENESIS.hex()), self._chain),
            SQL("REVOKE ALL ON FUNCTION {}(), {}() FROM PUBLIC").format(
                self._function("lock"), self._function("link")),
        ]

    def _triggers(self) -> list[tuple[str, Composed]]:
        events = self.events_table_name
        return [
            (f"{events}_stamp", SQL(
                "CREATE TRIGGER {} BEFORE INSERT ON {} FOR EACH ROW EXECUTE FUNCTION {}()")
             .format(Identifier(f"{events}_stamp"), self._events, self._function("stamp"))),
            (f"{events}_lock", SQL(
                "CREATE TRIGGER {} BEFORE INSERT ON {} FOR EACH STATEMENT "
                "EXECUTE FUNCTION {}()")
             .format(Identifier(f"{events}_lock"), self._events, self._function("lock"))),
            (f"{events}_link", SQL(
                "CREATE TRIGGER {} AFTER INSERT ON {} FOR EACH ROW EXECUTE FUNCTION {}()")
             .format(Identifier(f"{events}_link"), self._events, self._function("link"))),
        ]

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        # Two processes creating at once would collide on CREATE OR REPLACE FUNCTION.
        curs.execute("SELECT pg_advisory_xact_lock(hashtext('lrt: create tables'))")
        super()._create_table(curs)
        curs.execute("SELECT count(*) AS n FROM pg_attribute WHERE attrelid = %s::regclass "
                     "AND attname IN ('inserted_by', 'inserted_at', 'inserted_delegate') "
                     "AND NOT attisdropped", (self._events.as_string(curs),))
        row = curs.fetchone()
        if row is None or row["n"] < 3:  # a store from before the stamps: old rows keep NULL
            curs.execute(SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS inserted_by text, "
                             "ADD COLUMN IF NOT EXISTS inserted_at timestamptz, "
                             "ADD COLUMN IF NOT EXISTS inserted_delegate boolean")
                         .format(self._events))
        for statement in self._trust_statements():
            curs.execute(statement)
        for name, create in self._triggers():
            curs.execute("SELECT 1 AS one FROM pg_trigger WHERE tgrelid = %s::regclass "
                         "AND tgname = %s", (self._events.as_string(curs), name))
            if curs.fetchone() is None:
                curs.execute(create)

    def trusted(self) -> bool:
        """Whether the store stamps and chains in the database (made or upgraded by this
        lrt's `lrt init`)."""
        rows = self._all(SQL("SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = %s::regclass "
                             "AND tgname = ANY(%s)"),
                         (f"{self.datastore.schema}.{self.events_table_name}",
                          [name for name, _ in self._triggers()]))
        return int(rows[0]["n"]) == len(self._triggers())

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                      ) -> Sequence[int] | None:
        # `checks`: what a guard queued (`_PostgresReads.require_version`, `_Count`), sent
        # after the insert in its pipeline (one list per save, emptied on each attempt);
        # the counts are read with the insert's ids (`_fetch_ids_after_insert_events`)
        ids: Sequence[int] | None = super().insert_events(stored_events, checks=[], **kwargs)
        return ids

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                       guard: Guard | None = None, checks: list[Any] | None = None,
                       **kwargs: Any) -> None:
        """Before the events are inserted, in their transaction: the guard, if any. A guard
        that reads takes the library's table lock first (the insert takes it again: a
        no-op), so that it reads every other writer's events, and none can commit until
        this transaction ends; a refusal there leaves the transaction here, rolled back. A
        guard that only requires versions reads nothing now: its checks are queued after
        the insert (`_insert_stored_events`)."""
        super()._insert_events(curs, stored_events, **kwargs)
        if checks is not None:
            checks.clear()  # a retried attempt decides its checks again
        if guard is not None:
            guard(_PostgresReads(self, curs, stored_events, checks))

    def _insert_stored_events(self, curs: Cursor[DictRow],
                              stored_events: Sequence[StoredEvent],
                              checks: Sequence[Any] = (), **kwargs: Any) -> None:
        """The library's table lock, its notify and the insert; then the guard's checks, in
        the same pipeline: the library syncs once after them, so a comment's save costs
        the round trips of any other (`tests/postgres/test_round_trips.py`), and the lock is
        held no longer. A check that fails aborts the transaction there, as a duplicate
        version does: the library's IntegrityError, raised by that sync. The insert went
        before, so its statement is parsed whatever the check says (psycopg must never
        believe in a prepared statement the server skipped in an aborted pipeline)."""
        super()._insert_stored_events(curs, stored_events, **kwargs)
        if checks:
            with curs.connection.cursor() as c:  # the insert's cursor keeps its ids to fetch
                for check in checks:
                    if isinstance(check, _Count):  # its own cursor, read after the sync
                        check.cursor = curs.connection.cursor()
                        check.cursor.execute(check.statement, check.params, prepare=True)
                    else:
                        c.execute(check, prepare=False)

    def _id(self, originator_id: UUID) -> Any:
        return originator_id if self.datastore.originator_id_type == "uuid" \
            else str(originator_id)

    def first_events(self, lo: UUID, hi: UUID, *, after: int = 0, upto: int | None = None
                     ) -> list[tuple[int, StoredEvent]]:
        """`lrt_app.chain.InTransaction.first_events`, now; up to position `upto`."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            return _PostgresReads(self, curs).first_events(lo, hi, after=after, upto=upto)

    def count_first_events(self, lo: UUID, hi: UUID, *, after: int = 0,
                           upto: int | None) -> int:
        rows = self._all(SQL("SELECT COUNT(*) AS n FROM {} WHERE originator_id BETWEEN %s "
                             "AND %s AND originator_version = 1 AND notification_id > %s "
                             "AND notification_id <= %s")
                         .format(self._events), (self._id(lo), self._id(hi), after,
                                                 upto if upto is not None else 2 ** 62))
        return int(rows[0]["n"])

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow],
                                       stored_events: Sequence[StoredEvent],
                                       checks: Sequence[Any] = (), **kwargs: Any
                                       ) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:  # lrt refuses this setting at start-up
            raise ProgrammingError("lrt: the hash chain needs the library's table lock")
        # the database's triggers stamped and chained the rows
        ids: Sequence[int] | None = super()._fetch_ids_after_insert_events(
            curs, stored_events, **kwargs)
        for check in checks:  # the counts the guard asked for, run after the insert
            if isinstance(check, _Count) and check.cursor is not None:
                row = check.cursor.fetchone()
                check.cursor.close()
                check.into.append(int(row["n"]) if row else 0)
        return ids

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
                curs.executemany(SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)")
                                 .format(self._chain), new_links(Head(0, GENESIS.hex()), rows))

    # --- reading: every event with its stamp (the mapper refuses a forged one) ---------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False, limit: int | None = None
                      ) -> Sequence[StoredEvent]:
        statement = self.select_events_statement
        params: list[Any] = [originator_id]
        if gt is not None:
            params.append(gt)
            statement += SQL(" AND originator_version > %s")
        if lte is not None:
            params.append(lte)
            statement += SQL(" AND originator_version <= %s")
        statement += SQL(" ORDER BY originator_version DESC" if desc
                         else " ORDER BY originator_version ASC")
        if limit is not None:
            params.append(limit)
            statement += SQL(" LIMIT %s")
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [StampedStoredEvent(originator_id=r["originator_id"],
                                       originator_version=r["originator_version"],
                                       topic=r["topic"], state=bytes(r["state"]),
                                       stamp=_stamp(r)) for r in curs.fetchall()]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def notifications_and_now(self, after: int, limit: int
                              ) -> tuple[list[Notification], datetime]:
        """The log's notifications after position `after` (at most `limit`), and the
        server's clock (`clock_timestamp()`, the clock of the stamps) read once by the same
        statement, before its rows: the first read of a command and its time of receipt in
        one round trip (`Lrt._catch_up_kept`, `DatabaseClock`)."""
        statement = SQL("WITH clock AS MATERIALIZED (SELECT clock_timestamp() AS now) "
                        "SELECT clock.now AS lrt_now, e.* FROM clock LEFT JOIN LATERAL "
                        "(SELECT * FROM {} WHERE notification_id > %s "
                        "ORDER BY notification_id LIMIT %s) e ON true "
                        "ORDER BY e.notification_id").format(self._events)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (after, limit), prepare=True)
            rows = curs.fetchall()
        now: datetime = rows[0]["lrt_now"].astimezone(timezone.utc)
        return [StampedNotification(id=r["notification_id"], originator_id=r["originator_id"],
                                    originator_version=r["originator_version"],
                                    topic=r["topic"], state=bytes(r["state"]), stamp=_stamp(r))
                for r in rows if r["notification_id"] is not None], now

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True
                             ) -> Sequence[Notification]:
        conditions: list[str] = []
        params: list[Any] = []
        if start is not None:
            conditions.append("notification_id >= %s" if inclusive_of_start
                              else "notification_id > %s")
            params.append(start)
        if stop is not None:
            conditions.append("notification_id <= %s")
            params.append(stop)
        if topics:
            conditions.append("topic = ANY(%s)")
            params.append(list(topics))
        params.append(limit)
        where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
        statement = SQL("SELECT * FROM {}" + where + " ORDER BY notification_id LIMIT %s"
                        ).format(self._events)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [StampedNotification(id=r["notification_id"],
                                        originator_id=r["originator_id"],
                                        originator_version=r["originator_version"],
                                        topic=r["topic"], state=bytes(r["state"]),
                                        stamp=_stamp(r)) for r in curs.fetchall()]

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
                             "topic, state, inserted_by, inserted_at, inserted_delegate "
                             "FROM {} WHERE notification_id > %s "
                             "ORDER BY notification_id LIMIT %s").format(self._events),
                         (after, limit))
        return [RawEvent(r["notification_id"], oid_text(r["originator_id"]),
                         r["originator_version"], r["topic"], bytes(r["state"]),
                         r["inserted_by"], r["inserted_at"], bool(r["inserted_delegate"]))
                for r in rows]
    def links(self, after: int, limit: int) -> list[Link]:
        rows = self._all(SQL("SELECT position, notification_id, originator_id, "
                             "originator_version, digest FROM {} WHERE position > %s "
                             "ORDER BY position LIMIT %s").format(self._chain), (after, limit))
        return [Link(**r) for r in rows]

    def audit_rows(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """`raw_events` as plain rows, for the audit's walk (`lrt_app.audit.Row`)."""
        rows = self._all(SQL("SELECT notification_id, originator_id, originator_version, "
                             "topic, state, inserted_by, inserted_at, inserted_delegate "
                             "FROM {} WHERE notification_id > %s "
                             "ORDER BY notification_id LIMIT %s").format(self._events),
                         (after, limit))
        return [(r["notification_id"], oid_text(r["originator_id"]), r["originator_version"],
                 r["topic"], bytes(r["state"]), r["inserted_by"], r["inserted_at"],
                 bool(r["inserted_delegate"])) for r in rows]

    def link_rows(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """`links` as plain rows, for the audit's walk."""
        rows = self._all(SQL("SELECT position, notification_id, originator_id, "
                             "originator_version, digest FROM {} WHERE position > %s "
                             "ORDER BY position LIMIT %s").format(self._chain), (after, limit))
        return [(r["position"], r["notification_id"], r["originator_id"],
                 r["originator_version"], r["digest"]) for r in rows]

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


@dataclass
class _Count:
    """A count a guard asked for after the insert (`_PostgresReads.count_begun_after`)."""

    statement: Composed
    params: tuple[Any, ...]
    into: list[int]
    cursor: Cursor[DictRow] | None = None


class _PostgresReads:
    """`lrt_app.chain.InTransaction` on PostgreSQL: the guard's reads, on the cursor of the
    transaction that will insert, after the library's table lock (taken before the first
    read); and its required versions, checked by the database after the insert."""

    def __init__(self, recorder: ChainedPostgresApplicationRecorder, curs: Cursor[DictRow],
                 own: Sequence[StoredEvent] = (), checks: list[Any] | None = None):
        self.recorder, self.curs = recorder, curs
        self.own = own  # the transaction's events, inserted after the guard (not yet read)
        self.checks = checks
        self.locked = False

    def _lock(self) -> None:
        """Before a guard's read: the library's table lock, with its own statements and
        their `prepare=True` (so no statement crosses psycopg's preparing threshold here).
        Outside a save (`checks` None: `first_events` for a view), no lock."""
        if self.checks is not None and not self.locked:
            for statement in self.recorder.lock_table_statements:
                self.curs.execute(statement, prepare=True)
            self.locked = True

    def streams_begun(self, lo: UUID, hi: UUID) -> int:
        self._lock()
        self.curs.execute(SQL("SELECT COUNT(*) AS n FROM {} WHERE originator_id BETWEEN %s "
                              "AND %s AND originator_version = 1")
                          .format(self.recorder._events),
                          (self.recorder._id(lo), self.recorder._id(hi)))
        row = self.curs.fetchone()
        mine = sum(1 for s in self.own if s.originator_version == 1
                   and lo <= UUID(str(s.originator_id)) <= hi)
        return int(row["n"] if row else 0) + mine

    def version(self, originator_id: UUID) -> int:
        self._lock()
        self.curs.execute(SQL("SELECT MAX(originator_version) AS v FROM {} "
                              "WHERE originator_id = %s").format(self.recorder._events),
                          (self.recorder._id(originator_id),))
        row = self.curs.fetchone()
        return int(row["v"]) if row and row["v"] is not None else 0

    def require_version(self, originator_id: UUID, version: int, why: str) -> None:
        """Queued, not sent: the statement follows the insert in the transaction's pipeline
        (`ChainedPostgresApplicationRecorder._insert_stored_events`), under the table lock
        the insert took, and the database raises an integrity violation (SQLSTATE 23000,
        the library's IntegrityError) when the stream is at another version. As on SQLite,
        the stream is read after the insert: a transaction that appends to the stream it
        requires fails the check. No round trip of its own, nor one more under the lock."""
        r = self.recorder
        check = SQL(
            "DO $lrt$ BEGIN IF (SELECT COALESCE(MAX(originator_version), 0) FROM {} "
            "WHERE originator_id = {}) <> {} THEN RAISE EXCEPTION USING "
            "ERRCODE = '23000', MESSAGE = {}; END IF; END $lrt$").format(
                r._events, Literal(r._id(originator_id)), Literal(int(version)), Literal(why))
        if self.checks is None:  # (not in a save: checked now)
            self.curs.execute(check, prepare=False)
        else:
            self.checks.append(check)

    def count_begun_after(self, lo: UUID, hi: UUID, into: list[int], *, after: int = 0
                          ) -> None:
        """Queued like a required version, after it: how many streams with ids from `lo` to
        `hi` have begun after position `after` once the insert is done (its own included;
        the table lock held: none after it), appended to `into` with the insert's ids,
        after the one sync."""
        r = self.recorder
        statement = SQL("SELECT COUNT(*) AS n FROM {} WHERE originator_id BETWEEN %s AND %s "
                        "AND originator_version = 1 AND notification_id > %s"
                        ).format(r._events)
        params = (r._id(lo), r._id(hi), after)
        if self.checks is None:  # (not in a save: counted now)
            self.curs.execute(statement, params)
            row = self.curs.fetchone()
            into.append(int(row["n"]) if row else 0)
        else:
            self.checks.append(_Count(statement, params, into))

    def first_events(self, lo: UUID, hi: UUID, *, after: int = 0, upto: int | None = None
                     ) -> list[tuple[int, StoredEvent]]:
        r = self.recorder
        self._lock()
        self.curs.execute(SQL("SELECT * FROM {} WHERE originator_id BETWEEN %s AND %s "
                              "AND originator_version = 1 AND notification_id > %s "
                              "AND notification_id <= %s ORDER BY notification_id")
                          .format(r._events), (r._id(lo), r._id(hi), after,
                                               upto if upto is not None else 2 ** 62))
        return [(row["notification_id"], StampedStoredEvent(
            originator_id=row["originator_id"], originator_version=row["originator_version"],
            topic=row["topic"], state=bytes(row["state"]), stamp=_stamp(row)))
            for row in self.curs.fetchall()]


def _uuid_text(hex_id: str) -> str:
    """32 hex digits as PostgreSQL prints a uuid (with dashes); anything else unchanged."""
    from uuid import UUID

    try:
        return str(UUID(hex_id))
    except ValueError:
        return hex_id
