"""A rebuild (large batches: `projections.catch_up.rebuild`) writes exactly the read model
that applying the events as they came writes (a command's views in its own transaction, or
a catch-up of a few events at a time): every table, row for row, byte for byte. And the
fold (`lrt_domain.base.DomainEvent.mutate`, which writes the version into the state `apply`
made) leaves the states it started from as they were."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from lrt_app.bootstrap import build
from lrt_domain.base import project
from projections import catch_up as catching
from projections.read_model import VIEW_TABLES
from worlds.application import run_demo

Tables = dict[str, list[tuple[Any, ...]]]


def tables(path: Path) -> Tables:
    """Every read-model table (and the position), its rows sorted: what it holds, not the
    order SQLite stored it in."""
    with closing(sqlite3.connect(path)) as c:
        found = {t: sorted(c.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                 for t in [*VIEW_TABLES, "tracking"]}
    assert found["view_versions"] and found["view_state"]
    return found


def rebuilt(path: Path, **kwargs: Any) -> Tables:
    app = build(str(path), **kwargs)
    try:
        model = catching.open_read_model(app)
        assert catching.rebuild(app, model) == app.recorder.max_notification_id()
    finally:
        app.close()
    return tables(path)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Tables]:
    """The demo through the command side (each command writes its views with its events),
    and its read model as the commands wrote it."""
    path = run_demo(tmp_path_factory.mktemp("rebuild") / "demo.sqlite")
    return path, tables(path)


def test_a_rebuild_writes_what_each_command_wrote(demo_store: tuple[Path, Tables]) -> None:
    path, incremental = demo_store
    assert rebuilt(path) == incremental


@pytest.mark.parametrize("bulk", [1, 7, 20_000])
def test_a_rebuild_in_batches_of_any_size_writes_the_same(
        demo_store: tuple[Path, Tables], bulk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch boundaries anywhere (an aggregate's events split over batches, its state read
    back from the store), and one batch for everything."""
    path, incremental = demo_store
    monkeypatch.setattr(catching, "BULK", bulk)
    assert rebuilt(path) == incremental


def test_a_history_caught_up_a_few_events_at_a_time_rebuilds_the_same(
        tmp_path: Path) -> None:
    """A longer synthetic history (bench.history: every kind of event of a cycle, snapshots
    every SNAPSHOT_EVERY versions, history rows opened and closed), its read model caught up
    three events per transaction, then rebuilt."""
    from bench import history as generator

    path = tmp_path / "history.sqlite"
    generator.generate(path, 1_500, seed=5)
    app = build(str(path))
    try:
        model = catching.open_read_model(app)
        model.reset(app.name)
        catching.catch_up(app, model, batch=3)
    finally:
        app.close()
    stepwise = tables(path)
    assert rebuilt(path) == stepwise


def test_a_fold_leaves_the_states_it_passed_as_they_were(
        demo_store: tuple[Path, Tables]) -> None:
    """`mutate` writes the version into the state `apply` gave; every earlier state of the
    fold keeps its own version and content."""
    app = build(str(demo_store[0]))
    try:
        events = [app.mapper.to_domain_event(n) for n in
                  app.recorder.select_notifications(start=0, limit=1_000_000)]
    finally:
        app.close()
    streams: dict[Any, list[Any]] = {}
    for event in events:
        streams.setdefault(event.originator_id, []).append(event)
    longest = max(streams.values(), key=len)
    assert len(longest) > 3
    states, state = [], None
    for event in longest:
        state = project(state, [event])
        states.append((state, state.model_dump_json()))
    for number, (kept, text) in enumerate(states, start=1):
        assert kept.version == number
        assert kept.model_dump_json() == text


def autocheckpoint(c: Any) -> int:
    c.execute("PRAGMA wal_autocheckpoint")
    return int(c.fetchone()[0])


def test_a_rebuild_leaves_the_store_checkpointing_as_before(
        demo_store: tuple[Path, Tables]) -> None:
    """During a rebuild the WAL is not copied into the file at each batch; afterwards the
    store's connections copy it as SQLite does by default, and the views are the same."""
    path, incremental = demo_store
    app = build(str(path))
    try:
        model = catching.open_read_model(app)
        seen = []
        with model.bulk_writes():
            with model.datastore.transaction(commit=False) as c:
                seen.append(autocheckpoint(c))
            model.reset(app.name)
            catching.catch_up(app, model, batch=catching.BULK)
            with model.datastore.transaction(commit=False) as c:
                seen.append(autocheckpoint(c))
        with model.datastore.transaction(commit=False) as c:
            seen.append(autocheckpoint(c))
    finally:
        app.close()
    assert seen == [1000, 0, 1000]
    assert tables(path) == incremental
