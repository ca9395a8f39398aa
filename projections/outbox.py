"""The notifier (`lrt notify`): what mail to send to whom, decided from the events, and the
outbox sent.

Deciding is a projection. The events that call for mail (a meeting scheduled, moved or
cancelled, a guest invited, a document sent, a comment round opened, minutes circulated,
an amendment decided, minutes approved) are read from the log after the notifier's cursor
(`Notifier`, one per organisation); the mail that time calls for (reminders before a
round's deadline, actions coming due or overdue) is read from the views with the clock.
Every decision is a `Mail.Decided` event, keyed by why and to whom, so it is recorded once
whoever runs the notifier and however often.

Sending reads the open decisions from the outbox view and records each outcome as an event:
`Mail.Sent` with the server's reply, `Mail.Failed` with the reason and the next attempt
(back-off), `Mail.Dropped` when it should no longer go (the deadline passed, the person
commented or opted out, no address). A crash after the server accepted a message and before
`Mail.Sent` was recorded sends it again, with the same Message-ID.

Commands never wait for any of this: they record their events; mail follows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

from lrt_app.application import Lrt, MailDecision
from lrt_app.mail_render import Context as RenderContext
from lrt_app.mail_render import render
from lrt_app.smtp import Connection, Refused, SmtpSettings, Unreachable, date_header, message
from lrt_domain import permissions
from lrt_domain.actions import Action
from lrt_domain.base import Actor, Aggregate, DomainEvent, project
from lrt_domain.comment_rounds import Commentable, RoundOpened
from lrt_domain.directory import Organisation, Person
from lrt_domain.documents import Document
from lrt_domain.dutch_time import local_date
from lrt_domain.errors import Conflict, NotFound, RuleViolation
from lrt_domain.mail import Mail, MailKind
from lrt_domain.meetings import Meeting, MeetingStatus
from lrt_domain.minutes import Minutes
from lrt_domain.tables import Table
from lrt_domain.working_days import subtract_working_days

from .views import Views

# Mail for an event recorded longer ago than this is not sent: a first run on an old store
# does not mail its history.
MAX_AGE = timedelta(days=7)
TRIGGERS: tuple[type[DomainEvent], ...] = (
    Meeting.Scheduled, Meeting.Rescheduled, Meeting.Cancelled, Meeting.GuestInvited,
    Document.Sent, RoundOpened, Minutes.Circulated, Minutes.AmendmentAccepted,
    Minutes.AmendmentRejected, Minutes.ProposalAccepted, Minutes.ProposalRejected,
    Minutes.Approved)
BATCH = 500
DECIDED_TOGETHER = 200  # decisions recorded in one transaction


@dataclass(frozen=True)
class Recipient:
    kind: str  # person | organisation
    key: str
    address: str
    name: str


@dataclass(frozen=True)
class Decision:
    kind: MailKind
    trigger: str  # why: the event (id/version), the round and hours, the action and due date
    table: str
    subject: str
    recipient: Recipient
    facts: dict[str, str]
    not_after: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.trigger}:{self.recipient.kind}:{self.recipient.key}"


def message_id(key: str, domain: str) -> str:
    """Fixed for a decision: the same on every attempt to send it."""
    return f"<{Mail.id_for(key).hex}.lrt@{domain}>"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class Decider:
    """What mail the events and the clock call for, for the tables the acting secretariat
    user's organisation runs."""

    def __init__(self, app: Lrt, actor: Actor, now: datetime):
        self.app, self.actor, self.now = app, actor, now
        self.runs_for = permissions.require_notifier(actor)  # the organisation
        self._states: dict[UUID, Aggregate] = {}

    # --- lookups ------------------------------------------------------------------

    def state(self, aggregate_id: UUID) -> Any:
        if aggregate_id not in self._states:
            events = cast(list[DomainEvent], list(self.app.events.get(aggregate_id)))
            state = project(None, events)
            assert state is not None
            self._states[aggregate_id] = state
        return self._states[aggregate_id]

    def managed(self, key: str) -> Table | None:
        try:
            table = self.app.get(Table, key)
        except NotFound:
            return None
        return table if permissions.manages(self.actor, table) else None

    def person(self, key: str, kind: MailKind) -> Recipient | None:
        try:
            p = self.app.get(Person, key)
        except NotFound:
            return None
        if not p.email or not p.wants(kind):
            return None
        return Recipient("person", key, p.email, p.name)

    def persons(self, keys: Sequence[str | None], kind: MailKind) -> list[Recipient]:
        found = (self.person(k, kind) for k in dict.fromkeys(k for k in keys if k))
        return [r for r in found if r is not None]

    def organisation(self, table: Table, code: str, day: date, kind: MailKind
                     ) -> list[Recipient]:
        """An organisation's functional address; without one, its members at the table."""
        try:
            o = self.app.get(Organisation, code)
        except NotFound:
            return []
        if o.email:
            return [Recipient("organisation", code, o.email, o.name)]
        return self.persons([m.person for m in table.members_on(day)
                             if m.organisation == code], kind)

    def meeting_people(self, table: Table, meeting: Meeting, day: date, kind: MailKind, *,
                       chair: bool = True) -> list[Recipient]:
        keys: list[str | None] = [m.person for m in table.members_on(day)]
        return self.persons([*keys, table.chair if chair else None, *meeting.guests], kind)

    # --- from the events ----------------------------------------------------------

    def on_event(self, event: DomainEvent) -> list[Decision]:
        if event.timestamp < self.now - MAX_AGE:
            return []
        trigger = f"{event.originator_id.hex}/{event.originator_version}"
        today = local_date(self.now)
        if isinstance(event, (Meeting.Scheduled, Meeting.Rescheduled, Meeting.Cancelled,
                              Meeting.GuestInvited)):
            m: Meeting = self.state(event.originator_id)
            table = self.managed(m.table)
            if table is None:
                return []
            facts = {"meeting_id": str(m.id), "starts_at":
                     _iso(m.starts_at), "place": m.place, "changed_at": _iso(m.modified_on),
                     "sequence": str(m.reschedules)}
            if isinstance(event, Meeting.Cancelled):
                kind = MailKind.CANCELLED
                facts |= {"sequence": str(m.reschedules + 1), "reason": event.reason}
            elif m.status is MeetingStatus.CANCELLED or m.starts_at <= self.now:
                return []  # no invitation to a meeting cancelled since, or begun
            elif isinstance(event, Meeting.Rescheduled):
                kind = MailKind.RESCHEDULED
                facts["reason"] = event.reason
            else:
                kind = MailKind.INVITATION
            if isinstance(event, Meeting.GuestInvited):
                who = self.persons([event.person], kind)
            elif isinstance(event, Meeting.Scheduled):  # guests: by their own invitation
                who = self.meeting_people(table, m.with_(guests=()),
                                          local_date(m.starts_at), kind)
            else:
                who = self.meeting_people(table, m, local_date(m.starts_at), kind)
            return [Decision(kind, trigger, table.key, m.key, r, facts) for r in who]
        if isinstance(event, Document.Sent):
            d: Document = self.state(event.originator_id)
            table = self.managed(d.table)
            if table is None:
                return []
            meeting = self.app.get(Meeting, d.meeting)
            facts = {"title": d.title, "code": d.code or "", "meeting": d.meeting,
                     "starts_at": _iso(meeting.starts_at)}
            return [Decision(MailKind.DOCUMENTS, trigger, table.key, d.key, r, facts)
                    for r in self.meeting_people(table, meeting, today, MailKind.DOCUMENTS)]
        if isinstance(event, RoundOpened):  # on a document, or minutes circulated
            subject: Commentable = self.state(event.originator_id)
            table = self.managed(subject.table)
            deadline = event.round.deadline
            if table is None or deadline <= self.now:
                return []
            meeting = self.app.get(Meeting, subject.meeting)
            facts = {"deadline": _iso(deadline), "round": str(event.round.number),
                     "starts_at": _iso(meeting.starts_at)}
            if isinstance(event, Minutes.Circulated):
                kind = MailKind.CIRCULATED
                version = self.app.get(Minutes, subject.key,
                                       version=event.originator_version).text_version
                facts |= {"version": str(version)}
            else:
                kind = MailKind.ROUND
                facts |= {"title": getattr(subject, "title", subject.key)}
            return [Decision(kind, trigger, table.key, subject.key, r, facts, deadline)
                    for r in self.meeting_people(table, meeting, today, kind, chair=False)]
        if isinstance(event, (Minutes.AmendmentAccepted, Minutes.AmendmentRejected)):
            minutes: Minutes = self.state(event.originator_id)
            table = self.managed(minutes.table)
            if table is None:
                return []
            a = minutes.amendment(event.number)
            meeting = self.app.get(Meeting, minutes.meeting)
            facts = {"number": str(a.number), "organisation": a.organisation,
                     "decision": "accepted" if isinstance(event, Minutes.AmendmentAccepted)
                     else "rejected", "reason": getattr(event, "reason", "") or "",
                     "starts_at": _iso(meeting.starts_at)}
            return [Decision(MailKind.AMENDMENT, trigger, table.key, minutes.key, r, facts)
                    for r in self.organisation(table, a.organisation, today,
                                               MailKind.AMENDMENT)]
        if isinstance(event, Minutes.Approved):
            minutes = self.state(event.originator_id)
            table = self.managed(minutes.table)
            if table is None:
                return []
            meeting = self.app.get(Meeting, minutes.meeting)
            facts = {"version": str(event.approval.text_version),
                     "at_meeting": event.approval.at_meeting or "",
                     "starts_at": _iso(meeting.starts_at)}
            people = [m.person for m in table.members_on(today)] + [table.chair]
            return [Decision(MailKind.APPROVED, trigger, table.key, minutes.key, r, facts)
                    for r in self.persons(people, MailKind.APPROVED)]
        return []

    # --- from the clock -----------------------------------------------------------

    def by_time(self, views: Views) -> list[Decision]:
        return [*self.reminders(views), *self.actions(views)]

    def reminders(self, views: Views) -> list[Decision]:
        """Before an open round's deadline, at the table's reminder hours, to the members
        (and the organisations, by their functional address) that have not commented. Of
        the hours whose moment has come, only the nearest the deadline is sent."""
        out: list[Decision] = []
        for row in views.deadlines(self.now):
            table = self.managed(_field(row, "table"))
            if table is None:
                continue
            subject = self.app.commentable(_field(row, "subject"))
            rnd = subject.rounds[int(_field(row, "round")) - 1]
            if self.now >= rnd.deadline:
                continue
            due = [h for h in table.rules_at(self.now).reminder_hours
                   if rnd.deadline - timedelta(hours=h) <= self.now
                   and rnd.opened_at < rnd.deadline - timedelta(hours=h)]
            if not due:
                continue
            hours = min(due)
            comments = self.app.round_comments(subject, rnd.number)  # both forms
            commented = {c.person for c in comments}
            orgs_commented = {c.organisation for c in comments}
            members = table.members_on(local_date(self.now))
            trigger = f"{subject.id.hex}/r{rnd.number}/{hours}h"
            meeting = self.app.get(Meeting, subject.meeting)
            facts = {"subject_kind": subject.KIND, "deadline": _iso(rnd.deadline),
                     "round": str(rnd.number), "hours": str(hours),
                     "title": str(_field(row, "title")),
                     "starts_at": _iso(meeting.starts_at)}
            who = self.persons([m.person for m in members if m.person not in commented],
                               MailKind.REMINDER)
            for code in sorted({m.organisation for m in members} - orgs_commented
                               - {table.secretariat}):
                o = self.app.get(Organisation, code)
                if o.email:
                    who.append(Recipient("organisation", code, o.email, o.name))
            out += [Decision(MailKind.REMINDER, trigger, table.key, subject.key, r, facts,
                             rnd.deadline) for r in who]
        return out

    def actions(self, views: Views) -> list[Decision]:
        """An outstanding action within the table's notice period before it is due, and once
        it is overdue: to each owning organisation (per due date: a new date, a new mail)."""
        today = local_date(self.now)
        out: list[Decision] = []
        for row in views.actions(today):
            due_text = _field(row, "due")
            table = self.managed(_field(row, "table"))
            if not due_text or table is None:
                continue
            due = date.fromisoformat(str(due_text))
            if today > due:
                kind = MailKind.ACTION_OVERDUE
            elif today >= subtract_working_days(due, table.rules_at(self.now)
                                                .action_notice_days):
                kind = MailKind.ACTION_DUE
            else:
                continue
            key = str(_field(row, "key"))
            trigger = f"{Action.id_for(key).hex}/{due.isoformat()}"
            for code in _field(row, "owners"):
                facts = {"text": str(_field(row, "text")), "due": due.isoformat(),
                         "organisation": code, "meeting": str(_field(row, "meeting"))}
                out += [Decision(kind, trigger, table.key, key, r, facts)
                        for r in self.organisation(table, code, today, kind)]
        return out

    # --- why a decision should no longer go ---------------------------------------

    def stale(self, mail: Mail) -> str | None:
        if mail.not_after is not None and self.now >= mail.not_after:
            return "the deadline passed"
        if mail.recipient_kind == "person":
            try:
                p = self.app.get(Person, mail.recipient)
            except NotFound:
                return "no such person"
            if not p.wants(mail.kind):
                return f"opted out of {mail.kind} mail"
        if mail.kind is MailKind.REMINDER:
            subject = self.app.commentable(mail.subject)
            comments = self.app.round_comments(subject, int(mail.facts["round"]))
            if any(c.person == mail.recipient or c.organisation == mail.recipient
                   for c in comments):
                return "commented since"
        if mail.kind in (MailKind.ACTION_DUE, MailKind.ACTION_OVERDUE):
            a = self.app.get(Action, mail.subject)
            if not a.status.outstanding:
                return f"the action is {a.status}"
        return None

    def address(self, mail: Mail) -> tuple[str, str] | None:
        """The recipient's address now, and their name."""
        if mail.recipient_kind == "person":
            p = self.app.get(Person, mail.recipient)
            return (p.email, p.name) if p.email else None
        o = self.app.get(Organisation, mail.recipient)
        return (o.email, o.name) if o.email else None


