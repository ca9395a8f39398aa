"""Tamper evidence: the hash chain is written with every event, on both stores, and
`verify` finds every kind of tampering with the stored rows, done behind lrt's back."""

from __future__ import annotations

import threading
from dataclasses import replace
from uuid import uuid4

import pytest

from lrt_app.audit import verify
from lrt_app.chain import GENESIS, raw_link_digest
from lrt_domain.minutes import Minutes, text_digest

from worlds.application import ADMIN, at, items


def tables(store) -> tuple[str, str, str]:
    """The event table, its order column, and the chain table."""
    if store.kind == "postgres":
        return "lrt_events", "notification_id", "lrt_chain"
    return "stored_events", "rowid", "stored_chain"


def tamper(store, *statements: tuple[str, tuple]) -> None:
    """Change rows as the superuser (PostgreSQL: past the append-only triggers)."""
    events, _, chain = tables(store)
    if store.kind == "postgres":
        store.execute(f"ALTER TABLE {events} DISABLE TRIGGER ALL")
        store.execute(f"ALTER TABLE {chain} DISABLE TRIGGER ALL")
    try:
        for sql, params in statements:
            store.execute(sql, params)
    finally:
        if store.kind == "postgres":
            store.execute(f"ALTER TABLE {events} ENABLE TRIGGER ALL")
            store.execute(f"ALTER TABLE {chain} ENABLE TRIGGER ALL")


def ids(store) -> list[int]:
    """The events' order ids, in recorded order: ids(store)[p - 1] is position p's."""
    events, order, _ = tables(store)
    return [r[0] for r in store.execute(f"SELECT {order} FROM {events} ORDER BY {order}")]


@pytest.fixture
def filled(world, circulated):
    """A store with some history: the world, two meetings, circulated minutes, comments."""
    world.clock.set(at(2023, 11, 15, 9))
    world.app.comment("vng-lid", circulated, "Een opmerking van VNG.")
    world.app.comment("ipo-lid", circulated, "Een opmerking van IPO.")
    return world.app


def test_every_event_is_chained_and_an_untouched_store_verifies(filled, store):
    report = verify(filled.recorder)
    count = len(ids(store))
    assert count > 30
    assert report.ok and report.checked == count
    head = filled.recorder.chain_head()
    assert head.length == count and report.head == head
    _, _, chain = tables(store)
    assert [r[0] for r in store.execute(f"SELECT position FROM {chain} ORDER BY position")] \
        == list(range(1, count + 1))
    # small batches walk the same chain
    assert verify(filled.recorder, batch=7).head == head


def test_an_edited_payload_byte_is_found(filled, store):
    events, order, _ = tables(store)
    target = ids(store)[4]  # position 5
    state = bytes(store.execute(f"SELECT state FROM {events} WHERE {order} = ?",
                                (target,))[0][0])
    edited = state.replace(b'"', b"'", 1)
    assert edited != state
    tamper(store, (f"UPDATE {events} SET state = ? WHERE {order} = ?", (edited, target)))
    report = verify(filled.recorder)
    assert not report.ok and report.broken.position == 5
    assert report.broken.problem == "edited"
    assert report.checked == 4


def test_a_deleted_event_is_found(filled, store):
    events, order, _ = tables(store)
    tamper(store, (f"DELETE FROM {events} WHERE {order} = ?", (ids(store)[6],)))
    report = verify(filled.recorder)
    assert (report.broken.position, report.broken.problem) == (7, "deleted")


def test_an_inserted_event_is_found(filled, store):
    events, order, _ = tables(store)
    count = len(ids(store))
    _, _, topic, state = store.execute(
        f"SELECT originator_id, originator_version, topic, state FROM {events} "
        f"ORDER BY {order} LIMIT 1")[0]
    forged = uuid4()
    tamper(store, (f"INSERT INTO {events} (originator_id, originator_version, topic, state) "
                   "VALUES (?, ?, ?, ?)",
                   (forged.hex if store.kind == "sqlite" else forged, 1, topic, state)))
    report = verify(filled.recorder)
    assert (report.broken.position, report.broken.problem) == (count + 1, "inserted")
    assert forged.hex in report.broken.detail


def test_an_event_inserted_in_the_middle_is_found(filled, store):
    events, order, _ = tables(store)
    first, second = ids(store)[9:11]
    # make room between positions 10 and 11 by moving the tail up (as VACUUM could renumber)
    tamper(store, (f"UPDATE {events} SET {order} = {order} + 1000 WHERE {order} >= ?",
                   (second,)))
    topic, state = store.execute(f"SELECT topic, state FROM {events} WHERE {order} = ?",
                                 (first,))[0]
    forged = uuid4()
    tamper(store, (f"INSERT INTO {events} ({order}, originator_id, originator_version, topic, "
                   "state) VALUES (?, ?, ?, ?, ?)",
                   (first + 1, forged.hex if store.kind == "sqlite" else forged, 1, topic,
                    state)))
    report = verify(filled.recorder)
    assert (report.broken.position, report.broken.problem) == (11, "inserted")


