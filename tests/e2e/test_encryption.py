"""Encryption at rest (issue 6): with a key, no text of the minutes is stored in clear, in
the events or in the read model; the store opens only with its key; the hash chain, over
the bytes as stored, still verifies (without the key, too). Issue 11: the key chosen by the
documented order is the one used, whatever the environment holds, and a key file others may
read is refused (the binding of ciphertexts and the names: test_encryption_binds.py)."""

from __future__ import annotations

import glob
import os
import stat
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from worlds.command_line import SEC, Cli, assert_one_line_error

# Distinctive phrases: one in a minutes point, one in an action line (the action register).
POINT = "Zeldzaam Zwaluwstaartoverleg"
ACTION = "Kwikstaartnotitie"
MINUTES = f"""\
## 1. Opening en mededelingen
- Het {POINT} wordt voortgezet.
- Actie: VNG levert de {ACTION} aan.
"""


@pytest.fixture
def no_key_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("LRT_CIPHER_KEY", raising=False)
    monkeypatch.delenv("LRT_KEY_FILE", raising=False)
    return monkeypatch


def write_key(path: Path, key: str | None = None, mode: int = 0o600) -> Path:
    """A key file as `lrt key new --out` makes one: private to its owner."""
    path.write_text((key or AESCipher.create_key(32)) + "\n")
    path.chmod(mode)
    return path


