"""The read model: every view of lrt, kept in the store's own SQLite file.

It is a tracking recorder of the eventsourcing library: the view rows and the position in
the application's notification log are written in one transaction, so a view is always
exactly "all events up to its position". It catches up from that position (never from the
start), and `reset` empties it for a rebuild.

Each aggregate's current state is kept as JSON (`view_state`), advanced by the domain's own
`apply` functions; the query tables below are derived from that state by one small
function per kind of aggregate (`ROWS`), so every rule lives in the domain alone.

A state's long fields are kept apart, so that a change costs what it changes, not the
state's size (issue 16: appending the 10,000th agenda item rewrote and re-serialised all
10,000): a top-level tuple or list of more than `PART_SIZE` elements is stored in
`view_state_parts`, `PART_SIZE` elements per row (a JSON array), and the state's row holds
the other fields. A write serialises and rewrites only the parts whose elements are not the
very objects stored (or equal ones, where equal elements are written alike: `_save_states`);
a read joins the row and its parts into the state's JSON again
(`projections.reading.StateQueries`, one statement). On an encrypted store each part is
sealed for its place (`part_place`: aggregate, field, number). Snapshots keep whole states.

Versions, for the views as they stood at an earlier moment (`projections.as_of`):
- `view_versions`: per event, the aggregate's version, its position in the log and its record
  time, so a record time maps to a position and a position to each aggregate's version;
- `view_snapshots`: an aggregate's state every `SNAPSHOT_EVERY` versions, so that a state at
  any version is a snapshot plus fewer than that many of the aggregate's own events; a state
  with long fields is kept in parts as in `view_state`, each part in
  `view_snapshot_parts` by its digest, stored once however many snapshots share it, so
  that the snapshots of a state that grows with its history take storage linear in it;
- `hist_<table>`: every row a query table ever held, valid from position `valid_from` until
  position `valid_until` (NULL: still valid). Rows are rewritten only when they change.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timezone
from enum import Enum
from functools import lru_cache
from operator import is_
from types import NoneType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder
from pydantic import BaseModel, TypeAdapter

from lrt_app import library_private
from lrt_app.persistence import Unbound
from lrt_domain.actions import Action
from lrt_domain.base import Aggregate, DomainEvent
from lrt_domain.catalogue import AGGREGATES
from lrt_domain.comments import Comment
from lrt_domain.documents import Document
from lrt_domain.dutch_time import local_date
from lrt_domain.mail import Mail
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes
from lrt_domain.tables import Table

from .reading import PART_SIZE, StateQueries, joined

A = TypeVar("A", bound=Aggregate)


@lru_cache(maxsize=1 << 16)  # a round's times are stamped again with each of its events
def stamp(moment: datetime) -> str:
    """A UTC time that sorts as text: 2026-12-02T17:40:16.000000Z (what
    `strftime("%Y-%m-%dT%H:%M:%S.%fZ")` gives, at a fraction of its cost)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")[:26] + "Z"


# --- query tables, each row derived from one aggregate's state ("source") ----------------

TABLES: dict[str, str] = {
    "view_meetings": "source TEXT, key TEXT, table_code TEXT, starts_at TEXT, day TEXT, "
                     "place TEXT, status TEXT",
    "view_rounds": "source TEXT, subject TEXT, subject_kind TEXT, number INTEGER, "
                   "table_code TEXT, meeting TEXT, opened_at TEXT, deadline TEXT",
    # each subject's current round (its last opened) alone: what Views.deadlines lists
    "view_current_rounds": "source TEXT, subject TEXT, subject_kind TEXT, number INTEGER, "
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
    "view_mail": "source TEXT, key TEXT, table_code TEXT, kind TEXT, recipient_kind TEXT, "
                 "recipient TEXT, status TEXT, attempts INTEGER, next_attempt TEXT, "
                 "decided_at TEXT, last_error TEXT",
    # comments in their own streams (issue 16); those recorded on their subject before are
    # in the subject's state (`projections.common.round_comments` reads both)
    "view_comments": "source TEXT, key TEXT, subject TEXT, subject_kind TEXT, "
                     "round INTEGER, table_code TEXT, meeting TEXT, person TEXT, "
                     "organisation TEXT, received_at TEXT",
}
# The query tables as they were: each row with the positions it was valid between.
HISTORY: dict[str, str] = {
    f"hist_{name}": f"{columns}, valid_from INTEGER, valid_until INTEGER"
    for name, columns in TABLES.items()}
