"""Where the store is, as eventsourcing settings.

- a path (default `lrt.sqlite` in the working directory): the embedded SQLite store;
- `postgresql://user@host:port/dbname`: the shared PostgreSQL store. The password comes from
  the URL, `PGPASSWORD`, or `~/.pgpass` (libpq reads it when none is given), and is never
  printed.

Encryption at rest: a key (base64, 16, 24 or 32 bytes; `lrt key new` makes one) from a key
file (`--key-file PATH`, else `LRT_KEY_FILE`), else from `LRT_CIPHER_KEY`, turns on lrt's
AES-GCM cipher (`lrt_app.persistence.BoundCipher`) for every stored event, each bound to its
place; the read model's texts are sealed with the same key (`projections.read_model`).
Topics, ids and the hash chain stay in clear, so the chain verifies without the key.

The library reads its settings from the environment too, an `LRT_`-prefixed one first
(`LRT_CIPHER_KEY` before `CIPHER_KEY`): the chosen key and cipher are therefore set under
those prefixed names, or set empty, so that the key chosen here is the one used, whatever
the environment holds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lrt_domain.errors import DomainError

DEFAULT_DB = "lrt.sqlite"
KEY_ENV = "LRT_CIPHER_KEY"
KEY_FILE_ENV = "LRT_KEY_FILE"
CIPHER_TOPIC = "lrt_app.persistence:BoundCipher"
KEY_SIZES = (16, 24, 32)


class StoreMissing(DomainError):
    pass


class KeyProblem(DomainError):
    """No key for an encrypted store, a key for a plain one, a wrong or malformed key."""


def cipher_key(key_file: str | None = None) -> str | None:
    """The encryption key: from the key file (`--key-file`, else `LRT_KEY_FILE`), else from
    `LRT_CIPHER_KEY`; None when none is given. Never printed."""
    import base64
    import binascii

    path = key_file or os.environ.get(KEY_FILE_ENV)
    if path:
        try:
            _private(path)
            key = Path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: a NUL in it
            reason = e.strerror if isinstance(e, OSError) and e.strerror else "not a key file"
            raise KeyProblem(f"key: cannot read the key file {path}: {reason}") from None
        source = f"the key file {path}"
    else:
        key = os.environ.get(KEY_ENV, "").strip()
        source = KEY_ENV
        if not key:
            return None
    try:
        size = len(base64.b64decode(key.encode("ascii"), validate=True))
    except (binascii.Error, UnicodeEncodeError):
        size = -1
    if size not in KEY_SIZES:
        raise KeyProblem(f"key: {source} does not hold a key (base64 of 16, 24 or 32 bytes; "
                         "make one with 'lrt key new')")
    return key


def _private(path: str) -> None:
    """Refuse a key file that others may read or write, as ssh refuses such a key."""
    if os.name == "nt":
        return  # no POSIX modes; rely on the file's ACL
    mode = os.stat(path).st_mode
    if mode & 0o077:
        raise KeyProblem(f"key: the key file {path} is open to others (mode "
                         f"{mode & 0o777:04o}); make it private with 'chmod 600 {path}'")


def _with_key(env: dict[str, str], key: str | None) -> dict[str, str]:
    # Prefixed, so that they win over LRT_CIPHER_KEY or LRT_CIPHER_TOPIC in the environment
    # (see above); empty: no cipher, whatever CIPHER_TOPIC or CIPHER_KEY the environment has.
    env.update({"LRT_CIPHER_TOPIC": CIPHER_TOPIC if key else "",
                "LRT_CIPHER_KEY": key or ""})
    return env


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


def store(db: str | None, *, must_exist: bool = True, create_tables: bool = False,
          key_file: str | None = None) -> Store:
    """The store's settings, with the cipher's when a key is given (`cipher_key`)."""
    location = store_path(db)
    if location.startswith(("postgresql://", "postgres://")):
        found = _postgres(location, create_tables=create_tables)
    else:
        found = _sqlite(location, must_exist=must_exist)
    _with_key(found.env, cipher_key(key_file))
    return found


def store_env(db: str | None, *, must_exist: bool = True, create_tables: bool = False,
              key_file: str | None = None) -> dict[str, str]:
    return store(db, must_exist=must_exist, create_tables=create_tables,
                 key_file=key_file).env


def _sqlite(location: str, *, must_exist: bool) -> Store:
    path = Path(location)
    if must_exist and not path.exists():
        raise StoreMissing(f"db: no store at {path}; create one with 'lrt init'")
    if not path.parent.is_dir():
        raise StoreMissing(f"db: directory {path.parent} does not exist")
    return Store("sqlite", {
        # The library's SQLite store, checked before it opens a file, with synchronous set
        # on every connection and the WAL checkpointed on close (lrt_app/sqlite_store.py,
        # lrt_app/sqlite_pool.py)
        "PERSISTENCE_MODULE": "lrt_app.sqlite_pool:DurableSQLiteFactory",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "30",
        # A commit is on disk before it is acknowledged; anything lower is refused
        "SQLITE_SYNCHRONOUS": "FULL",
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
