"""The SQLite store's durability: its settings, checked at start-up; a clean close that leaves
the main file complete; and a consistent copy (`lrt backup`).

- Before the library opens a file (it would silently switch a rollback-journal file to WAL),
  `preflight` refuses a store that is not in WAL mode (bytes 18 and 19 of the file's header
  say so without opening it) or that lies on a network file system (`/proc/mounts`), where
  SQLite's locks and the WAL's shared memory are not to be trusted.
- Every connection of the pool is set to `synchronous=FULL` (the setting `SQLITE_SYNCHRONOUS`,
  which `lrt_app.settings` gives; a lower one, say `LRT_SQLITE_SYNCHRONOUS=NORMAL` in the
  environment, is refused before the file is opened): in WAL mode a commit is then on disk
  before it is acknowledged. The library sets only the journal mode.
- `check` reads both pragmas back from a real connection of the pool and refuses anything
  less than WAL and FULL (`Lrt.check_store`, on every command and on `lrt init`).
- Closing the store checkpoints the WAL into the main file (`wal_checkpoint(TRUNCATE)`, best
  effort: another lrt process still at work does it when it closes). So whenever no lrt
  process runs, the main file alone holds every acknowledged event, and a copy of it alone
  is a complete store. After a crash, the `-wal` beside the file holds the last commits until
  the next open replays them; `lrt backup` is the way to copy a store at any time.

A copy of the main file without its `-wal` cannot be told apart from a cleanly closed store
(a WAL-mode file without a `-wal` is exactly what a clean close leaves), and a `-wal` does
not name the file it belongs to, so a stale one would be replayed into whatever file is put
in its place. Hence: a clean close leaves no `-wal`; `lrt backup` never writes where a
`-wal`, `-shm` or `-journal` of that name lies.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from lrt_domain.errors import DomainError

SYNCHRONOUS = "SQLITE_SYNCHRONOUS"  # the setting; lrt_app.settings gives FULL
LEVELS = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}
NAMES = {v: k for k, v in LEVELS.items()}
SAFE_LEVEL = LEVELS["FULL"]

HEADER = b"SQLite format 3\x00"
WAL_VERSION = 2  # bytes 18 and 19 of the header: 1 = rollback journal, 2 = WAL

# File systems whose locking SQLite cannot rely on (https://sqlite.org/useovernet.html)
NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "coda", "ceph", "glusterfs",
    "fuse.glusterfs", "fuse.sshfs", "sshfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse",
    "lustre", "gpfs", "davfs", "fuse.davfs2",
})
MOUNTS = Path("/proc/mounts")

SIDE_FILES = ("-wal", "-shm", "-journal")


class UnsafeStore(DomainError):
    """The store's settings could lose acknowledged events: lrt does not run on it."""


class BackupRefused(DomainError):
    pass


# --- before opening ---------------------------------------------------------------------

