"""A state's JSON in parts: the long sequences apart, in chunks of `PART` elements.

A state that grows with its history (a meeting's agenda of thousands of items, the minutes'
decided proposals) would otherwise be written whole each time it is kept: `view_snapshots`
keeps a state every `SNAPSHOT_EVERY` versions, so a state growing by an element a version
would cost storage quadratic in its history. In parts, the chunks a later state shares with
an earlier one are the same text, stored once (`projections.read_model`, by digest), and
what a snapshot adds is only what changed since the one before: storage linear in history.

`split` and `join` are each other's inverse: `join(*split(s))` is JSON that validates to
`s` (the long fields at its end instead of in their declared order). `pack` puts the digests
of the chunks in front of the rest, where `unpack` finds them again.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter

from lrt_domain.base import Aggregate

PART = 64  # elements per chunk: an append rewrites at most this many


def long_fields(state: Aggregate) -> list[str]:
    """The top-level fields of `state` that are sequences longer than one chunk."""
    return [name for name, value in state.__dict__.items()
            if isinstance(value, (tuple, list)) and len(value) > PART]


def split(state: Aggregate) -> tuple[str, dict[str, list[str]]]:
    """The state's JSON without its long fields, and each long field's chunks, each a JSON
    array of at most `PART` elements."""
    fields = long_fields(state)
    if not fields:
        return state.model_dump_json(), {}
    rest = state.model_dump_json(exclude=set(fields))
    chunks: dict[str, list[str]] = {}
    for name in fields:
        adapter, value = _adapter(type(state), name), state.__dict__[name]
        chunks[name] = [adapter.dump_json(value[i:i + PART]).decode("utf8")
                        for i in range(0, len(value), PART)]
    return rest, chunks


def join(rest: str, chunks: dict[str, list[str]]) -> str:
    """The whole state's JSON again, from `split`'s two halves (by text alone: no model)."""
    if not chunks:
        return rest
    fields = "".join(f',"{name}":[' + ",".join(c[1:-1] for c in parts) + "]"
                     for name, parts in chunks.items())
    return rest[:-1] + fields + "}" if rest != "{}" else "{" + fields[1:] + "}"


def pack(rest: str, digests: dict[str, list[str]]) -> str:
    """The rest of a state with the digests of its chunks, by field, in front: what a
    snapshot in parts stores (a state's own JSON starts with a field of its model)."""
    if not digests:
        return rest
    return MARK + json.dumps(digests, separators=(",", ":")) + ("," + rest[1:]
                                                                 if rest != "{}" else "}")


def unpack(text: str) -> tuple[str, dict[str, list[str]]]:
    """`pack`'s two halves again; a state stored whole is its own rest, with no chunks."""
    if not text.startswith(MARK):
        return text, {}
    digests, end = _DECODER.raw_decode(text, len(MARK))
    rest = text[end:]
    return "{" + (rest[1:] if rest.startswith(",") else rest), digests


MARK = '{"__parts__":'
_DECODER = json.JSONDecoder()


@lru_cache(maxsize=None)
def _adapter(cls: type[Aggregate], name: str) -> TypeAdapter[Any]:
    """The serialiser of a field's value, as the model serialises it."""
    annotation = cls.model_fields[name].annotation
    assert annotation is not None  # every field of a state is annotated
    return TypeAdapter(annotation)
