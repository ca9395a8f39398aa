"""The record's clock. Production reads the system clock (SQLite) or the database server's
(PostgreSQL, where no client may set the record time); tests and the demo inject one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class DatabaseClock:
    """PostgreSQL: the server's clock, the one its stamps are taken from (`inserted_at`,
    lrt_app.chain_postgres), so an event's time is within a moment of its stamp. A command
    usually reads it with its first read of the log, in the same statement (`Lrt._now`,
    `notifications_and_now`); `now` is the reading on its own."""

    def __init__(self, datastore: Any):
        self.datastore = datastore

    def now(self) -> datetime:
        # one statement on the pool's autocommit connection: one round trip (a transaction
        # around it would add a BEGIN and a ROLLBACK, each a round trip of its own)
        with self.datastore.get_connection() as conn, conn.cursor() as c:
            c.execute("SELECT clock_timestamp() AS now")
            row = c.fetchone()
        return row["now"].astimezone(timezone.utc)  # type: ignore[no-any-return]


def default_clock(app: Any) -> Clock:
    """The production clock of an application: its database server's on PostgreSQL."""
    return DatabaseClock(app.recorder.datastore) if app.is_postgres else SystemClock()


class SettableClock:
    """A clock that stands still until moved: for tests and the demo's simulated weeks.

    It never goes backwards, so the record stays in order."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        # Each reading moves a microsecond on, so events recorded in a row stay ordered.
        self._now += timedelta(microseconds=1)
        return self._now

    def set(self, moment: datetime) -> None:
        moment = moment.astimezone(timezone.utc)
        if moment < self._now:
            raise ValueError(f"the clock cannot go back from {self._now} to {moment}")
        self._now = moment

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)
