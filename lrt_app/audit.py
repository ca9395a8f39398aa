"""The audit of the hash chain: its head, and a verification of every stored event.

`verify` walks the stored events in recorded order and the chain's links by position, side
by side, in batches, recomputing each digest from the bytes as stored (no key needed). It
stops at the first position where they disagree and says how:

- `edited`: the event bound at this position is there, but its stored bytes (or its link's
  digest) are not what was chained;
- `deleted`: the event the chain binds at this position is no longer in the store;
- `inserted`: the store has an event here that was never chained;
- `reordered`: the store has an event here that the chain binds at another position;
- `chain`: the chain itself has a gap (a link deleted);
- with `against` (a head written down earlier): `tail deleted` (the store is now shorter
  than that head) or `rewritten` (the chain no longer passes through that head: an event
  before it changed and the chain was recomputed from scratch).

A store whose events, links and head were all removed or recomputed together passes the
first six checks; only a head kept outside the system catches that, with `against`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lrt_domain.errors import NotFound

from .chain import GENESIS, Head, Link, RawEvent, link_digest

BATCH = 5000

R = TypeVar("R", Link, RawEvent)


@dataclass(frozen=True)
class Break:
    position: int | None  # None: no position can be named (a head not found, no length)
    problem: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "problem": self.problem, "detail": self.detail}


@dataclass
class Report:
    checked: int = 0  # events whose link was recomputed and matched
    head: Head = field(default_factory=lambda: Head(0, GENESIS.hex()))  # recomputed
    broken: Break | None = None
    against: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "head": self.head.digest,
                "length": self.head.length,
                "break": self.broken.as_dict() if self.broken else None,
                "against": self.against}


class _Stream(Generic[R]):
    """Rows in key order, fetched a batch at a time; asking again after the end fetches
    again (a writer may have committed in between)."""

    def __init__(self, fetch: Callable[[int, int], list[R]], key: Callable[[R], int],
                 batch: int):
        self.fetch, self.key, self.batch = fetch, key, batch
        self.buffer: deque[R] = deque()
        self.last = 0

    def next(self) -> R | None:
        if not self.buffer:
            self.buffer.extend(self.fetch(self.last, self.batch))
            if not self.buffer:
                return None
        row = self.buffer.popleft()
        self.last = self.key(row)
        return row


def head(recorder: Any) -> Head:
    """The chain's current head: how many events it binds, and the last digest."""
    return recorder.chain_head()  # type: ignore[no-any-return]


def head_at(recorder: Any, event: tuple[str, int] | None) -> Head:
    """The chain's head just after the given event (originator id hex, version) was
    recorded: the head as it stood at that moment. None: before the first event."""
    if event is None:
        return Head(0, GENESIS.hex())
    link = recorder.link_of(*event)
    if link is None:
        raise NotFound(f"chain: event {_name(*event)} is not in the hash chain")
    return Head(link.position, link.digest)


def _name(oid: str, version: int) -> str:
    return f"{oid} v{version}"


def _mismatch(recorder: Any, position: int, event: RawEvent | None, link: Link | None
              ) -> Break:
    """Why the stored event at `position` is not the one the chain binds there."""
    if link is None:
        assert event is not None
        bound = recorder.link_of(event.originator_id, event.originator_version)
        if bound is None:
            return Break(position, "inserted",
                         f"event {_name(event.originator_id, event.originator_version)} "
                         f"(notification {event.notification_id}) was never chained")
        return Break(position, "reordered",
                     f"event {_name(event.originator_id, event.originator_version)} is "
                     f"chained at position {bound.position}")
    if event is None:
        gone = not recorder.has_event(link.originator_id, link.originator_version)
        return Break(position, "deleted" if gone else "reordered",
                     f"event {_name(link.originator_id, link.originator_version)}, chained "
                     f"here, is {'not in the store' if gone else 'stored out of order'}")
    bound = recorder.link_of(event.originator_id, event.originator_version)
    if bound is None:
        return Break(position, "inserted",
                     f"event {_name(event.originator_id, event.originator_version)} "
                     f"(notification {event.notification_id}) was never chained")
    if not recorder.has_event(link.originator_id, link.originator_version):
        return Break(position, "deleted",
                     f"event {_name(link.originator_id, link.originator_version)}, chained "
                     "here, is not in the store")
    return Break(position, "reordered",
                 f"the store has event {_name(event.originator_id, event.originator_version)}"
                 f" (chained at position {bound.position}) where the chain has "
                 f"{_name(link.originator_id, link.originator_version)}")


def _walk(recorder: Any, report: Report, batch: int) -> Iterator[int]:
    """Recompute the chain; yields each position that matched (and fills `report`)."""
    events: _Stream[RawEvent] = _Stream(recorder.raw_events, lambda e: e.notification_id,
                                        batch)
    links: _Stream[Link] = _Stream(recorder.links, lambda k: k.position, batch)
    digest = GENESIS
    position = 0
    while True:
        event, link = events.next(), links.next()
        if event is None and link is not None:
            # The link's transaction also committed its event: read the log once more.
            event = events.next()
        if event is None and link is None:
            return
        position += 1
        if link is not None and link.position != position:
            report.broken = Break(position, "chain",
                                  f"the chain has no link at position {position} (the next "
                                  f"is at {link.position}): a link was deleted")
            return
        if event is None or link is None or (event.originator_id, event.originator_version) \
                != (link.originator_id, link.originator_version):
            report.broken = _mismatch(recorder, position, event, link)
            return
        digest = link_digest(digest, event.originator_id, event.originator_version,
                             event.topic, event.state)
        if digest.hex() != link.digest:
            report.broken = Break(position, "edited",
                                  f"event {_name(event.originator_id, event.originator_version)}"
                                  f" (notification {event.notification_id}) is not what was "
                                  "chained: its stored bytes, or its link, were changed")
            return
        report.checked = position
        report.head = Head(position, digest.hex())
        yield position


def verify(recorder: Any, *, against: str | None = None, against_length: int | None = None,
           batch: int = BATCH, progress: Callable[[int], None] | None = None) -> Report:
    """Recompute the whole chain from the stored bytes; with `against` (and optionally its
    length), also check that the store still extends that head."""
    report = Report()
    against = against.strip().lower() if against else None
    found: int | None = None
    done = 0
    for position in _walk(recorder, report, batch):
        if against is not None and found is None and report.head.digest == against and (
                against_length is None or position == against_length):
            found = position
        if progress is not None and position - done >= batch:
            progress(position - done)
            done = position
    if progress is not None and report.checked > done:
        progress(report.checked - done)
    if against is None:
        return report
    report.against = {"digest": against, "length": against_length, "extended": found is not None,
                      "at": found}
    if report.broken is not None or found is not None:
        return report
    if against_length is not None and against_length > report.checked:
        report.broken = Break(report.checked + 1, "tail deleted",
                              f"the head written down binds {against_length} events; the store "
                              f"has {report.checked}: events after position {report.checked} "
                              "were removed")
    elif against_length is not None:
        report.broken = Break(against_length, "rewritten",
                              f"the recomputed chain has another digest at position "
                              f"{against_length} than the head written down: the chain up to "
                              "there was recomputed after a change")
    else:
        report.broken = Break(None, "not extended",
                              f"no position of the recomputed chain ({report.checked} events) "
                              "has the head written down: events were removed from the end, "
                              "or changed and the chain recomputed (give --length to name the "
                              "position)")
    return report
