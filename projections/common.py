"""What every query of the read side shares, once: the WHERE clause of the filters given, a
time as people read it, a subject's title, the subject of a comment round, and the
documents of meetings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from lrt_domain.documents import Document
from lrt_domain.dutch_time import local
from lrt_domain.minutes import Minutes


class StateSource(Protocol):
    """What the query modules read through (`projections.views.Views`)."""

    model: Any

    def get(self, cls: Any, key: str) -> Any: ...


def where(*conditions: tuple[str, tuple[Any, ...]] | None) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause of the conditions given (None: a filter not asked for)."""
    # falsy: a filter not asked for (`table and (...)` with an empty --table gives "")
    given = [c for c in conditions if c]
    if not given:
        return "", ()
    return (" WHERE " + " AND ".join(sql for sql, _ in given),
            tuple(p for _, params in given for p in params))


def when(moment: datetime | None) -> str | None:
    """A record or world time as people read it: Europe/Amsterdam, with its offset; to the
    minute, or to the second when its seconds are not 0 (a round closed early)."""
    if moment is None:
        return None
    return local(moment).isoformat(timespec="seconds" if moment.second else "minutes")


def title_of(subject: Minutes | Document) -> str:
    """A document's title; minutes are "verslag <meeting>"."""
    return getattr(subject, "title", None) or f"verslag {subject.meeting}"


def subject_of(model: Any, key: str) -> Minutes | Document | None:
    """What a comment round is on: a document (`LRT-2023-11-10/D1`) or minutes (a
    meeting's key)."""
    found: Minutes | Document | None = model.state(Document, key) or model.state(Minutes, key)
    return found


def documents_of(model: Any, meetings: Iterable[str]) -> dict[str, list[Document]]:
    """The documents of these meetings, per meeting, in their order (a document's key names
    its meeting: `<meeting>/D<n>`)."""
    wanted = set(meetings)
    clause: str
    params: tuple[str, ...]
    if len(wanted) == 1:
        [key] = wanted
        clause, params = " AND key LIKE ?", (key + "/D%",)
    else:
        clause, params = "", ()
    keys = [r["key"] for r in model.query(
        f"SELECT key FROM view_state WHERE kind = 'document'{clause}", params)]
    out: dict[str, list[Document]] = {}
    for d in model.states(Document, [k for k in keys if k.rsplit("/", 1)[0] in wanted]):
        if d.meeting in wanted:
            out.setdefault(d.meeting, []).append(d)
    for docs in out.values():
        docs.sort(key=lambda d: int(d.key.rsplit("/D", 1)[1]))
    return out