VERSIONS = {
    "view_versions": "id TEXT, version INTEGER, position INTEGER, recorded_at TEXT",
    "view_snapshots": "id TEXT, version INTEGER, state TEXT",
    # a chunk of a snapshot's long sequence, by its digest (`ReadModel.digest`)
    "view_snapshot_parts": "id TEXT, digest TEXT, items TEXT",
    "view_meta": "name TEXT PRIMARY KEY, value TEXT",
}
# Raise when what the read model keeps changes: an older read model is then rebuilt.
SCHEMA = "7"  # 3: sealed values bound to their rows (lrt_app.persistence.BoundCipher)
# 4: the outbox (view_mail); 5: view_current_rounds (each subject's current round),
# view_meetings by day; 6: comments in their own streams (view_comments); 7: a state's long
# fields in parts (view_state_parts), and its snapshots too (view_snapshot_parts)
SNAPSHOT_EVERY = 100
LOAD_AT_ONCE = 500  # ids per SELECT of stored states (SQLite allows 32,766 parameters)
KNOWN_STATES = 256  # states kept in memory by the process that writes the views
# Every table of the read model besides the tracking table (grants, reset).
VIEW_TABLES = ["view_state", "view_state_parts", *TABLES, *HISTORY, *VERSIONS]

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS view_state_key ON view_state (kind, key)",
    "CREATE INDEX IF NOT EXISTS view_meetings_table ON view_meetings (table_code, starts_at)",
    "CREATE INDEX IF NOT EXISTS view_meetings_key ON view_meetings (key)",
    # the coming meetings (Views.calendar since a day) without reading the past ones
    "CREATE INDEX IF NOT EXISTS view_meetings_day ON view_meetings (day)",
    "CREATE INDEX IF NOT EXISTS view_rounds_deadline ON view_rounds (deadline)",
    # the current rounds by deadline (Views.deadlines): one range of this index, however
    # many rounds the history holds
    "CREATE INDEX IF NOT EXISTS view_current_rounds_deadline ON view_current_rounds "
    "(deadline)",
    "CREATE INDEX IF NOT EXISTS view_actions_status ON view_actions (outstanding, due)",
    "CREATE INDEX IF NOT EXISTS view_action_owners_org ON view_action_owners (organisation)",
    "CREATE INDEX IF NOT EXISTS view_mail_status ON view_mail (status, next_attempt)",
    "CREATE INDEX IF NOT EXISTS view_comments_round ON view_comments (subject, round)",
    # a subject's comments per round as of a position (projections.as_of): this index alone
    "CREATE INDEX IF NOT EXISTS hist_view_comments_round ON hist_view_comments "
    "(subject, round, valid_from, valid_until)",
    "CREATE INDEX IF NOT EXISTS view_versions_id ON view_versions (id, position)",
    "CREATE INDEX IF NOT EXISTS view_versions_time ON view_versions (recorded_at, position)",
    "CREATE UNIQUE INDEX IF NOT EXISTS view_snapshots_id ON view_snapshots (id, version)",
    "CREATE UNIQUE INDEX IF NOT EXISTS view_snapshot_parts_id ON view_snapshot_parts "
    "(id, digest)",
] + [f"CREATE INDEX IF NOT EXISTS {t}_source ON {t} (source)" for t in TABLES] + [
    f"CREATE INDEX IF NOT EXISTS {t}_open ON {t} (source, valid_until)" for t in HISTORY]

Rows = dict[str, list[tuple[Any, ...]]]


def chunks(items: list[str], size: int = LOAD_AT_ONCE) -> Iterator[list[str]]:
    """Few enough ids for one IN (...) list."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _rounds(s: Document | Minutes) -> list[tuple[Any, ...]]:
    return [(s.key, s.KIND, r.number, s.table, s.meeting, stamp(r.opened_at),
             stamp(r.deadline)) for r in s.rounds]


def _round_tables(s: Document | Minutes) -> Rows:
    """Every round of the subject, and its current one (the last opened) apart, so that the
    current rounds are one index range, not a comparison of each subject's rounds."""
    every = _rounds(s)
    return {"view_rounds": every, "view_current_rounds": every[-1:]}


def _meeting(m: Meeting) -> Rows:
    return {"view_meetings": [(m.key, m.table, stamp(m.starts_at),
                               local_date(m.starts_at).isoformat(), m.place, m.status)]}


