"""The read model's lookups that keep "Mijn overzicht" from growing with the history give
the answers the full scans gave: each subject's current round (`view_current_rounds`),
now and as of an earlier moment, and the documents of meetings looked up by key (more
than one batch of them)."""

from __future__ import annotations

from projections.views import Views

from worlds.application import ADMIN, at


def test_only_the_current_round_of_a_subject_is_listed(world, meetings):
    app, clock = world.app, world.clock
    m1, _ = meetings
    doc = app.add_document(ADMIN, m1, "Conceptbrief", "tekst")
    clock.set(at(2023, 11, 13, 9))
    app.open_comment_round(ADMIN, doc, at(2023, 11, 14, 12))
    clock.set(at(2023, 11, 20, 9))  # the first round closed; a second opens
    app.open_comment_round(ADMIN, doc, at(2023, 11, 24, 12))

    views = Views.open(app)
    listed = [(r["subject"], r["round"]) for r in views.deadlines(clock.now())]
    assert listed == [(doc, 2)]
    assert [(r["subject"], r["round"]) for r in views.deadlines(
        clock.now(), include_closed=True) if r["subject"] == doc] == [(doc, 2)]
    assert views.model.query("SELECT subject, number FROM view_current_rounds") == [
        {"subject": doc, "number": 2}]
    # every round is still in view_rounds (the other views read them)
    assert [r["number"] for r in views.model.query(
        "SELECT number FROM view_rounds WHERE subject = ? ORDER BY number", (doc,))] == [1, 2]
    # as they stood while the first round was open: the first round was the current one
    then = Views.as_of(app, at(2023, 11, 14, 9))
    assert [(r["subject"], r["round"]) for r in then.deadlines(at(2023, 11, 14, 9))] == [
        (doc, 1)]


def test_the_documents_of_meetings_are_all_found_in_their_order(world, meetings):
    app = world.app
    m1, m2 = meetings
    many = [app.add_document(ADMIN, m1, f"Stuk {n}", "tekst") for n in range(1, 20)]
    few = [app.add_document(ADMIN, m2, f"Bijlage {n}", "tekst") for n in range(1, 4)]
    assert many[-1] == f"{m1}/D19"  # more than two batches of eight

    views = Views.open(app)
    assert [d["key"] for d in views.meeting(m1)["documents"]] == many
    assert [d["key"] for d in views.meeting(m2)["documents"]] == few
    calendar = {m["key"]: [d["key"] for d in m["documents"]] for m in views.calendar()}
    assert calendar[m1] == many and calendar[m2] == few
