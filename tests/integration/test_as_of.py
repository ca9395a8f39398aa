"""Views as recorded at earlier record times: things change across several record times and
each view is checked at each time; the answers come from versions, never disturb the live
views, and equal a fold of exactly the events recorded by then."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from projections.history import history
from lrt_domain.base import Actor, Role
from lrt_domain.errors import NotFound, RuleViolation
from lrt_domain.minutes import Minutes
from projections.as_of import AsOfModel, position_at
from projections.catch_up import open_read_model, rebuild
from projections.read_model import SNAPSHOT_EVERY, TABLES, VIEW_TABLES, rows_of
from projections.views import Views

from worlds.application import ADMIN, CHAIR, DEADLINE, M2_START, MEMBER, at, items

AUDITOR_ACTOR = Actor(user="woo", role=Role.AUDITOR)


def text(row) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in row)


def dump(app) -> dict[str, list[str]]:
    model = open_read_model(app)
    return {t: sorted(repr(tuple(r.values())) for r in model.query(f"SELECT * FROM {t}"))
            for t in VIEW_TABLES}


@pytest.fixture
def cycle(world, meetings):
    """One cycle, each step at its own record time (the times are returned by name)."""
    m1, m2 = meetings
    app, clock = world.app, world.clock
    times = {}
    clock.set(at(2023, 11, 13, 9))
    app.draft_minutes(ADMIN, m1, items())
    action = app.agree_action(ADMIN, m1, item=3, text="Lijst van knelpunten",
                              owners=["VNG"], due=date(2023, 12, 1))
    times["drafted"] = at(2023, 11, 13, 12)
    clock.set(at(2023, 11, 14, 9))
    app.circulate_minutes(ADMIN, m1, DEADLINE)
    app.end_membership(ADMIN, "LRT", 2, date(2023, 11, 14))
    times["circulated"] = at(2023, 11, 14, 12)
    clock.set(at(2023, 11, 16, 9))
    app.comment(MEMBER, m1, "Punt 3 graag aanvullen.")
    app.propose_amendment(MEMBER, m1, item=3, point=1,
                          text="Gemeenten en provincies melden knelpunten.")
    times["commented"] = at(2023, 11, 16, 12)
    clock.set(at(2023, 11, 21, 9))
    app.accept_amendment(ADMIN, m1, 1)
    app.reschedule_meeting(ADMIN, m2, M2_START + timedelta(days=1), None, "agenda minister")
    times["amended"] = at(2023, 11, 21, 12)
    world.hold(m2)
    app.approve_minutes(CHAIR, m1, at_meeting=m2)
    app.complete_action(ADMIN, action, "Lijst gestuurd.")
    times["approved"] = world.clock.now() + timedelta(minutes=1)
    clock.advance(days=30)
    app.correct_minutes(ADMIN, m1, item=3, point=2, text="De taakstelling wordt herzien.",
                        reason="besluit onjuist weergegeven")
    times["corrected"] = world.clock.now() + timedelta(minutes=1)
    return world, m1, m2, action, times


def test_each_view_at_each_record_time(cycle):
    world, m1, m2, action, times = cycle
    app = world.app
    Views.open(app)  # caught up
    live_before = dump(app)

    def as_of(name: str) -> Views:
        return Views.as_of(app, times[name])

    # the minutes: text, status and version as they were
    seen = {name: as_of(name).minutes(AUDITOR_ACTOR, m1) for name in times}
    assert [(seen[n]["status"], seen[n]["version"]) for n in times] == [
        ("draft", 1), ("circulated", 1), ("circulated", 1), ("revised", 2),
        ("approved", 2), ("approved", 3)]
    point = {n: seen[n]["items"][1]["points"][0]["text"] for n in times}
    assert point["commented"] == "Gemeenten melden knelpunten bij de huisvesting."
    assert point["amended"] == "Gemeenten en provincies melden knelpunten."
    assert [len(seen[n]["amendments"]) for n in times] == [0, 0, 1, 1, 1, 1]
    assert seen["approved"]["items"][1]["points"][1]["text"] == \
        "De taakstelling blijft ongewijzigd."
    assert seen["corrected"]["items"][1]["points"][1]["text"] == \
        "De taakstelling wordt herzien."
    assert seen["approved"]["corrections"] == [] and len(seen["corrected"]["corrections"]) == 1

    # before the minutes existed: not found, as then
    with pytest.raises(NotFound, match="no minutes"):
        Views.as_of(app, at(2023, 11, 1)).minutes(AUDITOR_ACTOR, m1)

    # the deadlines: the round open while it was
    def deadlines(name: str) -> list[tuple[str, bool, int]]:
        return [(d["subject"], d["open"], d["comments"])
                for d in as_of(name).deadlines(times[name], include_closed=True)]
    assert deadlines("drafted") == []
    assert deadlines("circulated") == [(m1, True, 0)]
    assert deadlines("commented") == [(m1, True, 1)]
    assert deadlines("amended") == [(m1, False, 1)]
    assert as_of("commented").deadlines(times["commented"])[0]["subject"] == m1
    assert as_of("amended").deadlines(times["amended"]) == []

    # the action register: open, then done
    def actions(name: str) -> list[tuple[str, str]]:
        return [(a["key"], a["status"]) for a in
                as_of(name).actions(times[name].date(), include_closed=True)]
    assert actions("drafted") == [(action, "open")]
    assert actions("amended") == [(action, "open")]
    assert actions("approved") == [(action, "done")]
    assert as_of("approved").actions(times["approved"].date()) == []

    # the members: the IPO member left on 14 November (recorded then)
    def members(name: str, on: date) -> list[str]:
        return [m["person"] for m in as_of(name).members("LRT", on)]
    assert members("drafted", date(2023, 11, 20)) == ["bestuurder-vng", "ambtenaar-ipo"]
    assert members("circulated", date(2023, 11, 20)) == ["bestuurder-vng"]

    # the calendar: the second meeting moved on 21 November
    def starts(name: str) -> list[str | None]:
        return [m["starts_at"] for m in as_of(name).calendar() if m["key"] == m2]
    assert starts("commented") == ["2023-12-15T10:00+01:00"]
    assert starts("amended") == ["2023-12-16T10:00+01:00"]

    # history, as recorded by then
    rows = history(app, m1, until=times["commented"])
    assert [r["event"] for r in rows if r["object"] in ("minutes", "comment", "amendment")] \
        == ["Minutes.Drafted", "Minutes.Circulated", "Comment.Submitted", "Amendment.Proposed"]

    # none of this touched the live views
    assert dump(app) == live_before
    assert Views.open(app).minutes(AUDITOR_ACTOR, m1)["version"] == 3


def test_official_on_a_date_needs_the_approval_by_then(cycle):
    world, m1, _, _, times = cycle
    app = world.app
    with pytest.raises(RuleViolation, match="were not approved on 2023-11-21"):
        Views.as_of(app, times["amended"]).require_approved(m1, times["amended"].date())
    Views.as_of(app, times["approved"]).require_approved(m1, times["approved"].date())


def test_every_position_equals_a_fold_of_the_events_up_to_it(cycle):
    """The versions (history rows, snapshots, version index) give, at every position of the
    log, exactly the states and query rows that folding the events up to it gives."""
    app = cycle[0].app
    model = Views.open(app).model
    notifications = app.recorder.select_notifications(start=1, limit=10_000)
    states: dict = {}
    for n in notifications:
        event = app.mapper.to_domain_event(n)
        sid = event.originator_id.hex
        states[sid] = event.mutate(states.get(sid))
        at_n = AsOfModel(model, app, n.id)
        if n.id % 7 and n.id != notifications[-1].id:
            continue  # every 7th position and the last: enough, and quick
        for state in states.values():
            assert at_n.state(type(state), state.key) == state
        for table in TABLES:
            expected = sorted(text((sid, *row)) for sid, s in states.items()
                              for row in rows_of(s).get(table, []))
            got = sorted(text(r.values()) for r in at_n.query(f"SELECT * FROM {table}"))
            assert got == expected, (n.id, table)


def test_a_long_stream_is_read_from_a_snapshot(world, circulated):
    app, clock = world.app, world.clock
    clock.set(at(2023, 11, 15, 9))
    for i in range(2 * SNAPSHOT_EVERY + 20):
        clock.advance(seconds=10)
        app.comment(MEMBER, circulated, f"Opmerking {i}")
        app.accept_amendment(ADMIN, circulated, app.propose_amendment(
            MEMBER, circulated, item=1, point=None, text=f"Punt {i}"))
    # comments and proposals are in their own streams: the minutes' stream grew by the
    # decisions only
    assert app.get(Minutes, circulated).version == 2 + 2 * SNAPSHOT_EVERY + 20
    model = Views.open(app).model
    sid = Minutes.id_for(circulated).hex
    snapshots = model.query("SELECT version FROM view_snapshots WHERE id = ? ORDER BY version",
                            (sid,))
    assert [s["version"] for s in snapshots] == [SNAPSHOT_EVERY, 2 * SNAPSHOT_EVERY]
    # between the snapshots: the state at version 150 is the fold of its first 150 events
    target = SNAPSHOT_EVERY + SNAPSHOT_EVERY // 2
    position = model.query("SELECT position FROM view_versions WHERE id = ? AND version = ?",
                           (sid, target))[0]["position"]
    state = AsOfModel(model, app, position).state(Minutes, circulated)
    assert state == app.get(Minutes, circulated, version=target)
    assert len(state.decided) == target - 2  # drafted, circulated, decisions
    assert state.rounds[0].comments == ()
    assert AsOfModel(model, app, position).query(
        "SELECT COUNT(*) AS n FROM view_comments")[0]["n"] == target - 2


def test_a_record_time_maps_to_the_last_event_recorded_by_then(cycle):
    world, *_, times = cycle
    model = Views.open(world.app).model
    assert position_at(model, at(2020, 1, 1)) == 0
    last = world.app.recorder.max_notification_id()
    assert position_at(model, times["corrected"]) == last
    before = position_at(model, times["approved"])
    assert 0 < before < last


def test_a_rebuild_gives_the_same_versions(cycle):
    app = cycle[0].app
    Views.open(app)
    before = dump(app)
    rebuild(app, open_read_model(app))
    assert dump(app) == before


def test_an_older_read_model_is_rebuilt_before_it_answers(cycle):
    app = cycle[0].app
    model = Views.open(app).model
    with model.datastore.transaction(commit=True) as c:
        for table in ("view_meta", "view_versions", *(f"hist_{t}" for t in TABLES)):
            c.execute(f"DELETE FROM {table}")
    assert model.outdated()
    views = Views.as_of(app, cycle[4]["commented"])
    assert not model.outdated()
    assert views.minutes(AUDITOR_ACTOR, cycle[1])["status"] == "circulated"
