"""Settings that guard durability (issue 6), on real SQLite files.

- A store whose settings could lose acknowledged events is refused at start-up, with one
  line and exit 1, and left as it was: a store switched to a rollback journal (DELETE), a
  synchronous level below FULL, a store on a network file system.
- The check reads the pragmas back from a connection of the store's own pool.
- When an lrt command exits, the WAL is checkpointed into the main file: a copy of the main
  file alone holds every acknowledged event (even while another connection keeps the WAL).
- `lrt backup --to FILE` writes a consistent copy that verifies and equals the original,
  also while a writer runs; it never writes over a file, nor where a stale -wal lies.
- A writer killed with SIGKILL leaves a -wal; the next open replays it, nothing acknowledged
  is lost, and after that command the main file alone is complete again.
"""

from __future__ import annotations

import gc
import shutil
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from worlds.command_line import SEC, Cli, assert_one_line_error, store_fingerprint

from cli.main import lrt
from lrt_app import sqlite_store
from lrt_app.application import Lrt
from lrt_app.settings import store_env
from lrt_app.sqlite_store import UnsafeStore

ROOT = Path(__file__).parents[2]
SIDE = ("-wal", "-shm", "-journal")

# A writer that never closes its store: one DONE line (flushed) after each command returns;
# after `limit` commands it waits, its store still open, to be killed.
WRITER = """
import sys, time
from lrt_app.application import Lrt
from lrt_app.settings import store_env

db, limit = sys.argv[1], int(sys.argv[2])
app = Lrt(env=store_env(db))
app.check_store(db)
print("READY", flush=True)
for n in range(1, limit + 1):
    app.register_organisation("sec", f"K{n}", f"Organisatie {n}")
    print(f"DONE K{n}", flush=True)
time.sleep(600)
"""


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LRT_DB", "LRT_USER", "LRT_CIPHER_KEY", "LRT_KEY_FILE",
                 "LRT_SQLITE_SYNCHRONOUS", "LRT_PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)


def make_store(path: Path, orgs: int = 3) -> Cli:
    cli = Cli(db=path)
    result = cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                        "--organisation-name", "Ministerie van Justitie en Veiligheid",
                        user=None)
    assert result.exit_code == 0, result.stderr
    for n in range(1, orgs + 1):
        assert cli.new("org", "add", f"O{n}", f"Organisatie {n}") == f"O{n}"
    return cli


def side_files(path: Path) -> list[str]:
    gc.collect()  # the raw connections of `store_fingerprint` close when collected
    return [s for s in SIDE if Path(f"{path}{s}").exists()]


def org_codes(cli: Cli) -> set[str]:
    return {o["code"] for o in cli.json("org", "list")}


def journal_header(path: Path) -> bytes:
    return path.read_bytes()[18:20]


# --- refused at start-up, store untouched ----------------------------------------------------

COMMANDS = [("org", "list"), ("org", "add", "X", "Iets"), ("audit", "verify"),
            ("projections", "status")]


def test_a_store_switched_to_a_rollback_journal_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path)
    with closing(sqlite3.connect(path)) as c:
        assert c.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    assert journal_header(path) == b"\x01\x01"
    before_bytes, before_events = path.read_bytes(), store_fingerprint(path)

    for args in [*COMMANDS, ("backup", "--to", str(tmp_path / "copy.sqlite"))]:
        line = cli.refused(*args, fragments=("not in WAL mode", str(path),
                                             "PRAGMA journal_mode=WAL"))
        assert line.startswith("Error: store: ")
    assert_one_line_error(cli.invoke("init", "--admin", "x", "--organisation", "X",
                                     "--organisation-name", "X", user=None), 1,
                          "not in WAL mode")
    assert path.read_bytes() == before_bytes  # not even switched back to WAL behind our back
    assert store_fingerprint(path) == before_events
    assert side_files(path) == []
    assert not (tmp_path / "copy.sqlite").exists()

    # as the message says: set WAL again, and the store opens with everything in it
    with closing(sqlite3.connect(path)) as c:
        c.execute("PRAGMA journal_mode=WAL")
    assert org_codes(cli) == {"JenV", "O1", "O2", "O3"}


