"""The views as the system stood at an earlier record time: "as recorded at T".

The read model keeps versions beside the live views (`projections.read_model`):
- a record time T maps to a position in the log: the last event recorded at or before T;
- an aggregate's state at that position is its nearest snapshot (joined from its parts, if
  kept in parts) plus its own few events after it (fewer than `SNAPSHOT_EVERY`), read from
  the event store by id and version;
- the query tables at that position are their history rows valid then. For one read-only
  transaction, temporary views of the same names take the place of the live tables, so the
  views' own SQL answers as of T; the rollback at its end drops them.

The live views are never written, and nothing replays the whole store: the cost of a
question is the cost of the same question now, plus at most one snapshot and a few events
per aggregate it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from lrt_app.application import Lrt
from lrt_domain.base import Aggregate

from .read_model import TABLES, A, ReadModel, chunks, stamp
from .reading import PART_COLUMNS, PART_JOIN, gathered


class AsOfModel:
    """The read interface of a `ReadModel` (query, state, states), at one position."""

    def __init__(self, live: ReadModel, app: Lrt, position: int):
        self.live = live
        self.app = app
        self.position = position
        self.unseal = live.unseal
        self._read: dict[str, Aggregate] = {}  # the states read so far, by id

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        live = self.live
        with live.datastore.transaction(commit=False) as c:  # rolled back: views dropped
            schema = live.schema(c)
            p = int(self.position)
            for name, columns in TABLES.items():
                if name not in sql:
                    continue  # only the tables the query reads
                names = ", ".join(column.split()[0] for column in columns.split(", "))
                c.execute(f"CREATE TEMP VIEW {name} AS SELECT {names} "
                          f"FROM {schema}.hist_{name} WHERE valid_from <= {p} "
                          f"AND (valid_until IS NULL OR valid_until > {p})")
            # The versions recorded by then (a query may list a kind's streams by id).
            if "view_versions" in sql:
                c.execute("CREATE TEMP VIEW view_versions AS SELECT * FROM "
                          f"{schema}.view_versions WHERE position <= {p}")
            # Which aggregates existed; their states come from `states` (not this column,
            # nor view_state_parts).
            if "view_state" in sql:
                c.execute("CREATE TEMP VIEW view_state AS SELECT s.id, s.kind, s.key, "
                          "s.version, s.state "
                          f"FROM {schema}.view_state s WHERE EXISTS (SELECT 1 FROM "
                          f"{schema}.view_versions v WHERE v.id = s.id AND v.position <= {p})")
            c.execute(live.sql(sql), tuple(params))
            return [dict(row) for row in c.fetchall()]

    def versions(self, ids: list[str]) -> dict[str, int]:
        """Each aggregate's version at this position (absent: it did not exist yet)."""
        found: dict[str, int] = {}
        if len(ids) == 1:  # the common case, straight down the index
            rows = self.live.query("SELECT version FROM view_versions WHERE id = ? AND "
                                   "position <= ? ORDER BY position DESC LIMIT 1",
                                   (ids[0], self.position))
            return {ids[0]: rows[0]["version"]} if rows else {}
        for chunk in chunks(ids):
            marks = ", ".join("?" * len(chunk))
            found.update((r["id"], r["version"]) for r in self.live.query(
                f"SELECT id, MAX(version) AS version FROM view_versions WHERE position <= ? "
                f"AND id IN ({marks}) GROUP BY id", (self.position, *chunk)))
        return found

    def state(self, cls: type[A], key: str) -> A | None:
        found = self.states(cls, [key])
        return found[0] if found else None

    def states(self, cls: type[A], keys: Iterable[str] | None = None) -> list[A]:
        """The aggregates of `cls` (those named, else all) that existed at this position,
        by key: the live state where it is still that version, else the nearest snapshot
        and the aggregate's own events after it."""
        if keys is None:
            keys = [r["key"] for r in self.query(
                "SELECT key FROM view_state WHERE kind = ?", (cls.KIND,))]
        ids = {cls.id_for(key).hex: key for key in sorted(set(keys))}
        # a state at this position never changes: each is read once (a view asks for the
        # minutes, the meeting and the table, and its read rule for them again)
        known = {sid: self._read[sid] for sid in ids if sid in self._read}
        versions = self.versions([sid for sid in ids if sid not in known])
        states: dict[str, Any] = dict(self._live(cls, versions))
        older = {sid: v for sid, v in versions.items() if sid not in states}
        starts = dict(self._snapshots(cls, older))
        for sid, version in older.items():
            state = starts.get(sid)
            for item in self.app.recorder.select_events(
                    UUID(sid), gt=state.version if state else None, lte=version):
                state = self.app.mapper.to_domain_event_quickly(item).mutate(state)
            assert state is not None  # a version was asked for: the stream has events
            states[sid] = state
        self._read.update(states)
        states.update(known)
        return [states[sid] for sid in sorted(states, key=ids.__getitem__)]

    def _live(self, cls: type[A], versions: dict[str, int]) -> Iterator[tuple[str, A]]:
        """The live states of the aggregates that have not changed since."""
        for row in self._kept(versions, (
                f"SELECT s.id, s.version, s.state, {PART_COLUMNS} FROM wanted w "
                f"JOIN view_state s ON s.id = w.id AND s.version = w.v {PART_JOIN}")):
            yield row["id"], self.live.open_state(cls, row)

    def _snapshots(self, cls: type[A], versions: dict[str, int]) -> Iterator[tuple[str, A]]:
        """Each aggregate's latest snapshot at or before its version, if any."""
        for row in self._kept(versions, (
                "SELECT s.id, s.version, s.state FROM wanted w "
                "JOIN view_snapshots s ON s.id = w.id AND s.version = ("
                "SELECT MAX(t.version) FROM view_snapshots t "
                "WHERE t.id = w.id AND t.version <= w.v)")):
            yield row["id"], self.live.open_snapshot(cls, row)

    def _kept(self, versions: dict[str, int], select: str) -> Iterator[dict[str, Any]]:
        """Rows of states kept in the read model, chosen by `select` from `wanted(id, v)`:
        the aggregates and their versions at this position (and their parts, if
        selected: `gathered`)."""
        for chunk in chunks(list(versions)):
            wanted = ", ".join("(?, ?)" for _ in chunk)
            yield from gathered(self.live.query(
                f"WITH wanted(id, v) AS (VALUES {wanted}) {select}",
                [p for sid in chunk for p in (sid, versions[sid])]))


def position_at(model: ReadModel, moment: datetime) -> int:
    """The position of the last event recorded at or before `moment` (0: none)."""
    rows = model.query("SELECT position FROM view_versions WHERE recorded_at <= ? "
                       "ORDER BY recorded_at DESC, position DESC LIMIT 1", (stamp(moment),))
    return rows[0]["position"] if rows else 0
