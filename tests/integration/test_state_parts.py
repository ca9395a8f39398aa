"""A state's long fields kept in parts (issue 16, point 5: appending an agenda item costs
the item, not the meeting): a tuple longer than `PART_SIZE` is stored in
`view_state_parts`, `PART_SIZE` elements a row, and read back joined; a write rewrites only
the parts whose elements changed. On SQLite and PostgreSQL: the states read back are the
application's own, after appends, after a change to an early element, after a shrink below
the part size and a regrowth, in a fresh process, as of an earlier moment, and after a
rebuild; an edited part is what `projections verify` reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar
from uuid import UUID

import pytest

from lrt_domain.base import DomainEvent, Role
from lrt_domain.documents import Document
from lrt_domain.meetings import AgendaItem, Meeting, Presence
from projections.as_of import AsOfModel, position_at
from projections.catch_up import catch_up, open_read_model, rebuild
from projections import read_model
from projections.read_model import PART_SIZE, VIEW_TABLES, ReadModel
from projections.verify import verify

from worlds.application import ADMIN, M1_START, START

ITEMS = 2 * PART_SIZE + 10  # three parts, the last one partly filled


# Events that the domain has none of (an agenda item renamed, an agenda cut short), applied
# to the read model alone: no TOPIC, so never stored or known to the application.
class Renamed(DomainEvent):
    TOPIC: ClassVar[str] = ""
    number: int
    title: str

    def apply(self, state: Meeting) -> Meeting:
        return state.with_(agenda=tuple(
            AgendaItem(number=i.number, title=self.title) if i.number == self.number else i
            for i in state.agenda))


class Copied(DomainEvent):
    """Every item made again: equal items, none of them the object stored."""
    TOPIC: ClassVar[str] = ""

    def apply(self, state: Meeting) -> Meeting:
        return state.with_(agenda=tuple(AgendaItem(number=i.number, title=i.title)
                                        for i in state.agenda))


class Cut(DomainEvent):
    TOPIC: ClassVar[str] = ""
    keep: int

    def apply(self, state: Meeting) -> Meeting:
        return state.with_(agenda=state.agenda[:self.keep])


def caught_up(app: Any) -> ReadModel:
    model = open_read_model(app)
    catch_up(app, model)
    return model


def parts(store: Any, meeting: str) -> dict[tuple[str, int], str]:
    """The meeting's parts as stored: (field, number): the elements' text."""
    return {(f, n): items for f, n, items in store.execute(
        "SELECT field, part, items FROM view_state_parts WHERE id = ?",
        (Meeting.id_for(meeting).hex,))}


def watch_writes(store: Any) -> None:
    """A trigger noting each part inserted (a part written again is deleted and inserted)
    in `part_writes`, for `written_again`."""
    store.execute("CREATE TABLE part_writes (id TEXT, field TEXT, part INTEGER)")
    if store.kind == "sqlite":
        store.execute("CREATE TRIGGER part_written AFTER INSERT ON view_state_parts BEGIN "
                      "INSERT INTO part_writes VALUES (NEW.id, NEW.field, NEW.part); END")
        return
    store.execute("GRANT ALL ON part_writes TO PUBLIC")
    store.execute("CREATE FUNCTION note_part() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                  "INSERT INTO part_writes VALUES (NEW.id, NEW.field, NEW.part); RETURN NEW; "
                  "END $$")
    store.execute("CREATE TRIGGER part_written AFTER INSERT ON view_state_parts FOR EACH ROW "
                  "EXECUTE FUNCTION note_part()")


def written_again(store: Any, meeting: str) -> list[int]:
    """The parts of the meeting written since the last call."""
    sid = Meeting.id_for(meeting).hex
    found = sorted(n for n, in store.execute("SELECT part FROM part_writes WHERE id = ?",
                                             (sid,)))
    store.execute("DELETE FROM part_writes")
    return found


def row_text(store: Any, meeting: str) -> str:
    (text,), = store.execute("SELECT state FROM view_state WHERE id = ?",
                             (Meeting.id_for(meeting).hex,))
    return str(text)


def long_meeting(world: Any, items: int = ITEMS) -> str:
    key = world.schedule(M1_START, agenda=())
    for i in range(items):
        world.app.add_agenda_item(ADMIN, key, f"Agendapunt {i + 1}")
    return key


def apply_alone(app: Any, model: ReadModel, state: Meeting, event_class: type[DomainEvent],
                **fields: Any) -> Meeting:
    """Apply an event of `event_class` to the read model alone; the state it gives."""
    event = event_class(originator_id=state.id, originator_version=state.version + 1,
                        timestamp=state.modified_on + timedelta(minutes=1), actor=ADMIN,
                        role=Role.SECRETARIAT, **fields)
    position = (model.max_tracking_id(app.name) or 0) + 1
    assert model.process(app.name, [(event, position)]) == 1
    return event.mutate(state)


def test_a_long_agenda_is_kept_in_parts_and_read_back_exactly(world, store, make_app):
    app = world.app
    key = long_meeting(world)
    model = caught_up(app)
    assert model.state(Meeting, key) == app.get(Meeting, key)
    assert len(app.get(Meeting, key).agenda) == ITEMS
    stored = parts(store, key)
    assert sorted(stored) == [("agenda", 0), ("agenda", 1), ("agenda", 2)]
    assert "Agendapunt" not in row_text(store, key)  # the row holds the other fields
    assert '"guests":[]' in row_text(store, key)  # (short fields stay in the row)

    # an append rewrites the last part alone
    watch_writes(store)
    app.add_agenda_item(ADMIN, key, "Rondvraag")
    catch_up(app, model)
    now = parts(store, key)
    assert [k for k in now if now[k] != stored.get(k)] == [("agenda", 2)]
    assert written_again(store, key) == [2]
    assert model.state(Meeting, key) == app.get(Meeting, key)
    assert model.states(Meeting, [key]) == [app.get(Meeting, key)]
    assert app.get(Meeting, key) in model.states(Meeting)

    # another process (states not in its memory) reads the parts and appends to them
    other = make_app()
    other.add_agenda_item(ADMIN, key, "Sluiting")
    fresh = caught_up(other)
    assert fresh.state(Meeting, key) == other.get(Meeting, key) == app.get(Meeting, key)
    assert model.state(Meeting, key) == app.get(Meeting, key)
    assert verify(app, model).ok


@pytest.fixture(params=["equal", "same"])
def kept_when(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A part is kept when its elements are equal to those stored (agenda items: equal
    ones serialise alike), or, as for elements with datetimes, only when they are the very
    objects stored."""
    if request.param == "same":
        parted = read_model._parted
        monkeypatch.setattr(read_model, "_parted",
                            lambda cls, field: (parted(cls, field)[0], False))
    return str(request.param)


