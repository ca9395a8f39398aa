"""`lrt audit head|verify` and the diffs of `lrt history`, through the command line."""

from __future__ import annotations

import json

import pytest

from worlds.command_line import SEC, Cli, assert_one_line_error, run_cycle


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
                      "break": None, "against": None,
                      "rules": {"checked": True, "why": None}}
    out = cli.ok("audit", "verify", "--against", head["digest"], "--length", "7")
    assert "ok: 7 events checked, and the rules they follow" in out
    assert "at position 7" in out


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
    # only the owner's chain trigger writes links (lrt_app/chain_postgres.py)
    assert grants == {"lrt_writer": "SELECT", "lrt_reader": "SELECT"}


def test_history_shows_diffs_of_text_changes_and_a_full_cycle_verifies(cli, tmp_path):
    c = run_cycle(cli, tmp_path, query_between=False)
    rows = cli.json("history", c.meeting)
    by_event = {}
    for r in rows:
        by_event.setdefault(r["event"], []).append(r)
    drafted = by_event["Minutes.Drafted"][0]
    assert drafted["diff"].startswith(f"--- /dev/null\n+++ {c.meeting} v1\n")
    accepted = by_event["Minutes.ProposalAccepted"][0]["diff"]
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


# --- the log's rules, malformed rows, a store without its chain (issue 11) -------------


def forge_member_registration(cli: Cli) -> int:
    """As an insider: a `User.Registered` making a new secretariat user, by the member `mem`,
    written with SQL and correctly chained; its log position."""
    from lrt_app.application import Lrt
    from lrt_app.chain import Head, new_links
    from lrt_domain.base import Context
    from lrt_domain.directory import User

    app = Lrt(env=cli.store.env(create_tables=False))
    try:
        member = app.get(User, "mem").as_actor
        event = User.register(Context(actor=member, now=cli.clock.now()), "evil",
                              User.Registered.model_fields["user_role"].annotation.SECRETARIAT,
                              organisation="JenV", person=None)
        stored = app.mapper.to_stored_event(event)
    finally:
        app.close()
    events, _, chain = tables(cli)
    if cli.store.kind == "postgres":  # the database chains it (lrt_app/chain_postgres.py)
        cli.store.execute(f"INSERT INTO {events} (originator_id, originator_version, topic, "
                          "state) VALUES (?, 1, ?, ?)",
                          (str(stored.originator_id), stored.topic, stored.state))
        return int(cli.store.execute(f"SELECT max(position) FROM {chain}")[0][0])
    cli.store.execute(f"INSERT INTO {events} VALUES (?, 1, ?, ?)",
                      (stored.originator_id.hex, stored.topic, stored.state))
    rowid = cli.store.execute(f"SELECT max(rowid) FROM {events}")[0][0]
    head = cli.store.execute(f"SELECT position, digest FROM {chain} ORDER BY position DESC "
                             "LIMIT 1")[0]
    [link] = new_links(Head(*head), [(rowid, stored.originator_id.hex, 1, stored.topic,
                                      stored.state)])
    cli.store.execute(f"INSERT INTO {chain} VALUES (?,?,?,?,?)", link)
    return int(link[0])


def with_member(cli: Cli) -> None:
    small_store(cli)
    cli.new("person", "add", "Bestuurder VNG", "--id", "bestuurder-vng")
    cli.new("user", "add", "mem", "--role", "member", "--organisation", "VNG",
            "--person", "bestuurder-vng")


def test_verify_finds_a_correctly_chained_forgery_by_the_rules(cli):
    with_member(cli)
    position = forge_member_registration(cli)
    result = cli.invoke("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"BROKEN at position {position}: forbidden: "
                                    "lrt.User.Registered v1 by mem (member): user mem "
                                    "(member) may not register users"), result.stdout
    assert f"{position - 1} events checked before it" in result.stdout
    data = json.loads(cli.invoke("audit", "verify", "--json").stdout)
    assert data["ok"] is False and data["checked"] == position - 1
    assert (data["break"]["position"], data["break"]["problem"]) == (position, "forbidden")
    assert data["rules"] == {"checked": True, "why": None}


