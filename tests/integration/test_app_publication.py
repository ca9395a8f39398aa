"""Woo publication through the application, on SQLite and PostgreSQL: redactions added and
lifted, publication of approved minutes only, by the table's secretariat only; refusals
write nothing; the read model keeps the publication's state."""

from __future__ import annotations

import hashlib
import html
from datetime import date, timedelta

import pytest

from lrt_domain.errors import Forbidden, NotFound, RuleViolation
from lrt_domain.meetings import Presence
from lrt_domain.minutes import Item, Point
from lrt_domain.publication import Origin, Publication
from projections.views import Views

from worlds.application import (ADMIN, AUDITOR, CHAIR, DEADLINE, MEMBER, OTHER_SECRETARIAT, World,
                       at)

OPINION = "Persoonlijk vind ik de aanpak van het kabinet te voorzichtig."
ITEMS = [
    Item(number=1, title="Opening en mededelingen", points=(
        Point(text="De voorzitter opent de vergadering; mw. K. Morren licht de cijfers toe."),
    )),
    Item(number=3, title="Huisvesting statushouders", points=(
        Point(text=f"Liesbeth Spies vraagt om meer tempo. {OPINION}"),
        Point(text="Dhr. Jansen (BZK) zegt een notitie toe."),
    )),
]


@pytest.fixture
def named(world: World, meetings: tuple[str, str]) -> World:
    """Minutes of 10 November naming a civil servant member (Karin Morren, IPO), an office
    holder (Liesbeth Spies, VNG) and a civil servant who is no member (Pieter Jansen)."""
    app, m1 = world.app, meetings[0]
    app.register_person(ADMIN, "Karin Morren", person_key="karin-morren", title="Mw.")
    app.register_person(ADMIN, "Liesbeth Spies", person_key="liesbeth-spies", title="Mevr.")
    app.register_person(ADMIN, "Pieter Jansen", person_key="pieter-jansen", title="Dhr.")
    app.add_member(ADMIN, "LRT", person="karin-morren", organisation="IPO",
                   function="beleidsadviseur IPO", since=date(2023, 1, 1))
    app.add_member(ADMIN, "LRT", person="liesbeth-spies", organisation="VNG",
                   function="bestuurder VNG", since=date(2023, 1, 1), office_holder=True)
    app.record_attendance(ADMIN, m1, "karin-morren", Presence.PRESENT)
    app.record_attendance(ADMIN, m1, "liesbeth-spies", Presence.REMOTE)
    world.clock.set(at(2023, 11, 13, 9))
    app.draft_minutes(ADMIN, m1, ITEMS)
    world.clock.set(at(2023, 11, 14, 9))
    app.circulate_minutes(ADMIN, m1, DEADLINE)
    return world


@pytest.fixture
def approved(named: World, meetings: tuple[str, str]) -> str:
    m1, m2 = meetings
    named.hold(m2)
    named.app.approve_minutes(ADMIN, m1, at_meeting=m2)
    named.clock.set(at(2024, 1, 8, 10))
    return m1


def redactions(world: World, login: str, meeting: str) -> list:
    """The redactions as `lrt minutes redactions` reads them, for `login`."""
    return Views.open(world.app).redactions(world.app.actor(login), meeting)


def test_the_defaults_come_from_the_directory_and_the_memberships(named, meetings):
    entries = redactions(named, ADMIN, meetings[0])
    assert [(e.number, e.person, e.origin, e.locations) for e in entries] == [
        (1, "karin-morren", Origin.DEFAULT, ("aanwezigheid", "agendapunt 1, punt 1")),
        (2, "pieter-jansen", Origin.DEFAULT, ("agendapunt 3, punt 2",)),
    ]


def test_redact_lift_and_publish(approved, named):
    app = named.app
    entry = app.add_redaction(ADMIN, approved, passage=OPINION, ground="5.2",
                              reason="persoonlijke beleidsopvatting")
    assert (entry.number, entry.ground.value, entry.decided.user) == (3, "5.2", ADMIN)
    named.clock.set(at(2024, 1, 8, 11))
    lifted = app.lift_redaction(ADMIN, approved, 2, "dhr. Jansen stemt in met vermelding")
    assert lifted.person == "pieter-jansen" and not lifted.in_force
    named.clock.set(at(2024, 1, 9, 14))
    public, event = app.publish_minutes(ADMIN, approved)

    everything = "\n".join([public.markdown, html.unescape(public.html),
                            public.inventory_markdown])
    assert "Morren" not in everything and "Karin" not in everything
    assert OPINION not in everything
    assert "Liesbeth Spies" in public.markdown  # the office holder
    assert "Dhr. Jansen (BZK) zegt" in public.markdown  # lifted: named again
    assert "[5.1.2e] licht de cijfers toe" in public.markdown
    assert "meer tempo. [5.2]" in public.markdown

    stored = app.get(Publication, approved)
    (record,) = stored.publications
    assert record.public_digest == hashlib.sha256(public.markdown.encode()).hexdigest()
    assert record.html_digest == hashlib.sha256(public.html.encode()).hexdigest()
    assert record.published.user == ADMIN and record.published.at - at(2024, 1, 9, 14) < timedelta(seconds=1)
    assert [(e.ref, e.ground.value, e.default) for e in record.inventory] == [
        ("person:karin-morren", "5.1.2e", True), ("passage:1", "5.2", False)]
    assert event.originator_version == stored.version
    # every decision is an event: opened with the first, then added, lifted, published
    assert [type(e).__name__ for e in app.events_of(stored.id)] == [
        "Opened", "RedactionAdded", "RedactionLifted", "Published"]
    # the read model keeps the same state
    assert Views.open(app).model.state(Publication, approved) == stored


@pytest.mark.parametrize("login", [MEMBER, AUDITOR, OTHER_SECRETARIAT])
def test_only_those_who_run_the_table_decide_and_refusals_write_nothing(approved, named,
                                                                         login):
    app = named.app
    before = named.writes()
    for decide in (lambda: app.add_redaction(login, approved, passage=OPINION, ground="5.2",
                                             reason="r"),
                   lambda: app.lift_redaction(login, approved, 1, "r"),
                   lambda: app.publish_minutes(login, approved)):
        with pytest.raises(Forbidden):
            decide()
    assert named.writes() == before


def test_unapproved_minutes_are_not_published_and_nothing_is_written(named, meetings):
    before = named.writes()
    with pytest.raises(RuleViolation, match="are circulated; only approved minutes"):
        named.app.publish_minutes(ADMIN, meetings[0])
    with pytest.raises(NotFound, match="minutes: no minutes 'LRT-2023-12-15'"):
        named.app.publish_minutes(ADMIN, meetings[1])
    assert named.writes() == before


def test_who_reads_the_redactions(approved, named):
    assert len(redactions(named, AUDITOR, approved)) == 2
    assert len(redactions(named, CHAIR, approved)) == 2
    with pytest.raises(Forbidden):
        redactions(named, MEMBER, approved)


def test_a_concurrent_decision_is_decided_again(approved, named, make_app):
    """Two applications, as two processes: the second decides on fresh state."""
    other = make_app()
    named.app.add_redaction(ADMIN, approved, passage=OPINION, ground="5.2", reason="r")
    entry = other.add_redaction(ADMIN, approved, passage="Dhr. Jansen (BZK)",
                                ground="5.1.2e", reason="r")
    assert entry.added_number == 2
    with pytest.raises(RuleViolation, match="already redacted"):
        other.add_redaction(ADMIN, approved, passage=OPINION, ground="5.2", reason="r")
