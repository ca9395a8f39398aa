"""A synthetic history of any size, written through the real command side, from a seed.

    .venv/bin/python -m bench.history --events 100000 --seed 1 --out bench/.stores/h.sqlite

The store is what secretariats would have after years of use: national, provincial and
regional tables (more of them for a bigger store, so that the history spans about 30 years:
1 table for 1k events, 5 for 100k, 40 for 1M) with members who come and go, a meeting a
month per table with its agenda, documents sent with a comment round on each, attendance,
minutes drafted from text with action lines (which put actions in the register), revised,
circulated, commented on and amended, approved at the next meeting, and the actions'
progress reports until they are done, carried over or cancelled.

It is a discrete-event simulation: every step is a call of one or a few `Lrt` commands at a
world time; the steps wait in a heap and run in time order, and the `SettableClock` is moved
to each step's time before it runs, so the record times come from the clock as in real use.
A step that the domain refuses writes nothing and is counted (the simulation does not
always know the rules' outcome in advance, e.g. a member who left meanwhile). The same seed
and size give the same store. The commands decide on the states the application's own
events made and their events are stored 5,000 at a time (`Batched`: the same events, in
the same order, as one transaction per command would store; tests/integration/
test_bench_generator.py compares the two). Each batch stored is applied to the read model
(from the events in memory, or by a second process that catches up from the log:
`ViewsApart`), so that queries on the store start from a read model that is up to date.
The generator's
commits do not wait for the disk (`_without_fsync`); what it stores is the same.

`long_minutes` makes one minutes with many events of its own, its comments and its
amendment proposals (the as-of benchmark needs 10,000): round after round of comments,
each in its own stream, and an amendment accepted, through the `Lrt` commands as `lrt`
runs them, one transaction per command.
"""

from __future__ import annotations

import heapq
import itertools
import os
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
STORES = ROOT / "bench" / ".stores"
END = date(2026, 6, 30)  # fixed, so that a seed always gives the same store
EVENTS_PER_TABLE_YEAR = 700  # about what one table with a meeting a month records
YEARS = 30  # the span of history aimed at
SEC = "secretariaat"

NATIONAL = {"JenV": "Ministerie van Justitie en Veiligheid",
            "BZK": "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
            "SZW": "Ministerie van Sociale Zaken en Werkgelegenheid",
            "VNG": "Vereniging van Nederlandse Gemeenten", "IPO": "Interprovinciaal Overleg",
            "CdK": "Kring van Commissarissen van de Koning",
            "COA": "Centraal Orgaan opvang asielzoekers",
            "Aedes": "Aedes, vereniging van woningcorporaties", "VB": "Veiligheidsberaad"}
PROVINCES = {"GR": "Groningen", "FR": "Fryslân", "DR": "Drenthe", "OV": "Overijssel",
             "FL": "Flevoland", "GLD": "Gelderland", "UT": "Utrecht", "NH": "Noord-Holland",
             "ZH": "Zuid-Holland", "ZE": "Zeeland", "NB": "Noord-Brabant", "LI": "Limburg"}
FIRST = ["Anna", "Bram", "Carla", "Daan", "Eva", "Frank", "Greet", "Hans", "Ilse", "Joost",
         "Karin", "Lars", "Mieke", "Niels", "Olga", "Pieter", "Roos", "Sander", "Tineke", "Wim"]
LAST = ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
        "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker"]
AGENDA = ["Opening en mededelingen", "Vaststelling verslag vorige vergadering",
          "Uitstroom statushouders", "Capaciteit opvang", "Spreidingswet",
          "Huisvesting vergunninghouders", "Brieven aan de Tweede Kamer", "Financiën",
          "Alleenstaande minderjarige vreemdelingen", "Oekraïense ontheemden"]
WORDS = ("de gemeenten de provincies het rijk de opvang de taakstelling de huisvesting de "
         "capaciteit de uitvoering het voorstel de planning de brief de aanpak de regio de "
         "voortgang de afspraken de middelen de knelpunten het kabinet de Kamer").split()
VERBS = ["bespreekt", "steunt", "vraagt aandacht voor", "licht toe", "onderzoekt",
         "bevestigt", "herziet", "stelt vast", "agendeert", "informeert over"]


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    from lrt_domain.dutch_time import AMSTERDAM

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


@dataclass
class Member:
    person: str
    organisation: str
    login: str
    number: int  # the membership's number at the table


@dataclass
class TableSim:
    """One table's state as the simulation needs it: who sits at it, who runs it."""

    code: str
    secretariat: str  # organisation code
    login: str  # the secretariat's user
    organisations: list[str]
    members: list[Member] = field(default_factory=list)


