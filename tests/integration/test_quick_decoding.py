"""The bulk readers' decoder (`PydanticMapper.to_domain_event_quickly`: the rebuild, the fold
of `projections verify`, as-of) gives exactly the events the validated path gives
(`to_domain_event`), on every kind of event a real history holds, on the frozen v0.1 store
(an older class version, upcast) and on an encrypted store; and the read model's faster
`stamp` writes what `strftime` wrote."""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrt_app import demo
from lrt_app.bootstrap import build
from lrt_app.clock import SettableClock
from lrt_app.persistence import Unbound
from projections.read_model import stamp
from worlds.application import run_demo

FROZEN = Path(__file__).parents[1] / "fixtures" / "store-v0.1.sqlite"


def both_ways(db: Path, **kwargs: object) -> int:
    """Decode every event of the store both ways, compare; how many there were."""
    app = build(str(db), **kwargs)  # type: ignore[arg-type]
    try:
        stored = app.recorder.select_notifications(start=0, limit=1_000_000)
        for n in stored:
            validated = app.mapper.to_domain_event(n)
            quick = app.mapper.to_domain_event_quickly(n)
            assert type(quick) is type(validated)
            assert quick == validated
            assert quick.model_dump() == validated.model_dump()
        return len(stored)
    finally:
        app.close()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic history through the command side (bench.history): every kind of
    event of a cycle, and the demo's on top."""
    from bench import history as generator

    path = tmp_path_factory.mktemp("quick") / "history.sqlite"
    generator.generate(path, 1_500, seed=3)
    return path


def test_every_kind_of_event_decodes_the_same(history: Path) -> None:
    with closing(sqlite3.connect(history)) as c:
        topics = {t for (t,) in c.execute("SELECT DISTINCT topic FROM stored_events")}
    assert len(topics) >= 25  # the history holds a real variety of events
    assert both_ways(history) >= 1_500


def test_the_demo_decodes_the_same(tmp_path: Path) -> None:
    assert both_ways(run_demo(tmp_path / "demo.sqlite")) > 50


def test_the_frozen_store_upcasts_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    monkeypatch.delenv("LRT_CIPHER_KEY", raising=False)
    monkeypatch.delenv("LRT_KEY_FILE", raising=False)
    copy = tmp_path / "store-v0.1.sqlite"
    shutil.copyfile(FROZEN, copy)
    with closing(sqlite3.connect(copy)) as c:
        c.execute("PRAGMA journal_mode=WAL")
    assert both_ways(copy) > 10


def test_an_encrypted_store_decodes_the_same(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "key"
    key.write_text(base64.b64encode(b"k" * 32).decode())
    key.chmod(0o600)
    monkeypatch.delenv("LRT_CIPHER_KEY", raising=False)
    path = tmp_path / "sealed.sqlite"
    clock = SettableClock(demo.at("2023-10-01 09:00"))
    app = build(str(path), clock=clock, initialising=True, key_file=str(key))
    try:
        demo.run(app, clock, say=lambda _: None)
    finally:
        app.close()
    assert both_ways(path, key_file=str(key)) > 50
    app = build(str(path), key_file=str(key))
    try:  # a sealed event moved to another place opens on neither path
        first, second = app.recorder.select_notifications(start=0, limit=2)
        moved = replace(second, state=first.state)
        for decode in (app.mapper.to_domain_event, app.mapper.to_domain_event_quickly):
            with pytest.raises(Unbound):
                decode(moved)
    finally:
        app.close()


def test_the_stream_and_version_win_over_the_stored_json(history: Path) -> None:
    """A stored state that names another stream or version (altered behind lrt's back) is
    read as the row's own, on both paths alike; a state that breaks the event's shape is
    refused by both with the same error."""
    app = build(str(history))
    try:
        n = app.recorder.select_notifications(start=5, limit=1)[0]
        state = json.loads(n.state)
        state.update(originator_id=str(uuid4()), originator_version=99)
        altered = replace(n, state=json.dumps(state).encode())
        quick = app.mapper.to_domain_event_quickly(altered)
        assert quick == app.mapper.to_domain_event(altered)
        assert (quick.originator_id, quick.originator_version) == \
            (n.originator_id, n.originator_version)
        broken = replace(n, state=json.dumps({**state, "timestamp": "gisteren"}).encode())
        errors = []
        for decode in (app.mapper.to_domain_event, app.mapper.to_domain_event_quickly):
            with pytest.raises(ValueError) as refused:
                decode(broken)
            errors.append(str(refused.value))
        assert errors[0] == errors[1]
    finally:
        app.close()


@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=2)),
                                               timezone(timedelta(hours=-5))])))
def test_stamp_writes_what_strftime_wrote(moment: datetime) -> None:
    assert stamp(moment) == moment.astimezone(timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


# --- the encoder: pydantic's JSON, byte for byte what json.dumps made (issue 16, point 6) --

def _dumped(event: object) -> bytes:
    """The encoding every stored event had before `PydanticMapper.encode`."""
    state = event.model_dump(mode="json",  # type: ignore[attr-defined]
                             exclude={"originator_id", "originator_version"})
    if type(event).class_version > 1:  # type: ignore[attr-defined]
        state["class_version"] = type(event).class_version  # type: ignore[attr-defined]
    return json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode("utf8")


def test_events_encode_as_they_were_stored(history: Path) -> None:
    """Every event of the history and of the demo encodes to the bytes it was stored with
    and to what json.dumps made; and so does a text of every awkward character."""
    app = build(str(history))
    try:
        stored = app.recorder.select_notifications(start=0, limit=1_000_000)
        texts = 0
        for n in stored:
            event = app.mapper.to_domain_event(n)
            assert app.mapper.encode(event) == bytes(n.state) == _dumped(event)
            if "text" in type(event).model_fields and isinstance(
                    getattr(event, "text"), str):
                odd = event.model_copy(update={"text": 'a"b\\c\n\td\u2028e\u00e9\u20ac'
                                                       '\U0001f600\x7f</script>'})
                assert app.mapper.encode(odd) == _dumped(odd)
                texts += 1
        assert texts > 100
    finally:
        app.close()
