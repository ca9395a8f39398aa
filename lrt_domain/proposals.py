"""An amendment's proposal in its own stream (issue 16): one small aggregate per proposal,
linked to its minutes (by the meeting's key). Members proposing at the same moment write
different streams and never conflict with each other. The decision on it (accepted, which
changes the text, or rejected with a reason) stays with the secretariat, as an event of
the minutes that carries the amendment it decides (`Minutes.ProposalAccepted`,
`Minutes.ProposalRejected`).

Proposals recorded on the minutes by lrt before issue 16 (`Minutes.AmendmentProposed`) stay
as they are and keep their numbers; the proposals in streams are numbered after them, in
the order they were recorded (their position in the log), as the old ones were.

A proposal's id groups it with its minutes: the first 8 bytes are the minutes', the last 8
its own, so the proposals of one set of minutes are one range of ids (`proposals_range`).
"""

from __future__ import annotations

import hashlib
from typing import ClassVar
from uuid import UUID

from .base import Aggregate, DomainEvent, aggregate_id

SEPARATOR = "/wijziging/"


def _digest(text: str, size: int) -> bytes:
    return hashlib.sha256(text.encode("utf8")).digest()[:size]


def proposals_range(meeting: str) -> tuple[UUID, UUID]:
    """The lowest and highest id a proposal on the minutes of `meeting` can have."""
    prefix = _digest(f"amendments:{meeting}", 8)
    return UUID(bytes=prefix + bytes(8)), UUID(bytes=prefix + b"\xff" * 8)


def proposal_key(meeting: str, token: str) -> str:
    return f"{meeting}{SEPARATOR}{token}"


class Proposal(Aggregate):
    KIND: ClassVar[str] = "amendment"
    meeting: str
    table: str
    organisation: str
    item: int
    point: int | None  # None: a new point at the end of the item
    text: str

    @classmethod
    def id_for(cls, key: str) -> UUID:
        meeting, separator, token = key.rpartition(SEPARATOR)
        if not (meeting and separator and token):  # not a proposal's key
            return aggregate_id(cls.KIND, key)
        return UUID(bytes=_digest(f"amendments:{meeting}", 8) + _digest(f"amendment:{key}", 8))

    class Proposed(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Amendment.Proposed"
        key: str
        meeting: str
        table: str
        organisation: str
        item: int
        point: int | None
        text: str

        def apply(self, state: None) -> Proposal:
            return Proposal.born(self, key=self.key, meeting=self.meeting, table=self.table,
                                 organisation=self.organisation, item=self.item,
                                 point=self.point, text=self.text)
