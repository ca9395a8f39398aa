"""Rules, deadlines, punctuality, rhythm and the calendar through the command line: each view
with --json, bad input one line and the store untouched, and the .ics file parsed back."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from worlds.command_line import SEC, Cli, at

M1, M3 = "LRT-2023-11-10", "LRT-2024-01-12"


@pytest.fixture
def lrt(cli: Cli) -> Cli:
    """A monthly LRT on 5 December 2023: a held meeting with a late and a timely document,
    a rescheduled one with an unsent document and an open round, a cancelled one, and
    actions (one overdue)."""
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("org", "add", "IPO", "Interprovinciaal Overleg")
    cli.new("person", "add", "Liesbeth Spies", "--id", "spies", "--title", "Mevr.")
    cli.new("person", "add", "Jan de Reus", "--id", "de-reus")
    cli.new("person", "add", "Wouter Kolff", "--id", "kolff")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "spies")
    cli.new("user", "add", "woo", "--role", "auditor")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV",
            "--meetings-per-year", "12")
    cli.new("member", "add", "LRT", "spies", "--organisation", "VNG", "--function", "VNG",
            "--since", "2023-01-01")
    cli.new("member", "add", "LRT", "de-reus", "--organisation", "IPO", "--function", "IPO",
            "--since", "2023-01-01")
    cli.at("2023-10-20 09:00")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15", "--place",
                   "Webex") == M1
    cli.new("agenda", "add", M1, "Opening en mededelingen")
    cli.new("agenda", "add", M1, "Brieven")
    on_time = cli.new("document", "add", M1, "Notitie", "--text", "x")
    cli.at("2023-11-02 16:00")
    cli.ok("document", "send", on_time)
    late = cli.new("document", "add", M1, "Conceptbrief", "--text", "x")
    cli.at("2023-11-09 17:30")
    cli.ok("document", "send", late)
    cli.at("2023-11-10 09:15")
    cli.ok("meeting", "hold", M1)
    cli.at("2023-11-13 10:00")
    cli.new("action", "add", M1, "--item", "1", "--owner", "VNG", "--text", "VNG levert aan.",
            "--due", "2023-12-06")
    cli.new("action", "add", M1, "--item", "2", "--owner", "IPO", "--text", "IPO belt.",
            "--due", "2023-12-01")
    cli.new("action", "add", M1, "--item", "2", "--owner", "VNG", "--owner", "IPO",
            "--text", "Voor de volgende vergadering.")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00", "--place",
                   "Johan de Witthuis") == "LRT-2023-12-01"
    cli.ok("meeting", "reschedule", "LRT-2023-12-01", "--at", "2023-12-08 10:00",
           "--reason", "reces")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2024-01-12 10:00", "--place",
                   "Webex") == M3
    cli.ok("meeting", "cancel", M3, "--reason", "geen agenda")
    cli.new("agenda", "add", "LRT-2023-12-01", "Voortgang")
    cli.new("document", "add", "LRT-2023-12-01", "Voortgangsrapportage", "--text", "x")
    brief = cli.new("document", "add", "LRT-2023-12-01", "Brief", "--text", "x")
    cli.at("2023-12-04 09:00")
    cli.ok("document", "send", brief)
    assert cli.ok("document", "round", brief) == \
        f"comment round on {brief} open until 2023-12-11 12:00:00\n"
    cli.at("2023-12-05 10:00")
    return cli


MEETING2 = "LRT-2023-12-01"  # rescheduled to 8 December; its id stays


def test_deadlines_within_lists_what_falls_due_overdue_first(lrt: Cli) -> None:
    rows = lrt.json("deadlines", "--within", "48h")
    # overdue first (the document of 8 December was due five working days before, on
    # Friday 1 December 10:00, and is not sent), then by due time
    assert [(r["kind"], r["subject"], r["due"], r["overdue"]) for r in rows] == [
        ("document", f"{MEETING2}/D1", "2023-12-01T10:00+01:00", True),
        ("action", f"{M1}/A2", "2023-12-01", True),
        ("action", f"{M1}/A1", "2023-12-06", False)]
    assert rows[0]["waiting_on"] == ["JenV"] and rows[0]["meeting"] == MEETING2
    assert rows[1]["waiting_on"] == ["IPO"] and rows[1]["meeting"] == M1
    week = lrt.json("deadlines", "--within", "1w", "--table", "LRT")
    assert [(r["kind"], r["subject"], r["overdue"]) for r in week] == [
        ("document", f"{MEETING2}/D1", True),
        ("action", f"{M1}/A2", True),
        ("action", f"{M1}/A1", False),
        ("action", f"{M1}/A3", False),  # before the next meeting: 8 December
        ("comment round", f"{MEETING2}/D2", False)]
    assert week[3]["due"] == "2023-12-08"
    assert week[4]["due"] == "2023-12-11T12:00+01:00"
    assert week[4]["waiting_on"] == ["de-reus", "spies"]
    text = lrt.ok("deadlines", "--within", "2d")
    assert text.splitlines()[0].split() == ["due", "overdue", "kind", "subject", "title",
                                            "waiting", "on"]
    # without --within, deadlines keeps its shape: comment rounds
    assert [r["subject"] for r in lrt.json("deadlines")] == [f"{MEETING2}/D2"]


def test_bad_deadlines_requests(lrt: Cli) -> None:
    lrt.refused("deadlines", "--within", "2 dagen", code=2, fragments=("'--within'",))
    lrt.refused("deadlines", "--within", "-1h", code=2, fragments=("'--within'",))
    lrt.refused("deadlines", "--within", "48h", "--all", code=2,
                fragments=("--all", "--within"))
    lrt.refused("deadlines", "--within", "48h", "--table", "HLRT", fragments=("HLRT",))


def test_table_rules_change_and_show(lrt: Cli) -> None:
    shown = lrt.json("table", "show", "LRT")
    assert shown["rules"] == {"documents_due_days": 5, "comment_round_days": 5,
                              "approval": "meeting", "written_procedure_days": 5,
                              "reminder_hours": [24, 2], "action_notice_days": 5}
    assert shown["rhythm"]["next_due"] == "2023-12-10"  # monthly after 10 November
    assert shown["rhythm"]["next_planned"] == {"meeting": MEETING2, "date": "2023-12-08"}
    assert shown["rhythm"]["planned_in_time"] is True
    assert lrt.ok("table", "rules", "LRT", "--documents-due", "10", "--approval", "written",
                  "--effective", "2023-12-01") == "rules of LRT changed (change 1)\n"
    shown = lrt.json("table", "show", "LRT")
    assert shown["rules"]["documents_due_days"] == 10
    assert shown["rules"]["approval"] == "written"
    assert shown["rules_changes"] == [{"number": 1, "effective_from": "2023-12-01",
                                       "documents_due_days": 10, "comment_round_days": 5,
                                       "approval": "written", "written_procedure_days": 5,
                                       "reminder_hours": [24, 2],
                                       "action_notice_days": 5}]
    text = lrt.ok("table", "show", "LRT")
    assert "documents due       10 working days before a meeting" in text
    assert "by written procedure (tacit consent)" in text
    assert f"next planned       {MEETING2} on 2023-12-08  (in time)" in text
    # the meeting of 8 December now wants its documents ten working days ahead
    week = lrt.json("deadlines", "--within", "1w")
    doc = next(r for r in week if r["kind"] == "document")
    assert doc["due"] == "2023-11-24T10:00+01:00"
    history = lrt.json("history", "LRT")
    assert history[-1]["event"] == "Table.RulesChanged"


def test_rules_already_in_force_are_a_no_op(lrt: Cli) -> None:
    from worlds.command_line import store_fingerprint

    before = store_fingerprint(lrt.db)
    out = lrt.ok("table", "rules", "LRT", "--documents-due", "5", "--approval", "meeting")
    assert "the rules of LRT on" in out and "are already these; nothing recorded" in out
    assert store_fingerprint(lrt.db) == before


def test_bad_rules_are_refused_and_change_nothing(lrt: Cli) -> None:
    lrt.refused("table", "rules", "LRT", code=2, fragments=("--documents-due",))
    lrt.refused("table", "rules", "LRT", "--approval", "soms", code=2,
                fragments=("'--approval'",))
    lrt.refused("table", "rules", "LRT", "--comment-days", "vijf", code=2,
                fragments=("'--comment-days'",))
    lrt.refused("table", "rules", "LRT", "--documents-due", "3", "--effective", "2023-13-01",
                code=2, fragments=("'--effective'",))
    lrt.refused("table", "rules", "LRT", "--documents-due", "99",
                fragments=("documents due: 99 working days",))
    lrt.refused("table", "rules", "LRT", "--procedure-days", "0",
                fragments=("written procedure: 0",))
    lrt.refused("table", "rules", "HLRT", "--documents-due", "3", fragments=("HLRT",))
    lrt.refused("table", "rules", "LRT", "--documents-due", "3", user="spies",
                fragments=("may not change the rules",))
    lrt.refused("table", "rules", "LRT", "--documents-due", "3", user="woo",
                fragments=("woo",))


def test_punctuality_report(lrt: Cli) -> None:
    report = lrt.json("report", "punctuality", "--table", "LRT", "--year", "2023")
    assert report["table"] == "LRT" and report["year"] == 2023
    assert [m["meeting"] for m in report["meetings"]] == [M1, MEETING2]
    first, second = report["meetings"]
    assert (first["documents"], first["on_time"], first["late"], first["unsent"]) == (2, 1, 1, 0)
    assert first["due"] == "2023-11-03T09:15+01:00"
    assert first["late_documents"][0]["key"] == f"{M1}/D2"
    assert first["late_documents"][0]["late_by"] == "6d 8h 15m"
    assert first["late_documents"][0]["notice_days"] == 0
    # the brief of 8 December went out on 4 December: after its due time of 1 December
    assert (second["documents"], second["on_time"], second["late"], second["unsent"]) == (
        2, 0, 1, 1)
    assert report["totals"] == {"meetings": 2, "documents": 4, "on_time": 1, "late": 2,
                                "unsent": 1}
    text = lrt.ok("report", "punctuality", "--table", "LRT", "--year", "2023")
    assert text.startswith("Punctuality of the documents of LRT in 2023: 1 of 4 on time, "
                           "2 late, 1 not sent (2 meetings)")
    assert f"{M1}/D2" in text and "6d 8h 15m" in text
    empty = lrt.json("report", "punctuality", "--table", "LRT", "--year", "2022")
    assert empty["meetings"] == [] and empty["totals"]["documents"] == 0
    # the document's own view flags it too
    doc = lrt.json("document", "show", f"{M1}/D2")
    assert (doc["late"], doc["late_by"], doc["due"]) == (True, "6d 8h 15m",
                                                         "2023-11-03T09:15+01:00")
    assert lrt.json("document", "show", f"{M1}/D1")["late"] is False


def test_bad_punctuality_requests(lrt: Cli) -> None:
    lrt.refused("report", "punctuality", "--table", "LRT", code=2, fragments=("--year",))
    lrt.refused("report", "punctuality", "--table", "LRT", "--year", "twintig", code=2,
                fragments=("'--year'",))
    lrt.refused("report", "punctuality", "--table", "LRT", "--year", "20233", code=2,
                fragments=("'--year'",))
    lrt.refused("report", "punctuality", "--table", "HLRT", "--year", "2023",
                fragments=("HLRT",))
    lrt.refused("report", "punctuality", "--table", "LRT", "--year", "2023",
                user="niemand", fragments=("niemand",))


# --- the calendar ----------------------------------------------------------------------

def read_ics(path: Path):
    from icalendar import Calendar

    return Calendar.from_ical(path.read_bytes())


def test_calendar_export_parses_back(lrt: Cli, tmp_path: Path) -> None:
    out = tmp_path / "lrt.ics"
    summary = lrt.json("calendar", "export", "--out", str(out))
    assert summary == {"file": str(out), "events": 3, "todos": 4, "cancelled": 1}
    cal = read_ics(out)
    assert cal["VERSION"] == "2.0" and "lrt" in str(cal["PRODID"])
    timezones = cal.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Amsterdam"]
    assert {c.name for c in timezones[0].subcomponents} == {"DAYLIGHT", "STANDARD"}
    assert b"DTSTART;TZID=Europe/Amsterdam:20231110T091500" in out.read_bytes()

    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 3
    by_start = sorted(events.values(), key=lambda e: e.decoded("DTSTART"))
    first, second, third = by_start
    start = first.decoded("DTSTART")
    assert start == at("2023-11-10 09:15")
    assert str(start.tzinfo) == "Europe/Amsterdam"
    assert first.decoded("DTEND") - start == timedelta(hours=2)
    assert str(first["LOCATION"]) == "Online (Webex)"
    assert "1. Opening en mededelingen\n2. Brieven" in str(first["DESCRIPTION"])
    assert str(first["STATUS"]) == "CONFIRMED"
    assert second.decoded("DTSTART") == at("2023-12-08 10:00")  # as rescheduled
    assert int(second["SEQUENCE"]) == 1 and str(second["LOCATION"]) == "Johan de Witthuis"
    assert str(third["STATUS"]) == "CANCELLED"

    todos = {str(t["SUMMARY"]): t for t in cal.walk("VTODO")}
    actions = [t for s, t in todos.items() if s.startswith("Actie ")]
    assert sorted(a.decoded("DUE") for a in actions) == [
        date(2023, 12, 1), date(2023, 12, 6), date(2023, 12, 8)]
    assert all(str(a["STATUS"]) == "NEEDS-ACTION" for a in actions)
    rounds = [t for s, t in todos.items() if s.startswith("Opmerkingen ")]
    assert len(rounds) == 1
    assert rounds[0].decoded("DUE") == at("2023-12-11 12:00")
    assert str(rounds[0]["STATUS"]) == "NEEDS-ACTION"
    assert len({str(c["UID"]) for c in cal.walk() if "UID" in c}) == 7  # all distinct


def test_calendar_uids_are_stable_so_a_new_export_updates(lrt: Cli, tmp_path: Path) -> None:
    first, second, third = (tmp_path / f"{n}.ics" for n in (1, 2, 3))
    lrt.ok("calendar", "export", "--out", str(first))
    lrt.ok("meeting", "reschedule", MEETING2, "--at", "2023-12-14 10:00", "--reason", "zaal")
    lrt.ok("action", "done", f"{M1}/A1")
    lrt.ok("calendar", "export", "--out", str(second))
    lrt.ok("calendar", "export", "--out", str(third))
    assert second.read_bytes() == third.read_bytes()  # nothing changed: the same file

    def uids(path: Path) -> dict[str, object]:
        return {str(c["UID"]): c for c in read_ics(path).walk() if c.name in ("VEVENT",
                                                                              "VTODO")}

    before, after = uids(first), uids(second)
    assert set(before) == set(after)
    moved = next(u for u, e in after.items() if e.name == "VEVENT"
                 and e.decoded("DTSTART") == at("2023-12-14 10:00"))
    assert int(after[moved]["SEQUENCE"]) == int(before[moved]["SEQUENCE"]) + 1 == 2
    done = next(t for t in after.values() if "VNG levert aan." in str(t.get("SUMMARY", "")))
    assert str(done["STATUS"]) == "COMPLETED"


def test_calendar_for_a_person_and_a_table(lrt: Cli, tmp_path: Path) -> None:
    out = tmp_path / "spies.ics"
    lrt.ok("calendar", "export", "--person", "spies", "--table", "LRT", "--out", str(out))
    cal = read_ics(out)
    summaries = sorted(str(t["SUMMARY"]) for t in cal.walk("VTODO"))
    # VNG's actions and the round members comment in; not IPO's action
    assert summaries == [f"Actie {M1}/A1: VNG levert aan.",
                         f"Actie {M1}/A3: Voor de volgende vergadering.",
                         "Opmerkingen LRT: Brief"]
    assert len(cal.walk("VEVENT")) == 3
    # a person of no table sees nothing of it
    lrt.ok("calendar", "export", "--person", "kolff", "--out", str(out))
    assert read_ics(out).walk("VEVENT") == [] and read_ics(out).walk("VTODO") == []


def test_bad_calendar_requests_write_no_file(lrt: Cli, tmp_path: Path) -> None:
    out = tmp_path / "x.ics"
    lrt.refused("calendar", "export", "--person", "niemand", "--out", str(out),
                fragments=("niemand",))
    lrt.refused("calendar", "export", "--table", "HLRT", "--out", str(out),
                fragments=("HLRT",))
    lrt.refused("calendar", "export", code=2, fragments=("--out",))
    lrt.refused("calendar", "export", "--out", str(tmp_path / "nergens" / "x.ics"), code=2,
                fragments=("'--out'",))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_defaults_from_the_rules_for_rounds_and_procedures(lrt: Cli, tmp_path: Path) -> None:
    lrt.ok("table", "rules", "LRT", "--comment-days", "2", "--approval", "written",
           "--procedure-days", "3")
    text = tmp_path / "verslag.md"
    text.write_text("## 1. Opening en mededelingen\n- Geopend.\n", encoding="utf8")
    lrt.new("minutes", "draft", M1, "--from", str(text))
    # Tuesday 5 December: two working days, Thursday 7 December 12:00
    assert lrt.ok("minutes", "circulate", M1) == \
        f"minutes {M1} circulated; comments until 2023-12-07 12:00:00\n"
    lrt.at("2023-12-22 10:00")
    assert lrt.ok("minutes", "procedure", M1) == \
        f"written procedure for {M1} runs until 2023-12-29 12:00:00\n"
    rows = lrt.json("deadlines", "--within", "8d")
    assert ("written procedure", M1, "2023-12-29T12:00+01:00") in [
        (r["kind"], r["subject"], r["due"]) for r in rows]


def test_help_stays_light() -> None:
    """`lrt --help` loads none of the document and calendar libraries."""
    code = ("import sys; from click.testing import CliRunner; from cli.main import lrt; "
            "r = CliRunner().invoke(lrt, ['--help']); assert r.exit_code == 0; "
            "r = CliRunner().invoke(lrt, ['calendar', 'export', '--help']); "
            "assert r.exit_code == 0; "
            "print(sorted(m for m in ('holidays', 'icalendar', 'jinja2', 'docx') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.replace("'", '"')) == []
