"""Immutable events and aggregates, in the functional style of the eventsourcing examples.

An aggregate is a frozen pydantic model. A command is a method that checks the rules and
returns the events it decides on; it never changes the aggregate. An event knows how to
apply itself to the state before it (`apply`), and `project` folds a stream of events into
the current state. The application saves the events; projections apply the same events.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

# (the ids and the roles are plain data, shared with the read side's rows)
from .roles import NAMESPACE as NAMESPACE
from .roles import Role as Role
from .roles import aggregate_id as aggregate_id


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def __copy__(self) -> Self:
        """The shallow copy `model_copy` makes (every state change is one), without
        pydantic's generic handling of extra and private attributes: these models have
        neither (extra="forbid", no private attributes)."""
        cls = type(self)
        new = cls.__new__(cls)
        object.__setattr__(new, "__dict__", self.__dict__.copy())
        object.__setattr__(new, "__pydantic_fields_set__", self.__pydantic_fields_set__.copy())
        object.__setattr__(new, "__pydantic_extra__", None)
        object.__setattr__(new, "__pydantic_private__", None)
        return new


class Actor(Model):
    """Who acts, and in which role: a registered user."""

    user: str
    role: Role
    organisation: str | None = None
    person: str | None = None


class Context(Model):
    """What every command needs besides its arguments: who acts, and the record time."""

    actor: Actor
    now: datetime


# Stored topic -> event class. Topics are written into the store: never change one.
EVENT_TYPES: dict[str, type[DomainEvent]] = {}

A = TypeVar("A", bound="Aggregate")


class DomainEvent(Model):
    """Something that happened, recorded at `timestamp`, caused by `actor` acting as `role`."""

    TOPIC: ClassVar[str] = ""
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    actor: str
    role: Role
    on_behalf_of: str | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        topic = cls.__dict__.get("TOPIC")
        if topic:
            if topic in EVENT_TYPES and EVENT_TYPES[topic] is not cls:
                raise TypeError(f"topic {topic!r} is used twice")
            EVENT_TYPES[topic] = cls

    def apply(self, state: Any) -> Any:
        """The state after this event, without the version bookkeeping."""
        raise NotImplementedError

    def mutate(self, state: A | None) -> A:
        """The state after this event, with its version and modification time.

        `apply` gives a new state of its own (`born` or `with_`, each a fresh object no one
        else holds yet), so the bookkeeping is written into that object rather than copied
        once more (half the copies of a fold: a rebuild, the audit's replay, a command's
        state). A state given back unchanged (`apply` returned `state` itself, which its
        holder may still use) is copied as before."""
        new: A = self.apply(state)
        if new is state:
            return new.model_copy(update={"version": self.originator_version,
                                          "modified_on": self.timestamp})
        fields = new.__dict__
        fields["version"] = self.originator_version
        fields["modified_on"] = self.timestamp
        new.__pydantic_fields_set__.update(("version", "modified_on"))
        return new


class Aggregate(Model):
    KIND: ClassVar[str] = ""

    id: UUID
    key: str
    version: int
    created_on: datetime
    modified_on: datetime

    @classmethod
    def id_for(cls, key: str) -> UUID:
        return aggregate_id(cls.KIND, key)

    @classmethod
    def start(cls, event_class: type[E], ctx: Context, key: str, **fields: Any) -> E:
        """The first event of a new aggregate named by `key`."""
        return event_class(
            originator_id=cls.id_for(key),
            originator_version=1,
            timestamp=ctx.now,
            actor=ctx.actor.user,
            role=ctx.actor.role,
            **{"key": key},  # every first event's own field: its aggregate's key
            **fields,
        )

    def trigger(self, event_class: type[E], ctx: Context, **fields: Any) -> E:
        """The next event of this aggregate."""
        return event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=ctx.now,
            actor=ctx.actor.user,
            role=ctx.actor.role,
            **fields,
        )

    @classmethod
    def born(cls, event: DomainEvent, **fields: Any) -> Self:
        """The state a creation event gives."""
        return cls(
            id=event.originator_id,
            version=event.originator_version,
            created_on=event.timestamp,
            modified_on=event.timestamp,
            **fields,
        )

    def with_(self, **changes: Any) -> Self:
        return self.model_copy(update=changes)


E = TypeVar("E", bound=DomainEvent)


def project(state: A | None, events: Iterable[DomainEvent]) -> A | None:
    """Fold events into state: the projector function for the library's repository."""
    for event in events:
        state = event.mutate(state)
    return state


def fold(state: A | None, *events: DomainEvent) -> A:
    """The state after the given new events; for commands that decide more than one."""
    result = project(state, events)
    assert result is not None
    return result
