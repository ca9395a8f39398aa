"""What every query of the read side shares, once: the WHERE clause of the filters given, a
time as people read it, a subject's title, the subject of a comment round, and the
documents of meetings. (The domain's models are imported where used, as in `views`.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from lrt_domain.dutch_time import local

if TYPE_CHECKING:  # (at run time imported where used: see the module's note)
    from lrt_domain.base import Aggregate
    from lrt_domain.comment_rounds import Commentable
    from lrt_domain.comments import Comment
    from lrt_domain.proposals import SEPARATOR, Proposal
    from lrt_domain.documents import Document
    from lrt_domain.minutes import Amendment, Minutes


A = TypeVar("A", bound="Aggregate")


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
    from lrt_domain.documents import Document
    from lrt_domain.minutes import Minutes

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
    from lrt_domain.documents import Document

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


@dataclass(frozen=True)
class Said:
    """One comment of a round, in either form: recorded on its subject (before issue 16:
    `key` None, `text` given) or in its own stream (`key` names it; its text is in its
    state: `comment_texts`)."""

    round: int
    number: int
    person: str
    organisation: str | None
    received_at: datetime
    key: str | None = None
    text: str | None = None
    recorded_at: datetime | None = None  # in its own stream: when it was recorded


def round_comments(model: ModelSource, subjects: Iterable[Commentable]
                   ) -> dict[str, dict[int, list[Said]]]:
    """Per subject (by key) and round number: its comments, numbered in the order they
    were recorded: those on the subject, then those in their own streams by position."""
    subjects = list(subjects)
    out = {s.key: {r.number: [Said(r.number, c.number, c.person, c.organisation,
                                   c.received_at, None, c.text) for c in r.comments]
                   for r in s.rounds} for s in subjects}
    keys = sorted(s.key for s in subjects if s.rounds)
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        for r in model.query(
                "SELECT c.key, c.subject, c.round, c.person, c.organisation, c.received_at, "
                "v.recorded_at "
                "FROM view_comments c JOIN view_versions v ON v.id = c.source "
                f"AND v.version = 1 WHERE c.subject IN ({marks}) "
                "ORDER BY c.subject, c.round, v.position", chunk):
            said = out[r["subject"]].setdefault(r["round"], [])
            said.append(Said(r["round"], len(said) + 1, r["person"], r["organisation"],
                             datetime.fromisoformat(r["received_at"]), r["key"],
                             recorded_at=datetime.fromisoformat(r["recorded_at"])))
    return out


def comment_counts(model: ModelSource, subject: Commentable) -> dict[int, int]:
    """How many comments each round of `subject` has, in either form (what
    `round_comments` would list, counted by the database)."""
    counts = {r.number: len(r.comments) for r in subject.rounds}
    if subject.rounds:
        for r in model.query("SELECT round, COUNT(*) AS n FROM view_comments "
                             "WHERE subject = ? GROUP BY round", (subject.key,)):
            counts[r["round"]] = counts.get(r["round"], 0) + r["n"]
    return counts


def comment_texts(model: ModelSource, said: Iterable[Said]) -> dict[str, str]:
    """The texts of the comments in their own streams, by key."""
    from lrt_domain.comments import Comment

    keys = [c.key for c in said if c.key is not None]
    return {c.key: c.text for i in range(0, len(keys), 500)
            for c in model.states(Comment, keys[i:i + 500])}


def text_of(said: Said, texts: dict[str, str]) -> str:
    if said.key is None:
        assert said.text is not None
        return said.text
    return texts[said.key]


def amendments_of(model: ModelSource, minutes: Minutes) -> list[Amendment]:
    """Every amendment of the minutes, by number: those proposed on the minutes (before
    issue 16), then those in their own streams in the order recorded, each with the
    decision on it if there is one."""
    from lrt_domain.minutes import Amendment
    from lrt_domain.proposals import Proposal, proposals_range

    # The proposals' streams, in the order recorded: one range of ids (`proposals_range`),
    # read from the versions' (id, position) index alone.
    lo, hi = proposals_range(minutes.key)
    ids = [r["id"] for r in model.query(
        "SELECT id, MIN(position) AS first FROM view_versions WHERE id >= ? AND id <= ? "
        "GROUP BY id ORDER BY first", (lo.hex, hi.hex))]
    decided = {a.number: a for a in minutes.decided}
    first = len(minutes.amendments) + 1
    # a decided proposal's decision carries it: only the pending ones are read
    pending = {sid for number, sid in enumerate(ids, start=first) if number not in decided}
    states: dict[str, Proposal] = {}
    if pending:
        marks = ", ".join("?" * len(pending))  # few: the proposals not yet decided
        keys = [r["key"] for r in model.query(
            f"SELECT key FROM view_state WHERE id IN ({marks})", sorted(pending))]
        states = {p.id.hex: p for p in model.states(Proposal, keys)}
    out = list(minutes.amendments)
    for number, sid in enumerate(ids, start=first):
        if number in decided:
            out.append(decided[number])
            continue
        p = states[sid]
        out.append(Amendment(number=number, organisation=p.organisation, item=p.item,
                             point=p.point, text=p.text))
    return out
