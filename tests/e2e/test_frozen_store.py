"""The frozen store (issue 6): `tests/fixtures/store-v0.1.sqlite`, written by lrt 0.1.0 with
`tests/fixtures/make_store_v0_1.py`, keeps loading after later changes to the events'
shapes. Its `lrt.Store.Initialised` event is of class version 1; the current class is
version 2 (`made_by`), and the mapper upcasts it with `upcast_v1_v2`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from lrt_app.application import Lrt
from lrt_app.settings import store_env
from lrt_domain.directory import Store

from worlds.command_line import Cli

FROZEN = Path(__file__).parents[1] / "fixtures" / "store-v0.1.sqlite"
MEETING = "LRT-2023-11-10"


@pytest.fixture
def frozen(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("LRT_CIPHER_KEY", raising=False)
    monkeypatch.delenv("LRT_KEY_FILE", raising=False)
    copy = tmp_path / "store-v0.1.sqlite"
    shutil.copyfile(FROZEN, copy)
    # Committed as one file in rollback-journal mode; lrt opens only WAL stores (issue 6),
    # so the copy is put back in WAL mode, as the refusal's message says.
    with closing(sqlite3.connect(copy)) as c:
        c.execute("PRAGMA journal_mode=WAL")
    return copy


def test_the_fixture_holds_version_1_events(frozen):
    cli = Cli(db=frozen)
    events = cli.store.stored_events()
    assert 15 <= len(events) <= 40
    initialised = [json.loads(s) for _, _, t, s in events if t == "lrt.Store.Initialised"]
    assert len(initialised) == 1
    assert "class_version" not in initialised[0] and "made_by" not in initialised[0]


def check_views(cli: Cli) -> None:
    m = cli.json("minutes", "show", MEETING)
    assert m["status"] == "circulated" and m["version"] == 1
    assert [i["title"] for i in m["items"]] == ["Opening en mededelingen",
                                                "Huisvesting statushouders"]
    assert [p["kind"] for p in m["items"][0]["points"]] == ["point", "decision"]
    assert m["attendance"][0]["person"] == "liesbeth-spies"
    assert [(a["organisation"], a["status"]) for a in m["amendments"]] == [("VNG", "pending")]
    actions = cli.json("action", "list")
    assert [(a["owners"], a["text"]) for a in actions] == \
        [(["VNG"], "VNG levert een notitie aan.")]
    members = cli.json("member", "list", "LRT")
    assert [(x["person"], x["organisation"]) for x in members] == [("liesbeth-spies", "VNG")]
    assert [d["deadline"] for d in cli.json("deadlines", "--all")] == \
        ["2023-11-20T12:00+01:00"]


def test_the_frozen_store_opens_and_its_views_read(frozen):
    cli = Cli(db=frozen)
    check_views(cli)
    cli.ok("projections", "rebuild")  # every event again, through the mapper
    check_views(cli)
    verified = cli.json("audit", "verify")
    assert verified["ok"] and verified["checked"] == len(cli.store.stored_events())


def test_version_1_events_load_through_the_upcaster(frozen, monkeypatch):
    calls: list[dict] = []
    original = Store.Initialised.upcast_v1_v2

    def spy(state: dict) -> None:
        calls.append(dict(state))
        original(state)

    monkeypatch.setattr(Store.Initialised, "upcast_v1_v2", staticmethod(spy))
    app = Lrt(env=store_env(str(frozen)))
    try:
        store = app.get(Store, "store")
        assert len(calls) == 1 and "made_by" not in calls[0]
        assert store.made_by is None and store.simulated is False
        assert app.events_of(store.id)[0].made_by is None
    finally:
        app.close()


def test_a_new_store_writes_version_2_and_reads_it_without_upcasting(tmp_path, monkeypatch):
    monkeypatch.delenv("LRT_CIPHER_KEY", raising=False)
    monkeypatch.delenv("LRT_KEY_FILE", raising=False)

    def refuse(state: dict) -> None:
        raise AssertionError("a version 2 event was upcast")

    app = Lrt(env=store_env(str(tmp_path / "new.sqlite"), must_exist=False))
    try:
        app.initialise(admin="sec", organisation="JenV", organisation_name="JenV")
        monkeypatch.setattr(Store.Initialised, "upcast_v1_v2", staticmethod(refuse))
        store = app.get(Store, "store")
        assert store.made_by and store.made_by.startswith("lrt ")
    finally:
        app.close()
    stored = Cli(db=tmp_path / "new.sqlite").store.stored_events()
    state = json.loads(next(s for _, _, t, s in stored if t == "lrt.Store.Initialised"))
    assert state["class_version"] == 2 and state["made_by"] == store.made_by


def test_the_committed_fixture_is_left_as_it_was(frozen):
    # the copy was put in WAL mode: its header (the first 100 bytes) says so, nothing else
    committed = FROZEN.read_bytes()
    assert committed[18:20] == b"\x01\x01"  # still as committed: a rollback journal
    assert committed[100:] == frozen.read_bytes()[100:]
    assert not Path(str(FROZEN) + "-wal").exists()


def test_the_frozen_store_follows_the_rules(frozen):
    """`audit verify` replays the v0.1 events (upcast) through today's rules: no false
    alarm on a store an older lrt wrote."""
    report = Cli(db=frozen).json("audit", "verify")
    assert report["ok"] and report["rules"] == {"checked": True, "why": None}


def test_a_store_from_before_the_chain_is_refused_until_linked_on_purpose(frozen):
    """The frozen store as a store from before the hash chain: its chain table empty.
    Refused (no silent linking); `lrt audit link-legacy` links it, recorded as
    `Store.ChainLinked` by the secretariat user who ran it."""
    cli = Cli(db=frozen)
    count = len(cli.store.stored_events())
    cli.store.execute("DELETE FROM stored_chain")
    cli.refused("minutes", "show", MEETING, user="sec",
                fragments=(f"it holds {count} events and no hash chain", "link-legacy"))
    cli.refused("audit", "link-legacy", user="spies", fragments=("may not",))
    cli.at("2024-03-01 10:00")
    assert cli.ok("audit", "link-legacy", user="sec").startswith(
        f"linked {count} events into the hash chain")
    verified = cli.json("audit", "verify")
    assert verified["ok"] and verified["checked"] == count + 1
    assert verified["rules"]["checked"] is True
    linked = cli.json("history", "store", user="sec")[-1]
    assert (linked["event"], linked["user"], linked["change"]) == \
        ("Store.ChainLinked", "sec", f'"linked": {count}')
    check_views(cli)


def test_the_frozen_stores_amendment_is_decided_by_its_number_and_new_ones_follow(frozen):
    """Issue 16: the v0.1 store's pending amendment (an event of its minutes) is decided as
    before, by its number; an amendment proposed now is in its own stream and is number 2;
    the views and the audit read both."""
    cli = Cli(db=frozen)
    cli.ok("amendment", "accept", MEETING, "1")
    m = cli.json("minutes", "show", MEETING)
    assert [(a["number"], a["organisation"], a["status"]) for a in m["amendments"]] == [
        (1, "VNG", "accepted")] and m["version"] == 2
    assert cli.ok("amendment", "propose", MEETING, "--item", "1", "--text",
                  "Welkom.", "--on-behalf-of", "VNG").strip() == "2"
    m = cli.json("minutes", "show", MEETING)
    assert [(a["number"], a["status"]) for a in m["amendments"]] == [
        (1, "accepted"), (2, "pending")]
    verified = cli.json("audit", "verify")
    assert verified["ok"], verified
