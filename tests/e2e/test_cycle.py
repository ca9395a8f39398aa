"""A full LRT cycle through the command line (see `run_cycle` in conftest), then every view
it feeds, read back with `--json`: shapes (keys) and values.

The README documents the JSON shapes and promises that fields are only ever added, never
renamed: the shape checks below ask for every documented key (`KEYS <= set(row)`)."""

from __future__ import annotations

from worlds.command_line import SEC, Cycle, event_count

MINUTES_KEYS = {"meeting", "table", "table_name", "starts_at", "place", "status", "version",
                "attendance", "items", "amendments", "comment_rounds", "approval",
                "corrections"}
ACTION_ROW_KEYS = {"key", "table", "meeting", "item", "text", "status", "carried_over",
                   "before_next_meeting", "due", "owners", "overdue"}
DEADLINE_KEYS = {"subject", "kind", "title", "table", "round", "deadline", "open", "comments",
                 "commented", "not_commented"}
MEETING_KEYS = {"key", "table", "starts_at", "place", "status", "reschedules", "agenda",
                "guests", "attendance", "documents"}
MEMBER_KEYS = {"number", "person", "name", "organisation", "function", "since", "until",
               "office_holder"}
HISTORY_KEYS = {"recorded_at", "object", "version", "event", "user", "role", "on_behalf_of",
                "change"}


def test_the_cycle_recorded_events_and_created_ids(cycle: Cycle) -> None:
    # The ids were checked as the cycle ran; here: they name real, distinct objects.
    assert cycle.meeting == "LRT-2023-11-10"
    assert cycle.document == "LRT-2023-11-10/D1"
    assert cycle.actions == [f"LRT-2023-11-10/A{n}" for n in range(1, 6)]
    assert cycle.memberships == {"liesbeth-spies": 1, "de-reus": 2, "de-jonge": 3,
                                 "adviseur-vng": 4}
    # init records 3 events (store, organisation, user); every other command of the
    # cycle exactly one; the views read in between record none.
    assert event_count(cycle.cli.db) == 54


def test_minutes_show_approved_with_amendments_and_correction(cycle: Cycle) -> None:
    m = cycle.cli.json("minutes", "show", cycle.meeting)
    assert MINUTES_KEYS <= set(m)
    assert (m["meeting"], m["table"], m["status"]) == (cycle.meeting, "LRT", "approved")
    assert m["table_name"] == "Landelijke Regietafel Migratie en Integratie"
    assert m["starts_at"] == "2023-11-10T09:15+01:00"
    assert m["place"] == "Webex"
    # draft v1, amendment 1 accepted -> v2 (approved), correction -> v3
    assert m["version"] == 3
    assert [(a["person"], a["presence"]) for a in m["attendance"]] == [
        ("liesbeth-spies", "remote"), ("de-reus", "present"), ("adviseur-vng", "absent")]
    assert m["attendance"][0] == {"person": "liesbeth-spies", "name": "Liesbeth Spies",
                                  "presence": "remote", "substitute_for": None}

    items = {it["number"]: it for it in m["items"]}
    assert [it["title"] for it in m["items"]] == ["Opening en mededelingen",
                                                  "Huisvesting statushouders", "WVTTK"]
    assert items[1]["points"] == [
        {"kind": "point", "text": "Het verslag van de vorige LRT wordt geaccordeerd."},
        {"kind": "decision", "text": "de LRT komt voortaan eens per maand bijeen."}]
    # the accepted amendment replaced point 1 of item 2; the continuation line was joined
    assert items[2]["points"] == [
        {"kind": "point", "text": "VNG steunt de richting op hoofdlijnen, met voorbehoud."},
        {"kind": "point", "text": "Er zijn veel vragen over de operationele uitwerking; "
                                  "gemeenten moeten niet dubbel benaderd worden."},
        {"kind": "action", "text": "VNG levert een notitie aan."}]
    # the correction replaced point 1 of item 3; the rejected amendment added nothing
    assert items[3]["points"] == [{"kind": "point", "text": "Er zijn geen punten ingebracht."}]

    assert m["amendments"] == [
        {"number": 1, "organisation": "VNG", "item": 2, "point": 1,
         "text": "VNG steunt de richting op hoofdlijnen, met voorbehoud.",
         "status": "accepted", "reason": None, "version": 2},
        {"number": 2, "organisation": "IPO", "item": 3, "point": None,
         "text": "IPO vraagt aandacht voor de provincies.",
         "status": "rejected", "reason": "Valt buiten dit verslag.", "version": None}]
    assert m["comment_rounds"] == [{"number": 1, "deadline": "2023-11-21T12:00+01:00",
                                    "comments": 1}]
    approval = dict(m["approval"])
    evidence = {k: approval.pop(k) for k in ("text_digest", "chain_head", "chain_length")}
    assert approval == {"at_meeting": "LRT-2023-12-01", "written_procedure": False,
                        "version": 2, "amendments": [1],
                        "recorded_at": "2023-12-01T10:00+01:00"}
    assert len(evidence["text_digest"]) == len(evidence["chain_head"]) == 64
    assert 0 < evidence["chain_length"] < 54  # the head as it stood before the approval
    assert m["corrections"] == [{"number": 1, "item": 3, "point": 1,
                                 "text": "Er zijn geen punten ingebracht.",
                                 "reason": "Verschrijving", "of_version": 2}]


