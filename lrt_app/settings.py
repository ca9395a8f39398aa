"""Where the store is: a SQLite file (`lrt.sqlite` here by default, `--db` or `LRT_DB`)."""

from __future__ import annotations

import os
from pathlib import Path

from lrt_domain.errors import DomainError

DEFAULT_DB = "lrt.sqlite"


class StoreMissing(DomainError):
    pass


def store_path(db: str | None) -> str:
    return db or os.environ.get("LRT_DB") or DEFAULT_DB


def store_env(db: str | None, *, must_exist: bool = True) -> dict[str, str]:
    """The eventsourcing settings for the store at `db`, using the library's SQLite module."""
    path = Path(store_path(db))
    if must_exist and not path.exists():
        raise StoreMissing(f"db: no store at {path}; create one with 'lrt init'")
    if not path.parent.is_dir():
        raise StoreMissing(f"db: directory {path.parent} does not exist")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "30",
    }
