"""The states an application keeps between commands, and how far in the log they are up to
date (issue 16, point 2: a command decides on them after one read).

`KeptStates` holds the latest state of up to `maxsize` aggregates, most recently used last,
and `position`: a notification id such that every kept state holds every event of its
aggregate up to that id (None: not known yet). A command brings them up to date with one
read, the log's notifications after `position` (`catch_up`): others' activity since, not
history. Each notification of a kept aggregate is folded into its state when it is that
state's next version, skipped when the state holds it already (read later, on a miss), and
the state is dropped on anything else (a gap, an event that does not decode): a dropped
state is read whole on its next use, as if never kept.

Why one position is enough: the log's ids follow commit order on both stores (SQLite has
one writer at a time; on PostgreSQL every insert holds the library's EXCLUSIVE table lock
from before its ids are drawn until it commits), so a read of the ids after `position`
misses nothing committed that a later read would show below it.

Deciding on a kept state is never more than deciding on a state read a moment earlier:
the save refuses a decision on a stale state as before (the stream's next version is
unique; a comment's `guard=` checks its subject under the write lock), and the retry
catches up again first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from lrt_domain.base import Aggregate, DomainEvent

# More notifications than this since the last command: the kept states are dropped and
# `position` moves to the log's end (a process idle through much activity reads what it
# needs again, stream by stream, rather than all that happened meanwhile).
CATCH_UP_LIMIT = 500


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class KeptStates:
    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.position: int | None = None
        self._states: OrderedDict[UUID, Aggregate] = OrderedDict()
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self._states

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        with self.lock:
            state = self._states.get(aggregate_id)
            if state is not None:
                self._states.move_to_end(aggregate_id)
            return state

    def put(self, aggregate_id: UUID, state: Aggregate) -> None:
        """Keep `state` unless a newer one is kept already."""
        with self.lock:
            known = self._states.get(aggregate_id)
            if known is not None and known.version > state.version:
                return
            self._states[aggregate_id] = state
            self._states.move_to_end(aggregate_id)
            while len(self._states) > self.maxsize:
                self._states.popitem(last=False)

    def drop(self, aggregate_id: UUID) -> None:
        with self.lock:
            self._states.pop(aggregate_id, None)

    def restart(self, position: Callable[[], int]) -> None:
        """Drop every state; then `position` (read after the drop: every state read from
        now on holds what it counts)."""
        with self.lock:
            self._states.clear()
            self.position = position()

    def catch_up(self, read: Callable[[int, int], Sequence[Any]],
                 decode: Callable[[Any], DomainEvent], end: Callable[[], int]) -> int:
        """Bring the kept states up to date with one read, `read(after, limit)` (the log's
        notifications after a position, at most `limit`), decoding only those of kept
        aggregates; `end()`: the log's last id (read first, and after a long absence).
        Returns how many notifications were read."""
        with self.lock:
            if self.position is None:
                self.restart(end)
                return 0
            batch = read(self.position, CATCH_UP_LIMIT + 1)
            if len(batch) > CATCH_UP_LIMIT:
                self.restart(end)
                return len(batch)
            for n in batch:
                oid = _uuid(n.originator_id)
                known = self._states.get(oid)
                if known is None or n.originator_version <= known.version:
                    continue
                if n.originator_version != known.version + 1:
                    del self._states[oid]
                    continue
                try:
                    self._states[oid] = decode(n).mutate(known)
                except Exception:  # read again on its next use, which reports it
                    del self._states[oid]
            if batch:
                self.position = batch[-1].id
            return len(batch)

    def saved(self, events: Iterable[DomainEvent], ids: Sequence[int]) -> None:
        """A save of this application committed `events`, stored at notification `ids`:
        fold them into the states decided on (a state at another version is dropped), and
        move `position` past them when they follow it directly."""
        with self.lock:
            for e in events:
                oid = _uuid(e.originator_id)
                known = self._states.get(oid)
                if known is None and e.originator_version != 1:
                    continue
                if (known.version if known is not None else 0) + 1 != e.originator_version:
                    self._states.pop(oid, None)
                    continue
                try:
                    self._states[oid] = e.mutate(known)
                except Exception:
                    self._states.pop(oid, None)
                    continue
                self._states.move_to_end(oid)
            while len(self._states) > self.maxsize:
                self._states.popitem(last=False)
            if (self.position is not None and ids and ids[0] == self.position + 1
                    and list(ids) == list(range(ids[0], ids[0] + len(ids)))):
                self.position = ids[-1]


class BegunCounts:
    """How many streams of a range of ids (a round's comments, a minutes' proposals) had
    begun by a position, as this application last counted them: a next count reads only
    the log after that position (others' streams since, and its own), not the range's every
    stream again, so numbering the 10,000th comment of a round costs what the first did.
    Exact for its position whatever happened later (positions follow commit order, see
    above), so any later count may start from it."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.lock = threading.Lock()
        self._counts: OrderedDict[UUID, tuple[int, int]] = OrderedDict()

    def since(self, lo: UUID) -> tuple[int, int]:
        """A position and the count of the range beginning at `lo` up to it ((0, 0): none
        kept)."""
        with self.lock:
            return self._counts.get(lo, (0, 0))

    def record(self, lo: UUID, position: int, count: int) -> None:
        with self.lock:
            if self._counts.get(lo, (0, 0))[0] < position:
                self._counts[lo] = (position, count)
                self._counts.move_to_end(lo)
                while len(self._counts) > self.maxsize:
                    self._counts.popitem(last=False)
