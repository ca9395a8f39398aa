"""Input checks, keys, ids and the directory (organisations, persons, users, the store)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from lrt_domain import checks
from lrt_domain.base import Role, aggregate_id, fold
from lrt_domain.directory import Organisation, Person, Store, User, key, slug
from lrt_domain.dutch_time import AMSTERDAM, local, local_date
from lrt_domain.errors import DomainError, InvalidInput, RuleViolation
from lrt_domain.tables import Table

from worlds.domain import SECRETARIAT, START, ctx


# --- text and line ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "\n\t ", None])
def test_empty_text_is_refused_naming_the_field(value):
    with pytest.raises(InvalidInput, match=r"^summary: must not be empty"):
        checks.text("summary", value)


def test_text_is_stripped():
    assert checks.text("summary", "  Opening.  \n") == "Opening."


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\x1bb", "a\rb", "a\x0bb"])
def test_control_characters_are_refused(bad):
    with pytest.raises(InvalidInput, match=r"^summary: contains control characters"):
        checks.text("summary", bad)


@pytest.mark.parametrize("bad,code", [
    ("a\ufffeb", "U+FFFE"), ("a\uffffb", "U+FFFF"), ("a\ud800b", "U+D800"),
    ("a\udcffb", "U+DCFF"),  # invalid UTF-8, as Python reads it from a command line
])
def test_what_no_document_can_hold_is_refused_naming_the_character(bad, code):
    message = (f"summary: contains a character that cannot be stored in a document "
               f"({code} at character 2)")
    with pytest.raises(InvalidInput, match=f"^{re.escape(message)}$"):
        checks.text("summary", bad)
    with pytest.raises(InvalidInput, match=re.escape(code)):
        checks.line("title", bad)


def test_every_character_xml_allows_is_taken():
    """XML 1.0: tab, newline, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF (a lone
    carriage return is refused as before: one line ending)."""
    import docx  # what the documents are written with: every accepted text goes into one

    allowed = "\t\n" + "".join(chr(c) for c in (0x20, 0x7F, 0x85, 0xA0, 0x2028, 0xD7FF,
                                                0xE000, 0xFDD0, 0xFFFD, 0x10000, 0x10FFFF))
    text = checks.text("summary", f"a{allowed}b")
    docx.Document().add_paragraph(text)
    for c in [*range(0x20), 0xFFFE, 0xFFFF, 0xD800, 0xDFFF]:
        if chr(c) not in "\t\n":
            with pytest.raises(InvalidInput):
                checks.text("summary", f"a{chr(c)}b")


def test_newlines_and_tabs_are_allowed_in_text():
    assert checks.text("summary", "punt 1\n\tpunt 2") == "punt 1\n\tpunt 2"


def test_text_longer_than_the_maximum_is_refused():
    assert checks.text("note", "x" * 10, max_length=10) == "x" * 10
    with pytest.raises(InvalidInput, match=r"^note: longer than 10 characters"):
        checks.text("note", "x" * 11, max_length=10)


def test_a_line_must_be_a_single_line():
    with pytest.raises(InvalidInput, match=r"^place: must be a single line"):
        checks.line("place", "Johan de\nWitthuis")
    with pytest.raises(InvalidInput, match=r"^place: longer than 500"):
        checks.line("place", "x" * 501)
    assert checks.line("place", " Webex ") == "Webex"


# --- datetimes ----------------------------------------------------------------------


def test_a_naive_datetime_is_refused_naming_the_field():
    with pytest.raises(InvalidInput, match=r"^deadline: needs a time zone"):
        checks.aware("deadline", datetime(2023, 11, 10, 12))
    with pytest.raises(InvalidInput, match=r"^deadline: needs a time zone"):
        checks.in_future("deadline", datetime(2030, 1, 1), START)
    with pytest.raises(InvalidInput, match=r"^received at: needs a time zone"):
        checks.not_in_future("received at", datetime(2020, 1, 1), START)


def test_in_future_refuses_the_past_and_the_present():
    with pytest.raises(InvalidInput, match=r"^deadline: .* is in the past"):
        checks.in_future("deadline", START - timedelta(seconds=1), START)
    with pytest.raises(InvalidInput, match=r"^deadline: .* is in the past"):
        checks.in_future("deadline", START, START)
    later = START + timedelta(microseconds=1)
    assert checks.in_future("deadline", later, START) == later


def test_not_in_future_refuses_the_future_only():
    with pytest.raises(InvalidInput, match=r"^received at: .* is in the future"):
        checks.not_in_future("received at", START + timedelta(microseconds=1), START)
    assert checks.not_in_future("received at", START, START) == START


def test_comparisons_are_by_instant_across_time_zones():
    # 10:00 in Amsterdam (winter) is 09:00 UTC: not in the future of 09:00 UTC.
    utc_now = datetime(2023, 11, 10, 9, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput, match="in the past"):
        checks.in_future("deadline", datetime(2023, 11, 10, 10, tzinfo=AMSTERDAM), utc_now)


def test_an_end_before_the_start_is_refused_naming_the_end_field():
    with pytest.raises(InvalidInput, match=r"^until: 2023-01-01 is before since 2023-06-01"):
        checks.period("since", date(2023, 6, 1), "until", date(2023, 1, 1))
    checks.period("since", date(2023, 6, 1), "until", date(2023, 6, 1))  # one day: fine
    checks.period("since", date(2023, 6, 1), "until", None)  # open-ended: fine


@pytest.mark.parametrize("value", [0, -3])
def test_positive_refuses_zero_and_less(value):
    with pytest.raises(InvalidInput, match=r"^meetings per year: must be at least 1"):
        checks.positive("meetings per year", value)


def test_every_domain_error_is_a_domain_error():
    assert issubclass(InvalidInput, DomainError) and issubclass(RuleViolation, DomainError)


# --- Dutch time ---------------------------------------------------------------------


def test_local_date_is_the_date_in_amsterdam():
    late_utc = datetime(2023, 11, 9, 23, 30, tzinfo=timezone.utc)  # 00:30 on the 10th in NL
    assert local_date(late_utc) == date(2023, 11, 10)
    summer = datetime(2023, 6, 30, 22, 30, tzinfo=timezone.utc)  # 00:30 CEST on 1 July
    assert local_date(summer) == date(2023, 7, 1)
    assert local(late_utc).utcoffset() == timedelta(hours=1)


# --- keys and ids -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["VNG", "Kring-CdK", "A&O", "o'brien", "HLRT.2", "x" * 64,
                                   " IPO "])
def test_valid_keys(value):
    assert key("organisation code", value) == value.strip()


@pytest.mark.parametrize("value", ["", "-VNG", "V NG", "VNG/2", "x" * 65, "Mé", "a²", None])
def test_invalid_keys_are_refused_naming_the_field(value):
    with pytest.raises(InvalidInput, match=r"^organisation code: .* is not a valid id"):
        key("organisation code", value)


def test_slug_is_a_readable_ascii_key():
    assert slug("Liesbeth Spies") == "liesbeth-spies"
    assert slug("Hélène  d'Ancona-Çelik") == "helene-d-ancona-celik"
    assert slug("!!!") == "person"
    assert len(slug("a" * 100)) == 64


def test_aggregate_ids_are_derived_from_kind_and_key():
    assert aggregate_id("table", "LRT") == Table.id_for("LRT")
    assert aggregate_id("table", "LRT") == aggregate_id("table", "LRT")
    assert aggregate_id("table", "LRT") != aggregate_id("organisation", "LRT")
    assert aggregate_id("table", "LRT") != aggregate_id("table", "HLRT")


# --- the directory ------------------------------------------------------------------


def test_store_initialised():
    store = fold(None, Store.initialise(ctx(), simulated=True))
    assert (store.key, store.simulated, store.version) == ("store", True, 1)
    assert store.created_on == START


def test_organisation_registered_with_a_stripped_key():
    event = Organisation.register(ctx(), " VNG ", "Vereniging van Nederlandse Gemeenten")
    org = fold(None, event)
    assert org.key == "VNG" and org.id == Organisation.id_for("VNG")
    assert (event.actor, event.role) == ("sec-jenv", Role.SECRETARIAT)


def test_organisation_refuses_a_bad_code_or_an_empty_name():
    with pytest.raises(InvalidInput, match=r"^organisation code:"):
        Organisation.register(ctx(), "V N G", "VNG")
    with pytest.raises(InvalidInput, match=r"^name: must not be empty"):
        Organisation.register(ctx(), "VNG", " ")


def test_person_key_defaults_to_the_slug_of_the_name():
    person = fold(None, Person.register(ctx(), "Liesbeth Spies", title="Mevr."))
    assert (person.key, person.name, person.title) == ("liesbeth-spies", "Liesbeth Spies", "Mevr.")
    other = fold(None, Person.register(ctx(), "Liesbeth Spies", person_key="spies-2"))
    assert other.key == "spies-2" and other.title is None


def test_person_refuses_empty_name_bad_key_and_multiline_title():
    with pytest.raises(InvalidInput, match=r"^name: must not be empty"):
        Person.register(ctx(), "")
    with pytest.raises(InvalidInput, match=r"^person id:"):
        Person.register(ctx(), "Jan", person_key="jan de vries")
    with pytest.raises(InvalidInput, match=r"^title: must be a single line"):
        Person.register(ctx(), "Jan", title="Dhr.\nminister")


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.MEMBER])
def test_secretariat_and_member_users_need_an_organisation(role):
    with pytest.raises(InvalidInput, match=r"^organisation: a .* user needs an organisation"):
        User.register(ctx(), "u1", role, organisation=None, person="p")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUEST, Role.CHAIR])
def test_member_guest_and_chair_users_need_a_person(role):
    with pytest.raises(InvalidInput, match=r"^person: a .* user needs a person"):
        User.register(ctx(), "u1", role, organisation="VNG", person=None)


def test_auditor_needs_neither_organisation_nor_person():
    user = fold(None, User.register(ctx(), "woo", Role.AUDITOR, organisation=None, person=None))
    assert user.as_actor.role is Role.AUDITOR and user.active


def test_user_login_must_be_a_valid_key():
    with pytest.raises(InvalidInput, match=r"^user:"):
        User.register(ctx(), "jan de vries", Role.AUDITOR, organisation=None, person=None)


def test_user_as_actor_carries_role_organisation_and_person():
    user = fold(None, User.register(ctx(), "vng-lid", Role.MEMBER, organisation="VNG",
                                    person="bestuurder-vng"))
    actor = user.as_actor
    assert (actor.user, actor.role, actor.organisation, actor.person) == (
        "vng-lid", Role.MEMBER, "VNG", "bestuurder-vng")


def test_deactivating_a_user_twice_is_refused_and_needs_a_reason():
    user = fold(None, User.register(ctx(), "woo", Role.AUDITOR, organisation=None, person=None))
    with pytest.raises(InvalidInput, match=r"^reason: must not be empty"):
        user.deactivate(ctx(), "")
    user = fold(user, user.deactivate(ctx(), "left the ministry"))
    assert not user.active and user.version == 2
    with pytest.raises(RuleViolation, match="already deactivated"):
        user.deactivate(ctx(), "again")


def test_events_name_the_actor_and_role_and_record_time():
    event = Organisation.register(ctx(START, SECRETARIAT), "IPO", "Interprovinciaal Overleg")
    assert event.actor == "sec-jenv" and event.role is Role.SECRETARIAT
    assert event.timestamp == START and event.originator_version == 1


def test_windows_line_endings_are_read_as_newlines():
    assert checks.text("summary", "punt 1\r\npunt 2\r\n") == "punt 1\npunt 2"
