"""Input checks shared by every aggregate: each names the field it refuses."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import TypeVar

from .errors import InvalidInput

E = TypeVar("E", bound=Enum)

MAX_TEXT = 100_000  # characters of one text (a document, the minutes' points)
# What no document can hold: control characters but tab and newline (XML 1.0 refuses them,
# and with them DOCX; a lone carriage return too, for one line ending), lone surrogates
# (invalid UTF-8 given on a command line arrives as these), and U+FFFE, U+FFFF.
NOT_IN_DOCUMENTS = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def text(field: str, value: str | None, *, max_length: int = MAX_TEXT) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise InvalidInput(f"{field}: must not be empty", code="empty", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{field}: longer than {max_length} characters", code="too_long",
                           field=field, max_length=max_length)
    return storable(field, value)


def storable(field: str, value: str) -> str:
    """`value`, when every character of it can go into a document (XML, DOCX)."""
    if bad := NOT_IN_DOCUMENTS.search(value):
        c = bad[0]
        what = ("contains control characters" if ord(c) < 32 else
                "contains a character that cannot be stored in a document")
        raise InvalidInput(f"{field}: {what} (U+{ord(c):04X} at character "
                           f"{bad.start() + 1})", code="bad_character", field=field,
                           character=c, position=bad.start() + 1)
    return value


def line(field: str, value: str | None, *, max_length: int = 500) -> str:
    value = text(field, value, max_length=max_length)
    if "\n" in value:
        raise InvalidInput(f"{field}: must be a single line", code="not_one_line",
                           field=field)
    return value


def aware(field: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field}: needs a time zone")
    return value


def in_future(field: str, value: datetime, now: datetime) -> datetime:
    aware(field, value)
    if value <= now:
        raise InvalidInput(f"{field}: {value.isoformat()} is in the past")
    return value


def not_in_future(field: str, value: datetime, now: datetime) -> datetime:
    aware(field, value)
    if value > now:
        raise InvalidInput(f"{field}: {value.isoformat()} is in the future",
                           code="in_future", field=field, value=value)
    return value


def period(start_field: str, start: date, end_field: str, end: date | None) -> None:
    if end is not None and end < start:
        raise InvalidInput(f"{end_field}: {end} is before {start_field} {start}")


def choice(field: str, kind: type[E], value: str) -> E:
    """A value of an enumeration, or a refusal that lists the allowed values."""
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not one of "
                           f"{', '.join(k.value for k in kind)}") from None


def positive(field: str, value: int) -> int:
    if value < 1:
        raise InvalidInput(f"{field}: must be at least 1")
    return value
