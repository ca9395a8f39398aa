"""`projections.verify`: the read model folded afresh from the events and compared, on
SQLite and PostgreSQL. The edits are made as an insider with a writer's database access
would make them: plain SQL on the read model's tables, behind lrt's back."""

from __future__ import annotations

from datetime import date

from lrt_domain.actions import Action
from lrt_domain.minutes import Minutes
from projections.catch_up import catch_up, open_read_model, rebuild
from projections.verify import fold, folded_views, verify

from worlds.application import ADMIN, CHAIR, M2_START, at

LIE = ("knelpunten", "UITSTEKENDE RESULTATEN")


def caught_up(app):
    model = open_read_model(app)
    catch_up(app, model)
    return model


def test_a_clean_read_model_verifies_with_no_differences(world, circulated):
    app = world.app
    model = caught_up(app)
    result = verify(app, model)
    assert result.ok, result.differences
    assert result.count == 0 and result.differences == []
    assert result.position == world.writes() == result.events
    # the fold is the read model's own code: the same states, key by key
    with fold(app) as fresh:
        assert fresh.state(Minutes, circulated) == model.state(Minutes, circulated)


def test_an_edited_state_is_reported_and_kept_by_later_events(world, circulated, store):
    app = world.app
    model = caught_up(app)
    store.execute("UPDATE view_state SET state = replace(state, ?, ?) WHERE kind = 'minutes'",
                  LIE)
    assert LIE[1] in str(model.state(Minutes, circulated).items)  # the views now lie
    first = verify(app, model)
    assert not first.ok
    (diff,) = first.differences
    assert (diff.table, diff.key, diff.problem) == ("view_state",
                                                    Minutes.id_for(circulated).hex, "differs")
    assert diff.detail.startswith("state.items[1].points[0].text: the read model has ")
    assert LIE[1] in diff.detail and LIE[0] in diff.detail

    # a genuine approval later (decided on the events, so it holds) is applied onto the lie
    m2 = world.schedule(M2_START)
    world.hold(m2)
    app.approve_minutes(CHAIR, circulated, at_meeting=m2)
    catch_up(app, model)
    assert model.state(Minutes, circulated).status.value == "approved"
    assert LIE[1] in str(model.state(Minutes, circulated).items)  # catch-up does not heal
    later = verify(app, model)
    assert not later.ok
    assert any(d.table == "view_state" and d.key == Minutes.id_for(circulated).hex
               for d in later.differences)
    # what the outputs are made from holds the truth
    with folded_views(app) as views:
        truth = views.model.state(Minutes, circulated)
        assert LIE[0] in str(truth.items) and LIE[1] not in str(truth.items)
        assert truth.status.value == "approved"

    rebuild(app, model)
    assert verify(app, model).ok


def test_an_edited_view_row_and_history_row_are_reported(world, meetings, store):
    app = world.app
    m1, _ = meetings
    model = caught_up(app)
    store.execute("UPDATE view_meetings SET place = 'Catshuis' WHERE key = ?", (m1,))
    store.execute("DELETE FROM hist_view_memberships WHERE number = 2")
    result = verify(app, model)
    found = {(d.table, d.problem): d for d in result.differences}
    assert set(found) == {("view_meetings", "differs"), ("hist_view_memberships", "differs")}
    assert "place: the read model has \"Catshuis\", the events give \"Johan de Witthuis\"" \
        in found["view_meetings", "differs"].detail
    assert "2 row(s) in the read model, the events give 3" in \
        found["hist_view_memberships", "differs"].detail


def test_a_tracking_position_moved_forward_is_reported(world, meetings, store):
    """The issue's repro: two actions recorded, the position moved past them, and they
    would never be applied."""
    app = world.app
    m1, _ = meetings
    model = caught_up(app)
    world.clock.set(at(2023, 11, 13, 9))
    for text in ("VNG levert een notitie aan.", "IPO verkent de verdeling."):
        app.agree_action(ADMIN, m1, item=3, owners=["VNG"], text=text, due=date(2023, 12, 1))
    store.execute(f"UPDATE {model.TRACKING_TABLE} SET notification_id = notification_id + 2")
    assert catch_up(app, model) == 0  # nothing left to apply: the two are invisible
    assert model.states(Action) == []

    result = verify(app, model)
    assert not result.ok
    tracking = [d for d in result.differences if d.table == "tracking"]
    assert len(tracking) == 1 and "never applied" in tracking[0].detail
    missing = {(d.table, d.problem) for d in result.differences}
    assert ("view_versions", "missing") in missing and ("view_actions", "missing") in missing
    assert [d.key for d in result.differences if d.table == "view_versions"] == [
        str(world.writes() - 1), str(world.writes())]

    rebuild(app, model)
    assert verify(app, model).ok and len(model.states(Action)) == 2


def test_a_tracking_position_beyond_the_log_and_an_extra_row(world, meetings, store):
    app = world.app
    model = caught_up(app)
    store.execute(f"UPDATE {model.TRACKING_TABLE} SET notification_id = notification_id + 5")
    store.execute("INSERT INTO view_action_owners VALUES ('feed', 'LRT-x/A1', 'VNG')")
    result = verify(app, model)
    details = [str(d) for d in result.differences]
    assert any(d.startswith("tracking LRT: position: at ") and "beyond the last event" in d
               for d in details), details
    assert any(d.startswith("view_action_owners feed: extra: ") for d in details), details


def test_an_unreadable_state_is_a_difference_not_a_crash(world, meetings, store):
    app = world.app
    model = caught_up(app)
    store.execute("UPDATE view_state SET state = '{not json' WHERE kind = 'table'")
    result = verify(app, model)
    assert [(d.table, d.problem) for d in result.differences] == [("view_state", "differs")]


def test_a_read_model_of_an_older_lrt_is_one_difference(world, meetings, store):
    app = world.app
    model = caught_up(app)
    store.execute("UPDATE view_meta SET value = '1' WHERE name = 'schema'")
    result = verify(app, model)
    assert [str(d) for d in result.differences] == [
        "view_meta schema: differs: the read model was built by an older lrt; rebuild it"]