class Simulation:
    """The steps of the history, run in world-time order on one `Lrt` and its clock."""

    def __init__(self, app: Any, clock: Any, seed: int, events: int):
        self.app, self.clock = app, clock
        self.rng = random.Random(seed)
        self.target = events
        self.heap: list[tuple[datetime, int, Callable[[], Any]]] = []
        self.seq = itertools.count()
        self.persons = itertools.count(1)
        self.refused: Counter[str] = Counter()
        self.steps = 0

    # --- the engine -----------------------------------------------------------------

    def at(self, when: datetime, step: Callable[[], Any]) -> None:
        heapq.heappush(self.heap, (when, next(self.seq), step))

    def recorded(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def run(self, progress: Callable[[int], None] = lambda n: None) -> int:
        """Run steps in time order until the store holds the target number of events."""
        from lrt_domain.errors import DomainError

        done = self.recorded()
        while self.heap and done < self.target:
            when, _, step = heapq.heappop(self.heap)
            try:
                self.clock.set(when)
            except ValueError:
                pass  # steps at the same moment: the clock already moved a microsecond on
            try:
                step()
            except DomainError as refused:
                self.refused[type(refused).__name__ + ": " + str(refused)[:60]] += 1
            self.steps += 1
            now = self.recorded()
            progress(now - done)
            done = now
        return done

    # --- text -------------------------------------------------------------------------

    def sentence(self, *names: str) -> str:
        r = self.rng
        subject = r.choice(names) if names else r.choice(WORDS).capitalize()
        words = " ".join(r.choice(WORDS) for _ in range(r.randint(4, 14)))
        return f"{subject} {r.choice(VERBS)} {words}."

    def items(self, table: TableSim, titles: list[str], actions: int) -> list[Any]:
        from lrt_domain.minutes import Item, Point, PointKind

        out = []
        action_items = set(self.rng.sample(range(1, len(titles) + 1), min(actions, len(titles))))
        for number, title in enumerate(titles, start=1):
            points = [Point(text=self.sentence(*table.organisations))
                      for _ in range(self.rng.randint(1, 4))]
            if self.rng.random() < 0.3:
                points.append(Point(kind=PointKind.DECISION, text=self.sentence()))
            if number in action_items:
                owner = self.rng.choice(table.organisations)
                points.append(Point(kind=PointKind.ACTION,
                                    text=f"{owner} {self.rng.choice(VERBS)} "
                                         f"{' '.join(self.rng.sample(WORDS, 6))}."))
            out.append(Item(number=number, title=title, points=tuple(points)))
        return out

    # --- set-up -------------------------------------------------------------------------

    def set_up(self, tables: int, start: date) -> list[TableSim]:
        from lrt_domain.directory import Organisation

        app = self.app
        self.clock.set(at(start - timedelta(days=60), 9))
        app.initialise(admin=SEC, organisation="JenV", organisation_name=NATIONAL["JenV"],
                       simulated=True)
        for code, name in NATIONAL.items():
            if code != "JenV":
                app.register_organisation(SEC, code, name)
        sims = []
        for code, name, kind, secretariat in table_specs(tables):
            if secretariat == "JenV":
                login = SEC
            else:  # a province runs it, with its own secretariat login
                login = f"sec-{secretariat.lower()}"
                if not app.exists(Organisation, secretariat):
                    app.register_organisation(SEC, secretariat,
                                              f"Provincie {PROVINCES[secretariat]}")
                    app.register_user(SEC, login, _role("secretariat"),
                                      organisation=secretariat)
            app.register_table(login, code, name, kind=kind, secretariat=secretariat,
                               meetings_per_year=12)
            others = [c for c in NATIONAL if c != secretariat]
            sim = TableSim(code, secretariat, login,
                           [secretariat, *self.rng.sample(others, 6)])
            for org in sim.organisations:
                for _ in range(self.rng.randint(1, 2)):
                    self.join(sim, org, start - timedelta(days=30))
            sims.append(sim)
            self.at(at(start, 10), lambda s=sim: self.turnover(s))
            self.at(at(start - timedelta(days=21), 10),
                    lambda s=sim: self.plan_meeting(s, at(self._weekday(start), 10)))
        return sims

    def join(self, table: TableSim, organisation: str, since: date) -> None:
        """A new person at the table, with a membership and a member's login."""
        app, n = self.app, next(self.persons)
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        person = app.register_person(table.login, name, person_key=f"p{n}",
                                     title=self.rng.choice(["Dhr.", "Mevr."]))
        number = app.add_member(table.login, table.code, person=person,
                                organisation=organisation,
                                function=f"vertegenwoordiger {organisation}", since=since,
                                office_holder=self.rng.random() < 0.5)
        login = app.register_user(table.login, f"u{n}", _role("member"),
                                  organisation=organisation, person=person)
        table.members.append(Member(person, organisation, login, number))

    def turnover(self, table: TableSim) -> None:
        """Every year or two someone leaves the table and someone of the same
        organisation joins; the leaver's login is deactivated."""
        today = self.clock.now().date()
        leaver = table.members.pop(self.rng.randrange(len(table.members)))
        self.app.end_membership(table.login, table.code, leaver.number, today)
        self.app.deactivate_user(table.login, leaver.login, "niet langer lid")
        self.join(table, leaver.organisation, today + timedelta(days=1))
        self.at(at(today + timedelta(days=self.rng.randint(300, 800)), 11),
                lambda: self.turnover(table))

    @staticmethod
    def _weekday(day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    # --- a meeting's cycle ----------------------------------------------------------------

    def plan_meeting(self, table: TableSim, starts: datetime) -> None:
        """Schedule the meeting with its agenda, and every later step of its cycle; the
        next meeting is planned a month on."""
        from lrt_domain.tables import add_months

        app, r = self.app, self.rng
        key = app.schedule_meeting(table.login, table.code, starts,
                                   r.choice(["Webex", "Teams", "Den Haag", "Utrecht"]))
        titles = [AGENDA[0], AGENDA[1], *r.sample(AGENDA[2:], r.randint(2, 4)), "Rondvraag"]
        for title in titles:
            app.add_agenda_item(table.login, key, title)
        following = at(self._weekday(add_months(starts.date(), 1)), r.choice([9, 10, 13]))
        self.at(following - timedelta(days=21), lambda: self.plan_meeting(table, following))
        self.at(starts - timedelta(days=8), lambda: self.documents(table, key, starts))
        self.at(starts, lambda: self.hold(table, key))
        self.at(starts + timedelta(days=3), lambda: self.draft(table, key, titles, starts,
                                                                following))

    def documents(self, table: TableSim, key: str, starts: datetime) -> None:
        app = self.app
        deadline = at((starts - timedelta(days=3)).date(), 12)
        for _ in range(self.rng.randint(2, 5)):
            title = f"Notitie {self.sentence()[:60]}"
            doc = app.add_document(table.login, key, title,
                                   "\n\n".join(self.sentence() for _ in range(8)))
            app.send_document(table.login, doc)
            app.open_comment_round(table.login, doc, deadline)
            self.comments(table, doc, self.clock.now(), deadline, self.rng.randint(1, 8))

    def comments(self, table: TableSim, subject: str, opened: datetime, deadline: datetime,
                 n: int) -> None:
        span = (deadline - opened).total_seconds()
        for _ in range(n):
            when = opened + timedelta(seconds=self.rng.uniform(60, span - 60))
            self.at(when, lambda: self.app.comment(self.rng.choice(table.members).login,
                                                   subject, self.sentence()))

    def hold(self, table: TableSim, key: str) -> None:
        from lrt_domain.meetings import Presence

        self.app.hold_meeting(table.login, key)
        for m in table.members:
            presence = self.rng.choices(list(Presence)[:3], weights=[5, 4, 1])[0]
            self.app.record_attendance(table.login, key, m.person, presence)
        self.at(self.clock.now() + timedelta(hours=3),
                lambda: self.app.close_meeting(table.login, key))

    def draft(self, table: TableSim, key: str, titles: list[str], starts: datetime,
              following: datetime) -> None:
        """Draft (actions follow the text), revise, circulate; comments and amendments
        while it circulates; decisions on them; approval at the next meeting."""
        r, app = self.rng, self.app
        items = self.items(table, titles, actions=r.randint(1, 4))
        events = app.draft_minutes_and_actions(table.login, key, items)
        agreed = events[1:]  # the actions the text's action lines put in the register
        now = self.clock.now()
        revised = [it.model_copy(update={"points": (*it.points[:-1], it.points[-1],
                                                    *self.items(table, [it.title], 0)[0].points)})
                   if i == 0 else it for i, it in enumerate(items)]
        self.at(now + timedelta(days=2), lambda: app.revise_minutes(
            table.login, key, revised, note="verwerking opmerkingen voorzitter"))
        deadline = at((now + timedelta(days=9)).date(), 12)
        self.at(now + timedelta(days=2, hours=1),
                lambda: app.circulate_minutes(table.login, key, deadline))
        self.comments(table, key, now + timedelta(days=2, hours=2), deadline, r.randint(2, 10))
        amendments = r.choices([0, 1, 2], weights=[5, 4, 1])[0]
        for _ in range(amendments):
            self.at(now + timedelta(days=r.uniform(3, 8)), lambda: app.propose_amendment(
                r.choice(table.members).login, key, item=r.randint(1, len(titles)),
                point=None, text=self.sentence()))
        for number in range(1, amendments + 1):
            self.at(deadline + timedelta(hours=2, minutes=number),
                    lambda n=number: self.decide(table, key, n))
        self.at(following + timedelta(hours=2), lambda: app.approve_minutes(
            table.login, key, at_meeting=f"{table.code}-{following.date():%Y-%m-%d}"))
        for action in agreed:
            self.follow_action(table, action.key, action.owners, now, following)

    def reporter(self, table: TableSim, owners: tuple[str, ...]) -> str:
        """A current member of an owning organisation, else the secretariat."""
        logins = [m.login for m in table.members if m.organisation in owners]
        return self.rng.choice(logins or [table.login])

    def decide(self, table: TableSim, key: str, number: int) -> None:
        if self.rng.random() < 0.8:
            self.app.accept_amendment(table.login, key, number)
        else:
            self.app.reject_amendment(table.login, key, number, "niet overgenomen")

    def follow_action(self, table: TableSim, action: str, owners: tuple[str, ...],
                      agreed: datetime, following: datetime) -> None:
        """Progress now and then by a member of an owner (or the secretariat); then done,
        carried over to the next meeting, or (rarely) cancelled."""
        r = self.rng
        end = agreed + timedelta(days=r.uniform(20, 70))
        for _ in range(r.randint(1, 4)):
            self.at(agreed + timedelta(days=r.uniform(5, 19)), lambda: self.app.report_progress(
                self.reporter(table, owners), action, self.sentence()))
        fate = r.choices(["done", "carry", "cancel"], weights=[80, 15, 5])[0]
        if fate == "carry":
            self.at(following + timedelta(hours=3), lambda: self.app.carry_over_action(
                table.login, action, f"{table.code}-{following.date():%Y-%m-%d}"))
            end = following + timedelta(days=r.uniform(10, 40))
        if fate == "cancel":
            self.at(end, lambda: self.app.cancel_action(table.login, action, "vervallen"))
        else:
            self.at(end, lambda: self.app.complete_action(table.login, action,
                                                           self.sentence()))


def _role(name: str) -> Any:
    from lrt_domain.base import Role

    return Role(name)


def tables_for(events: int) -> int:
    """Enough tables that the history spans about 30 years (at most 40 tables)."""
    return max(1, min(40, round(events / (YEARS * EVENTS_PER_TABLE_YEAR))))


def table_specs(tables: int) -> list[tuple[str, str, Any, str]]:
    """Code, name, kind and secretariat of the first `tables` tables: the LRT and the HLRT
    (run by JenV), the twelve provincial tables, then regional tables run by a province."""
    from lrt_domain.tables import TableKind

    specs = [("LRT", "Landelijke Regietafel Migratie en Integratie", TableKind.NATIONAL,
              "JenV"), ("HLRT", "Hoogambtelijke LRT", TableKind.PREPARATORY, "JenV")]
    specs += [(f"PRT-{code}", f"Provinciale Regietafel {name}", TableKind.PROVINCIAL, code)
              for code, name in PROVINCES.items()]
    provinces = list(PROVINCES)
    specs += [(f"RT-{n:02}", f"Regionale tafel {n} ({PROVINCES[provinces[n % 12]]})",
               TableKind.PROVINCIAL, provinces[n % 12]) for n in range(1, 41)]
    return specs[:tables]


def generate(path: Path, events: int, seed: int,
             progress: Callable[[int], None] = lambda n: None, *,
             batched: bool = True, views_apart: bool | None = None) -> dict[str, Any]:
    """Write the history into a new store at `path`; catch its read model up.
    `batched=False`: each command stored in its own transaction as it is decided (the
    same events, about ten times slower; `Batched`). `views_apart`: the read model is
    caught up by a second process as the batches are written (`ViewsApart`), else from
    the events in memory by this one; None: apart if a core is free at the start (else
    the second process only adds its own work: it decodes the events again)."""
    from lrt_app.bootstrap import build
    from lrt_app.clock import SettableClock
    from projections.catch_up import BULK, catch_up, open_read_model

    import gc

    tables = tables_for(events)
    years = events / (tables * EVENTS_PER_TABLE_YEAR)
    start = END - timedelta(days=round(365.25 * years))
    clock = SettableClock(at(start - timedelta(days=60), 9))
    # the views caught up once at the end (a million events: faster than on each save)
    app = build(str(path), clock=clock, initialising=True, project_on_save=False)
    _without_fsync(app)
    # the keys of comments (and proposals) in their own streams from the seed: a seed and a
    # size give the same store
    tokens = random.Random(f"tokens {seed}")
    app.new_token = lambda: f"{tokens.getrandbits(128):032x}"  # type: ignore[method-assign]
    # Without the cyclic garbage collector: the simulation makes no garbage cycles to speak
    # of (the same peak memory at 200k events), and its passes over a heap that holds every
    # state were a fifth of the time at 200k events, more at a million.
    collecting = gc.isenabled()
    gc.disable()
    apart: ViewsApart | None = None
    try:
        sim = Simulation(app, clock, seed, events)
        model = open_read_model(app)
        if batched:
            if model.outdated():
                model.reset(app.name)
            if views_apart is None:
                views_apart = os.getloadavg()[0] < (os.cpu_count() or 1) - 1
            if views_apart:
                apart = ViewsApart(path)
            batch = Batched(app, views=apart or model)
            sim.recorded = batch.recorded  # type: ignore[method-assign]
        sim.set_up(tables, start)
        sim.run(progress)
        if batched:
            batch.flush()
        if apart is not None:
            apart.close()
            apart = None
        recorded = app.recorder.max_notification_id() or 0
        catch_up(app, model, batch=BULK)  # batched: nothing left
    finally:
        if collecting:
            gc.enable()
        if apart is not None:
            apart.close()
        app.close()
    return {"events": recorded, "steps": sim.steps, "tables": tables,
            "from": start.isoformat(), "until": clock.now().date().isoformat(),
            "refused": sum(sim.refused.values()), "refusals": sim.refused.most_common(5)}


class Batched:
    """The generator's application decides every command as `lrt` does, on the states its
    own events made, and stores the events a few thousand at a time (issue 16, point 6).

    `Lrt`'s commands read through `get` and `exists` (and, rarely, the log itself: the
    chain head an approval records, the registrations of a kind, a stream's events). Here
    `get` and `exists` answer from the states folded from every event this application
    saved (the store was empty when it began, so they are every state there is), and
    `save` keeps the events to write them with the next batch: one transaction, with its
    hash-chain links, per `every` events instead of one per command and a few reads per
    command. The chain head is computed here, over the events stored and those waiting,
    with the chain's own `link_digest` on the very bytes that will be stored (an approval
    asked for it: the batch was written first, every month of every table). So are the
    streams a round or a minutes' proposals began (`first_events`, counted for every
    comment and proposal) and the first events of a kind (`Lrt._registrations`), from the
    streams begun so far; a stream's events only when none of them is waiting. Whatever
    else reads the log itself writes the batch first, so it reads what a command-by-command
    run would read. With a read model (`views`), each batch is also applied to it, from
    the events in memory, in its own transaction once the batch is stored: the read model
    a catch-up would build, without reading and decoding the log again. The events are
    the ones the commands decide; the store, its chain and its read model are as a
    command-by-command run leaves them, except for when each event was stored (`lrt audit
    verify` checks the chain, `projections verify` the read model)."""

    def __init__(self, app: Any, every: int = 5000, views: Any = None):
        from lrt_app.application import _id_for

        self.app, self.every, self.views = app, every, views
        self.states: dict[Any, Any] = {}
        self.pending: list[tuple[Any, Any]] = []  # (domain event, stored event)
        self.flushed = app.recorder.max_notification_id() or 0
        assert self.flushed == 0, "a batched generator starts on an empty store"
        get, events_of = app.get, app.events_of
        recorder = app.recorder
        self.head = recorder.chain_head()  # over the stored events and `hashed` pending
        self.hashed = 0
        select = recorder.select_notifications
        to_stored = app.mapper.to_stored_event
        first_events, count_first = recorder.first_events, recorder.count_first_events

        def batched_get(cls: Any, key: str, *, version: int | None = None) -> Any:
            if version is not None:
                self.flush()
                return get(cls, key, version=version)
            state = self.states.get(_id_for(cls, key))
            return state if state is not None else get(cls, key)  # NotFound, as lrt says

        def batched_save(*events: Any, **kwargs: Any) -> list[Any]:
            for event in events:
                self.states[event.originator_id] = event.mutate(
                    self.states.get(event.originator_id))
                stored = to_stored(event)
                self.pending.append((event, stored))
                self.waiting.add(event.originator_id)
                if event.originator_version == 1:  # a stream begins: at this position
                    begins = (self.flushed + len(self.pending), stored)
                    self.firsts.setdefault(event.originator_id.bytes[:8], []).append(begins)
                    self.by_topic.setdefault(stored.topic, []).append(begins)
                else:
                    self.later_topics.add(stored.topic)
            if len(self.pending) >= self.every:
                self.flush()
            return []

        def first(read: Any) -> Any:
            def after_flush(*args: Any, **kwargs: Any) -> Any:
                self.flush()
                return read(*args, **kwargs)
            return after_flush

        setattr(app, "get", batched_get)
        setattr(app, "exists", lambda cls, key: _id_for(cls, key) in self.states)
        setattr(app, "save", batched_save)

        def batched_events_of(aggregate_id: Any) -> Any:
            # the store alone has them all unless some of its events are waiting
            if aggregate_id in self.waiting:
                self.flush()
            return events_of(aggregate_id)

        def batched_select(start: int | None, limit: int, stop: int | None = None,
                           topics: Any = (), *, inclusive_of_start: bool = True) -> Any:
            # `Lrt._registrations`: the first events of one kind (`Table.Registered`, ...),
            # which `by_topic` holds (the store has no index on topics: a scan of the whole
            # log each time, hundreds of times for a million events)
            if topics and not self.later_topics.intersection(topics):
                from eventsourcing.persistence import Notification

                lowest = (start or 0) + (0 if inclusive_of_start else 1)
                found = sorted(((n, e) for topic in topics for n, e in
                               self.by_topic.get(topic, []) if n >= lowest
                                and (stop is None or n <= stop)), key=lambda f: f[0])[:limit]
                return [Notification(id=n, originator_id=e.originator_id,
                                     originator_version=e.originator_version,
                                     topic=e.topic, state=e.state) for n, e in found]
            self.flush()
            return select(start, limit, stop, topics, inclusive_of_start=inclusive_of_start)

        setattr(app, "events_of", batched_events_of)
        setattr(recorder, "chain_head", self.chain_head)
        setattr(recorder, "select_notifications", batched_select)
        # The streams of a round or of a set of minutes (comments, proposals: issue 16):
        # one range of ids, 8 bytes of prefix, answered from the streams begun so far (the
        # store was empty); any other range from the store, after the batch is written.
        self.firsts: dict[bytes, list[tuple[int, Any]]] = {}
        self.by_topic: dict[str, list[tuple[int, Any]]] = {}  # first events, by topic
        self.later_topics: set[str] = set()  # topics of events that begin no stream
        self.waiting: set[Any] = set()  # the aggregates with events in `pending`

        def begun(lo: Any, hi: Any) -> list[tuple[int, Any]] | None:
            prefix = lo.bytes[:8]
            if hi.bytes[:8] != prefix or lo.bytes[8:] != bytes(8) \
                    or hi.bytes[8:] != b"\xff" * 8:
                return None
            return self.firsts.get(prefix, [])

        def batched_first_events(lo: Any, hi: Any, *, after: int = 0,
                                 upto: int | None = None) -> list[tuple[int, Any]]:
            found = begun(lo, hi)
            if found is None:
                return first(first_events)(lo, hi, after=after, upto=upto)
            return [(n, e) for n, e in found if n > after and (upto is None or n <= upto)]

        def batched_count_first(lo: Any, hi: Any, *, after: int = 0,
                                upto: int | None) -> int:
            found = begun(lo, hi)
            if found is None:
                return int(first(count_first)(lo, hi, after=after, upto=upto))
            return sum(1 for n, _ in found if n > after and (upto is None or n <= upto))

        setattr(recorder, "first_events", batched_first_events)
        setattr(recorder, "count_first_events", batched_count_first)

    def chain_head(self) -> Any:
        """The head the chain will have once the pending events are stored (SQLite's
        links: no database stamps)."""
        from lrt_app.chain import Head, link_digest, oid_text

        length, digest = self.head.length, bytes.fromhex(self.head.digest)
        for _, s in self.pending[self.hashed:]:
            length += 1
            digest = link_digest(digest, oid_text(s.originator_id), s.originator_version,
                                 s.topic, s.state)
        self.head, self.hashed = Head(length, digest.hex()), len(self.pending)
        return self.head

    def flush(self) -> None:
        """Store the pending events in one transaction: straight to the recorder (the
        application's `save` would check each against the library's protocols first), which
        chains them as it does any insert; then apply them to the read model, if any."""
        if self.pending:
            self.chain_head()  # the head after them, before they leave `pending`
            pending, self.pending, self.hashed = self.pending, [], 0
            self.waiting.clear()
            ids = self.app.recorder.insert_events([s for _, s in pending])
            # the positions the streams begun were given (`firsts`) are the ones stored
            assert list(ids or ()) == list(range(self.flushed + 1, self.flushed + len(pending) + 1))
            self.flushed += len(pending)
            if isinstance(self.views, ViewsApart):
                self.views.written(self.flushed)
            elif self.views is not None:
                self.views.process(self.app.name, [
                    (e, n) for (e, _), n in zip(pending, ids, strict=True)])

    def recorded(self) -> int:
        """The events decided so far, stored or about to be."""
        return self.flushed + len(self.pending)


class ViewsApart:
    """The read model caught up by a second process while the generator decides the next
    batch (issue 16, point 6: applying it was about a fifth of the generator's time):
    told each time a batch is stored, it catches up from the log as any `lrt` process
    does (`catch_up`), in its own transactions. `close` waits for it to finish."""

    def __init__(self, path: Path):
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # no connection shared with this one
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_catch_up_apart, args=(str(path), theirs),
                                       daemon=True)
        self.process.start()
        theirs.close()

    def written(self, position: int) -> None:
        self.pipe.send(position)

    def close(self) -> None:
        """Wait until the read model holds every event stored; refused if it failed."""
        try:
            self.pipe.send(None)
        except OSError:
            pass  # it ended already (failed): said below
        self.process.join()
        self.pipe.close()
        if self.process.exitcode != 0:
            raise RuntimeError(f"the read model's process failed ({self.process.exitcode})")


def _catch_up_apart(path: str, pipe: Any) -> None:
    """`ViewsApart`'s process: catch the read model up each time it is told, until told
    to stop (None)."""
    import gc

    from lrt_app.bootstrap import build
    from projections.catch_up import BULK, catch_up, open_read_model

    gc.disable()  # as the generator: no cycles to speak of
    app = build(path, project_on_save=False)
    _without_fsync(app)
    try:
        model = open_read_model(app)
        while True:
            told = pipe.recv()
            while told is not None and pipe.poll():  # several batches stored: one catch-up
                told = pipe.recv()
            catch_up(app, model, batch=BULK)
            if told is None:
                return
    finally:
        app.close()


def _without_fsync(app: Any) -> None:
    """The generator's connections commit without waiting for the disk (synchronous=OFF):
    the store's content is the same, only a crash of the machine could lose it, and a
    million commands run several times faster. (The library has no setting for it, hence
    the hook on its connection pool.) The benchmark itself runs with the default, FULL."""
    from lrt_app.library_private import sqlite_connection, wrap_connection_factory

    def without_fsync(connection: Any) -> Any:
        sqlite_connection(connection).execute("PRAGMA synchronous=OFF")
        # a page cache of 512 MB (SQLite's default: 2 MB): the indexes of a store of a
        # million events are read from the system's cache otherwise, a page per call
        sqlite_connection(connection).execute("PRAGMA cache_size=-524288")
        return connection

    wrap_connection_factory(app.recorder.datastore.pool, without_fsync)


def long_minutes(path: Path, events: int, seed: int) -> tuple[str, datetime, datetime]:
    """A store with one minutes and about `events` events of the minutes and its comment
    rounds: round after round in which every member comments twice (each comment its own
    stream, `Lrt.comment`) and one member proposes an amendment (its own stream,
    `Lrt.propose_amendment`) that the secretariat accepts (an event of the minutes), all
    through the command side as `lrt` runs it. The count is of the minutes' own events, its
    comments and its proposals (`stream_ids`). Returns the meeting, and the first and last
    record time of these events (for as-of queries between)."""
    from lrt_app.bootstrap import build
    from lrt_app.clock import SettableClock
    from projections.catch_up import catch_up, open_read_model

    start = date(2020, 1, 6)
    clock = SettableClock(at(start - timedelta(days=60), 9))
    # the views caught up once at the end (faster than on each save)
    app = build(str(path), clock=clock, initialising=True, project_on_save=False)
    _without_fsync(app)
    tokens = random.Random(f"tokens {seed}")  # a seed gives the same store
    app.new_token = lambda: f"{tokens.getrandbits(128):032x}"  # type: ignore[method-assign]
    try:
        sim = Simulation(app, clock, seed, events)
        (table,) = sim.set_up(1, start)
        sim.heap.clear()  # only the set-up: the one meeting comes next
        starts = at(start, 10)
        clock.set(starts - timedelta(days=7))
        key = app.schedule_meeting(table.login, table.code, starts, "Webex")
        for title in AGENDA[:5]:
            app.add_agenda_item(table.login, key, title)
        clock.set(starts + timedelta(hours=1))
        app.hold_meeting(table.login, key)
        clock.advance(hours=3)
        app.close_meeting(table.login, key)
        app.draft_minutes(table.login, key, sim.items(table, AGENDA[:5], actions=0))
        first = clock.now()
        written = 1  # the draft
        while written < events:
            written += _round_of_comments(app, sim, table, key, events - written)
        last = clock.now()
        catch_up(app, open_read_model(app))
    finally:
        app.close()
    return key, first, last


def _round_of_comments(app: Any, sim: Simulation, table: TableSim, key: str,
                       room: int) -> int:
    """One round: the minutes circulated, every member's two comments, an amendment
    proposed and accepted; at most `room` events. Returns how many were written."""
    clock, r = app.clock, sim.rng
    clock.advance(days=1)
    app.circulate_minutes(table.login, key, clock.now() + timedelta(hours=20))
    written = 1
    for member in table.members * 2:
        if written >= room:
            return written
        clock.advance(minutes=20)
        app.comment(member.login, key, sim.sentence())
        written += 1
    if written + 2 > room:
        return written
    clock.advance(minutes=20)
    number = app.propose_amendment(r.choice(table.members).login, key, item=1, point=None,
                                   text=sim.sentence())
    clock.advance(minutes=20)
    app.accept_amendment(table.login, key, number)
    return written + 2


def stream_ids(db: Any, meeting: str) -> list[str]:
    """The ids (hex) of the minutes of `meeting`, its comments and its amendment
    proposals, from the read model of an open sqlite3 connection."""
    from lrt_domain.minutes import Minutes
    from lrt_domain.proposals import SEPARATOR

    prefix = f"{meeting}{SEPARATOR}"
    return [Minutes.id_for(meeting).hex,
            *(sid for (sid,) in db.execute(
                "SELECT source FROM view_comments WHERE subject = ?", (meeting,))),
            *(sid for (sid,) in db.execute(
                "SELECT id FROM view_state WHERE kind = 'amendment' AND key >= ? "
                "AND key < ?", (prefix, prefix + "\uffff")))]


def _context(app: Any, login: str) -> Any:
    from lrt_domain.base import Context

    return Context(actor=app.actor(login), now=app.clock.now())


def cached(events: int, seed: int = 1) -> Path:
    """The store of that size and seed under bench/.stores, generated on first use."""
    path = STORES / f"history-{events}-s{seed}.sqlite"
    if not path.exists():
        build(path, events, seed)
    return path


def cached_minutes(events: int, seed: int = 1) -> Path:
    """The store with one minutes stream of that many events (`long_minutes`)."""
    path = STORES / f"minutes-{events}-s{seed}.sqlite"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".partial-{os.getpid()}")
        long_minutes(partial, events, seed)
        partial.rename(path)
    return path


