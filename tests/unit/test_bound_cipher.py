"""The stored format of lrt's cipher (`lrt_app.persistence.BoundCipher`), pinned: stores
written today must open in every later lrt, and an auditor must be able to read them with
AES-GCM alone, given the key and this description.

    stored  = nonce (12 bytes) + tag (16 bytes) + ciphertext   (the library's AESCipher layout)
    event's associated data = b"lrt-event\\0" + originator id (16 bytes) + version (8 bytes,
                              big-endian) + topic (UTF-8)
    read model value = base64(stored), associated data b"lrt-view\\0" + place (UTF-8)
    keyed id = prefix + hex(HMAC-SHA-256(HMAC-SHA-256(key, b"lrt keyed ids"),
                                         purpose + "\\0" + text))[:10]
"""

from __future__ import annotations

import base64
import hmac
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import Environment

from lrt_app import persistence
from lrt_app.persistence import BoundCipher, Unbound, event_binding

KEY = base64.b64encode(bytes(range(32))).decode("ascii")
OID = UUID("12345678-1234-5678-1234-567812345678")
TOPIC = "lrt.User.Registered"


def cipher(key: str = KEY) -> BoundCipher:
    return BoundCipher(Environment(env={"CIPHER_KEY": key}))


def test_the_event_binding_is_pinned():
    assert event_binding(OID, 3, TOPIC) == (
        b"lrt-event\0" + bytes.fromhex("12345678123456781234567812345678")
        + bytes.fromhex("0000000000000003") + b"lrt.User.Registered")
    # the same place however the id is given (a UUID, or text as a store returns it)
    assert event_binding(OID.hex, 3, TOPIC) == event_binding(str(OID), 3, TOPIC)
    # no two places give the same bytes
    assert len({event_binding(OID, 1, "a.b"), event_binding(OID, 1, "a.bc"),
                event_binding(OID, 2, "a.b"), event_binding(UUID(int=1), 1, "a.b")}) == 4


def test_the_stored_layout_is_nonce_tag_ciphertext_with_the_binding(monkeypatch):
    monkeypatch.setattr(persistence.os, "urandom", lambda n: b"\x07" * n)
    plaintext = b'{"key":"sec"}'
    stored = cipher().encrypt(plaintext, event_binding(OID, 1, TOPIC))
    assert len(stored) == 12 + 16 + len(plaintext)
    nonce, tag, body = stored[:12], stored[12:28], stored[28:]
    assert nonce == b"\x07" * 12
    opened = AESGCM(base64.b64decode(KEY)).decrypt(nonce, body + tag,
                                                   event_binding(OID, 1, TOPIC))
    assert opened == plaintext
    # a known vector: this key, nonce, place and plaintext give these bytes, in every lrt
    assert stored.hex() == ("070707070707070707070707"  # nonce
                            "c07ab97db2425269f4e0d6c30b062d0a"  # tag
                            "7448cd39162dedd6b5f870a2fd")  # ciphertext


def test_a_ciphertext_opens_only_in_its_place():
    c = cipher()
    stored = c.encrypt(b"state", event_binding(OID, 1, TOPIC))
    assert c.decrypt(stored, event_binding(OID, 1, TOPIC)) == b"state"
    for elsewhere in (event_binding(UUID(int=1), 1, TOPIC), event_binding(OID, 2, TOPIC),
                      event_binding(OID, 1, "lrt.User.Deactivated"), None):
        with pytest.raises(ValueError):
            c.decrypt(stored, elsewhere)
    with pytest.raises(ValueError):  # another key
        cipher(AESCipher.create_key(32)).decrypt(stored, event_binding(OID, 1, TOPIC))
    for broken in (stored[:-1], stored[:20], stored + b"x", "text, not bytes"):
        with pytest.raises(ValueError):
            c.decrypt(broken, event_binding(OID, 1, TOPIC))  # type: ignore[arg-type]


def test_unbound_is_the_library_format_of_stores_before_the_binding():
    """A store encrypted by an earlier lrt (the library's AESCipher, no associated data)
    opens: `opens` learns from its first event that it is unbound, and the whole store is
    then read and written so; a store written bound is read bound, never row by row."""
    library = AESCipher(Environment(env={"CIPHER_KEY": KEY}))
    ours = cipher()
    assert ours.decrypt(library.encrypt(b"old")) == b"old"
    assert library.decrypt(ours.encrypt(b"new")) == b"new"

    old = StoredEvent(originator_id=OID, originator_version=1, topic=TOPIC,
                      state=library.encrypt(b"{}"))
    assert ours.opens(old) and not ours.bound
    assert ours.binding(OID, 1, TOPIC) is None

    fresh = cipher()
    new = StoredEvent(originator_id=OID, originator_version=1, topic=TOPIC,
                      state=fresh.encrypt(b"{}", event_binding(OID, 1, TOPIC)))
    assert fresh.opens(new) and fresh.bound
    assert not cipher(AESCipher.create_key(16)).opens(new)


def test_read_model_values_are_bound_to_their_row():
    c = cipher()
    sealed = c.seal("Zonderland", "action/M/A1")
    assert "Zonderland" not in sealed
    opened = AESGCM(base64.b64decode(KEY)).decrypt(
        base64.b64decode(sealed)[:12],
        base64.b64decode(sealed)[28:] + base64.b64decode(sealed)[12:28],
        b"lrt-view\0action/M/A1")
    assert opened == b"Zonderland"
    assert c.unseal(sealed, "action/M/A1") == "Zonderland"
    with pytest.raises(Unbound, match="action/M/A2.*does not open"):
        c.unseal(sealed, "action/M/A2")
    with pytest.raises(Unbound):
        c.unseal("not base64!", "action/M/A1")


def test_keyed_ids_are_pinned_short_and_keyed():
    c = cipher()
    pid = c.keyed_id("person", "geheime-ambtenaresse-zonderland", prefix="p-")
    id_key = hmac.new(base64.b64decode(KEY), b"lrt keyed ids", "sha256").digest()
    assert pid == "p-" + hmac.new(id_key, b"person\0geheime-ambtenaresse-zonderland",
                                  "sha256").hexdigest()[:10]
    assert pid == "p-ed2ebd6ce3"  # the same in every lrt: ids are stored
    assert c.keyed_id("person", "another", prefix="p-") != pid
    assert cipher(AESCipher.create_key(32)).keyed_id(
        "person", "geheime-ambtenaresse-zonderland", prefix="p-") != pid


@pytest.mark.parametrize("key", ["", "not base64!", base64.b64encode(b"x" * 20).decode()])
def test_a_bad_key_is_refused(key):
    with pytest.raises((OSError, ValueError)):
        cipher(key)
