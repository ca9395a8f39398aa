"""The log proves itself (issue 11, point 2): `verify` with a `Replay` also runs every event
through the domain's rules. Each forgery here is done as an insider would: an event written
with SQL behind lrt's back, encoded as lrt encodes it, and correctly chained (on SQLite the
link appended with the public link function; on PostgreSQL the database links it), so that
the chain alone verifies; the rules find it, at its position, and say why."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from lrt_app.audit import Replay, verify
from lrt_app.chain import GENESIS, Head, new_links, raw_link_digest
from lrt_domain.base import Actor, Context, DomainEvent, Role
from lrt_domain.comment_rounds import Comment, CommentSubmitted
from lrt_domain.directory import User
from lrt_domain.meetings import AgendaItem, Meeting
from lrt_domain.minutes import Approval, Minutes, text_digest
from lrt_domain.tables import DEFAULT_RULES

from worlds.application import ADMIN, DEADLINE, MEMBER, at
from .test_app_store import saved  # noqa: F401  (fixtures)
from .test_audit import filled  # noqa: F401


def forge(store, app, event: DomainEvent) -> int:
    """Write `event` with SQL as lrt would store it, chained; returns its log position."""
    stored = app.mapper.to_stored_event(event)
    if store.kind == "sqlite":
        store.execute("INSERT INTO stored_events (originator_id, originator_version, topic, "
                      "state) VALUES (?, ?, ?, ?)", (stored.originator_id.hex,
                                                     stored.originator_version, stored.topic,
                                                     stored.state))
        rowid = store.execute("SELECT max(rowid) FROM stored_events")[0][0]
        position, digest = store.execute(
            "SELECT position, digest FROM stored_chain ORDER BY position DESC LIMIT 1")[0]
        [link] = new_links(Head(position, digest), [(rowid, stored.originator_id.hex,
                                                     stored.originator_version, stored.topic,
                                                     stored.state)])
        store.execute("INSERT INTO stored_chain VALUES (?,?,?,?,?)", link)
        return int(link[0])
    store.execute("INSERT INTO lrt_events (originator_id, originator_version, topic, state) "
                  "VALUES (?, ?, ?, ?)", (str(stored.originator_id), stored.originator_version,
                                          stored.topic, stored.state))
    # the database appends the link itself (lrt_app.chain_postgres); as the superuser here
    return int(store.execute("SELECT max(position) FROM lrt_chain")[0][0])


def ctx(app, user: str, now) -> Context:
    return Context(actor=app.get(User, user).as_actor, now=now)


def audit(app):
    return verify(app.recorder, replay=Replay(app))


def test_an_untouched_history_follows_the_rules(filled, store):  # noqa: F811
    report = audit(filled)
    assert report.ok, report.broken
    assert report.rules == {"checked": True, "why": None}
    assert report.checked == filled.recorder.chain_head().length > 30


def test_a_member_registering_a_secretariat_user_is_found(filled, store):  # noqa: F811
    now = filled.clock.now() + timedelta(minutes=5)
    event = User.register(ctx(filled, MEMBER, now), "evil", Role.SECRETARIAT,
                          organisation="JenV", person=None)
    position = forge(store, filled, event)
    assert verify(filled.recorder).ok  # the chain alone is content
    report = audit(filled)
    assert not report.ok and report.broken.position == position
    assert report.broken.problem == "forbidden"
    assert "vng-lid (member) may not register users" in report.broken.detail
    assert report.checked == position - 1


def test_a_member_making_itself_secretariat_is_found(filled, store):  # noqa: F811
    """The issue's forgery: the member's own user registered again, as secretariat."""
    user = filled.get(User, MEMBER)
    forged = User.Registered(originator_id=user.id, originator_version=user.version + 1,
                             timestamp=filled.clock.now(), actor=MEMBER, role=Role.MEMBER,
                             key=MEMBER, user_role=Role.SECRETARIAT, organisation="JenV")
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "order"
    assert "exists already" in report.broken.detail


def test_an_actor_in_a_role_it_does_not_have_is_found(filled, store):  # noqa: F811
    """Claiming the secretariat's role for a member's user."""
    now = filled.clock.now()
    lie = Context(actor=Actor(user=MEMBER, role=Role.SECRETARIAT, organisation="JenV"),
                  now=now)
    position = forge(store, filled, User.register(lie, "evil", Role.SECRETARIAT,
                                                  organisation="JenV", person=None))
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "actor"
    assert "vng-lid is member, the event says secretariat" in report.broken.detail


def test_an_unknown_actor_is_found(filled, store):  # noqa: F811
    ghost = Context(actor=Actor(user="ghost", role=Role.SECRETARIAT, organisation="JenV"),
                    now=filled.clock.now())
    position = forge(store, filled, filled.get(Meeting, "LRT-2023-11-10")
                     .add_agenda_item(ghost, "Rondvraag"))
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "actor"
    assert "ghost is not a registered user" in report.broken.detail


def test_a_comment_after_the_deadline_is_found(filled, store, circulated):  # noqa: F811
    minutes = filled.get(Minutes, circulated)
    late = DEADLINE + timedelta(minutes=1)
    comment = Comment(number=3, person="bestuurder-vng", organisation="VNG",
                      text="Te laat, maar toch.", received_at=late)
    forged = minutes.trigger(CommentSubmitted, ctx(filled, MEMBER, late), comment=comment,
                             on_behalf_of="VNG")
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "rule"
    assert "closed at 2023-11-20 12:00" in report.broken.detail


def test_a_comment_dated_before_the_deadline_but_recorded_after_is_found(
        filled, store, circulated):  # noqa: F811
    """A member cannot choose the time of receipt: only the secretariat records one."""
    minutes = filled.get(Minutes, circulated)
    late = DEADLINE + timedelta(days=1)
    comment = Comment(number=3, person="bestuurder-vng", organisation="VNG",
                      text="Teruggedateerd.", received_at=DEADLINE - timedelta(hours=1))
    position = forge(store, filled, minutes.trigger(
        CommentSubmitted, ctx(filled, MEMBER, late), comment=comment, on_behalf_of="VNG"))
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "rule"


def test_a_comment_in_its_own_stream_after_the_deadline_is_found(
        filled, store, circulated):  # noqa: F811
    """The same rule for a comment in its own stream (issue 16), the form lrt now writes:
    judged on its round as it stood at that point of the log."""
    from lrt_domain.tables import Table

    minutes = filled.get(Minutes, circulated)
    late = DEADLINE + timedelta(minutes=1)
    forged = minutes.comment_in_stream(
        ctx(filled, ADMIN, late), uuid4().hex, table=filled.get(Table, minutes.table),
        meeting=filled.get(Meeting, minutes.meeting), person="bestuurder-vng",
        text="Teruggedateerd.", received_at=DEADLINE - timedelta(hours=1))
    # a member's comment, dated before the deadline, recorded after it
    forged = forged.model_copy(update={"actor": MEMBER, "role": Role.MEMBER})
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "rule"
    assert "closed at 2023-11-20 12:00" in report.broken.detail


def test_an_approval_at_the_meeting_itself_is_found(filled, store, circulated):  # noqa: F811
    minutes = filled.get(Minutes, circulated)
    now = at(2023, 11, 21, 9)  # after the comment round
    forged = minutes.trigger(Minutes.Approved, ctx(filled, ADMIN, now), approval=Approval(
        at_meeting=circulated, text_version=minutes.text_version, amendments=(),
        approved_at=now, text_digest=text_digest(minutes.items)))
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "rule"
    assert "later meeting" in report.broken.detail


def test_an_approval_of_minutes_never_circulated_is_found(world, meetings, store):
    m1, m2 = meetings
    world.clock.set(at(2023, 11, 13, 9))
    from worlds.application import items
    world.app.draft_minutes(ADMIN, m1, items())
    minutes = world.app.get(Minutes, m1)
    now = at(2023, 12, 16, 9)
    forged = minutes.trigger(Minutes.Approved, ctx(world.app, ADMIN, now), approval=Approval(
        at_meeting=m2, text_version=1, amendments=(), approved_at=now,
        text_digest=text_digest(minutes.items)))
    position = forge(store, world.app, forged)
    report = audit(world.app)
    assert report.broken.position == position and report.broken.problem == "rule"
    assert "never circulated" in report.broken.detail


def test_an_approval_that_records_another_text_is_found(filled, store, circulated
                                                        ):  # noqa: F811
    """Every rule the command applies holds, but the event is not what it decides."""
    world_meeting = "LRT-2023-12-15"
    filled.clock.set(at(2023, 12, 15, 12))
    filled.hold_meeting(ADMIN, world_meeting)
    minutes = filled.get(Minutes, circulated)
    now = filled.clock.now()
    forged = minutes.trigger(Minutes.Approved, ctx(filled, ADMIN, now), approval=Approval(
        at_meeting=world_meeting, text_version=minutes.text_version, amendments=(),
        approved_at=now, text_digest="0" * 64))
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "rule"
    assert "differs in approval" in report.broken.detail


def test_an_event_out_of_its_aggregates_order_is_found(filled, store):  # noqa: F811
    meeting = filled.get(Meeting, "LRT-2023-12-15")
    skipped = Meeting.AgendaItemAdded(
        originator_id=meeting.id, originator_version=meeting.version + 2,
        timestamp=filled.clock.now(), actor=ADMIN, role=Role.SECRETARIAT,
        item=AgendaItem(number=5, title="Rondvraag"))
    position = forge(store, filled, skipped)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "order"
    assert f"version {meeting.version + 2} does not follow version {meeting.version}" in \
        report.broken.detail


def test_a_first_event_that_does_not_create_is_found(filled, store):  # noqa: F811
    orphan = Meeting.Held(originator_id=uuid4(), originator_version=1,
                          timestamp=filled.clock.now(), actor=ADMIN, role=Role.SECRETARIAT)
    position = forge(store, filled, orphan)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "order"
    assert "never created" in report.broken.detail


def test_the_first_failing_position_is_named_and_later_ones_are_not_read(
        filled, store):  # noqa: F811
    now = filled.clock.now()
    first = forge(store, filled, User.register(ctx(filled, MEMBER, now), "evil1",
                                               Role.SECRETARIAT, organisation="JenV",
                                               person=None))
    filled.register_organisation(ADMIN, "SZW", "Ministerie van SZW")  # genuine, after it
    report = audit(filled)
    assert report.broken.position == first and report.checked == first - 1


def test_the_replay_keeps_few_states(filled, store):  # noqa: F811
    """With room for two states only, states are folded again from the store: same
    verdicts (memory bounded by `keep`, not by the store)."""
    small = Replay(filled, keep=2)
    assert verify(filled.recorder, replay=small).ok
    assert len(small.states) <= 2
    forged = User.register(ctx(filled, MEMBER, filled.clock.now()), "evil", Role.SECRETARIAT,
                           organisation="JenV", person=None)
    position = forge(store, filled, forged)
    report = verify(filled.recorder, replay=Replay(filled, keep=2))
    assert report.broken.position == position and report.broken.problem == "forbidden"


def test_the_digest_of_an_unstamped_row_is_the_plain_link(filled, store):  # noqa: F811
    raw = filled.recorder.raw_events(0, 1)[0]
    if store.kind == "sqlite":
        assert raw.inserted_by is None
    assert raw_link_digest(GENESIS, raw).hex() == filled.recorder.links(0, 1)[0].digest



def test_every_event_type_made_by_its_command_follows_the_rules(world, saved, store):
    """No false alarm: the history of test_app_store, which records every event type
    through the commands, each by the role that may, verifies with the rules."""
    report = audit(world.app)
    assert report.ok, report.broken
    assert report.checked == world.app.recorder.chain_head().length > len(saved)


def test_a_secretariat_registering_another_organisations_secretariat_is_found(
        filled, store):  # noqa: F811
    """The scope of registration (issue 11, point 8) holds in the log too: JenV's
    secretariat cannot have made a second BZK secretariat user."""
    forged = User.register(ctx(filled, ADMIN, filled.clock.now()), "bzk-2", Role.SECRETARIAT,
                           organisation="BZK", person=None)
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "forbidden"
    assert "secretariat user of BZK" in report.broken.detail


def test_every_event_class_has_its_rule():
    from lrt_domain.base import EVENT_TYPES
    from lrt_domain.conformance import RULES

    assert {c for c in EVENT_TYPES.values() if c.__module__.startswith("lrt_domain.")} \
        == set(RULES)


def test_an_approval_recording_a_false_chain_head_is_found(filled, store, circulated
                                                           ):  # noqa: F811
    filled.clock.set(at(2023, 12, 15, 12))
    filled.hold_meeting(ADMIN, "LRT-2023-12-15")
    minutes = filled.get(Minutes, circulated)
    now = filled.clock.now()
    head = filled.recorder.chain_head()
    forged = minutes.approve_at_meeting(
        ctx(filled, ADMIN, now), filled.get(Meeting, circulated),
        filled.get(Meeting, "LRT-2023-12-15"), rules=DEFAULT_RULES,
        chain=(head.length, "ab" * 32))
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "rule"
    assert f"not the chain's at {head.length}" in report.broken.detail


def test_a_genuine_approval_records_the_chain_head_it_saw(filled, store, circulated
                                                          ):  # noqa: F811
    filled.clock.set(at(2023, 12, 15, 12))
    filled.hold_meeting(ADMIN, "LRT-2023-12-15")
    filled.approve_minutes(ADMIN, circulated, at_meeting="LRT-2023-12-15")
    assert audit(filled).ok


def test_an_organisation_code_registered_twice_in_another_case_is_found(
        filled, store):  # noqa: F811
    from lrt_domain.directory import Organisation

    forged = Organisation.register(ctx(filled, ADMIN, filled.clock.now()), "vng", "Nog eens")
    position = forge(store, filled, forged)
    report = audit(filled)
    assert report.broken.position == position and report.broken.problem == "rule"
    assert "organisation vng already exists (as VNG)" in report.broken.detail


def test_comments_retried_after_conflicts_follow_the_rules(world, circulated, make_app,
                                                           store):
    """Many members commenting on one round at once: write conflicts and retries (each
    decided again on the fresh state, with the time of receipt read once); the log that
    results follows the rules, numbering included."""
    import threading

    from worlds.application import IPO_MEMBER

    world.clock.set(DEADLINE - timedelta(minutes=1))
    apps = [make_app() for _ in range(4)]
    errors: list[BaseException] = []

    def comment(app, n: int) -> None:
        try:
            for k in range(5):
                app.comment(MEMBER if n % 2 else IPO_MEMBER, circulated, f"Opmerking {n}-{k}")
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=comment, args=(a, n)) for n, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    m = world.app.get(Minutes, circulated)
    comments = world.app.round_comments(m, m.rounds[-1].number)
    assert [c.number for c in comments] == list(range(1, 21))
    report = audit(world.app)
    assert report.ok, report.broken
