"""The log's rules: would the domain have decided this event, for its actor, at this point?

`lrt audit verify` replays the log in recorded order and asks `check` of each event, given
the state of its aggregate just before it and a `World` that answers with the states of
other aggregates as they stood at that point (users, tables, meetings, minutes). The check
rebuilds the command from the event, runs the domain's own command method and permission
rule on those states, with the event's actor and record time, and compares the decision
with the event. So every rule stays in one place: the command; this module only knows, per
event class, which command and which permission made it (`RULES`).

Pure: no I/O. What it finds:
- `order`: a version that does not follow the aggregate's last, a first event that does not
  create, or a second creation;
- `actor`: an actor that is not a registered, active user, or acts in another role than
  its user has at that point;
- `forbidden`: the permission rule the command uses refuses the actor;
- `rule`: the domain refuses the command at that point (a comment after its deadline, an
  approval at the meeting itself), or decides another event than the one stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import permissions
from .actions import Action
from .base import Actor, Aggregate, Context, DomainEvent, Role
from .comment_rounds import Commentable, CommentSubmitted, RoundClosed, RoundOpened
from .comments import Comment
from .proposals import Proposal
from .directory import Organisation, Person, Store, User
from .documents import Document
from .dutch_time import local_date
from .errors import Conflict, DomainError, Forbidden, RuleViolation
from .mail import Mail, Notifier
from .meetings import Meeting
from .minutes import Minutes, text_digest
from .publication import Publication
from .tables import Table

A = TypeVar("A", bound=Aggregate)


class World(Protocol):
    """What the rules ask of the log so far (`lrt_app.audit.Replay` answers from it)."""

    def state(self, cls: type[A], key: str) -> A | None:
        """The aggregate's state just before the event being checked; None: none yet."""

    def host(self) -> str | None:
        """The organisation that keeps the store: that of the first user."""

    def has_secretariat(self, organisation: str | None) -> bool:
        """Whether a secretariat user of `organisation` was registered so far."""

    def tables_of(self, person: str) -> list[Table]:
        """The tables where `person` sits (or sat, or will) or that they chair, so far."""

    def organisation_like(self, code: str) -> str | None:
        """The code of an organisation registered so far that is `code` whatever its case."""

    def proposals(self, meeting: str) -> list[str]:
        """The keys of the amendments proposed in their own streams on the minutes of
        `meeting` so far, in log order (`lrt_domain.proposals`)."""


@dataclass(frozen=True)
class Finding:
    problem: str  # order, actor, forbidden, rule
    detail: str


# Events that create their aggregate (`apply(None)`).
CREATIONS: set[type[DomainEvent]] = {
    Store.Initialised, Organisation.Registered, Person.Registered, User.Registered,
    Table.Registered, Meeting.Scheduled, Document.Added, Minutes.Drafted, Action.Agreed,
    Publication.Opened, Mail.Decided, Notifier.Started, Comment.Submitted,
    Proposal.Proposed}


def check(event: DomainEvent, state: Aggregate | None, world: World, position: int
          ) -> Finding | None:
    """Why `event`, recorded at `position` of the log, is not one the domain would have
    recorded there; None when it is."""
    def what() -> str:  # named only when something is wrong
        return f"{event.TOPIC} v{event.originator_version} by {event.actor} ({event.role})"

    expected = state.version + 1 if state is not None else 1
    creation = type(event) in CREATIONS
    if event.originator_version != expected:
        return Finding("order", f"{what()}: version {event.originator_version} does not "
                                f"follow version {expected - 1} of its aggregate")
    if creation != (state is None):
        return Finding("order", f"{what()}: " + ("the aggregate exists already" if creation
                                                else "the aggregate was never created"))
    actor = _actor(event, world, position)
    if isinstance(actor, Finding):
        return actor
    rule = RULES.get(type(event))
    if rule is None:
        return Finding("rule", f"{what()}: no rule knows this event")
    ctx = Context(actor=actor, now=event.timestamp)
    try:
        decided = rule(event, state, world, ctx)
    except Forbidden as e:
        return Finding("forbidden", f"{what()}: {e}")
    except DomainError as e:
        return Finding("rule", f"{what()}: {e}")
    if decided is not None and decided != event:
        mine = event.model_dump()
        fields = [k for k, v in decided.model_dump().items() if mine.get(k) != v]
        return Finding("rule", f"{what()}: the command decides another event "
                               f"(differs in {', '.join(fields) or 'its class'})")
    return None


