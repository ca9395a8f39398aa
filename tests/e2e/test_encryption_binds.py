"""Encryption that binds (issue 11, point 6), on both stores:

- each event's ciphertext opens only in its place (stream, version, topic): the probe's two
  user rows swapped, or a row copied into a new stream, are refused when read, so a member
  can no longer act as the secretariat by swapping ciphertexts;
- the read model's sealed values open only in their row;
- no personal name, and no id made from one, is stored in clear anywhere: the SQLite file
  (with -wal and -shm) and a `pg_dump` of the database are searched, case-insensitively;
  a plain store is the control.
"""

from __future__ import annotations

import glob
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lrt_domain.directory import User

from worlds.command_line import SEC, Cli, assert_one_line_error, store_fingerprint
from .test_encryption import short_cycle, write_key

NAME = "Geheime Ambtenaresse Zonderland"
SLUG = "geheime-ambtenaresse-zonderland"  # the id a plain store makes from the name
COMMENT = "Zonderland vindt punt 1 onvolledig"
AMENDMENT = "Mevrouw Zonderland vult de Meerkoetpassage aan"
ACTION = "Zonderland belt de Grutto-gemeenten"
MINUTES = """\
## 1. Opening en mededelingen
- Mevrouw Zonderland opent met de Kievitsbloemnotitie.
- Actie: VNG levert de Kievitsbloemnotitie aan.
"""
# What must not be found in an encrypted store, in any case (the search lowers both).
SECRETS = [NAME, "Zonderland", SLUG, "Ambtenaresse", "Kievitsbloemnotitie", "Meerkoetpassage",
           "Grutto-gemeenten", "onvolledig"]


@pytest.fixture(autouse=True)
def _no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LRT_CIPHER_KEY", "LRT_KEY_FILE", "CIPHER_KEY", "CIPHER_TOPIC"):
        monkeypatch.delenv(name, raising=False)


def key_args(tmp_path: Path) -> tuple[str, str]:
    return ("--key-file", str(write_key(tmp_path / "lrt.key")))


# --- raw access behind lrt's back ---------------------------------------------------


def raw_rows(cli: Cli) -> list[tuple[Any, int, str, bytes]]:
    """(originator_id as stored, version, topic, state) of every stored event."""
    store = cli.store
    return [(o, v, t, bytes(s)) for o, v, t, s in store.execute(
        f"SELECT originator_id, originator_version, topic, state FROM {store.events_table}")]


def row_of(cli: Cli, aggregate_id: Any, version: int) -> tuple[Any, int, str, bytes]:
    for row in raw_rows(cli):
        if str(row[0]).replace("-", "") == aggregate_id.hex and row[1] == version:
            return row
    raise AssertionError(f"no row {aggregate_id} v{version}")


def as_insider(cli: Cli, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """Statements as the file's owner (SQLite) or the database superuser, the append-only
    triggers switched off for the session (PostgreSQL), as an insider with those rights."""
    store = cli.store
    if store.kind == "sqlite":
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(store.url)) as c, c:
            for sql, params in statements:
                c.execute(sql, params)
        return
    import psycopg

    assert store.server is not None
    with psycopg.connect(host="127.0.0.1", port=store.server.port, user=store.server.user,
                         dbname=store.dbname) as c:
        c.execute("SET session_replication_role = replica")
        for sql, params in statements:
            c.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]


def insider_append(cli: Cli, oid: Any, topic: str, state: bytes) -> None:
    """A new event row (version 1 of stream `oid`) with its chain link, as an insider who
    knows the public link function would add it (PostgreSQL: the triggers link it)."""
    store = cli.store
    if store.kind == "postgres":
        store.execute(f"INSERT INTO {store.events_table} (originator_id, originator_version, "
                      "topic, state) VALUES (?, 1, ?, ?)", (str(oid), topic, state))
        return
    import sqlite3
    from contextlib import closing

    from lrt_app.chain import GENESIS, Head, new_links

    with closing(sqlite3.connect(store.url)) as c, c:
        written = str(oid) if "-" in str(raw_rows(cli)[0][0]) else oid.hex
        n = c.execute(f"INSERT INTO {store.events_table} (originator_id, originator_version, "
                      "topic, state) VALUES (?, 1, ?, ?)", (written, topic, state)).lastrowid
        row = c.execute("SELECT position, digest FROM stored_chain ORDER BY position DESC "
                        "LIMIT 1").fetchone()
        head = Head(row[0], row[1]) if row else Head(0, GENESIS.hex())
        c.executemany("INSERT INTO stored_chain VALUES (?,?,?,?,?)",
                      new_links(head, [(n, oid.hex, 1, topic, state)]))


