"""Concurrency that loses nothing, with real processes on one store (SQLite and PostgreSQL).

Every writer is a spawned process with its own `Lrt` and its own clock (`workers.py`); the
writers of a test are released at once by a barrier. Nothing here measures time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import lrt
from cli.session import Session
from lrt_app.application import Lrt
from lrt_app.clock import SettableClock
from lrt_domain.minutes import AmendmentStatus, Minutes, MinutesStatus
from projections.catch_up import catch_up, open_read_model
from projections.read_model import VIEW_TABLES

from .workers import TIMEOUT, Worker, Workers
from .world import (
    ADMIN,
    CHAIR,
    DEADLINE,
    M1,
    M2,
    M2_START,
    MEMBERS,
    START,
    at,
    build,
    hold_m2,
)

VNG, IPO = list(MEMBERS)


class World:
    def __init__(self, store):
        self.store = store
        self.clock = SettableClock(START)
        self.app = Lrt(env=store.env(), clock=self.clock)
        build(self.app, self.clock)
        catch_up(self.app, open_read_model(self.app))  # and creates the read model's tables

    def minutes(self) -> Minutes:
        """The minutes as stored, read by a fresh process's eyes (no cache)."""
        fresh = Lrt(env=self.store.env(create_tables=False))
        try:
            return fresh.get(Minutes, M1)
        finally:
            fresh.close()

    def comments(self) -> list:
        """The minutes' round's comments as stored (both forms), by a fresh process."""
        fresh = Lrt(env=self.store.env(create_tables=False))
        try:
            m = fresh.get(Minutes, M1)
            return fresh.round_comments(m, m.current_round.number)
        finally:
            fresh.close()

    def topics(self, key: str = M1) -> Counter[str]:
        return Counter(e.TOPIC for e in self.app.events_of(Minutes.id_for(key)))


@pytest.fixture
def world(store):
    w = World(store)
    yield w
    w.app.close()


# --- (a) twenty comments at the deadline ------------------------------------------------

def test_twenty_processes_comment_at_once_around_the_deadline(world):
    """Ten on time (the last one a millisecond before 12:00:00), ten after it, all at the
    same moment: each on-time comment is kept exactly once, each late one refused."""
    on_time = [DEADLINE - timedelta(minutes=10 - i) for i in range(9)]
    on_time.append(DEADLINE - timedelta(milliseconds=1))
    late = [DEADLINE + timedelta(seconds=1 + 30 * i) for i in range(10)]
    workers = [Worker(f"on-time-{i}", t, [("comment", {
        "login": (VNG, IPO)[i % 2], "on": M1, "text": f"Op tijd {i}"})])
        for i, t in enumerate(on_time)]
    workers += [Worker(f"late-{i}", t, [("comment", {
        "login": (VNG, IPO)[i % 2], "on": M1, "text": f"Te laat {i}"})])
        for i, t in enumerate(late)]

    at_once = Workers(world.store, workers)
    outcomes = at_once.run()
    assert at_once.conflicts == 0  # commenters never make each other decide again

    numbers = {}
    closed = ("the comment round on LRT-2023-11-10 closed at 2023-11-20 12:00:00; comments are "
              "no longer accepted")
    for i in range(10):
        [(kind, number)] = outcomes[f"on-time-{i}"]
        assert kind == "ok", outcomes[f"on-time-{i}"]
        numbers[f"Op tijd {i}"] = number
        [(kind, message)] = outcomes[f"late-{i}"]
        assert (kind, message) == ("RuleViolation", closed)
    assert sorted(numbers.values()) == list(range(1, 11))

    comments = world.comments()
    assert [c.number for c in comments] == list(range(1, 11))
    assert {c.text: c.number for c in comments} == numbers  # each once, as reported
    assert Counter(c.person for c in comments) == {"bestuurder-vng": 5, "ambtenaar-ipo": 5}
    assert all(c.received_at <= DEADLINE for c in comments)
    # each in its own stream (issue 16): the minutes themselves did not change
    assert world.topics() == {"lrt.Minutes.Drafted": 1, "lrt.Minutes.Circulated": 1}