def test_an_encrypted_store_without_its_key_says_the_rules_were_not_checked(
        cli, tmp_path, monkeypatch):
    import base64
    import os

    monkeypatch.delenv("LRT_KEY_FILE", raising=False)
    monkeypatch.setenv("LRT_CIPHER_KEY", base64.b64encode(os.urandom(32)).decode())
    small_store(cli)
    assert cli.json("audit", "verify")["rules"] == {"checked": True, "why": None}
    monkeypatch.delenv("LRT_CIPHER_KEY")
    data = cli.json("audit", "verify")
    assert data["ok"] and data["checked"] == 7
    assert data["rules"]["checked"] is False and "encrypted" in data["rules"]["why"]
    out = cli.ok("audit", "verify")
    assert out.startswith("ok: 7 events checked\n")
    assert "rules not checked: the store is encrypted and no key was given" in out


@pytest.mark.parametrize("value", ["CAST(state AS TEXT)", "NULL", "42"])
def test_a_malformed_row_is_a_break_not_a_traceback(cli, value):
    if cli.store.kind == "postgres":
        pytest.skip("a bytea column holds bytes only (see test_an_undecodable_row...)")
    small_store(cli)
    cli.store.execute(f"UPDATE stored_events SET state = {value} WHERE rowid = "
                      "(SELECT rowid FROM stored_events ORDER BY rowid LIMIT 1 OFFSET 4)")
    result = cli.invoke("audit", "verify")
    assert result.exit_code == 1, (result.stdout, result.exception)
    kind = {"NULL": "NULL", "42": "INTEGER"}.get(value, "TEXT")
    assert result.stdout.startswith(f"BROKEN at position 5: malformed: event "), result.stdout
    assert f"its state is stored as {kind}, not as bytes" in result.stdout
    data = json.loads(cli.invoke("audit", "verify", "--json").stdout)
    assert data["break"]["problem"] == "malformed" and data["checked"] == 4