def _field(row: Any, name: str) -> Any:
    """A field of a view's row (a dict now, a typed result soon)."""
    return row[name] if isinstance(row, dict) else getattr(row, name)


# --- one run --------------------------------------------------------------------------


@dataclass
class Report:
    decided: int = 0
    sent: int = 0
    failed: int = 0  # transient: tried again after the back-off
    refused: int = 0  # permanent
    dropped: int = 0
    waiting: int = 0  # open, in back-off
    unreachable: str | None = None  # why the run stopped sending
    would_send: list[dict[str, str]] = field(default_factory=list)  # --dry-run
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"decided": self.decided, "sent": self.sent, "failed": self.failed,
                "refused": self.refused, "dropped": self.dropped, "waiting": self.waiting,
                "unreachable": self.unreachable, "problems": self.problems,
                **({"would_send": self.would_send} if self.would_send else {})}


def triggers(app: Lrt, after: int) -> Iterator[tuple[int, DomainEvent]]:
    topics = [t.TOPIC for t in TRIGGERS]
    position = after
    while batch := app.recorder.select_notifications(
            start=position, limit=BATCH, topics=topics, inclusive_of_start=False):
        for n in batch:
            yield n.id, app.mapper.to_domain_event(n)
        position = batch[-1].id


def decide(app: Lrt, login: str | None, actor: Actor, *, domain: str, dry_run: bool,
           report: Report) -> list[Decision]:
    """Decide and (unless `dry_run`) record; returns the decisions not recorded before."""
    now = app.clock.now()
    decider = Decider(app, actor, now)
    start = app.notifier_position(decider.runs_for)
    decisions: list[Decision] = []
    last = start
    for position, event in triggers(app, start):
        decisions += decider.on_event(event)
        last = position
    decisions += decider.by_time(Views.open(app, actor=actor))
    new = [d for d in dict((d.key, d) for d in decisions).values()
           if not app.exists(Mail, d.key)]
    if dry_run:
        return new
    for i in range(0, len(new), DECIDED_TOGETHER):
        report.decided += app.decide_mails(login, [MailDecision(
            key=d.key, kind=d.kind, table=d.table, subject=d.subject,
            recipient_kind=d.recipient.kind, recipient=d.recipient.key, facts=d.facts,
            message_id=message_id(d.key, domain), not_after=d.not_after)
            for d in new[i:i + DECIDED_TOGETHER]])
    if last > start:
        app.advance_notifier(login, last)
    return new


