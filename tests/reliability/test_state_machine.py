"""Bad input, stateful: hypothesis drives meetings, minutes, comment rounds, amendments,
approvals and actions through random sequences of commands (valid and invalid, by users of
every role, with the clock moving) against `Lrt` on a store; after every step the rules of
DOMAIN.md hold, and a refused command changed nothing."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import stores
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from worlds.application import (
    ADMIN,
    AUDITOR,
    CHAIR,
    GUEST,
    IPO_MEMBER,
    MEMBER,
    OTHER_SECRETARIAT,
    at,
)

from lrt_app.application import Lrt
from lrt_app.clock import SettableClock
from lrt_domain.base import project
from lrt_domain.directory import User
from lrt_domain.documents import Document
from lrt_domain.errors import DomainError
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Item, Minutes, Point, PointKind, text_digest

NOBODY = "niemand"  # no such user
USERS = (ADMIN, OTHER_SECRETARIAT, CHAIR, MEMBER, IPO_MEMBER, GUEST, AUDITOR, NOBODY)
WRITERS = (ADMIN, CHAIR, MEMBER, IPO_MEMBER, GUEST, OTHER_SECRETARIAT)  # may ever write
USER = st.one_of(st.sampled_from([ADMIN, CHAIR, MEMBER]), st.sampled_from(USERS))
INDEX = st.integers(0, 2)  # an existing meeting, document or action mostly; else unknown
EXAMPLES = int(os.environ.get("LRT_STATEFUL_EXAMPLES", "60"))
PG_EXAMPLES = 8
STEPS = 40

TEXTS = st.one_of(st.sampled_from(["", " ", "\n", "Akkoord.", "x" * 5000, "Tekst\x00met nul",
                                   "Ĳssel — ‘quote’ 🙂", "\t\r\n"]),
                  st.text(max_size=40))
ITEM_SETS = [
    [Item(number=1, title="Opening en mededelingen",
          points=(Point(text="De voorzitter opent de vergadering."),))],
    [Item(number=1, title="Opening en mededelingen",
          points=(Point(text="De voorzitter opent de vergadering."),)),
     Item(number=3, title="Huisvesting statushouders", points=(
         Point(text="Actie: VNG levert wijziging aan."),
         Point(kind=PointKind.DECISION, text="De taakstelling blijft ongewijzigd.")))],
    [Item(number=9, title="Onbekend agendapunt", points=(Point(text="Niets."),))],
    [],
]
TEXT_CHANGING = {"lrt.Minutes.Drafted", "lrt.Minutes.Revised", "lrt.Minutes.AmendmentAccepted",
                 "lrt.Minutes.ProposalAccepted",
                 "lrt.Minutes.Approved"}


def make_machine(new_store: Callable[[], dict[str, str]], tally: Counter[str]
                 ) -> type[RuleBasedStateMachine]:

    class Cycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.clock = SettableClock(at(2023, 10, 2, 9))
            self.app = Lrt(env=new_store(), clock=self.clock)
            self.meetings: list[str] = []
            self.documents: list[str] = []
            self.actions: list[str] = []
            self.roles = {u: self.app.get(User, u).as_actor.role for u in USERS if u != NOBODY}
            tally["examples"] += 1

        def teardown(self) -> None:
            self.app.close()

        @initialize()
        def two_meetings(self) -> None:
            for days in (1, 35):
                key = self.app.schedule_meeting(ADMIN, "LRT",
                                                self.clock.now() + timedelta(days=days), "Webex")
                for title in ("Opening en mededelingen", "Vaststelling verslag",
                              "Huisvesting statushouders", "WVTTK"):
                    self.app.add_agenda_item(ADMIN, key, title)
                self.meetings.append(key)

        # --- helpers ------------------------------------------------------------------

        def pick(self, keys: list[str], i: int, unknown: str) -> str:
            return keys[i] if i < len(keys) else unknown

        def attempt(self, login: str, command: Any, *args: Any, **kwargs: Any) -> Any:
            before = self.app.recorder.max_notification_id() or 0
            try:
                result = command(login, *args, **kwargs)
            except DomainError as e:
                tally[f"x {command.__name__}: {str(e)[:60]}"] += 1
                assert (self.app.recorder.max_notification_id() or 0) == before, \
                    f"{command.__name__} was refused but wrote"
                tally["refused"] += 1
                return None
            tally["done"] += 1
            tally[command.__name__] += 1
            assert login in WRITERS, f"{login} did {command.__name__}"
            new = self.app.recorder.select_notifications(start=before, limit=100,
                                                         inclusive_of_start=False)
            assert new, f"{command.__name__} succeeded but recorded nothing"
            for n in new:  # every event names the actor and the role it acted in
                event = self.app.mapper.to_domain_event(n)
                assert (event.actor, event.role) == (login, self.roles[login]), event
            return result

        # --- rules --------------------------------------------------------------------

        @rule(i=INDEX, user=st.sampled_from([ADMIN, CHAIR]), steps=st.integers(1, 10))
        def next_steps_of_the_cycle(self, i: int, user: str, steps: int) -> None:
            """The next ordinary steps for meeting `i` (so that sequences reach approval and
            correction; the other rules add the noise)."""
            for _ in range(steps if i < len(self.meetings) else 0):
                self.next_step(i, user)

        # the same rule twice as likely to be drawn: which rule hypothesis draws depends on
        # the string constants it finds in the code, so one rule in 19 left the reach of
        # the cycle (asserted below) to chance whenever the code changed
        @rule(i=INDEX, user=st.sampled_from([ADMIN, CHAIR]), steps=st.integers(1, 10))
        def next_steps_again(self, i: int, user: str, steps: int) -> None:
            self.next_steps_of_the_cycle(i, user, steps)

        def next_step(self, i: int, user: str) -> None:
            key = self.meetings[i]
            meeting = self.app.get(Meeting, key)
            if meeting.status == "planned":
                self.clock.set(max(meeting.starts_at + timedelta(hours=1), self.clock.now()))
                self.attempt(user, self.app.hold_meeting, key)
                return
            if not self.app.exists(Minutes, key):
                self.attempt(user, self.app.draft_minutes, key, ITEM_SETS[1])
                return
            m = self.app.get(Minutes, key)
            if m.status == "draft":
                self.attempt(user, self.app.circulate_minutes, key,
                             self.clock.now() + timedelta(days=3))
            elif m.status in ("circulated", "revised"):
                decided = {a.number for a in m.decided}
                proposals = self.app.proposals(m)  # in their own streams (issue 16)
                pending = [a.number for a in m.amendments if a.status == "pending"] + [
                    n for n in proposals if n not in decided]
                if m.round_open(self.clock.now()) and not self.app.round_comments(
                        m, m.current_round.number):
                    self.attempt(MEMBER, self.app.comment, key, "Geen opmerkingen.")
                elif not m.amendments and not proposals and m.round_open(self.clock.now()):
                    self.attempt(MEMBER, self.app.propose_amendment, key, item=1, point=1,
                                 text="De voorzitter opent de vergadering om 10 uur.")
                elif pending:
                    self.attempt(user, self.app.accept_amendment, key, pending[0])
                else:
                    if m.current_round is not None:
                        self.clock.set(max(m.current_round.deadline + timedelta(hours=1),
                                           self.clock.now()))
                    later = [k for k in self.meetings if k != key
                             and self.app.get(Meeting, k).starts_at > meeting.starts_at]
                    at = self.app.get(Meeting, later[0]) if later else None
                    if at is not None and at.status == "planned":  # hold it first
                        self.clock.set(max(at.starts_at + timedelta(hours=1),
                                           self.clock.now()))
                        self.attempt(user, self.app.hold_meeting, at.key)
                    elif at is not None:
                        self.attempt(user, self.app.approve_minutes, key, at_meeting=at.key)
                    elif m.written_procedure is None:
                        self.attempt(user, self.app.start_written_procedure, key)
                    else:
                        self.clock.set(max(m.written_procedure.deadline + timedelta(hours=1),
                                           self.clock.now()))
                        self.attempt(user, self.app.approve_minutes, key,
                                     written_procedure=True)
            elif m.status == "approved" and m.corrections:
                action = self.attempt(user, self.app.agree_action, key, item=3,
                                      text="VNG levert een notitie aan.", owners=["VNG"])
                if action:
                    self.actions.append(action)
                    self.attempt(MEMBER, self.app.report_progress, action, "In bewerking.")
            elif m.status == "approved":
                self.attempt(user, self.app.correct_minutes, key, item=1, point=1,
                             text="De voorzitter opent de vergadering om 10.05 uur.",
                             reason="Tijd verkeerd genoteerd.")

        @rule(hours=st.integers(0, 24 * 10))
        def time_passes(self, hours: int) -> None:
            self.clock.advance(hours=hours)

        @rule(user=USER, days=st.integers(-3, 40))
        def schedule(self, user: str, days: int) -> None:
            key = self.attempt(user, self.app.schedule_meeting, "LRT",
                               self.clock.now() + timedelta(days=days), "Webex")
            if key:
                self.meetings.append(key)

        @rule(user=USER, i=INDEX,
              title=st.sampled_from(["Opening en mededelingen", "Vaststelling verslag",
                                     "Huisvesting statushouders", "", "WVTTK"]))
        def agenda(self, user: str, i: int, title: str) -> None:
            self.attempt(user, self.app.add_agenda_item,
                         self.pick(self.meetings, i, "LRT-1999-01-01"), title)

        @rule(user=USER, i=INDEX,
              what=st.sampled_from(["hold", "hold", "close", "cancel", "invite"]),
              wait=st.booleans())
        def meeting_lifecycle(self, user: str, i: int, what: str, wait: bool) -> None:
            m = self.pick(self.meetings, i, "nope")
            if wait and m != "nope":  # until the meeting has started
                starts_at = self.app.get(Meeting, m).starts_at + timedelta(hours=1)
                self.clock.set(max(starts_at, self.clock.now()))
            if what == "hold":
                self.attempt(user, self.app.hold_meeting, m)
            elif what == "close":
                self.attempt(user, self.app.close_meeting, m)
            elif what == "cancel":
                self.attempt(user, self.app.cancel_meeting, m, "Geen quorum.")
            else:
                self.attempt(user, self.app.invite_guest, m, "veiligheidsberaad")

        @rule(user=USER, i=INDEX,
              items=st.sampled_from(range(len(ITEM_SETS))), revise=st.booleans(),
              base=st.none() | st.integers(0, 4))
        def write_minutes(self, user: str, i: int, items: int, revise: bool,
                          base: int | None) -> None:
            m = self.pick(self.meetings, i, "nope")
            if revise:
                self.attempt(user, self.app.revise_minutes, m, ITEM_SETS[items],
                             base_version=base)
            else:
                self.attempt(user, self.app.draft_minutes, m, ITEM_SETS[items])

        @rule(user=USER, i=INDEX,
              hours=st.none() | st.integers(-48, 24 * 20), document=st.booleans())
        def open_round(self, user: str, i: int, hours: int | None, document: bool) -> None:
            deadline = None if hours is None else self.clock.now() + timedelta(hours=hours)
            if document:
                self.attempt(user, self.app.open_comment_round,
                             self.pick(self.documents, i, "nope/D1"), deadline)
            else:
                self.attempt(user, self.app.circulate_minutes,
                             self.pick(self.meetings, i, "nope"), deadline)

        @rule(user=USER, i=INDEX, text=TEXTS)
        def add_document(self, user: str, i: int, text: str) -> None:
            key = self.attempt(user, self.app.add_document,
                               self.pick(self.meetings, i, "nope"), "Conceptbrief", text)
            if key:
                self.documents.append(key)

        @rule(user=USER, i=INDEX, text=TEXTS,
              on_document=st.booleans(),
              for_person=st.sampled_from([None, "bestuurder-vng", "veiligheidsberaad",
                                          "onbekend"]),
              received=st.none() | st.integers(-24 * 20, 2))
        def comment(self, user: str, i: int, text: str, on_document: bool,
                    for_person: str | None, received: int | None) -> None:
            on = self.pick(self.documents if on_document else self.meetings, i, "nope")
            self.attempt(user, self.app.comment, on, text, for_person=for_person,
                         received_at=None if received is None
                         else self.clock.now() + timedelta(hours=received))

        @rule(user=USER, i=INDEX, item=st.integers(0, 4),
              point=st.none() | st.integers(0, 3), text=TEXTS,
              org=st.sampled_from([None, "VNG", "IPO", "XYZ"]))
        def propose(self, user: str, i: int, item: int, point: int | None, text: str,
                    org: str | None) -> None:
            self.attempt(user, self.app.propose_amendment, self.pick(self.meetings, i, "nope"),
                         item=item, point=point, text=text, on_behalf_of=org)

        @rule(user=USER, i=INDEX, number=st.integers(0, 4),
              accept=st.booleans(), reason=TEXTS)
        def decide(self, user: str, i: int, number: int, accept: bool, reason: str) -> None:
            m = self.pick(self.meetings, i, "nope")
            if accept:
                self.attempt(user, self.app.accept_amendment, m, number)
            else:
                self.attempt(user, self.app.reject_amendment, m, number, reason)

        @rule(user=USER, i=INDEX,
              hours=st.none() | st.integers(-5, 24 * 20), text=TEXTS, start=st.booleans(),
              for_person=st.sampled_from([None, "bestuurder-vng"]))
        def written_procedure(self, user: str, i: int, hours: int | None, text: str,
                              start: bool, for_person: str | None) -> None:
            m = self.pick(self.meetings, i, "nope")
            if start:
                self.attempt(user, self.app.start_written_procedure, m,
                             None if hours is None else self.clock.now() + timedelta(hours=hours))
            else:
                self.attempt(user, self.app.object_to_minutes, m, text, for_person=for_person)

        @rule(user=USER, i=INDEX, j=st.integers(0, 3),
              written=st.booleans(), both=st.integers(0, 5).map(lambda n: n == 0))
        def approve(self, user: str, i: int, j: int, written: bool, both: bool) -> None:
            at_meeting = None if written and not both else self.pick(self.meetings, j, "nope")
            self.attempt(user, self.app.approve_minutes, self.pick(self.meetings, i, "nope"),
                         at_meeting=at_meeting, written_procedure=written)

        @rule(user=USER, i=INDEX, item=st.integers(0, 4),
              point=st.none() | st.integers(0, 3), text=TEXTS, reason=TEXTS)
        def correct(self, user: str, i: int, item: int, point: int | None, text: str,
                    reason: str) -> None:
            self.attempt(user, self.app.correct_minutes, self.pick(self.meetings, i, "nope"),
                         item=item, point=point, text=text, reason=reason)

        @rule(user=USER, i=INDEX, item=st.integers(0, 5),
              text=TEXTS, owners=st.lists(st.sampled_from(["VNG", "IPO", "XYZ"]), max_size=2),
              due=st.none() | st.integers(-30, 60))
        def agree(self, user: str, i: int, item: int, text: str, owners: list[str],
                  due: int | None) -> None:
            key = self.attempt(user, self.app.agree_action, self.pick(self.meetings, i, "nope"),
                               item=item, text=text, owners=owners,
                               due=None if due is None
                               else (self.clock.now() + timedelta(days=due)).date())
            if key:
                self.actions.append(key)

        @rule(user=USER, i=INDEX, j=st.integers(0, 5),
              what=st.sampled_from(["progress", "complete", "cancel", "carry"]), text=TEXTS)
        def action(self, user: str, i: int, j: int, what: str, text: str) -> None:
            a = self.pick(self.actions, i, "nope/A1")
            if what == "progress":
                self.attempt(user, self.app.report_progress, a, text)
            elif what == "complete":
                self.attempt(user, self.app.complete_action, a, text or None)
            elif what == "cancel":
                self.attempt(user, self.app.cancel_action, a, text)
            else:
                self.attempt(user, self.app.carry_over_action, a,
                             self.pick(self.meetings, j, "nope"))

        # --- the rules of DOMAIN.md, after every step ---------------------------------

        @invariant()
        def domain_rules_hold(self) -> None:
            events: dict[Any, list[Any]] = {}
            for n in self.app.recorder.select_notifications(start=1, limit=10**6):
                e = self.app.mapper.to_domain_event(n)
                events.setdefault(e.originator_id, []).append(e)
            for history in events.values():
                topics = [type(e).TOPIC for e in history]
                if topics[0] == "lrt.Minutes.Drafted":
                    self.check_minutes(history, topics)
                for k, e in enumerate(history):  # no comment after the deadline
                    if type(e).TOPIC == "lrt.CommentRound.CommentSubmitted":
                        rnd = project(None, history[:k]).current_round
                        assert rnd is not None
                        assert rnd.opened_at <= e.comment.received_at <= rnd.deadline, e
                        assert e.comment.received_at <= e.timestamp
            # a comment in its own stream (issue 16): within its round as the round stands
            # at the end (closed early or not), and never after it was recorded
            for history in events.values():
                e = history[0]
                if type(e).TOPIC == "lrt.Comment.Submitted":
                    subject = project(None, events[(Document if e.subject_kind == "document"
                                                    else Minutes).id_for(e.subject)])
                    rnd = subject.rounds[e.round - 1]
                    assert rnd.opened_at <= e.received_at <= rnd.deadline, e
                    assert e.received_at <= e.timestamp

        def check_minutes(self, history: list[Any], topics: list[str]) -> None:
            final: Minutes = project(None, history)
            # approved once, and after that only corrections change the text
            assert topics.count("lrt.Minutes.Approved") <= 1, topics
            if "lrt.Minutes.Approved" in topics:
                k = topics.index("lrt.Minutes.Approved")
                assert not TEXT_CHANGING & set(topics[k + 1:]), topics
                approved: Minutes = project(None, history[:k + 1])
                assert approved.status == "approved"
                assert approved.rounds, "approved without ever being circulated"
                assert final.approval == approved.approval
                assert approved.approval.text_digest == text_digest(approved.items)
                if approved.approval.at_meeting is not None:  # at a later meeting, same table
                    own = self.app.get(Meeting, approved.meeting)
                    at_meeting = self.app.get(Meeting, approved.approval.at_meeting)
                    assert at_meeting.table == own.table
                    assert at_meeting.starts_at > own.starts_at
                else:  # by written procedure, after its deadline
                    wp = approved.written_procedure
                    assert wp is not None and not wp.objections
                    assert approved.approval.approved_at > wp.deadline
                if not final.corrections:
                    assert final.items == approved.items
                assert final.text_version == approved.text_version + len(final.corrections)
            else:
                assert final.approval is None and not final.corrections
            # amendment numbers are unique (and numbered 1, 2, ...); a decision on a
            # proposal in its own stream names a number after those on the minutes, once
            numbers = [a.number for a in final.amendments]
            assert numbers == list(range(1, len(numbers) + 1)), numbers
            later = [a.number for a in final.decided]
            assert len(set(later)) == len(later) and all(n > len(numbers) for n in later)
            proposed = Counter(e.amendment.number for e in history
                               if type(e).TOPIC == "lrt.Minutes.AmendmentProposed")
            assert all(c == 1 for c in proposed.values()), proposed

    return Cycle


def copies(store: stores.TestStore, workdir: Path, made: list[str]
           ) -> Callable[[], dict[str, str]]:
    """Fresh copies of the world's store, one per example: a file copy (SQLite), a database
    made from it as a template (PostgreSQL)."""
    counter = iter(range(10**9))

    def new_store() -> dict[str, str]:
        n = next(counter)
        if store.kind == "sqlite":
            path = workdir / f"s{n}.sqlite"
            shutil.copy(store.url, path)
            copy = stores.TestStore("sqlite", str(path))
        else:
            assert store.server is not None
            name = f"{store.dbname}c{n}"
            store.server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{store.dbname}"')
            made.append(name)
            copy = stores.TestStore("postgres", store.server.url(name), store.server, name)
        return copy.env(create_tables=False)

    return new_store


def test_random_command_sequences_keep_the_rules(world, store, tmp_path: Path) -> None:
    world.app.close()  # checkpoints the WAL into the file, ends the sessions: a template
    examples = EXAMPLES if store.kind == "sqlite" else PG_EXAMPLES
    tally: Counter[str] = Counter()
    made: list[str] = []
    try:
        run_state_machine_as_test(make_machine(copies(store, tmp_path, made), tally),
                                  settings=settings(
            max_examples=examples, stateful_step_count=STEPS, deadline=None, database=None,
                derandomize=True,
            suppress_health_check=list(HealthCheck)))
    finally:
        for name in made:
            store.server.drop_database(name)  # type: ignore[union-attr]
    print(store.kind, {k: v for k, v in tally.items() if not k.startswith("x ") or os.environ.get("LRT_SHOW_REFUSALS")})
    # the sequences reached deep into the cycle, not only refusals
    assert tally["done"] > examples and tally["refused"] > examples
    if store.kind == "sqlite":
        for command in ("draft_minutes", "circulate_minutes", "comment", "propose_amendment",
                        "accept_amendment", "approve_minutes", "correct_minutes",
                        "agree_action"):
            assert tally[command], (command, tally)
