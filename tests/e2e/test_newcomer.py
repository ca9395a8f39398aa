"""Things a newcomer trips over (issue 17): closing a comment round early, `--official-on`
before the approval, local times that do not exist or exist twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from worlds.command_line import SEC, Cli, store_fingerprint

M1, M2 = "LRT-2023-11-10", "LRT-2023-12-01"
TEXT = """\
## 1. Opening en mededelingen
- De voorzitter opent de vergadering.
- Het verslag wordt vastgesteld.
"""


@pytest.fixture
def lrt(cli: Cli, tmp_path: Path) -> Cli:
    """Minutes of 10 November 2023 circulated until 8 December 12:00; a document with an
    open round; the next meeting, 1 December, scheduled."""
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("person", "add", "Liesbeth Spies", "--id", "spies")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "spies")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    cli.new("member", "add", "LRT", "spies", "--organisation", "VNG", "--function", "VNG",
            "--since", "2023-01-01")
    cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15", "--place", "Webex")
    cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00", "--place", "Den Haag")
    cli.new("agenda", "add", M1, "Opening en mededelingen")
    cli.new("document", "add", M1, "Conceptbrief", "--text", "Geachte voorzitter,")
    cli.at("2023-11-10 09:15")
    cli.ok("meeting", "hold", M1)
    (tmp_path / "verslag.md").write_text(TEXT, encoding="utf8")
    cli.at("2023-11-13 10:00")
    cli.new("minutes", "draft", M1, "--from", str(tmp_path / "verslag.md"))
    cli.at("2023-11-14 09:00")
    cli.ok("minutes", "circulate", M1, "--deadline", "2023-12-08 12:00")
    cli.ok("document", "round", f"{M1}/D1", "--deadline", "2023-11-24 12:00")
    return cli


def test_the_secretariat_closes_the_minutes_round_early_and_approves(lrt: Cli) -> None:
    lrt.at("2023-12-01 10:00")
    lrt.ok("meeting", "hold", M2)
    lrt.refused("minutes", "approve", M1, "--at-meeting", M2,
                fragments=("open until 2023-12-08 12:00:00",))
    lrt.at("2023-12-01 10:30")
    out = lrt.ok("minutes", "round", "close", M1)
    assert out == f"comment round 1 on minutes {M1} closed at 2023-12-01 10:30:00\n"
    lrt.refused("comment", "add", M1, "--text", "Te laat.", user="spies",
                fragments=("closed at 2023-12-01 10:30:00", "no longer accepted"))
    lrt.refused("minutes", "round", "close", M1,
                fragments=(f"no comment round is open on {M1}",))
    history = lrt.json("history", M1)
    closed = [h for h in history if h["event"] == "CommentRound.Closed"]
    assert [(h["user"], h["role"]) for h in closed] == [(SEC, "secretariat")]
    lrt.ok("minutes", "approve", M1, "--at-meeting", M2)
    assert lrt.json("minutes", "show", M1)["status"] == "approved"
    assert lrt.ok("audit", "verify").startswith("ok: ")


def test_only_those_who_run_the_table_close_a_round(lrt: Cli) -> None:
    lrt.at("2023-11-15 09:00")
    lrt.refused("minutes", "round", "close", M1, user="spies",
                fragments=("user spies (member) may not close comment rounds",))
    lrt.refused("document", "round", "close", f"{M1}/D1", user="spies",
                fragments=("may not close comment rounds",))


def test_a_document_round_closes_early_and_another_opens(lrt: Cli) -> None:
    lrt.at("2023-11-15 09:00")
    doc = f"{M1}/D1"
    assert lrt.ok("document", "round", "close", doc) == (
        f"comment round 1 on {doc} closed at 2023-11-15 09:00:00\n")
    # `document round KEY` still opens one, as `document round open KEY` does
    assert lrt.ok("document", "round", doc, "--deadline", "2023-11-22 12:00") == (
        f"comment round on {doc} open until 2023-11-22 12:00:00\n")
    assert [r["deadline"] for r in lrt.json("document", "show", doc)["comment_rounds"]] == [
        "2023-11-15T09:00+01:00", "2023-11-22T12:00+01:00"]


def test_official_on_a_date_before_the_approval_says_so(lrt: Cli) -> None:
    lrt.refused("minutes", "show", M1, "--official-on", "2023-11-01",
                fragments=(f"minutes {M1} were not approved on 2023-11-01",
                           "there were no minutes then"))
    lrt.refused("minutes", "show", M1, "--official-on", "2023-11-15",
                fragments=("were not approved on 2023-11-15", "status then: circulated"))
    lrt.refused("minutes", "show", "LRT-1999-01-01", "--official-on", "2023-11-15",
                fragments=("were not approved on 2023-11-15",))


@pytest.mark.parametrize("at,fragments", [
    ("2024-03-31 02:30", ("2024-03-31 02:30 does not exist in Amsterdam",
                          "the clocks go forward from 02:00 to 03:00")),
    ("2024-10-27 02:30", ("2024-10-27 02:30 happens twice in Amsterdam",
                          "give the offset: 2024-10-27 02:30+02:00 (the first, summer time) "
                          "or 2024-10-27 02:30+01:00")),
])
def test_a_local_time_that_does_not_exist_or_exists_twice_is_refused(
        lrt: Cli, at: str, fragments: tuple[str, ...]) -> None:
    lrt.refused("meeting", "schedule", "LRT", "--at", at, "--place", "Webex", code=2,
                fragments=("'--at'", *fragments))


def test_an_offset_says_which_of_the_two(lrt: Cli) -> None:
    before = store_fingerprint(lrt.db)
    key = lrt.new("meeting", "schedule", "LRT", "--at", "2024-10-27 02:30+01:00", "--place",
                  "Webex")
    assert store_fingerprint(lrt.db) != before
    assert lrt.json("meeting", "show", key)["starts_at"] == "2024-10-27T02:30+01:00"
