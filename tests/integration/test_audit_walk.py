"""The audit's walk reads plain rows a batch at a time and hashes a row as lrt writes it
straight from the row (`lrt_app.audit._walk`); any other row (PostgreSQL's stamped rows, an
odd value) takes the checks that name what is wrong. These hold the walk to the reference,
`raw_link_digest` over `raw_events` row by row, at every batch size, with a break in the
middle of a batch: the same position, problem, message, count and head as before."""

from __future__ import annotations

import pytest

from lrt_app.audit import Replay, verify
from lrt_app.chain import GENESIS, Head, raw_link_digest
from lrt_domain.base import Role
from lrt_domain.directory import User
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes
from lrt_domain.tables import DEFAULT_RULES

from worlds.application import ADMIN, MEMBER, at
from .test_audit import filled, ids, tables, tamper  # noqa: F401  (fixtures, helpers)
from .test_audit_rules import ctx, forge


BATCHES = [1, 7, 5000]  # a batch per row, batches that split the log, one batch for all


def reference(recorder) -> list[str]:
    """The chain's digest at each position, recomputed row by row from `raw_events`."""
    digest, digests = GENESIS, []
    for raw in recorder.raw_events(0, 1_000_000):
        digest = raw_link_digest(digest, raw)
        digests.append(digest.hex())
    return digests


@pytest.mark.parametrize("batch", BATCHES)
def test_the_walk_gives_the_reference_digest_at_every_position(filled, store, batch):
    expected = reference(filled.recorder)
    report = verify(filled.recorder, batch=batch, replay=Replay(filled))
    assert report.ok and report.checked == len(expected)
    assert report.head == Head(len(expected), expected[-1])
    # the head at every position is found where the reference has it
    for position in (1, len(expected) // 2, len(expected)):
        found = verify(filled.recorder, batch=batch, against=expected[position - 1],
                       against_length=position)
        assert found.ok and found.against["at"] == position


@pytest.mark.parametrize("batch", BATCHES)
def test_an_edited_event_in_the_middle_of_a_batch_is_named_as_before(filled, store, batch):
    events, order, _ = tables(store)
    expected = reference(filled.recorder)
    middle = len(expected) // 2
    target = ids(store)[middle - 1]
    [raw] = filled.recorder.raw_events(target - 1, 1)
    assert raw.notification_id == target
    edited = raw.state.replace(b'"', b"'", 1)
    tamper(store, (f"UPDATE {events} SET state = ? WHERE {order} = ?", (edited, target)))
    for replay in (None, Replay(filled)):
        report = verify(filled.recorder, batch=batch, replay=replay)
        assert report.broken is not None and report.broken.as_dict() == {
            "position": middle, "problem": "edited",
            "detail": f"event {raw.originator_id} v{raw.originator_version} (notification "
                      f"{target}) is not what was chained: its stored bytes, or its link, "
                      "were changed"}
        assert report.checked == middle - 1
        assert report.head == Head(middle - 1, expected[middle - 2])


@pytest.mark.parametrize("batch", BATCHES)
def test_a_forgery_followed_by_genuine_events_is_found_at_its_position(filled, store, batch):
    now = filled.clock.now()
    first = forge(store, filled, User.register(ctx(filled, MEMBER, now), "evil1",
                                               Role.SECRETARIAT, organisation="JenV",
                                               person=None))
    for code in ("SZW", "OCW", "VWS"):  # genuine, after it
        filled.register_organisation(ADMIN, code, f"Ministerie van {code}")
    expected = reference(filled.recorder)
    report = verify(filled.recorder, batch=batch, replay=Replay(filled))
    assert report.broken is not None
    assert (report.broken.position, report.broken.problem) == (first, "forbidden")
    assert report.checked == first - 1
    assert report.head == Head(first - 1, expected[first - 2])
    # the chain alone goes on to the end
    assert verify(filled.recorder, batch=batch).head == Head(len(expected), expected[-1])


def test_rows_with_ids_lrt_does_not_write_take_the_full_checks(filled, store):
    """An aggregate's id stored in capitals (a valid id, not as lrt writes it), its links
    too and the chain recomputed from scratch, as a forger with the file could: the odd
    rows are hashed as stored and their events checked under the same aggregate, so the
    store verifies as it did before (only a head kept outside catches a recomputed chain),
    and it no longer extends the head written down."""
    if store.kind == "postgres":
        pytest.skip("SQLite: a PostgreSQL id column holds ids, never their text")
    written = filled.recorder.chain_head()
    rows = filled.recorder.raw_events(0, 100_000)
    table = next(r.originator_id for r in rows if r.topic == "lrt.Table.Registered")
    odd = sum(r.originator_id == table for r in rows)
    assert odd > 1  # the table's later events are looked up under the same aggregate
    statements: list[tuple[str, tuple]] = [
        ("UPDATE stored_events SET originator_id = ? WHERE originator_id = ?",
         (table.upper(), table)), ("DELETE FROM stored_chain", ())]
    digest = GENESIS
    for position, raw in enumerate(rows, 1):
        oid = table.upper() if raw.originator_id == table else raw.originator_id
        digest = raw_link_digest(digest, raw.__class__(raw.notification_id, oid,
                                                       raw.originator_version, raw.topic,
                                                       raw.state))
        statements.append(("INSERT INTO stored_chain VALUES (?, ?, ?, ?, ?)",
                           (position, raw.notification_id, oid, raw.originator_version,
                            digest.hex())))
    tamper(store, *statements)
    for batch in BATCHES:
        report = verify(filled.recorder, batch=batch, replay=Replay(filled))
        assert report.ok, report.broken
        assert report.checked == len(rows) and report.head == Head(len(rows), digest.hex())
    report = verify(filled.recorder, against=written.digest, against_length=written.length)
    assert report.broken is not None and report.broken.problem == "rewritten"


@pytest.mark.parametrize("genuine", [True, False])
@pytest.mark.parametrize("kept", [1000, 1])  # the head from memory; read from the chain
def test_an_approvals_chain_head_is_checked_whether_remembered_or_read(
        filled, store, circulated, monkeypatch, kept, genuine):
    """An approval records the chain's head as it stood before it: the replay compares it
    with the digest the walk computed there, or, when that position is too far back, with
    the link read from the chain. Both pass a true head and find a false one."""
    import lrt_app.audit

    monkeypatch.setattr(lrt_app.audit, "DIGESTS_KEPT", kept)
    filled.clock.set(at(2023, 12, 15, 12))
    filled.hold_meeting(ADMIN, "LRT-2023-12-15")
    head = filled.recorder.chain_head()
    filled.register_organisation(ADMIN, "SZW", "Ministerie van SZW")  # the head moves on
    approval = filled.get(Minutes, circulated).approve_at_meeting(
        ctx(filled, ADMIN, filled.clock.now()), filled.get(Meeting, circulated),
        filled.get(Meeting, "LRT-2023-12-15"), rules=DEFAULT_RULES,
        chain=(head.length, head.digest if genuine else "ab" * 32))
    position = forge(store, filled, approval)
    assert position == head.length + 2
    report = verify(filled.recorder, replay=Replay(filled))
    if genuine:
        assert report.ok and report.checked == position, report.broken
    else:
        assert (report.broken.position, report.broken.problem) == (position, "rule")
        assert f"records a chain head that is not the chain's at {head.length}" in \
            report.broken.detail
