"""The read rules answer the same on the read model's plain rows of tables, meetings and
minutes (`read_rules.TableRow`, `MeetingRow`, `MinutesRow`: what every query reads now) as
on the domain's states (what they read before issue 16, point 4), for every user, view,
meeting and table of a whole cycle, on days before, during and after memberships and
approvals; and the read side's model reads the states the read model holds."""

from __future__ import annotations

from datetime import date, datetime, time

from lrt_app.bootstrap import build
from lrt_domain import read_rules
from lrt_domain.catalogue import AGGREGATES
from lrt_domain.directory import User
from lrt_domain.dutch_time import AMSTERDAM, local_date
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.read_rules import State, View
from lrt_domain.roles import Acting
from lrt_domain.tables import Table
from projections.views import Views

DAYS = [date(2023, 9, 15), date(2023, 10, 31), date(2023, 11, 1), date(2023, 11, 10),
        date(2023, 12, 1), date(2023, 12, 20), date(2030, 1, 1)]


def by_states(views: Views, actor: Acting, view: View, day: date, *,
              meeting: str | None = None, table: str | None = None) -> bool:
    """`Views.may` as it read the states (before the rows)."""
    m = views.model.state(Meeting, meeting) if meeting else None
    if m is not None:
        table = m.table
    t = views.model.state(Table, table) if table else None
    answer = read_rules.settled(actor, view, t, day=day, meeting=m)
    if answer is not None:
        return answer
    state, approved_on = State.DRAFT, None
    minutes = views.model.state(Minutes, meeting) if meeting else None
    if minutes is not None and minutes.approval is not None \
            and minutes.status is MinutesStatus.APPROVED:
        state, approved_on = State.APPROVED, local_date(minutes.approval.approved_at)
    return read_rules.may_read(actor, view, t, day=day, meeting=m, state=state,
                               approved_on=approved_on)


def test_the_read_rules_answer_the_same_on_rows_and_on_states(cycle) -> None:
    app = build(cycle.cli.store.url, clock=cycle.cli.clock)
    try:
        views = Views.open(app)
        actors = [u.as_actor for u in views.model.states(User)]
        meetings = [m.key for m in views.model.states(Meeting)]
        tables = [t.key for t in views.model.states(Table)]
        assert len(actors) >= 4 and len(meetings) >= 3
        approved = [k for k in meetings if (m := views.model.state(Minutes, k)) is not None
                    and m.status is MinutesStatus.APPROVED]
        assert approved, "the cycle approves minutes"
        compared = allowed = 0
        for day in DAYS:
            moment = datetime.combine(day, time(12), AMSTERDAM)
            views.now = lambda moment=moment: moment  # type: ignore[method-assign]
            for actor in actors:
                for view in View:
                    for key in meetings:
                        answer = views.may(view, meeting=key, actor=actor)
                        assert answer == by_states(views, actor, view, day, meeting=key), \
                            (day, actor, view, key)
                        compared, allowed = compared + 1, allowed + answer
                    for key in tables:
                        assert views.may(view, table=key, actor=actor) == by_states(
                            views, actor, view, day, table=key), (day, actor, view, key)
        assert 0 < allowed < compared  # some readers may, some may not
    finally:
        app.close()


def test_the_read_sides_model_reads_what_the_read_model_holds(cycle) -> None:
    if cycle.cli.store.kind != "sqlite":
        return  # the read side alone is SQLite's
    import sqlite3

    from projections.reading import Reading

    app = build(cycle.cli.store.url, clock=cycle.cli.clock)
    try:
        connection = sqlite3.connect(cycle.cli.store.url)
        connection.row_factory = sqlite3.Row
        model = Views.open(app).model
        plain = Reading(connection)
        for cls in AGGREGATES.values():
            states = model.states(cls)
            assert plain.states(cls) == states
            keys = [s.key for s in states][:20]
            assert plain.states(cls, [*keys, "no such key"]) == model.states(cls, keys)
            for key in keys[:3]:
                assert plain.state(cls, key) == model.state(cls, key)
        assert plain.max_tracking_id(app.name) == model.max_tracking_id(app.name)
        connection.close()
    finally:
        app.close()
