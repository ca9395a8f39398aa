"""The member portal's secrets, kept beside the store and never in the event log.

Three small tables in the store's own database (the SQLite file; on PostgreSQL tables that
`lrt init` grants to the writers, who issue links, and to the portal's delegate login):

- `lrt_login_links`: one-time login links. Only the SHA-256 of a token is kept, with the
  user it logs in, when it expires and when it was used. Redeeming marks it used in the
  same statement that checks it, so a link works once, even with several workers.
- `lrt_portal_sessions`: the portal's sessions, by the SHA-256 of the id the signed cookie
  carries: whose it is, when it was last used (the idle timeout) and whether it ended
  (logging out ends it on the server, not only in the browser).
- `lrt_login_attempts`: login attempts per connecting address that failed (or are under
  way), for the limit on them: one table, so every worker of the portal counts the same
  attempts. An attempt is noted before it is judged and forgotten when it succeeds; rows
  older than the limit's window are deleted as new ones come.

Times are the application's clock (the database server's on PostgreSQL), as UTC text.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

TOUCH = timedelta(minutes=1)  # a session's last use is written at most this often
LINKS = "lrt_login_links"
SESSIONS = "lrt_portal_sessions"
ATTEMPTS = "lrt_login_attempts"
TABLES = (LINKS, SESSIONS, ATTEMPTS)

CREATE = (
    f"CREATE TABLE IF NOT EXISTS {LINKS} (token_hash TEXT PRIMARY KEY, login TEXT NOT NULL, "
    "issued_by TEXT NOT NULL, issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, "
    "used_at TEXT)",
    f"CREATE TABLE IF NOT EXISTS {SESSIONS} (id_hash TEXT PRIMARY KEY, login TEXT NOT NULL, "
    "started_at TEXT NOT NULL, last_seen TEXT NOT NULL, ended_at TEXT)",
    f"CREATE TABLE IF NOT EXISTS {ATTEMPTS} (attempt TEXT PRIMARY KEY, "
    "address TEXT NOT NULL, attempted_at TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {ATTEMPTS}_address ON {ATTEMPTS} (address, attempted_at)",
    f"CREATE INDEX IF NOT EXISTS {ATTEMPTS}_time ON {ATTEMPTS} (attempted_at)",
)


def grants(writer: str, delegate: str) -> list[str]:
    """PostgreSQL (run by `lrt init`): writers issue links; the portal's delegate login
    redeems them, keeps its sessions and counts the login attempts. Nobody else reads
    them."""
    return [*CREATE,
            f"REVOKE ALL ON {LINKS}, {SESSIONS}, {ATTEMPTS} FROM PUBLIC",
            f"GRANT INSERT ON {LINKS} TO {writer}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {LINKS}, {SESSIONS}, {ATTEMPTS} "
            f"TO {delegate}"]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class PortalStore:
    """The two tables on an application's own datastore (its connections and pool)."""

    def __init__(self, datastore: Any, *, postgres: bool):
        self.datastore = datastore
        self.postgres = postgres
        self._made = False

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def _ensure(self) -> None:
        if self._made:
            return
        if self.postgres:
            with self.datastore.transaction(commit=False) as c:
                c.execute("SELECT " + ", ".join(f"to_regclass('{t}') IS NOT NULL AS {t}"
                                                for t in TABLES))
                made = c.fetchone()
            if not all(made[t] for t in TABLES):
                # a store set up by an earlier lrt: its owner makes them (`lrt init`)
                self._create_missing([t for t in TABLES if not made[t]])
        else:
            with self.datastore.transaction(commit=True) as c:
                for statement in CREATE:
                    c.execute(statement)
        self._made = True

    def _create_missing(self, missing: list[str]) -> None:
        from psycopg.errors import InsufficientPrivilege

        try:
            with self.datastore.transaction(commit=True) as c:
                for statement in CREATE:
                    c.execute(statement)
        except InsufficientPrivilege:
            from lrt_domain.errors import RuleViolation

            raise RuleViolation(f"portal: the table {missing[0]} is missing; run 'lrt init' "
                                "as the store's owner to add it") from None

    def check(self) -> None:
        """Refuse (one line) a store whose portal tables are missing and cannot be made by
        this login: `lrt serve` checks at its start, not at a member's first login."""
        self._ensure()

    def _one(self, sql: str, params: tuple[Any, ...]) -> Any:
        """Run one statement in its own transaction; its RETURNING row, if it has one."""
        self._ensure()
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._sql(sql), params)
            return c.fetchone() if "RETURNING" in sql else None

    # --- login links ------------------------------------------------------------------

    def issue_link(self, login: str, *, by: str, now: datetime, valid: timedelta) -> str:
        """A new single-use token for `login`, valid for `valid` from `now`."""
        token = secrets.token_urlsafe(32)
        self._one(f"INSERT INTO {LINKS} (token_hash, login, issued_by, issued_at, expires_at) "
                  "VALUES (?, ?, ?, ?, ?)",
                  (_hash(token), login, by, _text(now), _text(now + valid)))
        return token

    def redeem_link(self, token: str, *, now: datetime) -> str | None:
        """The user the token logs in, once: None for an unknown, used or expired token."""
        row = self._one(f"UPDATE {LINKS} SET used_at = ? WHERE token_hash = ? "
                        "AND used_at IS NULL AND expires_at > ? RETURNING login",
                        (_text(now), _hash(token), _text(now)))
        return None if row is None else str(row["login"])

    # --- login attempts ---------------------------------------------------------------

    def begin_attempt(self, address: str, *, now: datetime, window: timedelta,
                      limit: int) -> str | None:
        """Note a login attempt from `address`; its id, or None (nothing kept) when `limit`
        attempts from there failed or are under way within `window` before `now`.

        The attempt is stored (committed) before the attempts are counted, so of two
        workers counting at once the later sees both: the limit holds across workers, at
        worst refusing an attempt too many while another is under way. Attempts older than
        the window are deleted here (every address's: the table holds one window)."""
        attempt = secrets.token_hex(16)
        since = _text(now - window)
        self._ensure()
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._sql(f"DELETE FROM {ATTEMPTS} WHERE attempted_at <= ?"), (since,))
            c.execute(self._sql(f"INSERT INTO {ATTEMPTS} (attempt, address, attempted_at) "
                                "VALUES (?, ?, ?)"), (attempt, address, _text(now)))
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql(f"SELECT COUNT(*) AS n FROM {ATTEMPTS} WHERE address = ? "
                                "AND attempted_at > ?"), (address, since))
            counted = int(c.fetchone()["n"])
        if counted > limit:
            self.end_attempt(attempt)
            return None
        return attempt

    def end_attempt(self, attempt: str) -> None:
        """Forget an attempt: it succeeded (or was refused before it was tried)."""
        self._one(f"DELETE FROM {ATTEMPTS} WHERE attempt = ?", (attempt,))

    # --- sessions ---------------------------------------------------------------------

    def start_session(self, login: str, *, now: datetime) -> str:
        session_id = secrets.token_urlsafe(32)
        self._one(f"INSERT INTO {SESSIONS} (id_hash, login, started_at, last_seen) "
                  "VALUES (?, ?, ?, ?)", (_hash(session_id), login, _text(now), _text(now)))
        return session_id

    def session_user(self, session_id: str, *, now: datetime, idle: timedelta) -> str | None:
        """The user of a live session, which this use keeps alive; None when it ended or
        was idle longer than `idle`. Its last use is written at most once a minute (a
        write costs a sync to disk; the timeout is as exact as that)."""
        self._ensure()
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql(f"SELECT login, last_seen FROM {SESSIONS} WHERE id_hash = ? "
                                "AND ended_at IS NULL AND last_seen > ?"),
                      (_hash(session_id), _text(now - idle)))
            row = c.fetchone()
        if row is None:
            return None
        if row["last_seen"] < _text(now - TOUCH):
            self._one(f"UPDATE {SESSIONS} SET last_seen = ? WHERE id_hash = ? "
                      "AND last_seen < ?", (_text(now), _hash(session_id), _text(now)))
        return str(row["login"])

    def end_session(self, session_id: str, *, now: datetime) -> None:
        self._one(f"UPDATE {SESSIONS} SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
                  (_text(now), _hash(session_id)))
