"""`lrt audit head|verify` and the diffs of `lrt history`, through the command line."""

from __future__ import annotations

import json

import pytest

from .conftest import SEC, Cli, run_cycle


def small_store(cli: Cli) -> None:
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van Justitie en Veiligheid",
                      user=None).exit_code == 0
    for code in ("VNG", "IPO", "BZK", "COA"):
        cli.new("org", "add", code, f"Organisatie {code}")


def tables(cli: Cli) -> tuple[str, str, str]:
    if cli.store.kind == "postgres":
        return "lrt_events", "notification_id", "lrt_chain"
    return "stored_events", "rowid", "stored_chain"


def test_head_and_verify_on_an_untouched_store(cli):
    small_store(cli)
    head = cli.json("audit", "head")
    assert head["length"] == 7 and len(head["digest"]) == 64
    text = cli.ok("audit", "head")
    assert head["digest"] in text and "length 7" in text
    report = cli.json("audit", "verify")
    assert report == {"ok": True, "checked": 7, "head": head["digest"], "length": 7,
                      "break": None, "against": None}
    out = cli.ok("audit", "verify", "--against", head["digest"], "--length", "7")
    assert "ok: 7 events checked" in out and "at position 7" in out


def test_verify_names_the_position_of_an_edited_event_and_exits_1(cli):
    small_store(cli)
    events, order, _ = tables(cli)
    if cli.store.kind == "postgres":
        cli.store.execute(f"ALTER TABLE {events} DISABLE TRIGGER ALL")
    cli.store.execute(f"UPDATE {events} SET topic = 'lrt.Organisation.Forged' "
                      f"WHERE {order} = (SELECT {order} FROM {events} ORDER BY {order} "
                      "LIMIT 1 OFFSET 4)")
    result = cli.invoke("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("BROKEN at position 5: edited:")
    result = cli.invoke("audit", "verify", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["checked"] == 4
    assert data["break"]["position"] == 5 and data["break"]["problem"] == "edited"


def test_verify_against_a_head_catches_a_deleted_tail(cli):
    small_store(cli)
    written = cli.json("audit", "head")
    events, order, chain = tables(cli)
    if cli.store.kind == "postgres":
        cli.store.execute(f"ALTER TABLE {events} DISABLE TRIGGER ALL")
        cli.store.execute(f"ALTER TABLE {chain} DISABLE TRIGGER ALL")
    cli.store.execute(f"DELETE FROM {events} WHERE {order} = "
                      f"(SELECT MAX({order}) FROM {events})")
    cli.store.execute(f"DELETE FROM {chain} WHERE position = ?", (written["length"],))
    assert cli.invoke("audit", "verify").exit_code == 0
    result = cli.invoke("audit", "verify", "--against", written["digest"],
                        "--length", str(written["length"]), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["break"] == {
        "position": 7, "problem": "tail deleted", "detail": json.loads(
            result.stdout)["break"]["detail"]}


def test_verify_refuses_a_malformed_head(cli):
    small_store(cli)
    cli.refused("audit", "verify", "--against", "abc", code=2, fragments=("--against",))
    cli.refused("audit", "verify", "--length", "3", code=2, fragments=("--against",))


def test_the_chain_is_append_only_on_postgres(cli):
    if cli.store.kind != "postgres":
        pytest.skip("triggers are PostgreSQL's")
    small_store(cli)
    import psycopg

    for sql in ("UPDATE lrt_chain SET digest = 'x' WHERE position = 1",
                "DELETE FROM lrt_chain WHERE position = 7", "TRUNCATE lrt_chain"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            cli.store.execute(sql)
    grants = {r[0]: r[1] for r in cli.store.execute(
        "SELECT grantee, string_agg(privilege_type, ',' ORDER BY privilege_type) "
        "FROM information_schema.role_table_grants WHERE table_name = 'lrt_chain' "
        "AND grantee IN ('lrt_writer', 'lrt_reader') GROUP BY grantee")}
    assert grants == {"lrt_writer": "INSERT,SELECT", "lrt_reader": "SELECT"}


def test_history_shows_diffs_of_text_changes_and_a_full_cycle_verifies(cli, tmp_path):
    c = run_cycle(cli, tmp_path, query_between=False)
    rows = cli.json("history", c.meeting)
    by_event = {}
    for r in rows:
        by_event.setdefault(r["event"], []).append(r)
    drafted = by_event["Minutes.Drafted"][0]
    assert drafted["diff"].startswith(f"--- /dev/null\n+++ {c.meeting} v1\n")
    accepted = by_event["Minutes.AmendmentAccepted"][0]["diff"]
    assert f"--- {c.meeting} v1\n+++ {c.meeting} v2\n" in accepted
    assert "\n-- De richting van de voorstellen wordt op hoofdlijnen gesteund." in accepted
    assert "\n+- VNG steunt de richting op hoofdlijnen, met voorbehoud." in accepted
    corrected = by_event["Minutes.Corrected"][0]["diff"]
    assert "\n-- Geen punten." in corrected and "\n+- Er zijn geen punten ingebracht." \
        in corrected
    assert all(r["diff"] is None for r in by_event["Meeting.Held"])
    text = cli.ok("history", c.meeting)
    assert "+- VNG steunt de richting op hoofdlijnen, met voorbehoud." in text
    document = cli.json("history", c.document)
    assert document[0]["diff"].endswith("+Conceptbrief aan de Tweede Kamer.\n+\n+(concepttekst)")
    # the approval recorded the approved text's digest and the head at that moment
    approved = by_event["Minutes.Approved"][0]["change"]
    assert '"text_digest": "' in approved and '"chain_head": "' in approved
    report = cli.json("audit", "verify")
    assert report["ok"] and report["checked"] == report["length"] > 50
