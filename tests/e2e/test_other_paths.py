"""Paths the main cycle does not take: a guest, the chair, approval by written procedure,
and what approved minutes no longer allow."""

from __future__ import annotations

from pathlib import Path

import pytest

from worlds.command_line import SEC, Cli

M = "LRT-2023-11-10"


@pytest.fixture
def circulated(cli: Cli, tmp_path: Path) -> Cli:
    """Minutes of a held meeting, circulated until 21 November 12:00; a guest invited."""
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    for name in ("Liesbeth Spies", "Wouter Kolff", "Christophe van der Maat"):
        cli.new("person", "add", name)
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "liesbeth-spies")
    cli.new("user", "add", "kolff", "--role", "guest", "--person", "wouter-kolff")
    cli.new("user", "add", "voorzitter", "--role", "chair", "--person",
            "christophe-van-der-maat")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    cli.new("member", "add", "LRT", "liesbeth-spies", "--organisation", "VNG",
            "--function", "bestuurder VNG", "--since", "2023-09-01", "--office-holder")
    cli.at("2023-11-03 16:00")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                   "--place", "Webex") == M
    cli.new("agenda", "add", M, "Opening")
    cli.ok("meeting", "invite", M, "wouter-kolff")
    cli.at("2023-11-10 09:15")
    cli.ok("meeting", "hold", M)
    cli.at("2023-11-14 10:00")
    text = tmp_path / "verslag.md"
    text.write_text("## 1. Opening\n- De voorzitter opent de vergadering.\n", encoding="utf8")
    cli.new("minutes", "draft", M, "--from", str(text))
    cli.ok("minutes", "circulate", M, "--deadline", "2023-11-21 12:00")
    return cli


def test_the_chair_runs_their_own_table(circulated: Cli) -> None:
    cli = circulated
    cli.refused("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00", "--place", "Webex",
                user="voorzitter", fragments=("voorzitter", "chair"))
    cli.ok("table", "chair", "LRT", "christophe-van-der-maat")
    assert cli.json("table", "show", "LRT")["chair"] == "christophe-van-der-maat"
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00", "--place",
                   "Webex", user="voorzitter") == "LRT-2023-12-01"
    history = cli.json("history", "LRT-2023-12-01")
    assert [(h["user"], h["role"]) for h in history] == [("voorzitter", "chair")]


def test_an_invited_guest_reads_and_comments(circulated: Cli) -> None:
    cli = circulated
    cli.at("2023-11-15 10:00")
    assert cli.json("minutes", "show", M, user="kolff")["status"] == "circulated"
    assert cli.new("comment", "add", M, "--text", "Namens het Veiligheidsberaad: akkoord.",
                   user="kolff") == "1"
    comments = cli.json("comment", "list", M, user="spies")
    assert [(c["person"], c["organisation"]) for c in comments] == [("wouter-kolff", None)]
    # a guest proposes no amendments, and the guest reads only the meeting invited to
    cli.refused("amendment", "propose", M, "--item", "1", "--text", "x", user="kolff",
                fragments=("kolff", "guest"))
    deadline = cli.json("deadlines")[0]
    assert deadline["commented"] == ["wouter-kolff"]
    assert deadline["not_commented"] == ["liesbeth-spies"]


def test_approval_by_written_procedure(circulated: Cli) -> None:
    cli = circulated
    # the table's rules: approval at a later meeting, so no written procedure
    cli.refused("minutes", "procedure", M, "--deadline", "2023-11-28 12:00",
                fragments=("approves its minutes at a later meeting",))
    cli.ok("table", "rules", "LRT", "--approval", "written")
    cli.refused("minutes", "approve", M, "--written-procedure", fragments=("open until",))
    cli.at("2023-11-21 13:00")
    cli.refused("minutes", "approve", M, "--written-procedure",
                fragments=("no written procedure",))
    cli.ok("minutes", "procedure", M, "--deadline", "2023-11-28 12:00")
    cli.refused("minutes", "approve", M, "--written-procedure", fragments=("runs until",))
    cli.at("2023-11-28 12:01")
    cli.refused("minutes", "object", M, "--text", "Te laat.", user="spies",
                fragments=("ended",))
    cli.ok("minutes", "approve", M, "--written-procedure")
    approval = cli.json("minutes", "show", M, user="spies")["approval"]
    assert {k: v for k, v in approval.items()
            if k not in ("text_digest", "chain_head", "chain_length")} == {
        "at_meeting": None, "written_procedure": True, "version": 1,
        "amendments": [], "recorded_at": "2023-11-28T12:01+01:00"}
    assert approval["chain_length"] > 0 and len(approval["text_digest"]) == 64
    assert "Vastgesteld via schriftelijke procedure" in cli.ok("minutes", "show", M)


def test_an_objection_stops_the_written_procedure(circulated: Cli) -> None:
    cli = circulated
    cli.ok("table", "rules", "LRT", "--approval", "written")
    cli.at("2023-11-21 13:00")
    cli.ok("minutes", "procedure", M, "--deadline", "2023-11-28 12:00")
    cli.at("2023-11-24 09:00")
    cli.ok("minutes", "object", M, "--text", "VNG wil punt 1 bespreken.", user="spies")
    cli.at("2023-11-28 12:01")
    cli.refused("minutes", "approve", M, "--written-procedure", fragments=("objection",))
    assert cli.json("minutes", "show", M)["status"] == "circulated"


def test_approved_minutes_are_final(circulated: Cli, tmp_path: Path) -> None:
    cli = circulated
    cli.at("2023-11-20 10:00")
    assert cli.new("amendment", "propose", M, "--item", "1", "--point", "1",
                   "--text", "De voorzitter opent om 09:20.", user="spies") == "1"
    cli.at("2023-11-27 10:00")
    cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00", "--place", "Webex")
    cli.at("2023-12-01 10:00")
    cli.ok("meeting", "hold", "LRT-2023-12-01")
    cli.refused("minutes", "approve", M, "--at-meeting", "LRT-2023-12-01",
                fragments=("amendment 1", "pending"))
    cli.ok("amendment", "accept", M, "1")
    cli.ok("minutes", "approve", M, "--at-meeting", "LRT-2023-12-01")

    revision = tmp_path / "v3.md"
    revision.write_text("## 1. Opening\n- Iets anders.\n", encoding="utf8")
    cli.refused("minutes", "revise", M, "--from", str(revision), fragments=("approved",))
    cli.refused("minutes", "approve", M, "--at-meeting", "LRT-2023-12-01",
                fragments=("approved",))
    cli.refused("amendment", "propose", M, "--item", "1", "--text", "x", user="spies",
                fragments=("approved",))
    cli.refused("minutes", "circulate", M, "--deadline", "2024-01-01 12:00",
                fragments=("approved",))
    cli.refused("minutes", "correct", M, "--item", "1", "--point", "5", "--text", "x",
                "--reason", "y", fragments=("point 5",))
    assert cli.new("minutes", "correct", M, "--item", "1", "--point", "1",
                   "--text", "De voorzitter opent om 09:25.", "--reason", "tijd") == "1"
    shown = cli.json("minutes", "show", M)
    assert shown["status"] == "approved"
    assert shown["approval"]["version"] == 2
    assert shown["corrections"][0]["of_version"] == 2
    assert shown["items"][0]["points"] == [{"kind": "point",
                                            "text": "De voorzitter opent om 09:25."}]