def test_which_elements_compare_by_equality() -> None:
    assert read_model.exact_equality(Meeting.model_fields["agenda"].annotation)
    assert read_model.exact_equality(Meeting.model_fields["attendance"].annotation)
    assert not read_model.exact_equality(Document.model_fields["rounds"].annotation)
    assert not read_model.exact_equality(float)


def test_an_early_change_a_shrink_and_a_regrowth_read_back_exactly(world, store, kept_when):
    app = world.app
    key = long_meeting(world)
    model = caught_up(app)
    state = app.get(Meeting, key)
    before = parts(store, key)
    watch_writes(store)

    state = apply_alone(app, model, state, Renamed, number=2, title="Vaststelling agenda")
    assert model.state(Meeting, key) == state
    assert model.state(Meeting, key).agenda[1].title == "Vaststelling agenda"
    now = parts(store, key)
    assert [k for k in now if now[k] != before[k]] == [("agenda", 0)]
    assert written_again(store, key) == [0]

    state = apply_alone(app, model, state, Copied)
    assert model.state(Meeting, key) == state
    assert parts(store, key) == now  # the same texts, whether kept or written again
    assert written_again(store, key) == ([] if kept_when == "equal" else [0, 1, 2])

    state = apply_alone(app, model, state, Cut, keep=PART_SIZE + 1)  # two parts
    assert model.state(Meeting, key) == state and len(state.agenda) == PART_SIZE + 1
    assert sorted(parts(store, key)) == [("agenda", 0), ("agenda", 1)]
    assert written_again(store, key) == [1]  # the last part shorter; the one after deleted

    state = apply_alone(app, model, state, Cut, keep=3)  # below the part size: in the row
    assert model.state(Meeting, key) == state and len(state.agenda) == 3
    assert parts(store, key) == {}
    assert "Vaststelling agenda" in row_text(store, key)

    # and back above it: the events' own items, after the read model's
    app_state = app.get(Meeting, key)
    for event in [Meeting.AgendaItemAdded(
            originator_id=state.id, originator_version=state.version + 1 + i,
            timestamp=state.modified_on + timedelta(minutes=i + 1), actor=ADMIN,
            role=Role.SECRETARIAT, item=AgendaItem(number=4 + i, title=f"Nieuw {i}"))
            for i in range(PART_SIZE + 5)]:
        position = (model.max_tracking_id(app.name) or 0) + 1
        model.process(app.name, [(event, position)])
        state = event.mutate(state)
    assert model.state(Meeting, key) == state and len(state.agenda) == PART_SIZE + 8
    assert sorted(parts(store, key)) == [("agenda", 0), ("agenda", 1)]
    assert app.get(Meeting, key) == app_state  # (the application's own is untouched)