def store_member(cli: Cli, tmp_path: Path) -> tuple[str, str]:
    """An encrypted store with the secretariat `sec` and a member `mem`; its key args."""
    args = key_args(tmp_path)
    short_cycle(cli, tmp_path, *args)
    person = cli.new(*args, "person", "add", "Mem Ber")
    cli.new(*args, "user", "add", "mem", "--role", "member", "--organisation", "VNG",
            "--person", person)
    return args


# --- events bound to their place ------------------------------------------------------


def test_swapped_user_rows_are_refused_not_acted_on(cli, tmp_path):
    """The probe: swap the ciphertexts of two user rows, then a member asks to register a
    secretariat user. Unbound, `mem`'s stream opened as `sec`'s registration and the user
    was recorded as added by `sec`."""
    args = store_member(cli, tmp_path)
    cli.refused(*args, "user", "add", "evil2", "--role", "secretariat", "--organisation",
                "JenV", user="mem")
    sec = row_of(cli, User.id_for(SEC), 1)
    mem = row_of(cli, User.id_for("mem"), 1)
    assert sec[2] == mem[2] == "lrt.User.Registered"
    table = cli.store.events_table
    as_insider(cli,
               (f"UPDATE {table} SET state = ? WHERE originator_id = ? AND "
                "originator_version = 1", (sec[3], mem[0])),
               (f"UPDATE {table} SET state = ? WHERE originator_id = ? AND "
                "originator_version = 1", (mem[3], sec[0])))

    for user in ("mem", SEC):
        line = cli.refused(*args, "user", "add", "evil2", "--role", "secretariat",
                           "--organisation", "JenV", user=user,
                           fragments=("does not open where it is stored",
                                      "lrt.User.Registered"))
        assert "Traceback" not in line
    names = [str(r[0]).replace("-", "") for r in raw_rows(cli)]
    assert User.id_for("evil2").hex not in names


def test_a_row_copied_into_another_stream_is_refused(cli, tmp_path):
    """A new row (a user `evil` whose registration is a copy of `sec`'s ciphertext, topic
    and all) does not open: the ciphertext was bound to `sec`'s stream."""
    args = store_member(cli, tmp_path)
    sec = row_of(cli, User.id_for(SEC), 1)
    insider_append(cli, User.id_for("evil"), sec[2], sec[3])
    r = cli.invoke(*args, "user", "add", "evil3", "--role", "secretariat",
                   "--organisation", "JenV", user="evil")
    assert_one_line_error(r, 1, "does not open where it is stored")


def test_a_row_moved_to_another_version_or_topic_is_refused(cli, tmp_path):
    """Within one stream too: a user's deactivation moved over its registration's place."""
    args = store_member(cli, tmp_path)
    cli.ok(*args, "user", "deactivate", "mem", "--reason", "vertrokken")
    registered = row_of(cli, User.id_for("mem"), 1)
    deactivated = row_of(cli, User.id_for("mem"), 2)
    as_insider(cli, (f"UPDATE {cli.store.events_table} SET state = ? WHERE "
                     "originator_id = ? AND originator_version = 1",
                     (deactivated[3], registered[0])))
    cli.refused(*args, "user", "add", "x", "--role", "auditor", user="mem",
                fragments=("does not open",))
    # the topic is bound too: the registration's bytes under another topic
    as_insider(cli, (f"UPDATE {cli.store.events_table} SET state = ?, topic = ? WHERE "
                     "originator_id = ? AND originator_version = 1",
                     (registered[3], "lrt.User.Deactivated", registered[0])))
    cli.refused(*args, "user", "add", "x", "--role", "auditor", user="mem",
                fragments=("does not open",))