def _actor(event: DomainEvent, world: World, position: int) -> Actor | Finding:
    user = world.state(User, event.actor)
    if user is not None and user.active and user.role is event.role:
        return user.as_actor  # (most events: the checks below, without naming the event)
    what = f"{event.TOPIC} v{event.originator_version}"
    if user is None and position <= BOOTSTRAP and _bootstrap(event, world):
        return Actor(user=event.actor, role=Role.SECRETARIAT,
                     organisation=getattr(event, "organisation", None)
                     or getattr(event, "key", None))
    if user is None:
        return Finding("actor", f"{what}: its actor {event.actor} is not a registered user "
                                "at this point")
    if not user.active:
        return Finding("actor", f"{what}: its actor {event.actor} was deactivated")
    if user.role is not event.role:
        return Finding("actor", f"{what}: {event.actor} is {user.role}, the event says "
                                f"{event.role}")
    return user.as_actor


BOOTSTRAP = 3  # the log's first positions: the store, its organisation, its first user


def _bootstrap(event: DomainEvent, world: World) -> bool:
    """`Lrt.initialise` records the store, the first organisation and the first user (who
    is not registered until then) in one go, at one record time: the first secretariat
    acts before it exists, in the log's first positions only."""
    if event.role is not Role.SECRETARIAT:
        return False
    if isinstance(event, Store.Initialised):
        return True
    store = world.state(Store, "store")
    if store is None or store.version != 1 or event.timestamp != store.created_on:
        return False
    if isinstance(event, Organisation.Registered):
        return True
    return isinstance(event, User.Registered) and event.key == event.actor and \
        event.user_role is Role.SECRETARIAT

# --- per event class: the command (and permission) that decides it --------------------

Rule = Callable[[Any, Any, World, Context], DomainEvent | None]


def _need(world: World, cls: type[A], key: str | None) -> A:
    state = world.state(cls, key) if key else None
    if state is None:
        raise RuleViolation(f"{cls.KIND} {key} does not exist at this point")
    return state


def _manager(world: World, ctx: Context, table: str, what: str) -> Table:
    t = _need(world, Table, table)
    permissions.require_manager(ctx.actor, t, what)
    return t


def _admin(what: str, then: Rule) -> Rule:
    def rule(e: Any, s: Any, world: World, ctx: Context) -> DomainEvent | None:
        permissions.require_administrator(ctx.actor, what)
        return then(e, s, world, ctx)
    return rule


def _managed(what: str, then: Rule, table: Callable[[Any, Any], str] = lambda e, s: s.table
             ) -> Rule:
    def rule(e: Any, s: Any, world: World, ctx: Context) -> DomainEvent | None:
        _manager(world, ctx, table(e, s), what)
        return then(e, s, world, ctx)
    return rule


def _organisation(e: Organisation.Registered, s: None, world: World, ctx: Context
                  ) -> DomainEvent:
    same = world.organisation_like(e.key)  # as `Lrt.register_organisation` refuses it
    if same is not None:
        raise Conflict(f"organisation {e.key} already exists (as {same})")
    return Organisation.register(ctx, e.key, e.name)


def _registrar(world: World, ctx: Context, role: Role, organisation: str | None,
               person: str | None, what: str) -> None:
    """The scope of registration, as `Lrt._require_user_registrar` asks it."""
    permissions.require_user_registrar(
        ctx.actor, role, organisation=organisation, person=person,
        tables=world.tables_of(person) if person else (), host=world.host(),
        has_secretariat=role is Role.SECRETARIAT and world.has_secretariat(organisation),
        what=what)