def test_attendance_recorded_again_moves_an_early_element(world, store):
    """The domain's own change to an early element of a long tuple: a person's attendance
    recorded again goes to the end (`Meeting.AttendanceRecorded`), every part after it
    shifts."""
    app = world.app
    key = world.schedule(M1_START, agenda=("Opening",))
    persons = [app.register_person(ADMIN, f"Deelnemer {i}", person_key=f"deelnemer-{i}")
               for i in range(PART_SIZE + 6)]
    world.clock.set(M1_START + timedelta(minutes=5))
    app.record_attendances(ADMIN, key, [(p, Presence.PRESENT, None) for p in persons])
    model = caught_up(app)
    assert model.state(Meeting, key) == app.get(Meeting, key)
    assert sorted(parts(store, key)) == [("attendance", 0), ("attendance", 1)]
    app.record_attendance(ADMIN, key, persons[0], Presence.REMOTE)
    catch_up(app, model)
    got = model.state(Meeting, key)
    assert got == app.get(Meeting, key)
    assert got is not None and got.attendance[-1].person == persons[0]
    assert got.attendance[0].person == persons[1]
    assert verify(app, model).ok


def test_the_parts_are_rebuilt_row_for_row(world, store):
    app = world.app
    key = long_meeting(world)
    app.add_agenda_item(ADMIN, key, "Rondvraag")
    model = caught_up(app)

    def tables() -> dict[str, list[str]]:
        return {t: sorted(repr(tuple(r.values())) for r in model.query(f"SELECT * FROM {t}"))
                for t in VIEW_TABLES}

    before = tables()
    assert before["view_state_parts"]
    rebuild(app, model)
    assert tables() == before
    assert model.state(Meeting, key) == app.get(Meeting, key)


def test_an_edited_part_is_reported_by_verify(world, store):
    app = world.app
    key = long_meeting(world)
    model = caught_up(app)
    assert verify(app, model).ok
    store.execute(
        "UPDATE view_state_parts SET items = replace(items, ?, ?) WHERE id = ? AND part = 1",
        ("Agendapunt 70\"", "Agendapunt 99\"", Meeting.id_for(key).hex))
    assert model.state(Meeting, key).agenda[69].title == "Agendapunt 99"  # the views lie
    found = verify(app, model)
    assert not found.ok
    (diff,) = found.differences
    assert (diff.table, diff.key, diff.problem) == (
        "view_state_parts", f"{Meeting.id_for(key).hex}/agenda/1", "differs")
    assert "Agendapunt 99" in diff.detail and "Agendapunt 70" in diff.detail

    store.execute("DELETE FROM view_state_parts WHERE id = ? AND part = 2",
                  (Meeting.id_for(key).hex,))
    assert any(d.table == "view_state_parts" and d.problem == "missing"
               for d in verify(app, model).differences)


def test_the_as_of_views_of_a_long_agenda(world, store):
    """As of a moment the meeting was still its live version (its parts read with its row)
    and as of an earlier one (a snapshot and the events after it): exactly the events'."""
    app, clock = world.app, world.clock
    clock.set(START + timedelta(days=1))
    key = world.schedule(M1_START, agenda=())
    for i in range(PART_SIZE + 40):
        app.add_agenda_item(ADMIN, key, f"Agendapunt {i + 1}")
    early = clock.now()
    clock.advance(hours=1)
    for i in range(PART_SIZE):
        app.add_agenda_item(ADMIN, key, f"Later punt {i + 1}")
    late = clock.now()
    clock.advance(hours=1)
    app.register_organisation(ADMIN, "SZW", "Ministerie van Sociale Zaken")  # after it
    model = caught_up(app)

    def folded(version: int) -> Meeting:
        state = None
        for item in app.recorder.select_events(UUID(Meeting.id_for(key).hex), lte=version):
            state = app.mapper.to_domain_event_quickly(item).mutate(state)
        assert isinstance(state, Meeting)
        return state

    for moment, count in [(late, 2 * PART_SIZE + 40), (early, PART_SIZE + 40)]:
        as_of = AsOfModel(model, app, position_at(model, moment))
        got = as_of.state(Meeting, key)
        assert got is not None and len(got.agenda) == count
        assert got == folded(count + 1)
    assert AsOfModel(model, app, position_at(model, late)).state(Meeting, key) == \
        app.get(Meeting, key)
