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


# --- less typing: the current meeting, attendance at once, --from -, completion --------


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where `lrt use` remembers the current meeting: a directory of this test's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LRT_MEETING", raising=False)
    return tmp_path / "state" / "lrt" / "current.json"


def test_the_current_meeting_is_used_when_left_out_and_said(lrt: Cli, state: Path) -> None:
    assert lrt.ok("use") == "no current meeting\n"
    lrt.refused("agenda", "add", "Rondvraag", code=2, fragments=("Missing argument",))
    lrt.refused("minutes", "show", code=2,
                fragments=("missing argument MEETING", "lrt use MEETING"))
    lrt.refused("use", "LRT-1999-01-01", fragments=("LRT-1999-01-01",))
    assert lrt.ok("use", M1) == f"current meeting: {M1}\n"
    assert M1 in state.read_text(encoding="utf8")
    added = lrt.invoke("agenda", "add", "Rondvraag")
    assert (added.exit_code, added.stdout) == (0, "2\n")
    assert f"meeting {M1} (current: lrt use)" in added.stderr
    assert [a["title"] for a in lrt.json("agenda", "list")] == [
        "Opening en mededelingen", "Rondvraag"]
    # named, it is as it always was; LRT_MEETING wins over `lrt use`
    assert lrt.json("meeting", "show", M2)["key"] == M2
    shown = lrt.invoke("meeting", "show", "--json", env={"LRT_MEETING": M2})
    assert shown.exit_code == 0 and f"meeting {M2} (current: LRT_MEETING)" in shown.stderr
    # a meeting named and the title forgotten: the title is missing, not taken from the id
    lrt.refused("agenda", "add", M2, code=2, fragments=("TITLE",))
    assert lrt.ok("use", "--clear") == "no current meeting\n"
    lrt.refused("agenda", "list", code=2, fragments=("missing argument MEETING",))


def test_attendance_of_several_people_in_one_command(lrt: Cli, state: Path) -> None:
    lrt.new("person", "add", "Wouter Kolff", "--id", "kolff")
    lrt.new("person", "add", "Jan de Reus", "--id", "de-reus")
    before = store_fingerprint(lrt.db)
    lrt.refused("attendance", "record", M1, "--present", "spies,nobody",
                fragments=("nobody",))  # one unknown: none recorded
    assert store_fingerprint(lrt.db) == before
    lrt.refused("attendance", "record", M1, "--present", "spies", "--absent", "spies",
                code=2, fragments=("spies: named more than once",))
    out = lrt.ok("attendance", "record", M1, "--present", "spies,kolff", "--remote", "de-reus")
    assert out == "spies: present\nkolff: present\nde-reus: remote\n"
    assert {a["person"]: a["presence"] for a in lrt.json("attendance", "list", M1)} == {
        "spies": "present", "kolff": "present", "de-reus": "remote"}
    lrt.ok("attendance", "record", M1, "kolff", "absent")  # one, as before
    assert {a["person"]: a["presence"] for a in lrt.json("attendance", "list", M1)}[
        "kolff"] == "absent"


def test_from_standard_input(lrt: Cli) -> None:
    text = TEXT.replace("wordt vastgesteld.", "wordt met een wijziging vastgesteld.")
    revised = lrt.invoke("minutes", "revise", M1, "--from", "-", input=text)
    assert revised.exit_code == 0, revised.stderr
    points = lrt.json("minutes", "show", M1)["items"][0]["points"]
    assert points[1]["text"] == "Het verslag wordt met een wijziging vastgesteld."
    added = lrt.invoke("document", "add", M1, "Notitie", "--from", "-", input="Een notitie.\n")
    assert added.exit_code == 0, added.stderr
    assert lrt.json("document", "show", added.stdout.strip())["text"].strip() == "Een notitie."


def complete(lrt: Cli, words: str) -> list[str]:
    result = lrt.invoke(env={"_LRT_COMPLETE": "bash_complete", "COMP_WORDS": words,
                             "COMP_CWORD": str(len(words.split(" ")) - 1)})
    assert result.exit_code == 0, result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_shell_completion_of_ids_from_the_read_model(lrt: Cli) -> None:
    assert complete(lrt, "lrt minutes show LRT-2023-1") == [M1, M2]
    assert complete(lrt, "lrt minutes show LRT-2023-12") == [M2]
    assert complete(lrt, "lrt document round close ") == [f"{M1}/D1"]
    assert complete(lrt, "lrt table show ") == ["LRT"]
    assert complete(lrt, "lrt attendance record LRT-2023-11-10 --present s") == ["spies"]
    assert complete(lrt, "lrt action add LRT-2023-11-10 --owner V") == ["VNG"]
    assert complete(lrt, "lrt --db nowhere.sqlite minutes show ") == []  # no store: nothing
