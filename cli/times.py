"""Times as the command line shows them: Amsterdam time, never UTC, one style throughout.

A deadline or a receipt is shown to the second (`2026-12-10 12:00:00`), because the second
decides (a comment at 12:00:01 is refused); other moments to the minute. The JSON output
keeps ISO 8601 with the offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def moment(value: Any, *, seconds: bool | None = True) -> str:
    """A moment (a datetime, or ISO 8601 text as the views give it) as a person reads it;
    '' for None. `seconds=None`: the seconds only when it has some."""
    from lrt_domain.dutch_time import shown

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # a date-only or naive value: shown as it is
        return str(value)
    if seconds is None:
        seconds = bool(value.second or value.microsecond)
    return shown(value, seconds=seconds)