def test_many_processes_commenting_at_once_never_conflict(world):
    """Issue 16: comments on one round are streams of their own, so concurrent commenters
    never make each other decide again. Every writer's every save succeeds at once (an
    attempt that conflicted would be counted by the worker), and none is lost."""
    workers = [Worker(f"w{i}", DEADLINE - timedelta(hours=1, seconds=i), [
        ("comment", {"login": (VNG, IPO)[i % 2], "on": M1, "text": f"Opmerking {i}.{k}"})
        for k in range(3)]) for i in range(12)]

    crowd = Workers(world.store, workers)
    outcomes = crowd.run()

    assert all(kind == "ok" for runs in outcomes.values() for kind, _ in runs), outcomes
    comments = world.comments()
    assert sorted(c.text for c in comments) == sorted(
        f"Opmerking {i}.{k}" for i in range(12) for k in range(3))
    assert [c.number for c in comments] == list(range(1, 37))
    assert sorted(n for runs in outcomes.values() for _, n in runs) == list(range(1, 37))
    assert crowd.conflicts == 0


def test_a_comment_made_at_the_deadline_stays_on_time_when_it_is_decided_again(world):
    """Exact interleaving, in one process: the other process saves its comment between our
    decision and our save, so ours is decided again on the fresh state. The time of receipt
    is read once per command (`Lrt._run`), so the retry still judges it at 12:00:00."""
    ours = Lrt(env=world.store.env(create_tables=False),
               clock=SettableClock(DEADLINE - timedelta(microseconds=1)))  # reads 12:00:00
    theirs = Lrt(env=world.store.env(create_tables=False),
                 clock=SettableClock(DEADLINE - timedelta(hours=1)))
    save = ours.save

    def save_after_theirs(*events, **kwargs):
        if not theirs.events_of(Minutes.id_for(M1))[-1].TOPIC.endswith("AmendmentProposed"):
            # a change of the minutes themselves (another comment no longer conflicts)
            theirs.propose_amendment(IPO, M1, item=1, point=None, text="Tussendoor")
        return save(*events, **kwargs)

    ours.save = save_after_theirs  # type: ignore[method-assign]
    try:
        assert ours.comment(VNG, M1, "Om 12.00 uur precies") == 1
    finally:
        ours.close()
        theirs.close()


# --- (b) two approvals at once ----------------------------------------------------------

def test_two_processes_approve_the_same_minutes_at_once(world):
    hold_m2(world.app, world.clock)
    after = M2_START + timedelta(hours=3)
    outcomes = Workers(world.store, [
        Worker(login, after, [("approve_minutes", {"login": login, "meeting": M1,
                                                    "at_meeting": M2})])
        for login in (ADMIN, CHAIR)]).run()

    [winner] = [login for login, [(kind, _)] in outcomes.items() if kind == "ok"]
    [loser] = {ADMIN, CHAIR} - {winner}
    [(kind, message)] = outcomes[loser]
    assert kind == "RuleViolation"
    assert message.startswith("minutes LRT-2023-11-10 are approved and final; "
                              "cannot approve them"), message
    approvals = [e for e in world.app.events_of(Minutes.id_for(M1))
                 if e.TOPIC == "lrt.Minutes.Approved"]
    assert [e.actor for e in approvals] == [winner]
    minutes = world.minutes()
    assert minutes.status is MinutesStatus.APPROVED and minutes.approval.at_meeting == M2


# --- (c) two amendments at once, then both accepted at once ------------------------------