def test_minutes_text_view(cycle: Cycle) -> None:
    out = cycle.cli.ok("minutes", "show", cycle.meeting)
    assert out.splitlines()[0] == "Landelijke Regietafel Migratie en Integratie"
    assert "Status                  vastgesteld, versie 3" in out
    assert "Vergaderdatum en -tijd  10 november 2023, 9.15 uur" in out
    rows = {line[:24].strip(): line[24:] for line in out.splitlines()[2:9]}
    # as the seeds write them: title, short name and office ("Dhr. Van der Maat (SJenV)")
    assert rows["Aanwezig"].startswith("Mevr. Spies (VNG) (digitaal), ")
    assert "Dhr. De Reus (IPO)" in rows["Aanwezig"] and "Adviseur VNG" in rows["Afwezig"]
    assert "  • Besluit: de LRT komt voortaan eens per maand bijeen." in out
    assert "  • Actie: VNG levert een notitie aan." in out
    assert "  2. namens IPO, agendapunt 3: afgewezen: Valt buiten dit verslag." in out
    assert ("Vastgesteld             in de vergadering van 1 december 2023 (LRT-2023-12-01) "
            "met een wijziging namens VNG") in out
    for english in ("approved", "version", "meeting ", "amendment", "item ", "rejected"):
        assert english not in out, english  # one language: the minutes' own


def test_minutes_as_they_were_while_circulating(cycle: Cycle) -> None:
    circulated = cycle.seen["circulated"]  # read by a member, the day it went out
    assert (circulated["status"], circulated["version"]) == ("circulated", 1)
    assert circulated["approval"] is None and circulated["amendments"] == []
    assert circulated["comment_rounds"] == [{"number": 1, "deadline": "2023-11-21T12:00+01:00",
                                             "comments": 0}]
    revised = cycle.seen["revised"]  # read by the auditor after the amendments were decided
    assert (revised["status"], revised["version"]) == ("revised", 2)
    assert [a["status"] for a in revised["amendments"]] == ["accepted", "rejected"]


