"""The command side: one thin method per command.

Each method names the acting user, loads what the rule needs, asks the domain for its
decision (the events, or a refusal), and saves the events in one transaction. When someone
else saved to the same aggregate in between, the library refuses the stale write; the
command is then decided again on the fresh state, so no update is ever lost.
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Recording, Transcoder

from lrt_domain import permissions
from lrt_domain.actions import Action
from lrt_domain.base import Actor, Aggregate, Context, DomainEvent, Role, project
from lrt_domain.comment_rounds import Comment as RoundComment
from lrt_domain.comment_rounds import Commentable, RoundClosed, RoundOpened
from lrt_domain.comments import Comment as CommentStream
from lrt_domain.comments import round_range
from lrt_domain.proposals import Proposal, proposals_range
from lrt_domain.directory import Organisation, Person, Store, User
from lrt_domain.documents import Document
from lrt_domain.dutch_time import local_date
from lrt_domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from lrt_domain.mail import Mail, MailKind, Notifier
from lrt_domain.meetings import Meeting, Presence
from lrt_domain.minutes import Item, Minutes
from lrt_domain.minutes_actions import ActionLine, action_lines
from lrt_domain.minutes_actions import plan as plan_actions
from lrt_domain.tables import ApprovalProcedure, Table, TableKind

from .chain import Guard, InTransaction
from .clock import Clock, DatabaseClock, default_clock
from .kept import BegunCounts, KeptStates
from .persistence import JSONTranscoder, PydanticMapper

if TYPE_CHECKING:
    from lrt_domain.publication import Publication, RedactionEntry

    from .portal_store import PortalStore
    from .woo import PublicMinutes, WooStates

T = TypeVar("T", bound=Aggregate)
E = TypeVar("E", bound=DomainEvent)
Tabled = TypeVar("Tabled", Meeting, Document, Minutes, Action)  # what a table's manager runs

RETRIES = 10
# The items of minutes, or how to read them from their text: parsed only once the actor is
# known to be allowed (a text's cost is not paid for a refusal).
Items = list[Item] | Callable[[], list[Item]]
STATES_KEPT = 1000  # aggregates' states an application keeps to bring up to date


@dataclass(frozen=True)
class MailDecision:
    """What `Lrt.decide_mails` records: `Mail.Decided`'s fields."""

    key: str
    kind: MailKind
    table: str
    subject: str
    recipient_kind: str
    recipient: str
    facts: dict[str, str]
    message_id: str
    not_after: datetime | None = None


