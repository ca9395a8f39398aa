"""Input checks shared by every aggregate: each names the field it refuses."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TypeVar

from .errors import InvalidInput

E = TypeVar("E", bound=Enum)


def text(field: str, value: str | None, *, max_length: int = 100_000) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise InvalidInput(f"{field}: must not be empty")
    if len(value) > max_length:
        raise InvalidInput(f"{field}: longer than {max_length} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidInput(f"{field}: contains control characters")
    return value


def line(field: str, value: str | None, *, max_length: int = 500) -> str:
    value = text(field, value, max_length=max_length)
    if "\n" in value:
        raise InvalidInput(f"{field}: must be a single line")
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
        raise InvalidInput(f"{field}: {value.isoformat()} is in the future")
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
