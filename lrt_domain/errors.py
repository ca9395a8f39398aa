"""Why the domain refuses a command. Every message is written for the user."""


class DomainError(Exception):
    """A command was refused; nothing was recorded."""


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
