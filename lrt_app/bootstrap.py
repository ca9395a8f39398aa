"""The composition root: the one place that builds the application for every face.

The CLI (`cli/session.py`), `lrt demo`, `bench/` and (later) the web server all call
`build`: the store resolved from its name, reached and checked (safe settings, the key),
and the recorder's hooks installed (on SQLite the read model written in the transaction
that saves a command's events, `projections.catch_up.project_on_save`). Tests that check
the parts may build `Lrt` by hand; a face never does.

It is the only module of `lrt_app` that knows the read side (`projections` imports
`lrt_app.application`, never this module), so there is no import circle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .clock import Clock
from .settings import store

if TYPE_CHECKING:  # (imported by the functions that build it: `read_side` does not)
    from projections.reading import ReadSide

    from .application import Lrt


def build(db: str | None, *, clock: Clock | None = None, key_file: str | None = None,
          need_key: bool = True, initialising: bool = False,
          project_on_save: bool = True) -> Lrt:
    """The application on the store `db` (a path, or a PostgreSQL URL; None: `LRT_DB` or
    the default), checked and with its hooks.

    `initialising`: a new store (`lrt init`, the demo, the benchmark's generators): it may
    not exist yet, its tables are created. `need_key=False`: an encrypted store opens
    without its key (the audit reads the stored bytes only). `project_on_save=False`: the
    read model is left to the next catch-up (tests exercise catching up; the benchmark
    measures a command alone)."""
    from .application import Lrt

    location = store(db, must_exist=not initialising, key_file=key_file)
    if location.is_postgres:
        from . import postgres

        postgres.reach(location.env, location.name)
    app = Lrt(env=location.env, clock=clock)
    try:
        if not initialising:
            app.check_store(location.name)
        elif location.is_postgres:
            from . import postgres

            # `lrt init` too refuses an unsafe store, before it creates anything there
            postgres.check(app.recorder, name=location.name, require_store=False)
    except BaseException:
        app.close()
        raise
    if initialising and location.is_postgres:
        app.close()  # checked without creating tables; now with
        location = store(db, must_exist=False, create_tables=True, key_file=key_file)
        app = Lrt(env=location.env, clock=clock)
    try:
        app.check_key(location.name, need_key=need_key or initialising)
        if project_on_save:
            install_hooks(app, new=initialising)
    except BaseException:
        app.close()
        raise
    return app


def application(env: dict[str, str], *, clock: Clock | None = None,
                project_on_save: bool = True) -> Lrt:
    """The application on a store whose settings (`lrt_app.settings.store_env`) were made
    and checked elsewhere (the benchmark's writer processes, each handed them), with its
    hooks."""
    from .application import Lrt

    app = Lrt(env=env, clock=clock)
    try:
        if project_on_save:
            install_hooks(app, new=not app.recorder.max_notification_id())
    except BaseException:
        app.close()
        raise
    return app


def read_side(db: str | None, *, clock: Clock | None = None, key_file: str | None = None,
              application: Callable[[], Lrt]) -> ReadSide | None:
    """The read side alone (`projections.reading`) on the SQLite store `db`, for a query;
    None where the application must open the store: PostgreSQL (the database login is the
    user, and the follower writes the views), a key or other settings than `build` gives a
    plain store, or a store that `build` would refuse or change. So it answers only where
    `build` would open the store as it is, and says nothing itself: the application then
    opens it and refuses in its words. `application`: how to build the whole application,
    should a query need the log.

    It checks what `build` checks, without the library (whose import costs more than a
    query): the settings as the library reads them (`Environment`), the file before it is
    opened (`sqlite_store.preflight`: on a local disk, in WAL mode), and one connection's
    journal mode (WAL) and `synchronous` (FULL or more, set as the pool sets it)."""
    import os
    import sqlite3

    from eventsourcing.utils import Environment

    from projections.reading import NAME, ReadSide

    from . import sqlite_store

    location = store(db, key_file=key_file)
    if location.is_postgres:
        return None
    # the settings as the application reads them (`Application.construct_env`)
    env = Environment(NAME, {**os.environ, **location.env})
    path = location.env["SQLITE_DBNAME"]
    if any(env.get(name) != location.env[name] for name in (
            "PERSISTENCE_MODULE", "APPLICATION_RECORDER_TOPIC", "SQLITE_DBNAME")) \
            or any(env.get(name) for name in ("CIPHER_TOPIC", "CIPHER_KEY",
                                               "COMPRESSOR_TOPIC")) \
            or sqlite_store.memory_mode(path) or path.startswith("file:") or "?" in path:
        return None
    try:
        level = sqlite_store.synchronous_level(env.get(sqlite_store.SYNCHRONOUS), name=path)
        sqlite_store.preflight(path)
    except sqlite_store.UnsafeStore:
        return None
    if sqlite_store.header_journal(path) != "wal":
        return None
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                 timeout=float(env.get("SQLITE_LOCK_TIMEOUT") or 5))
    try:
        connection.execute(f"PRAGMA synchronous={level}")  # as the pool sets it
        mode = str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        synchronous = int(connection.execute("PRAGMA synchronous").fetchone()[0])
        if mode != "wal" or synchronous < sqlite_store.SAFE_LEVEL:
            connection.close()
            return None
    except BaseException:
        connection.close()
        raise
    from .clock import SystemClock

    return ReadSide(connection, clock or SystemClock(), application)


def install_hooks(app: Lrt, *, new: bool = False) -> None:
    """The recorder's hooks: on SQLite, the read model written with each command's events.
    A new, empty store first gets its (empty, current) read model, so that its very first
    command is projected too."""
    from projections.catch_up import catch_up, open_read_model, project_on_save

    if app.is_postgres:
        return  # the follower ('lrt projections follow') writes the read model there
    if new and not app.recorder.max_notification_id():
        catch_up(app, open_read_model(app))
    project_on_save(app)


def portal_application(db: str | None, *, clock: Clock | None = None,
                       key_file: str | None = None) -> Lrt:
    """The application of the member portal (`lrt serve`): built as every face's, and on
    PostgreSQL refused unless its login may act for the users (a member of `lrt_delegate`,
    the tables' owner or a superuser), since every event it inserts names the user who
    acts, not the portal's login."""
    app = build(db, clock=clock, key_file=key_file)
    try:
        if app.is_postgres:
            from lrt_domain.errors import Forbidden

            try:
                app.login("lrt portal: may this login act for others?")
            except Forbidden:
                raise Forbidden("serve: the portal's database login must be a member of "
                                "lrt_delegate (it records events in its users' names)") \
                    from None
            app.portal_store.check()  # its tables, made by 'lrt init' (refused if missing)
    except BaseException:
        app.close()
        raise
    return app