def test_renumbered_ids_alone_are_not_a_break(filled, store):
    """Notification ids are not evidence: renumbering rows in the same order is harmless."""
    events, order, _ = tables(store)
    tamper(store, (f"UPDATE {events} SET {order} = {order} + 500", ()))
    assert verify(filled.recorder).ok


def test_swapped_positions_are_found(filled, store):
    events, order, _ = tables(store)
    a, b = ids(store)[2:4]  # positions 3 and 4
    tamper(store, (f"UPDATE {events} SET {order} = ? WHERE {order} = ?", (-1, a)),
           (f"UPDATE {events} SET {order} = ? WHERE {order} = ?", (a, b)),
           (f"UPDATE {events} SET {order} = ? WHERE {order} = ?", (b, -1)))
    report = verify(filled.recorder)
    assert (report.broken.position, report.broken.problem) == (3, "reordered")


def test_a_deleted_link_is_found(filled, store):
    _, _, chain = tables(store)
    tamper(store, (f"DELETE FROM {chain} WHERE position = ?", (12,)))
    report = verify(filled.recorder)
    assert (report.broken.position, report.broken.problem) == (12, "chain")


def test_a_deleted_tail_is_caught_only_against_a_head_written_down(filled, store):
    events, order, chain = tables(store)
    written = filled.recorder.chain_head()
    last_two = ids(store)[-2:]
    tamper(store, *[(f"DELETE FROM {events} WHERE {order} = ?", (i,)) for i in last_two],
           (f"DELETE FROM {chain} WHERE position > ?", (written.length - 2,)))
    assert verify(filled.recorder).ok  # consistent in itself
    report = verify(filled.recorder, against=written.digest, against_length=written.length)
    assert not report.ok
    assert (report.broken.position, report.broken.problem) == (written.length - 1,
                                                               "tail deleted")
    report = verify(filled.recorder, against=written.digest)
    assert (report.broken.position, report.broken.problem) == (None, "not extended")


def test_a_chain_recomputed_from_scratch_is_caught_only_against_a_head(filled, store):
    events, order, chain = tables(store)
    written = filled.recorder.chain_head()
    target = ids(store)[4]
    state = bytes(store.execute(f"SELECT state FROM {events} WHERE {order} = ?",
                                (target,))[0][0])
    # the rows as the audit reads them (on PostgreSQL with their stamps, chained too)
    rows = [replace(r, state=state.replace(b'"', b"'", 1)) if r.notification_id == target
            else r for r in filled.recorder.raw_events(0, 100_000)]
    links, digest = [], GENESIS
    for position, r in enumerate(rows, 1):
        digest = raw_link_digest(digest, r)
        links.append((position, r.notification_id, r.originator_id, r.originator_version,
                      digest.hex()))
    tamper(store, (f"UPDATE {events} SET state = ? WHERE {order} = ?", (rows[4].state,
                                                                        target)),
           (f"DELETE FROM {chain}", ()),
           *[(f"INSERT INTO {chain} VALUES (?, ?, ?, ?, ?)", link) for link in links])
    assert verify(filled.recorder).ok  # the forger recomputed every digest
    report = verify(filled.recorder, against=written.digest, against_length=written.length)
    assert (report.broken.position, report.broken.problem) == (written.length, "rewritten")
    assert not verify(filled.recorder, against=written.digest).ok


def test_a_store_extending_a_head_passes_against_it(filled):
    written = filled.recorder.chain_head()
    filled.comment("vng-lid", "LRT-2023-11-10", "Nog een opmerking.")
    report = verify(filled.recorder, against=written.digest, against_length=written.length)
    assert report.ok and report.checked == written.length + 1
    assert report.against["at"] == written.length
    assert verify(filled.recorder, against=written.digest).against["at"] == written.length


def test_concurrent_writers_keep_one_unbroken_chain(world, make_app, store):
    apps = [make_app() for _ in range(4)]
    errors: list[BaseException] = []

    def register(app, n: int) -> None:
        try:
            for k in range(8):
                app.register_person(ADMIN, f"Persoon {n}-{k}", person_key=f"p-{n}-{k}")
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=register, args=(a, n)) for n, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = verify(world.app.recorder)
    assert report.ok and report.checked == len(ids(store))


def test_the_approval_records_the_text_digest_and_the_chain_head(world, circulated, meetings,
                                                                store):
    _, m2 = meetings
    world.hold(m2)
    before = world.app.recorder.chain_head()
    world.app.approve_minutes(ADMIN, circulated, at_meeting=m2)
    approval = world.app.get(Minutes, circulated).approval
    assert approval.text_digest == text_digest(tuple(items()))
    assert len(approval.text_digest) == 64
    assert (approval.chain_length, approval.chain_head) == (before.length, before.digest)
    # the approval event itself is chained after that head
    assert world.app.recorder.chain_head().length == before.length + 1
    assert verify(world.app.recorder, against=approval.chain_head,
                  against_length=approval.chain_length).ok


def test_the_text_digest_changes_with_the_text():
    one = tuple(items())
    other = (one[0].model_copy(update={"title": "Opening"}), *one[1:])
    assert text_digest(one) != text_digest(other)
    assert text_digest(one) == text_digest(tuple(items()))
