"""The eventsourcing library's private API that lrt uses (`lrt_app.library_private`): each
name still there with the signature lrt calls, doing what lrt relies on; and no class of
lrt overriding a private method that the module does not list. An upgrade of the library
that changes any of these fails here."""

from __future__ import annotations

import inspect
from datetime import datetime, timezone
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent, Tracking
from eventsourcing.utils import resolve_topic

from lrt_app import library_private
from lrt_app.application import Lrt
from lrt_app.chain import ChainedSQLiteApplicationRecorder
from lrt_app.chain_postgres import ChainedPostgresApplicationRecorder
from lrt_app.clock import SettableClock
from lrt_app.sqlite_pool import DurableSQLiteConnectionPool
from projections.catch_up import open_read_model
from projections.postgres_read_model import PostgresReadModel
from projections.read_model import SQLiteReadModel

LRT_CLASSES = [ChainedSQLiteApplicationRecorder, ChainedPostgresApplicationRecorder,
               DurableSQLiteConnectionPool, SQLiteReadModel, PostgresReadModel]


def _parameters(function: Any) -> str:
    """The parameters only (no annotations): what a caller or an override relies on."""
    signature = inspect.signature(function)
    parts = []
    for p in signature.parameters.values():
        # lrt passes on keyword arguments whatever the library names them
        parts.append("**kwargs" if p.kind is p.VAR_KEYWORD else
                     "*args" if p.kind is p.VAR_POSITIONAL else p.name)
    return "(" + ", ".join(parts) + ")"


@pytest.mark.parametrize("topic,name,parameters", [
    (topic, name, parameters) for topic, names in library_private.OVERRIDDEN.items()
    for name, parameters in names.items()])
def test_each_overridden_method_is_still_the_librarys(topic: str, name: str,
                                                       parameters: str) -> None:
    cls = resolve_topic(topic)
    assert name in cls.__dict__ or any(name in base.__dict__ for base in cls.__mro__), name
    assert _parameters(getattr(cls, name)) == parameters


@pytest.mark.parametrize("cls", LRT_CLASSES, ids=lambda c: c.__name__)
def test_no_other_private_method_of_the_library_is_overridden(cls: type) -> None:
    listed = {name for names in library_private.OVERRIDDEN.values() for name in names}
    library_bases = [b for b in cls.__mro__ if b.__module__.startswith("eventsourcing.")]
    overridden = {name for name, value in cls.__dict__.items()
                  if callable(value) and name.startswith("_") and not name.startswith("__")
                  and any(name in b.__dict__ for b in library_bases)}
    assert overridden <= listed, overridden - listed


@pytest.mark.parametrize("topic,cursor", [("eventsourcing.sqlite:SQLiteTrackingRecorder", "c"),
                                          ("eventsourcing.postgres:PostgresTrackingRecorder",
                                           "curs")])
def test_the_tracking_methods_called_keep_their_parameters(topic: str, cursor: str) -> None:
    """`library_private` calls them with positional arguments, in this order."""
    cls = resolve_topic(topic)
    assert _parameters(cls._max_tracking_id) == f"(self, application_name, {cursor})"
    assert _parameters(cls._insert_tracking) == f"(self, {cursor}, tracking)"


def test_a_sqlite_connection_holds_its_sqlite3_connection(tmp_path: Any) -> None:
    import sqlite3

    from lrt_app.settings import store_env

    app = Lrt(env=store_env(str(tmp_path / "lrt.sqlite"), must_exist=False))
    try:
        with app.recorder.datastore.get_connection(commit=False) as connection:  # type: ignore[attr-defined]
            raw = library_private.sqlite_connection(connection)
            assert isinstance(raw, sqlite3.Connection)
            # and the pool made it through the override: synchronous FULL on it
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert app.recorder.datastore.pool.opened  # type: ignore[attr-defined]
    finally:
        app.close()


def _stored(n: int) -> list[StoredEvent]:
    oid = uuid4()
    return [StoredEvent(originator_id=oid, originator_version=v, topic="lrt.Test",
                        state=b"{}") for v in range(1, n + 1)]


def test_an_insert_gives_its_notification_ids_inside_its_transaction(store: Any) -> None:
    """`_insert_events` (SQLite) and `_fetch_ids_after_insert_events` (PostgreSQL) return
    the ids the events are then read back under; on SQLite the hook sees them before the
    commit, in the same transaction."""
    app = Lrt(env=store.env())
    try:
        seen: list[list[int]] = []
        recorder: Any = app.recorder
        if store.kind == "sqlite":
            def hook(c: Any, inserted: list[tuple[int, StoredEvent]]) -> None:
                c.execute("SELECT COUNT(*) FROM stored_events")
                assert c.fetchone()[0] == inserted[-1][0]  # the rows, not yet committed
                seen.append([i for i, _ in inserted])

            recorder.on_inserted = hook
        first = list(recorder.insert_events(_stored(2)))
        second = list(recorder.insert_events(_stored(3)))
        read = [n.id for n in recorder.select_notifications(start=1, limit=10)]
        assert first + second == read
        assert len(read) == 5 and read == sorted(read)
        if store.kind == "sqlite":
            assert seen == [first, second]
    finally:
        app.close()


def test_creating_the_postgres_tables_runs_the_override(store: Any) -> None:
    if store.kind != "postgres":
        pytest.skip("PostgreSQL's recorder only")
    app = Lrt(env=store.env())
    try:
        # `_create_table` made lrt's triggers in `create_table`'s transaction
        assert app.recorder.trusted()  # type: ignore[attr-defined]
    finally:
        app.close()


def test_the_tracking_position_inside_a_transaction(store: Any) -> None:
    app = Lrt(env=store.env(), clock=SettableClock(datetime(2023, 1, 2, tzinfo=timezone.utc)))
    try:
        model = open_read_model(app)
        name = f"test-{uuid4().hex[:6]}"
        with model.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            assert library_private.max_tracking_id(model, name, c) is None
            library_private.insert_tracking(model, c, Tracking(name, 7))
            assert library_private.max_tracking_id(model, name, c) == 7  # its own write
        # not committed: nothing recorded
        assert model.max_tracking_id(name) is None  # type: ignore[attr-defined]
        with model.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            library_private.insert_tracking(model, c, Tracking(name, 9))
        assert model.max_tracking_id(name) == 9  # type: ignore[attr-defined]
    finally:
        app.close()


def test_wrapping_the_pools_connections(tmp_path: Any) -> None:
    from lrt_app.settings import store_env

    app = Lrt(env=store_env(str(tmp_path / "lrt.sqlite"), must_exist=False))
    try:
        pool = app.recorder.datastore.pool  # type: ignore[attr-defined]
        wrapped: list[Any] = []
        library_private.wrap_connection_factory(pool, lambda c: wrapped.append(c) or c)
        held = len(wrapped)
        connection = pool._create_connection()  # what the pool calls for a new one
        assert wrapped[held:] == [connection]
        connection.close()
    finally:
        app.close()
