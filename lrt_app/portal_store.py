"""The member portal's secrets, kept beside the store and never in the event log.

Two small tables in the store's own database (the SQLite file; on PostgreSQL tables that
`lrt init` grants to the writers, who issue links, and to the portal's delegate login):

- `lrt_login_links`: one-time login links. Only the SHA-256 of a token is kept, with the
  user it logs in, when it expires and when it was used. Redeeming marks it used in the
  same statement that checks it, so a link works once, even with several workers.
- `lrt_portal_sessions`: the portal's sessions, by the SHA-256 of the id the signed cookie
  carries: whose it is, when it was last used (the idle timeout) and whether it ended
  (logging out ends it on the server, not only in the browser).

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

CREATE = (
    f"CREATE TABLE IF NOT EXISTS {LINKS} (token_hash TEXT PRIMARY KEY, login TEXT NOT NULL, "
    "issued_by TEXT NOT NULL, issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, "
    "used_at TEXT)",
    f"CREATE TABLE IF NOT EXISTS {SESSIONS} (id_hash TEXT PRIMARY KEY, login TEXT NOT NULL, "
    "started_at TEXT NOT NULL, last_seen TEXT NOT NULL, ended_at TEXT)",
)


def grants(writer: str, delegate: str) -> list[str]:
    """PostgreSQL (run by `lrt init`): writers issue links; the portal's delegate login
    redeems them and keeps its sessions. Nobody else reads them."""
    return [*CREATE,
            f"REVOKE ALL ON {LINKS}, {SESSIONS} FROM PUBLIC",
            f"GRANT INSERT ON {LINKS} TO {writer}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {LINKS}, {SESSIONS} TO {delegate}"]


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
                c.execute(f"SELECT to_regclass('{LINKS}') IS NOT NULL AS made")
                made = c.fetchone()["made"]
            if not made:  # a store set up before the portal: its owner makes them
                with self.datastore.transaction(commit=True) as c:
                    for statement in CREATE:
                        c.execute(statement)
        else:
            with self.datastore.transaction(commit=True) as c:
                for statement in CREATE:
                    c.execute(statement)
        self._made = True

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