def deliver(app: Lrt, login: str | None, actor: Actor, settings: SmtpSettings, *,
            report: Report, connect: Callable[[SmtpSettings], Connection] = Connection
            ) -> None:
    """Send every open decision whose time has come, in the order decided."""
    now = app.clock.now()
    decider = Decider(app, actor, now)
    rows = Views.open(app, actor=actor).outbox(open_only=True)
    connection = connect(settings)
    try:
        for row in rows:
            mail = app.get(Mail, str(_field(row, "key")))
            if not permissions.manages(actor, app.get(Table, mail.table)):
                continue
            if not mail.due(now):
                report.waiting += 1
                continue
            why = decider.stale(mail)
            found = decider.address(mail) if why is None else None
            if why is None and found is None:
                why = "no mail address"
            if why is not None or found is None:
                if _recorded(report, mail, lambda: app.mail_dropped(
                        login, mail.key, why or "no mail address")):
                    report.dropped += 1
                continue
            to, name = found
            msg = message(render(mail, _render_context(app, mail, settings, to, name)),
                          sender=settings.sender, to=to, to_name=name,
                          message_id=mail.message_id, date=date_header(app.clock.now()))
            try:
                reply = connection.send(msg, to)
            except Refused as r:
                if _recorded(report, mail, lambda: app.mail_failed(
                        login, mail.key, reason=r.reason, permanent=r.permanent)):
                    if r.permanent:
                        report.refused += 1
                    else:
                        report.failed += 1
                    report.problems.append(f"{mail.key}: {r.reason}")
                continue
            except Unreachable as u:
                _recorded(report, mail, lambda: app.mail_failed(
                    login, mail.key, reason=str(u), permanent=False))
                report.failed += 1
                report.unreachable = str(u)
                break  # the rest wait for the next run
            if _recorded(report, mail, lambda: app.mail_sent(login, mail.key, to=to,
                                                             reply=reply)):
                report.sent += 1
    finally:
        connection.close()


