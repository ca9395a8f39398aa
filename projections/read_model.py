"""The read model: every view of lrt, kept in the store's own SQLite file.

It is a tracking recorder of the eventsourcing library: the view rows and the position in
the application's notification log are written in one transaction, so a view is always
exactly "all events up to its position". It catches up from that position (never from the
start), and `reset` empties it for a rebuild.

Each aggregate's current state is kept as JSON (`view_state`), advanced by the domain's own
`apply` functions; the query tables below are derived from that state by one small
function per kind of aggregate (`ROWS`), so every rule lives in the domain alone.
"""

from __future__ import annotations

import base64

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from lrt_domain.actions import Action
from lrt_domain.base import Aggregate, DomainEvent
from lrt_domain.catalogue import AGGREGATES
from lrt_domain.documents import Document
from lrt_domain.dutch_time import local_date
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes
from lrt_domain.tables import Table

def stamp(moment: datetime) -> str:
    """A UTC time that sorts as text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- query tables, each row derived from one aggregate's state ("source") ----------------

TABLES: dict[str, str] = {
    "view_meetings": "source TEXT, key TEXT, table_code TEXT, starts_at TEXT, day TEXT, "
                     "place TEXT, status TEXT",
    "view_rounds": "source TEXT, subject TEXT, subject_kind TEXT, number INTEGER, "
                   "table_code TEXT, meeting TEXT, opened_at TEXT, deadline TEXT",
    "view_minutes": "source TEXT, key TEXT, table_code TEXT, meeting TEXT, status TEXT, "
                    "text_version INTEGER",
    "view_actions": "source TEXT, key TEXT, table_code TEXT, meeting TEXT, item INTEGER, "
                    "text TEXT, status TEXT, outstanding INTEGER, due TEXT, "
                    "carried_over INTEGER",
    "view_action_owners": "source TEXT, action TEXT, organisation TEXT",
    "view_memberships": "source TEXT, table_code TEXT, number INTEGER, person TEXT, "
                        "organisation TEXT, function TEXT, since TEXT, until TEXT, "
                        "office_holder INTEGER",
}
INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS view_state_key ON view_state (kind, key)",
    "CREATE INDEX IF NOT EXISTS view_meetings_table ON view_meetings (table_code, starts_at)",
    "CREATE INDEX IF NOT EXISTS view_rounds_deadline ON view_rounds (deadline)",
    "CREATE INDEX IF NOT EXISTS view_actions_status ON view_actions (outstanding, due)",
    "CREATE INDEX IF NOT EXISTS view_action_owners_org ON view_action_owners (organisation)",
] + [f"CREATE INDEX IF NOT EXISTS {t}_source ON {t} (source)" for t in TABLES]

Rows = dict[str, list[tuple[Any, ...]]]


def _rounds(s: Document | Minutes) -> list[tuple[Any, ...]]:
    return [(s.key, s.KIND, r.number, s.table, s.meeting, stamp(r.opened_at),
             stamp(r.deadline)) for r in s.rounds]


def _meeting(m: Meeting) -> Rows:
    return {"view_meetings": [(m.key, m.table, stamp(m.starts_at),
                               local_date(m.starts_at).isoformat(), m.place, m.status)]}


def _document(d: Document) -> Rows:
    return {"view_rounds": _rounds(d)}


def _minutes(m: Minutes) -> Rows:
    return {"view_minutes": [(m.key, m.table, m.meeting, m.status, m.text_version)],
            "view_rounds": _rounds(m)}


def _action(a: Action) -> Rows:
    return {"view_actions": [(a.key, a.table, a.meeting, a.item, a.text, a.status,
                              int(a.status.outstanding), a.due.isoformat() if a.due else None,
                              a.carried_over)],
            "view_action_owners": [(a.key, o) for o in a.owners]}


def _table(t: Table) -> Rows:
    return {"view_memberships": [
        (t.key, m.number, m.person, m.organisation, m.function, m.since.isoformat(),
         m.until.isoformat() if m.until else None, int(m.office_holder))
        for m in t.memberships]}


ROWS: dict[type[Aggregate], Callable[[Any], Rows]] = {
    Meeting: _meeting, Document: _document, Minutes: _minutes, Action: _action,
    Table: _table,
}


class ReadModel:
    """The views and their position, written in one transaction on either store.

    SQL is written once, with `?` placeholders; the PostgreSQL variant translates them."""

    datastore: Any
    TRACKING_TABLE = "tracking"
    # The application's cipher on an encrypted store (`open_read_model`): the states and
    # the action texts are then stored sealed (base64 of AES-GCM), the query columns (ids,
    # dates, statuses) stay in clear so that they can be queried.
    cipher: Any = None

    def seal(self, text: str | None) -> str | None:
        if self.cipher is None or text is None:
            return text
        return base64.b64encode(self.cipher.encrypt(text.encode("utf8"))).decode("ascii")

    def unseal(self, text: str | None) -> str | None:
        if self.cipher is None or text is None:
            return text
        return self.cipher.decrypt(base64.b64decode(text)).decode("utf8")

    def create_statements(self) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS view_state (id TEXT PRIMARY KEY, kind TEXT, key TEXT, "
            "version INTEGER, state TEXT)",
            *(f"CREATE TABLE IF NOT EXISTS {name} ({columns})"
              for name, columns in TABLES.items()),
            *INDEXES,
        ]

    def sql(self, statement: str) -> str:
        return statement

    def _lock(self, c: Any, application_name: str) -> None:
        """Serialise writers of the view before reading its position."""
        raise NotImplementedError

    def _execute(self, c: Any, statement: str, params: Sequence[Any] = ()) -> None:
        c.execute(self.sql(statement), tuple(params))

    # --- writing ------------------------------------------------------------------

    def process(self, application_name: str, batch: Sequence[tuple[DomainEvent, int]]
                ) -> int:
        """Apply the events of a contiguous stretch of the log that the view has not seen
        yet, and move its position to the last one, atomically. Events another process
        applied meanwhile are skipped. Returns how many were applied."""
        with self.datastore.transaction(commit=True) as c:
            self._lock(c, application_name)
            position = self._max_tracking_id(application_name, c) or 0
            todo = [(event, n) for event, n in batch if n > position]
            if not todo:
                return 0
            states: dict[str, Aggregate] = {}
            for event, _ in todo:
                sid = event.originator_id.hex
                state = states.get(sid) or self._load_state(c, sid)
                states[sid] = event.mutate(state)
            for sid, state in states.items():
                self._save_state(c, sid, state)
            self._insert_tracking(c, Tracking(application_name, todo[-1][1]))
            return len(todo)

    def _load_state(self, c: Any, sid: str) -> Aggregate | None:
        self._execute(c, "SELECT kind, state FROM view_state WHERE id = ?", (sid,))
        row = c.fetchone()
        return AGGREGATES[row["kind"]].model_validate_json(self.unseal(row["state"])) \
            if row else None

    def _save_state(self, c: Any, sid: str, state: Aggregate) -> None:
        self._execute(c, "DELETE FROM view_state WHERE id = ?", (sid,))
        self._execute(c, "INSERT INTO view_state VALUES (?, ?, ?, ?, ?)",
                      (sid, state.KIND, state.key, state.version,
                       self.seal(state.model_dump_json())))
        rows_for = ROWS.get(type(state))
        if rows_for is None:
            return
        for table, rows in rows_for(state).items():
            self._execute(c, f"DELETE FROM {table} WHERE source = ?", (sid,))
            if rows and table == "view_actions":
                rows = [(*r[:4], self.seal(r[4]), *r[5:]) for r in rows]
            if rows:
                marks = ", ".join("?" * (len(rows[0]) + 1))
                c.executemany(self.sql(f"INSERT INTO {table} VALUES ({marks})"),
                              [(sid, *row) for row in rows])

    def reset(self, application_name: str) -> None:
        """Empty every view and forget the position: the next catch-up rebuilds from zero."""
        with self.datastore.transaction(commit=True) as c:
            self._lock(c, application_name)
            for table in ("view_state", *TABLES):
                self._execute(c, f"DELETE FROM {table}")
            self._execute(c, f"DELETE FROM {self.TRACKING_TABLE} WHERE application_name = ?",
                          (application_name,))

    def may_write(self) -> bool:
        """Whether this login may bring the views up to date (an auditor's may not)."""
        return True

    # --- reading ------------------------------------------------------------------

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as c:
            self._execute(c, sql, tuple(params))
            return [dict(row) for row in c.fetchall()]

    def state(self, cls: type[Aggregate], key: str) -> Aggregate | None:
        rows = self.query("SELECT state FROM view_state WHERE kind = ? AND key = ?",
                          (cls.KIND, key))
        return cls.model_validate_json(self.unseal(rows[0]["state"])) if rows else None

    def states(self, cls: type[Aggregate], keys: Iterable[str] | None = None
               ) -> list[Aggregate]:
        if keys is None:
            rows = self.query("SELECT state FROM view_state WHERE kind = ? ORDER BY key",
                              (cls.KIND,))
        else:
            keys = list(keys)
            if not keys:
                return []
            marks = ", ".join("?" * len(keys))
            rows = self.query(f"SELECT state FROM view_state WHERE kind = ? AND key IN "
                              f"({marks}) ORDER BY key", (cls.KIND, *keys))
        return [cls.model_validate_json(self.unseal(r["state"])) for r in rows]


class SQLiteReadModel(ReadModel, SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.create_statements()]

    def _lock(self, c: Any, application_name: str) -> None:
        # A write as the first statement takes SQLite's write lock (waiting for it), so no
        # other writer can move the position between our read of it and our commit.
        c.execute("UPDATE tracking SET notification_id = notification_id "
                  "WHERE application_name = ?", (application_name,))
