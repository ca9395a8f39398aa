"""The raw limits the project is measured against: plain `sqlite3`, no lrt, no library.

    .venv/bin/python -m bench.raw decode STORE.sqlite   # select + json.loads; prints rows

`decode` runs as a process of its own in the benchmark, so that its peak memory can be
compared with that of `lrt projections rebuild`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path


def insert_rows(path: Path, rows: int, size: int) -> float:
    """Rows per second: one INSERT of a row of `size` state bytes per transaction, in WAL
    mode with synchronous=FULL (every commit waits for the disk), as a careful store
    would write one event per command."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, originator_id BLOB, "
                   "originator_version INTEGER, topic TEXT, state BLOB)")
        state = b"x" * size
        began = time.perf_counter()
        for i in range(rows):
            db.execute("BEGIN")
            db.execute("INSERT INTO events (originator_id, originator_version, topic, state) "
                       "VALUES (?, ?, ?, ?)", (os.urandom(16), i, "lrt.Action.Progress", state))
            db.execute("COMMIT")
        return rows / (time.perf_counter() - began)
    finally:
        db.close()


def decode(path: Path) -> int:
    """Select every stored event and decode its JSON state; how many there were."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        n = 0
        for (state,) in db.execute("SELECT state FROM stored_events ORDER BY rowid"):
            json.loads(state)
            n += 1
        return n
    finally:
        db.close()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "decode":
        raise SystemExit(__doc__)
    print(decode(Path(sys.argv[2])))