class Lrt(Application[UUID]):
    name = "LRT"

    def __init__(self, env: dict[str, str] | None = None, clock: Clock | None = None):
        super().__init__(env)
        self.clock: Clock = clock or default_clock(self)  # PostgreSQL: the server's
        # the latest states this application read or saved, and how far in the log they
        # are up to date (`deciding`, lrt_app.kept)
        self._kept = KeptStates(STATES_KEPT)
        self._begun = BegunCounts(STATES_KEPT)  # comments of a round, proposals of minutes
        self._scope = threading.local()  # per thread: inside `deciding`, caught up or not
        self._registered: dict[str, tuple[int, list[DomainEvent]]] = {}

    def construct_transcoder(self) -> Transcoder:
        return JSONTranscoder()

    mapper: PydanticMapper  # lrt's own: domain events are pydantic models

    def construct_mapper(self) -> PydanticMapper:
        return cast(PydanticMapper, self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=PydanticMapper))

    # --- the store ----------------------------------------------------------------

    @property
    def is_postgres(self) -> bool:
        # the factory's module: the recorder is lrt's own subclass (the hash chain)
        return type(self.factory).__module__ == "eventsourcing.postgres"

    def check_store(self, name: str) -> None:
        """Refuse to run on unsafe settings, or without a store (PostgreSQL)."""
        if self.is_postgres:
            from . import postgres

            postgres.check(self.recorder, name=name)
        else:
            from . import sqlite_store  # WAL, synchronous FULL, read back from a connection

            sqlite_store.check(self.recorder.datastore,  # type: ignore[attr-defined]
                               name=name)

    @property
    def encrypted(self) -> bool:
        """Whether this application encrypts what it stores (it was given a key)."""
        return self.mapper.cipher is not None

    def check_key(self, name: str, *, need_key: bool = True) -> None:
        """Refuse a store that is encrypted without the key (or with another key), and a
        plain store with a key. The marker needs no key: the store's first event, as
        stored, is a JSON object in a plain store and AES-GCM bytes in an encrypted one.
        `need_key=False` (the audit, which reads only the stored bytes) lets an encrypted
        store open without its key."""
        from .settings import KeyProblem

        first = self.recorder.select_notifications(start=1, limit=1)
        if not first:
            return  # an empty store: the first event will say
        if not isinstance(first[0].state, (bytes, bytearray, memoryview)):
            if not need_key:
                return  # the audit reports the malformed row
            raise DomainError(f"store: the first event of {name} is malformed; see "
                              "'lrt audit verify'")
        state = bytes(first[0].state)
        stored_encrypted = not _json_object(state)
        cipher = self.mapper.cipher
        if stored_encrypted and cipher is None:
            if need_key:
                raise KeyProblem(f"key: the store {name} is encrypted; give its key with "
                                 "--key-file, LRT_KEY_FILE or LRT_CIPHER_KEY")
        elif not stored_encrypted and cipher is not None:
            raise KeyProblem(f"key: the store {name} is not encrypted, but a key was given; "
                             "unset --key-file, LRT_KEY_FILE and LRT_CIPHER_KEY")
        elif cipher is not None and not cipher.opens(first[0]):  # type: ignore[attr-defined]
            # (`opens` also learns whether the store binds its events: persistence.py)
            raise KeyProblem(f"key: the key given does not open the store {name}")

    def login(self, requested: str | None) -> str | None:
        """Who acts: on SQLite the user named with --as; on PostgreSQL the database login."""
        if not self.is_postgres:
            return requested
        from . import postgres

        return postgres.login(self.recorder, requested)

    # --- plumbing -----------------------------------------------------------------

    @contextmanager
    def deciding(self) -> Iterator[None]:
        """A command's reads (one attempt's): the first `get` inside brings every state this
        application keeps up to date with one read of the log (the notifications after the
        position they were up to date with: others' activity since, not history), and every
        `get` inside answers from them; a state not kept is read from its stream (and kept).
        A save still refuses a decision on a stale state, and a retry catches up again
        (`_run_recorded`). Inside an outer `deciding`: that one's reads."""
        scope = self._scope
        if getattr(scope, "active", False):
            yield
            return
        scope.active, scope.caught_up, scope.server_now = True, False, None
        try:
            yield
        finally:
            scope.active, scope.server_now = False, None

    def _catch_up_kept(self) -> int:
        """The kept states brought up to date: one read (`KeptStates.catch_up`). With the
        database server's clock (PostgreSQL), that read also takes the server's time, which
        the command's `_now` then takes instead of a round trip of its own."""
        recorder = self.recorder

        def read(after: int, limit: int) -> Sequence[Any]:
            if isinstance(self.clock, DatabaseClock):
                batch: Sequence[Any]
                batch, self._scope.server_now = \
                    recorder.notifications_and_now(after, limit)  # type: ignore[attr-defined]
                return batch
            notifications: Sequence[Any] = recorder.select_notifications(
                start=after, limit=limit, inclusive_of_start=False)
            return notifications

        return self._kept.catch_up(read, self.mapper.to_domain_event,
                                   lambda: recorder.max_notification_id() or 0)

    def _now(self) -> datetime:
        """A command's time of receipt, read before it decides: the server's time taken by
        this attempt's catch-up read, if it took one (once: a second reading asks the
        clock), else the clock's."""
        now: datetime | None = getattr(self._scope, "server_now", None)
        if now is not None:
            self._scope.server_now = None
            return now
        return self.clock.now()

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save; then the saved events are folded into the states they were
        decided on (committed: the store held those states' versions), so the next command
        reads neither them nor the log they were written to."""
        recordings: list[Recording[UUID]] = super().save(*objs, **kwargs)
        self._kept.saved([o for o in objs if isinstance(o, DomainEvent)],
                         [r.notification.id for r in recordings])
        return recordings

    def get(self, cls: type[T], key: str, *, version: int | None = None) -> T:
        """The aggregate's state: at `version`, else its latest. Inside `deciding`, the
        latest is the kept state brought up to date with the command's one read of the log
        (or, not kept, read from its stream). Outside, it is brought up to date from the
        state this application read before (states are immutable) with the aggregate's own
        newer events, so a long-running process does not replay a stream on every command.
        A save still refuses a decision on a stale state."""
        aggregate_id = _id_for(cls, key)
        if version is not None:
            try:
                # the library types its projector for its own aggregates, not pydantic ones
                then: T = self.repository.get(aggregate_id, version=version,
                                              projector_func=cast(Any, project))
                return then
            except AggregateNotFoundError:
                raise NotFound(f"{cls.KIND}: no {cls.KIND} {key!r}", code="not_found",
                               field=cls.KIND, key=key) from None
        scope = self._scope
        if getattr(scope, "active", False):
            if not scope.caught_up:
                self._catch_up_kept()
                scope.caught_up = True
            kept = cast("T | None", self._kept.get(aggregate_id))
            if kept is not None:
                return kept
            known = None
        else:
            known = cast("T | None", self._kept.get(aggregate_id))
        state = project(known, self.events.get(aggregate_id,  # type: ignore[arg-type]
                                               gt=known.version if known else None))
        if state is None:
            raise NotFound(f"{cls.KIND}: no {cls.KIND} {key!r}", code="not_found",
                           field=cls.KIND, key=key)
        if state is not known:
            self._kept.put(aggregate_id, state)
        return state

    def exists(self, cls: type[Aggregate], key: str) -> bool:
        aggregate_id = _id_for(cls, key)
        if aggregate_id in self._kept:  # a stream, once begun, never ends
            return True
        return bool(list(self.events.get(aggregate_id, limit=1)))

    def events_of(self, aggregate_id: UUID) -> list[DomainEvent]:
        return list(self.events.get(aggregate_id))  # type: ignore[arg-type]

    def actor(self, login: str | None) -> Actor:
        if not login:
            raise NotFound("user: name the acting user with --as or LRT_USER")
        try:
            user = self.get(User, login)
        except NotFound:
            if self.is_postgres and self._database_login() == login:
                # the login is the user: --as would not help
                raise NotFound(
                    f"user: no user {login!r}: your database login is not a registered "
                    f"user; a secretariat user registers it with 'lrt user add {login} "
                    "--role ...', or connect as the login of a registered user") from None
            raise NotFound(f"user: no user {login!r}; register one with 'lrt user add'") \
                from None
        if not user.active:
            raise Forbidden(f"user {login} was deactivated", code="deactivated", user=login)
        return user.as_actor

    def _database_login(self) -> str:
        from .postgres import session_login

        return session_login(self.recorder)[0]

    def simulated(self) -> bool:
        return self.exists(Store, "store") and self.get(Store, "store").simulated

    def _run(self, login: str | None, decide: Callable[[Context], E | list[E]], *,
             retry: bool = True, guard: Callable[[], Guard | None] | None = None) -> list[E]:
        """Decide and save; on a concurrent write, decide again on the fresh state.

        Without `retry` (a whole new text, decided on what the user last saw), a concurrent
        write is reported instead, so that neither text silently replaces the other.

        The time of receipt is read once, before the first decision, and kept for every
        attempt: the command was received then, whatever the retries cost. (Read again, a
        comment received a moment before its deadline would be refused after a retry.)

        `guard`, asked after each decision: what must still hold when the events are
        written, checked in their transaction (`lrt_app.chain.Guard`); a refusal is a
        concurrent write like any other."""
        return self._run_recorded(login, decide, retry=retry, guard=guard)[0]

    def _run_recorded(self, login: str | None, decide: Callable[[Context], E | list[E]], *,
                      retry: bool = True, guard: Callable[[], Guard | None] | None = None
                      ) -> tuple[list[E], list[Any]]:
        """`_run`, also giving the recordings (the events' positions in the log)."""
        ctx: Context | None = None
        for attempt in range(RETRIES if retry else 1):
            with self.deciding():  # each attempt on the states as they are now
                if ctx is None:  # (the actor read first: the catch-up, which may take the time)
                    actor = self.actor(login)
                    ctx = Context(actor=actor, now=self._now())
                decided = decide(ctx)
            events = decided if isinstance(decided, list) else [decided]
            if not events:
                return events, []  # nothing decided: nothing to save
            check = guard() if guard is not None else None
            try:
                recordings = self.save(*events, **({"guard": check} if check else {}))
            except IntegrityError:
                # Back off a little, at random, so that many writers on one thing spread out.
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            return events, recordings
        raise Conflict("someone else changed the same thing at the same time; try again",
                       code="gave_up")

    def _command(self, login: str | None, cls: type[Tabled], key: str, what: str,
                 command: Callable[[Tabled, Context], E], *, retry: bool = True) -> E:
        """The common command on a meeting, document, minutes or action: load it, require
        the table's manager for `what`, decide; returns the event."""
        def decide(ctx: Context) -> E:
            aggregate = self.get(cls, key)
            self._manager(ctx, aggregate.table, what)
            return command(aggregate, ctx)

        return self._run(login, decide, retry=retry)[0]

    def _new(self, cls: type[Aggregate], key: str) -> None:
        if self.exists(cls, key):
            raise Conflict(f"{cls.KIND} {key} already exists")

    def _free_key(self, cls: type[Aggregate], key_for: Callable[[int], str]) -> str:
        """The first unused key of a numbered series: 'LRT-2023-11-10', 'M/A1', 'M/A2'."""
        n = 1
        while self.exists(cls, key_for(n)):
            n += 1
        return key_for(n)

    def _manager(self, ctx: Context, table_key: str, what: str) -> Table:
        table = self.get(Table, table_key)
        permissions.require_manager(ctx.actor, table, what)
        return table

    def _person(self, key: str) -> Person:
        return self.get(Person, key)

    def _organisation(self, code: str) -> Organisation:
        return self.get(Organisation, code)

    # --- the directory: organisations, persons, users ------------------------------

    def initialise(self, *, admin: str, organisation: str, organisation_name: str,
                   simulated: bool = False) -> None:
        """Set up a new store with its first secretariat user."""
        if self.exists(Store, "store"):
            raise Conflict("the store was already initialised")
        ctx = Context(actor=Actor(user=admin, role=Role.SECRETARIAT,
                                  organisation=organisation), now=self.clock.now())
        from . import __version__

        self.save(Store.initialise(ctx, simulated=simulated, made_by=f"lrt {__version__}"),
                  Organisation.register(ctx, organisation, organisation_name),
                  User.register(ctx, admin, Role.SECRETARIAT, organisation=organisation,
                                person=None))

    def register_organisation(self, login: str | None, code: str, name: str) -> str:
        def decide(ctx: Context) -> Organisation.Registered:
            permissions.require_administrator(ctx.actor, "register organisations")
            event = Organisation.register(ctx, code, name)
            self._new(Organisation, event.key)
            # A code is one organisation whatever its case: 'vng' is VNG again.
            same = [e.key for e in self._registrations(Organisation.Registered)
                    if e.key.casefold() == event.key.casefold()]
            if same:
                raise Conflict(f"organisation {event.key} already exists (as {same[0]})")
            return event

        return self._run(login, decide)[0].key

    def register_person(self, login: str | None, name: str, *, person_key: str | None = None,
                        title: str | None = None) -> str:
        if person_key is None and self.encrypted:
            # An encrypted store keeps no id that spells a name: a keyed one ('p-3fa9c1d2e4',
            # the same for the same name, so a second registration is still refused).
            from lrt_domain.directory import slug

            person_key = self.mapper.cipher.keyed_id(  # type: ignore[union-attr]
                "person", slug(name), prefix="p-")

        def decide(ctx: Context) -> Person.Registered:
            permissions.require_administrator(ctx.actor, "register persons")
            event = Person.register(ctx, name, person_key=person_key, title=title)
            self._new(Person, event.key)
            return event

        return self._run(login, decide)[0].key

    def record_tooi(self, login: str | None, organisation: str, tooi: str | None) -> None:
        """An organisation's TOOI identifier (None: none): DiWoo metadata names the
        publisher by it."""
        def decide(ctx: Context) -> Organisation.TooiRecorded:
            permissions.require_administrator(ctx.actor, "record TOOI identifiers")
            return self.get(Organisation, organisation).record_tooi(ctx, tooi)

        self._run(login, decide)

    def record_office(self, login: str | None, person: str, office: str | None) -> None:
        """The public office a person holds (None: none): an office holder is named in
        publications, a guest too."""
        def decide(ctx: Context) -> Person.OfficeRecorded:
            permissions.require_administrator(ctx.actor, "record offices")
            return self.get(Person, person).record_office(ctx, office)

        self._run(login, decide)

    def register_user(self, login: str | None, user: str, role: Role, *,
                      organisation: str | None = None, person: str | None = None) -> str:
        def decide(ctx: Context) -> User.Registered:
            permissions.require_administrator(ctx.actor, "register users")
            if organisation:
                self._organisation(organisation)
            if person:
                self._person(person)
            event = User.register(ctx, user, role, organisation=organisation, person=person)
            self._new(User, event.key)
            self._require_user_registrar(ctx, role, organisation, person, "register")
            return event

        return self._run(login, decide)[0].key

    def deactivate_user(self, login: str | None, user: str, reason: str) -> None:
        def decide(ctx: Context) -> User.Deactivated:
            permissions.require_administrator(ctx.actor, "deactivate users")
            target = self.get(User, user)
            self._require_user_registrar(ctx, target.role, target.organisation,
                                         target.person, "deactivate")
            return target.deactivate(ctx, reason)

        self._run(login, decide)

    # --- the member portal's login links (kept beside the log: lrt_app.portal_store) ---

    @property
    def portal_store(self) -> PortalStore:
        if not hasattr(self, "_portal_store"):
            from .portal_store import PortalStore

            self._portal_store = PortalStore(self.recorder.datastore,  # type: ignore[attr-defined]
                                             postgres=self.is_postgres)
        return self._portal_store

    def issue_login_link(self, login: str | None, user: str, valid: timedelta) -> str:
        """A single-use login token for `user`, for those who may register that user (the
        same scope as deactivating them). Recorded nowhere but as a hash beside the log."""
        actor = self.actor(login)
        permissions.require_administrator(actor, "issue login links")
        target = self.get(User, user)
        if not target.active:
            raise Forbidden(f"user {user} was deactivated", code="deactivated", user=user)
        ctx = Context(actor=actor, now=self.clock.now())
        self._require_user_registrar(ctx, target.role, target.organisation, target.person,
                                     "issue a login link for")
        if valid <= timedelta(0) or valid > timedelta(days=7):
            raise InvalidInput("valid: between a minute and 7 days")
        return self.portal_store.issue_link(user, by=actor.user, now=ctx.now, valid=valid)

    # --- mail addresses and wishes (lrt_domain.mail) --------------------------------

    def change_person_email(self, login: str | None, person: str, address: str | None
                            ) -> str | None:
        """Set (or, with None, remove) a person's mail address; returns it as stored."""
        def decide(ctx: Context) -> Person.EmailChanged:
            permissions.require_person_editor(ctx.actor, person, "change the mail address")
            return self._person(person).change_email(ctx, address)

        return self._run(login, decide)[0].email

    def change_organisation_email(self, login: str | None, code: str, address: str | None
                                  ) -> str | None:
        """An organisation's functional address (None: removed); returns it as stored."""
        def decide(ctx: Context) -> Organisation.EmailChanged:
            permissions.require_administrator(ctx.actor, "change mail addresses")
            return self._organisation(code).change_email(ctx, address)

        return self._run(login, decide)[0].email

    def change_mail_wish(self, login: str | None, person: str, kind: str, *, wanted: bool
                         ) -> None:
        """Opt `person` out of (or, `wanted`, back into) one kind of mail."""
        from lrt_domain.mail import mail_kind

        chosen = mail_kind(kind)

        def decide(ctx: Context) -> DomainEvent:
            permissions.require_person_editor(ctx.actor, person, "change the mail wishes")
            p = self._person(person)
            return p.opt_in(ctx, chosen) if wanted else p.opt_out(ctx, chosen)

        self._run(login, decide)

    # --- the outbox (the notifier: lrt notify) -----------------------------------

    def decide_mail(self, login: str | None, key: str, *, kind: MailKind, table: str,
                    subject: str, recipient_kind: str, recipient: str,
                    facts: dict[str, str], message_id: str,
                    not_after: datetime | None = None) -> bool:
        """Record a decision to send; False when it was decided before (by this notifier
        on an earlier run, or another at the same moment): a decision is recorded once."""
        return bool(self.decide_mails(login, [MailDecision(
            key=key, kind=kind, table=table, subject=subject, recipient_kind=recipient_kind,
            recipient=recipient, facts=facts, message_id=message_id, not_after=not_after)]))

    def decide_mails(self, login: str | None, decisions: list[MailDecision]) -> int:
        """Record decisions to send in one transaction, but those decided before; returns
        how many were recorded. A decision of the same key recorded by someone else at the
        same moment makes the store refuse the whole transaction; it is then decided again
        without that one (`_run`)."""
        def decide(ctx: Context) -> list[Mail.Decided]:
            permissions.require_notifier(ctx.actor, "decide mail")
            events = []
            for table in sorted({d.table for d in decisions}):
                self._manager(ctx, table, "send mail")
            for d in decisions:
                if not self.exists(Mail, d.key):
                    events.append(Mail.decide(
                        ctx, d.key, kind=d.kind, table=d.table, subject=d.subject,
                        recipient_kind=d.recipient_kind, recipient=d.recipient,
                        facts=d.facts, message_id=d.message_id, not_after=d.not_after))
            return events

        if not decisions:
            return 0
        return len(self._run(login, decide))

    def _mail(self, login: str | None, key: str,
              command: Callable[[Mail, Context], E]) -> E:
        def decide(ctx: Context) -> E:
            permissions.require_notifier(ctx.actor, "record mail")
            mail = self.get(Mail, key)
            self._manager(ctx, mail.table, "send mail")
            return command(mail, ctx)

        return self._run(login, decide)[0]

    def mail_sent(self, login: str | None, key: str, *, to: str, reply: str) -> None:
        self._mail(login, key, lambda m, ctx: m.sent(ctx, to=to, reply=reply[:500]))

    def mail_failed(self, login: str | None, key: str, *, reason: str, permanent: bool
                    ) -> Mail.Failed:
        return self._mail(login, key, lambda m, ctx: m.failed(ctx, reason=reason[:500],
                                                              permanent=permanent))

    def mail_dropped(self, login: str | None, key: str, reason: str) -> None:
        self._mail(login, key, lambda m, ctx: m.drop(ctx, reason))

    def notifier_position(self, organisation: str) -> int:
        """How far the notifier of `organisation` has read the log (0: never ran). Reads the
        stream's last event only: the notifier records one each time it moves on."""
        last = list(self.events.get(Notifier.id_for(organisation), desc=True, limit=1))
        return int(last[0].position) if last else 0  # type: ignore[attr-defined]

    def advance_notifier(self, login: str | None, position: int) -> None:
        def decide(ctx: Context) -> DomainEvent:
            organisation = permissions.require_notifier(ctx.actor)
            if not self.exists(Notifier, organisation):
                return Notifier.start_at(ctx, organisation, position)
            # the state from the stream's last event alone (it holds the whole position)
            last = cast(DomainEvent, list(self.events.get(
                Notifier.id_for(organisation), desc=True, limit=1))[0])
            state = Notifier(id=last.originator_id, key=organisation,
                             version=last.originator_version, created_on=last.timestamp,
                             modified_on=last.timestamp,
                             position=last.position)  # type: ignore[attr-defined]
            return state.advance(ctx, position)

        self._run(login, decide)

    def _require_user_registrar(self, ctx: Context, role: Role, organisation: str | None,
                                person: str | None, what: str) -> None:
        """The scope rule (`permissions.require_user_registrar`), given what it needs."""
        users = self._registrations(User.Registered) if role is Role.SECRETARIAT else []
        permissions.require_user_registrar(
            ctx.actor, role, organisation=organisation, person=person,
            tables=self._tables_of(person) if person else (), host=self._host(),
            has_secretariat=any(e.user_role is Role.SECRETARIAT and e.organisation ==
                                organisation for e in users), what=what)

    def _host(self) -> str | None:
        """The organisation that keeps the store: that of the user `lrt init` made."""
        first = self.events_of(Store.id_for("store"))[:1]
        return self.get(User, first[0].actor).organisation if first else None

    def _tables_of(self, person: str) -> list[Table]:
        """The tables where `person` sits (or sat, or will) or that they chair."""
        tables = (self.get(Table, e.key) for e in self._registrations(Table.Registered))
        return [t for t in tables
                if t.chair == person or any(m.person == person for m in t.memberships)]

    def _registrations(self, event_class: type[E]) -> list[E]:
        """Every first event of one kind (`Table.Registered`, ...), in log order. Read on
        from where this application read before: a registration never changes."""
        topic = event_class.TOPIC
        position, seen = self._registered.get(topic, (0, []))
        while batch := self.recorder.select_notifications(
                start=position, limit=1000, topics=[topic], inclusive_of_start=False):
            seen = [*seen, *(self.mapper.to_domain_event(n) for n in batch)]
            position = batch[-1].id
        self._registered[topic] = (position, seen)
        return seen  # type: ignore[return-value]

    # --- tables and memberships ---------------------------------------------------

    def register_table(self, login: str | None, code: str, name: str, *, kind: TableKind,
                       secretariat: str, meetings_per_year: int = 4) -> str:
        def decide(ctx: Context) -> Table.Registered:
            permissions.require_administrator(ctx.actor, "register tables")
            self._organisation(secretariat)
            event = Table.register(ctx, code, name, kind=kind, secretariat=secretariat,
                                   meetings_per_year=meetings_per_year)
            self._new(Table, event.key)
            permissions.require_table_registrar(ctx.actor, secretariat)
            return event

        return self._run(login, decide)[0].key

    def appoint_chair(self, login: str | None, table: str, person: str) -> None:
        def decide(ctx: Context) -> Table.ChairAppointed:
            self._person(person)
            return self._manager(ctx, table, "appoint a chair").appoint_chair(ctx, person)

        self._run(login, decide)

    def change_rhythm(self, login: str | None, table: str, meetings_per_year: int) -> None:
        self._run(login, lambda ctx: self._manager(ctx, table, "change the rhythm")
                  .change_rhythm(ctx, meetings_per_year))

    def add_member(self, login: str | None, table: str, *, person: str, organisation: str,
                   function: str, since: date, until: date | None = None,
                   office_holder: bool = False, abbreviation: str | None = None) -> int:
        def decide(ctx: Context) -> Table.MemberJoined:
            t = self._manager(ctx, table, "change memberships")
            self._person(person)
            self._organisation(organisation)
            return t.add_member(ctx, person=person, organisation=organisation,
                                function=function, since=since, until=until,
                                office_holder=office_holder, abbreviation=abbreviation)

        return self._run(login, decide)[0].membership.number

    def end_membership(self, login: str | None, table: str, number: int, until: date) -> None:
        self._run(login, lambda ctx: self._manager(ctx, table, "change memberships")
                  .end_membership(ctx, number, until))

    def change_rules(self, login: str | None, table: str, *, effective_from: date | None = None,
                     documents_due_days: int | None = None,
                     comment_round_days: int | None = None,
                     approval: ApprovalProcedure | None = None,
                     written_procedure_days: int | None = None,
                     reminder_hours: tuple[int, ...] | None = None,
                     action_notice_days: int | None = None) -> int:
        """New rules of procedure for a table; returns the number of the change."""
        events = self._run(login, lambda ctx: self._manager(ctx, table, "change the rules")
                           .change_rules(ctx, effective_from=effective_from,
                                         documents_due_days=documents_due_days,
                                         comment_round_days=comment_round_days,
                                         approval=approval,
                                         written_procedure_days=written_procedure_days,
                                         reminder_hours=reminder_hours,
                                         action_notice_days=action_notice_days))
        return events[0].change.number

    # --- meetings -----------------------------------------------------------------

    def schedule_meeting(self, login: str | None, table: str, starts_at: datetime,
                         place: str) -> str:
        def decide(ctx: Context) -> Meeting.Scheduled:
            self._manager(ctx, table, "schedule meetings")
            day = f"{table}-{local_date(starts_at):%Y-%m-%d}"
            key = self._free_key(Meeting, lambda n: day if n == 1 else f"{day}-{n}")
            return Meeting.schedule(ctx, key, table=table, starts_at=starts_at, place=place)

        return self._run(login, decide)[0].key

    def reschedule_meeting(self, login: str | None, meeting: str, starts_at: datetime,
                           place: str | None, reason: str) -> None:
        self._command(login, Meeting, meeting, "reschedule meetings", lambda m, ctx: m.reschedule(
            ctx, starts_at=starts_at, place=place, reason=reason))

    def cancel_meeting(self, login: str | None, meeting: str, reason: str) -> None:
        self._command(login, Meeting, meeting, "cancel meetings",
                      lambda m, ctx: m.cancel(ctx, reason))

    def hold_meeting(self, login: str | None, meeting: str) -> None:
        self._command(login, Meeting, meeting, "hold meetings", lambda m, ctx: m.hold(ctx))

    def close_meeting(self, login: str | None, meeting: str) -> None:
        self._command(login, Meeting, meeting, "close meetings", lambda m, ctx: m.close(ctx))

    def add_agenda_item(self, login: str | None, meeting: str, title: str) -> int:
        added = self._command(login, Meeting, meeting, "change agendas",
                              lambda m, ctx: m.add_agenda_item(ctx, title))
        return added.item.number

    def invite_guest(self, login: str | None, meeting: str, person: str) -> None:
        self._person(person)
        self._command(login, Meeting, meeting, "invite guests",
                      lambda m, ctx: m.invite_guest(ctx, person))

    def record_attendance(self, login: str | None, meeting: str, person: str, presence: Presence,
                          substitute_for: str | None = None) -> None:
        self._person(person)
        if substitute_for:
            self._person(substitute_for)
        self._command(login, Meeting, meeting, "record attendance", lambda m, ctx:
                      m.record_attendance(ctx, person, presence, substitute_for))

    def record_attendances(self, login: str | None, meeting: str,
                           records: list[tuple[str, Presence, str | None]]) -> None:
        """Several people's attendance (person, presence, whom a substitute stands in
        for) in one transaction: all of them, or none."""
        from lrt_domain.base import fold

        for person, _, substitute_for in records:
            self._person(person)
            if substitute_for:
                self._person(substitute_for)

        def decide(ctx: Context) -> list[Meeting.AttendanceRecorded]:
            m = self.get(Meeting, meeting)
            self._manager(ctx, m.table, "record attendance")
            events = []
            for person, presence, substitute_for in records:
                event = m.record_attendance(ctx, person, presence, substitute_for)
                m = fold(m, event)
                events.append(event)
            return events

        self._run(login, decide)

    # --- documents ----------------------------------------------------------------

    def add_document(self, login: str | None, meeting: str, title: str, text: str, *,
                     code: str | None = None) -> str:
        def decide(ctx: Context) -> Document.Added:
            m = self.get(Meeting, meeting)
            self._manager(ctx, m.table, "add documents")
            key = self._free_key(Document, lambda n: f"{meeting}/D{n}")
            return Document.add(ctx, key, table=m.table, meeting=meeting, title=title,
                                text=text, code=code)

        return self._run(login, decide)[0].key

    def revise_document(self, login: str | None, document: str, text: str) -> None:
        self._command(login, Document, document, "revise documents",
                      lambda d, ctx: d.revise(ctx, text))

    def send_document(self, login: str | None, document: str, sent_at: datetime | None = None
                      ) -> None:
        self._command(login, Document, document, "send documents",
                      lambda d, ctx: d.send(ctx, sent_at))

    def open_comment_round(self, login: str | None, document: str,
                           deadline: datetime | None = None) -> datetime:
        """Comments until `deadline`, or as long as the table's rules say; returns it."""
        def decide(ctx: Context) -> RoundOpened:
            d = self.get(Document, document)
            table = self._manager(ctx, d.table, "open comment rounds")
            return d.open_round(ctx, deadline or table.rules_at(ctx.now).comment_deadline(ctx.now))

        return self._run(login, decide)[0].round.deadline

    def close_comment_round(self, login: str | None, key: str,
                            cls: type[Document] | type[Minutes]) -> RoundClosed:
        """Close the open comment round on a document or minutes (`key`) before its
        deadline; those who run the table decide it.

        The rule for the race with comments (issue 16): a comment is on time when it was
        received at or before the deadline and at or before the closing's recorded time.
        A comment decided before the closing and saved after it is checked again on save
        (`comment`). The other way round: a comment received after the closing's time but
        saved before the closing would be late; the closing's save finds it (in its
        transaction, under the store's write lock) and the closing is decided again, at a
        later time of its own. So no stored comment is ever later than its round."""
        actor = self.actor(login)
        for attempt in range(RETRIES):
            after = self.recorder.max_notification_id() or 0  # before the time is read
            ctx = Context(actor=actor, now=self.clock.now())
            with self.deciding():
                target: Commentable = self.get(cls, key)
                self._manager(ctx, target.table, "close comment rounds")
                closed = target.close_round(ctx)
            try:
                self.save(closed, guard=self._no_comment_after(
                    target.key, closed.number, after, closed.closed_at))
            except IntegrityError:
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            return closed
        raise Conflict("someone else changed the same thing at the same time; try again")

    def _no_comment_after(self, subject: str, number: int, after: int, moment: datetime
                          ) -> Guard:
        """Refuses the write if a comment of the round, saved after position `after`, was
        received after `moment`."""
        lo, hi = round_range(subject, number)

        def check(tx: InTransaction) -> None:
            for _, stored in tx.first_events(lo, hi, after=after):
                received = cast(CommentStream.Submitted,
                                self.mapper.to_domain_event(stored)).received_at
                if received > moment:
                    raise IntegrityError(f"a comment on {subject} was received at {received}, "
                                         f"after {moment}")

        return check

    # --- comments (on minutes and documents) ----------------------------------------

    def commentable(self, key: str) -> Commentable:
        _id_for(Document, key)  # a key that is not text: named as before
        # a document's key names its meeting ('LRT-2023-11-10/D1'); minutes are a meeting's
        for cls in ((Document, Minutes) if "/" in key else (Minutes, Document)):
            try:
                found: Commentable = self.get(cls, key)
                return found
            except NotFound:
                continue
        raise NotFound(f"id: no minutes or document {key!r}")

    def comment(self, login: str | None, on: str, text: str, *, for_person: str | None = None,
                received_at: datetime | None = None) -> int:
        """A comment in its own stream (`lrt_domain.comments`): concurrent commenters write
        different streams. It is decided on the round as the command read it and saved
        only if its subject is still at that version (else decided again, with the same
        time of receipt). Returns its number in the round: its place in the log among the
        round's comments."""
        read: list[Commentable] = []
        decided: list[CommentStream.Submitted] = []
        counted: list[int] = []  # the round's comments in their own streams, at the save

        def decide(ctx: Context) -> CommentStream.Submitted:
            target = self.commentable(on)
            read[:] = [target]
            table = self.get(Table, target.table)
            person = permissions.commenter(ctx.actor, table, for_person)
            self._person(person)
            decided[:] = [target.comment_in_stream(
                ctx, self.new_token(), table=table, meeting=self.get(Meeting, target.meeting),
                person=person, text=text,
                received_at=received_at if permissions.manages(ctx.actor, table) else None)]
            return decided[0]

        def guard() -> Guard:
            unchanged = self._unchanged(read[0])
            lo, hi = round_range(decided[0].subject, decided[0].round)
            after, before = self._begun.since(lo)

            def check(tx: InTransaction) -> None:
                unchanged(tx)
                # Its number: the round's comments once it is inserted (the write lock is
                # held: none after it), counted in its transaction with the insert,
                # without a round trip of its own (issue 16), on from this application's
                # last count of the round (the log since, not the whole round again).
                counted.clear()
                tx.count_begun_after(lo, hi, counted, after=after)
                base[:] = [before]

            return check

        base: list[int] = []
        events, recordings = self._run_recorded(login, decide, guard=guard)
        event = events[0]
        embedded = len(read[0].rounds[event.round - 1].comments)
        if counted:
            total = base[0] + counted[-1]
            if recordings:
                self._begun.record(round_range(event.subject, event.round)[0],
                                   recordings[0].notification.id, total)
            return embedded + total
        # (A writer that stores later, the benchmark's generator, runs no guard: counted
        # now, up to its position if it gave one, else all.)
        lo, hi = round_range(event.subject, event.round)
        return embedded + self._count_begun(lo, hi, recordings)

    def new_token(self) -> str:
        """What makes the key of a new comment (or proposal) unique: random."""
        return uuid4().hex

    def _unchanged(self, state: Aggregate) -> Guard:
        """Refuses the write if `state`'s aggregate has events after the version read."""
        def check(tx: InTransaction) -> None:
            tx.require_version(state.id, state.version,
                               f"{state.KIND} {state.key} changed meanwhile")

        return check

    def round_comments(self, subject: Commentable, number: int) -> list[RoundComment]:
        """The comments of round `number` on `subject`, numbered in the order recorded:
        those recorded on the subject (stores from before issue 16), then those in their
        own streams."""
        out = list(subject.rounds[number - 1].comments)
        for e in self.comment_events(subject.key, number):
            out.append(RoundComment(number=len(out) + 1, person=e.person,
                                    organisation=e.organisation, text=e.text,
                                    received_at=e.received_at))
        return out

    def comment_events(self, subject: str, number: int) -> list[CommentStream.Submitted]:
        """The comments in their own streams of one round, in log order."""
        lo, hi = round_range(subject, number)
        return [cast(CommentStream.Submitted, self.mapper.to_domain_event(stored))
                for _, stored in self.recorder.first_events(  # type: ignore[attr-defined]
                    lo, hi)]

    # --- minutes ------------------------------------------------------------------

    def draft_minutes(self, login: str | None, meeting: str, items: Items) -> str:
        """The draft, and its action lines in the register (`draft_minutes_and_actions`)."""
        return _first(self.draft_minutes_and_actions(login, meeting, items),
                      Minutes.Drafted).key

    def revise_minutes(self, login: str | None, meeting: str, items: Items, *,
                       note: str | None = None, base_version: int | None = None) -> int:
        """A new version, the register following its action lines."""
        return self.revise_minutes_and_actions(login, meeting, items, note=note,
                                               base_version=base_version)[0].originator_version

    def circulate_minutes(self, login: str | None, meeting: str,
                          deadline: datetime | None = None) -> datetime:
        """Comments until `deadline`, or as long as the table's rules say; returns it."""
        def command(m: Minutes, ctx: Context) -> Minutes.Circulated:
            rules = self.get(Table, m.table).rules_at(ctx.now)
            return m.circulate(ctx, deadline or rules.comment_deadline(ctx.now))

        return self._command(login, Minutes, meeting, "circulate minutes",
                             command).round.deadline

    def propose_amendment(self, login: str | None, meeting: str, *, item: int, point: int | None,
                          text: str, on_behalf_of: str | None = None) -> int:
        """A proposal in its own stream (`lrt_domain.proposals`): members proposing at once
        never conflict. Decided on the minutes as read, saved only if they are still at that
        version. Returns its number: after those proposed on the minutes (stores from
        before issue 16), its place in the log among the minutes' proposals."""
        read: list[Minutes] = []

        def decide(ctx: Context) -> Proposal.Proposed:
            m = self.get(Minutes, meeting)
            read[:] = [m]
            table = self.get(Table, m.table)
            organisation = permissions.amending_organisation(
                ctx.actor, table, on_behalf_of, local_date(ctx.now))
            self._organisation(organisation)
            return m.propose_in_stream(ctx, self.new_token(), organisation=organisation, item=item,
                                       point=point, text=text)

        _, recordings = self._run_recorded(login, decide,
                                           guard=lambda: self._unchanged(read[0]))
        return len(read[0].amendments) + self._count_begun(*proposals_range(meeting),
                                                           recordings)

    def _count_begun(self, lo: UUID, hi: UUID, recordings: Sequence[Any]) -> int:
        """How many streams with ids from `lo` to `hi` had begun by this save's position,
        counted after its commit, on from this application's last count of them (a writer
        that stores later, the benchmark's generator, gives no position: all)."""
        upto = recordings[0].notification.id if recordings else None
        after, before = self._begun.since(lo) if upto is not None else (0, 0)
        if upto is not None and after >= upto:
            after, before = 0, 0
        total: int = before + self.recorder.count_first_events(  # type: ignore[attr-defined]
            lo, hi, after=after, upto=upto)
        if upto is not None:
            self._begun.record(lo, upto, total)
        return total

    def proposals(self, minutes: Minutes) -> dict[int, Proposal]:
        """The amendments proposed in their own streams on `minutes`, by number."""
        lo, hi = proposals_range(minutes.key)
        events = [cast(Proposal.Proposed, self.mapper.to_domain_event(stored))
                  for _, stored in self.recorder.first_events(lo, hi)]  # type: ignore[attr-defined]
        return {len(minutes.amendments) + i: cast(Proposal, e.mutate(None))
                for i, e in enumerate(events, start=1)}

    def _decide_amendment(self, login: str | None, meeting: str, number: int,
                          accept: bool, reason: str = "") -> None:
        def command(m: Minutes, ctx: Context) -> DomainEvent:
            if number <= len(m.amendments):  # proposed on the minutes (before issue 16)
                return m.accept_amendment(ctx, number) if accept \
                    else m.reject_amendment(ctx, number, reason)
            proposal = self.proposals(m).get(number)
            if proposal is None:
                raise NotFound(f"amendment: minutes {meeting} have no amendment {number}",
                               code="no_amendment", field="amendment", minutes=meeting,
                               number=number)
            return m.accept_proposal(ctx, number, proposal) if accept \
                else m.reject_proposal(ctx, number, proposal, reason)

        self._command(login, Minutes, meeting, "decide on amendments", command)

    def accept_amendment(self, login: str | None, meeting: str, number: int) -> None:
        self._decide_amendment(login, meeting, number, True)

    def reject_amendment(self, login: str | None, meeting: str, number: int, reason: str) -> None:
        self._decide_amendment(login, meeting, number, False, reason)

    def start_written_procedure(self, login: str | None, meeting: str,
                                deadline: datetime | None = None) -> datetime:
        """Until `deadline`, or as long as the table's rules say; returns the deadline."""
        def command(m: Minutes, ctx: Context) -> Minutes.WrittenProcedureStarted:
            rules = self.get(Table, m.table).rules_at(ctx.now)
            return m.start_written_procedure(
                ctx, deadline or rules.written_procedure_deadline(ctx.now), rules=rules)

        started = self._command(login, Minutes, meeting, "start written procedures", command)
        return started.procedure.deadline

    def object_to_minutes(self, login: str | None, meeting: str, text: str, *,
                          for_person: str | None = None) -> None:
        def decide(ctx: Context) -> Minutes.ObjectionRaised:
            m = self.get(Minutes, meeting)
            table = self.get(Table, m.table)
            person = permissions.commenter(ctx.actor, table, for_person)
            membership = table.membership_of(person, local_date(ctx.now))
            if membership is None:
                raise Forbidden(f"{person} is not a member of {table.key}")
            return m.raise_objection(ctx, person=person,
                                     organisation=membership.organisation, text=text)

        self._run(login, decide)

    def approve_minutes(self, login: str | None, meeting: str, *, at_meeting: str | None = None,
                        written_procedure: bool = False) -> None:
        if (at_meeting is None) == (not written_procedure):
            raise InvalidInput("approve: give either --at-meeting or --written-procedure")
        after: list[int] = []

        def decide(ctx: Context) -> DomainEvent:
            # the proposals saved after this position are checked on save (`guard`)
            after[:] = [self.recorder.max_notification_id() or 0]
            m = self.get(Minutes, meeting)
            self._manager(ctx, m.table, "approve minutes")
            decided = {a.number for a in m.decided}
            pending = tuple(n for n in self.proposals(m) if n not in decided)
            # The approval records the hash-chain head as it stands (read on each attempt)
            head = self.recorder.chain_head()  # type: ignore[attr-defined]
            chain = (head.length, head.digest)
            if written_procedure:
                return m.approve_by_written_procedure(ctx, chain=chain, pending=pending)
            assert at_meeting is not None
            return m.approve_at_meeting(ctx, self.get(Meeting, meeting),
                                        self.get(Meeting, at_meeting),
                                        rules=self.get(Table, m.table).rules_at(ctx.now),
                                        chain=chain, pending=pending)

        def no_new_proposal() -> Guard:
            lo, hi = proposals_range(meeting)

            def check(tx: InTransaction) -> None:
                if tx.first_events(lo, hi, after=after[0]):
                    raise IntegrityError(f"an amendment to {meeting} was proposed meanwhile")

            return check

        self._run(login, decide, guard=no_new_proposal)

    def correct_minutes(self, login: str | None, meeting: str, *, item: int, point: int | None,
                        text: str, reason: str) -> int:
        corrected = self._command(login, Minutes, meeting, "correct minutes", lambda m, ctx:
                                  m.correct(ctx, item=item, point=point, text=text,
                                            reason=reason))
        return corrected.correction.number

    def draft_minutes_and_actions(self, login: str | None, meeting: str, items: Items
                                  ) -> list[DomainEvent]:
        """Draft the minutes; every action line of the text is in the register after, in
        the same transaction: the draft, then the actions agreed (see `minutes_actions`).
        `items` may be a parser, called once the actor may draft (`_once`)."""
        parsed = _once(items)

        def decide(ctx: Context) -> list[DomainEvent]:
            m = self.get(Meeting, meeting)
            table = self._manager(ctx, m.table, "draft minutes")
            self._new(Minutes, meeting)
            drafted = Minutes.draft(ctx, m, parsed())
            return [drafted, *self._follow_action_lines(
                ctx, table, m, [], action_lines(drafted.items), version=1)]

        return self._run(login, decide)

    def revise_minutes_and_actions(self, login: str | None, meeting: str, items: Items, *,
                                   note: str | None = None, base_version: int | None = None
                                   ) -> list[DomainEvent]:
        """A new version of the minutes, and the register following its action lines."""
        parsed = _once(items)

        def decide(ctx: Context) -> list[DomainEvent]:
            minutes = self.get(Minutes, meeting)
            table = self._manager(ctx, minutes.table, "revise minutes")
            m = self.get(Meeting, meeting)
            revised = minutes.revise(ctx, m, parsed(), note=note, base_version=base_version)
            return [revised, *self._follow_action_lines(
                ctx, table, m, action_lines(minutes.items), action_lines(revised.items),
                version=minutes.text_version + 1)]

        return self._run(login, decide, retry=False)

    def _follow_action_lines(self, ctx: Context, table: Table, meeting: Meeting,
                             old: list[ActionLine], new: list[ActionLine], *, version: int
                             ) -> list[DomainEvent]:
        agreed: list[Action] = []
        n = 1
        while self.exists(Action, f"{meeting.key}/A{n}"):
            agreed.append(self.get(Action, f"{meeting.key}/A{n}"))
            n += 1
        decided = plan_actions(table, old, new, agreed)
        events: list[DomainEvent] = []
        for a in decided.agree:
            events.append(Action.agree(ctx, f"{meeting.key}/A{n}", meeting=meeting,
                                       item=a.line.item, text=a.line.text,
                                       owners=list(a.owners), due=None))
            n += 1
        by_key = {a.key: a for a in agreed}
        for r in decided.reword:
            events.append(by_key[r.action].reword(ctx, r.line.text, list(r.owners)))
        for c in decided.cancel:
            events.append(by_key[c.action].cancel(
                ctx, f"geschrapt uit het verslag (versie {version})"))
        return events

    # --- actions ------------------------------------------------------------------

    def agree_action(self, login: str | None, meeting: str, *, item: int, text: str,
                     owners: list[str], due: date | None = None) -> str:
        def decide(ctx: Context) -> Action.Agreed:
            m = self.get(Meeting, meeting)
            self._manager(ctx, m.table, "add actions")
            for owner in owners:
                self._organisation(owner)
            key = self._free_key(Action, lambda n: f"{meeting}/A{n}")
            return Action.agree(ctx, key, meeting=m, item=item, text=text, owners=owners,
                                due=due)

        return self._run(login, decide)[0].key

    def report_progress(self, login: str | None, action: str, note: str) -> None:
        def decide(ctx: Context) -> Action.ProgressReported:
            a = self.get(Action, action)
            permissions.require_progress_reporter(ctx.actor, self.get(Table, a.table), a)
            return a.report_progress(ctx, note)

        self._run(login, decide)

    def complete_action(self, login: str | None, action: str, note: str | None = None) -> None:
        self._command(login, Action, action, "complete actions",
                      lambda a, ctx: a.complete(ctx, note))

    def cancel_action(self, login: str | None, action: str, reason: str) -> None:
        self._command(login, Action, action, "cancel actions",
                      lambda a, ctx: a.cancel(ctx, reason))

    def carry_over_action(self, login: str | None, action: str, to_meeting: str,
                          due: date | None = None) -> None:
        self._command(login, Action, action, "carry actions over", lambda a, ctx: a.carry_over(
            ctx, self.get(Meeting, a.meeting), self.get(Meeting, to_meeting), due))

    # --- Woo publication (lrt_domain.publication) ---------------------------------

    def woo_states(self, meeting: str) -> WooStates:
        """The minutes of `meeting`, its table, every person of the directory, the Woo
        decisions so far and the approving meeting, as they stand in the event store."""
        from lrt_domain.publication import Publication

        from .woo import WooStates

        minutes = self.get(Minutes, meeting)
        approval = minutes.approval
        return WooStates(
            minutes=minutes, meeting=self.get(Meeting, meeting),
            table=self.get(Table, minutes.table), persons=self._directory(),
            publication=self.get(Publication, meeting)
            if self.exists(Publication, meeting) else None,
            approving_meeting=self.get(Meeting, approval.at_meeting)
            if approval and approval.at_meeting else None)

    def _directory(self) -> dict[str, Person]:
        """Every registered person (their names are looked for in the minutes)."""
        return {e.key: self.get(Person, e.key) for e in self._registrations(Person.Registered)}

    def _woo_decision(self, ctx: Context, meeting: str, what: str
                      ) -> tuple[WooStates, Publication, list[DomainEvent]]:
        """The states, the publication (opened by this decision when it is the first)."""
        from lrt_domain.base import fold
        from lrt_domain.publication import Publication

        states = self.woo_states(meeting)
        permissions.require_publisher(ctx.actor, states.table, what)
        if states.publication is not None:
            return states, states.publication, []
        opened = Publication.open(ctx, states.minutes)
        return states, fold(None, opened), [opened]

    def add_redaction(self, login: str | None, meeting: str, *, person: str | None = None,
                      passage: str | None = None, name: str | None = None, ground: str,
                      reason: str) -> RedactionEntry:
        """Redact a person (key), a literal passage of the minutes, or a name the directory
        does not hold (a suggestion confirmed) on a Woo ground; returns the redaction as
        `lrt minutes redactions` lists it."""
        def decide(ctx: Context) -> list[DomainEvent]:
            s, publication, opened = self._woo_decision(ctx, meeting, "redact minutes")
            return [*opened, publication.add_redaction(
                ctx, s.minutes, s.meeting, s.table, s.persons, person=person,
                passage=passage, name=name, ground=ground, reason=reason)]

        from lrt_domain.publication import Publication

        number = _first(self._run(login, decide)[-1:], Publication.RedactionAdded).number
        return next(e for e in self.woo_states(meeting).redactions()
                    if e.added_number == number)

    def lift_redaction(self, login: str | None, meeting: str, number: int, reason: str
                       ) -> RedactionEntry:
        """Lift redaction `number` (as `lrt minutes redactions` numbers them), a default one
        too."""
        def decide(ctx: Context) -> list[DomainEvent]:
            s, publication, opened = self._woo_decision(ctx, meeting, "lift redactions")
            return [*opened, publication.lift(ctx, s.minutes, s.meeting, s.table, s.persons,
                                              number, reason)]

        self._run(login, decide)
        return next(e for e in self.woo_states(meeting).redactions() if e.number == number)

    def dismiss_suggestion(self, login: str | None, meeting: str, name: str, reason: str
                           ) -> None:
        """Leave a suggested name (`lrt minutes redactions --suggest`) in clear: recorded,
        and not suggested again."""
        def decide(ctx: Context) -> list[DomainEvent]:
            s, publication, opened = self._woo_decision(ctx, meeting, "dismiss suggestions")
            return [*opened, publication.dismiss(ctx, s.minutes, s.meeting, s.table,
                                                 s.persons, name, reason)]

        self._run(login, decide)

    def publish_minutes(self, login: str | None, meeting: str,
                        staged: Callable[[PublicMinutes], None] | None = None
                        ) -> tuple[PublicMinutes, Publication.Published]:
        """Publish the approved minutes: the public text (redacted) and its inventory,
        recorded as `Publication.Published` with their digests. Returns the rendering
        (exactly what the digests are of) and the event. `staged` is given the rendering
        once decided and before it is recorded (the CLI writes the files there first)."""
        from lrt_domain.publication import Publication

        rendered: list[PublicMinutes] = []

        def decide(ctx: Context) -> list[DomainEvent]:
            public, events = self._publication(ctx, meeting)
            rendered[:] = [public]
            if staged is not None:
                staged(public)
            return events

        event = _first(self._run(login, decide)[-1:], Publication.Published)
        return rendered[0], event

    def check_publication(self, login: str | None, meeting: str) -> None:
        """Decide a publication as `publish_minutes` would, recording nothing: raises
        what it would raise (`Unchanged` when the last publication is the same)."""
        self._publication(Context(actor=self.actor(login), now=self.clock.now()), meeting)

    def _publication(self, ctx: Context, meeting: str
                     ) -> tuple[PublicMinutes, list[DomainEvent]]:
        from lrt_domain.publication import Publication

        from .woo import render_public

        s, publication, opened = self._woo_decision(ctx, meeting, "publish minutes")
        public = render_public(s.minutes, s.meeting, s.table, s.persons, publication,
                               approving_meeting=s.approving_meeting,
                               published=Publication.decision(ctx))
        published = publication.publish(
            ctx, s.minutes, s.meeting, s.table, s.persons,
            public_digest=public.markdown_digest, html_digest=public.html_digest)
        return public, [*opened, published]


__all__ = ["Lrt", "DomainError"]


def _id_for(cls: type[Aggregate], key: str) -> UUID:
    """The id of `key`; a key that is not text (a lone surrogate: invalid UTF-8 that
    reached us some other way than the command line, which refuses it) names nothing."""
    try:
        return cls.id_for(key)
    except UnicodeEncodeError:
        raise NotFound(f"{cls.KIND}: {key!r} is not valid UTF-8 text") from None


def _first(events: list[DomainEvent], cls: type[E]) -> E:
    """The first of a command's events, of the kind it is known to be."""
    first = events[0]
    assert isinstance(first, cls), (first, cls)
    return first


def _once(items: Items) -> Callable[[], list[Item]]:
    """The items, parsed on the first call only (a command may be decided again)."""
    done: list[list[Item]] = []

    def get() -> list[Item]:
        if not done:
            done.append(items() if callable(items) else items)
        return done[0]

    return get


def _json_object(data: bytes) -> bool:
    import json

    try:
        return isinstance(json.loads(data), dict)
    except ValueError:  # also UnicodeDecodeError
        return False
