"""A table's rules of procedure as data: each change an event, in force from a date; the
minutes' approval follows the procedure chosen; the rhythm says when the next meeting is due."""

from __future__ import annotations

from datetime import date

import pytest

from lrt_domain.base import fold
from lrt_domain.errors import InvalidInput, RuleViolation
from lrt_domain.minutes import MinutesStatus
from lrt_domain import checks
from lrt_domain.tables import DEFAULT_RULES, ApprovalProcedure, TableRules, add_months

from worlds.domain import (AFTER_DEADLINE, MEMBER, at, circulated, ctx, held_meeting, later_meeting,
                    table)

WRITTEN = TableRules(approval=ApprovalProcedure.WRITTEN)


def test_a_new_table_has_the_default_rules():
    t = table()
    assert t.rules_on(date(2023, 11, 10)) == DEFAULT_RULES
    assert DEFAULT_RULES == TableRules(documents_due_days=5, comment_round_days=5,
                                       approval=ApprovalProcedure.MEETING,
                                       written_procedure_days=5)


def test_a_change_keeps_the_rules_it_does_not_name_and_is_in_force_from_its_date():
    t = table()
    event = t.change_rules(ctx(at(2023, 11, 1, 10)), documents_due_days=10)
    assert event.TOPIC == "lrt.Table.RulesChanged"
    assert event.change.effective_from == date(2023, 11, 1)  # today, by default
    t = fold(t, event)
    assert t.rules_on(date(2023, 10, 31)) == DEFAULT_RULES
    assert t.rules_on(date(2023, 11, 1)) == TableRules(documents_due_days=10)
    # a second change from a later date builds on what is in force then
    t = fold(t, t.change_rules(ctx(at(2023, 11, 2)), effective_from=date(2024, 1, 1),
                               approval=ApprovalProcedure.WRITTEN))
    assert t.rules_on(date(2023, 12, 31)) == TableRules(documents_due_days=10)
    assert t.rules_on(date(2024, 1, 1)) == TableRules(documents_due_days=10,
                                                      approval=ApprovalProcedure.WRITTEN)
    assert [c.number for c in t.rules_changes] == [1, 2]


def test_of_two_changes_for_the_same_date_the_one_recorded_last_holds():
    t = table()
    c = ctx(at(2023, 11, 1))
    t = fold(t, t.change_rules(c, effective_from=date(2023, 12, 1), comment_round_days=3))
    t = fold(t, t.change_rules(c, effective_from=date(2023, 12, 1), comment_round_days=7))
    assert t.rules_on(date(2023, 12, 1)).comment_round_days == 7
    # a change recorded later but effective earlier does not override the later date
    t = fold(t, t.change_rules(c, effective_from=date(2023, 11, 15), comment_round_days=2))
    assert t.rules_on(date(2023, 11, 20)).comment_round_days == 2
    assert t.rules_on(date(2023, 12, 2)).comment_round_days == 7


@pytest.mark.parametrize("changes,error,match", [
    ({}, InvalidInput, "^rules: give at least one"),
    ({"documents_due_days": -1}, InvalidInput, "^documents due: -1 working days is not"),
    ({"documents_due_days": 61}, InvalidInput, "^documents due: 61"),
    ({"comment_round_days": 0}, InvalidInput, "^comment round: 0 working days"),
    ({"written_procedure_days": 0}, InvalidInput, "^written procedure: 0"),
    ({"documents_due_days": 5}, RuleViolation, "already these"),
])
def test_bad_rules_are_refused_naming_the_field(changes, error, match):
    with pytest.raises(error, match=match):
        table().change_rules(ctx(), **changes)


def test_documents_may_be_due_at_the_meeting_itself():
    t = table()
    t = fold(t, t.change_rules(ctx(), documents_due_days=0))
    rules = t.rules_on(date(2023, 11, 10))
    assert rules.documents_due(at(2023, 11, 10, 9, 15)) == at(2023, 11, 10, 9, 15)


def test_rules_give_the_deadlines():
    rules = TableRules(documents_due_days=5, comment_round_days=2, written_procedure_days=10)
    assert rules.documents_due(at(2023, 11, 10, 9, 15)) == at(2023, 11, 3, 9, 15)
    assert rules.comment_deadline(at(2023, 11, 14, 10)) == at(2023, 11, 16, 12)
    # ten working days from Friday 15 December 2023, over Christmas and New Year:
    # 18-22 December, 27-29 December, 2 and 3 January
    assert rules.written_procedure_deadline(at(2023, 12, 15, 16)) == at(2024, 1, 3, 12)


def test_parse_approval():
    assert checks.choice("approval", ApprovalProcedure, "written") is ApprovalProcedure.WRITTEN
    with pytest.raises(InvalidInput, match="^approval: 'sometimes' is not one of meeting, "
                                           "written"):
        checks.choice("approval", ApprovalProcedure, "sometimes")


# --- the domain enforces the procedure ------------------------------------------------


def test_where_minutes_are_approved_at_a_meeting_no_written_procedure_starts():
    with pytest.raises(RuleViolation, match="approves its minutes at a later meeting"):
        circulated().start_written_procedure(ctx(AFTER_DEADLINE), at(2023, 11, 28, 12),
                                             rules=DEFAULT_RULES)


def test_where_minutes_are_approved_by_written_procedure_a_meeting_does_not_approve_them():
    with pytest.raises(RuleViolation, match="by written procedure; at a meeting only after "
                                            "an objection"):
        circulated().approve_at_meeting(ctx(at(2023, 12, 15, 13)), held_meeting(),
                                        later_meeting(), rules=WRITTEN)


def test_after_an_objection_in_the_written_procedure_a_meeting_approves():
    mins = circulated()
    mins = fold(mins, mins.start_written_procedure(ctx(AFTER_DEADLINE), at(2023, 11, 28, 12),
                                                   rules=WRITTEN))
    mins = fold(mins, mins.raise_objection(ctx(at(2023, 11, 22), MEMBER),
                                           person="bestuurder-vng", organisation="VNG",
                                           text="Punt 3 bespreken."))
    mins = fold(mins, mins.approve_at_meeting(ctx(at(2023, 12, 15, 13)), held_meeting(),
                                              later_meeting(), rules=WRITTEN))
    assert mins.status is MinutesStatus.APPROVED
    assert mins.approval.at_meeting == "LRT-2023-12-15"


# --- the rhythm -----------------------------------------------------------------------


@pytest.mark.parametrize("per_year,last,due", [
    (4, date(2023, 11, 10), date(2024, 2, 10)),
    (12, date(2024, 1, 31), date(2024, 2, 29)),  # a shorter month: its last day
    (6, date(2024, 9, 23), date(2024, 11, 23)),  # every two months (seed 003)
    (5, date(2024, 1, 1), date(2024, 3, 14)),  # not a whole number of months: 73 days
])
def test_the_next_meeting_is_due_after_a_share_of_the_year(per_year, last, due):
    t = table()
    t = fold(t, t.change_rhythm(ctx(), per_year)) if per_year != 4 else t
    assert t.next_meeting_due(last) == due


def test_add_months_across_the_year():
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), -12) == date(2023, 1, 15)