def test_the_read_models_sealed_values_open_only_in_their_row(cli, tmp_path):
    """Swap the sealed states of two persons, and the sealed texts of two actions: the views
    refuse (one line) instead of showing one's state as the other's; a rebuild heals."""
    args = key_args(tmp_path)
    meeting = short_cycle(cli, tmp_path, *args)
    a = cli.new(*args, "person", "add", "Eerste Persoon")
    b = cli.new(*args, "person", "add", "Tweede Persoon")
    cli.new(*args, "action", "add", meeting, "--item", "1", "--owner", "VNG",
            "--text", "Tweede actie")
    assert "Eerste Persoon" in cli.ok(*args, "person", "list")  # (PostgreSQL: caught up)
    assert cli.ok(*args, "projections", "verify").startswith("ok: ")  # unseals every row
    store = cli.store
    states = {k: s for k, s in store.execute(
        "SELECT key, state FROM view_state WHERE kind = 'person'")}
    as_insider(cli, ("UPDATE view_state SET state = ? WHERE kind = 'person' AND key = ?",
                     (states[b], a)),
               ("UPDATE view_state SET state = ? WHERE kind = 'person' AND key = ?",
                (states[a], b)))
    cli.refused(*args, "person", "list", fragments=("read model", "does not open"))
    found_out = cli.invoke(*args, "projections", "verify")
    assert found_out.exit_code == 1 and "DIFFERENT" in found_out.stdout, found_out.stdout

    texts = dict(store.execute("SELECT key, text FROM view_actions ORDER BY key"))
    assert len(texts) == 2 and all(t and "actie" not in t.lower() for t in texts.values())
    (k1, t1), (k2, t2) = texts.items()
    as_insider(cli, ("UPDATE view_actions SET text = ? WHERE key = ?", (t2, k1)),
               ("UPDATE view_actions SET text = ? WHERE key = ?", (t1, k2)))
    cli.refused(*args, "action", "list", fragments=("read model", "does not open"))

    cli.ok(*args, "projections", "rebuild")
    names = {p["name"] for p in cli.json(*args, "person", "list")}
    assert {"Eerste Persoon", "Tweede Persoon"} <= names
    assert any("Tweede actie" in x["text"] for x in cli.json(*args, "action", "list"))


def test_a_states_parts_open_only_in_their_place(cli, tmp_path):
    """A long agenda is kept in parts (`projections.read_model.PART_SIZE` items each), each
    sealed for its place (the meeting, the field, the part's number): no item in clear, two
    parts swapped are refused (one line) rather than shown in each other's place; verify
    reports them; a rebuild heals."""
    from projections.read_model import PART_SIZE

    args = key_args(tmp_path)
    cli.at("2023-10-02 09:00")
    r = cli.invoke(*args, "init", "--admin", SEC, "--organisation", "JenV",
                   "--organisation-name", "Ministerie van Justitie en Veiligheid", user=None)
    assert r.exit_code == 0, r.stderr
    cli.new(*args, "table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    meeting = cli.new(*args, "meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                      "--place", "Webex")
    titles = [f"Geheimpunt {i + 1}" for i in range(PART_SIZE + 10)]
    for title in titles:
        cli.new(*args, "agenda", "add", meeting, title)
    assert [i["title"] for i in cli.json(*args, "agenda", "list", meeting)] == titles
    store = cli.store
    stored = dict(store.execute("SELECT part, items FROM view_state_parts"))
    assert sorted(stored) == [0, 1]
    assert all("geheimpunt" not in str(t).lower() for t in stored.values())
    as_insider(cli, ("UPDATE view_state_parts SET items = ? WHERE part = 0", (stored[1],)),
               ("UPDATE view_state_parts SET items = ? WHERE part = 1", (stored[0],)))
    cli.refused(*args, "agenda", "list", meeting, fragments=("read model", "does not open"))
    found_out = cli.invoke(*args, "projections", "verify")
    assert found_out.exit_code == 1 and "view_state_parts" in found_out.stdout, \
        found_out.stdout
    cli.ok(*args, "projections", "rebuild")
    assert [i["title"] for i in cli.json(*args, "agenda", "list", meeting)] == titles


