"""The read model: built incrementally (every query catches up from its last position), it
gives exactly the views a full `lrt projections rebuild` gives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from worlds.command_line import SEC, Cli, Cycle, event_count, run_cycle, view_commands


def dump(c: Cycle) -> dict[str, Any]:
    """Every view, as JSON, by the secretariat and by the auditor."""
    return {" ".join(("--as", user, *args)): c.cli.json(*args, user=user)
            for args in view_commands(c) for user in (SEC, "woo")}


def status(cli: Cli) -> dict[str, int]:
    data = cli.json("projections", "status")
    assert {"events", "position", "behind"} <= set(data)
    return {k: data[k] for k in ("events", "position", "behind")}


def test_rebuild_gives_the_same_views_as_incremental_catch_up(store, tmp_path: Path) -> None:
    cycle = run_cycle(Cli(db=store), tmp_path, query_between=True)
    cli = cycle.cli
    incremental = dump(cycle)
    # the dump is not trivially empty
    assert incremental[f"--as {SEC} minutes show {cycle.meeting}"]["status"] == "approved"
    assert len(incremental[f"--as {SEC} action list --all"]) == 5

    result = cli.invoke("projections", "rebuild")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{event_count(cli.db)} events applied\n"
    assert status(cli) == {"events": 54, "position": 54, "behind": 0}

    rebuilt = dump(cycle)
    assert rebuilt.keys() == incremental.keys()
    for view in incremental:
        assert rebuilt[view] == incremental[view], view


def test_one_catch_up_at_the_end_gives_the_same_views(store_factory, tmp_path: Path) -> None:
    """The same cycle with no query between the commands: one catch-up of every event."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    stepwise = run_cycle(Cli(db=store_factory()), tmp_path / "a", query_between=True)
    at_once = run_cycle(Cli(db=store_factory(), project_on_save=False), tmp_path / "b",
                        query_between=False)
    behind = status(at_once.cli)  # status reads; it does not catch up
    assert behind["position"] == 3  # only `init` caught up
    assert behind["behind"] == behind["events"] - 3 > 0
    # On PostgreSQL the chain covers the database's stamps (who inserted, and when), so the
    # chain heads the two stores' approvals recorded differ; every other value is equal.
    assert without_digests(dump(at_once)) == without_digests(dump(stepwise))


def without_digests(views: dict[str, Any]) -> str:
    # (and the random part of the keys of comments and proposals in their own streams)
    text = re.sub(r"\b[0-9a-f]{64}\b", "<digest>", json.dumps(views, sort_keys=True))
    return re.sub(r"/wijziging/[0-9a-f]{32}\b", "/wijziging/<token>", text)


def test_status_and_catch_up(store, tmp_path: Path) -> None:
    cli = Cli(db=store, project_on_save=False)
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    assert status(cli) == {"events": 3, "position": 3, "behind": 0}

    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("person", "add", "Liesbeth Spies")
    assert status(cli) == {"events": 5, "position": 3, "behind": 2}  # commands don't catch up
    text = cli.ok("projections", "status")
    assert text == "3 of 5 events applied; 2 behind\n"

    assert [o["code"] for o in cli.json("org", "list")] == ["JenV", "VNG"]  # a query does
    assert status(cli) == {"events": 5, "position": 5, "behind": 0}

    cli.new("org", "add", "IPO", "Interprovinciaal Overleg")
    assert cli.ok("projections", "catch-up") == "1 events applied\n"
    assert status(cli)["behind"] == 0
    assert cli.ok("projections", "catch-up") == "0 events applied\n"


def test_rebuild_repairs_a_damaged_read_model(store, tmp_path: Path) -> None:
    cycle = run_cycle(Cli(db=store), tmp_path)
    cli = cycle.cli
    before = dump(cycle)
    events_before = event_count(cli.db)
    # lose some view rows behind the model's back
    store.execute("DELETE FROM view_actions")
    store.execute("DELETE FROM view_state WHERE kind = 'meeting'")
    assert cli.json("action", "list", "--all") == []
    assert cli.invoke("meeting", "show", cycle.meeting).exit_code == 1

    assert cli.ok("projections", "rebuild") == f"{events_before} events applied\n"
    assert dump(cycle) == before
    assert event_count(cli.db) == events_before  # the event log itself was never touched


def test_on_sqlite_a_command_writes_its_views_in_its_own_transaction(cli: Cli) -> None:
    """One commit per command, and the views current when it returns; on PostgreSQL the
    next query (or `projections follow`) catches up."""
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("person", "add", "Liesbeth Spies")
    behind = 0 if cli.store.kind == "sqlite" else 2
    assert status(cli) == {"events": 5, "position": 5 - behind, "behind": behind}
    # behind (written by a process that did not project): the next command leaves the
    # views to the catch-up rather than apply its events out of order
    Cli(db=cli.db, clock=cli.clock, project_on_save=False).new("org", "add", "IPO", "IPO")
    cli.new("org", "add", "COA", "Centraal Orgaan opvang asielzoekers")
    assert status(cli)["position"] == 5 - behind
    assert [o["code"] for o in cli.json("org", "list")] == ["COA", "IPO", "JenV", "VNG"]
    assert status(cli) == {"events": 7, "position": 7, "behind": 0}


