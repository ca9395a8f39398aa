"""Builders for the unit tests: aggregates made by folding the events their commands decide.

No database, no clock: every command gets an explicit `Context` with an aware record time.
The world: the LRT, run by the secretariat of JenV, chaired by the minister; VNG's member
since 2023, IPO's member until 5 November 2023; meeting of 10 November 2023 (held) and of
15 December 2023.
"""

from __future__ import annotations

from datetime import date, datetime

from lrt_domain.actions import Action
from lrt_domain.base import Actor, Context, Role, fold
from lrt_domain.documents import Document
from lrt_domain.dutch_time import AMSTERDAM
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Item, Minutes, Point, PointKind
from lrt_domain.tables import Table, TableKind


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Dutch local time."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


SECRETARIAT = Actor(user="sec-jenv", role=Role.SECRETARIAT, organisation="JenV")
OTHER_SECRETARIAT = Actor(user="sec-bzk", role=Role.SECRETARIAT, organisation="BZK")
CHAIR = Actor(user="minister", role=Role.CHAIR, person="minister-jenv")
OTHER_CHAIR = Actor(user="cdk", role=Role.CHAIR, person="commissaris")
MEMBER = Actor(user="vng-lid", role=Role.MEMBER, organisation="VNG", person="bestuurder-vng")
IPO_MEMBER = Actor(user="ipo-lid", role=Role.MEMBER, organisation="IPO", person="ambtenaar-ipo")
OUTSIDER = Actor(user="coa-lid", role=Role.MEMBER, organisation="COA", person="directeur-coa")
GUEST = Actor(user="gast", role=Role.GUEST, person="veiligheidsberaad")
AUDITOR = Actor(user="woo", role=Role.AUDITOR)

START = at(2023, 10, 1, 9)
M1_START = at(2023, 11, 10, 10)
M2_START = at(2023, 12, 15, 10)
AGENDA = ("Opening en mededelingen", "Vaststelling verslag", "Huisvesting statushouders",
          "WVTTK")


def ctx(now: datetime = START, actor: Actor = SECRETARIAT) -> Context:
    return Context(actor=actor, now=now)


def table(now: datetime = START) -> Table:
    c = ctx(now)
    t = fold(None, Table.register(c, "LRT", "Landelijke Regietafel", kind=TableKind.NATIONAL,
                                  secretariat="JenV", meetings_per_year=4))
    t = fold(t, t.appoint_chair(c, "minister-jenv"))
    t = fold(t, t.add_member(c, person="bestuurder-vng", organisation="VNG",
                             function="bestuurder VNG", since=date(2023, 1, 1),
                             office_holder=True))
    t = fold(t, t.add_member(c, person="ambtenaar-ipo", organisation="IPO",
                             function="directeur IPO", since=date(2023, 1, 1),
                             until=date(2023, 11, 5), office_holder=False))
    return t


def meeting(key: str = "LRT-2023-11-10", starts_at: datetime = M1_START, *,
            table_key: str = "LRT", held_at: datetime | None = None,
            agenda: tuple[str, ...] = AGENDA) -> Meeting:
    """A meeting with its agenda; held at `held_at` when given."""
    c = ctx(START)
    m = fold(None, Meeting.schedule(c, key, table=table_key, starts_at=starts_at,
                                    place="Johan de Witthuis"))
    for title in agenda:
        m = fold(m, m.add_agenda_item(c, title))
    if held_at is not None:
        m = fold(m, m.hold(ctx(held_at)))
    return m


def held_meeting() -> Meeting:
    return meeting(held_at=at(2023, 11, 10, 12))


def later_meeting(held: bool = True) -> Meeting:
    return meeting("LRT-2023-12-15", M2_START, held_at=at(2023, 12, 15, 12) if held else None)


def items() -> list[Item]:
    return [
        Item(number=1, title="Opening en mededelingen",
             points=(Point(text="De voorzitter opent de vergadering."),)),
        Item(number=3, title="Huisvesting statushouders", points=(
            Point(text="Gemeenten melden knelpunten bij de huisvesting."),
            Point(kind=PointKind.DECISION, text="De taakstelling blijft ongewijzigd."),
        )),
    ]


DRAFTED_AT = at(2023, 11, 13, 9)
CIRCULATED_AT = at(2023, 11, 14, 9)
DEADLINE = at(2023, 11, 20, 12)
AFTER_DEADLINE = at(2023, 11, 21, 9)


def draft(m: Meeting | None = None) -> Minutes:
    m = m or held_meeting()
    return fold(None, Minutes.draft(ctx(DRAFTED_AT), m, items()))


def circulated(deadline: datetime = DEADLINE) -> Minutes:
    mins = draft()
    return fold(mins, mins.circulate(ctx(CIRCULATED_AT), deadline))


def document(m: Meeting | None = None) -> Document:
    m = m or meeting()
    return fold(None, Document.add(ctx(START), f"{m.key}/D1", table=m.table, meeting=m.key,
                                   title="Conceptbrief aan de Tweede Kamer",
                                   text="Geachte voorzitter, ...", code="HLRT 15/10 B 0.1"))


def action(m: Meeting | None = None, owners: tuple[str, ...] = ("VNG",)) -> Action:
    m = m or held_meeting()
    return fold(None, Action.agree(ctx(at(2023, 11, 10, 12)), f"{m.key}/A1", meeting=m,
                                   item=3, text="VNG levert wijziging aan",
                                   owners=list(owners), due=None))
