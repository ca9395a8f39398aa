"""The mail's domain: addresses, wishes, the outbox's life, back-off, the reminder rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lrt_domain.base import Actor, Context, Role, fold
from lrt_domain.directory import Organisation, Person
from lrt_domain.errors import Forbidden, InvalidInput, RuleViolation
from lrt_domain.mail import MANDATORY, Mail, MailKind, MailStatus, Notifier, backoff, email
from lrt_domain.permissions import require_notifier, require_person_editor
from lrt_domain.tables import Table, TableKind

NOW = datetime(2023, 11, 1, 9, tzinfo=timezone.utc)
SEC = Context(actor=Actor(user="sec", role=Role.SECRETARIAT, organisation="JenV"), now=NOW)


@pytest.mark.parametrize("address", ["a@b.nl", "l.spies@vng.example", "x+y@sub.Example.NL"])
def test_addresses_taken(address: str) -> None:
    assert email("email", address).rsplit("@", 1)[1] == address.rsplit("@", 1)[1].lower()


@pytest.mark.parametrize("address", ["", "spies", "@vng.nl", "a@b", "a@@b.nl", "a b@c.nl",
                                     "Spies <a@b.nl>", "a@b.nl\nBcc: x@y.nl", "a..b@c.nl",
                                     "a@-b.nl", "x" * 250 + "@b.nl"])
def test_addresses_refused(address: str) -> None:
    with pytest.raises(InvalidInput, match="^email: "):
        email("email", address)


def test_a_person_s_address_and_wishes() -> None:
    p = fold(None, Person.register(SEC, "Liesbeth Spies"))
    p = fold(p, p.change_email(SEC, "L.Spies@VNG.example"))
    assert p.email == "L.Spies@vng.example"
    with pytest.raises(RuleViolation, match="already"):
        p.change_email(SEC, "L.Spies@vng.example")
    p = fold(p, p.opt_out(SEC, MailKind.APPROVED))
    assert not p.wants(MailKind.APPROVED) and p.wants(MailKind.REMINDER)
    for kind in MANDATORY:
        with pytest.raises(RuleViolation, match="mandatory"):
            p.opt_out(SEC, kind)
        assert p.wants(kind)
    p = fold(p, p.opt_in(SEC, MailKind.APPROVED))
    assert p.wants(MailKind.APPROVED)
    with pytest.raises(RuleViolation):
        p.opt_in(SEC, MailKind.APPROVED)
    p = fold(p, p.change_email(SEC, None))
    assert p.email is None
    with pytest.raises(RuleViolation, match="no mail address"):
        p.change_email(SEC, None)
    o = fold(None, Organisation.register(SEC, "IPO", "Interprovinciaal Overleg"))
    assert fold(o, o.change_email(SEC, "secretariaat@ipo.example")).email


def test_who_changes_a_person_s_mail() -> None:
    require_person_editor(SEC.actor, "spies", "x")
    require_person_editor(Actor(user="s", role=Role.MEMBER, organisation="VNG",
                                person="spies"), "spies", "x")
    with pytest.raises(Forbidden):
        require_person_editor(Actor(user="s", role=Role.MEMBER, organisation="VNG",
                                    person="spies"), "de-reus", "x")
    with pytest.raises(Forbidden):
        require_person_editor(Actor(user="w", role=Role.AUDITOR), "spies", "x")
    assert require_notifier(SEC.actor) == "JenV"
    with pytest.raises(Forbidden):
        require_notifier(Actor(user="c", role=Role.CHAIR, person="minister"))


def test_the_outbox_life_and_back_off() -> None:
    decided = Mail.decide(SEC, "reminder:x:person:spies", kind=MailKind.REMINDER,
                          table="LRT", subject="LRT-2023-11-10/D1", recipient_kind="person",
                          recipient="spies", facts={"round": "1"}, message_id="<a@b.nl>",
                          not_after=NOW + timedelta(days=1))
    m = fold(None, decided)
    assert m.status is MailStatus.PENDING and m.due(NOW)
    m = fold(m, m.failed(SEC, reason="421 later", permanent=False))
    assert m.status is MailStatus.FAILING and m.next_attempt == NOW + timedelta(minutes=1)
    assert not m.due(NOW + timedelta(seconds=59)) and m.due(NOW + timedelta(minutes=1))
    m = fold(m, m.failed(SEC, reason="421 later", permanent=False))
    assert m.next_attempt == NOW + timedelta(minutes=2) and m.attempts == 2
    sent = fold(m, m.sent(SEC, to="spies@vng.example", reply="250 OK"))
    assert sent.status is MailStatus.SENT and not sent.open and sent.attempts == 3
    for then in (lambda: sent.sent(SEC, to="spies@vng.example", reply="250"),
                 lambda: sent.failed(SEC, reason="x", permanent=False),
                 lambda: sent.drop(SEC, "x")):
        with pytest.raises(RuleViolation, match="nothing more is sent"):
            then()
    refused = fold(m, m.failed(SEC, reason="550 unknown", permanent=True))
    assert refused.status is MailStatus.REFUSED and refused.next_attempt is None
    assert [backoff(n) for n in (1, 2, 3, 9, 30)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(hours=4), timedelta(hours=4)]


def test_the_notifier_only_moves_on() -> None:
    n = fold(None, Notifier.start_at(SEC, "JenV", 10))
    n = fold(n, n.advance(SEC, 12))
    assert n.position == 12
    with pytest.raises(RuleViolation):
        n.advance(SEC, 12)


def test_reminder_hours_in_the_rules() -> None:
    t = fold(None, Table.register(SEC, "LRT", "LRT", kind=TableKind.NATIONAL,
                                  secretariat="JenV"))
    assert t.rules_at(NOW).reminder_hours == (24, 2)
    t = fold(t, t.change_rules(SEC, reminder_hours=(2, 48, 2)))
    assert t.rules_at(NOW).reminder_hours == (48, 2)
    assert fold(t, t.change_rules(SEC, reminder_hours=())).rules_at(NOW).reminder_hours == ()
    for bad in ((0,), (24 * 15,), (1, 2, 3, 4, 5, 6)):
        with pytest.raises(InvalidInput, match="^reminders: "):
            t.change_rules(SEC, reminder_hours=bad)
    with pytest.raises(InvalidInput, match="^action notice: "):
        t.change_rules(SEC, action_notice_days=61)


def test_the_command_line_knows_every_kind() -> None:
    from cli.commands.directory import MAIL_KINDS

    assert set(MAIL_KINDS) == {k.value for k in MailKind}