def _document(d: Document) -> Rows:
    return _round_tables(d)


def _minutes(m: Minutes) -> Rows:
    return {"view_minutes": [(m.key, m.table, m.meeting, m.status, m.text_version)],
            **_round_tables(m)}


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


def _mail(m: Mail) -> Rows:
    return {"view_mail": [(m.key, m.table, m.kind, m.recipient_kind, m.recipient, m.status,
                           m.attempts, stamp(m.next_attempt) if m.next_attempt else None,
                           stamp(m.created_on), m.last_error)]}


def _comment(c: Comment) -> Rows:
    return {"view_comments": [(c.key, c.subject, c.subject_kind, c.round, c.table, c.meeting,
                               c.person, c.organisation, stamp(c.received_at))]}


ROWS: dict[type[Aggregate], Callable[[Any], Rows]] = {
    Meeting: _meeting, Document: _document, Minutes: _minutes, Action: _action,
    Table: _table, Mail: _mail, Comment: _comment,
}


def rows_of(state: Aggregate | None) -> Rows:
    rows_for = ROWS.get(type(state)) if state is not None else None
    return rows_for(state) if rows_for else {}


def packed(rest: str, digests: dict[str, list[str]]) -> str:
    """A snapshot as `view_snapshots` keeps it: the state's JSON without its long fields,
    with the digests of their parts, by field, in front (a state's own JSON begins with a
    field of its model); without long fields, the state's JSON alone."""
    if not digests:
        return rest
    return _PARTS + json.dumps(digests, separators=(",", ":")) + (
        "," + rest[1:] if rest != "{}" else "}")


def unpacked(text: str) -> tuple[str, dict[str, list[str]]]:
    """`packed`'s two halves again."""
    if not text.startswith(_PARTS):
        return text, {}
    digests, end = _DECODER.raw_decode(text, len(_PARTS))
    rest = text[end:]
    return "{" + (rest[1:] if rest.startswith(",") else rest), digests


_PARTS = '{"__parts__":'
_DECODER = json.JSONDecoder()


def long_fields(state: Aggregate) -> dict[str, tuple[Any, ...] | list[Any]]:
    """The top-level fields of a state kept in parts: tuples and lists longer than
    PART_SIZE (the read model's rows then stay small however long an agenda grows)."""
    found: dict[str, tuple[Any, ...] | list[Any]] = {}
    values = state.__dict__
    for field in type(state).model_fields:
        value = values[field]
        if isinstance(value, (tuple, list)) and len(value) > PART_SIZE:
            found[field] = value
    return found


@lru_cache(maxsize=None)
def _parted(cls: type[Aggregate], field: str) -> tuple[TypeAdapter[Any], bool]:
    """How a field's parts are written: what serialises a part (its elements as the state's
    own JSON has them), and whether equal elements are known to serialise alike
    (`exact_equality`)."""
    annotation: Any = cls.model_fields[field].annotation or Any
    return TypeAdapter(annotation), exact_equality(annotation)


@lru_cache(maxsize=None)
def exact_equality(annotation: Any) -> bool:
    """Whether two equal values of this type always have the same JSON text: made of texts,
    whole numbers, booleans, ids, enumerations and dates alone (and models, tuples, lists
    and unions of them). Not so datetimes (equal in two zones, written in each) or floats
    (0.0 and -0.0)."""
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            fields: list[Any] = [f.annotation for f in annotation.model_fields.values()]
            return all(exact_equality(f) for f in fields)
        if issubclass(annotation, (datetime, float)):
            return False
        return issubclass(annotation, (str, int, UUID, Enum, date, NoneType))
    if get_origin(annotation) in (tuple, list, Union, UnionType):
        return all(a is Ellipsis or exact_equality(a) for a in get_args(annotation))
    return False


