"""A history row's change (the event's own data as JSON, `projections.history.change`) said
for a person: the walk is here, the words are the caller's (the command line's English,
the portal's Dutch). Times as the caller writes them, digests shortened, a list of records
counted (a text change is shown as its diff), empty fields left out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

DIGEST = re.compile(r"[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class Words:
    name: Callable[[str], str]  # a field's name
    moment: Callable[[str, str], str | None]  # (value, field): a time said, None: not one
    text: Callable[[str, str], str]  # (value, field): any other text
    yes: str
    no: str


def said(change: str, words: Words) -> str:
    try:
        data = json.loads("{" + change + "}")
    except ValueError:
        return change
    if len(data) == 1 and isinstance(next(iter(data.values())), dict):
        data = next(iter(data.values()))  # {"round": {...}}: the record itself
    return _said(data, "", words)


def _said(value: object, key: str, words: Words) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{words.name(k)} {_said(v, k, words)}" for k, v in value.items()
                         if v not in (None, [], {}, ""))
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return f"({len(value)})"
        return ", ".join(_said(v, key, words) for v in value)
    if isinstance(value, bool):
        return words.yes if value else words.no
    if isinstance(value, str):
        if (time := words.moment(value, key)) is not None:
            return time
        if DIGEST.match(value):
            return value[:12] + "…"
        return words.text(value, key)
    return str(value)