# --- `projections verify`: the read model against the events (issue 11, point 4) --------

def tracking_table(cli: Cli) -> str:
    return "tracking" if cli.store.kind == "sqlite" else "lrt_tracking"


def small_store(cli: Cli) -> None:
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("person", "add", "Liesbeth Spies")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    cli.ok("projections", "catch-up")


def test_verify_a_clean_read_model(cli: Cli) -> None:
    small_store(cli)
    events = event_count(cli.db)
    assert cli.ok("projections", "verify") == \
        f"ok: {events} events up to position {events}, no differences\n"
    assert cli.json("projections", "verify") == {
        "ok": True, "position": events, "events": events, "differences": 0, "shown": []}
    assert cli.json("projections", "status")["consistent"] is True


def test_verify_reports_an_edited_state_and_view_row_with_exit_1(cli: Cli) -> None:
    small_store(cli)
    cli.store.execute("UPDATE view_state SET state = replace(state, 'Landelijke Regietafel', "
                      "'Regietafel van niemand') WHERE kind = 'table'")
    cli.store.execute("UPDATE view_memberships SET organisation = 'BZK'")  # no rows: no-op
    cli.store.execute("UPDATE view_state SET version = version + 1 WHERE kind = 'person'")
    result = cli.invoke("projections", "verify")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[-1].startswith("2 differences between the read model")
    assert all(line.startswith("DIFFERENT view_state ") for line in lines[:2])
    assert any('state.name: the read model has "Regietafel van niemand", the events give '
               '"Landelijke Regietafel"' in line for line in lines), lines
    assert any("version: the read model has 2, the events give 1" in line for line in lines)
    data = cli.invoke("projections", "verify", "--json")
    assert data.exit_code == 1
    shown = json.loads(data.stdout)
    assert (shown["ok"], shown["differences"]) == (False, 2)
    assert {d["table"] for d in shown["shown"]} == {"view_state"}
    cli.ok("projections", "rebuild")
    assert cli.json("projections", "verify")["ok"] is True


def test_a_moved_position_shows_in_status_and_verify(store) -> None:
    """The issue's repro: the position moved forward by 2 over two unapplied actions.
    `status` sees it (cheaply: the views hold no version of those events); verify names
    each event and row missing; catch-up cannot heal it, rebuild does."""
    cli = Cli(db=store, project_on_save=False)
    small_store(cli)
    cli.new("org", "add", "IPO", "Interprovinciaal Overleg")
    cli.new("org", "add", "COA", "Centraal Orgaan opvang asielzoekers")
    cli.store.execute(f"UPDATE {tracking_table(cli)} SET notification_id = "
                      "notification_id + 2")
    assert cli.ok("projections", "catch-up") == "0 events applied\n"
    assert [o["code"] for o in cli.json("org", "list")] == ["JenV", "VNG"]  # invisible
    events = event_count(cli.db)
    data = cli.json("projections", "status")
    assert (data["behind"], data["held"], data["consistent"]) == (0, events - 2, False)
    assert "INCONSISTENT: the views hold events up to" in cli.ok("projections", "status")

    result = cli.invoke("projections", "verify", "--json")
    assert result.exit_code == 1
    shown = json.loads(result.stdout)["shown"]
    assert [d["table"] for d in shown if d["table"] == "tracking"] == ["tracking"]
    assert [d["key"] for d in shown if d["table"] == "view_versions"] == [
        str(events - 1), str(events)]
    assert {(d["table"], d["problem"]) for d in shown} == {
        ("tracking", "position"), ("view_versions", "missing"), ("view_state", "missing")}
    cli.ok("projections", "rebuild")
    assert [o["code"] for o in cli.json("org", "list")] == ["COA", "IPO", "JenV", "VNG"]
    assert cli.json("projections", "status")["consistent"] is True


def test_verify_an_encrypted_read_model(cli: Cli, tmp_path: Path, monkeypatch) -> None:
    """Sealed states and action texts are compared unsealed; the export folds them too."""
    from eventsourcing.cryptography import AESCipher

    from .test_encryption import ACTION, short_cycle

    monkeypatch.delenv("LRT_CIPHER_KEY", raising=False)
    monkeypatch.delenv("LRT_KEY_FILE", raising=False)
    key = tmp_path / "lrt.key"
    key.write_text(AESCipher.create_key(32) + "\n")
    key.chmod(0o600)
    k = ("--key-file", str(key))
    short_cycle(cli, tmp_path, *k)
    cli.ok(*k, "projections", "catch-up")
    assert cli.ok(*k, "projections", "verify").startswith("ok: ")
    cli.store.execute("UPDATE view_state SET version = version + 1 WHERE kind = 'table'")
    result = cli.invoke(*k, "projections", "verify", "--json")
    assert result.exit_code == 1
    (diff,) = json.loads(result.stdout)["shown"]
    assert diff["table"] == "view_state" and ACTION not in result.stdout
