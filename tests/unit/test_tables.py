"""Tables and dated memberships."""

from __future__ import annotations

from datetime import date

import pytest

from lrt_domain.base import fold
from lrt_domain.errors import InvalidInput, NotFound, RuleViolation
from lrt_domain import checks
from lrt_domain.tables import Table, TableKind

from worlds.domain import ctx, table


def test_register_a_table():
    t = fold(None, Table.register(ctx(), "HLRT", "Hoogambtelijke Regietafel",
                                  kind=TableKind.PREPARATORY, secretariat="JenV"))
    assert (t.key, t.kind, t.secretariat, t.meetings_per_year, t.chair) == (
        "HLRT", TableKind.PREPARATORY, "JenV", 4, None)
    assert t.memberships == ()


def test_register_refuses_bad_code_empty_name_and_no_rhythm():
    with pytest.raises(InvalidInput, match=r"^table code:"):
        Table.register(ctx(), "L R T", "x", kind=TableKind.NATIONAL, secretariat="JenV")
    with pytest.raises(InvalidInput, match=r"^name: must not be empty"):
        Table.register(ctx(), "LRT", "", kind=TableKind.NATIONAL, secretariat="JenV")
    with pytest.raises(InvalidInput, match=r"^meetings per year: must be at least 1"):
        Table.register(ctx(), "LRT", "x", kind=TableKind.NATIONAL, secretariat="JenV",
                       meetings_per_year=0)


def test_parse_kind():
    assert checks.choice("kind", TableKind, "provincial") is TableKind.PROVINCIAL
    with pytest.raises(InvalidInput, match=r"^kind: 'regional' is not one of national, "
                                           r"preparatory, provincial"):
        checks.choice("kind", TableKind, "regional")


def test_appoint_chair_and_refuse_the_same_chair_again():
    t = table()
    assert t.chair == "minister-jenv"
    with pytest.raises(RuleViolation, match="minister-jenv already chairs LRT"):
        t.appoint_chair(ctx(), "minister-jenv")
    t = fold(t, t.appoint_chair(ctx(), "minister-am"))
    assert t.chair == "minister-am"


def test_change_rhythm():
    t = table()
    t = fold(t, t.change_rhythm(ctx(), 12))
    assert t.meetings_per_year == 12
    with pytest.raises(InvalidInput, match=r"^meetings per year: must be at least 1"):
        t.change_rhythm(ctx(), 0)


def test_memberships_are_numbered_and_name_the_organisation():
    t = table()
    assert [m.number for m in t.memberships] == [1, 2]
    event = t.add_member(ctx(), person="directeur-coa", organisation="COA", function="directeur",
                         since=date(2023, 3, 1), office_holder=False)
    assert event.membership.number == 3
    assert event.on_behalf_of == "COA"
    t = fold(t, event)
    assert t.membership(3).function == "directeur" and t.membership(3).until is None


def test_membership_until_before_since_is_refused():
    with pytest.raises(InvalidInput, match=r"^until: 2022-12-31 is before since 2023-01-01"):
        table().add_member(ctx(), person="x", organisation="COA", function="f",
                           since=date(2023, 1, 1), until=date(2022, 12, 31),
                           office_holder=False)


def test_membership_function_must_not_be_empty():
    with pytest.raises(InvalidInput, match=r"^function: must not be empty"):
        table().add_member(ctx(), person="x", organisation="COA", function=" ",
                           since=date(2023, 1, 1), office_holder=False)


@pytest.mark.parametrize("since,until", [
    (date(2024, 1, 1), None),  # inside an open-ended membership
    (date(2022, 1, 1), date(2023, 1, 1)),  # ends on the day the other starts
    (date(2022, 1, 1), None),  # surrounds it
])
def test_overlapping_membership_for_the_same_organisation_is_refused(since, until):
    with pytest.raises(RuleViolation, match=r"bestuurder-vng is already a member of LRT for VNG "
                                            r"from 2023-01-01 \(membership 1\)"):
        table().add_member(ctx(), person="bestuurder-vng", organisation="VNG", function="f",
                           since=since, until=until, office_holder=True)


def test_overlap_with_an_ended_membership_is_refused_but_after_it_is_allowed():
    t = table()  # ambtenaar-ipo for IPO until 2023-11-05
    with pytest.raises(RuleViolation, match="already a member"):
        t.add_member(ctx(), person="ambtenaar-ipo", organisation="IPO", function="f",
                     since=date(2023, 11, 5), office_holder=False)
    t = fold(t, t.add_member(ctx(), person="ambtenaar-ipo", organisation="IPO", function="f",
                             since=date(2023, 11, 6), office_holder=False))
    assert len(t.memberships) == 3


def test_same_person_for_another_organisation_is_not_an_overlap():
    t = table()
    t = fold(t, t.add_member(ctx(), person="bestuurder-vng", organisation="Aedes",
                             function="f", since=date(2023, 2, 1), office_holder=True))
    assert [m.organisation for m in t.members_on(date(2023, 3, 1))] == ["VNG", "IPO", "Aedes"]


def test_members_on_a_date_includes_both_ends_of_the_period():
    t = table()
    persons = lambda d: [m.person for m in t.members_on(d)]  # noqa: E731
    assert persons(date(2022, 12, 31)) == []
    assert persons(date(2023, 1, 1)) == ["bestuurder-vng", "ambtenaar-ipo"]
    assert persons(date(2023, 11, 5)) == ["bestuurder-vng", "ambtenaar-ipo"]
    assert persons(date(2023, 11, 6)) == ["bestuurder-vng"]
    assert t.membership_of("ambtenaar-ipo", date(2023, 11, 6)) is None
    assert t.membership_of("ambtenaar-ipo", date(2023, 11, 1)).organisation == "IPO"
    assert t.membership_of(None, date(2023, 11, 1)) is None


def test_end_membership():
    t = table()
    event = t.end_membership(ctx(), 1, date(2024, 6, 30))
    assert event.on_behalf_of == "VNG"
    t = fold(t, event)
    assert t.membership(1).until == date(2024, 6, 30)
    assert t.membership_of("bestuurder-vng", date(2024, 7, 1)) is None
    # an ended membership may be ended earlier, never later or on the same day
    t = fold(t, t.end_membership(ctx(), 1, date(2024, 3, 31)))
    assert t.membership(1).until == date(2024, 3, 31)


def test_end_membership_refusals():
    t = table()
    with pytest.raises(InvalidInput, match=r"^until: 2022-12-31 is before since 2023-01-01"):
        t.end_membership(ctx(), 1, date(2022, 12, 31))
    with pytest.raises(RuleViolation, match=r"membership 2 already ends on 2023-11-05"):
        t.end_membership(ctx(), 2, date(2023, 11, 5))
    with pytest.raises(RuleViolation, match=r"membership 2 already ends on 2023-11-05"):
        t.end_membership(ctx(), 2, date(2024, 1, 1))
    with pytest.raises(NotFound, match=r"^membership: LRT has no membership 9"):
        t.end_membership(ctx(), 9, date(2024, 1, 1))


def test_table_versions_count_events():
    t = table()
    assert t.version == 4  # registered, chair, two members
