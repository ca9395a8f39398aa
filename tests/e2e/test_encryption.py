"""Encryption at rest (issue 6): with a key, no text of the minutes is stored in clear, in
the events or in the read model; the store opens only with its key; the hash chain, over
the bytes as stored, still verifies (without the key, too)."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from .conftest import SEC, Cli, assert_one_line_error

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
    key_file = tmp_path / "lrt.key"
    key_file.write_text(AESCipher.create_key(32) + "\n")
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
    other = tmp_path / "other.key"
    other.write_text(AESCipher.create_key(32))
    cli.refused("--key-file", str(other), "minutes", "show", meeting,
                fragments=("does not open",))
    # the key from the environment works as the key file does
    no_key_env.setenv("LRT_CIPHER_KEY", key_file.read_text().strip())
    assert POINT in cli.ok("minutes", "show", meeting)
    no_key_env.delenv("LRT_CIPHER_KEY")

    # the chain binds the bytes as stored: it verifies, with the key and without it
    verified = cli.json("--key-file", str(key_file), "audit", "verify")
    assert verified["ok"] and verified["checked"] == len(events)
    assert cli.json("audit", "verify") == verified


def test_a_plain_store_refuses_a_key(cli, tmp_path, no_key_env):
    meeting = short_cycle(cli, tmp_path)
    no_key_env.setenv("LRT_CIPHER_KEY", AESCipher.create_key(16))
    cli.refused("minutes", "show", meeting, fragments=("not encrypted",))


def test_a_malformed_or_missing_key_is_one_line(cli, tmp_path, no_key_env):
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
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