def _recorded(report: Report, mail: Mail, record: Callable[[], object]) -> bool:
    """Record an outcome; False when another run recorded this mail's outcome meanwhile
    (two notifiers at once: the message may then have gone twice, with one Message-ID)."""
    try:
        record()
    except (RuleViolation, Conflict) as e:
        report.problems.append(f"{mail.key}: recorded by another run meanwhile ({e})")
        return False
    return True


def _render_context(app: Lrt, mail: Mail, settings: SmtpSettings | None, to: str,
                    name: str) -> RenderContext:
    table = app.get(Table, mail.table)
    documents: tuple[tuple[str, str, str], ...] = ()
    agenda: tuple[str, ...] = ()
    if mail.kind is MailKind.DOCUMENTS:
        d = app.get(Document, mail.subject)
        documents = ((d.key, d.title, d.text),)
    if mail.kind in (MailKind.INVITATION, MailKind.RESCHEDULED, MailKind.CANCELLED):
        m = app.get(Meeting, mail.subject)
        agenda = tuple(f"{i.number}. {i.title}" for i in m.agenda)
    return RenderContext(
        table_name=table.name, greeting_name=name,
        sender=settings.sender_address if settings else "noreply@example.invalid", to=to,
        portal_url=settings.portal_url if settings else None, documents=documents,
        agenda=agenda)


