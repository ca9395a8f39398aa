"""Who acts, as plain data: the roles, the ids every aggregate is known by, and an actor as
the read side holds it. No pydantic here: a query on the read model's rows (issue 16,
point 4: a fast start) imports this, not the domain's models (`base` re-exports these)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Protocol
from uuid import UUID, uuid5

# Fixed forever: every id is derived from it and a readable key ("table:LRT").
NAMESPACE = UUID("6b0e0c52-5b7e-4c2e-9d0a-1f3c1a4e7a10")


@lru_cache(maxsize=1 << 16)  # a SHA-1 each: commands and the views ask for the same ids
def aggregate_id(kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"{kind}:{key}")


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    CHAIR = "chair"
    MEMBER = "member"
    GUEST = "guest"
    AUDITOR = "auditor"


class Acting(Protocol):
    """What the rules read of who acts: `base.Actor` (the write side's), or `ActorRow`."""

    @property
    def user(self) -> str: ...

    @property
    def role(self) -> Role: ...

    @property
    def organisation(self) -> str | None: ...

    @property
    def person(self) -> str | None: ...


@dataclass(frozen=True)
class ActorRow:
    """An actor as the read side reads it from the read model's state of the user (the
    same fields as `base.Actor`)."""

    user: str
    role: Role
    organisation: str | None = None
    person: str | None = None