def _user_registered(e: User.Registered, s: None, world: World, ctx: Context
                     ) -> DomainEvent:
    if e.organisation:
        _need(world, Organisation, e.organisation)
    if e.person:
        _need(world, Person, e.person)
    decided = User.register(ctx, e.key, e.user_role, organisation=e.organisation,
                            person=e.person)
    _registrar(world, ctx, e.user_role, e.organisation, e.person, "register")
    return decided


def _user_deactivated(e: User.Deactivated, s: User, world: World, ctx: Context
                      ) -> DomainEvent:
    _registrar(world, ctx, s.role, s.organisation, s.person, "deactivate")
    return s.deactivate(ctx, e.reason)


def _table_registered(e: Table.Registered, s: None, world: World, ctx: Context
                      ) -> DomainEvent:
    _need(world, Organisation, e.secretariat)
    decided = Table.register(ctx, e.key, e.name, kind=e.kind, secretariat=e.secretariat,
                             meetings_per_year=e.meetings_per_year)
    permissions.require_table_registrar(ctx.actor, e.secretariat)
    return decided


def _chair(e: Table.ChairAppointed, s: Table, world: World, ctx: Context) -> DomainEvent:
    _need(world, Person, e.person)
    return s.appoint_chair(ctx, e.person)


def _guest(e: Meeting.GuestInvited, s: Meeting, world: World, ctx: Context) -> DomainEvent:
    _need(world, Person, e.person)
    return s.invite_guest(ctx, e.person)


def _attendance(e: Meeting.AttendanceRecorded, s: Meeting, world: World, ctx: Context
                ) -> DomainEvent:
    a = e.attendance
    for person in (a.person, a.substitute_for):
        if person:
            _need(world, Person, person)
    return s.record_attendance(ctx, a.person, a.presence, a.substitute_for)


def _member_joined(e: Table.MemberJoined, s: Table, world: World, ctx: Context
                   ) -> DomainEvent:
    m = e.membership
    _need(world, Person, m.person)
    _need(world, Organisation, m.organisation)
    return s.add_member(ctx, person=m.person, organisation=m.organisation,
                        function=m.function, since=m.since, until=m.until,
                        office_holder=m.office_holder, abbreviation=m.abbreviation)


def _rules_changed(e: Table.RulesChanged, s: Table, world: World, ctx: Context
                   ) -> DomainEvent:
    return s.change_rules(ctx, effective_from=e.change.effective_from,
                          **e.change.rules.model_dump())


def _meeting_scheduled(e: Meeting.Scheduled, s: None, world: World, ctx: Context
                       ) -> DomainEvent:
    return Meeting.schedule(ctx, e.key, table=e.table, starts_at=e.starts_at, place=e.place)


def _document_added(e: Document.Added, s: None, world: World, ctx: Context) -> DomainEvent:
    meeting = _need(world, Meeting, e.meeting)
    if meeting.table != e.table:
        raise RuleViolation(f"meeting {e.meeting} is of table {meeting.table}, not {e.table}")
    return Document.add(ctx, e.key, table=e.table, meeting=e.meeting, title=e.title,
                        text=e.text, code=e.code)


def _round_opened(e: RoundOpened, s: Commentable, world: World, ctx: Context
                  ) -> DomainEvent:
    if not isinstance(s, Document):
        raise RuleViolation(f"{s.KIND} {s.key}: a comment round is opened on a document")
    _manager(world, ctx, s.table, "open comment rounds")
    return s.open_round(ctx, e.round.deadline)