@pytest.mark.parametrize("level", ["NORMAL", "OFF", "1", "0"])
def test_synchronous_below_full_is_refused_and_the_store_left_untouched(
        tmp_path, monkeypatch, level):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path)
    before_bytes, before_events = path.read_bytes(), store_fingerprint(path)
    monkeypatch.setenv("LRT_SQLITE_SYNCHRONOUS", level)
    for args in COMMANDS:
        cli.refused(*args, fragments=("synchronous is", "lrt needs FULL",
                                      "LRT_SQLITE_SYNCHRONOUS"))
    assert path.read_bytes() == before_bytes
    assert store_fingerprint(path) == before_events
    assert side_files(path) == []

    # `lrt init` refuses before it creates anything
    fresh = tmp_path / "fresh" / "lrt.sqlite"
    fresh.parent.mkdir()
    assert_one_line_error(Cli(db=fresh).invoke(
        "init", "--admin", SEC, "--organisation", "JenV", "--organisation-name", "JenV",
        user=None), 1, "synchronous is")
    assert list(fresh.parent.iterdir()) == []

    monkeypatch.setenv("LRT_SQLITE_SYNCHRONOUS", "EXTRA")  # stricter than FULL: fine
    assert org_codes(cli) == {"JenV", "O1", "O2", "O3"}


def test_a_malformed_synchronous_setting_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path, orgs=0)
    monkeypatch.setenv("LRT_SQLITE_SYNCHRONOUS", "fast; DROP TABLE stored_events")
    cli.refused("org", "list", fragments=("SQLITE_SYNCHRONOUS", "FULL or EXTRA"))


def test_the_check_reads_the_pragmas_back_from_a_connection_of_the_store(tmp_path):
    path = tmp_path / "lrt.sqlite"
    make_store(path, orgs=0)
    app = Lrt(env=store_env(str(path)))
    try:
        app.check_store(str(path))  # as set: WAL and FULL on every connection
        assert sqlite_store.pragmas(app.recorder.datastore) == ("wal", 2)
        with app.recorder.datastore.get_connection(commit=False) as conn:
            conn.cursor().execute("PRAGMA synchronous=NORMAL")  # lowered behind lrt's back
        with pytest.raises(UnsafeStore, match="synchronous is NORMAL"):
            app.check_store(str(path))
    finally:
        app.close()
    # a plain library connection (no lrt settings) reads the same pragmas as our pool
    with closing(sqlite3.connect(path)) as c:
        assert c.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_store_on_a_network_file_system_is_refused(tmp_path):
    path = tmp_path / "lrt.sqlite"
    make_store(path, orgs=0)
    before = path.read_bytes()
    mounts = ("/dev/sda1 / ext4 rw,relatime 0 0\n"
              f"server:/export {tmp_path} nfs4 rw,vers=4.2 0 0\n")
    with pytest.raises(UnsafeStore, match=r"network file system \(nfs4\)"):
        sqlite_store.preflight(str(path), mounts)
    # a new store: its directory decides
    with pytest.raises(UnsafeStore, match="network file system"):
        sqlite_store.preflight(str(tmp_path / "new.sqlite"), mounts)
    # the longest mount point wins; a space in a mount point is written \040
    spaced = tmp_path / "a dir"
    spaced.mkdir()
    mounts += f"/dev/sdb1 {str(spaced).replace(' ', chr(92) + '040')} ext4 rw 0 0\n"
    assert sqlite_store.file_system(spaced / "lrt.sqlite", mounts) == "ext4"
    sqlite_store.preflight(str(spaced / "lrt.sqlite"), mounts)
    for kind in ("cifs", "fuse.sshfs", "smb3", "nfs"):
        text = f"//nas/share {tmp_path} {kind} rw 0 0\n"
        with pytest.raises(UnsafeStore, match=kind):
            sqlite_store.preflight(str(path), text)
    assert path.read_bytes() == before
    # this machine's own temporary directory is on a local disk (or on no /proc/mounts)
    kind = sqlite_store.file_system(tmp_path)
    assert kind is None or kind not in sqlite_store.NETWORK_FILE_SYSTEMS


