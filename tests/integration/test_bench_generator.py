"""The benchmark's generator (bench/history.py) stores, in batches, exactly the events its
commands decide one by one, in the same order: the batched store is the command-by-command
store, its hash chain and its read model (applied batch by batch from the events in
memory) whole."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

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
    b = history.generate(batched, 900, seed=5)
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