def test_deadlines_while_open_and_after(cycle: Cycle) -> None:
    open_rounds = cycle.seen["deadlines open"]  # 2023-11-20 15:00, the letter round closed
    assert len(open_rounds) == 1
    row = open_rounds[0]
    assert DEADLINE_KEYS <= set(row)
    assert row == {"subject": cycle.meeting, "kind": "minutes",
                   "title": f"verslag {cycle.meeting}", "table": "LRT", "round": 1,
                   "deadline": "2023-11-21T12:00+01:00", "open": True, "comments": 1,
                   "commented": ["de-reus"],
                   "not_commented": ["adviseur-vng", "liesbeth-spies"]}

    assert cycle.cli.json("deadlines") == []  # 20 December: nothing open
    every = cycle.cli.json("deadlines", "--all", "--table", "LRT")
    assert [(r["subject"], r["open"]) for r in every] == [(cycle.document, False),
                                                          (cycle.meeting, False)]
    letter = every[0]
    assert letter["kind"] == "document" and letter["title"] == "Conceptbrief Tweede Kamer"
    assert letter["comments"] == 2
    assert letter["commented"] == ["de-reus", "liesbeth-spies"]
    # de-jonge's membership ended on 31 October: not expected to comment on 10 November
    assert letter["not_commented"] == ["adviseur-vng"]


def test_comments_on_the_document_keep_when_they_were_received(cycle: Cycle) -> None:
    comments = cycle.cli.json("comment", "list", cycle.document, user="spies")
    assert comments == [
        {"round": 1, "number": 1, "person": "liesbeth-spies", "organisation": "VNG",
         "received_at": "2023-11-10T11:05+01:00", "text": "De toon is te zendend."},
        {"round": 1, "number": 2, "person": "de-reus", "organisation": "IPO",
         "received_at": "2023-11-10T11:40+01:00", "text": "IPO vraagt een bijlage."}]
    doc = cycle.cli.json("document", "show", cycle.document)
    assert {"key", "meeting", "table", "title", "code", "version", "sent_at", "text",
            "comment_rounds"} <= set(doc)
    assert doc["code"] == "LRT 10/11 B 0.1"
    assert doc["sent_at"] == "2023-11-09T17:30+01:00"
    assert doc["text"].startswith("Conceptbrief aan de Tweede Kamer.")
    assert [len(r["comments"]) for r in doc["comment_rounds"]] == [2]
    assert cycle.cli.json("comment", "list", cycle.meeting) == [
        {"round": 1, "number": 1, "person": "de-reus", "organisation": "IPO",
         "received_at": "2023-11-20T15:00+01:00", "text": "Geen opmerkingen namens IPO."}]


def test_action_register_overdue_first(cycle: Cycle) -> None:
    a1, a2, a3, a4, a5 = cycle.actions
    register = cycle.cli.json("action", "list")  # 20 December 2023
    assert all(ACTION_ROW_KEYS <= set(r) for r in register)
    assert [(r["key"], r["status"], r["due"], r["overdue"]) for r in register] == [
        (a5, "open", "2023-11-24", True),
        (a2, "open", "2023-12-15", True),
        # carried over to 1 December: due "before the next meeting", now 19 January
        (a3, "carried over", "2024-01-19", False)]
    carried = register[2]
    assert carried["meeting"] == "LRT-2023-12-01" and carried["carried_over"] == 1
    assert carried["before_next_meeting"] is True
    assert register[1]["owners"] == ["BZK", "IPO"]

    everything = cycle.cli.json("action", "list", "--all")
    assert [(r["key"], r["status"]) for r in everything] == [
        (a5, "open"), (a2, "open"), (a3, "carried over"), (a4, "cancelled"), (a1, "done")]
    assert [r["key"] for r in cycle.cli.json("action", "list", "--all", "--owner", "VNG")] \
        == [a5, a1]

    # on 20 November (seen during the cycle): a4 was overdue, a3 had no next meeting yet
    then = cycle.seen["actions 2023-11-20"]
    assert [(r["key"], r["due"], r["overdue"]) for r in then] == [
        (a4, "2023-11-17", True), (a5, "2023-11-24", False), (a2, "2023-12-15", False),
        (a3, None, False)]