def test_two_processes_amend_the_same_minutes_at_once_and_no_update_is_lost(world):
    texts = {VNG: "VNG: de voorzitter opent de vergadering om 10.05 uur.",
             IPO: "IPO: provincies melden eveneens knelpunten."}
    targets = {VNG: (1, 1), IPO: (3, 1)}
    proposed = Workers(world.store, [
        Worker(login, at(2023, 11, 16, 10), [("propose_amendment", {
            "login": login, "meeting": M1, "item": targets[login][0],
            "point": targets[login][1], "text": texts[login]})])
        for login in (VNG, IPO)]).run()

    number = {login: outcome[0][1] for login, outcome in proposed.items()}
    assert all(outcome[0][0] == "ok" for outcome in proposed.values()), proposed
    assert sorted(number.values()) == [1, 2]
    # each proposal in its own stream (issue 16), numbered in the order recorded
    fresh = Lrt(env=world.store.env(create_tables=False))
    try:
        proposals = fresh.proposals(fresh.get(Minutes, M1))
    finally:
        fresh.close()
    assert sorted((n, p.organisation, p.text) for n, p in proposals.items()) == sorted(
        (number[login], login[:3].upper(), texts[login]) for login in (VNG, IPO))

    # The secretariat and the chair each accept one, at the same moment.
    accepted = Workers(world.store, [
        Worker(f"{login}-accepts", at(2023, 11, 22, 9), [("accept_amendment", {
            "login": login, "meeting": M1, "number": n})])
        for login, n in ((ADMIN, 1), (CHAIR, 2))]).run()
    assert all(outcome == [("ok", None)] for outcome in accepted.values()), accepted

    minutes = world.minutes()
    assert minutes.text_version == 3  # the draft, then each accepted amendment
    assert {a.status for a in minutes.decided} == {AmendmentStatus.ACCEPTED}
    assert sorted(a.version for a in minutes.decided) == [2, 3]
    points = {(it.number, k): p.text for it in minutes.items
              for k, p in enumerate(it.points, start=1)}
    assert points[targets[VNG]] == texts[VNG] and points[targets[IPO]] == texts[IPO]
    assert world.topics()["lrt.Minutes.ProposalAccepted"] == 2


# --- (d) writers while `lrt projections follow` runs ------------------------------------

def lrt_executable() -> Path:
    path = Path(sys.executable).parent / ("lrt.exe" if os.name == "nt" else "lrt")
    if not path.exists():
        pytest.skip(f"the lrt script is not installed next to {sys.executable}")
    return path


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("LRT_DB", "LRT_USER")}


VIEWS = [("minutes", "show", M1), ("minutes", "list"), ("deadlines", "--all"),
         ("action", "list", "--all"), ("comment", "list", M1), ("amendment", "list", M1),
         ("meeting", "list"), ("person", "list"), ("org", "list"), ("member", "list", "LRT"),
         ("projections", "status")]


def views(store) -> dict[str, object]:
    """The main views as `--json`, read at one fixed moment."""
    runner = CliRunner()
    seen = {}
    for args in VIEWS:
        session = Session(db=store.url, user=ADMIN, clock=SettableClock(at(2023, 11, 17, 9)))
        result = runner.invoke(lrt, [*args, "--json"], obj=session)
        assert result.exit_code == 0, (args, result.stderr, result.exception)
        seen[" ".join(args)] = json.loads(result.stdout)
    return seen


def view_tables(store) -> dict[str, list[str]]:
    """Every row of the read model's tables, in a stable order."""
    return {t: sorted(repr(tuple(row)) for row in store.execute(f"SELECT * FROM {t}"))
            for t in VIEW_TABLES}


def followed_to_the_end(store, timeout: float = TIMEOUT) -> bool:
    app = Lrt(env=store.env(create_tables=False))
    try:
        model = open_read_model(app)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if model.max_tracking_id(app.name) == app.recorder.max_notification_id():
                return True
            time.sleep(0.1)
        return False
    finally:
        app.close()


