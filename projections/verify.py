"""The read model checked against the events: `lrt projections verify`, and the states the
outputs for others are made from.

The read model is derived, and whoever may write its tables can make it say anything: an
edited state is carried forward by every later event (`ReadModel.apply` starts from the
stored state), and a tracking position moved forward hides the events it skips for good.
Catching up cannot notice either. So:

- `fold` applies the events afresh, with the same code that writes the live read model
  (`ReadModel.apply`), into a private in-memory SQLite database: nothing is written to the
  store or to disk, and a read-only login may do it (on PostgreSQL too);
- `verify` folds the events up to the live read model's position and compares every table,
  row by row (states and sealed texts unsealed, states as JSON values), and the position
  itself, reporting each difference;
- `folded_views` gives the views of such a fold: the export for parliament reads them, so
  what it publishes comes from the events, never from the read model's tables. (`minutes
  publish` renders from the application's own states, folded from the event store.)
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import uuid4

from eventsourcing.sqlite import SQLiteDatastore

from lrt_app import library_private
from lrt_app.application import Lrt

from .catch_up import BULK
from .read_model import VIEW_TABLES, ReadModel, SQLiteReadModel

# Every table of the read model, with the columns that identify a row in a report.
KEYED = {"view_versions": ("position",), "view_snapshots": ("id", "version"),
         "view_snapshot_parts": ("id", "digest"), "view_state_parts": ("id", "field", "part"),
         "view_meta": ("name",)}
MAX_SHOWN = 200  # differences listed in full; beyond, only counted


@dataclass(frozen=True)
class Difference:
    table: str
    key: str  # which row: a source id, a position, ...
    problem: str  # "missing", "extra", "differs", "position"
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "key": self.key, "problem": self.problem,
                "detail": self.detail}

    def __str__(self) -> str:
        return f"{self.table} {self.key}: {self.problem}: {self.detail}"


@dataclass
class Verification:
    position: int  # the live read model's position, the fold's too
    events: int  # the events folded
    differences: list[Difference] = field(default_factory=list)
    count: int = 0  # all differences found (only the first MAX_SHOWN are kept)

    @property
    def ok(self) -> bool:
        return self.count == 0

    def add(self, difference: Difference) -> None:
        self.count += 1
        if len(self.differences) < MAX_SHOWN:
            self.differences.append(difference)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "position": self.position, "events": self.events,
                "differences": self.count,
                "shown": [d.as_dict() for d in self.differences]}


# --- the fold --------------------------------------------------------------------------

@contextmanager
def fold(app: Lrt, *, upto: int | None = None, cipher: Any = None,
         progress: Callable[[int], None] | None = None) -> Iterator[SQLiteReadModel]:
    """A read model of the events up to position `upto` (None: all), written afresh into
    a private in-memory database by the live read model's own code; dropped on exit."""
    datastore = SQLiteDatastore(f"file:lrt-fold-{uuid4().hex}?mode=memory&cache=shared")
    try:
        model = SQLiteReadModel(datastore)
        model.cipher = cipher
        model.create_table()
        model.reset(app.name)  # marks the schema version, as a rebuild does
        position = 0
        while upto is None or position < upto:
            notifications = app.recorder.select_notifications(
                start=position, limit=BULK, stop=upto, inclusive_of_start=False)
            if not notifications:
                break
            model.process(app.name, [(app.mapper.to_domain_event_quickly(n), n.id)
                                     for n in notifications])
            position = notifications[-1].id
            if progress:
                progress(len(notifications))
        yield model
    finally:
        datastore.close()


@contextmanager
def folded_views(app: Lrt, moment: datetime | None = None) -> Iterator[Any]:
    """The views of every event (or, with `moment`, as recorded then), folded afresh:
    what the outputs for others are made from."""
    from .as_of import AsOfModel, position_at
    from .views import Views

    with fold(app) as model:
        if moment is None:
            yield Views(app, model)
        else:
            yield Views(app, AsOfModel(model, app, position_at(model, moment)), moment)


# --- the comparison --------------------------------------------------------------------

