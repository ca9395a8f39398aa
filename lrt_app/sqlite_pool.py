"""The library's SQLite pool and factory, as lrt opens a store (`lrt_app.sqlite_store`
says why: the file checked before it is opened, `synchronous` on every connection, the WAL
checkpointed on close). The settings name this factory (`lrt_app.settings`)."""

from __future__ import annotations

from typing import Any

from eventsourcing import sqlite as es_sqlite
from eventsourcing.utils import Environment, EnvType

from .library_private import sqlite_connection
from .sqlite_store import SYNCHRONOUS, checkpoint, preflight, synchronous_level


class DurableSQLiteConnectionPool(es_sqlite.SQLiteConnectionPool):
    """The library's pool, with `PRAGMA synchronous` set on every connection it makes."""

    def __init__(self, *, synchronous: int, **kwargs: Any):
        self.synchronous = synchronous
        self.opened = False
        super().__init__(**kwargs)

    def _create_connection(self) -> es_sqlite.SQLiteConnection:
        conn = super()._create_connection()
        sqlite_connection(conn).execute(f"PRAGMA synchronous={self.synchronous}")
        self.opened = True
        return conn


class DurableSQLiteFactory(es_sqlite.SQLiteFactory):
    """The library's SQLite factory: checks the file before opening it, sets `synchronous`
    on every connection, and checkpoints the WAL into the main file when it closes."""

    def __init__(self, env: Environment | EnvType | None):
        env = env if isinstance(env, Environment) else Environment(env=env)
        name = env.get(self.SQLITE_DBNAME) or ""
        level = synchronous_level(env.get(SYNCHRONOUS), name=name)
        if name:
            preflight(name)
        super().__init__(env)
        library = self.datastore.pool
        self.datastore.pool = DurableSQLiteConnectionPool(
            synchronous=level, db_name=library.db_name, lock_timeout=library.lock_timeout,
            pool_size=library.pool_size, max_overflow=library.max_overflow,
            pool_timeout=library.pool_timeout, max_age=library.max_age,
            pre_ping=library.pre_ping)
        library.close()  # it never made a connection

    def close(self) -> None:
        try:
            checkpoint(self.datastore)
        finally:
            super().close()