def build(path: Path, events: int, seed: int, views_apart: bool | None = None
          ) -> dict[str, Any]:
    """Generate into a file of this process, then move it into place: a store that exists
    is always complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".partial-{os.getpid()}")  # two generators never collide
    with click.progressbar(length=events, label=f"{events:,} events (seed {seed})",
                           file=sys.stderr) as bar:
        stats = generate(partial, events, seed, bar.update, views_apart=views_apart)
    partial.rename(path)
    return stats


@click.command()
@click.option("--events", type=int, default=100_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The store to write [default: bench/.stores/history-N-sSEED.sqlite].")
@click.option("--force", is_flag=True, help="Generate again even if the store exists.")
@click.option("--views-apart/--views-here", default=None,
              help="The read model caught up by a second process, or by this one "
                   "[default: apart if a core is free].")
def main(events: int, seed: int, out: Path | None, force: bool,
         views_apart: bool | None) -> None:
    """Generate a synthetic history of about EVENTS events through the command side."""
    import time

    out = out or STORES / f"history-{events}-s{seed}.sqlite"
    if out.exists() and not force:
        click.echo(f"{out} exists (use --force to generate it again)")
        return
    out.unlink(missing_ok=True)
    began = time.perf_counter()
    stats = build(out, events, seed, views_apart)
    seconds = time.perf_counter() - began
    click.echo(f"{out}: {stats['events']:,} events in {seconds:.0f} s "
               f"({stats['events'] / seconds:,.0f}/s), {stats['steps']:,} steps, "
               f"{stats['tables']} tables, {stats['from']} to {stats['until']}, "
               f"{stats['refused']} refused")
    for reason, count in stats["refusals"]:
        click.echo(f"  refused {count}x: {reason}")


if __name__ == "__main__":
    main()