class _History:
    """The history rows a batch of events changes, kept in memory and written at its end.

    A source's rows in a table change at a position: the rows before are closed there and
    the new ones opened. Rows still open in the store (from earlier batches) are closed by
    one UPDATE per source and table; rows opened and closed within the batch are inserted
    closed; the rows still open at its end are inserted open. The result is the same as
    writing each change as it happens (`projections verify` compares with a fold)."""

    def __init__(self) -> None:
        self.close: dict[str, list[tuple[int, str]]] = {}  # table: (position, source)
        self.open: dict[tuple[str, str], tuple[list[tuple[Any, ...]], int]] = {}
        self.done: dict[str, list[tuple[list[tuple[Any, ...]], str, int, int]]] = {}

    def change(self, table: str, sid: str, rows: list[tuple[Any, ...]], position: int
               ) -> None:
        earlier = self.open.pop((table, sid), None)
        if earlier is None:
            self.close.setdefault(table, []).append((position, sid))
        elif earlier[0]:
            self.done.setdefault(table, []).append((earlier[0], sid, earlier[1], position))
        self.open[(table, sid)] = (rows, position)

    def write(self, c: Any, model: ReadModel) -> None:
        for table, closing in self.close.items():
            c.executemany(model.sql(f"UPDATE hist_{table} SET valid_until = ? "
                                    "WHERE source = ? AND valid_until IS NULL"), closing)
        inserts: dict[str, list[tuple[Any, ...]]] = {}
        for table, spans in self.done.items():
            inserts[table] = [(sid, *row, since, until) for rows, sid, since, until in spans
                              for row in model._sealed(table, rows)]
        for (table, sid), (rows, since) in self.open.items():
            inserts.setdefault(table, []).extend(
                (sid, *row, since, None) for row in model._sealed(table, rows))
        for table, new in inserts.items():
            if new:
                marks = ", ".join("?" * len(new[0]))
                c.executemany(model.sql(f"INSERT INTO hist_{table} VALUES ({marks})"), new)


