"""Rules, working-day deadlines, minutes that keep the action register, and the views of
time (what falls due, punctuality, rhythm, calendar), through the application on a store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lrt_domain.actions import Action, ActionStatus
from lrt_domain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from lrt_domain.minutes import Item, Minutes, Point, PointKind
from lrt_domain.tables import ApprovalProcedure, Table
from projections.views import Views

from worlds.application import ADMIN, CHAIR, MEMBER, OTHER_SECRETARIAT, at, items


def test_rules_are_changed_by_the_tables_managers_only(world):
    app = world.app
    with pytest.raises(Forbidden, match="may not change the rules"):
        app.change_rules(MEMBER, "LRT", documents_due_days=3)
    with pytest.raises(Forbidden, match="table LRT is run by JenV"):
        app.change_rules(OTHER_SECRETARIAT, "LRT", documents_due_days=3)
    with pytest.raises(NotFound, match="no table 'HLRT'"):
        app.change_rules(ADMIN, "HLRT", documents_due_days=3)
    before = world.writes()
    with pytest.raises(InvalidInput):
        app.change_rules(ADMIN, "LRT", comment_round_days=0)
    assert world.writes() == before
    assert app.change_rules(CHAIR, "LRT", documents_due_days=3) == 1
    assert app.change_rules(ADMIN, "LRT", approval=ApprovalProcedure.WRITTEN,
                            effective_from=date(2024, 1, 1)) == 2
    t = app.get(Table, "LRT")
    assert t.rules_on(date(2023, 12, 31)).approval is ApprovalProcedure.MEETING
    assert t.rules_on(date(2024, 1, 1)).documents_due_days == 3


def test_rounds_and_procedures_last_as_the_rules_say_without_a_deadline(world, meetings):
    app, clock = world.app, world.clock
    m1, _ = meetings
    doc = app.add_document(ADMIN, m1, "Conceptbrief", "tekst")
    clock.set(at(2023, 11, 14, 10))  # a Tuesday
    assert app.open_comment_round(ADMIN, doc) == at(2023, 11, 21, 12)
    app.draft_minutes(ADMIN, m1, items())
    app.change_rules(ADMIN, "LRT", comment_round_days=2, written_procedure_days=3,
                     approval=ApprovalProcedure.WRITTEN)
    assert app.circulate_minutes(ADMIN, m1) == at(2023, 11, 16, 12)
    clock.set(at(2023, 12, 22, 9))  # the Friday before Christmas
    assert app.start_written_procedure(ADMIN, m1) == at(2023, 12, 29, 12)
    assert app.get(Minutes, m1).written_procedure.deadline == at(2023, 12, 29, 12)


def test_the_procedure_of_the_table_is_enforced(world, circulated):
    app, clock = world.app, world.clock
    clock.set(at(2023, 11, 21, 9))
    before = world.writes()
    with pytest.raises(RuleViolation, match="approves its minutes at a later meeting"):
        app.start_written_procedure(ADMIN, circulated)
    assert world.writes() == before
    app.change_rules(ADMIN, "LRT", approval=ApprovalProcedure.WRITTEN)
    later = world.schedule(at(2023, 12, 15, 10))
    world.hold(later)
    with pytest.raises(RuleViolation, match="by written procedure; at a meeting only after"):
        app.approve_minutes(ADMIN, circulated, at_meeting=later)
    deadline = app.start_written_procedure(ADMIN, circulated)
    clock.set(deadline + timedelta(minutes=1))
    app.approve_minutes(ADMIN, circulated, written_procedure=True)
    assert app.get(Minutes, circulated).approval.at_meeting is None


# --- minutes keep the action register -------------------------------------------------

def minutes_with(*actions: tuple[int, str]) -> list[Item]:
    by_item: dict[int, list[Point]] = {1: [Point(text="De voorzitter opent.")]}
    for item, text in actions:
        by_item.setdefault(item, []).append(Point(kind=PointKind.ACTION, text=text))
    return [Item(number=n, title=f"Punt {n}", points=tuple(points))
            for n, points in sorted(by_item.items())]


def test_drafting_agrees_the_action_lines_in_one_transaction(world, meetings):
    app = world.app
    m1, _ = meetings
    manual = app.agree_action(ADMIN, m1, item=3, text="IPO belt de provincies.",
                              owners=["IPO"], due=date(2023, 12, 1))
    before = world.writes()
    events = app.draft_minutes_and_actions(ADMIN, m1, minutes_with(
        (1, "VNG levert wijziging aan."), (3, "IPO belt de provincies."),
        (4, "Nadere uitwerking in de HLRT.")))
    assert world.writes() == before + 3  # the draft and two new actions, together
    assert [type(e).__name__ for e in events] == ["Drafted", "Agreed", "Agreed"]
    a2, a3 = app.get(Action, f"{m1}/A2"), app.get(Action, f"{m1}/A3")
    assert (a2.item, a2.owners, a2.due) == (1, ("VNG",), None)
    assert (a3.item, a3.owners) == (4, ("JenV",))  # names no organisation: the secretariat
    # the action already in the register was kept as it was
    assert app.get(Action, manual).owners == ("IPO",)
    assert app.get(Action, manual).due == date(2023, 12, 1)


def test_revising_rewords_cancels_and_agrees(world, meetings):
    app = world.app
    m1, _ = meetings
    app.draft_minutes(ADMIN, m1, minutes_with((1, "VNG levert wijziging aan."),
                                              (3, "IPO belt de provincies."),
                                              (4, "JenV past de brieven aan.")))
    app.complete_action(ADMIN, f"{m1}/A3", "Gedaan.")
    events = app.revise_minutes_and_actions(ADMIN, m1, minutes_with(
        (1, "VNG levert de wijziging vrijdag aan."), (3, "COA zoekt locaties met VNG.")))
    assert [type(e).__name__ for e in events] == ["Revised", "Reworded", "Reworded"]
    assert app.get(Action, f"{m1}/A1").text == "VNG levert de wijziging vrijdag aan."
    # COA is not an organisation of the table: VNG is the one it names
    assert app.get(Action, f"{m1}/A2").owners == ("VNG",)
    assert app.get(Action, f"{m1}/A3").status is ActionStatus.DONE  # history stays
    app.revise_minutes(ADMIN, m1, minutes_with((1, "VNG levert de wijziging vrijdag aan.")))
    assert app.get(Action, f"{m1}/A2").status is ActionStatus.CANCELLED
    assert app.get(Action, f"{m1}/A2").outcome == "geschrapt uit het verslag (versie 3)"
    # a refused revision leaves the register alone
    before = world.writes()
    with pytest.raises(Conflict):
        app.revise_minutes(ADMIN, m1, minutes_with((4, "Nieuw.")), base_version=1)
    with pytest.raises(NotFound):
        app.revise_minutes(ADMIN, m1, [Item(number=9, title="x", points=(
            Point(kind=PointKind.ACTION, text="VNG doet iets."),))])
    assert world.writes() == before
    assert not app.exists(Action, f"{m1}/A4")


# --- views of time ---------------------------------------------------------------------

def test_what_falls_due_overdue_first(world, meetings):
    app, clock = world.app, world.clock
    m1, m2 = meetings  # 10 November (held), 15 December 10:00 (planned)
    clock.set(at(2023, 11, 13, 9))
    a1 = app.agree_action(ADMIN, m1, item=1, text="VNG levert aan.", owners=["VNG"],
                          due=date(2023, 12, 6))
    a2 = app.agree_action(ADMIN, m1, item=1, text="IPO belt.", owners=["IPO"],
                          due=date(2023, 12, 1))
    app.agree_action(ADMIN, m1, item=1, text="Later.", owners=["IPO"],
                     due=date(2024, 3, 1))
    d1 = app.add_document(ADMIN, m2, "Notitie", "tekst")  # due 8 December 10:00
    d2 = app.add_document(ADMIN, m2, "Brief", "tekst")
    app.send_document(ADMIN, d2)
    clock.set(at(2023, 12, 5, 9))
    app.open_comment_round(ADMIN, d2, at(2023, 12, 6, 12))
    views = Views.open(app)
    rows = views.due_soon(at(2023, 12, 5, 10), timedelta(hours=48))
    assert [(r["kind"], r["subject"], r["overdue"]) for r in rows] == [
        ("action", a2, True),
        ("comment round", d2, False),
        ("action", a1, False)]
    assert rows[1]["waiting_on"] == ["ambtenaar-ipo", "bestuurder-vng"]
    assert rows[1]["due"] == "2023-12-06T12:00+01:00"
    # a week ahead, the unsent document is due too; and overdue once its time passed
    week = views.due_soon(at(2023, 12, 5, 10), timedelta(weeks=1))
    assert ("document", d1, "2023-12-08T10:00+01:00", False) in [
        (r["kind"], r["subject"], r["due"], r["overdue"]) for r in week]
    after = views.due_soon(at(2023, 12, 8, 11), timedelta(0))
    assert [(r["kind"], r["subject"]) for r in after if r["overdue"]] == [
        ("action", a2), ("action", a1), ("document", d1)]
    with pytest.raises(InvalidInput, match="^within:"):
        views.due_soon(at(2023, 12, 5, 10), timedelta(hours=-1))
    with pytest.raises(NotFound):
        views.due_soon(at(2023, 12, 5, 10), timedelta(hours=1), table="HLRT")


def test_punctuality_per_meeting_under_the_rules_in_force_then(world, meetings):
    app, clock = world.app, world.clock
    m1, m2 = meetings
    cancelled = world.schedule(at(2023, 10, 20, 10))
    app.cancel_meeting(ADMIN, cancelled, "geen agenda")
    # m1 (Friday 10 November 10:00): documents due Friday 3 November 10:00
    early = app.add_document(ADMIN, m1, "Op tijd", "x")
    app.send_document(ADMIN, early, at(2023, 10, 30, 12))
    late = app.add_document(ADMIN, m1, "Te laat", "x")
    app.send_document(ADMIN, late, at(2023, 11, 9, 17, 30))
    app.add_document(ADMIN, m1, "Nooit verstuurd", "x")
    # from December documents are due 10 working days ahead: m2's due is 1 December 10:00
    app.change_rules(ADMIN, "LRT", documents_due_days=10, effective_from=date(2023, 12, 1))
    clock.set(at(2023, 12, 4, 9))
    d = app.add_document(ADMIN, m2, "Notitie", "x")
    app.send_document(ADMIN, d)
    report = Views.open(app).punctuality("LRT", 2023, at(2023, 12, 20))
    assert [m["meeting"] for m in report["meetings"]] == [m1, m2]
    first, second = report["meetings"]
    assert (first["rule_days"], first["due"]) == (5, "2023-11-03T10:00+01:00")
    assert (first["documents"], first["on_time"], first["late"], first["unsent"]) == (3, 1, 1, 1)
    assert first["late_documents"] == [{
        "key": late, "title": "Te laat", "sent_at": "2023-11-09T17:30+01:00",
        "late_by": "6d 7h 30m", "late_minutes": 6 * 1440 + 7 * 60 + 30, "notice_days": 0}]
    assert (second["rule_days"], second["due"]) == (10, "2023-12-01T10:00+01:00")
    assert (second["late"], second["latest"]) == (1, "2d 23h 00m")
    assert report["totals"] == {"meetings": 2, "documents": 4, "on_time": 1, "late": 2,
                                "unsent": 1}
    assert Views.open(app).punctuality("LRT", 2022, at(2023, 12, 20))["meetings"] == []
    with pytest.raises(NotFound):
        Views.open(app).punctuality("HLRT", 2023, at(2023, 12, 20))


def test_the_rhythm_says_when_the_next_meeting_is_due(world, meetings):
    app = world.app
    m1, m2 = meetings  # LRT: 12 a year; held 10 November; planned 15 December
    views = Views.open(app)
    r = views.table_overview("LRT", at(2023, 11, 20))["rhythm"]
    assert (r["last_held"]["meeting"], r["next_due"]) == (m1, "2023-12-10")
    assert (r["next_planned"]["meeting"], r["planned_in_time"], r["behind"]) == (
        m2, False, False)
    app.change_rhythm(ADMIN, "LRT", 6)
    r = Views.open(app).table_overview("LRT", at(2024, 1, 20))["rhythm"]
    assert (r["next_due"], r["planned_in_time"], r["behind"]) == ("2024-01-10", None, True)
    assert r["next_planned"] is None  # 15 December has passed without being held


def test_calendar_entries_for_a_person(world, meetings):
    app = world.app
    m1, m2 = meetings
    world.clock.set(at(2023, 11, 13, 9))
    a_vng = app.agree_action(ADMIN, m1, item=1, text="VNG levert aan.", owners=["VNG"])
    app.agree_action(ADMIN, m1, item=1, text="IPO belt.", owners=["IPO"])
    views = Views.open(app)
    everything = views.calendar_entries(at(2023, 11, 20))
    assert [e["key"] for e in everything["events"]] == [m1, m2]
    assert len([t for t in everything["todos"] if t["kind"] == "action"]) == 2
    mine = views.calendar_entries(at(2023, 11, 20), person="bestuurder-vng")
    assert [t["key"] for t in mine["todos"]] == [a_vng]
    assert [e["key"] for e in mine["events"]] == [m1, m2]
    # the guest sees only the meeting invited to
    app.invite_guest(ADMIN, m2, "veiligheidsberaad")
    guest = Views.open(app).calendar_entries(at(2023, 11, 20), person="veiligheidsberaad")
    assert [e["key"] for e in guest["events"]] == [m2]
    with pytest.raises(NotFound):
        views.calendar_entries(at(2023, 11, 20), person="niemand")