def run(app: Lrt, login: str | None, settings: SmtpSettings | None, *,
        dry_run: bool = False, connect: Callable[[SmtpSettings], Connection] = Connection
        ) -> Report:
    """One pass: decide what the events and the clock call for, then send what is due.
    `dry_run`: what would be decided and sent, to whom; nothing recorded, nothing sent."""
    actor = app.actor(login)
    permissions.require_notifier(actor)
    report = Report()
    domain = settings.domain if settings else "example.invalid"
    new = decide(app, login, actor, domain=domain, dry_run=dry_run, report=report)
    if dry_run:
        now = app.clock.now()
        for d in new:
            report.would_send.append({"kind": d.kind.value, "to": d.recipient.address,
                                      "recipient": d.recipient.key, "subject": d.subject,
                                      "status": "to decide"})
        decider = Decider(app, actor, now)
        for row in Views.open(app, actor=actor).outbox(open_only=True):
            mail = app.get(Mail, str(_field(row, "key")))
            if mail.due(now):
                found = decider.address(mail)
                report.would_send.append({
                    "kind": mail.kind.value, "to": found[0] if found else "",
                    "recipient": mail.recipient, "subject": mail.subject,
                    "status": decider.stale(mail) or ("decided" if found
                                                      else "no mail address")})
        return report
    assert settings is not None
    deliver(app, login, actor, settings, report=report, connect=connect)
    return report


def follow(app: Lrt, login: str | None, settings: SmtpSettings, *, stop: threading.Event,
           interval: float = 60.0, ran: Callable[[Report], None] | None = None) -> None:
    """Run a pass now, then whenever events are recorded (PostgreSQL: the library's
    subscription, LISTEN/NOTIFY) and at least every `interval` seconds (the clock's
    reminders; on SQLite, which has no subscription, that is all), until `stop`."""
    woken = threading.Event()
    subscription: Any = None
    if app.is_postgres:
        subscription = app.recorder.subscribe(
            gt=app.recorder.max_notification_id() or 0, topics=[t.TOPIC for t in TRIGGERS])

        def listen() -> None:
            try:
                for _ in subscription:
                    woken.set()
            except Exception:  # the subscription stopped (stop() below) or broke off
                woken.set()

        threading.Thread(target=listen, daemon=True, name="lrt-notify-listen").start()
    try:
        while not stop.is_set():
            woken.clear()
            report = run(app, login, settings)
            if ran is not None:
                ran(report)
            deadline = interval
            while not stop.is_set() and deadline > 0 and not woken.is_set():
                stop.wait(min(0.5, deadline))
                deadline -= 0.5
    finally:
        if subscription is not None:
            subscription.stop()
