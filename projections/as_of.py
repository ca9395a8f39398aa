"""The views as the system stood at an earlier record time: "as recorded at T".

The read model keeps versions beside the live views (`projections.read_model`):
- a record time T maps to a position in the log: the last event recorded at or before T;
- an aggregate's state at that position is its nearest snapshot plus its own few events
  after it (fewer than `SNAPSHOT_EVERY`), read from the event store by id and version;
- the query tables at that position are their history rows valid then. For one read-only
  transaction, temporary views of the same names take the place of the live tables, so the
  views' own SQL answers as of T; the rollback at its end drops them.

The live views are never written, and nothing replays the whole store: the cost of a
question is the cost of the same question now, plus at most one snapshot and a few events
per aggregate it reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from lrt_app.application import Lrt
from lrt_domain.base import Aggregate

from .read_model import TABLES, ReadModel, stamp


class AsOfModel:
    """The read interface of a `ReadModel` (query, state, states), at one position."""

    def __init__(self, live: ReadModel, app: Lrt, position: int):
        self.live = live
        self.app = app
        self.position = position
        self.unseal = live.unseal

    def may_write(self) -> bool:
        return False

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        live = self.live
        with live.datastore.transaction(commit=False) as c:  # rolled back: views dropped
            schema = live.schema(c)
            p = int(self.position)
            for name, columns in TABLES.items():
                names = ", ".join(column.split()[0] for column in columns.split(", "))
                c.execute(f"CREATE TEMP VIEW {name} AS SELECT {names} "
                          f"FROM {schema}.hist_{name} WHERE valid_from <= {p} "
                          f"AND (valid_until IS NULL OR valid_until > {p})")
            # Which aggregates existed; their states come from `state` (not this column).
            c.execute("CREATE TEMP VIEW view_state AS SELECT s.id, s.kind, s.key, "
                      "s.version, s.state "
                      f"FROM {schema}.view_state s WHERE EXISTS (SELECT 1 FROM "
                      f"{schema}.view_versions v WHERE v.id = s.id AND v.position <= {p})")
            c.execute(live.sql(sql), tuple(params))
            return [dict(row) for row in c.fetchall()]

    def version(self, aggregate_id: str) -> int | None:
        """The aggregate's version at this position (None: it did not exist yet)."""
        rows = self.live.query("SELECT version FROM view_versions WHERE id = ? AND "
                               "position <= ? ORDER BY position DESC LIMIT 1",
                               (aggregate_id, self.position))
        return rows[0]["version"] if rows else None

    def state(self, cls: type[Aggregate], key: str) -> Aggregate | None:
        sid = cls.id_for(key).hex
        version = self.version(sid)
        if version is None:
            return None
        current = self.live.query("SELECT version, state FROM view_state WHERE id = ?",
                                  (sid,))
        if current and current[0]["version"] == version:  # unchanged since
            return cls.model_validate_json(self.unseal(current[0]["state"]))
        snapshot = self.live.query("SELECT version, state FROM view_snapshots WHERE id = ? "
                                   "AND version <= ? ORDER BY version DESC LIMIT 1",
                                   (sid, version))
        state = cls.model_validate_json(self.unseal(snapshot[0]["state"])) \
            if snapshot else None
        if state is None or state.version < version:
            stored = self.app.recorder.select_events(
                UUID(sid), gt=state.version if state else None, lte=version)
            for item in stored:
                state = self.app.mapper.to_domain_event(item).mutate(state)
        return state

    def states(self, cls: type[Aggregate], keys: Iterable[str] | None = None
               ) -> list[Aggregate]:
        if keys is None:
            keys = [r["key"] for r in self.query(
                "SELECT key FROM view_state WHERE kind = ?", (cls.KIND,))]
        found = (self.state(cls, key) for key in sorted(set(keys)))
        return [s for s in found if s is not None]


def position_at(model: ReadModel, moment: datetime) -> int:
    """The position of the last event recorded at or before `moment` (0: none)."""
    rows = model.query("SELECT position FROM view_versions WHERE recorded_at <= ? "
                       "ORDER BY recorded_at DESC, position DESC LIMIT 1", (stamp(moment),))
    return rows[0]["position"] if rows else 0
