"""The read model on PostgreSQL: the same views, with the library's tracking table
(`lrt_tracking`) and psycopg's `%s` placeholders. Imported only for PostgreSQL stores."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL

from .read_model import ReadModel


class PostgresReadModel(ReadModel, PostgresTrackingRecorder):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self.TRACKING_TABLE = self.tracking_table_name
        self.sql_create_statements += [SQL(s) for s in self.create_statements()]  # type: ignore[misc]

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def schema(self, c: Any) -> str:
        c.execute("SELECT current_schema() AS name")
        return str(c.fetchone()["name"])

    def _lock(self, c: Any, application_name: str) -> None:
        c.execute(f"LOCK TABLE {self.tracking_table_name} IN SHARE ROW EXCLUSIVE MODE")

    def may_write(self) -> bool:
        rows = self.query("SELECT has_table_privilege(?, 'UPDATE') AS ok",
                          (self.tracking_table_name,))
        return bool(rows[0]["ok"])
