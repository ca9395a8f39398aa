"""Fixtures for the application tests: `Lrt` on a real temporary SQLite file, with a
settable clock, and a small world (the LRT run by JenV) built through the commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError

from lrt_app.application import Lrt
from lrt_app.clock import SettableClock
from lrt_domain.base import Role
from lrt_domain.dutch_time import AMSTERDAM
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Item, Point, PointKind
from lrt_domain.tables import TableKind


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


START = at(2023, 10, 1, 9)
M1_START = at(2023, 11, 10, 10)
M2_START = at(2023, 12, 15, 10)
DEADLINE = at(2023, 11, 20, 12)
AGENDA = ("Opening en mededelingen", "Vaststelling verslag", "Huisvesting statushouders",
          "WVTTK")

ADMIN = "admin"  # secretariat of JenV, which runs the LRT
OTHER_SECRETARIAT = "sec-bzk"
CHAIR = "minister"
MEMBER = "vng-lid"
IPO_MEMBER = "ipo-lid"
GUEST = "gast"
AUDITOR = "woo"


def items() -> list[Item]:
    return [
        Item(number=1, title="Opening en mededelingen",
             points=(Point(text="De voorzitter opent de vergadering."),)),
        Item(number=3, title="Huisvesting statushouders", points=(
            Point(text="Gemeenten melden knelpunten bij de huisvesting."),
            Point(kind=PointKind.DECISION, text="De taakstelling blijft ongewijzigd."),
        )),
    ]


@pytest.fixture
def db_env(store) -> dict[str, str]:
    """The settings of a fresh store: a SQLite file, or a PostgreSQL database."""
    return store.env()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture
def make_app(db_env, clock) -> Iterator[Callable[[], Lrt]]:
    """Another `Lrt` on the same file, as a second process would be."""
    apps: list[Lrt] = []

    def make() -> Lrt:
        app = Lrt(env=dict(db_env), clock=clock)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def app(make_app) -> Lrt:
    app = make_app()
    app.initialise(admin=ADMIN, organisation="JenV",
                   organisation_name="Ministerie van Justitie en Veiligheid")
    return app


@dataclass
class World:
    app: Lrt
    clock: SettableClock

    def writes(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def hold(self, meeting: str) -> None:
        """Move the clock past the meeting's start and hold it."""
        starts_at = self.app.get(Meeting, meeting).starts_at
        self.clock.set(max(starts_at, self.clock.now()))
        self.clock.advance(hours=2)
        self.app.hold_meeting(ADMIN, meeting)

    def schedule(self, starts_at: datetime, agenda: tuple[str, ...] = AGENDA,
                 login: str = ADMIN) -> str:
        key = self.app.schedule_meeting(login, "LRT", starts_at, "Johan de Witthuis")
        for title in agenda:
            self.app.add_agenda_item(login, key, title)
        return key


@pytest.fixture
def world(app, clock) -> World:
    """The LRT, run by JenV and chaired by the minister; VNG and IPO members; a guest and an
    auditor; another ministry's secretariat."""
    for code, name in [("VNG", "Vereniging van Nederlandse Gemeenten"),
                       ("IPO", "Interprovinciaal Overleg"),
                       ("BZK", "Ministerie van Binnenlandse Zaken"),
                       ("COA", "Centraal Orgaan opvang asielzoekers")]:
        app.register_organisation(ADMIN, code, name)
    for key, name in [("minister-jenv", "Minister van JenV"),
                      ("bestuurder-vng", "Bestuurder VNG"),
                      ("ambtenaar-ipo", "Ambtenaar IPO"),
                      ("veiligheidsberaad", "Voorzitter Veiligheidsberaad")]:
        app.register_person(ADMIN, name, person_key=key)
    app.register_user(ADMIN, OTHER_SECRETARIAT, Role.SECRETARIAT, organisation="BZK")
    app.register_user(ADMIN, CHAIR, Role.CHAIR, person="minister-jenv")
    app.register_user(ADMIN, MEMBER, Role.MEMBER, organisation="VNG", person="bestuurder-vng")
    app.register_user(ADMIN, IPO_MEMBER, Role.MEMBER, organisation="IPO", person="ambtenaar-ipo")
    app.register_user(ADMIN, GUEST, Role.GUEST, person="veiligheidsberaad")
    app.register_user(ADMIN, AUDITOR, Role.AUDITOR)
    app.register_table(ADMIN, "LRT", "Landelijke Regietafel Migratie & Integratie",
                       kind=TableKind.NATIONAL, secretariat="JenV", meetings_per_year=12)
    app.appoint_chair(ADMIN, "LRT", "minister-jenv")
    app.add_member(ADMIN, "LRT", person="bestuurder-vng", organisation="VNG",
                   function="bestuurder VNG", since=date(2023, 1, 1), office_holder=True)
    app.add_member(ADMIN, "LRT", person="ambtenaar-ipo", organisation="IPO",
                   function="directeur IPO", since=date(2023, 1, 1))
    return World(app, clock)


@pytest.fixture
def meetings(world) -> tuple[str, str]:
    """The meeting of 10 November (held) and of 15 December (planned)."""
    m1 = world.schedule(M1_START)
    m2 = world.schedule(M2_START)
    world.hold(m1)
    return m1, m2


@pytest.fixture
def circulated(world, meetings) -> str:
    """Draft minutes of the 10 November meeting, circulated until 20 November 12:00."""
    m1, _ = meetings
    world.clock.set(at(2023, 11, 13, 9))
    world.app.draft_minutes(ADMIN, m1, items())
    world.clock.set(at(2023, 11, 14, 9))
    world.app.circulate_minutes(ADMIN, m1, DEADLINE)
    return m1


def interleave(monkeypatch: pytest.MonkeyPatch, app: Lrt, other: Callable[[], object],
               times: int = 1) -> list[str]:
    """Before each of `app`'s first `times` saves, run `other` (in another process).
    Returns how each of `app`'s saves went: 'saved' or 'conflict'."""
    real_save = app.save
    outcomes: list[str] = []

    def save(*events: object, **kwargs: object) -> object:
        if len(outcomes) < times:
            other()
        try:
            result = real_save(*events, **kwargs)  # type: ignore[arg-type]
        except IntegrityError:
            outcomes.append("conflict")
            raise
        outcomes.append("saved")
        return result

    monkeypatch.setattr(app, "save", save)
    return outcomes


def run_demo(path: Path) -> Path:
    """A new store at `path` holding the demo, written through the command side (each
    command with its views)."""
    from lrt_app import demo
    from lrt_app.bootstrap import build

    clock = SettableClock(demo.at("2023-10-01 09:00"))
    app = build(str(path), clock=clock, initialising=True)
    try:
        demo.run(app, clock, say=lambda _: None)
    finally:
        app.close()
    return path
