"""Stored topics: every event class has its own, unique, and none is ever renamed."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import lrt_domain
from lrt_domain.base import EVENT_TYPES, DomainEvent

for _module in pkgutil.iter_modules(lrt_domain.__path__):
    importlib.import_module(f"lrt_domain.{_module.name}")

GOLDEN = Path(__file__).with_name("topics.txt")


def domain_event_classes() -> list[type[DomainEvent]]:
    found: list[type[DomainEvent]] = []
    todo = [DomainEvent]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("lrt_domain."):
                found.append(sub)
            todo.append(sub)
    return found


def test_there_are_event_classes():
    assert len(domain_event_classes()) >= 30


@pytest.mark.parametrize("cls", domain_event_classes(), ids=lambda c: c.__qualname__)
def test_every_event_class_defines_its_own_registered_topic(cls):
    topic = cls.__dict__.get("TOPIC")
    assert topic, f"{cls.__qualname__} inherits its topic {cls.TOPIC!r}"
    assert topic.startswith("lrt.")
    assert EVENT_TYPES[topic] is cls
    assert cls.apply is not DomainEvent.apply, f"{cls.__qualname__} does not apply itself"


def test_topics_are_unique_and_every_registered_topic_is_a_domain_event():
    classes = domain_event_classes()
    topics = [c.__dict__["TOPIC"] for c in classes]
    assert len(topics) == len(set(topics))
    assert set(EVENT_TYPES.values()) >= set(classes)
    assert all(EVENT_TYPES[t].TOPIC == t for t in EVENT_TYPES)


def test_topics_match_the_committed_list():
    """A renamed or removed topic breaks every store that holds it: add, never rename."""
    committed = GOLDEN.read_text().split()
    current = sorted(t for t, cls in EVENT_TYPES.items() if cls.__module__.startswith("lrt_domain."))
    assert current == committed


def test_a_topic_used_twice_is_refused():
    with pytest.raises(TypeError, match="topic 'lrt.Minutes.Approved' is used twice"):
        class Impostor(DomainEvent):  # noqa: F841
            TOPIC = "lrt.Minutes.Approved"
    assert EVENT_TYPES["lrt.Minutes.Approved"].__module__ == "lrt_domain.minutes"
