"""The benchmark's generator (bench/history.py) stores, in batches, exactly the events its
commands decide one by one, in the same order: the batched store is the command-by-command
store, its hash chain and its read model (applied batch by batch from the events in
memory) whole."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from bench import history
from lrt_app import audit
from lrt_app.bootstrap import build
from projections.catch_up import open_read_model
from projections.verify import verify


def stored(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as c:
        return c.execute("SELECT originator_id, originator_version, topic, state "
                         "FROM stored_events ORDER BY rowid").fetchall()


def test_batches_store_what_commands_one_by_one_store(tmp_path: Path) -> None:
    one_by_one, batched = tmp_path / "one.sqlite", tmp_path / "batched.sqlite"
    a = history.generate(one_by_one, 900, seed=5, batched=False)
    b = history.generate(batched, 900, seed=5, views_apart=False)
    assert a == b and a["events"] >= 900
    events = stored(batched)
    assert events == stored(one_by_one)
    assert len({topic for _, _, topic, _ in events}) >= 20
    # approvals record the chain's head, which the batches compute before storing
    assert sum(topic == "lrt.Minutes.Approved" for _, _, topic, _ in events) >= 5
    app = build(str(batched))
    try:
        chain = audit.verify(app.recorder)
        assert chain.ok and chain.checked == len(events)
        assert verify(app, open_read_model(app)).ok
    finally:
        app.close()


def views(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as c:
        return [*c.execute("SELECT id, kind, key, version, state FROM view_state ORDER BY id"),
                *c.execute("SELECT * FROM view_versions ORDER BY position"),
                *c.execute("SELECT * FROM view_snapshots ORDER BY id, version")]


def test_the_read_model_caught_up_apart_is_the_one_applied_here(tmp_path: Path) -> None:
    """`views_apart`: a second process catches the read model up as batches are stored;
    the store and its read model are those of the generator that applies them itself."""
    here, apart = tmp_path / "here.sqlite", tmp_path / "apart.sqlite"
    a = history.generate(here, 2500, seed=3, views_apart=False)
    b = history.generate(apart, 2500, seed=3, views_apart=True)
    assert a == b
    assert stored(apart) == stored(here)
    assert views(apart) == views(here) and len(views(here)) > 2500
    app = build(str(apart))
    try:
        assert verify(app, open_read_model(app)).ok
    finally:
        app.close()


def test_a_round_and_its_registrations_are_answered_from_memory(tmp_path: Path) -> None:
    """The batched generator answers a round's comment count, the proposals of a
    minutes and a kind's first events without writing its batch first: the answers
    the store gives once the same events are written."""
    from lrt_domain.comments import round_range
    from lrt_domain.meetings import Meeting
    from lrt_domain.proposals import proposals_range

    path = tmp_path / "b.sqlite"
    history.generate(path, 1500, seed=5, views_apart=False)
    scheduled = [Meeting.Scheduled.TOPIC]

    def answers(app: Any) -> tuple[object, ...]:
        with closing(sqlite3.connect(path)) as c:
            keys = [k for (k,) in c.execute("SELECT key FROM view_minutes ORDER BY key")]
        return (
            [app.recorder.count_first_events(*round_range(k, 1), upto=None) for k in keys],
            [app.recorder.count_first_events(*round_range(k, 1), upto=600) for k in keys],
            [[(n, e.originator_id) for n, e in app.recorder.first_events(
                *proposals_range(k), after=300)] for k in keys],
            [(n.id, n.originator_id, n.topic) for n in app.recorder.select_notifications(
                start=40, limit=5, topics=scheduled, inclusive_of_start=False)],
            [(n.id, n.originator_id) for n in app.recorder.select_notifications(
                start=None, limit=1000, topics=scheduled)])

    source = build(str(path))
    try:
        expected = answers(source)
        events = [source.mapper.to_domain_event(n)
                  for n in source.recorder.select_notifications(start=1, limit=10_000)]
    finally:
        source.close()
    assert sum(expected[0]) > 0 and any(expected[2]) and len(expected[3]) == 5
    fresh = build(str(tmp_path / "c.sqlite"), initialising=True, project_on_save=False)
    try:
        batch = history.Batched(fresh)
        fresh.save(*events)
        assert batch.flushed == 0 and len(batch.pending) == len(events)  # all waiting
        assert answers(fresh) == expected
        assert batch.flushed == 0  # answered without writing the batch
    finally:
        fresh.close()