def test_an_undecodable_row_correctly_chained_is_malformed(cli):
    """Bytes no event decodes from, chained as the database or the file allows."""
    small_store(cli)
    events, _, chain = tables(cli)
    oid, topic, state = "0" * 31 + "1", "lrt.Organisation.Registered", b"\xff not json"
    if cli.store.kind == "postgres":
        cli.store.execute(f"INSERT INTO {events} (originator_id, originator_version, topic, "
                          "state) VALUES (?, 1, ?, ?)", (oid, topic, state))
    else:
        from lrt_app.chain import Head, new_links

        cli.store.execute(f"INSERT INTO {events} VALUES (?, 1, ?, ?)", (oid, topic, state))
        head = cli.store.execute(f"SELECT position, digest FROM {chain} "
                                 "ORDER BY position DESC LIMIT 1")[0]
        [link] = new_links(Head(*head), [(8, oid, 1, topic, state)])
        cli.store.execute(f"INSERT INTO {chain} VALUES (?,?,?,?,?)", link)
    result = cli.invoke("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("BROKEN at position 8: malformed: event "), result.stdout
    assert "does not decode" in result.stdout


def test_a_store_whose_chain_was_deleted_is_refused_not_relinked(cli):
    """The issue's repro: an event edited and the chain deleted; the next command used to
    link everything again, and verify said ok."""
    if cli.store.kind == "postgres":
        pytest.skip("SQLite: on PostgreSQL the chain is append-only and the owner's")
    small_store(cli)
    cli.store.execute("UPDATE stored_events SET state = CAST(replace(state, 'Organisatie VNG',"
                      " 'Organisatie XXX') AS BLOB) WHERE topic = 'lrt.Organisation.Registered'")
    cli.store.execute("DELETE FROM stored_chain")
    line = cli.refused("org", "add", "SZW", "Ministerie van SZW",
                       fragments=("no hash chain", "lrt audit link-legacy"))
    assert line.startswith("Error: store: it holds 7 events and no hash chain")
    cli.refused("user", "list", fragments=("no hash chain",))
    assert cli.store.execute("SELECT COUNT(*) FROM stored_chain")[0][0] == 0
    # the audit still reads it as it is: nothing is chained
    result = cli.invoke("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("BROKEN at position 1: inserted:")


def test_an_event_added_after_the_chain_is_refused(cli):
    if cli.store.kind == "postgres":
        pytest.skip("SQLite: on PostgreSQL the database chains every insert")
    small_store(cli)
    _, _, topic, state = cli.store.stored_events()[-1]
    cli.store.execute("INSERT INTO stored_events VALUES (?, 1, ?, ?)",
                      ("0" * 31 + "2", topic, state))
    cli.refused("user", "list", fragments=("is not the one the hash chain ends with",
                                           "lrt audit verify"))
    cli.refused("audit", "link-legacy", fragments=("does not bind all its events",))


def test_link_legacy_links_once_and_is_recorded(cli):
    if cli.store.kind == "postgres":  # chained by the database from the start
        small_store(cli)
        cli.refused("audit", "link-legacy", fragments=("only a SQLite store",))
        return
    with_member(cli)
    cli.store.execute("DELETE FROM stored_chain")
    before = cli.store.stored_events()
    cli.refused("audit", "link-legacy", user="mem",
                fragments=("mem (member) may not link a store from before the chain",))
    cli.at("2024-01-05 10:00")
    out = cli.ok("audit", "link-legacy")
    assert out.startswith(f"linked {len(before)} events into the hash chain; the linking is "
                          f"event {len(before) + 1}\n")
    report = cli.json("audit", "verify")
    assert report["ok"] and report["checked"] == len(before) + 1
    assert report["rules"]["checked"] is True
    rows = cli.json("history", "store")
    assert [(r["event"], r["user"]) for r in rows][-1] == ("Store.ChainLinked", SEC)
    assert rows[-1]["recorded_at"].startswith("2024-01-05T10:00")
    assert '"linked": 9' in rows[-1]["change"]
    cli.refused("audit", "link-legacy", fragments=("binds every event",))
    cli.new("org", "add", "SZW", "Ministerie van SZW")  # the store is usable again
    assert cli.json("audit", "verify")["ok"]


def test_a_malformed_first_row_is_a_break_too(cli):
    """The first row is also the store's encryption marker: opening must not stumble."""
    if cli.store.kind == "postgres":
        pytest.skip("a bytea column holds bytes only")
    small_store(cli)
    cli.store.execute("UPDATE stored_events SET state = CAST(state AS TEXT) WHERE rowid = 1")
    result = cli.invoke("audit", "verify")
    assert result.exit_code == 1 and result.stdout.startswith(
        "BROKEN at position 1: malformed: "), (result.stdout, result.exception)
    assert_one_line_error(cli.invoke("user", "list"), 1, "malformed", "lrt audit verify")


def test_chain_only_skips_the_rules_and_says_so(cli):
    with_member(cli)
    position = forge_member_registration(cli)
    out = cli.ok("audit", "verify", "--chain-only")
    assert out.startswith(f"ok: {position} events checked\n")
    assert "rules not checked: --chain-only was given" in out
    assert cli.invoke("audit", "verify").exit_code == 1


def test_an_edited_event_in_the_middle_of_the_log_is_one_break_and_exit_1(cli):
    """The walk hashes a batch of rows at a time (`lrt_app.audit._walk`): an event edited in
    the middle of a batch is named as before, in the same words, with the count before it;
    nothing after it is reported."""
    small_store(cli)
    for n in range(12):
        cli.new("org", "add", f"ORG{n}", f"Organisatie {n}")
    events, order, _ = tables(cli)
    if cli.store.kind == "postgres":
        cli.store.execute(f"ALTER TABLE {events} DISABLE TRIGGER ALL")
    nid, oid, version, state = cli.store.execute(
        f"SELECT {order}, originator_id, originator_version, state FROM {events} "
        f"ORDER BY {order} LIMIT 1 OFFSET 9")[0]
    edited = bytes(state).replace(b"Organisatie", b"Organisatje")
    assert edited != bytes(state)
    cli.store.execute(f"UPDATE {events} SET state = ? WHERE {order} = ?", (edited, nid))
    oid = str(oid).replace("-", "")
    result = cli.invoke("audit", "verify")
    assert result.exit_code == 1, (result.stdout, result.exception)
    assert result.stdout == (
        f"BROKEN at position 10: edited: event {oid} v{version} (notification {nid}) is not "
        "what was chained: its stored bytes, or its link, were changed\n"
        "9 events checked before it\n")
    for extra in ([], ["--chain-only"]):
        data = json.loads(cli.invoke("audit", "verify", "--json", *extra).stdout)
        assert (data["ok"], data["checked"], data["break"]["position"]) == (False, 9, 10)