def verify(app: Lrt, live: ReadModel, *,
           progress: Callable[[int], None] | None = None) -> Verification:
    """Compare the live read model with a fold of the events up to its position."""
    if live.outdated():  # kept less than this lrt keeps: nothing to compare row by row
        at = live.max_tracking_id(app.name) or 0
        found = Verification(position=at, events=0)
        found.add(Difference("view_meta", "schema", "differs", "the read model was built "
                             "by an older lrt; rebuild it"))
        return found
    position, tables = snapshot(live, app.name)
    last = app.recorder.max_notification_id() or 0
    with fold(app, upto=position, cipher=live.cipher, progress=progress) as fresh:
        applied = fresh.max_tracking_id(app.name) or 0
        _, expected = snapshot(fresh, app.name)
    found = Verification(position=position, events=len(expected["view_versions"]))
    if position > last:
        found.add(Difference("tracking", app.name, "position",
                             f"at {position}, beyond the last event ({last})"))
    elif position != applied:
        found.add(Difference("tracking", app.name, "position",
                             f"at {position}, but the last event up to it is {applied}"))
    held = max((r["position"] for r in tables["view_versions"]), default=0)
    if held != position:
        found.add(Difference(
            "tracking", app.name, "position",
            f"at {position}, but the views hold events up to {held} only: the events "
            "after it were never applied" if held < position else
            f"at {position}, but the views hold events up to {held}"))
    for table in expected:
        _compare(found, table, tables.get(table, []), expected[table])
    return found


def snapshot(model: ReadModel, application_name: str
             ) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """The position and every row of every table of the read model, unsealed, read in one
    transaction (so that a writer catching up meanwhile cannot make them disagree)."""
    with model.datastore.transaction(commit=False) as c:
        if model.sql("?") != "?":  # PostgreSQL: one snapshot for every statement below
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        position = library_private.max_tracking_id(model, application_name, c) or 0
        tables: dict[str, list[dict[str, Any]]] = {}
        for table in VIEW_TABLES:
            c.execute(f"SELECT * FROM {table}")
            tables[table] = [_readable(model, table, dict(r)) for r in c.fetchall()]
    return position, tables


def _readable(model: ReadModel, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row unsealed; a row that cannot be (not JSON, a broken seal) as it is stored,
    so that it is reported as different rather than stopping the comparison."""
    try:
        return model.unsealed_row(table, row)
    except Exception as e:  # noqa: BLE001 - whatever an edited row breaks
        return {**row, "unreadable": type(e).__name__}


def _compare(found: Verification, table: str, live: list[dict[str, Any]],
             expected: list[dict[str, Any]]) -> None:
    """Rows grouped by what identifies them; each group compared as a multiset."""
    by = KEYED.get(table, ("id",) if table == "view_state" else ("source",))
    have, want = _grouped(live, by), _grouped(expected, by)
    for key in sorted(have.keys() | want.keys()):
        a, b = have.get(key, []), want.get(key, [])
        if a == b:
            continue
        name = "/".join(str(k) for k in key)
        if not a:
            found.add(Difference(table, name, "missing",
                                 f"the events give {_show(b)}; the read model has no row"))
        elif not b:
            found.add(Difference(table, name, "extra",
                                 f"the read model has {_show(a)}; no event gives it"))
        else:
            found.add(Difference(table, name, "differs", _what_differs(a, b)))


def _grouped(rows: list[dict[str, Any]], by: tuple[str, ...]
             ) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in by)].append(row)
    return {k: sorted(v, key=lambda r: json.dumps(r, sort_keys=True, default=str))
            for k, v in groups.items()}


def _what_differs(live: list[dict[str, Any]], expected: list[dict[str, Any]]) -> str:
    if len(live) != len(expected):
        return f"{len(live)} row(s) in the read model, the events give {len(expected)}"
    for a, b in zip(live, expected):
        for column in b:
            if a.get(column) != b[column]:
                where = _first_path(a.get(column), b[column])
                have, want = _contrast(_at(a.get(column), where), _at(b[column], where))
                return f"{column}{where}: the read model has {have}, the events give {want}"
    return "rows differ"


def _first_path(a: Any, b: Any, path: str = "") -> str:
    """Where two JSON values first differ, as a path such as `.items[1].title`."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(a.keys() | b.keys()):
            if a.get(k) != b.get(k):
                return _first_path(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_path(x, y, f"{path}[{i}]")
    return path


def _at(value: Any, path: str) -> Any:
    import re

    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path):
        value = value[int(index)] if index else value.get(name)
    return value


def _contrast(a: Any, b: Any) -> tuple[str, str]:
    """Two values as short texts; two long texts from just before where they part."""
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > 60:
        same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        start = max(0, same - 20)
        if start:
            a, b = "..." + a[start:], "..." + b[start:]
    return _short(a), _short(b)


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _show(rows: list[dict[str, Any]]) -> str:
    return _short(rows[0]) + (f" (and {len(rows) - 1} more)" if len(rows) > 1 else "")
