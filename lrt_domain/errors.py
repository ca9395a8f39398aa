"""Why the domain refuses a command. Every message is written for the user."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused; nothing was recorded.

    The message is the one English line the command line shows. A refusal that another
    face says in its own words (the portal's Dutch, `web/messages.py`) also carries a
    stable `code` and its `details` as values (a deadline as a datetime, a key, a field's
    name), so that nobody reads them back out of the English text."""

    def __init__(self, message: str = "", *, code: str | None = None, **details: Any):
        super().__init__(message)
        self.code = code
        self.details = details


class NotFound(DomainError):
    """An id that names nothing."""


class Forbidden(DomainError):
    """The acting user's role may not do this."""


class InvalidInput(DomainError):
    """A value is malformed or out of range; the message names the field."""


class RuleViolation(DomainError):
    """The command breaks a rule of the domain (a lifecycle, a deadline)."""


class Conflict(DomainError):
    """Someone else changed the same thing at the same time, or it already exists."""


class Unchanged(RuleViolation):
    """The command would change nothing: what it asks is already the case. Nothing is
    recorded; a command line may answer it as done (exit 0) rather than refused."""
