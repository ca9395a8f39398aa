"""What every query of the read side shares, once: the WHERE clause of the filters given, a
time as people read it, a subject's title, the subject of a comment round, and the
documents of meetings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar, overload

from lrt_domain.base import Aggregate
from lrt_domain.comment_rounds import Commentable
from lrt_domain.documents import Document
from lrt_domain.dutch_time import local
from lrt_domain.minutes import Minutes


A = TypeVar("A", bound=Aggregate)


class ModelSource(Protocol):
    """The read interface of the read model, now (`ReadModel`) or at a position
    (`AsOfModel`): its query tables and the aggregates' states."""

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]: ...

    def state(self, cls: type[A], key: str) -> A | None: ...

    def states(self, cls: type[A], keys: Iterable[str] | None = None) -> list[A]: ...

    def unseal(self, text: str | None, bound_to: str) -> str | None: ...


class StateSource(Protocol):
    """What the query modules read through (`projections.views.Views`)."""

    @property
    def model(self) -> ModelSource: ...

    def get(self, cls: type[A], key: str) -> A: ...


# a filter: SQL and its parameters, or None when not asked for
Condition = tuple[str, tuple[Any, ...]] | None


def matching(sql: str, value: object) -> Condition:
    """A filter of one parameter, if its value was given (an empty --table is not)."""
    return (sql, (value,)) if value else None


def where(*conditions: Condition) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause of the conditions given (None: a filter not asked for)."""
    given = [c for c in conditions if c]
    if not given:
        return "", ()
    return (" WHERE " + " AND ".join(sql for sql, _ in given),
            tuple(p for _, params in given for p in params))


@overload
def when(moment: datetime) -> str: ...
@overload
def when(moment: None) -> None: ...
@overload
def when(moment: datetime | None) -> str | None: ...


def when(moment: datetime | None) -> str | None:
    """A record or world time as people read it: Europe/Amsterdam, with its offset; to the
    minute, or to the second when its seconds are not 0 (a round closed early)."""
    if moment is None:
        return None
    return local(moment).isoformat(timespec="seconds" if moment.second else "minutes")


def title_of(subject: Commentable) -> str:
    """A document's title; minutes are "verslag <meeting>"."""
    return getattr(subject, "title", None) or f"verslag {subject.meeting}"


def subject_of(model: ModelSource, key: str) -> Minutes | Document | None:
    """What a comment round is on: a document (`LRT-2023-11-10/D1`) or minutes (a
    meeting's key)."""
    found: Minutes | Document | None = model.state(Document, key) or model.state(Minutes, key)
    return found


PROBE = 8  # documents looked for per meeting and query (`documents_of`)
FEW = 50  # meetings up to which their documents are looked up by key


def documents_of(model: ModelSource, meetings: Iterable[str]) -> dict[str, list[Document]]:
    """The documents of these meetings, per meeting, in their order (a document's key names
    its meeting: `<meeting>/D<n>`, numbered from 1 without gaps, `Lrt.add_document`).

    For a few meetings (a page's) they are looked up by key, D1 to D8 of each, then the
    next eight of those that had eight, so that the cost does not grow with the documents
    of other meetings; for many (a whole calendar) every document's key is read once."""
    wanted = set(meetings)
    found: list[Document] = []
    if len(wanted) <= FEW:
        probing, start = sorted(wanted), 1
        while probing:
            batch = model.states(Document, [f"{m}/D{n}" for m in probing
                                            for n in range(start, start + PROBE)])
            found += batch
            counts: dict[str, int] = {}
            for d in batch:
                counts[d.meeting] = counts.get(d.meeting, 0) + 1
            probing, start = [m for m in probing if counts.get(m) == PROBE], start + PROBE
    else:
        keys = [r["key"] for r in model.query(
            "SELECT key FROM view_state WHERE kind = 'document'")]
        found = model.states(Document, [k for k in keys if k.rsplit("/", 1)[0] in wanted])
    out: dict[str, list[Document]] = {}
    for d in found:
        if d.meeting in wanted:
            out.setdefault(d.meeting, []).append(d)
    for docs in out.values():
        docs.sort(key=lambda d: int(d.key.rsplit("/D", 1)[1]))
    return out
