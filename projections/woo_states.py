"""The Woo states of one meeting's minutes, read from the read model (live, or as of an
earlier record time): what `minutes redactions`, the export and publication decide on."""

from __future__ import annotations

from typing import Any

from lrt_app.woo import WooStates
from lrt_domain.directory import Person
from lrt_domain.errors import NotFound
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes
from lrt_domain.publication import Publication
from lrt_domain.tables import Table


def woo_states_from(model: Any, meeting: str) -> WooStates:
    """The states of `WooStates` from a read model (anything with `state(cls, key)` and
    `states(cls)`: the live read model, or one as of an earlier record time)."""
    minutes = model.state(Minutes, meeting)
    if minutes is None:
        raise NotFound(f"minutes: no minutes {meeting!r}")
    at = minutes.approval.at_meeting if minutes.approval else None
    return WooStates(minutes=minutes, meeting=model.state(Meeting, meeting),
                     table=model.state(Table, minutes.table),
                     persons={p.key: p for p in model.states(Person)},
                     publication=model.state(Publication, meeting),
                     approving_meeting=model.state(Meeting, at) if at else None)
