"""The read side alone (issue 16, point 4: a fast start): a query on a plain SQLite store
whose read model is caught up opens the store without the application (`lrt_app.Lrt`, the
write side), finds the read model's position equal to the log's by SQL, reads the acting
user from it, and answers from its rows; so it imports none of the domain's event classes
and builds no pydantic model it does not read (the read rules read plain rows:
`lrt_domain.read_rules.TableRow`). It reads the store on a connection of its own, checked
as the application's are (`lrt_app.bootstrap.read_side`): the library's pool and factory are
not imported either.

Anything else is the application's (`cli.session.Session` falls back to it, and it says
what is wrong the way it always did): PostgreSQL (the database login is the user), a key
(an encrypted store), a read model behind the log or built by another lrt (catching up
decodes the events), a user not found or deactivated, a store that is not what it should
be. `lrt_app.bootstrap.read_side` builds it, checked as `build` checks a store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from lrt_domain.roles import ActorRow, Role, aggregate_id

if TYPE_CHECKING:
    from lrt_app.application import Lrt
    from lrt_app.clock import Clock
    from lrt_domain.base import Aggregate

A = TypeVar("A", bound="Aggregate")

NAME = "LRT"  # `Lrt.name`: the application's name in the tracking table
# `projections.read_model.SCHEMA` (that module imports the whole domain; a test holds the two
# equal): a read model of another schema is the application's to rebuild
SCHEMA = "7"
EVENTS_TABLE = "stored_events"  # the library's SQLite events table
CHAIN_TABLE = "stored_chain"  # its hash chain's (`lrt_app.chain.chain_table_for`)
USER_KIND = "user"  # `directory.User.KIND`


class ReadSide:
    """What `Views` reads besides the read model (`name`, `clock`), on the store's own
    connection; `application()` is the whole application, built when a query needs the log
    itself (`history`)."""

    name = NAME

    def __init__(self, connection: sqlite3.Connection, clock: Clock,
                 application: Callable[[], Lrt]):
        self.connection = connection
        self.connection.row_factory = sqlite3.Row
        self.clock = clock
        self._application = application

    def application(self) -> Lrt:
        return self._application()

    def reader(self, user: str | None) -> tuple[Reading, ActorRow] | None:
        """The read model and `user` as it holds them (`Views.alone`), or None when the
        application must answer (the read model behind or outdated, no such active user, a
        store that is not plainly readable)."""
        if not user:
            return None
        model = Reading(self.connection)
        state = model.current_user(user)
        if state is None or state.get("active") is not True:
            return None
        return model, ActorRow(user=state["key"], role=Role(state["role"]),
                               organisation=state.get("organisation"),
                               person=state.get("person"))

    def close(self) -> None:
        from lrt_app.sqlite_store import checkpoint_connection

        checkpoint_connection(self.connection)  # as the application's close does
        self.connection.close()


class StateQueries:
    """A state, or states, of one kind by key, from the read model's `view_state`: the
    read model's (`ReadModel`) and the read side's (`Reading`) alike, each with its own
    `query` and `open_state`."""

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def open_state(self, cls: type[A], row: dict[str, Any]) -> A:
        raise NotImplementedError

    def state(self, cls: type[A], key: str) -> A | None:
        # by id, the aggregate's own (a key column edited to another's does not move it)
        rows = self.query("SELECT id, version, state FROM view_state WHERE id = ? "
                          "AND kind = ?", (cls.id_for(key).hex, cls.KIND))
        return self.open_state(cls, rows[0]) if rows else None

    def states(self, cls: type[A], keys: Iterable[str] | None = None) -> list[A]:
        if keys is None:
            rows = self.query("SELECT id, version, state FROM view_state WHERE kind = ? "
                              "ORDER BY key", (cls.KIND,))
        else:
            keys = list(keys)
            if not keys:
                return []
            marks = ", ".join("?" * len(keys))
            # by id alone, the kind checked and the rows sorted here: with `kind = ?` or
            # ORDER BY key in the query SQLite walks every state of the kind in the (kind,
            # key) index, which grows with the history, rather than look up each id
            rows = sorted((r for r in self.query(
                f"SELECT id, kind, key, version, state FROM view_state WHERE id IN ({marks})",
                [cls.id_for(k).hex for k in keys]) if r["kind"] == cls.KIND),
                key=lambda r: str(r["key"]))
        return [self.open_state(cls, r) for r in rows]


class Reading(StateQueries):
    """The read model, read only, on a plain store (no cipher): `ReadModel`'s reading half
    (`query`, `state`, `states`, `unseal`; a test holds them to the same answers)."""

    cipher = None

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def current_user(self, user: str) -> dict[str, Any] | None:
        """The state of `user` as the read model holds it, when the read model is current:
        of this lrt's schema, at the log's last event, over a plain store (its first event
        a JSON object, as `Lrt.check_key` tells one), its hash chain binding its last event
        (else the application refuses it: `ChainedSQLiteApplicationRecorder._unchained`);
        else None. In one read transaction."""
        c = self.connection.cursor()
        c.execute("BEGIN")
        try:
            c.execute("SELECT value FROM view_meta WHERE name = 'schema'")
            schema = c.fetchone()
            c.execute(f"SELECT rowid, originator_id, originator_version FROM {EVENTS_TABLE} "
                      "ORDER BY rowid DESC LIMIT 1")
            last = c.fetchone()
            c.execute(f"SELECT notification_id, originator_id, originator_version "
                      f"FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
            link = c.fetchone()
            c.execute("SELECT MAX(notification_id) FROM tracking WHERE application_name = ?",
                      (NAME,))
            position = c.fetchone()[0]
            if schema is None or schema[0] != SCHEMA or last is None or link is None \
                    or (link[0], str(link[1]), link[2]) != (last[0], str(last[1]), last[2]) \
                    or position != last[0]:
                return None
            c.execute(f"SELECT state FROM {EVENTS_TABLE} WHERE rowid >= 1 ORDER BY rowid "
                      "LIMIT 1")
            first = c.fetchone()[0]
            if not _json_object(first):
                return None  # encrypted, or malformed: the application says which
            c.execute("SELECT state FROM view_state WHERE id = ? AND kind = ?",
                      (aggregate_id(USER_KIND, user).hex, USER_KIND))
            row = c.fetchone()
        finally:
            c.execute("ROLLBACK")
        found = json.loads(row[0]) if row else None
        return found if isinstance(found, dict) else None

    @staticmethod
    def state_place(sid: str, version: int) -> str:
        return f"state/{sid}/{version}"

    @staticmethod
    def text_place(action: str) -> str:
        return f"action/{action}"

    def unseal(self, text: str | None, bound_to: str) -> str | None:
        return text  # a plain store

    def max_tracking_id(self, application_name: str) -> int | None:
        rows = self.query("SELECT MAX(notification_id) AS n FROM tracking "
                          "WHERE application_name = ?", (application_name,))
        return rows[0]["n"] if rows else None

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self.connection.execute(sql, tuple(params))]

    def open_state(self, cls: type[A], row: dict[str, Any]) -> A:
        try:
            return cls.model_validate_json(row["state"] or "")
        except ValueError:  # pydantic's ValidationError: a row altered (its kind, say)
            from lrt_app.persistence import Unbound

            raise Unbound(f"read model: the state of {row['id']} is not a {cls.KIND}; "
                          "rebuild with 'lrt projections rebuild'") from None


def _json_object(data: Any) -> bool:
    """Whether a stored event is a JSON object: a plain store's (`Lrt.check_key`)."""
    if not isinstance(data, bytes):
        return False
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:  # also UnicodeDecodeError
        return False
