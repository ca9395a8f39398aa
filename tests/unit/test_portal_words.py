"""The portal's history page names every event and every field in Dutch (`web.dutch`):
a new event type or field added to the domain without its Dutch words fails here."""

from __future__ import annotations

import typing

from pydantic import BaseModel

import lrt_app.application  # noqa: F401  (every event type registered)
from lrt_domain.base import EVENT_TYPES, DomainEvent
from web.dutch import EVENTS, FIELDS, change_in_words, event_name


def _fields(annotation: object, found: set[str], seen: set[type]) -> None:
    for arg in typing.get_args(annotation):
        _fields(arg, found, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
            and annotation not in seen:
        seen.add(annotation)
        for name, field in annotation.model_fields.items():
            found.add(name)
            _fields(field.annotation, found, seen)


def domain_events() -> dict[str, type[DomainEvent]]:
    return {topic.removeprefix("lrt."): cls for topic, cls in EVENT_TYPES.items()
            if cls.__module__.startswith("lrt_domain.")}


def test_every_event_type_has_its_dutch_name() -> None:
    assert sorted(set(domain_events()) - set(EVENTS)) == []


def test_every_field_of_every_event_has_its_dutch_name() -> None:
    found: set[str] = set()
    seen: set[type] = set()
    for cls in domain_events().values():
        for name, field in cls.model_fields.items():
            if name not in DomainEvent.model_fields:
                found.add(name)
                _fields(field.annotation, found, seen)
    assert sorted(found - set(FIELDS)) == []


def test_a_change_in_words() -> None:
    assert event_name("Meeting.Scheduled") == "vergadering gepland"
    said = change_in_words('"table": "LRT", "starts_at": "2023-11-10T08:15:00Z", '
                           '"place": "Johan de Witthuis", "held": true, "items": [{"a": 1}]')
    assert said == ("tafel LRT, aanvang vrijdag 10 november 2023, 9.15 uur, plaats "
                    "‘Johan de Witthuis’, held ja, agendapunten (1)")
    assert change_in_words('"round": {"number": 1, "deadline": "2023-11-21T11:00:00Z"}') == \
        "nummer 1, termijn dinsdag 21 november 2023, 12.00 uur"
    assert change_in_words("not json") == "not json"