def test_writers_while_projections_follow_then_the_views_equal_a_rebuild(world):
    assert open_read_model(world.app).max_tracking_id(world.app.name) == \
        world.app.recorder.max_notification_id()
    before = len(world.store.stored_events())
    follower = subprocess.Popen(
        [str(lrt_executable()), "--db", world.store.url, "projections", "follow",
         "--interval", "0.2"], env=clean_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert follower.stderr.readline().startswith("following "), follower.poll()
        day = at(2023, 11, 16, 10)
        outcomes = Workers(world.store, [
            Worker("vng", day, [("comment", {"login": VNG, "on": M1, "text": f"VNG {i}"})
                                for i in range(6)]
                   + [("propose_amendment", {"login": VNG, "meeting": M1, "item": 1,
                                             "point": 1, "text": "Met een wijziging."})]),
            Worker("ipo", day, [("comment", {"login": IPO, "on": M1, "text": f"IPO {i}"})
                                for i in range(6)]),
            Worker("secretariat", day, [
                ("agree_action", {"login": ADMIN, "meeting": M1, "item": 3, "owners": ["VNG"],
                                  "text": f"VNG levert notitie {i} aan."}) for i in range(4)]
                + [("register_person", {"login": ADMIN, "name": f"Adviseur {i}"})
                   for i in range(4)]),
            Worker("chair", day, [
                ("agree_action", {"login": CHAIR, "meeting": M1, "item": 1, "owners": ["IPO"],
                                  "text": f"IPO verkent optie {i}."}) for i in range(4)]
                + [("add_agenda_item", {"login": CHAIR, "meeting": M2, "title": "Rondvraag"}),
                   ("schedule_meeting", {"login": CHAIR, "table": "LRT",
                                         "starts_at": at(2024, 1, 19, 10), "place": "Webex"})]),
        ]).run()
        assert all(kind == "ok" for o in outcomes.values() for kind, _ in o), outcomes
        assert followed_to_the_end(world.store), "the follower did not catch up"
    finally:
        if follower.poll() is None:
            follower.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            out, err = follower.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            follower.kill()
            raise
    assert follower.returncode == 0, err
    assert "Traceback" not in err
    total = len(world.store.stored_events())
    assert total == before + sum(len(o) for o in outcomes.values())  # one event a command
    assert out == f"stopped; {total - before} events applied\n"  # each once

    followed = views(world.store)
    assert followed["projections status"]["behind"] == 0
    assert len(followed["comment list LRT-2023-11-10"]) == 12
    assert len(followed["action list --all"]) == 8
    tables = view_tables(world.store)
    result = CliRunner().invoke(lrt, ["projections", "rebuild"],
                                obj=Session(db=world.store.url, user=ADMIN))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{total} events applied\n"
    assert view_tables(world.store) == tables
    assert views(world.store) == followed


# --- (e) a reader following the log under 8 and 16 writers (PostgreSQL) ------------------

@pytest.mark.parametrize("store_factory", ["postgres"], indirect=True)
@pytest.mark.parametrize("writers", [8, 16])
def test_a_reader_following_the_log_misses_no_event(world, writers):
    per_writer = 30
    reader = Lrt(env=world.store.env(create_tables=False))
    try:
        seen: list[int] = []
        position = 0

        def read() -> int:
            nonlocal position
            batch = reader.recorder.select_notifications(
                start=position, limit=50, inclusive_of_start=False)
            seen.extend(n.id for n in batch)
            if batch:
                position = batch[-1].id
            return len(batch)

        read()
        before = len(seen)
        team = Workers(world.store, [
            Worker(f"w{w}", at(2023, 11, 16, 10), [
                ("register_person", {"login": ADMIN, "name": f"Persoon {w}-{i}"})
                for i in range(per_writer)])
            for w in range(writers)]).start()
        while team.running():
            read()
        while_writing = len(seen) - before
        outcomes = team.outcomes()
        while read():
            pass
    finally:
        reader.close()
    assert all(kind == "ok" for o in outcomes.values() for kind, _ in o)
    stored = [row[0] for row in world.store.execute(
        "SELECT notification_id FROM lrt_events ORDER BY notification_id")]
    assert len(stored) == before + writers * per_writer
    assert seen == stored  # every event, once, in the order of the log
    assert while_writing > 0  # it was following while they wrote