# --- no names in clear --------------------------------------------------------------


def name_cycle(cli: Cli, tmp_path: Path, *args: str) -> str:
    """A person named NAME, member of the table, commenting, proposing an amendment,
    named in the minutes and in an action, read back; the person's id."""
    meeting = short_cycle(cli, tmp_path, *args)  # init, VNG, LRT, a held meeting, minutes
    person = cli.new(*args, "person", "add", NAME, "--title", "Mevr.")
    cli.new(*args, "user", "add", "mem", "--role", "member", "--organisation", "VNG",
            "--person", person)
    cli.new(*args, "member", "add", "LRT", person, "--organisation", "VNG",
            "--function", "adviseur", "--since", "2023-09-01", "--office-holder")
    cli.ok(*args, "attendance", "record", meeting, person, "present")
    draft = tmp_path / "verslag-naam.md"
    draft.write_text(MINUTES, encoding="utf8")
    cli.ok(*args, "minutes", "revise", meeting, "--from", str(draft))
    cli.ok(*args, "minutes", "circulate", meeting, "--deadline", "2023-11-21 12:00")
    cli.at("2023-11-14 10:00")
    cli.new(*args, "comment", "add", meeting, "--text", COMMENT, user="mem")
    cli.new(*args, "amendment", "propose", meeting, "--item", "1", "--text", AMENDMENT,
            user="mem")
    cli.new(*args, "action", "add", meeting, "--item", "1", "--owner", "VNG",
            "--text", ACTION)
    # everything reads back, with the key
    assert NAME in cli.ok(*args, "person", "list")
    shown = cli.ok(*args, "minutes", "show", meeting)
    assert "Kievitsbloemnotitie" in shown
    assert COMMENT in cli.ok(*args, "comment", "list", meeting)
    assert AMENDMENT in cli.ok(*args, "amendment", "list", meeting)
    assert ACTION in cli.ok(*args, "action", "list")
    assert person in cli.ok(*args, "member", "list", "LRT")
    cli.ok(*args, "projections", "status")
    return person


def everything_stored(cli: Cli) -> list[tuple[str, bytes]]:
    """The SQLite file with its -wal and -shm; on PostgreSQL a `pg_dump` of the database."""
    store = cli.store
    if store.kind == "sqlite":
        files = glob.glob(glob.escape(store.url) + "*")
        assert store.url in files
        return [(f, Path(f).read_bytes()) for f in files]
    assert store.server is not None
    dump = subprocess.run(
        [str(store.server.bindir / "pg_dump"), "-h", "127.0.0.1", "-p",
         str(store.server.port), "-U", store.server.user, "--no-password", store.dbname],
        check=True, capture_output=True).stdout
    assert b"lrt_events" in dump and b"view_state" in dump
    return [("pg_dump", dump)]


def found(secret: str, stored: list[tuple[str, bytes]]) -> list[str]:
    needle = secret.lower().encode("utf8")
    return [where for where, data in stored if needle in data.lower()]


def test_a_plain_store_holds_the_names_in_clear(cli, tmp_path):
    """The control: the same search finds every name, and the id made from one."""
    assert name_cycle(cli, tmp_path) == SLUG
    stored = everything_stored(cli)
    for secret in SECRETS:
        assert found(secret, stored), secret


def test_an_encrypted_store_holds_no_name_and_no_id_made_from_one(cli, tmp_path):
    args = key_args(tmp_path)
    person = name_cycle(cli, tmp_path, *args)
    assert re.fullmatch(r"p-[0-9a-f]{10}", person), person  # a keyed id, not the name
    stored = everything_stored(cli)
    for secret in SECRETS:
        assert not found(secret, stored), (secret, found(secret, stored))
    # the keyed id is stable for the name: a second registration is refused as before
    cli.refused(*args, "person", "add", NAME.upper(), fragments=("already exists",))
    # and an id chosen with --id is kept as given
    assert cli.new(*args, "person", "add", "Iemand Anders", "--id", "p-x1") == "p-x1"


