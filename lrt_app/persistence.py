"""How lrt events are stored with the eventsourcing library.

Events are pydantic models: the mapper stores `model_dump(mode="json")` under the event's
explicit topic (see `lrt_domain.base.EVENT_TYPES`), so that classes can move without
breaking the store, and reconstructs them with `model_validate`, upcasting older class
versions on the way (`upcast_v1_v2` and so on, as the library does).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

import lrt_domain.catalogue  # noqa: F401  (imports every event class, so every topic is known)
from lrt_domain.base import EVENT_TYPES, DomainEvent


class JSONTranscoder(Transcoder):
    """Plain JSON: pydantic has already turned every value into JSON types."""

    def encode(self, obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf8")

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


class PydanticMapper(Mapper[UUID]):
    def to_stored_event(self, domain_event: DomainEvent) -> StoredEvent:  # type: ignore[override]
        cls = type(domain_event)
        state = domain_event.model_dump(mode="json", exclude={"originator_id",
                                                              "originator_version"})
        if cls.class_version > 1:
            state["class_version"] = cls.class_version
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return StoredEvent(originator_id=domain_event.originator_id,
                           originator_version=domain_event.originator_version,
                           topic=cls.TOPIC, state=stored)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:  # type: ignore[override]
        cls = EVENT_TYPES[stored_event.topic]
        data = stored_event.state
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        state = self.transcoder.decode(data)
        version = state.pop("class_version", 1)
        while version < cls.class_version:
            getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
            version += 1
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        return cls.model_validate(state)
