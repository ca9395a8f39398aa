"""Crashes: a writer process killed with SIGKILL at random moments loses nothing it reported
as done, records no command by half, keeps the audit chain whole, and the read model, caught
up after the kill, is exactly what a fresh rebuild gives."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from worlds.application import START

from lrt_app import audit
from lrt_app.application import Lrt
from lrt_domain.actions import Action
from lrt_domain.catalogue import AGGREGATES
from lrt_domain.minutes import Minutes
from lrt_domain.minutes_actions import action_lines
from projections.catch_up import catch_up, open_read_model, rebuild
from projections.read_model import VIEW_TABLES

WRITER = Path(__file__).with_name("crash_writer.py")
TRIALS = 20


def view_dump(app: Lrt) -> dict[str, list[tuple[Any, ...]]]:
    model = open_read_model(app)
    out = {}
    for table in VIEW_TABLES:
        rows = model.query(f"SELECT * FROM {table}")
        out[table] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    out["position"] = [(model.max_tracking_id(app.name),)]
    return out


def run_writer(env: dict[str, str], start: str, seed: int, kill_after: float
               ) -> tuple[list[str], str]:
    """Start the writer, kill it `kill_after` seconds after it is ready; its DONE lines."""
    proc = subprocess.Popen([sys.executable, str(WRITER), json.dumps(env), start, str(seed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("READY"):
                ready.set()
            else:
                lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not ready.wait(30):
        proc.kill()
        raise AssertionError(f"writer never got ready: {proc.stderr.read()}")  # type: ignore
    time.sleep(kill_after)
    proc.kill()  # SIGKILL
    proc.wait(10)
    reader.join(10)
    err = proc.stderr.read()  # type: ignore[union-attr]
    assert proc.returncode == -9, (proc.returncode, err)  # killed, not failed by itself
    return [line for line in lines if line.startswith("DONE ") and line.endswith("\n")], err


def check_after_kill(app: Lrt, done: list[str]) -> None:
    # every command reported done is in the store, at least at the version reported
    kinds = {cls.KIND: cls for cls in AGGREGATES.values()}
    for line in done:
        _, _, kind, key, version = line.split()
        assert app.get(kinds[kind], key).version >= int(version), line
    # nothing half-recorded: minutes drafted with their action lines have all their actions
    notifications = app.recorder.select_notifications(start=1, limit=10**6)
    minutes_ids = {n.originator_id for n in notifications if n.topic.startswith("lrt.Minutes.")}
    for oid in minutes_ids:
        m = project_minutes(app, oid)
        for n, _ in enumerate(action_lines(m.items), start=1):
            assert app.exists(Action, f"{m.key}/A{n}"), (m.key, n)
    # the audit chain verifies over every stored event
    report = audit.verify(app.recorder)
    assert report.ok, report.as_dict()
    assert report.checked == len(notifications)
    # the read model caught up is what a fresh rebuild gives
    model = open_read_model(app)
    catch_up(app, model)
    caught_up = view_dump(app)
    rebuild(app, model)
    assert view_dump(app) == caught_up


def project_minutes(app: Lrt, oid: Any) -> Minutes:
    from lrt_domain.base import project

    state = project(None, app.events_of(oid))
    assert isinstance(state, Minutes)
    return state


def test_sigkill_at_random_moments_loses_and_halves_nothing(world, store) -> None:
    rnd = random.Random(20231110)
    env = dict(store.env(create_tables=False))
    app = world.app
    catch_up(app, open_read_model(app))  # the read model's tables exist before the writer
    total_done = 0
    for trial in range(TRIALS):
        start = (START + timedelta(days=400 * (trial + 1))).isoformat()
        done, err = run_writer(env, start, trial, rnd.uniform(0.01, 0.25))
        assert "Traceback" not in err or "KeyboardInterrupt" in err, err
        total_done += len(done)
        check_after_kill(app, done)
    assert total_done > TRIALS  # the kills did land in the middle of the series
    print(f"{store.kind}: {TRIALS} kills, {total_done} commands reported done")