def header_journal(path: str | Path) -> str | None:
    """'wal' or 'rollback' from the file's header, without opening it as a database; None
    for a missing or empty file, or one that is not a SQLite database (SQLite will say)."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(HEADER):
        return None
    if head[18] == head[19] == WAL_VERSION:
        return "wal"
    if head[18] == head[19] == 1:
        return "rollback"
    return None


def _unescape(field: str) -> str:
    # /proc/mounts writes a space as \040, a tab as \011, a newline as \012, \ as \134
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def file_system(path: str | Path, mounts: str | None = None) -> str | None:
    """The type of the file system `path` lies on (the longest mount point above it), from
    `/proc/mounts` (or the text `mounts` in the same form); None where there is none."""
    if mounts is None:
        try:
            mounts = MOUNTS.read_text(encoding="utf8", errors="replace")
        except OSError:
            return None  # not Linux: no cheap way to tell
    target = os.path.realpath(path)
    best, kind = -1, None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _unescape(fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > best:
            best, kind = len(point), fields[2]
    return kind


def memory_mode(path: str) -> bool:
    """An in-memory database (the library's `SQLiteConnectionPool.detect_memory_mode`; a
    test holds the two equal)."""
    return bool(path) and (":memory:" in path or "mode=memory" in path)


def preflight(path: str, mounts: str | None = None) -> None:
    """Refuse, before anything opens it, a store in a rollback-journal mode or on a network
    file system (for a new store: its directory)."""
    if memory_mode(path):
        return
    existing = Path(path).exists()
    kind = file_system(path if existing else Path(path).parent, mounts)
    if kind is not None and (kind in NETWORK_FILE_SYSTEMS or kind.startswith("nfs")):
        raise UnsafeStore(f"store: {path} is on a network file system ({kind}); SQLite's "
                          "locks and write-ahead log need a local disk. Move the store to a "
                          "local disk, or use PostgreSQL.")
    if existing and header_journal(path) == "rollback":
        raise UnsafeStore(f"store: {path} is not in WAL mode (its journal mode was changed to "
                          "a rollback journal); lrt runs only in WAL mode. With no other "
                          f"program using it: sqlite3 {path} 'PRAGMA journal_mode=WAL'")


# --- the pool and the factory: lrt_app/sqlite_pool.py (they import the library, which a
# query on the read side alone does not: projections/reading.py) ----------------------------


def synchronous_level(value: str | None, *, name: str) -> int:
    """The level the setting names (no setting: FULL); refused, before anything is opened,
    when it is lower than FULL."""
    word = (value or "").strip().upper() or "FULL"
    level = LEVELS.get(word, int(word) if word.isdigit() else -1)
    if level not in NAMES:
        raise UnsafeStore(f"store: {SYNCHRONOUS} is {value!r}; it takes FULL or EXTRA")
    if level < SAFE_LEVEL:
        raise UnsafeStore(_too_low(NAMES[level], name))
    return level


def _too_low(level: str, name: str) -> str:
    return (f"store: synchronous is {level} for {name}; confirmed writes could be lost in a "
            f"power failure. lrt needs FULL (unset LRT_{SYNCHRONOUS}).")


def checkpoint(datastore: Any) -> None:
    """Copy every committed page of the WAL into the main file and empty the WAL. Best
    effort, without waiting: while another process writes or reads an older snapshot, as
    much as can be copied is, and that process checkpoints when it closes."""
    pool = datastore.pool
    if pool.closed or pool.is_sqlite_memory_mode or not getattr(pool, "opened", True):
        return
    try:
        # here, not at the top: the read side imports this module without the library's
        # pool; inside the try: an application the interpreter closes at its exit (never
        # closed by its owner) may find imports gone
        from .library_private import sqlite_connection

        with datastore.get_connection(commit=False) as conn:
            checkpoint_connection(sqlite_connection(conn))
    except Exception:  # noqa: BLE001 - closing must not fail a command that succeeded
        pass


def checkpoint_connection(raw: sqlite3.Connection) -> None:
    """`checkpoint` on one connection (the read side's own, `projections.reading`)."""
    try:
        raw.execute("PRAGMA busy_timeout=0")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except Exception:  # noqa: BLE001 - closing must not fail a command that succeeded
        pass


# --- at start-up ------------------------------------------------------------------------

def pragmas(datastore: Any) -> tuple[str, int]:
    """The journal mode and synchronous level of a real connection of the pool."""
    with datastore.transaction(commit=False) as c:
        c.execute("PRAGMA journal_mode")
        mode = str(c.fetchone()[0]).lower()
        c.execute("PRAGMA synchronous")
        level = int(c.fetchone()[0])
    return mode, level


def check(datastore: Any, *, name: str) -> None:
    """Refuse to run unless the store's connections are in WAL mode with synchronous FULL
    (or EXTRA), as read back from one of them."""
    mode, level = pragmas(datastore)
    if mode != "wal":
        raise UnsafeStore(f"store: the journal mode of {name} is {mode}, not WAL; lrt runs "
                          "only in WAL mode.")
    if level < SAFE_LEVEL:
        raise UnsafeStore(_too_low(str(NAMES.get(level, level)), name))


# --- backup -----------------------------------------------------------------------------

def backup(source: str, target: str, *, events_table: str, timeout: float = 30) -> int:
    """Copy the store `source` to the new file `target` with SQLite's online backup (one
    consistent snapshot, even while others write); return how many events the copy holds.
    The copy is written beside the target and appears under its name only when complete."""
    if not target.strip() or "\x00" in target:
        raise BackupRefused(f"backup: --to needs the name of a new file, not {target!r}")
    try:
        return _backup(source, target, events_table=events_table, timeout=timeout)
    except (OSError, sqlite3.Error) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise BackupRefused(f"backup: cannot write {target}: {reason}") from None


def _backup(source: str, target: str, *, events_table: str, timeout: float) -> int:
    to = Path(target)
    if to.exists() or to.is_symlink():
        raise BackupRefused(f"backup: {target} exists; a backup never overwrites a file. "
                            "Name a new file.")
    for suffix in SIDE_FILES:
        if Path(target + suffix).exists():
            raise BackupRefused(f"backup: {target}{suffix} exists, left from another store; "
                                "SQLite would apply it to the copy. Remove it or name "
                                "another file.")
    if not to.parent.is_dir():
        raise BackupRefused(f"backup: directory {to.parent} does not exist")
    partial = to.with_name(f".{to.name}.{os.getpid()}.partial")
    for side in (partial, *(Path(f"{partial}{s}") for s in SIDE_FILES)):
        side.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source, timeout=timeout)
        try:
            dst = sqlite3.connect(partial, timeout=timeout)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")  # the source's already; to be sure
                problems = dst.execute("PRAGMA quick_check").fetchall()
                if problems != [("ok",)]:
                    raise BackupRefused(f"backup: the copy does not check out: "
                                        f"{problems[0][0]}")
                count = dst.execute(f"SELECT COUNT(*) FROM {events_table}").fetchone()[0]
                dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                dst.close()
        finally:
            src.close()
        _fsync(partial)
        _publish(partial, to)
    finally:
        for side in (partial, *(Path(f"{partial}{s}") for s in SIDE_FILES)):
            side.unlink(missing_ok=True)
    return int(count)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(partial: Path, to: Path) -> None:
    """Give the complete copy its name, never over an existing file."""
    try:
        os.link(partial, to)  # fails if `to` appeared meanwhile
    except FileExistsError:
        raise BackupRefused(f"backup: {to} exists; a backup never overwrites a file. "
                            "Name a new file.") from None
    except OSError:
        # a file system without hard links (FAT, some shares): rename, having checked
        if to.exists():
            raise BackupRefused(f"backup: {to} exists; a backup never overwrites a file. "
                                "Name a new file.") from None
        os.rename(partial, to)
    try:
        fd = os.open(to.parent, os.O_RDONLY)
    except OSError:
        return  # no directory handles (Windows)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