class ReadModel(StateQueries):
    """The views and their position, written in one transaction on either store.

    SQL is written once, with `?` placeholders; the PostgreSQL variant translates them."""

    datastore: Any
    TRACKING_TABLE = "tracking"
    # the library's tracking recorder, which every concrete read model also is
    max_tracking_id: Callable[[str], int | None]
    # The application's cipher on an encrypted store (`open_read_model`): the states and
    # the action texts are then stored sealed (base64 of AES-GCM), each bound to its row
    # (`state_place`, `text_place`), so that a sealed value moved to another row does not
    # open; the query columns (ids, dates, statuses) stay in clear so that they can be
    # queried (persons have keyed ids there: `Lrt.register_person`).
    cipher: Any = None

    @staticmethod
    def text_place(action: str) -> str:
        """Where a sealed action text belongs: its action (view_actions and its history)."""
        return f"action/{action}"

    def seal(self, text: str | None, bound_to: str) -> str | None:
        if self.cipher is None or text is None:
            return text
        return self.cipher.seal(text, bound_to)  # type: ignore[no-any-return]

    def unseal(self, text: str | None, bound_to: str) -> str | None:
        """The value sealed for `bound_to`; refused (one line) when it was sealed for
        another place, with another key, or altered."""
        if self.cipher is None or text is None:
            return text
        return self.cipher.unseal(text, bound_to)  # type: ignore[no-any-return]

    @staticmethod
    def snapshot_part_place(sid: str, digest: str) -> str:
        """Where a sealed chunk of a snapshot belongs (view_snapshot_parts)."""
        return f"snapshot-part/{sid}/{digest}"

    def create_statements(self) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS view_state (id TEXT PRIMARY KEY, kind TEXT, key TEXT, "
            "version INTEGER, state TEXT)",
            # a state's long fields (`_save_states`): PART_SIZE elements per row, a JSON array
            "CREATE TABLE IF NOT EXISTS view_state_parts (id TEXT, field TEXT, part INTEGER, "
            "items TEXT, PRIMARY KEY (id, field, part))",
            *(f"CREATE TABLE IF NOT EXISTS {name} ({columns})"
              for name, columns in {**TABLES, **HISTORY, **VERSIONS}.items()),
            *INDEXES,
        ]

    def sql(self, statement: str) -> str:
        return statement

    def schema(self, c: Any) -> str:
        """The schema that holds the read model's tables."""
        return "main"

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
            return self.apply(c, application_name, batch)

    def apply(self, c: Any, application_name: str,
              batch: Sequence[tuple[DomainEvent, int]]) -> int:
        """`process` within a transaction the caller holds (and commits).

        In bulk: the events are applied in memory, and what they change is written at the
        end with one `executemany` per statement (a state per aggregate, its query rows,
        the history rows and the versions), so a batch of thousands of events (a rebuild)
        costs a few statements, not a few per event."""
        position = library_private.max_tracking_id(self, application_name, c) or 0
        todo = [(event, n) for event, n in batch if n > position]
        if not todo:
            return 0
        states: dict[str, Aggregate] = {}
        rows: dict[str, Rows] = {}  # each state's query rows, as last written
        changed: dict[str, set[str]] = {}  # per state, the query tables to rewrite
        versions: list[tuple[Any, ...]] = []
        snapshots: list[tuple[Any, ...]] = []
        history = _History()
        stored = self._load_states(c, list(dict.fromkeys(e.originator_id.hex for e, _ in todo)))
        for event, n in todo:
            sid = event.originator_id.hex
            before: Aggregate | None
            if sid in states:
                before = states[sid]
            else:
                before = stored[sid]
                rows[sid] = rows_of(before)
                changed[sid] = set()
            state = states[sid] = event.mutate(before)
            versions.append((sid, state.version, n, stamp(event.timestamp)))
            if state.version % SNAPSHOT_EVERY == 0:
                snapshots.append((sid, state))
            after, earlier = rows_of(state), rows[sid]
            if after != earlier:
                for table in after.keys() | earlier.keys():
                    new = after.get(table, [])
                    if new != earlier.get(table, []):
                        history.change(table, sid, new, n)
                        changed[sid].add(table)
            rows[sid] = after
        history.write(c, self)
        self._save_states(c, states, {sid: {t: rows[sid].get(t, []) for t in changed[sid]}
                                      for sid in states}, stored)
        c.executemany(self.sql("INSERT INTO view_versions VALUES (?, ?, ?, ?)"), versions)
        self._save_snapshots(c, snapshots)
        library_private.insert_tracking(self, c, Tracking(application_name, todo[-1][1]))
        return len(todo)

    def _save_snapshots(self, c: Any, states: list[tuple[str, Aggregate]]) -> None:
        """Each state as `view_state` keeps it (`long_fields` apart, PART_SIZE elements a
        part), its parts named by digest in front of the rest (`packed`): a part that an
        earlier snapshot of the same aggregate holds is not stored again. A part whose
        elements are those of this process's last snapshot of the aggregate (compared as
        `_save_states` compares them) keeps its digest without being written out again, so
        the snapshots of a growing state cost what changed, not the state."""
        rows: list[tuple[Any, ...]] = []
        # by aggregate, each part by digest: its text, or how to write it if not held
        kept: dict[str, dict[str, str | tuple[TypeAdapter[Any], Any]]] = {}
        memos = self._snapshot_memos()
        for sid, state in states:
            long = long_fields(state)
            memo = memos.get(sid, {})
            digests: dict[str, list[str]] = {}
            for field, items in long.items():
                adapter, exact = _parted(type(state), field)
                before = memo.get(field, [])
                now: list[tuple[Any, str]] = []
                for number, start in enumerate(range(0, len(items), PART_SIZE)):
                    part = items[start:start + PART_SIZE]
                    old = before[number] if number < len(before) else None
                    if old is not None and (old[0] == part if exact else len(old[0]) == len(
                            part) and all(map(is_, part, old[0]))):
                        kept.setdefault(sid, {})[old[1]] = (adapter, part)
                        now.append((part, old[1]))
                        continue
                    text = adapter.dump_json(part).decode()
                    d = self.digest(text)
                    kept.setdefault(sid, {})[d] = text
                    now.append((part, d))
                digests[field] = [d for _, d in now]
                memo = {**memo, field: now}
            memos[sid] = {field: memo[field] for field in long}
            memos.move_to_end(sid)
            while len(memos) > KNOWN_STATES:
                memos.popitem(last=False)
            rest = state.model_dump_json(exclude=set(long)) if long \
                else state.model_dump_json()
            rows.append((sid, state.version, self.seal(
                packed(rest, digests), self.state_place(sid, state.version))))
        new: list[tuple[Any, ...]] = []
        for sid, parts in kept.items():
            held: set[str] = set()
            for chunk in chunks(list(parts)):
                self._execute(c, "SELECT digest FROM view_snapshot_parts WHERE id = ? AND "
                                 f"digest IN ({', '.join('?' * len(chunk))})", [sid, *chunk])
                held.update(row["digest"] for row in c.fetchall())
            for d, how in parts.items():
                if d not in held:  # (a rebuild or a rollback since the part was named)
                    text = how if isinstance(how, str) else how[0].dump_json(how[1]).decode()
                    new.append((sid, d, self.seal(text, self.snapshot_part_place(sid, d))))
        self._executemany(c, "INSERT INTO view_snapshot_parts VALUES (?, ?, ?)", new)
        self._executemany(c, "INSERT INTO view_snapshots VALUES (?, ?, ?)", rows)

    def _snapshot_memos(self) -> OrderedDict[str, dict[str, list[tuple[Any, str]]]]:
        """Per aggregate, the parts of this process's last snapshot of it: each part's
        elements and digest, by field."""
        memos: OrderedDict[str, dict[str, list[tuple[Any, str]]]] | None = \
            self.__dict__.get("_snapshot_parts")
        if memos is None:
            memos = self.__dict__["_snapshot_parts"] = OrderedDict()
        return memos

    def digest(self, text: str) -> str:
        """What names a snapshot's part: SHA-256 of its text, keyed on an encrypted store
        (so that the digest of a guessed text cannot be compared with the stored ones)."""
        if self.cipher is None:
            return hashlib.sha256(text.encode("utf8")).hexdigest()[:32]
        return self.cipher.keyed_id(  # type: ignore[no-any-return]
            "snapshot part", text, prefix="", digits=32)

    def open_snapshot(self, cls: type[A], row: dict[str, Any]) -> A:
        """A state as kept in `view_snapshots` (its `id`, `version` and `state`), joined
        again with its parts."""
        sid = row["id"]
        rest, digests = unpacked(self.unseal(
            row["state"], self.state_place(sid, row["version"])) or "")
        wanted = list({d for ds in digests.values() for d in ds})
        found: dict[str, str] = {}
        for chunk in chunks(wanted):
            for r in self.query("SELECT digest, items FROM view_snapshot_parts WHERE id = ? "
                                f"AND digest IN ({', '.join('?' * len(chunk))})",
                                [sid, *chunk]):
                found[r["digest"]] = self.unseal(
                    r["items"], self.snapshot_part_place(sid, r["digest"])) or ""
        if any(d not in found for d in wanted):
            raise Unbound(f"read model: a part of the snapshot of {sid} at version "
                          f"{row['version']} is missing; rebuild with 'lrt projections "
                          "rebuild'")
        return self.parse_state(cls, sid, joined(sid, rest, [
            (field, number, found[d]) for field, ds in digests.items()
            for number, d in enumerate(ds)]))

    def _load_states(self, c: Any, sids: list[str]) -> dict[str, Aggregate | None]:
        """The stored states of these aggregates (None: none yet), read LOAD_AT_ONCE ids
        per statement (a rebuild's batch of 5,000 events names thousands of aggregates,
        most of them new)."""
        found: dict[str, Any] = {}
        for chunk in chunks(sids):
            marks = ", ".join("?" * len(chunk))
            self._execute(c, "SELECT id, kind, version, state FROM view_state "
                             f"WHERE id IN ({marks})", chunk)
            found.update((row["id"], dict(row)) for row in c.fetchall())
        states = {sid: self._known_state(sid, found[sid]) for sid in sids if sid in found}
        # the parts of the states not known (a state's row is read in the same transaction)
        unknown = [sid for sid, state in states.items() if state is None]
        for i in range(0, len(unknown), LOAD_AT_ONCE):
            chunk = unknown[i:i + LOAD_AT_ONCE]
            marks = ", ".join("?" * len(chunk))
            self._execute(c, "SELECT id, field, part, items FROM view_state_parts "
                             f"WHERE id IN ({marks})", chunk)
            for part in c.fetchall():
                found[part["id"]].setdefault("parts", []).append(
                    (part["field"], part["part"], part["items"]))
        for sid in unknown:
            row = found[sid]
            state = self.open_state(AGGREGATES[row["kind"]], row)
            self._remember(sid, row["state"], state)
            states[sid] = state
        return {sid: states.get(sid) for sid in sids}

    def _known_state(self, sid: str, row: dict[str, Any]) -> Aggregate | None:
        """The state this process remembers for a stored row (None: it must be read)."""
        if row["kind"] not in AGGREGATES:
            raise Unbound(f"read model: the state of {sid} has an unknown kind; rebuild "
                          "with 'lrt projections rebuild'")
        known = self._known().get(sid)
        if known is not None and known[0] == row["state"] and known[1].KIND == row["kind"]:
            self._known().move_to_end(sid)
            return known[1]
        return None

    def _known(self) -> OrderedDict[str, tuple[str | None, Aggregate]]:
        """The states this process last read or wrote, by id, with their text exactly as
        stored: an event on an aggregate with a large state (10k agenda items) is applied
        to the state in memory, not to the state parsed again from its JSON (which grew
        with the state, 120 ms at 10k items: appending item by item was quadratic). Used
        only when the stored text is still exactly the one remembered (another process
        may have written since; a transaction may have been rolled back). That text is the
        state's row's, which names its version: its parts are the ones written with it."""
        known: OrderedDict[str, tuple[str | None, Aggregate]] | None = \
            self.__dict__.get("_known_states")
        if known is None:
            known = self.__dict__["_known_states"] = OrderedDict()
        return known

    def _remember(self, sid: str, text: str | None, state: Aggregate) -> None:
        known = self._known()
        known[sid] = (text, state)
        known.move_to_end(sid)
        while len(known) > KNOWN_STATES:
            known.popitem(last=False)

    def _sealed(self, table: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The rows as stored: an action's text sealed on an encrypted store."""
        if table == "view_actions":
            return [(*r[:4], self.seal(r[4], self.text_place(r[0])), *r[5:]) for r in rows]
        return rows

    def unsealed_row(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """A stored row as it was derived (the inverse of `_sealed`, and states parsed as
        JSON values): what `projections.verify` compares. Keep in step with `_sealed`."""
        if table in ("view_state", "view_snapshots"):
            return {**row, "state": json.loads(self.unseal(
                row["state"], self.state_place(row["id"], row["version"])) or "null")}
        if table == "view_state_parts":
            return {**row, "items": json.loads(self.unseal(
                row["items"], self.part_place(row["id"], row["field"], row["part"])) or "null")}
        if table in ("view_actions", "hist_view_actions"):
            return {**row, "text": self.unseal(row["text"], self.text_place(row["key"]))}
        if table == "view_snapshot_parts":
            return {**row, "items": json.loads(self.unseal(
                row["items"], self.snapshot_part_place(row["id"], row["digest"])) or "null")}
        return row

    def _save_states(self, c: Any, states: dict[str, Aggregate],
                     changed: dict[str, dict[str, list[tuple[Any, ...]]]],
                     stored: dict[str, Aggregate | None]) -> None:
        """Each state, and its query rows in the tables its events changed.

        A state's long fields (`long_fields`) are kept in `view_state_parts`, PART_SIZE
        elements per part, and its row holds the rest: only the parts whose elements are not
        all the very objects of the state as stored (`stored`: each state as this batch
        found it; the fold keeps the elements it does not change, `DomainEvent.mutate`) are
        serialised and written again, and those past a field's new end are deleted. So
        appending an agenda item writes the meeting's small row and its last part.

        Where equal elements are known to serialise alike (`exact_equality`: agenda items,
        attendance), a part of elements equal to those stored is kept too: the comparison
        is then the tuple's own, in C, which looks at the pointers first (2.5 times faster
        than asking `is` of each pair, a tenth of a millisecond at 10k items); elsewhere
        (datetimes) only the very objects keep a part, so that its text is always what a
        fold of the events writes."""
        ids = [(sid,) for sid in states]
        self._executemany(c, "DELETE FROM view_state WHERE id = ?", ids)
        written: list[tuple[str, str, str, int, str | None]] = []
        parts: list[tuple[Any, ...]] = []  # (id, field, part, items) to write
        gone: list[tuple[Any, ...]] = []  # (id, field, part) to delete
        beyond: list[tuple[Any, ...]] = []  # (id, field, part): from this one on
        for sid, state in states.items():
            long = long_fields(state)
            before = stored.get(sid)
            was = long_fields(before) if before is not None else {}
            small = state.model_dump_json(exclude=set(long)) if long \
                else state.model_dump_json()
            written.append((sid, state.KIND, state.key, state.version,
                            self.seal(small, self.state_place(sid, state.version))))
            for field, items in long.items():
                prior = was.get(field, ())
                count = -(-len(items) // PART_SIZE)
                adapter, exact = _parted(type(state), field)
                first = 0  # the parts before it are as stored
                if len(prior) <= len(items) and (
                        items[:len(prior)] == prior if exact else all(map(is_, items, prior))):
                    # every element stored still in its place (appended to: the common
                    # case, one pass in C): only the parts from the last one stored change
                    first = count if len(prior) == len(items) else len(prior) // PART_SIZE
                for number in range(first, count):
                    start = number * PART_SIZE
                    chunk, old = items[start:start + PART_SIZE], prior[start:start + PART_SIZE]
                    if chunk == old if exact else \
                            len(chunk) == len(old) and all(map(is_, chunk, old)):
                        continue  # the elements stored: the part as it is
                    if old:
                        gone.append((sid, field, number))
                    parts.append((sid, field, number, self.seal(
                        adapter.dump_json(chunk).decode(),
                        self.part_place(sid, field, number))))
                if len(prior) > count * PART_SIZE:
                    beyond.append((sid, field, count))
            beyond.extend((sid, field, 0) for field in was if field not in long)
        self._executemany(c, "INSERT INTO view_state VALUES (?, ?, ?, ?, ?)", written)
        self._executemany(c, "DELETE FROM view_state_parts WHERE id = ? AND field = ? "
                             "AND part = ?", gone)
        self._executemany(c, "DELETE FROM view_state_parts WHERE id = ? AND field = ? "
                             "AND part >= ?", beyond)
        self._executemany(c, "INSERT INTO view_state_parts VALUES (?, ?, ?, ?)", parts)
        for (sid, _, _, _, text), state in zip(written, states.values()):
            self._remember(sid, text, state)
        by_table: dict[str, list[str]] = {}
        for sid, tables in changed.items():
            for table in tables:
                by_table.setdefault(table, []).append(sid)
        for table, sids in by_table.items():
            self._executemany(c, f"DELETE FROM {table} WHERE source = ?",
                              [(sid,) for sid in sids])
            new = [(sid, *row) for sid in sids
                   for row in self._sealed(table, changed[sid][table])]
            if new:
                marks = ", ".join("?" * len(new[0]))
                self._executemany(c, f"INSERT INTO {table} VALUES ({marks})", new)

    def _executemany(self, c: Any, statement: str, params: list[tuple[Any, ...]]) -> None:
        if params:
            c.executemany(self.sql(statement), params)

    def reset(self, application_name: str) -> None:
        """Empty every view and forget the position: the next catch-up rebuilds from zero."""
        with self.datastore.transaction(commit=True) as c:
            self._lock(c, application_name)
            for table in VIEW_TABLES:
                self._execute(c, f"DELETE FROM {table}")
            self._execute(c, "INSERT INTO view_meta VALUES ('schema', ?)", (SCHEMA,))
            self._execute(c, f"DELETE FROM {self.TRACKING_TABLE} WHERE application_name = ?",
                          (application_name,))

    def may_write(self) -> bool:
        """Whether this login may bring the views up to date (an auditor's may not)."""
        return True

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Around a rebuild: whatever lets the store take many large batches at less cost
        (SQLite: see there). The views written are the same."""
        yield

    def outdated(self) -> bool:
        """Whether the read model was built by a version of lrt that kept less (no
        versions, say): it must then be rebuilt before it can answer."""
        try:
            rows = self.query("SELECT value FROM view_meta WHERE name = 'schema'")
        except Exception:  # a read model older than view_meta itself
            return True
        return not rows or rows[0]["value"] != SCHEMA

    # --- reading ------------------------------------------------------------------

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as c:
            self._execute(c, sql, tuple(params))
            return [dict(row) for row in c.fetchall()]


class SQLiteReadModel(ReadModel, SQLiteTrackingRecorder):
    # The WAL is copied into the main file by this process's commits only once the rebuild
    # is done (`bulk_writes`), not at each batch's commit: a page the next batch changes
    # again (an index, a history table) is then copied once. At 100k events: 292 MB
    # written instead of 419 MB. Each commit still waits for the disk (synchronous FULL).
    AUTOCHECKPOINT = 1000  # pages: SQLite's default, which lrt keeps otherwise
    bulk = False

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.create_statements()]

    def _lock(self, c: Any, application_name: str) -> None:
        # A write as the first statement takes SQLite's write lock (waiting for it), so no
        # other writer can move the position between our read of it and our commit.
        c.execute("UPDATE tracking SET notification_id = notification_id "
                  "WHERE application_name = ?", (application_name,))
        # on whichever connection of the pool writes this batch
        c.execute(f"PRAGMA wal_autocheckpoint={0 if self.bulk else self.AUTOCHECKPOINT}")

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        self.bulk = True
        try:
            yield
        finally:
            self.bulk = False
            # the next commit copies the WAL into the main file (closing the store does too:
            # lrt_app.sqlite_store.checkpoint); a pooled connection this misses is set back
            # by the next catch-up that writes on it (`_lock`)
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"PRAGMA wal_autocheckpoint={self.AUTOCHECKPOINT}")