def short_cycle(cli: Cli, tmp_path: Path, *key_args: str) -> str:
    """init, a table, a held meeting, minutes with the phrases, read back; the meeting."""
    cli.at("2023-10-02 09:00")
    r = cli.invoke(*key_args, "init", "--admin", SEC, "--organisation", "JenV",
                   "--organisation-name", "Ministerie van Justitie en Veiligheid", user=None)
    assert r.exit_code == 0, r.stderr
    cli.new(*key_args, "org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new(*key_args, "table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    meeting = cli.new(*key_args, "meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                      "--place", "Webex")
    cli.new(*key_args, "agenda", "add", meeting, "Opening en mededelingen")
    cli.at("2023-11-10 11:00")
    cli.ok(*key_args, "meeting", "hold", meeting)
    draft = tmp_path / "verslag.md"
    draft.write_text(MINUTES, encoding="utf8")
    cli.new(*key_args, "minutes", "draft", meeting, "--from", str(draft))
    shown = cli.ok(*key_args, "minutes", "show", meeting)
    assert POINT in shown
    actions = cli.json(*key_args, "action", "list")
    assert any(ACTION in a["text"] for a in actions), actions
    return meeting


def stored_bytes(cli: Cli) -> list[bytes]:
    """Everything the store holds, as raw bytes: the SQLite file (and its -wal, -shm); on
    PostgreSQL every column of every table of the database, read with raw SQL."""
    store = cli.store
    if store.kind == "sqlite":
        files = glob.glob(store.url + "*")
        assert store.url in files
        return [Path(f).read_bytes() for f in files]
    found = []
    tables = [t for (t,) in store.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    assert "lrt_events" in tables and "view_state" in tables, tables
    for table in tables:
        for row in store.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                found.append(bytes(value) if isinstance(value, (bytes, memoryview))
                             else str(value).encode("utf8"))
    return found


def appears(phrase: str, chunks: list[bytes]) -> bool:
    return any(phrase.encode("utf8") in chunk for chunk in chunks)


def test_a_plain_store_holds_the_phrases_in_clear(cli, tmp_path, no_key_env):
    """The control: the search below finds the phrases where they are stored in clear."""
    short_cycle(cli, tmp_path)
    chunks = stored_bytes(cli)
    assert appears(POINT, chunks) and appears(ACTION, chunks)


def test_an_encrypted_store_holds_no_phrase_and_opens_only_with_its_key(
        cli, tmp_path, no_key_env):
    key_file = write_key(tmp_path / "lrt.key")
    meeting = short_cycle(cli, tmp_path, "--key-file", str(key_file))

    chunks = stored_bytes(cli)
    assert chunks
    assert not appears(POINT, chunks), "a minutes point is stored in clear"
    assert not appears(ACTION, chunks), "an action text is stored in clear"
    # topics and ids stay in clear; the states are not JSON
    events = cli.store.stored_events()
    assert events and all(not state.startswith(b"{") for *_, state in events)

    # without the key: refused, one line, exit 1, nothing written
    line = cli.refused("minutes", "show", meeting)
    assert "encrypted" in line and "key" in line
    cli.refused("org", "add", "IPO", "Interprovinciaal Overleg", fragments=("encrypted",))
    # with another key: refused too
    other = write_key(tmp_path / "other.key")
    cli.refused("--key-file", str(other), "minutes", "show", meeting,
                fragments=("does not open",))
    # the key from the environment works as the key file does
    no_key_env.setenv("LRT_CIPHER_KEY", key_file.read_text().strip())
    assert POINT in cli.ok("minutes", "show", meeting)
    no_key_env.delenv("LRT_CIPHER_KEY")

    # the chain binds the bytes as stored: it verifies, with the key and without it
    verified = cli.json("--key-file", str(key_file), "audit", "verify")
    assert verified["ok"] and verified["checked"] == len(events)
    without = cli.ok("audit", "verify")  # the chain only: the log's rules need the key
    assert without.startswith(f"ok: {len(events)} events checked"), without
    assert verified["head"] in without


def test_a_plain_store_refuses_a_key(cli, tmp_path, no_key_env):
    meeting = short_cycle(cli, tmp_path)
    no_key_env.setenv("LRT_CIPHER_KEY", AESCipher.create_key(16))
    cli.refused("minutes", "show", meeting, fragments=("not encrypted",))


def test_a_malformed_or_missing_key_is_one_line(cli, tmp_path, no_key_env):
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    bad.chmod(0o600)
    for args in (("--key-file", str(bad)), ("--key-file", str(tmp_path / "none.key"))):
        r = cli.invoke(*args, "init", "--admin", SEC, "--organisation", "JenV",
                       "--organisation-name", "JenV", user=None)
        assert_one_line_error(r, 1, "key")
    assert not cli.store.exists()


def test_key_new_prints_a_usable_key(cli):
    out = cli.ok("key", "new", user=None)
    key = out.strip()
    assert out.count("\n") == 1
    import base64

    assert len(base64.b64decode(key, validate=True)) == 32
    assert key != cli.ok("key", "new", user=None).strip()
    assert len(base64.b64decode(cli.ok("key", "new", "--bytes", "16", user=None))) == 16


# --- which key is used (issue 11): the documented order, whatever the environment holds ---


def test_the_key_is_chosen_in_the_documented_order_whatever_the_environment(
        tmp_path, no_key_env):
    """--key-file, else LRT_KEY_FILE, else LRT_CIPHER_KEY. The library itself reads
    LRT_CIPHER_KEY before CIPHER_KEY: before the fix a right LRT_CIPHER_KEY beside a wrong
    --key-file opened the store, the reverse of the documented order."""
    from worlds.command_line import Cli

    cli = Cli(db=tmp_path / "lrt.sqlite")
    right = write_key(tmp_path / "right.key")
    wrong = write_key(tmp_path / "wrong.key")
    right_key, wrong_key = right.read_text().strip(), wrong.read_text().strip()
    meeting = short_cycle(cli, tmp_path, "--key-file", str(right))

    def opens(*args: str, **env: str) -> bool:
        for name in ("LRT_KEY_FILE", "LRT_CIPHER_KEY", "CIPHER_KEY", "CIPHER_TOPIC",
                     "LRT_CIPHER_TOPIC"):
            no_key_env.delenv(name, raising=False)
        for name, value in env.items():
            no_key_env.setenv(name, value)
        result = cli.invoke(*args, "minutes", "show", meeting)
        if result.exit_code == 0:
            assert POINT in result.stdout
            return True
        line = assert_one_line_error(result, 1, "key")
        assert "does not open" in line or "is encrypted" in line, line
        return False

    kf = "--key-file"
    # --key-file first, over LRT_KEY_FILE and over LRT_CIPHER_KEY
    assert not opens(kf, str(wrong), LRT_CIPHER_KEY=right_key)
    assert opens(kf, str(right), LRT_CIPHER_KEY=wrong_key)
    assert not opens(kf, str(wrong), LRT_KEY_FILE=str(right))
    assert opens(kf, str(right), LRT_KEY_FILE=str(wrong))
    assert not opens(kf, str(wrong), LRT_KEY_FILE=str(right), LRT_CIPHER_KEY=right_key)
    assert opens(kf, str(right), LRT_KEY_FILE=str(wrong), LRT_CIPHER_KEY=wrong_key)
    # then LRT_KEY_FILE, over LRT_CIPHER_KEY
    assert not opens(LRT_KEY_FILE=str(wrong), LRT_CIPHER_KEY=right_key)
    assert opens(LRT_KEY_FILE=str(right), LRT_CIPHER_KEY=wrong_key)
    # then LRT_CIPHER_KEY alone
    assert opens(LRT_CIPHER_KEY=right_key)
    assert not opens(LRT_CIPHER_KEY=wrong_key)
    # the library's own names are no way in: no key chosen means none is used
    assert not opens(CIPHER_KEY=right_key)
    assert not opens(CIPHER_KEY=right_key,
                     CIPHER_TOPIC="eventsourcing.cryptography:AESCipher")
    assert not opens(LRT_CIPHER_TOPIC="eventsourcing.cryptography:AESCipher",
                     LRT_CIPHER_KEY=wrong_key)
    assert not opens(kf, str(wrong), LRT_CIPHER_TOPIC="eventsourcing.cryptography:AESCipher",
                     CIPHER_KEY=right_key)


def test_a_plain_store_stays_plain_whatever_the_library_settings_say(
        cli, tmp_path, no_key_env):
    """CIPHER_TOPIC and CIPHER_KEY in the environment (the library's names) do not turn
    encryption on for a store opened without an lrt key: it is written and read plain."""
    no_key_env.setenv("CIPHER_TOPIC", "eventsourcing.cryptography:AESCipher")
    no_key_env.setenv("CIPHER_KEY", AESCipher.create_key(16))
    meeting = short_cycle(cli, tmp_path)
    assert POINT in cli.ok("minutes", "show", meeting)
    assert all(state.startswith(b"{") for *_, state in cli.store.stored_events())


# --- key files: private to their owner, as ssh's ----------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660, 0o755])
def test_a_key_file_others_may_open_is_refused(tmp_path, no_key_env, mode):
    from worlds.command_line import Cli

    cli = Cli(db=tmp_path / "lrt.sqlite")
    key_file = write_key(tmp_path / "lrt.key", mode=mode)
    r = cli.invoke("--key-file", str(key_file), "init", "--admin", SEC, "--organisation",
                   "JenV", "--organisation-name", "JenV", user=None)
    line = assert_one_line_error(r, 1, "key file", f"mode {mode:04o}",
                                 f"chmod 600 {key_file}")
    assert AESCipher.create_key(16)[:4] not in line  # (the key is never printed)
    assert key_file.read_text().strip() not in line
    assert not cli.store.exists()
    # through LRT_KEY_FILE too, and on an existing store
    key_file.chmod(0o600)
    short_cycle(cli, tmp_path, "--key-file", str(key_file))
    key_file.chmod(mode)
    no_key_env.setenv("LRT_KEY_FILE", str(key_file))
    cli.refused("org", "list", fragments=("open to others", f"mode {mode:04o}"))
    key_file.chmod(0o400)  # read-only for its owner: fine
    assert cli.json("org", "list")


def test_key_new_out_writes_a_private_key_file_and_never_overwrites(tmp_path, no_key_env):
    from worlds.command_line import Cli

    cli = Cli(db=tmp_path / "lrt.sqlite")
    os.umask(old := os.umask(0))  # the umask as it is, put back at once
    try:
        os.umask(0o000)  # the most permissive umask: the file must still be 0600
        out = tmp_path / "lrt.key"
        r = cli.invoke("key", "new", "--out", str(out), user=None)
        assert r.exit_code == 0, r.stderr
    finally:
        os.umask(old)
    assert r.stdout == ""  # the key is not printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    key = out.read_text()
    import base64

    assert len(base64.b64decode(key.strip(), validate=True)) == 32
    # never overwritten: the store it opens would be lost with it
    r = cli.invoke("key", "new", "--out", str(out), "--bytes", "16", user=None)
    assert_one_line_error(r, 1, "key file", str(out))
    assert out.read_text() == key
    # and it opens a store
    short_cycle(cli, tmp_path, "--key-file", str(out))