def _comment(e: CommentSubmitted, s: Commentable, world: World, ctx: Context
             ) -> DomainEvent:
    table = _need(world, Table, s.table)
    person = permissions.commenter(ctx.actor, table, e.comment.person)
    _need(world, Person, person)
    manages = permissions.manages(ctx.actor, table)
    return s.submit_comment(ctx, table=table, meeting=_need(world, Meeting, s.meeting),
                            person=person, text=e.comment.text,
                            received_at=e.comment.received_at if manages else None)


def _comment_stream(e: Comment.Submitted, s: None, world: World, ctx: Context
                    ) -> DomainEvent:
    """A comment in its own stream: decided on its subject as it stood at this point of
    the log. (A comment received before a closing may be recorded after it: it is judged
    by its time of receipt, as the command judged it.)"""
    subject: Commentable = _need(world, Document if e.subject_kind == Document.KIND
                                 else Minutes, e.subject)
    if subject.current_round is None or subject.current_round.number != e.round:
        raise RuleViolation(f"comment {e.key}: round {e.round} is not the current round "
                            f"of {e.subject}")
    table = _need(world, Table, subject.table)
    person = permissions.commenter(ctx.actor, table, e.person)
    _need(world, Person, person)
    manages = permissions.manages(ctx.actor, table)
    return subject.comment_in_stream(ctx, e.key.rpartition("/")[2], table=table,
                                     meeting=_need(world, Meeting, subject.meeting),
                                     person=person, text=e.text,
                                     received_at=e.received_at if manages else None)


def _minutes_drafted(e: Minutes.Drafted, s: None, world: World, ctx: Context
                     ) -> DomainEvent:
    meeting = _need(world, Meeting, e.meeting)
    _manager(world, ctx, meeting.table, "draft minutes")
    return Minutes.draft(ctx, meeting, list(e.items))


def _amendment(e: Minutes.AmendmentProposed, s: Minutes, world: World, ctx: Context
               ) -> DomainEvent:
    a = e.amendment
    organisation = permissions.amending_organisation(
        ctx.actor, _need(world, Table, s.table), a.organisation, local_date(ctx.now))
    _need(world, Organisation, organisation)
    return s.propose_amendment(ctx, organisation=organisation, item=a.item, point=a.point,
                               text=a.text)


def _proposal(e: Proposal.Proposed, s: None, world: World, ctx: Context) -> DomainEvent:
    minutes = _need(world, Minutes, e.meeting)
    organisation = permissions.amending_organisation(
        ctx.actor, _need(world, Table, minutes.table), e.organisation, local_date(ctx.now))
    _need(world, Organisation, organisation)
    return minutes.propose_in_stream(ctx, e.key.rpartition("/")[2], organisation=organisation,
                                     item=e.item, point=e.point, text=e.text)


def numbered(s: Minutes, world: World) -> dict[int, str]:
    """The proposals in their own streams on `s`, by number (after those on the minutes)."""
    return {len(s.amendments) + i: key
            for i, key in enumerate(world.proposals(s.key), start=1)}


def _decided_proposal(e: Minutes.ProposalAccepted | Minutes.ProposalRejected, s: Minutes,
                      world: World, ctx: Context) -> DomainEvent:
    if numbered(s, world).get(e.number) != e.proposal:
        raise RuleViolation(f"amendment {e.number} of {s.key} is not the proposal "
                            f"{e.proposal}")
    proposal = _need(world, Proposal, e.proposal)
    if isinstance(e, Minutes.ProposalRejected):
        return s.reject_proposal(ctx, e.number, proposal, e.reason)
    return s.accept_proposal(ctx, e.number, proposal)


def pending_proposals(s: Minutes, world: World) -> tuple[int, ...]:
    decided = {a.number for a in s.decided}
    return tuple(n for n in numbered(s, world) if n not in decided)


def _objection(e: Minutes.ObjectionRaised, s: Minutes, world: World, ctx: Context
               ) -> DomainEvent:
    table = _need(world, Table, s.table)
    person = permissions.commenter(ctx.actor, table, e.objection.person)
    membership = table.membership_of(person, local_date(ctx.now))
    if membership is None:
        raise Forbidden(f"{person} is not a member of {table.key}")
    return s.raise_objection(ctx, person=person, organisation=membership.organisation,
                             text=e.objection.text)


