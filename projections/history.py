"""The history of one object: its own events, read from the event store (never a replay of
the whole store). A meeting's id also names its minutes; both are shown, in record order,
with the comments on them that are kept in their own streams (a document's too).

Text changes (minutes drafted, revised, amended, corrected; documents added and revised) carry
a unified diff between the text versions, computed by folding the object's own events."""

from __future__ import annotations

import difflib
import json
from datetime import datetime
from typing import Any

from lrt_domain.base import Aggregate, DomainEvent, project
from lrt_domain.catalogue import AGGREGATES
from lrt_domain.comments import Comment
from lrt_domain.proposals import Proposal, proposals_range
from lrt_domain.documents import Document
from lrt_domain.dutch_time import local
from lrt_domain.errors import NotFound
from lrt_domain.minutes import Minutes

from lrt_app.application import Lrt
from lrt_app.minutes_text import render

from .shapes import HistoryRow

BASE_FIELDS = set(DomainEvent.model_fields)


def change(event: DomainEvent) -> str:
    """What the event changed, compactly: its own fields."""
    data = event.model_dump(mode="json", exclude=BASE_FIELDS | {"key"})
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))[1:-1]


def _text(state: Aggregate | None) -> tuple[int, str] | None:
    """The text version and text of minutes or a document; None for other objects."""
    if isinstance(state, Minutes):
        return state.text_version, render(state.items)
    if isinstance(state, Document):
        return state.text_version, state.text
    return None


def diffs(key: str, events: list[DomainEvent]) -> list[str | None]:
    """Per event of one object (in version order): the unified diff of its text change,
    or None when it did not change the text."""
    out: list[str | None] = []
    state: Aggregate | None = None
    for event in events:
        before = _text(state)
        state = event.mutate(state)
        after = _text(state)
        if after is None or (before is not None and before[1] == after[1]):
            out.append(None)
            continue
        old_name = f"{key} v{before[0]}" if before else "/dev/null"
        lines = difflib.unified_diff(before[1].splitlines() if before else [],
                                     after[1].splitlines(), fromfile=old_name,
                                     tofile=f"{key} v{after[0]}", lineterm="")
        out.append("\n".join(lines))
    return out


def history(app: Lrt, key: str, *, until: datetime | None = None) -> list[HistoryRow]:
    """The object's events in record order; with `until`, those recorded up to then."""
    events: list[tuple[str, DomainEvent, str | None]] = []
    for kind, cls in AGGREGATES.items():
        own = app.events_of(cls.id_for(key))
        events += [row for row in zip([kind] * len(own), own, diffs(key, own), strict=True)
                   if until is None or row[1].timestamp <= until]
        if own and cls in (Document, Minutes):
            # its comments in their own streams (issue 16), round by round
            subject = project(None, own)
            assert isinstance(subject, (Document, Minutes))
            events += [(Comment.KIND, e, None) for r in subject.rounds
                       for e in app.comment_events(key, r.number)
                       if until is None or e.timestamp <= until]
            if isinstance(subject, Minutes):  # and its amendments' proposals
                lo, hi = proposals_range(key)
                events += [(Proposal.KIND, e, None) for _, stored in
                           app.recorder.first_events(lo, hi)
                           if (e := app.mapper.to_domain_event(stored)) and (
                               until is None or e.timestamp <= until)]
    if not events:
        by = f" by {local(until).isoformat(timespec='minutes')}" if until else ""
        raise NotFound(f"id: nothing is recorded under {key!r}{by}")
    events.sort(key=lambda row: row[1].timestamp)
    return [HistoryRow({"recorded_at": local(e.timestamp).isoformat(timespec="seconds"),
             "object": kind, "version": e.originator_version,
             "event": e.TOPIC.removeprefix("lrt."), "user": e.actor, "role": e.role.value,
             "on_behalf_of": e.on_behalf_of, "change": change(e), "diff": diff})
            for kind, e, diff in events]
