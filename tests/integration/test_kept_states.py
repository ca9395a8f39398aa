"""A long-lived application decides on the states it keeps, brought up to date with one read
of the log per command (issue 16, point 2; `lrt_app.kept`). What another process wrote
between two commands is in the second decision; a decision on a stale state is refused on
save and decided again; nothing is ever lost. On both stores."""

from __future__ import annotations

from collections import Counter
from uuid import uuid4

import pytest
from eventsourcing.persistence import Notification

from lrt_app import kept
from lrt_domain.directory import Person
from lrt_domain.errors import Forbidden, RuleViolation
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes

from worlds.application import ADMIN, IPO_MEMBER, MEMBER, interleave


def reads(monkeypatch, app) -> Counter[str]:
    """Counts `app`'s reads of the store, by kind."""
    counted: Counter[str] = Counter()
    for name in ("select_events", "select_notifications", "max_notification_id"):
        real = getattr(app.recorder, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            counted[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(app.recorder, name, counting)
    return counted


def test_a_command_after_the_first_reads_the_log_once(world, circulated, monkeypatch):
    app = world.app
    app.comment(MEMBER, circulated, "Eerste opmerking.")  # reads what it needs, keeps it
    meeting = app.get(Minutes, circulated).meeting
    counted = reads(monkeypatch, app)
    app.comment(MEMBER, circulated, "Tweede opmerking.")
    app.add_agenda_item(ADMIN, meeting, "Rondvraag")
    # per command: the log after the position the kept states were up to date with; no
    # stream read one by one (the user, the minutes, the table, the person, the meeting)
    assert counted == {"select_notifications": 2}


def test_what_another_process_wrote_between_two_commands_is_decided_on(
        world, circulated, make_app):
    app, other = world.app, make_app()
    app.comment(MEMBER, circulated, "Eerste opmerking.")
    other.deactivate_user(ADMIN, MEMBER, "vertrokken")  # the kept user is now stale
    with pytest.raises(Forbidden, match="deactivated"):
        app.comment(MEMBER, circulated, "Na vertrek.")
    other.close_comment_round(ADMIN, circulated, Minutes)  # the kept minutes too
    with pytest.raises(RuleViolation):
        app.comment(IPO_MEMBER, circulated, "Na sluiting.")
    assert [c.text for c in app.round_comments(app.get(Minutes, circulated), 1)] \
        == ["Eerste opmerking."]


def test_a_decision_on_a_kept_state_made_stale_before_its_save_is_decided_again(
        world, meetings, make_app, monkeypatch):
    app, other = world.app, make_app()
    _, m2 = meetings
    app.add_agenda_item(ADMIN, m2, "Eerst")  # the meeting is kept
    outcomes = interleave(monkeypatch, app,
                            lambda: other.add_agenda_item(ADMIN, m2, "Tussendoor"))
    app.add_agenda_item(ADMIN, m2, "Daarna")
    assert outcomes == ["conflict", "saved"]
    titles = [i.title for i in other.get(Meeting, m2).agenda]
    assert titles[-3:] == ["Eerst", "Tussendoor", "Daarna"]  # none lost


def test_a_comment_on_minutes_closed_before_its_save_is_decided_again_on_the_closed_round(
        world, circulated, make_app, monkeypatch):
    app, other = world.app, make_app()
    app.comment(MEMBER, circulated, "Eerste opmerking.")
    # the comment is decided on the kept minutes (round open); another process closes the
    # round before it is saved: the guard refuses (checked by the database on PostgreSQL)
    # and the comment is decided again on the closed round, with its time of receipt,
    # which was before the closing: on time (a stale state decided on again and again
    # would give up: "try again")
    outcomes = interleave(monkeypatch, app,
                            lambda: other.close_comment_round(ADMIN, circulated, Minutes))
    assert app.comment(IPO_MEMBER, circulated, "Net op tijd.") == 2
    assert outcomes == ["conflict", "saved"]
    minutes = other.get(Minutes, circulated)
    closed_at = minutes.rounds[0].deadline  # the closing's time (`RoundClosed`)
    comments = other.round_comments(minutes, 1)
    assert [c.text for c in comments] == ["Eerste opmerking.", "Net op tijd."]
    assert comments[-1].received_at <= closed_at


def test_after_more_activity_than_one_read_takes_the_kept_states_are_read_again(
        world, circulated, make_app, monkeypatch):
    monkeypatch.setattr(kept, "CATCH_UP_LIMIT", 3)
    app, other = world.app, make_app()
    app.comment(MEMBER, circulated, "Eerste opmerking.")
    for n in range(5):
        other.register_person(ADMIN, f"Persoon {n}", person_key=f"persoon-{n}")
    other.deactivate_user(ADMIN, MEMBER, "vertrokken")
    with pytest.raises(Forbidden, match="deactivated"):
        app.comment(MEMBER, circulated, "Na vertrek.")
    assert app.exists(Person, "persoon-4")
    assert app.comment(IPO_MEMBER, circulated, "Wel.") == 2


def test_the_numbers_of_comments_follow_the_log_across_processes(world, circulated, make_app):
    app, other = world.app, make_app()
    numbers = [app.comment(MEMBER, circulated, "Een."), other.comment(IPO_MEMBER, circulated,
                                                                      "Twee."),
               app.comment(MEMBER, circulated, "Drie."), other.comment(IPO_MEMBER, circulated,
                                                                       "Vier.")]
    assert numbers == [1, 2, 3, 4]


# --- KeptStates alone -----------------------------------------------------------------

class _State:
    def __init__(self, version: int, seen: tuple[str, ...] = ()):
        self.version, self.seen = version, seen


class _Event:
    def __init__(self, oid, version: int, text: str = ""):
        self.originator_id, self.originator_version, self.text = oid, version, text

    def mutate(self, state):
        assert (state.version if state else 0) + 1 == self.originator_version
        return _State(self.originator_version, (*(state.seen if state else ()), self.text))


def _notification(n: int, oid, version: int, text: str = "") -> Notification:
    return Notification(id=n, originator_id=oid, originator_version=version, topic=text,
                        state=b"")


def _log(*rows: Notification):
    return lambda after, limit: [r for r in rows if r.id > after][:limit]


def _decode(n: Notification) -> _Event:
    if n.topic == "bad":
        raise ValueError("does not decode")
    return _Event(n.originator_id, n.originator_version, n.topic)


def test_kept_states_fold_the_next_version_skip_what_they_hold_and_drop_on_a_gap():
    a, b, c, d = (uuid4() for _ in range(4))
    states = kept.KeptStates(10)
    states.restart(lambda: 10)
    states.put(a, _State(1))
    states.put(b, _State(2))
    states.put(c, _State(1))
    states.put(d, _State(1))
    log = _log(_notification(11, a, 2, "a2"), _notification(12, b, 2, "b2"),
               _notification(13, c, 3, "c3"), _notification(14, uuid4(), 1, "other"),
               _notification(15, d, 2, "bad"), _notification(16, a, 3, "a3"))
    assert states.catch_up(log, _decode, lambda: 99) == 6
    assert states.get(a).seen == ("a2", "a3")  # type: ignore[union-attr]
    assert states.get(b).version == 2 and states.get(b).seen == ()  # type: ignore[union-attr]
    assert states.get(c) is None  # a gap: read again on its next use
    assert states.get(d) is None  # did not decode: read again (and reported) then
    assert states.position == 16


def test_kept_states_restart_after_a_long_absence_and_at_first():
    a = uuid4()
    states = kept.KeptStates(10)
    states.put(a, _State(1))
    assert states.catch_up(_log(), _decode, lambda: 7) == 0  # first: no position yet
    assert states.position == 7 and len(states) == 0
    states.put(a, _State(1))
    rows = [_notification(8 + i, uuid4(), 1) for i in range(kept.CATCH_UP_LIMIT + 1)]
    states.catch_up(_log(*rows), _decode, lambda: 1000)
    assert states.position == 1000 and len(states) == 0


def test_a_save_moves_the_position_only_past_events_that_follow_it():
    a, b = uuid4(), uuid4()
    states = kept.KeptStates(10)
    states.restart(lambda: 5)
    states.put(a, _State(1))
    states.saved([_Event(a, 2, "a2"), _Event(b, 1, "b1")], [6, 7])
    assert states.position == 7
    assert states.get(a).seen == ("a2",) and states.get(b).seen == ("b1",)  # type: ignore
    states.saved([_Event(a, 3, "a3")], [9])  # 8: another's, not read yet
    assert states.position == 7
    states.saved([_Event(a, 5, "a5")], [10])  # decided on another version: dropped
    assert states.get(a) is None


def test_kept_states_keep_at_most_their_size():
    states = kept.KeptStates(2)
    ids = [uuid4() for _ in range(3)]
    for i in ids:
        states.put(i, _State(1))
    assert len(states) == 2 and states.get(ids[0]) is None