def test_action_show_with_progress_and_outcomes(cycle: Cycle) -> None:
    a1, a2, a3, a4, _ = cycle.actions
    shown = cycle.cli.json("action", "show", a2)
    assert shown["progress"] == [{"reported_at": "2023-11-20T15:00+01:00", "by": "de-reus",
                                  "organisation": "IPO", "note": "Eerste verkenning gedaan."}]
    assert (shown["status"], shown["due"], shown["agreed_at"]) == ("open", "2023-12-15",
                                                                     cycle.meeting)
    assert cycle.cli.json("action", "show", a1)["outcome"] == "Notitie aangeleverd."
    cancelled = cycle.cli.json("action", "show", a4)
    assert (cancelled["status"], cancelled["outcome"]) == (
        "cancelled", "Vervallen: de brieven zijn al uit.")
    carried = cycle.cli.json("action", "show", a3)
    assert (carried["meeting"], carried["agreed_at"], carried["carried_over"]) == (
        "LRT-2023-12-01", cycle.meeting, 1)


def test_meeting_calendar_and_meeting_show(cycle: Cycle) -> None:
    calendar = cycle.cli.json("meeting", "list")
    assert all(MEETING_KEYS | {"present"} <= set(m) for m in calendar)
    assert [(m["key"], m["status"], m["place"], m["present"]) for m in calendar] == [
        ("LRT-2023-11-10", "held", "Webex", 2),
        ("LRT-2023-12-01", "closed", "Johan de Witthuis", 0),
        ("LRT-2024-01-19", "planned", "Webex", 0)]
    later = cycle.cli.json("meeting", "list", "--table", "LRT", "--since", "2023-12-01")
    assert [m["key"] for m in later] == ["LRT-2023-12-01", "LRT-2024-01-19"]

    m = cycle.cli.json("meeting", "show", cycle.meeting)
    assert MEETING_KEYS <= set(m)
    assert m["starts_at"] == "2023-11-10T09:15+01:00"
    assert m["agenda"] == [{"number": 1, "title": "Opening en mededelingen"},
                           {"number": 2, "title": "Huisvesting statushouders"},
                           {"number": 3, "title": "WVTTK"}]
    # sent the evening before: late, as the table's default rule wants the documents five
    # working days before the meeting (Friday 3 November, 09:15)
    assert m["documents_due"] == "2023-11-03T09:15+01:00"
    assert m["documents"] == [{"key": cycle.document, "title": "Conceptbrief Tweede Kamer",
                               "code": "LRT 10/11 B 0.1", "version": 1,
                               "sent_at": "2023-11-09T17:30+01:00", "late": True,
                               "late_by": "6d 8h 15m"}]
    assert m["attendance"] == cycle.cli.json("attendance", "list", cycle.meeting)
    assert cycle.cli.json("agenda", "list", "LRT-2023-12-01") == [
        {"number": 1, "title": "Vaststelling verslag LRT 10 november"}]


def test_member_list_on_a_date(cycle: Cycle) -> None:
    on_meeting_day = cycle.cli.json("member", "list", "LRT", "--on", "2023-11-10")
    assert all(MEMBER_KEYS <= set(r) for r in on_meeting_day)
    assert [(r["number"], r["person"]) for r in on_meeting_day] == [
        (1, "liesbeth-spies"), (2, "de-reus"), (4, "adviseur-vng")]
    assert on_meeting_day[0] == {"number": 1, "person": "liesbeth-spies",
                                 "name": "Liesbeth Spies", "organisation": "VNG",
                                 "function": "bestuurder VNG", "since": "2023-09-01",
                                 "until": None, "office_holder": True}
    assert on_meeting_day[2]["office_holder"] is False
    earlier = cycle.cli.json("member", "list", "LRT", "--on", "2022-06-01")
    assert [(r["person"], r["until"]) for r in earlier] == [("de-jonge", "2023-10-31")]
    # without --on: the members on the (injected) clock's date, 20 December 2023
    assert cycle.cli.json("member", "list", "LRT") == on_meeting_day


