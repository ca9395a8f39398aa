"""How lrt events are stored with the eventsourcing library.

Events are pydantic models: the mapper stores `model_dump(mode="json")` under the event's
explicit topic (see `lrt_domain.base.EVENT_TYPES`), so that classes can move without
breaking the store, and reconstructs them with `model_validate`, upcasting older class
versions on the way (`upcast_v1_v2` and so on, as the library does).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from typing import Any, cast
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Cipher, Mapper, StoredEvent, Transcoder

import lrt_domain.catalogue  # noqa: F401  (imports every event class, so every topic is known)
from lrt_domain.base import EVENT_TYPES, DomainEvent
from lrt_domain.errors import DomainError

CIPHER_TOPIC = "lrt_app.persistence:BoundCipher"


class Unbound(DomainError):
    """A sealed value that does not open where it is stored: moved, copied or altered."""


def event_binding(originator_id: UUID | str, version: int, topic: str) -> bytes:
    """What an event's ciphertext is bound to: its stream, its version and its topic
    (fixed-length id and version, so no two places give the same bytes)."""
    uuid = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
    return b"lrt-event\0" + uuid.bytes + int(version).to_bytes(8, "big") + topic.encode("utf8")


class BoundCipher(Cipher):
    """AES-GCM (the `cryptography` package) with associated data, so that a ciphertext opens
    only in the place it was written for: an event's stream, version and topic
    (`event_binding`), a read-model value's row (`seal`). A row swapped with another, or
    copied in from elsewhere, does not open, even with the right key.

    Stored format (pinned by tests/unit/test_bound_cipher.py), as the library's
    `eventsourcing.cryptography.AESCipher` lays it out: nonce (12 bytes), tag (16 bytes),
    ciphertext. A store encrypted by lrt before the binding has the same layout with no
    associated data; `opens` tells the two apart by the store's first event, and such a store
    is then read and written unbound throughout (never row by row, which would let a row be
    replaced by an unbound one)."""

    CIPHER_KEY = "CIPHER_KEY"

    def __init__(self, environment: Any):
        key = environment.get(self.CIPHER_KEY)
        if not key:
            raise OSError(f"'{self.CIPHER_KEY}' not in env")
        try:
            self.key = base64.b64decode(key.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise ValueError("the key is not base64") from None
        if len(self.key) not in (16, 24, 32):
            raise ValueError(f"a key of {len(self.key)} bytes: 16, 24 or 32 expected")
        self.aesgcm = AESGCM(self.key)
        # A key derived for ids (`keyed_id`), so that the AES key itself hashes nothing.
        self.id_key = hmac.new(self.key, b"lrt keyed ids", hashlib.sha256).digest()
        self.bound = True  # False: a store from before the binding (`opens`)

    def encrypt(self, plaintext: bytes, bound_to: bytes | None = None) -> bytes:
        nonce = os.urandom(12)
        sealed = self.aesgcm.encrypt(nonce, plaintext, bound_to)
        return nonce + sealed[-16:] + sealed[:-16]

    def decrypt(self, ciphertext: bytes, bound_to: bytes | None = None) -> bytes:
        """The plaintext; ValueError when it does not open (another key, another place,
        altered bytes)."""
        if not isinstance(ciphertext, (bytes, bytearray, memoryview)):
            raise ValueError("not bytes")  # e.g. a state stored as TEXT
        ciphertext = bytes(ciphertext)
        if len(ciphertext) < 28:
            raise ValueError("too short for AES-GCM")
        nonce, tag, body = ciphertext[:12], ciphertext[12:28], ciphertext[28:]
        try:
            return self.aesgcm.decrypt(nonce, body + tag, bound_to)
        except InvalidTag:
            raise ValueError("does not open") from None

    # --- events -------------------------------------------------------------------

    def binding(self, originator_id: UUID | str, version: int, topic: str) -> bytes | None:
        return event_binding(originator_id, version, topic) if self.bound else None

    def opens(self, first: StoredEvent) -> bool:
        """Whether this key opens the store whose first event is `first`; learns on the way
        whether the store binds its events (written by this lrt) or not (an earlier one)."""
        where = (first.originator_id, first.originator_version, first.topic)
        for bound in (True, False):
            try:
                self.decrypt(first.state, event_binding(*where) if bound else None)
            except ValueError:
                continue
            self.bound = bound
            return True
        return False

    # --- the read model and ids ---------------------------------------------------

    def seal(self, text: str, bound_to: str) -> str:
        """A read-model value, base64, bound to the row it is stored in (`bound_to`, e.g.
        'state/<id>/<version>'). The read model is always bound: an older one is rebuilt."""
        return base64.b64encode(self.encrypt(text.encode("utf8"),
                                             b"lrt-view\0" + bound_to.encode("utf8"))
                                ).decode("ascii")

    def unseal(self, sealed: str, bound_to: str) -> str:
        try:
            return self.decrypt(base64.b64decode(sealed),
                                b"lrt-view\0" + bound_to.encode("utf8")).decode("utf8")
        except (ValueError, binascii.Error):
            raise Unbound(f"read model: the value of {bound_to} does not open where it is "
                          "stored (moved or altered); rebuild with "
                          "'lrt projections rebuild'") from None

    def keyed_id(self, purpose: str, text: str, *, prefix: str, digits: int = 10) -> str:
        """A short id that only the key holder can derive from `text` (HMAC-SHA-256):
        'p-3fa9c1d2e4' for a person, instead of an id that spells the name."""
        mac = hmac.new(self.id_key, f"{purpose}\0{text}".encode("utf8"), hashlib.sha256)
        return f"{prefix}{mac.hexdigest()[:digits]}"


class JSONTranscoder(Transcoder):
    """Plain JSON: pydantic has already turned every value into JSON types."""

    def encode(self, obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf8")

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


STORED_APART = {"originator_id", "originator_version"}  # columns of their own


class PydanticMapper(Mapper[UUID]):
    def to_stored_event(self, domain_event: DomainEvent) -> StoredEvent:  # type: ignore[override]
        cls = type(domain_event)
        stored = self.encode(domain_event)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            bound = self._bound_cipher()
            stored = bound.encrypt(stored, bound.binding(
                domain_event.originator_id, domain_event.originator_version, cls.TOPIC))
        return StoredEvent(originator_id=domain_event.originator_id,
                           originator_version=domain_event.originator_version,
                           topic=cls.TOPIC, state=stored)

    def encode(self, domain_event: DomainEvent) -> bytes:
        """The event's JSON: pydantic's own serialiser, compact, UTF-8 (what `json.dumps`
        with `JSONTranscoder`'s settings makes of `model_dump(mode="json")`, byte for
        byte, at a third of the cost: tests/integration/test_quick_decoding.py holds the
        two equal), with "class_version" last when the class is past its first."""
        cls = type(domain_event)
        if not isinstance(self.transcoder, JSONTranscoder):
            state = domain_event.model_dump(mode="json", exclude=STORED_APART)
            if cls.class_version > 1:
                state["class_version"] = cls.class_version
            return self.transcoder.encode(state)
        stored = domain_event.model_dump_json(exclude=STORED_APART).encode("utf8")
        if cls.class_version > 1:
            stored = stored[:-1] + b',"class_version":%d}' % cls.class_version
        return stored

    def _bound_cipher(self) -> BoundCipher:
        # the cipher lrt_app.settings selects (CIPHER_TOPIC), whatever the environment says
        return cast(BoundCipher, self.cipher)

    def _plain(self, stored_event: StoredEvent) -> bytes:
        """The event's JSON bytes: opened (an encrypted store) and decompressed."""
        data = stored_event.state
        if self.cipher:
            bound = self._bound_cipher()
            try:
                data = bound.decrypt(data, bound.binding(
                    stored_event.originator_id, stored_event.originator_version,
                    stored_event.topic))
            except ValueError:
                raise Unbound(f"store: the event {stored_event.topic} (version "
                              f"{stored_event.originator_version} of "
                              f"{stored_event.originator_id}) does not open where it is "
                              "stored: moved, copied or altered; see 'lrt audit verify'"
                              ) from None
        if self.compressor:
            data = self.compressor.decompress(data)
        return bytes(data)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:
        cls = EVENT_TYPES[stored_event.topic]
        state = self.transcoder.decode(self._plain(stored_event))
        version = state.pop("class_version", 1)
        while version < cls.class_version:
            getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
            version += 1
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        stamp = getattr(stored_event, "stamp", None)  # PostgreSQL: who inserted the row
        if stamp is not None:
            stamp.check(stored_event, state.get("actor"))  # lrt_app.chain_postgres
        return cls.model_validate(state)

    def to_domain_event_quickly(self, stored_event: StoredEvent) -> DomainEvent:
        """The same event as `to_domain_event` gives (tests/integration/test_quick_decoding.py
        holds the two to it on every kind of event), at about half the cost: pydantic
        parses and validates the stored JSON in one pass (`model_validate_json`) instead of
        `json.loads` and then validating the dict. The stream's id and version are appended
        as the last keys, so that they win over any the stored JSON might hold, as they do
        in `to_domain_event`. An event of an older class version (upcast on the way), or
        one this path cannot read, takes `to_domain_event`, which also names what is wrong.
        For the bulk readers: the rebuild and the fold of `projections verify`."""
        cls = EVENT_TYPES[stored_event.topic]
        if cls.class_version > 1:
            return self.to_domain_event(stored_event)
        data = self._plain(stored_event)
        if not (data.startswith(b"{") and data.endswith(b"}")) or data == b"{}":
            return self.to_domain_event(stored_event)
        tail = b',"originator_id":"%s","originator_version":%d}' % (
            str(stored_event.originator_id).encode("ascii"),
            stored_event.originator_version)
        try:
            event = cls.model_validate_json(data[:-1] + tail)
        except ValueError:
            return self.to_domain_event(stored_event)
        stamp = getattr(stored_event, "stamp", None)  # PostgreSQL: who inserted the row
        if stamp is not None:
            stamp.check(stored_event, event.actor)  # lrt_app.chain_postgres
        return event
