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


# A state's long fields are kept apart (`projections.read_model`): each top-level field
# whose value is a tuple or list of more than PART_SIZE elements is stored in
# `view_state_parts`, PART_SIZE elements per row, and its `view_state` row holds the other
# fields; so appending an element to a long field rewrites one small row, not the state.
PART_SIZE = 64
# A SELECT of states from `view_state s` with their parts (one row per part, or one row
# with NULL part columns for a state without any): `gathered` makes one row per state.
PART_COLUMNS = "p.field AS part_field, p.part AS part_number, p.items AS part_items"
PART_JOIN = "LEFT JOIN view_state_parts p ON p.id = s.id"


def gathered(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of states joined with their parts: one row per state, in the order first met,
    with its parts as `parts`: (field, number, items) each."""
    found: dict[Any, dict[str, Any]] = {}
    for r in rows:
        row = found.get(r["id"])
        if row is None:
            row = found[r["id"]] = {k: v for k, v in r.items() if not k.startswith("part_")}
            row["parts"] = []
        if r.get("part_field") is not None:
            row["parts"].append((r["part_field"], r["part_number"], r["part_items"]))
    return list(found.values())


def joined(sid: str, text: str, parts: Iterable[tuple[str, int, str]]) -> str:
    """A state's JSON text: its row's text (an object without its long fields) and the
    elements of its parts (JSON arrays, unsealed), each field's parts in their order."""
    fields: dict[str, list[str]] = {}
    for field, number, items in sorted(parts, key=lambda p: (p[0], p[1])):
        chunks = fields.setdefault(field, [])
        if number != len(chunks) or len(items) < 3 or items[0] != "[" or items[-1] != "]":
            from lrt_app.persistence import Unbound

            raise Unbound(f"read model: the parts of the state of {sid} do not fit "
                          "together; rebuild with 'lrt projections rebuild'")
        chunks.append(items[1:-1])
    if not fields:
        return text
    if not text.endswith("}"):
        from lrt_app.persistence import Unbound

        raise Unbound(f"read model: the state of {sid} is not an object; rebuild with "
                      "'lrt projections rebuild'")
    return text[:-1] + "".join(f",{json.dumps(field)}:[{','.join(chunks)}]"
                               for field, chunks in fields.items()) + "}"


class StateQueries:
    """A state, or states, of one kind by key, from the read model's `view_state` (and
    `view_state_parts`): the read model's (`ReadModel`) and the read side's (`Reading`)
    alike, each with its own `query` and `unseal`."""

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def unseal(self, text: str | None, bound_to: str) -> str | None:
        raise NotImplementedError

    @staticmethod
    def state_place(sid: str, version: int) -> str:
        """Where a sealed state belongs: its aggregate and version (view_state and
        view_snapshots)."""
        return f"state/{sid}/{version}"

    @staticmethod
    def part_place(sid: str, field: str, number: int) -> str:
        """Where a sealed part of a state belongs: its aggregate, field and number (a part
        is kept while its elements stay the same, over versions of its state)."""
        return f"part/{sid}/{field}/{number}"

    def state_text(self, row: dict[str, Any]) -> str:
        """The JSON text of a state as stored in a row with its `id`, `version`, `state`
        and (`gathered`) `parts`, unsealed and joined."""
        sid = row["id"]
        text = self.unseal(row["state"], self.state_place(sid, row["version"])) or ""
        parts = row.get("parts")
        if not parts:
            return text
        return joined(sid, text, [(field, number, self.unseal(
            items, self.part_place(sid, field, number)) or "")
            for field, number, items in parts])

    def open_state(self, cls: type[A], row: dict[str, Any]) -> A:
        """A state as stored in a row with its `id`, `version`, `state` and `parts`."""
        return self.parse_state(cls, row["id"], self.state_text(row))

    @staticmethod
    def parse_state(cls: type[A], sid: str, text: str) -> A:
        """The state of `sid` from its JSON text; refused (one line) when it is not one of
        `cls` (a row altered: its kind, say)."""
        try:
            return cls.model_validate_json(text)
        except ValueError:  # pydantic's ValidationError
            from lrt_app.persistence import Unbound

            raise Unbound(f"read model: the state of {sid} is not a {cls.KIND}; "
                          "rebuild with 'lrt projections rebuild'") from None

    def state_rows(self, where: str, params: Iterable[Any], order: str = "") -> list[
            dict[str, Any]]:
        """The rows of the states `where` selects (on `view_state s`), with their parts,
        in one statement (so in one transaction)."""
        return gathered(self.query(
            f"SELECT s.id, s.kind, s.key, s.version, s.state, {PART_COLUMNS} "
            f"FROM view_state s {PART_JOIN} WHERE {where}{order}", params))

    def state(self, cls: type[A], key: str) -> A | None:
        # by id, the aggregate's own (a key column edited to another's does not move it)
        rows = self.state_rows("s.id = ? AND s.kind = ?", (cls.id_for(key).hex, cls.KIND))
        return self.open_state(cls, rows[0]) if rows else None

    def states(self, cls: type[A], keys: Iterable[str] | None = None) -> list[A]:
        if keys is None:
            rows = self.state_rows("s.kind = ?", (cls.KIND,), " ORDER BY s.key")
        else:
            keys = list(keys)
            if not keys:
                return []
            marks = ", ".join("?" * len(keys))
            # by id alone, the kind checked and the rows sorted here: with `kind = ?` or
            # ORDER BY key in the query SQLite walks every state of the kind in the (kind,
            # key) index, which grows with the history, rather than look up each id
            rows = sorted((r for r in self.state_rows(
                f"s.id IN ({marks})", [cls.id_for(k).hex for k in keys])
                if r["kind"] == cls.KIND), key=lambda r: str(r["key"]))
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
            c.execute(f"SELECT s.id, s.version, s.state, {PART_COLUMNS} FROM view_state s "
                      f"{PART_JOIN} WHERE s.id = ? AND s.kind = ?",
                      (aggregate_id(USER_KIND, user).hex, USER_KIND))
            rows = gathered(dict(r) for r in c.fetchall())
        finally:
            c.execute("ROLLBACK")
        found = json.loads(self.state_text(rows[0])) if rows else None
        return found if isinstance(found, dict) else None

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


def _json_object(data: Any) -> bool:
    """Whether a stored event is a JSON object: a plain store's (`Lrt.check_key`)."""
    if not isinstance(data, bytes):
        return False
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:  # also UnicodeDecodeError
        return False
