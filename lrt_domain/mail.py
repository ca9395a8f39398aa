"""Mail that people act on: what kinds there are, and the outbox as events.

Each message the notifier decides to send is an aggregate of its own, `Mail`, named by a
key that says why it is sent and to whom (`invitation:<trigger>:person:liesbeth-spies`), so
a decision is recorded once however often the notifier runs: the store refuses a second
`Mail.Decided` of the same key. Its Message-ID is fixed in the decision, so a message sent
again after a crash (the SMTP server accepted it, the record of that was lost) carries the
same Message-ID and the receiving side can recognise the duplicate.

`Notifier` keeps how far an organisation's notifier has read the log: its cursor over the
events that trigger mail, recorded as it moves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from . import checks
from .base import Aggregate, Context, DomainEvent
from .errors import InvalidInput, RuleViolation


class MailKind(StrEnum):
    INVITATION = "invitation"  # a meeting scheduled, or a guest invited (with .ics REQUEST)
    RESCHEDULED = "rescheduled"  # the meeting moved (.ics REQUEST, a higher SEQUENCE)
    CANCELLED = "cancelled"  # the meeting cancelled (.ics CANCEL)
    DOCUMENTS = "documents"  # a meeting document sent to the members
    ROUND = "round"  # a comment round opened on a document, with its deadline
    REMINDER = "reminder"  # before a round's deadline, to those who have not commented
    CIRCULATED = "circulated"  # draft minutes circulated: their comment round
    AMENDMENT = "amendment"  # an amendment accepted or rejected, to its organisation
    APPROVED = "approved"  # minutes approved
    ACTION_DUE = "action-due"  # an action due within the table's notice period
    ACTION_OVERDUE = "action-overdue"  # an action past its due date


# Nobody opts out of these: the meeting itself and the comment rounds.
MANDATORY = frozenset({MailKind.INVITATION, MailKind.RESCHEDULED, MailKind.CANCELLED,
                       MailKind.ROUND, MailKind.CIRCULATED})

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@" + _LABEL + r"(?:\." + _LABEL
                   + r")+$")


def email(field: str, value: str) -> str:
    """A mail address as SMTP takes it (no display name, no comments), domain in lower case."""
    value = checks.line(field, value, max_length=254)
    if not EMAIL.match(value) or ".." in value:
        raise InvalidInput(f"{field}: {value!r} is not a mail address (name@example.nl)")
    local_part, domain = value.rsplit("@", 1)
    return f"{local_part}@{domain.lower()}"


def mail_kind(value: str) -> MailKind:
    return checks.choice("kind", MailKind, value)


BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MOST = timedelta(hours=4)


def backoff(attempts: int) -> timedelta:
    """How long after the `attempts`-th failure the next attempt is made: 1, 2, 4 ...
    minutes, at most 4 hours."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(BACKOFF_FIRST * factor, BACKOFF_MOST)


class MailStatus(StrEnum):
    PENDING = "pending"  # decided, not yet sent
    FAILING = "failing"  # a transient failure; tried again after the back-off
    SENT = "sent"  # the SMTP server accepted it
    REFUSED = "refused"  # a permanent refusal (5xx): not tried again
    DROPPED = "dropped"  # no longer to be sent (the deadline passed, opted out, ...)