# --- the main file alone is complete once lrt has exited --------------------------------

def copy_main_file_alone(path: Path, to_dir: Path) -> Path:
    to_dir.mkdir()
    copy = to_dir / path.name
    shutil.copyfile(path, copy)  # no -wal, no -shm
    return copy


def test_after_commands_exit_the_main_file_alone_holds_every_acknowledged_event(tmp_path):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path, orgs=5)
    assert cli.new("person", "add", "Liesbeth Spies") == "liesbeth-spies"
    assert side_files(path) == []  # checkpointed and gone
    copy = copy_main_file_alone(path, tmp_path / "copy")
    assert store_fingerprint(copy) == store_fingerprint(path)
    copied = Cli(db=copy)
    assert org_codes(copied) == {"JenV", "O1", "O2", "O3", "O4", "O5"}
    assert "ok:" in copied.ok("audit", "verify")


def test_the_main_file_is_complete_even_while_another_connection_keeps_the_wal(tmp_path):
    """SQLite deletes the -wal when the last connection closes; here another connection
    stays open, so only lrt's own checkpoint on close puts the events in the main file."""
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path, orgs=0)
    with closing(sqlite3.connect(path)) as keeper:
        keeper.execute("SELECT COUNT(*) FROM stored_events").fetchall()
        for n in range(1, 8):
            assert cli.new("org", "add", f"W{n}", f"Werkgroep {n}") == f"W{n}"
        assert Path(f"{path}-wal").exists()  # still there: keeper has the store open
        copy = copy_main_file_alone(path, tmp_path / "copy")
        assert store_fingerprint(copy) == store_fingerprint(path)
        assert org_codes(Cli(db=copy)) == {"JenV", *(f"W{n}" for n in range(1, 8))}


# --- lrt backup -------------------------------------------------------------------------

def test_backup_gives_a_store_that_verifies_and_equals_the_original(tmp_path):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path, orgs=4)
    target = tmp_path / "backups" / "lrt-copy.sqlite"
    target.parent.mkdir()
    out = cli.ok("backup", "--to", str(target), user=None)
    events = store_fingerprint(path)
    assert f"{events[0]} events" in out and "audit verify" in out
    assert store_fingerprint(target) == events
    assert journal_header(target) == b"\x02\x02"  # a store lrt opens as it is
    assert side_files(target) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["lrt-copy.sqlite"]
    copied = Cli(db=target)
    assert "ok: " in copied.ok("audit", "verify")
    assert copied.json("audit", "head") == cli.json("audit", "head")
    assert org_codes(copied) == org_codes(cli)
    # the copy is a store of its own: writing to it leaves the original alone
    copied.new("org", "add", "NIEUW", "Alleen in de kopie")
    assert store_fingerprint(path) == events


def test_backup_refuses_an_existing_target_and_a_stale_wal(tmp_path):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path, orgs=1)
    existing = tmp_path / "existing.sqlite"
    existing.write_bytes(b"not to be overwritten")
    cli.refused("backup", "--to", str(existing), fragments=("exists", "never overwrites"))
    assert existing.read_bytes() == b"not to be overwritten"
    cli.refused("backup", "--to", str(path), fragments=("exists",))  # itself

    stale = tmp_path / "restore.sqlite"
    Path(f"{stale}-wal").write_bytes(b"left from another store")
    cli.refused("backup", "--to", str(stale), fragments=("restore.sqlite-wal", "exists"))
    assert not stale.exists()

    cli.refused("backup", "--to", str(tmp_path / "nowhere" / "b.sqlite"),
                fragments=("does not exist",))
    assert_one_line_error(cli.invoke("backup"), 2, "--to")
    gc.collect()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "existing.sqlite", "lrt.sqlite", "restore.sqlite-wal"]


