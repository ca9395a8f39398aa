"""Setting up a store: initialisation, organisations, persons, users, tables; unknown ids."""

from __future__ import annotations

from datetime import date

import pytest

from lrt_domain.base import Role
from lrt_domain.directory import Organisation, Person, Store, User
from lrt_domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from lrt_domain.tables import Table, TableKind

from worlds.application import ADMIN, AUDITOR, MEMBER, START, at, items


def test_initialise_records_the_store_its_organisation_and_its_first_user(app):
    store = app.get(Store, "store")
    assert store.simulated is False and not app.simulated()
    assert app.get(Organisation, "JenV").name == "Ministerie van Justitie en Veiligheid"
    admin = app.get(User, ADMIN)
    assert (admin.role, admin.organisation, admin.active) == (Role.SECRETARIAT, "JenV", True)
    assert app.recorder.max_notification_id() == 3
    for event in app.events_of(User.id_for(ADMIN)):
        assert (event.actor, event.role) == (ADMIN, Role.SECRETARIAT)


def test_initialise_twice_is_refused_and_writes_nothing(app, make_app):
    before = app.recorder.max_notification_id()
    with pytest.raises(Conflict, match="the store was already initialised"):
        app.initialise(admin="other", organisation="BZK", organisation_name="BZK")
    with pytest.raises(Conflict, match="already initialised"):
        make_app().initialise(admin="other", organisation="BZK", organisation_name="BZK")
    assert app.recorder.max_notification_id() == before
    assert not app.exists(User, "other")


def test_a_simulated_store(make_app):
    app = make_app()
    assert not app.simulated()  # nothing there yet
    app.initialise(admin=ADMIN, organisation="JenV", organisation_name="JenV", simulated=True)
    assert app.simulated()


def test_duplicate_organisation_is_a_conflict(world):
    before = world.writes()
    with pytest.raises(Conflict, match=r"^organisation VNG already exists$"):
        world.app.register_organisation(ADMIN, "VNG", "Nog eens VNG")
    # the same code with spaces around it is the same organisation
    with pytest.raises(Conflict, match=r"^organisation VNG already exists$"):
        world.app.register_organisation(ADMIN, " VNG ", "Nog eens VNG")
    assert world.writes() == before
    assert world.app.get(Organisation, "VNG").name == "Vereniging van Nederlandse Gemeenten"


def test_duplicate_person_is_a_conflict(world):
    assert world.app.register_person(ADMIN, "Liesbeth Spies", title="Mevr.") == "liesbeth-spies"
    with pytest.raises(Conflict, match=r"^person liesbeth-spies already exists$"):
        world.app.register_person(ADMIN, "Liesbeth Spies")
    # a namesake gets a key of their own
    assert world.app.register_person(ADMIN, "Liesbeth Spies", person_key="spies-2") == "spies-2"
    assert world.app.get(Person, "liesbeth-spies").title == "Mevr."


def test_duplicate_user_is_a_conflict(world):
    before = world.writes()
    with pytest.raises(Conflict, match=r"^user vng-lid already exists$"):
        world.app.register_user(ADMIN, MEMBER, Role.AUDITOR)
    with pytest.raises(Conflict, match=r"^user woo already exists$"):
        world.app.register_user(ADMIN, " woo ", Role.AUDITOR)
    assert world.writes() == before
    assert world.app.get(User, MEMBER).role is Role.MEMBER


def test_duplicate_table_is_a_conflict(world):
    before = world.writes()
    for code in ("LRT", " LRT"):
        with pytest.raises(Conflict, match=r"^table LRT already exists$"):
            world.app.register_table(ADMIN, code, "Tweede LRT", kind=TableKind.NATIONAL,
                                     secretariat="BZK")
    assert world.writes() == before
    assert world.app.get(Table, "LRT").secretariat == "JenV"


def test_register_a_provincial_table(world):
    # IPO joins: its first secretariat user (any secretariat registers it), who runs it
    world.app.register_user(ADMIN, "sec-ipo", Role.SECRETARIAT, organisation="IPO")
    assert world.app.register_table("sec-ipo", "PRT-Gelderland", "Provinciale regietafel",
                                    kind=TableKind.PROVINCIAL, secretariat="IPO") \
        == "PRT-Gelderland"
    t = world.app.get(Table, "PRT-Gelderland")
    assert (t.kind, t.meetings_per_year, t.chair) == (TableKind.PROVINCIAL, 4, None)


def test_invalid_input_is_refused_naming_the_field_and_writes_nothing(world):
    before = world.writes()
    with pytest.raises(InvalidInput, match=r"^organisation code:"):
        world.app.register_organisation(ADMIN, "V N G", "x")
    with pytest.raises(InvalidInput, match=r"^name: must not be empty"):
        world.app.register_organisation(ADMIN, "AEDES", "")
    with pytest.raises(InvalidInput, match=r"^person: a member user needs a person"):
        world.app.register_user(ADMIN, "x", Role.MEMBER, organisation="VNG")
    with pytest.raises(InvalidInput, match=r"^meetings per year: must be at least 1"):
        world.app.register_table(ADMIN, "HLRT", "HLRT", kind=TableKind.PREPARATORY,
                                 secretariat="JenV", meetings_per_year=0)
    with pytest.raises(InvalidInput, match=r"^until: 2022-01-01 is before since 2023-01-01"):
        world.app.add_member(ADMIN, "LRT", person="veiligheidsberaad", organisation="COA",
                             function="f", since=date(2023, 1, 1), until=date(2022, 1, 1))
    with pytest.raises(InvalidInput, match=r"^starts at: needs a time zone"):
        world.app.schedule_meeting(ADMIN, "LRT", START.replace(tzinfo=None), "Webex")
    assert world.writes() == before