def test_directory_views(cycle: Cycle) -> None:
    assert [o["code"] for o in cycle.cli.json("org", "list")] == ["BZK", "IPO", "JenV", "VNG"]
    # (with the mail address and wishes, for those who may read them: lrt notify)
    assert {"id": "de-reus", "name": "Jan de Reus", "title": "Dhr.", "office": None,
            "email": None,
            "mail_off": []} in cycle.cli.json("person", "list")
    users = {u["user"]: u for u in cycle.cli.json("user", "list")}
    assert users["spies"] == {"user": "spies", "role": "member", "organisation": "VNG",
                              "person": "liesbeth-spies", "active": True}
    assert users[SEC]["role"] == "secretariat" and users["woo"]["role"] == "auditor"
    shown = cycle.cli.json("table", "show", "LRT")
    assert {k: v for k, v in shown.items() if k not in ("rules", "rules_changes", "rhythm")} \
        == {"code": "LRT", "name": "Landelijke Regietafel Migratie en Integratie",
            "kind": "national", "secretariat": "JenV", "chair": None, "meetings_per_year": 12}
    # on 20 December: monthly, last held 1 December, so the next is due 1 January; the one
    # planned for 19 January is later than the rhythm asks
    assert shown["rhythm"] == {
        "meetings_per_year": 12,
        "last_held": {"meeting": "LRT-2023-12-01", "date": "2023-12-01"},
        "next_due": "2024-01-01",
        "next_planned": {"meeting": "LRT-2024-01-19", "date": "2024-01-19"},
        "planned_in_time": False, "behind": False, "held_last_12_months": 2}
    assert shown["rules"] == {"documents_due_days": 5, "comment_round_days": 5,
                              "approval": "meeting", "written_procedure_days": 5,
                              "reminder_hours": [24, 2], "action_notice_days": 5}
    assert shown["rules_changes"] == []


def test_history_names_who_did_what_in_which_role(cycle: Cycle) -> None:
    rows = cycle.cli.json("history", cycle.meeting, user="woo")  # auditors read history
    assert all(HISTORY_KEYS <= set(r) for r in rows)
    assert [r["recorded_at"] for r in rows] == sorted(r["recorded_at"] for r in rows)
    # the minutes' comments are in the meeting's history, each in its own stream (issue 16)
    events = [(r["object"], r["event"], r["user"], r["role"], r["on_behalf_of"])
              for r in rows if r["object"] in ("minutes", "comment", "amendment")]
    assert events == [
        ("minutes", "Minutes.Drafted", SEC, "secretariat", None),
        ("minutes", "Minutes.Circulated", SEC, "secretariat", None),
        ("comment", "Comment.Submitted", "de-reus", "member", "IPO"),
        ("amendment", "Amendment.Proposed", "spies", "member", "VNG"),
        ("amendment", "Amendment.Proposed", "de-reus", "member", "IPO"),
        ("minutes", "Minutes.ProposalAccepted", SEC, "secretariat", "VNG"),
        ("minutes", "Minutes.ProposalRejected", SEC, "secretariat", "IPO"),
        ("minutes", "Minutes.Approved", SEC, "secretariat", None),
        ("minutes", "Minutes.Corrected", SEC, "secretariat", None),
    ]
    first = rows[0]
    assert (first["object"], first["version"], first["event"]) == ("meeting", 1,
                                                                   "Meeting.Scheduled")
    assert first["recorded_at"] == "2023-11-03T16:00:00+01:00"
    assert '"place": "Webex"' in first["change"]

    # The record's time and the world's time: recorded at 12:20, received at 11:40.
    doc = cycle.cli.json("history", cycle.document)
    late = [r for r in doc if r["event"] == "Comment.Submitted"][-1]
    assert (late["user"], late["role"], late["on_behalf_of"]) == (SEC, "secretariat", "IPO")
    assert late["recorded_at"] == "2023-11-10T12:20:00+01:00"
    assert '"received_at": "2023-11-10T11:40:00+01:00"' in late["change"]


def test_every_view_also_prints_text(cycle: Cycle) -> None:
    """Without --json every view prints readable text (and never a Python repr)."""
    from worlds.command_line import view_commands

    for view in view_commands(cycle):
        out = cycle.cli.ok(*view)
        assert out.strip(), view
        assert "{'" not in out and "None" not in out, (view, out)