def test_backup_of_a_postgresql_store_points_to_pg_dump(tmp_path):
    line = assert_one_line_error(CliRunner().invoke(
        lrt, ["--db", "postgresql://lrt@localhost:5432/lrt", "backup", "--to",
              str(tmp_path / "b.sqlite")]), 1, "pg_dump")
    assert "postgresql://lrt@localhost:5432/lrt" in line
    assert list(tmp_path.iterdir()) == []


# --- a writer killed with SIGKILL -------------------------------------------------------

class Writer:
    """The WRITER script on a store, its DONE lines collected as they come."""

    def __init__(self, path: Path, limit: int = 10**6):
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(limit)],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.done: list[str] = []
        self.ready = threading.Event()
        self.progress = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.ready.wait(30):
            self.proc.kill()
            err = self.proc.stderr.read()  # type: ignore[union-attr]
            raise AssertionError(f"writer never got ready: {err}")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("READY"):
                self.ready.set()
            elif line.startswith("DONE ") and line.endswith("\n"):
                with self.progress:
                    self.done.append(line.split()[1])
                    self.progress.notify_all()

    def wait_for(self, n: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: len(self.done) >= n, timeout=60), \
                (len(self.done), self.proc.poll())

    def kill(self) -> list[str]:
        self.proc.kill()  # SIGKILL: no clean close, no checkpoint
        self.proc.wait(10)
        self.reader.join(10)
        err = self.proc.stderr.read()  # type: ignore[union-attr]
        assert self.proc.returncode == -9, (self.proc.returncode, err)  # killed, not failed
        self.proc.stderr.close()  # type: ignore[union-attr]
        self.proc.stdout.close()  # type: ignore[union-attr]
        return list(self.done)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_writer_killed_with_sigkill_leaves_a_wal_that_the_next_open_replays(tmp_path):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path, orgs=0)
    writer = Writer(path, limit=12)
    writer.wait_for(12)
    acknowledged = writer.kill()
    assert len(acknowledged) == 12
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the last commits live there only

    # copying the main file alone now would lose acknowledged events: what backup is for
    early = copy_main_file_alone(path, tmp_path / "early")
    assert not set(acknowledged) <= org_codes(Cli(db=early))

    # the next open replays the -wal: every acknowledged command is there
    assert set(acknowledged) <= org_codes(cli)
    assert "ok: " in cli.ok("audit", "verify")
    # and once that command has exited, the main file alone is complete again
    assert side_files(path) == []
    late = copy_main_file_alone(path, tmp_path / "late")
    assert set(acknowledged) <= org_codes(Cli(db=late))
    assert store_fingerprint(late) == store_fingerprint(path)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_backup_while_a_writer_runs_is_consistent(tmp_path):
    path = tmp_path / "lrt.sqlite"
    cli = make_store(path, orgs=0)
    writer = Writer(path)
    try:
        writer.wait_for(5)
        target = tmp_path / "during.sqlite"
        cli.ok("backup", "--to", str(target), user=None)
        writer.wait_for(len(writer.done) + 5)  # the writer went on meanwhile
    finally:
        acknowledged = writer.kill()
    copied = Cli(db=target)
    assert "ok: " in copied.ok("audit", "verify")  # a whole chain: one snapshot
    copy_events, original_events = (Cli(db=target).store.stored_events(),
                                     cli.store.stored_events())
    assert 0 < len(copy_events) < len(original_events)
    assert copy_events == original_events[:len(copy_events)]  # a prefix of the log
    assert set(acknowledged) <= org_codes(cli)