@pytest.mark.parametrize("command,kind", [
    (lambda app: app.register_user(ADMIN, "x", Role.MEMBER, organisation="NOPE", person="p"),
     "organisation"),
    (lambda app: app.register_user(ADMIN, "x", Role.GUEST, person="nobody"), "person"),
    (lambda app: app.register_table(ADMIN, "HLRT", "HLRT", kind=TableKind.PREPARATORY,
                                    secretariat="NOPE"), "organisation"),
    (lambda app: app.add_member(ADMIN, "NOPE", person="bestuurder-vng", organisation="VNG",
                                function="f", since=date(2023, 1, 1)), "table"),
    (lambda app: app.add_member(ADMIN, "LRT", person="nobody", organisation="VNG",
                                function="f", since=date(2024, 1, 1)), "person"),
    (lambda app: app.add_member(ADMIN, "LRT", person="bestuurder-vng", organisation="NOPE",
                                function="f", since=date(2024, 1, 1)), "organisation"),
    (lambda app: app.end_membership(ADMIN, "LRT", 7, date(2024, 1, 1)), "membership"),
    (lambda app: app.appoint_chair(ADMIN, "LRT", "nobody"), "person"),
    (lambda app: app.schedule_meeting(ADMIN, "NOPE", at(2024, 1, 1, 10), "Webex"), "table"),
    (lambda app: app.hold_meeting(ADMIN, "LRT-2099-01-01"), "meeting"),
    (lambda app: app.add_agenda_item(ADMIN, "LRT-2099-01-01", "x"), "meeting"),
    (lambda app: app.invite_guest(ADMIN, "LRT-2099-01-01", "veiligheidsberaad"), "meeting"),
    (lambda app: app.draft_minutes(ADMIN, "LRT-2099-01-01", items()), "meeting"),
    (lambda app: app.circulate_minutes(ADMIN, "LRT-2099-01-01", at(2099, 1, 1)), "minutes"),
    (lambda app: app.add_document(ADMIN, "LRT-2099-01-01", "t", "x"), "meeting"),
    (lambda app: app.revise_document(ADMIN, "LRT-2099-01-01/D1", "x"), "document"),
    (lambda app: app.comment(MEMBER, "LRT-2099-01-01/D1", "x"), "id"),
    (lambda app: app.complete_action(ADMIN, "LRT-2099-01-01/A1"), "action"),
    (lambda app: app.report_progress(MEMBER, "LRT-2099-01-01/A1", "x"), "action"),
    (lambda app: app.deactivate_user(ADMIN, "nobody", "r"), "user"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_unknown_ids_are_not_found_naming_the_kind(world, command, kind):
    before = world.writes()
    with pytest.raises(NotFound, match=rf"^{kind}: "):
        command(world.app)
    assert world.writes() == before


def test_unknown_acting_user(world):
    with pytest.raises(NotFound, match=r"^user: no user 'nobody'; register one with"):
        world.app.register_organisation("nobody", "AEDES", "Aedes")
    with pytest.raises(NotFound, match=r"^user: name the acting user"):
        world.app.register_organisation("", "AEDES", "Aedes")
    assert not world.app.exists(Organisation, "AEDES")


def test_a_deactivated_user_can_no_longer_act(world):
    world.app.deactivate_user(ADMIN, AUDITOR, "uit dienst")
    assert not world.app.get(User, AUDITOR).active
    world.app.register_user(ADMIN, "sec2", Role.SECRETARIAT, organisation="JenV")
    world.app.deactivate_user(ADMIN, "sec2", "uit dienst")
    with pytest.raises(Forbidden, match=r"^user sec2 was deactivated$"):
        world.app.register_organisation("sec2", "AEDES", "Aedes")
    assert not world.app.exists(Organisation, "AEDES")


def test_memberships_through_the_application(world):
    app = world.app
    number = app.add_member(ADMIN, "LRT", person="veiligheidsberaad", organisation="COA",
                            function="directeur", since=date(2023, 6, 1))
    assert number == 3
    app.end_membership(ADMIN, "LRT", number, date(2023, 12, 31))
    t = app.get(Table, "LRT")
    assert t.membership(3).until == date(2023, 12, 31)
    assert [m.person for m in t.members_on(date(2024, 1, 1))] == ["bestuurder-vng",
                                                                  "ambtenaar-ipo"]
    # the table as it was before the membership ended
    assert app.get(Table, "LRT", version=t.version - 1).membership(3).until is None