class Mail(Aggregate):
    KIND: ClassVar[str] = "mail"
    kind: MailKind
    table: str
    subject: str  # the meeting, document, minutes or action it is about
    recipient_kind: str  # person | organisation
    recipient: str  # a person's id or an organisation's code
    facts: dict[str, str]  # what the message says, as it was when decided
    message_id: str
    not_after: datetime | None = None  # never sent after this (a reminder: the deadline)
    status: MailStatus = MailStatus.PENDING
    attempts: int = 0
    next_attempt: datetime | None = None
    last_error: str | None = None
    sent_to: str | None = None
    sent_at: datetime | None = None

    class Decided(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Mail.Decided"
        key: str
        kind: MailKind
        table: str
        subject: str
        recipient_kind: str
        recipient: str
        facts: dict[str, str]
        message_id: str
        not_after: datetime | None = None

        def apply(self, state: None) -> Mail:
            return Mail.born(self, key=self.key, kind=self.kind, table=self.table,
                             subject=self.subject, recipient_kind=self.recipient_kind,
                             recipient=self.recipient, facts=self.facts,
                             message_id=self.message_id, not_after=self.not_after)

    class Sent(DomainEvent):
        """The SMTP server accepted the message for `to` with `reply`."""

        TOPIC: ClassVar[str] = "lrt.Mail.Sent"
        to: str
        reply: str

        def apply(self, state: Mail) -> Mail:
            return state.with_(status=MailStatus.SENT, attempts=state.attempts + 1,
                               sent_to=self.to, sent_at=self.timestamp, next_attempt=None)

    class Failed(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Mail.Failed"
        reason: str
        permanent: bool
        next_attempt: datetime | None = None

        def apply(self, state: Mail) -> Mail:
            return state.with_(
                status=MailStatus.REFUSED if self.permanent else MailStatus.FAILING,
                attempts=state.attempts + 1, last_error=self.reason,
                next_attempt=self.next_attempt)

    class Dropped(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Mail.Dropped"
        reason: str

        def apply(self, state: Mail) -> Mail:
            return state.with_(status=MailStatus.DROPPED, last_error=self.reason,
                               next_attempt=None)

    @classmethod
    def decide(cls, ctx: Context, key: str, *, kind: MailKind, table: str, subject: str,
               recipient_kind: str, recipient: str, facts: dict[str, str], message_id: str,
               not_after: datetime | None = None) -> Decided:
        if recipient_kind not in ("person", "organisation"):
            raise InvalidInput(f"recipient: {recipient_kind!r} is not person or organisation")
        return cls.start(cls.Decided, ctx, key, kind=kind, table=table, subject=subject,
                         recipient_kind=recipient_kind, recipient=recipient, facts=facts,
                         message_id=message_id, not_after=not_after)

    @property
    def open(self) -> bool:
        """Still to be sent (now or after its back-off)."""
        return self.status in (MailStatus.PENDING, MailStatus.FAILING)

    def due(self, now: datetime) -> bool:
        return self.open and (self.next_attempt is None or self.next_attempt <= now)

    def _require_open(self) -> None:
        if not self.open:
            raise RuleViolation(f"mail {self.key} is {self.status}; nothing more is sent")

    def sent(self, ctx: Context, *, to: str, reply: str) -> Sent:
        self._require_open()
        return self.trigger(self.Sent, ctx, to=email("to", to),
                            reply=checks.line("reply", reply or "250"))

    def failed(self, ctx: Context, *, reason: str, permanent: bool) -> Failed:
        self._require_open()
        return self.trigger(self.Failed, ctx, reason=checks.line("reason", reason),
                            permanent=permanent,
                            next_attempt=None if permanent
                            else ctx.now + backoff(self.attempts + 1))

    def drop(self, ctx: Context, reason: str) -> Dropped:
        self._require_open()
        return self.trigger(self.Dropped, ctx, reason=checks.line("reason", reason))


class Notifier(Aggregate):
    """How far the notifier of one organisation (its key) has read the log."""

    KIND: ClassVar[str] = "notifier"
    position: int

    class Started(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Notifier.Started"
        key: str
        position: int

        def apply(self, state: None) -> Notifier:
            return Notifier.born(self, key=self.key, position=self.position)

    class Advanced(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Notifier.Advanced"
        position: int

        def apply(self, state: Notifier) -> Notifier:
            return state.with_(position=self.position)

    @classmethod
    def start_at(cls, ctx: Context, organisation: str, position: int) -> Started:
        if position < 0:
            raise InvalidInput("position: not before the start of the log")
        return cls.start(cls.Started, ctx, organisation, position=position)

    def advance(self, ctx: Context, position: int) -> Advanced:
        if position <= self.position:
            raise RuleViolation(f"the notifier of {self.key} read up to {self.position} "
                                f"already, not back to {position}")
        return self.trigger(self.Advanced, ctx, position=position)
