"""Meeting documents (vergaderstukken): versioned texts sent to the members before a meeting,
such as the four draft letters of 10 November 2023. Comment rounds can be opened on them."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from . import checks
from .base import Context, DomainEvent
from .comment_rounds import Commentable
from .errors import RuleViolation


class Document(Commentable):
    KIND: ClassVar[str] = "document"
    title: str
    code: str | None = None  # "HLRT 15/10 B 0.1"
    text: str
    text_version: int = 1
    sent_at: datetime | None = None

    class Added(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Document.Added"
        key: str
        table: str
        meeting: str
        title: str
        code: str | None = None
        text: str

        def apply(self, state: None) -> Document:
            return Document.born(self, key=self.key, table=self.table, meeting=self.meeting,
                                 title=self.title, code=self.code, text=self.text)

    class Revised(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Document.Revised"
        text: str

        def apply(self, state: Document) -> Document:
            return state.with_(text=self.text, text_version=state.text_version + 1)

    class Sent(DomainEvent):
        TOPIC: ClassVar[str] = "lrt.Document.Sent"
        sent_at: datetime

        def apply(self, state: Document) -> Document:
            return state.with_(sent_at=self.sent_at)

    @classmethod
    def add(cls, ctx: Context, document_key: str, *, table: str, meeting: str, title: str,
            text: str, code: str | None = None) -> Added:
        return cls.start(cls.Added, ctx, document_key, table=table, meeting=meeting,
                         title=checks.line("title", title),
                         code=checks.line("code", code) if code else None,
                         text=checks.text("text", text))

    def revise(self, ctx: Context, text: str) -> Revised:
        text = checks.text("text", text)
        if text == self.text:
            raise RuleViolation(f"document {self.key}: the new text is the same as version "
                                f"{self.text_version}")
        return self.trigger(self.Revised, ctx, text=text)

    def send(self, ctx: Context, sent_at: datetime | None = None) -> Sent:
        """Sent to the members now, or (recording an e-mail already sent) at `sent_at`."""
        sent_at = checks.not_in_future("sent at", sent_at, ctx.now) if sent_at else ctx.now
        return self.trigger(self.Sent, ctx, sent_at=sent_at)
