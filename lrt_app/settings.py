"""Where the store is, as eventsourcing settings.

- a path (default `lrt.sqlite` in the working directory): the embedded SQLite store;
- `postgresql://user@host:port/dbname`: the shared PostgreSQL store. The password comes from
  the URL, `PGPASSWORD`, or `~/.pgpass` (libpq reads it when none is given), and is never
  printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lrt_domain.errors import DomainError

DEFAULT_DB = "lrt.sqlite"


class StoreMissing(DomainError):
    pass


@dataclass(frozen=True)
class Store:
    kind: str  # "sqlite" or "postgres"
    env: dict[str, str] = field(repr=False)
    name: str  # for messages: a path, or a URL without its password

    @property
    def is_postgres(self) -> bool:
        return self.kind == "postgres"


def store_path(db: str | None) -> str:
    return db or os.environ.get("LRT_DB") or DEFAULT_DB


def store(db: str | None, *, must_exist: bool = True, create_tables: bool = False) -> Store:
    location = store_path(db)
    if location.startswith(("postgresql://", "postgres://")):
        return _postgres(location, create_tables=create_tables)
    return _sqlite(location, must_exist=must_exist)


def store_env(db: str | None, *, must_exist: bool = True, create_tables: bool = False
              ) -> dict[str, str]:
    return store(db, must_exist=must_exist, create_tables=create_tables).env


def _sqlite(location: str, *, must_exist: bool) -> Store:
    path = Path(location)
    if must_exist and not path.exists():
        raise StoreMissing(f"db: no store at {path}; create one with 'lrt init'")
    if not path.parent.is_dir():
        raise StoreMissing(f"db: directory {path.parent} does not exist")
    return Store("sqlite", {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "30",
        # The hash chain over every event, written beside it (tamper evidence, lrt_app/chain.py)
        "APPLICATION_RECORDER_TOPIC": "lrt_app.chain:ChainedSQLiteApplicationRecorder",
    }, str(path))


def _postgres(url: str, *, create_tables: bool) -> Store:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or "/" in dbname:
        raise StoreMissing(f"db: {parts.scheme}://... needs a database name, as in "
                           "postgresql://user@host:5432/lrt")
    try:
        port = parts.port or 5432
    except ValueError:
        raise StoreMissing("db: the port is not a number") from None
    user = unquote(parts.username or "") or os.environ.get("PGUSER") or _os_user()
    password = unquote(parts.password or "") or os.environ.get("PGPASSWORD", "")
    host = parts.hostname or os.environ.get("PGHOST") or "localhost"
    shown = f"postgresql://{user}@{host}:{port}/{dbname}"
    return Store("postgres", {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": user,
        # Empty: libpq then reads ~/.pgpass (or PGPASSFILE), as psql does.
        "POSTGRES_PASSWORD": password,
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "POSTGRES_LOCK_TIMEOUT": "30",
        # Only `lrt init` creates tables: other logins may not (and need not).
        "CREATE_TABLE": "yes" if create_tables else "no",
        # The hash chain over every event, written beside it (lrt_app/chain_postgres.py)
        "APPLICATION_RECORDER_TOPIC":
            "lrt_app.chain_postgres:ChainedPostgresApplicationRecorder",
    }, shown)


def _os_user() -> str:
    import getpass

    return getpass.getuser()
