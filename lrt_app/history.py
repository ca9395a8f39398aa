"""The history of one object: its own events, read from the event store (never a replay of
the whole store). A meeting's id also names its minutes; both are shown, in record order."""

from __future__ import annotations

import json
from typing import Any

from lrt_domain.base import DomainEvent
from lrt_domain.catalogue import AGGREGATES
from lrt_domain.dutch_time import local
from lrt_domain.errors import NotFound

from .application import Lrt

BASE_FIELDS = set(DomainEvent.model_fields)


def change(event: DomainEvent) -> str:
    """What the event changed, compactly: its own fields."""
    data = event.model_dump(mode="json", exclude=BASE_FIELDS | {"key"})
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))[1:-1]


def history(app: Lrt, key: str) -> list[dict[str, Any]]:
    events = [(kind, e) for kind, cls in AGGREGATES.items()
              for e in app.events_of(cls.id_for(key))]
    if not events:
        raise NotFound(f"id: nothing is recorded under {key!r}")
    events.sort(key=lambda pair: pair[1].timestamp)
    return [{"recorded_at": local(e.timestamp).isoformat(timespec="seconds"),
             "object": kind, "version": e.originator_version,
             "event": e.TOPIC.removeprefix("lrt."), "user": e.actor, "role": e.role.value,
             "on_behalf_of": e.on_behalf_of, "change": change(e)} for kind, e in events]