def _approved(e: Minutes.Approved, s: Minutes, world: World, ctx: Context) -> DomainEvent:
    a = e.approval
    chain = (a.chain_length, a.chain_head) if a.chain_head is not None and \
        a.chain_length is not None else None
    pending = pending_proposals(s, world)
    if a.at_meeting is None:
        return s.approve_by_written_procedure(ctx, chain=chain, pending=pending)
    return s.approve_at_meeting(ctx, _need(world, Meeting, s.meeting),
                                _need(world, Meeting, a.at_meeting),
                                rules=_need(world, Table, s.table).rules_at(ctx.now),
                                chain=chain, pending=pending)


def _written_procedure(e: Minutes.WrittenProcedureStarted, s: Minutes, world: World,
                       ctx: Context) -> DomainEvent:
    return s.start_written_procedure(ctx, e.procedure.deadline,
                                     rules=_need(world, Table, s.table).rules_at(ctx.now))


def _action_agreed(e: Action.Agreed, s: None, world: World, ctx: Context) -> DomainEvent:
    meeting = _need(world, Meeting, e.meeting)
    _manager(world, ctx, meeting.table, "add actions")
    for owner in e.owners:
        _need(world, Organisation, owner)
    return Action.agree(ctx, e.key, meeting=meeting, item=e.item, text=e.text,
                        owners=list(e.owners), due=e.due)


def _progress(e: Action.ProgressReported, s: Action, world: World, ctx: Context
              ) -> DomainEvent:
    permissions.require_progress_reporter(ctx.actor, _need(world, Table, s.table), s)
    return s.report_progress(ctx, e.progress.note)


def _publication_opened(e: Publication.Opened, s: None, world: World, ctx: Context
                        ) -> DomainEvent:
    minutes = _need(world, Minutes, e.meeting)
    permissions.require_publisher(ctx.actor, _need(world, Table, minutes.table),
                                  "open a Woo publication")
    return Publication.open(ctx, minutes)


def _published(e: Publication.Published, s: Publication, world: World, ctx: Context
               ) -> None:
    """The rendering's digests are not re-derived here (the redactions need the whole
    directory); what the record says of the minutes is."""
    minutes = _need(world, Minutes, s.meeting)
    if minutes.approval is None:
        raise RuleViolation(f"minutes {minutes.key} are {minutes.status}; only approved "
                            "minutes are published")
    if (e.text_version, e.text_digest) != (minutes.text_version, text_digest(minutes.items)):
        raise RuleViolation(f"publication {e.number} of {s.key} records another text than "
                            f"version {minutes.text_version} of the minutes")


def _publisher(what: str, then: Rule | None = None) -> Rule:
    def rule(e: Any, s: Publication, world: World, ctx: Context) -> DomainEvent | None:
        permissions.require_publisher(ctx.actor, _need(world, Table, s.table), what)
        return then(e, s, world, ctx) if then else None
    return rule


def _person_editor(what: str, then: Rule) -> Rule:
    def rule(e: Any, s: Any, world: World, ctx: Context) -> DomainEvent | None:
        permissions.require_person_editor(ctx.actor, s.key, what)
        return then(e, s, world, ctx)
    return rule


def _mailer(then: Rule, table: Callable[[Any, Any], str] = lambda e, s: s.table) -> Rule:
    """The outbox of a table: its notifier, a secretariat user of the organisation that
    runs it."""
    def rule(e: Any, s: Any, world: World, ctx: Context) -> DomainEvent | None:
        permissions.require_notifier(ctx.actor, "record mail")
        permissions.require_manager(ctx.actor, _need(world, Table, table(e, s)), "send mail")
        return then(e, s, world, ctx)
    return rule


