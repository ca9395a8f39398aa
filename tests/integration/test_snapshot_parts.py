"""Snapshots of a state that grows with its history, kept in parts (`projections.state_parts`,
issue 16 point 3: "snapshots linear in storage"), on SQLite and PostgreSQL: each snapshot
adds what changed since the one before, not the whole state again; a state as it stood is
the same as before; an edited, missing or moved part is found out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from lrt_app.bootstrap import build
from lrt_app.clock import SettableClock
from lrt_app.persistence import Unbound
from lrt_domain.meetings import AgendaItem, Meeting
from lrt_domain.tables import TableKind
from projections.as_of import AsOfModel
from projections.read_model import SNAPSHOT_EVERY, packed, unpacked
from projections.reading import PART_SIZE
from projections.verify import verify
from projections.views import Views

from worlds.application import ADMIN, M2_START, START

ITEMS = 7 * SNAPSHOT_EVERY + 20  # seven snapshots of a growing agenda


def long_agenda(app, items: int = ITEMS) -> str:
    key = app.schedule_meeting(ADMIN, "LRT", M2_START, "Johan de Witthuis")
    for i in range(items):
        app.add_agenda_item(ADMIN, key, f"Agendapunt {i}: huisvesting van statushouders")
    return key


def snapshots(model, sid: str) -> list[tuple[int, str, dict[str, list[str]]]]:
    """(version, rest, digests by field) of each snapshot of `sid`, by version."""
    found = []
    for r in model.query("SELECT version, state FROM view_snapshots WHERE id = ? "
                         "ORDER BY version", (sid,)):
        found.append((r["version"], *unpacked(model.unseal(
            r["state"], model.state_place(sid, r["version"])))))
    return found


def position_of(model, sid: str, version: int) -> int:
    return model.query("SELECT position FROM view_versions WHERE id = ? AND version = ?",
                       (sid, version))[0]["position"]


def test_a_snapshot_keeps_the_digests_of_its_parts_in_front():
    rest = '{"id":"m","agenda_title":"{\\"__parts__\\":"}'
    digests = {"agenda": ["a1", "b2"], "attendance": ["c3"]}
    assert packed(rest, digests).startswith('{"__parts__":{"agenda":["a1","b2"]')
    assert unpacked(packed(rest, digests)) == (rest, digests)
    assert packed(rest, {}) == rest and unpacked(rest) == (rest, {})
    assert unpacked(packed("{}", digests)) == ("{}", digests)


def test_each_snapshot_adds_what_changed_not_the_whole_state(world):
    app = world.app
    key = long_agenda(app)
    model = Views.open(app).model
    sid = Meeting.id_for(key).hex
    kept = snapshots(model, sid)
    assert [v for v, _, _ in kept] == [SNAPSHOT_EVERY * k for k in range(1, 8)]
    # the bytes each snapshot adds: its row, and the chunks no earlier snapshot holds
    seen: set[str] = set()
    added = []
    for _, rest, digests in kept:
        new = [d for d in digests.get("agenda", []) if d not in seen]
        seen.update(new)
        added.append(len(rest) + sum(len(r["items"]) for r in model.query(
            "SELECT digest, items FROM view_snapshot_parts WHERE id = ?", (sid,))
            if r["digest"] in new))
    # linear: the seventh adds about what the second did (whole states: 3.5 times as much)
    assert max(added[1:]) <= 1.5 * min(added[1:]), added
    whole = [len(app.get(Meeting, key, version=v).model_dump_json()) for v, _, _ in kept]
    assert whole[-1] > 3 * whole[1]
    stored = sum(len(r["state"]) for r in model.query(
        "SELECT state FROM view_snapshots WHERE id = ?", (sid,))) + sum(
        len(r["items"]) for r in model.query(
            "SELECT items FROM view_snapshot_parts WHERE id = ?", (sid,)))
    assert stored < sum(whole) / 2
    # every chunk a snapshot names is stored once
    assert model.query("SELECT COUNT(*) AS n FROM view_snapshot_parts WHERE id = ?",
                       (sid,))[0]["n"] == len(seen)


def test_the_meeting_as_it_stood_between_and_at_snapshots(world):
    app = world.app
    key = long_agenda(app)
    model = Views.open(app).model
    sid = Meeting.id_for(key).hex
    for version in (SNAPSHOT_EVERY, SNAPSHOT_EVERY + 1, 4 * SNAPSHOT_EVERY + 37, ITEMS):
        state = AsOfModel(model, app, position_of(model, sid, version)).state(Meeting, key)
        assert state == app.get(Meeting, key, version=version)
        assert len(state.agenda) == version - 1


def test_an_edited_or_missing_part_is_found(world, store):
    app = world.app
    key = long_agenda(app, 2 * SNAPSHOT_EVERY)
    model = Views.open(app).model
    sid = Meeting.id_for(key).hex
    assert verify(app, model).ok
    version, _, digests = snapshots(model, sid)[0]
    first = digests["agenda"][0]
    store.execute("UPDATE view_snapshot_parts SET items = replace(items, 'Agendapunt 3:', "
                  "'Agendapunt 3 (vervallen):') WHERE digest = ?", (first,))
    (diff,) = verify(app, model).differences
    assert (diff.table, diff.key, diff.problem) == ("view_snapshot_parts", f"{sid}/{first}",
                                                    "differs")
    store.execute("DELETE FROM view_snapshot_parts WHERE digest = ?", (first,))
    assert [(d.table, d.problem) for d in verify(app, model).differences] == [
        ("view_snapshot_parts", "missing")]
    then = AsOfModel(model, app, position_of(model, sid, version + 1))
    with pytest.raises(Unbound, match=f"a part of the snapshot of {sid} at version "
                                      f"{version} is missing; rebuild"):
        then.state(Meeting, key)


def test_an_encrypted_stores_parts_open_only_in_their_row(tmp_path: Path, monkeypatch):
    from eventsourcing.cryptography import AESCipher

    monkeypatch.setenv("LRT_CIPHER_KEY", AESCipher.create_key(32))
    app = build(str(tmp_path / "lrt.sqlite"), clock=SettableClock(START), initialising=True)
    try:
        app.initialise(admin=ADMIN, organisation="JenV",
                       organisation_name="Ministerie van Justitie en Veiligheid")
        app.register_table(ADMIN, "LRT", "Landelijke Regietafel", kind=TableKind.NATIONAL,
                           secretariat="JenV", meetings_per_year=12)
        key = long_agenda(app, SNAPSHOT_EVERY + 30)
        model = Views.open(app).model
        sid = Meeting.id_for(key).hex
        parts = model.query("SELECT digest, items FROM view_snapshot_parts WHERE id = ?",
                            (sid,))
        assert len(parts) == 2 and all("Agendapunt" not in p["items"] for p in parts)
        # the digests are keyed: not the plain SHA-256 of a chunk anyone could compute
        agenda = app.get(Meeting, key, version=SNAPSHOT_EVERY).agenda
        plain = {hashlib.sha256(TypeAdapter(tuple[AgendaItem, ...]).dump_json(
            agenda[i:i + PART_SIZE])).hexdigest()[:32] for i in range(0, len(agenda), PART_SIZE)}
        assert plain and not plain & {p["digest"] for p in parts}
        position = position_of(model, sid, SNAPSHOT_EVERY + 1)
        assert AsOfModel(model, app, position).state(Meeting, key) == \
            app.get(Meeting, key, version=SNAPSHOT_EVERY + 1)
        (a, b) = parts
        with model.datastore.transaction(commit=True) as c:  # an insider swaps the two
            c.execute("UPDATE view_snapshot_parts SET items = ? WHERE digest = ?",
                      (b["items"], a["digest"]))
            c.execute("UPDATE view_snapshot_parts SET items = ? WHERE digest = ?",
                      (a["items"], b["digest"]))
        with pytest.raises(Unbound, match="does not open where it is stored"):
            AsOfModel(model, app, position).state(Meeting, key)
    finally:
        app.close()


def test_a_rebuild_by_the_same_process_writes_every_part_again(world):
    """The writer remembers its last snapshot's parts (their digests, not written out
    again while unchanged); after a rebuild emptied the views, a part it remembers is
    written again where no snapshot holds it."""
    from projections.catch_up import rebuild

    app = world.app
    key = long_agenda(app, 3 * SNAPSHOT_EVERY)
    model = Views.open(app).model
    sid = Meeting.id_for(key).hex
    before = model.query("SELECT digest, items FROM view_snapshot_parts ORDER BY digest")
    rebuild(app, model)  # this read model now remembers the parts it snapshot
    rebuild(app, model)  # ...and empties the views before it meets them again
    assert model.query("SELECT digest, items FROM view_snapshot_parts ORDER BY digest") == \
        before
    assert verify(app, model).ok
    for version in (2 * SNAPSHOT_EVERY + 7, 3 * SNAPSHOT_EVERY + 1):
        then = AsOfModel(model, app, position_of(model, sid, version))
        assert then.state(Meeting, key) == app.get(Meeting, key, version=version)
