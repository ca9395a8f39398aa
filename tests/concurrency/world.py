"""The world the concurrency tests share: the LRT run by JenV, chaired by the minister, with
members for VNG and IPO; its meeting of 10 November held, and the draft minutes circulated
until 20 November 12:00. Built through the application, as one process would."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lrt_app.application import Lrt
from lrt_app.clock import SettableClock
from lrt_domain.base import Role
from lrt_domain.dutch_time import AMSTERDAM
from lrt_domain.minutes import Item, Point, PointKind
from lrt_domain.tables import TableKind


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


START = at(2023, 10, 1, 9)
M1_START = at(2023, 11, 10, 10)
M2_START = at(2023, 12, 15, 10)
DEADLINE = at(2023, 11, 20, 12)  # of the comment round on the minutes of M1
M1, M2 = "LRT-2023-11-10", "LRT-2023-12-15"

ADMIN = "admin"  # secretariat of JenV, which runs the LRT
CHAIR = "minister"
MEMBERS = {"vng-lid": "bestuurder-vng", "ipo-lid": "ambtenaar-ipo"}  # login: person
AGENDA = ("Opening en mededelingen", "Vaststelling verslag", "Huisvesting statushouders",
          "WVTTK")


def items() -> list[Item]:
    return [
        Item(number=1, title="Opening en mededelingen",
             points=(Point(text="De voorzitter opent de vergadering."),)),
        Item(number=3, title="Huisvesting statushouders", points=(
            Point(text="Gemeenten melden knelpunten bij de huisvesting."),
            Point(kind=PointKind.DECISION, text="De taakstelling blijft ongewijzigd."),
        )),
    ]


def build(app: Lrt, clock: SettableClock) -> None:
    """Everything up to the circulated minutes of M1 (the clock ends on 14 November)."""
    app.initialise(admin=ADMIN, organisation="JenV",
                   organisation_name="Ministerie van Justitie en Veiligheid")
    app.register_organisation(ADMIN, "VNG", "Vereniging van Nederlandse Gemeenten")
    app.register_organisation(ADMIN, "IPO", "Interprovinciaal Overleg")
    for key, name in [("minister-jenv", "Minister van JenV"),
                      ("bestuurder-vng", "Bestuurder VNG"),
                      ("ambtenaar-ipo", "Ambtenaar IPO")]:
        app.register_person(ADMIN, name, person_key=key)
    app.register_user(ADMIN, CHAIR, Role.CHAIR, person="minister-jenv")
    app.register_user(ADMIN, "vng-lid", Role.MEMBER, organisation="VNG",
                      person="bestuurder-vng")
    app.register_user(ADMIN, "ipo-lid", Role.MEMBER, organisation="IPO",
                      person="ambtenaar-ipo")
    app.register_table(ADMIN, "LRT", "Landelijke Regietafel Migratie & Integratie",
                       kind=TableKind.NATIONAL, secretariat="JenV", meetings_per_year=12)
    app.appoint_chair(ADMIN, "LRT", "minister-jenv")
    app.add_member(ADMIN, "LRT", person="bestuurder-vng", organisation="VNG",
                   function="bestuurder VNG", since=date(2023, 1, 1), office_holder=True)
    app.add_member(ADMIN, "LRT", person="ambtenaar-ipo", organisation="IPO",
                   function="directeur IPO", since=date(2023, 1, 1))
    for starts_at in (M1_START, M2_START):
        key = app.schedule_meeting(ADMIN, "LRT", starts_at, "Johan de Witthuis")
        for title in AGENDA:
            app.add_agenda_item(ADMIN, key, title)
    clock.set(M1_START + timedelta(hours=2))
    app.hold_meeting(ADMIN, M1)
    clock.set(at(2023, 11, 13, 9))
    app.draft_minutes(ADMIN, M1, items())
    clock.set(at(2023, 11, 14, 9))
    app.circulate_minutes(ADMIN, M1, DEADLINE)


def hold_m2(app: Lrt, clock: SettableClock) -> None:
    """The next meeting, at which the minutes of M1 can be approved (the round is over)."""
    clock.set(M2_START + timedelta(hours=2))
    app.hold_meeting(ADMIN, M2)