def _notifier(then: Rule, organisation: Callable[[Any, Any], str]) -> Rule:
    def rule(e: Any, s: Any, world: World, ctx: Context) -> DomainEvent | None:
        if permissions.require_notifier(ctx.actor) != organisation(e, s):
            raise Forbidden(f"user {ctx.actor.user} may not move the notifier of "
                            f"{organisation(e, s)}")
        return then(e, s, world, ctx)
    return rule


RULES: dict[type[DomainEvent], Rule] = {
    # the store: initialised once, with its first user (see `_bootstrap`)
    Store.Initialised: lambda e, s, w, ctx: None if e.originator_id == Store.id_for("store")
    else _fail("a store has one Store aggregate, of id store"),
    Store.ChainLinked: _admin("link a store from before the chain",
                              lambda e, s, w, ctx: s.link_chain(ctx, linked=e.linked)),
    Organisation.Registered: _admin("register organisations", _organisation),
    Organisation.TooiRecorded: _admin("record TOOI identifiers", lambda e, s, w, ctx:
                                      s.record_tooi(ctx, e.tooi)),
    Person.Registered: _admin("register persons", lambda e, s, w, ctx: Person.register(
        ctx, e.name, person_key=e.key, title=e.title)),
    Person.OfficeRecorded: _admin("record offices", lambda e, s, w, ctx: s.record_office(
        ctx, e.office)),
    User.Registered: _admin("register users", _user_registered),
    User.Deactivated: _admin("deactivate users", _user_deactivated),
    Table.Registered: _admin("register tables", _table_registered),
    Table.ChairAppointed: _managed("appoint a chair", _chair, lambda e, s: s.key),
    Table.RhythmChanged: _managed("change the rhythm", lambda e, s, w, ctx: s.change_rhythm(
        ctx, e.meetings_per_year), lambda e, s: s.key),
    Table.MemberJoined: _managed("change memberships", _member_joined, lambda e, s: s.key),
    Table.MembershipEnded: _managed("change memberships", lambda e, s, w, ctx:
                                    s.end_membership(ctx, e.number, e.until),
                                    lambda e, s: s.key),
    Table.RulesChanged: _managed("change the rules", _rules_changed, lambda e, s: s.key),
    Meeting.Scheduled: _managed("schedule meetings", _meeting_scheduled,
                                lambda e, s: e.table),
    Meeting.Rescheduled: _managed("reschedule meetings", lambda e, s, w, ctx: s.reschedule(
        ctx, starts_at=e.starts_at, place=e.place, reason=e.reason)),
    Meeting.Cancelled: _managed("cancel meetings",
                                lambda e, s, w, ctx: s.cancel(ctx, e.reason)),
    Meeting.Held: _managed("hold meetings", lambda e, s, w, ctx: s.hold(ctx)),
    Meeting.Closed: _managed("close meetings", lambda e, s, w, ctx: s.close(ctx)),
    Meeting.AgendaItemAdded: _managed("change agendas", lambda e, s, w, ctx:
                                      s.add_agenda_item(ctx, e.item.title)),
    Meeting.GuestInvited: _managed("invite guests", _guest),
    Meeting.AttendanceRecorded: _managed("record attendance", _attendance),
    Document.Added: _managed("add documents", _document_added, lambda e, s: e.table),
    Document.Revised: _managed("revise documents",
                               lambda e, s, w, ctx: s.revise(ctx, e.text)),
    Document.Sent: _managed("send documents", lambda e, s, w, ctx: s.send(ctx, e.sent_at)),
    RoundOpened: _round_opened,
    CommentSubmitted: _comment,
    Comment.Submitted: _comment_stream,
    RoundClosed: _managed("close comment rounds", lambda e, s, w, ctx: s.close_round(ctx)),
    Minutes.Drafted: _minutes_drafted,
    Minutes.Revised: _managed("revise minutes", lambda e, s, w, ctx: s.revise(
        ctx, _need(w, Meeting, s.meeting), list(e.items), note=e.note)),
    Minutes.Circulated: _managed("circulate minutes", lambda e, s, w, ctx: s.circulate(
        ctx, e.round.deadline)),
    Minutes.AmendmentProposed: _amendment,
    Minutes.AmendmentAccepted: _managed("decide on amendments", lambda e, s, w, ctx:
                                        s.accept_amendment(ctx, e.number)),
    Minutes.AmendmentRejected: _managed("decide on amendments", lambda e, s, w, ctx:
                                        s.reject_amendment(ctx, e.number, e.reason)),
    Proposal.Proposed: _proposal,
    Minutes.ProposalAccepted: _managed("decide on amendments", _decided_proposal),
    Minutes.ProposalRejected: _managed("decide on amendments", _decided_proposal),
    Minutes.WrittenProcedureStarted: _managed("start written procedures",
                                              _written_procedure),
    Minutes.ObjectionRaised: _objection,
    Minutes.Approved: _managed("approve minutes", _approved),
    Minutes.Corrected: _managed("correct minutes", lambda e, s, w, ctx: s.correct(
        ctx, item=e.correction.item, point=e.correction.point, text=e.correction.text,
        reason=e.correction.reason)),
    Action.Agreed: _action_agreed,
    Action.ProgressReported: _progress,
    Action.Completed: _managed("complete actions", lambda e, s, w, ctx: s.complete(
        ctx, e.note)),
    Action.Cancelled: _managed("cancel actions", lambda e, s, w, ctx: s.cancel(
        ctx, e.reason)),
    Action.CarriedOver: _managed("carry actions over", lambda e, s, w, ctx: s.carry_over(
        ctx, _need(w, Meeting, s.meeting), _need(w, Meeting, e.to_meeting), e.due)),
    Action.Reworded: _managed("reword actions", lambda e, s, w, ctx: s.reword(
        ctx, e.text, list(e.owners))),
    Publication.Opened: _publication_opened,
    Publication.RedactionAdded: _publisher("redact minutes"),
    Publication.RedactionLifted: _publisher("lift redactions"),
    Publication.SuggestionDismissed: _publisher("dismiss suggestions"),
    Publication.Published: _publisher("publish minutes", _published),
    # mail (lrt_domain.mail): addresses and wishes, then the outbox
    Person.EmailChanged: _person_editor("change the mail address", lambda e, s, w, ctx:
                                        s.change_email(ctx, e.email)),
    Person.MailOptedOut: _person_editor("change the mail wishes", lambda e, s, w, ctx:
                                        s.opt_out(ctx, e.kind)),
    Person.MailOptedIn: _person_editor("change the mail wishes", lambda e, s, w, ctx:
                                       s.opt_in(ctx, e.kind)),
    Organisation.EmailChanged: _admin("change mail addresses", lambda e, s, w, ctx:
                                      s.change_email(ctx, e.email)),
    Mail.Decided: _mailer(lambda e, s, w, ctx: Mail.decide(
        ctx, e.key, kind=e.kind, table=e.table, subject=e.subject,
        recipient_kind=e.recipient_kind, recipient=e.recipient, facts=e.facts,
        message_id=e.message_id, not_after=e.not_after), lambda e, s: e.table),
    Mail.Sent: _mailer(lambda e, s, w, ctx: s.sent(ctx, to=e.to, reply=e.reply)),
    Mail.Failed: _mailer(lambda e, s, w, ctx: s.failed(ctx, reason=e.reason,
                                                       permanent=e.permanent)),
    Mail.Dropped: _mailer(lambda e, s, w, ctx: s.drop(ctx, e.reason)),
    Notifier.Started: _notifier(lambda e, s, w, ctx: Notifier.start_at(ctx, e.key,
                                                                       e.position),
                                lambda e, s: e.key),
    Notifier.Advanced: _notifier(lambda e, s, w, ctx: s.advance(ctx, e.position),
                                 lambda e, s: s.key),
}


def _fail(message: str) -> None:
    raise RuleViolation(message)
