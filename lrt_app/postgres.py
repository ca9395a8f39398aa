"""What PostgreSQL needs beyond the library's tables: safety checks at start-up, the
append-only guard on the event table, the group roles and their grants, and the login.

Only imported for PostgreSQL stores."""

from __future__ import annotations

from typing import Any

from lrt_domain.errors import DomainError, Forbidden

from . import portal_store

WRITER_ROLE = "lrt_writer"  # the secretariat's staff: may record events, as themselves
READER_ROLE = "lrt_reader"  # auditors, Woo officers: may read everything, change nothing
DELEGATE_ROLE = "lrt_delegate"  # the member portal's service login: may act as any user
PROJECTOR_ROLE = "lrt_projector"  # the service running 'lrt projections follow'
ROLES = (WRITER_ROLE, READER_ROLE, DELEGATE_ROLE, PROJECTOR_ROLE)


class UnsafeStore(DomainError):
    pass


def _one(datastore: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with datastore.transaction(commit=False) as c:
        c.execute(sql, params)
        row = c.fetchone()
        return next(iter(row.values())) if row else None


def reach(env: dict[str, str], name: str) -> None:
    """Fail at once with libpq's reason (no such database, password refused, no server):
    the library's connection pool would only say, after its timeout, that it got none."""
    import psycopg

    from .settings import StoreMissing

    try:
        psycopg.connect(dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"],
                        port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                        password=env["POSTGRES_PASSWORD"],
                        connect_timeout=env.get("POSTGRES_CONNECT_TIMEOUT", "10")).close()
    except psycopg.Error as e:
        reason = " ".join(str(e).split())  # libpq does not repeat the password
        raise StoreMissing(f"db: cannot connect to {name}: {reason}") from None


def check(recorder: Any, *, name: str, require_store: bool = True) -> None:
    """Refuse to run on settings that could lose or misorder events, or without a store
    (`lrt init`, which creates the store, checks before it creates anything)."""
    datastore = recorder.datastore
    if datastore.enable_db_functions:
        raise UnsafeStore("store: POSTGRES_ENABLE_DB_FUNCTIONS is on; it skips the table lock "
                          "that keeps readers from missing events. Unset it.")
    setting = _one(datastore, "SHOW synchronous_commit")
    if setting not in ("on", "remote_write", "remote_apply"):
        raise UnsafeStore(f"store: synchronous_commit is {setting!r} on {name}; confirmed "
                          "writes could be lost in a crash. Set it to 'on'.")
    if not require_store:
        return
    table = f"{datastore.schema}.{recorder.events_table_name}"
    if _one(datastore, "SELECT to_regclass(%s)::text", (table,)) is None:
        from .settings import StoreMissing

        raise StoreMissing(f"db: no lrt store in {name}; create one with 'lrt init'")
    if not recorder.trusted():  # made by an earlier lrt: its inserts would not be chained
        raise UnsafeStore(f"store: {name} was set up by an earlier lrt, whose database does "
                          "not stamp and chain events; the tables' owner upgrades it with "
                          "'lrt init' (same arguments)")


def session_login(recorder: Any) -> tuple[str, bool]:
    """The database login, and whether it may act as someone else (a superuser or a member
    of lrt_delegate)."""
    datastore = recorder.datastore
    with datastore.transaction(commit=False) as c:
        c.execute("SELECT session_user AS login, "
                  "(SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS super, "
                  "(to_regrole(%s) IS NOT NULL AND pg_has_role(session_user, %s, 'MEMBER')) "
                  "AS delegate", (DELEGATE_ROLE, DELEGATE_ROLE))
        row = c.fetchone()
    return row["login"], bool(row["super"] or row["delegate"])


def login(recorder: Any, requested: str | None) -> str:
    """The acting user is the database login; only a superuser or a member of
    lrt_delegate (a trusted front-end) may act as someone else with --as."""
    login, delegates = session_login(recorder)
    if requested is None or requested == login:
        return login
    if delegates:
        return requested
    raise Forbidden(f"--as {requested}: on PostgreSQL you act as your database login "
                    f"{login}")


def acting_hint(recorder: Any, user: str) -> str:
    """How the login that ran `lrt init` acts as its first user `user` from now on."""
    login, delegates = session_login(recorder)
    if login == user:
        return f"act as {user}: your database login"
    if delegates:
        return f"act as {user} with --as {user} (your login {login} may act for others)"
    return (f"your login {login} acts only as itself: connect as a database login named "
            f"{user} (CREATE ROLE {user} LOGIN IN ROLE lrt_writer), or register {login} as "
            f"a user with 'lrt user add {login} ...' from such a login")


def prepare(recorder: Any, view_tables: list[str], tracking_table: str) -> None:
    """Make the event and chain tables append-only and grant the group roles (run by `lrt
    init`, as the owner of the tables; on a store made by an earlier lrt it takes back what
    that granted). Least privilege: a writer inserts events and reads; only the projector
    (and the owner) writes the read model; nobody but the owner's chain trigger
    (lrt_app.chain_postgres) writes the chain."""
    events = recorder.events_table_name
    chain = recorder.chain_table
    statements = [
        "CREATE OR REPLACE FUNCTION lrt_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'lrt: stored events are append-only; % refused', TG_OP "
        "USING ERRCODE = 'insufficient_privilege'; END $$",
    ]
    for table in (events, chain):
        statements += [
            f"DROP TRIGGER IF EXISTS lrt_append_only ON {table}",
            f"CREATE TRIGGER lrt_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION lrt_refuse_change()",
            f"DROP TRIGGER IF EXISTS lrt_no_truncate ON {table}",
            f"CREATE TRIGGER lrt_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION lrt_refuse_change()",
        ]
    for role in ROLES:
        statements.append(
            f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    model = ", ".join([tracking_table, *view_tables])
    everyone = f"{READER_ROLE}, {WRITER_ROLE}, {PROJECTOR_ROLE}"
    statements += [
        f"REVOKE ALL ON {events}, {chain}, {model} FROM PUBLIC, {everyone}",
        f"GRANT SELECT ON {events}, {chain}, {model} TO {everyone}",
        # UPDATE only because the library takes LOCK TABLE ... IN EXCLUSIVE MODE before it
        # inserts; the trigger above refuses every real UPDATE, DELETE and TRUNCATE.
        f"GRANT INSERT, UPDATE ON {events} TO {WRITER_ROLE}",
        f"GRANT USAGE ON SEQUENCE {events}_notification_id_seq TO {WRITER_ROLE}",
        f"GRANT INSERT, UPDATE, DELETE ON {model} TO {PROJECTOR_ROLE}",
        # the portal's login links and sessions (lrt_app.portal_store): beside the log
        *portal_store.grants(WRITER_ROLE, DELEGATE_ROLE),
    ]
    with recorder.datastore.transaction(commit=True) as c:
        for statement in statements:
            c.execute(statement)
