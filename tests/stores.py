"""The stores tests run on, and raw access to them for tests that look behind lrt's back."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest

from pg_server import PostgresServer


@dataclass
class TestStore:
    """One store of a test, and raw access to it (for tests that look behind lrt's back)."""

    kind: str
    url: str  # what --db takes: a path or a postgresql:// URL
    server: PostgresServer | None = None
    dbname: str = ""

    @property
    def events_table(self) -> str:
        return "lrt_events" if self.kind == "postgres" else "stored_events"

    def env(self, *, create_tables: bool = True) -> dict[str, str]:
        from lrt_app.settings import store_env

        return store_env(self.url, must_exist=False, create_tables=create_tables)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run raw SQL (with `?` placeholders) as the superuser or file owner."""
        if self.kind == "sqlite":
            with sqlite3.connect(self.url) as c:
                return c.execute(sql, params).fetchall()
        import psycopg

        assert self.server is not None
        with psycopg.connect(host="127.0.0.1", port=self.server.port, user=self.server.user,
                             dbname=self.dbname, autocommit=True) as c:
            cursor = c.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def exists(self) -> bool:
        if self.kind == "sqlite":
            return os.path.exists(self.url)
        return self.execute("SELECT to_regclass('lrt_events')::text")[0][0] is not None

    def stored_events(self) -> list[tuple[Any, ...]]:
        """Every stored event, in the order of the log."""
        if not self.exists():
            return []
        order = "notification_id" if self.kind == "postgres" else "rowid"
        rows = self.execute(f"SELECT originator_id, originator_version, topic, state "
                            f"FROM {self.events_table} ORDER BY {order}")
        return [(str(o).replace("-", ""), v, t, bytes(s)) for o, v, t, s in rows]


class StoreFactory:
    """Fresh stores of one kind; dropped (PostgreSQL) when the test ends."""

    def __init__(self, kind: str, path_factory: pytest.TempPathFactory,
                 server: PostgresServer | None):
        self.kind, self.path_factory, self.server = kind, path_factory, server
        self.databases: list[str] = []

    def __call__(self) -> TestStore:
        if self.kind == "sqlite":
            return TestStore("sqlite", str(self.path_factory.mktemp("store") / "lrt.sqlite"))
        assert self.server is not None
        name = f"t{uuid4().hex[:16]}"
        self.databases.append(name)
        return TestStore("postgres", self.server.create_database(name), self.server, name)

    def drop(self) -> None:
        for name in self.databases:
            assert self.server is not None
            self.server.drop_database(name)
