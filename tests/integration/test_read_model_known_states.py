"""The read model keeps the states it last read or wrote in memory (issue 16, point 5: an
event on a large state is applied without parsing the state again). A remembered state is
used only while the stored text is exactly the one remembered: what another process wrote
meanwhile, a rolled-back write and an insider's edit are read from the store."""

from __future__ import annotations

from lrt_domain.meetings import Meeting
from projections.catch_up import catch_up, open_read_model
from projections.verify import verify

from worlds.application import ADMIN, M2_START


def test_two_writers_alternating_on_one_meeting_keep_the_views_true(world, make_app):
    first = world.app
    second = make_app()
    key = world.schedule(M2_START, agenda=())
    one, two = open_read_model(first), open_read_model(second)
    for n in range(1, 13):
        app, model = (first, one) if n % 3 else (second, two)  # two by one, then one
        app.add_agenda_item(ADMIN, key, f"Punt {n}")
        catch_up(app, model)
    for model in (one, two):
        catch_up(first, model)
        agenda = model.state(Meeting, key).agenda
        assert [a.title for a in agenda] == [f"Punt {n}" for n in range(1, 13)]
        assert [a.number for a in agenda] == list(range(1, 13))
    assert verify(first, one).ok


def test_a_state_edited_behind_the_back_of_a_writer_is_read_again(world, store):
    """The writer remembered the state it wrote; the stored text changed: the edit is
    what the next event applies to (as without the memory: catch-up does not heal)."""
    app = world.app
    key = world.schedule(M2_START, agenda=("Opening",))
    model = open_read_model(app)
    catch_up(app, model)
    store.execute("UPDATE view_state SET state = replace(state, 'Opening', 'Geknoeid') "
                  "WHERE kind = 'meeting'")
    app.add_agenda_item(ADMIN, key, "Rondvraag")
    catch_up(app, model)
    assert [a.title for a in model.state(Meeting, key).agenda] == ["Geknoeid", "Rondvraag"]
    assert not verify(app, model).ok
