"""Who takes part: organisations, persons and the users who act in the system.

Keys are readable and chosen once: an organisation's code ("VNG"), a person's slug
("liesbeth-spies"), a user's login. Registering a key twice is refused.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from . import checks
from .base import Actor, Aggregate, Context, DomainEvent, Role
from .errors import InvalidInput, RuleViolation
from .mail import MANDATORY, MailKind, email

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.&'-]{0,63}$")


def key(field: str, value: str) -> str:
    value = (value or "").strip()
    if not KEY.match(value):
        raise InvalidInput(
            f"{field}: {value!r} is not a valid id (letters, digits, - _ . & ', at most 64)"
        )
    return value


def slug(name: str) -> str:
    """A person's default key: 'Liesbeth Spies' -> 'liesbeth-spies'."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64] or "person"


# --- the store itself -----------------------------------------------------------------


class Store(Aggregate):
    """One per store: when it was set up, whether its clock is a simulation (the demo), and
    which lrt made it."""

    KIND: ClassVar[str] = "store"
    simulated: bool
    made_by: str | None = None  # e.g. "lrt 0.2.0"; None: made before lrt recorded it

    class Initialised(DomainEvent):
        """Version 2 adds `made_by`; a version 1 event (lrt 0.1, the frozen store in
        tests/fixtures) is upcast with `made_by` None: not recorded."""

        TOPIC: ClassVar[str] = "lrt.Store.Initialised"
        class_version: ClassVar[int] = 2
        key: str
        simulated: bool
        made_by: str | None = None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["made_by"] = None

        def apply(self, state: None) -> Store:
            return Store.born(self, key=self.key, simulated=self.simulated,
                              made_by=self.made_by)

    @classmethod
    def initialise(cls, ctx: Context, *, simulated: bool, made_by: str | None = None
                   ) -> Initialised:
        return cls.start(cls.Initialised, ctx, "store", simulated=simulated, made_by=made_by)

    # A store from before the hash chain (lrt 0.1), linked once, on purpose, by someone:
    # its first `linked` events were chained as they stood (`lrt audit link-legacy`).
    linked_legacy: int | None = None

    class ChainLinked(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Store.ChainLinked"
        linked: int  # how many events, recorded before this one, were linked

        def apply(self, state: Store) -> Store:
            return state.with_(linked_legacy=self.linked)

    def link_chain(self, ctx: Context, *, linked: int) -> ChainLinked:
        if self.linked_legacy is not None:
            raise RuleViolation(f"the store's first {self.linked_legacy} events were linked "
                                "into the hash chain before; it is linked once")
        if linked < 1:
            raise InvalidInput("linked: a store from before the chain has events to link")
        return self.trigger(self.ChainLinked, ctx, linked=linked)


# --- organisations ----------------------------------------------------------------


# A TOOI organisation identifier (Thesaurus en Ontologie Overheidsinformatie): what DiWoo
# metadata names a publisher by, e.g. https://identifier.overheid.nl/tooi/id/ministerie/mnre1058
TOOI = re.compile(r"https://identifier\.overheid\.nl/tooi/id/"
                  r"(ministerie|gemeente|provincie|waterschap|oorg|so|zbo|col)/[a-z]{1,4}\d{2,6}")


class Organisation(Aggregate):
    KIND: ClassVar[str] = "organisation"
    name: str
    tooi: str | None = None  # its TOOI identifier, when recorded
    email: str | None = None  # a functional address ("secretariaat@vng.nl"): personal data

    class EmailChanged(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Organisation.EmailChanged"
        email: str | None  # None: removed

        def apply(self, state: Organisation) -> Organisation:
            return state.with_(email=self.email)

    def change_email(self, ctx: Context, address: str | None) -> EmailChanged:
        return self.trigger(self.EmailChanged, ctx,
                            email=_changed_email(self.key, self.email, address))

    class Registered(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Organisation.Registered"
        key: str
        name: str

        def apply(self, state: None) -> Organisation:
            return Organisation.born(self, key=self.key, name=self.name)

    @classmethod
    def register(cls, ctx: Context, code: str, name: str) -> Registered:
        return cls.start(
            cls.Registered, ctx, key("organisation code", code), name=checks.line("name", name)
        )

    class TooiRecorded(DomainEvent):
        """The organisation's TOOI identifier (None: taken off)."""

        TOPIC: ClassVar[str] = "lrt.Organisation.TooiRecorded"
        tooi: str | None = None

        def apply(self, state: Organisation) -> Organisation:
            return state.with_(tooi=self.tooi)

    def record_tooi(self, ctx: Context, tooi: str | None) -> TooiRecorded:
        if tooi is not None and not TOOI.fullmatch(tooi):
            raise InvalidInput("tooi: expected a TOOI organisation identifier such as "
                               "https://identifier.overheid.nl/tooi/id/ministerie/mnre1058")
        if tooi == self.tooi:
            raise RuleViolation(f"organisation {self.key}: the TOOI identifier is already "
                                + (tooi or "none"))
        return self.trigger(self.TooiRecorded, ctx, tooi=tooi)


# --- persons ----------------------------------------------------------------------


class Person(Aggregate):
    KIND: ClassVar[str] = "person"
    name: str
    title: str | None = None  # "Dhr.", "Mevr.", "minister"
    # a public office the person holds ("burgemeester van Dordrecht"): named in
    # publications wherever they appear, a guest too (None: none recorded)
    office: str | None = None
    email: str | None = None  # personal data: never published, read by the read rules
    opted_out: tuple[MailKind, ...] = ()  # kinds of mail they do not want

    class EmailChanged(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Person.EmailChanged"
        email: str | None  # None: removed

        def apply(self, state: Person) -> Person:
            return state.with_(email=self.email)

    class MailOptedOut(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Person.MailOptedOut"
        kind: MailKind

        def apply(self, state: Person) -> Person:
            return state.with_(opted_out=(*state.opted_out, self.kind))

    class MailOptedIn(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Person.MailOptedIn"
        kind: MailKind

        def apply(self, state: Person) -> Person:
            return state.with_(opted_out=tuple(k for k in state.opted_out if k != self.kind))

    def change_email(self, ctx: Context, address: str | None) -> EmailChanged:
        return self.trigger(self.EmailChanged, ctx,
                            email=_changed_email(self.key, self.email, address))

    def opt_out(self, ctx: Context, kind: MailKind) -> MailOptedOut:
        if kind in MANDATORY:
            raise RuleViolation(f"kind: {kind} mail cannot be opted out of (mandatory)")
        if kind in self.opted_out:
            raise RuleViolation(f"{self.key} already opted out of {kind} mail")
        return self.trigger(self.MailOptedOut, ctx, kind=kind)

    def opt_in(self, ctx: Context, kind: MailKind) -> MailOptedIn:
        if kind not in self.opted_out:
            raise RuleViolation(f"{self.key} did not opt out of {kind} mail")
        return self.trigger(self.MailOptedIn, ctx, kind=kind)

    def wants(self, kind: MailKind) -> bool:
        return kind in MANDATORY or kind not in self.opted_out

    class Registered(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Person.Registered"
        key: str
        name: str
        title: str | None = None

        def apply(self, state: None) -> Person:
            return Person.born(self, key=self.key, name=self.name, title=self.title)

    @classmethod
    def register(cls, ctx: Context, name: str, *, person_key: str | None = None,
                 title: str | None = None) -> Registered:
        name = checks.line("name", name, max_length=200)
        return cls.start(
            cls.Registered, ctx, key("person id", person_key or slug(name)), name=name,
            title=checks.line("title", title) if title else None,
        )

    class OfficeRecorded(DomainEvent):
        """The public office a person holds, or (None) that they hold none any more."""

        TOPIC: ClassVar[str] = "lrt.Person.OfficeRecorded"
        office: str | None = None

        def apply(self, state: Person) -> Person:
            return state.with_(office=self.office)

    def record_office(self, ctx: Context, office: str | None) -> OfficeRecorded:
        office = checks.line("office", office, max_length=200) if office else None
        if office == self.office:
            raise RuleViolation(f"person {self.key}: the office is already "
                                + (repr(office) if office else "none"))
        return self.trigger(self.OfficeRecorded, ctx, office=office)


def _changed_email(owner: str, before: str | None, address: str | None) -> str | None:
    new = email("email", address) if address else None
    if new == before:
        raise RuleViolation(f"{owner} has this mail address already" if new
                            else f"{owner} has no mail address to remove")
    return new


# --- users ------------------------------------------------------------------------


class User(Aggregate):
    """A login and the role in which it acts. Members and guests act for a person;
    members and secretariats belong to an organisation."""

    KIND: ClassVar[str] = "user"
    role: Role
    organisation: str | None = None
    person: str | None = None
    active: bool = True

    class Registered(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.User.Registered"
        key: str
        user_role: Role
        organisation: str | None = None
        person: str | None = None

        def apply(self, state: None) -> User:
            return User.born(self, key=self.key, role=self.user_role,
                             organisation=self.organisation, person=self.person)

    class Deactivated(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.User.Deactivated"
        reason: str

        def apply(self, state: User) -> User:
            return state.with_(active=False)

    # Which roles need what: a member speaks for a person of an organisation.
    NEEDS_ORGANISATION: ClassVar[set[Role]] = {Role.SECRETARIAT, Role.MEMBER}
    NEEDS_PERSON: ClassVar[set[Role]] = {Role.MEMBER, Role.GUEST, Role.CHAIR}

    @classmethod
    def register(cls, ctx: Context, login: str, role: Role, *, organisation: str | None,
                 person: str | None) -> Registered:
        if role in cls.NEEDS_ORGANISATION and not organisation:
            raise InvalidInput(f"organisation: a {role} user needs an organisation")
        if role in cls.NEEDS_PERSON and not person:
            raise InvalidInput(f"person: a {role} user needs a person")
        return cls.start(cls.Registered, ctx, key("user", login), user_role=role,
                         organisation=organisation, person=person)

    def deactivate(self, ctx: Context, reason: str) -> Deactivated:
        if not self.active:
            raise RuleViolation(f"user {self.key} is already deactivated")
        return self.trigger(self.Deactivated, ctx, reason=checks.line("reason", reason))

    @property
    def as_actor(self) -> Actor:
        return Actor(user=self.key, role=self.role, organisation=self.organisation,
                     person=self.person)