def test_the_keyed_id_depends_on_the_key(tmp_path):
    """Two stores with two keys give one name two unrelated ids (no dictionary across
    stores), and no id spells the name."""
    ids = []
    for n in (1, 2):
        cli = Cli(db=tmp_path / f"s{n}.sqlite")
        folder = tmp_path / f"w{n}"
        folder.mkdir()
        args = ("--key-file", str(write_key(folder / "lrt.key")))
        short_cycle(cli, folder, *args)
        ids.append(cli.new(*args, "person", "add", NAME))
    assert ids[0] != ids[1]
    assert all("zonderland" not in i for i in ids)


def test_altered_bytes_are_refused(cli, tmp_path):
    """One byte added to a ciphertext: refused (and the store's fingerprint, on which the
    refusals above rely to show that nothing was recorded, sees raw edits)."""
    args = store_member(cli, tmp_path)
    before = store_fingerprint(cli.store)
    row = row_of(cli, User.id_for("mem"), 1)
    as_insider(cli, (f"UPDATE {cli.store.events_table} SET state = ? WHERE "
                     "originator_id = ? AND originator_version = 1", (row[3] + b"x", row[0])))
    assert store_fingerprint(cli.store) != before
    cli.refused(*args, "org", "list", user="mem", fragments=("does not open",))


# --- stores encrypted before the binding ----------------------------------------------


def test_a_store_encrypted_before_the_binding_opens_and_stays_unbound(tmp_path):
    """A store an earlier lrt encrypted (the library's AESCipher layout, no associated
    data) opens with its key, and what is added is written the same way, so that the
    store is read one way throughout (a bound row could otherwise be replaced by an unbound
    one). Such a store does not get the binding: documented; there is no conversion."""
    from eventsourcing.cryptography import AESCipher
    from eventsourcing.utils import Environment

    from lrt_app.application import Lrt
    from lrt_app.settings import store_env

    db = tmp_path / "old.sqlite"
    key_file = write_key(tmp_path / "lrt.key")
    app = Lrt(env=store_env(str(db), must_exist=False, key_file=str(key_file)))
    try:
        app.mapper.cipher.bound = False  # as lrt wrote every event before the binding
        app.initialise(admin=SEC, organisation="JenV", organisation_name="JenV")
    finally:
        app.close()
    library = AESCipher(Environment(env={"CIPHER_KEY": key_file.read_text().strip()}))
    cli = Cli(db=db)

    def all_unbound() -> int:
        rows = cli.store.stored_events()
        for *_, state in rows:
            library.decrypt(state)  # raises unless written without associated data
        return len(rows)

    before = all_unbound()
    args = ("--key-file", str(key_file))
    cli.new(*args, "org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    assert [o["code"] for o in cli.json(*args, "org", "list")] == ["JenV", "VNG"]
    assert all_unbound() == before + 1
    cli.refused("--key-file", str(write_key(tmp_path / "other.key")), "org", "list",
                fragments=("does not open",))


def test_views_as_they_stood_open_the_bound_values(cli, tmp_path):
    """--as-of reads the kept states and the history's sealed texts through the same
    binding (projections.as_of)."""
    from .test_encryption import ACTION, POINT

    args = key_args(tmp_path)
    meeting = short_cycle(cli, tmp_path, *args)
    cli.at("2023-11-20 10:00")
    cli.ok(*args, "meeting", "close", meeting)
    then = ("--as-of", "2023-11-15 12:00")
    assert POINT in cli.ok(*args, "minutes", "show", meeting, *then)
    assert any(ACTION in a["text"] for a in cli.json(*args, "action", "list", *then))
    assert cli.json(*args, "meeting", "show", meeting, *then)["status"] == "held"
