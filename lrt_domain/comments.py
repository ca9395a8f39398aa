"""A comment in its own stream (issue 16): one small aggregate per comment, linked to its
round by the round's subject (minutes or a document) and number.

Commenters on one round write different streams, so they never conflict with each other.
The round itself (its deadline, its closing) stays on its subject (`comment_rounds`); a
comment is decided on the subject's state as the command read it, and saved only if the
subject is still at that version (`lrt_app.application.Lrt.comment`, a check in the
store's write transaction), so it is never decided on a round that was closed meanwhile.

Stores from before keep their comments as `CommentSubmitted` events on the subject; both
forms are read (`Lrt.round_comments`, `projections.common.round_comments`), none is
rewritten. A round's comments are numbered in the order they were recorded: those on the
subject first (they were all recorded before any comment in a stream), then the streams by
their position in the log.

The id of a comment groups it with its round: the first 6 bytes are the subject's, the next
2 the round's number, the last 8 the comment's own (all from SHA-256, fixed forever). The
comments of a round are then one range of ids, which both stores' primary-key index reads
without any other index (`round_range`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from .base import Aggregate, DomainEvent, aggregate_id


def _digest(text: str, size: int) -> bytes:
    return hashlib.sha256(text.encode("utf8")).digest()[:size]


def round_prefix(subject: str, number: int) -> bytes:
    """The first 8 bytes of the ids of the comments of round `number` on `subject`."""
    return _digest(f"comments:{subject}", 6) + (number % 65536).to_bytes(2, "big")


def round_range(subject: str, number: int) -> tuple[UUID, UUID]:
    """The lowest and highest id a comment of that round can have."""
    prefix = round_prefix(subject, number)
    return UUID(bytes=prefix + bytes(8)), UUID(bytes=prefix + b"\xff" * 8)


def comment_key(subject: str, number: int, token: str) -> str:
    """`<subject>#<round>/<token>`: 'LRT-2023-11-10#1/3f9a…', 'LRT-2023-11-10/D1#2/…'."""
    return f"{subject}#{number}/{token}"


def split_key(key: str) -> tuple[str, int] | None:
    """The subject and round a comment's key names; None: not a comment's key."""
    head, slash, token = key.rpartition("/")
    subject, hash_, number = head.rpartition("#")
    if not (slash and hash_ and subject and token and number.isdigit()):
        return None
    return subject, int(number)


class Comment(Aggregate):
    KIND: ClassVar[str] = "comment"
    subject: str  # the minutes' meeting key, or the document's key
    subject_kind: str  # "minutes" or "document"
    round: int
    table: str
    meeting: str
    person: str
    organisation: str | None
    text: str
    received_at: datetime

    @classmethod
    def id_for(cls, key: str) -> UUID:
        parts = split_key(key)
        if parts is None:  # not a comment's key: an id no comment has
            return aggregate_id(cls.KIND, key)
        return UUID(bytes=round_prefix(*parts) + _digest(f"comment:{key}", 8))

    class Submitted(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Comment.Submitted"
        key: str
        subject: str
        subject_kind: str
        round: int
        table: str
        meeting: str
        person: str
        organisation: str | None
        text: str
        received_at: datetime

        def apply(self, state: None) -> Comment:
            return Comment.born(self, key=self.key, subject=self.subject,
                                subject_kind=self.subject_kind, round=self.round,
                                table=self.table, meeting=self.meeting, person=self.person,
                                organisation=self.organisation, text=self.text,
                                received_at=self.received_at)
