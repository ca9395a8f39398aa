"""The read side alone (`projections.reading`, issue 16 point 4) names what it reads without
importing the domain's classes: these names are held to the classes'."""

from __future__ import annotations

from lrt_app.application import Lrt
from lrt_domain import base, read_rules, roles
from lrt_domain.directory import User
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.tables import Table
from projections import read_model, reading


def test_the_read_side_names_what_the_domain_names() -> None:
    assert (read_rules.TABLE_KIND, read_rules.MEETING_KIND, read_rules.MINUTES_KIND) == \
        (Table.KIND, Meeting.KIND, Minutes.KIND)
    assert read_rules.APPROVED_STATUS == MinutesStatus.APPROVED.value
    assert reading.USER_KIND == User.KIND
    assert reading.NAME == Lrt.name


def test_the_read_side_knows_the_read_models_schema() -> None:
    """A read model of another schema is the application's to rebuild: the read side must
    not read one (bump `projections.reading.SCHEMA` with `read_model.SCHEMA`)."""
    assert reading.SCHEMA == read_model.SCHEMA


def test_the_roles_and_ids_are_the_domains() -> None:
    assert base.Role is roles.Role and base.aggregate_id is roles.aggregate_id
    assert Table.id_for("LRT") == roles.aggregate_id("table", "LRT")
    actor = base.Actor(user="u", role=roles.Role.MEMBER, organisation="VNG", person="p")
    assert roles.ActorRow(**actor.model_dump()) == roles.ActorRow("u", roles.Role.MEMBER,
                                                                  "VNG", "p")


def test_the_read_side_checks_the_store_as_the_library_opens_it() -> None:
    from eventsourcing.sqlite import SQLiteConnectionPool

    from lrt_app.chain import chain_table_for
    from lrt_app.sqlite_store import memory_mode

    for name in ("", "lrt.sqlite", ":memory:", "file:x?mode=memory&cache=shared",
                 "/tmp/memory.sqlite"):
        assert memory_mode(name) == SQLiteConnectionPool.detect_memory_mode(name)
    assert reading.CHAIN_TABLE == chain_table_for(reading.EVENTS_TABLE)
