"""What each writer process does: a fresh interpreter (the "spawn" start method) with its
own `Lrt` on the store and its own settable clock, as a second user's `lrt` would be.

Kept free of pytest, so that a spawned process imports only lrt."""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SPAWN = mp.get_context("spawn")
TIMEOUT = 120  # seconds a test waits for its workers before it fails

Step = tuple[str, dict[str, Any]]  # an `Lrt` method and its keyword arguments


def run_steps(store: Any, start: datetime, barrier: Any, results: Any, tag: str,
              steps: Sequence[Step], extra_env: dict[str, str] | None = None) -> None:
    """Connect, wait for the others at the barrier, then run the steps; report each
    outcome: ("ok", return value) or (the DomainError's class name, its message)."""
    outcomes: list[tuple[str, Any]] = []
    conflicts = 0  # saves the store refused (a concurrent write): the command decided again
    try:
        from lrt_app.application import Lrt
        from lrt_app.clock import SettableClock
        from lrt_domain.directory import Store
        from lrt_domain.errors import DomainError

        env = store.env(create_tables=False)
        env.update(extra_env or {})
        app = Lrt(env=env, clock=SettableClock(start))
        from eventsourcing.persistence import IntegrityError

        real_save = app.save

        def save(*events: Any, **kwargs: Any) -> Any:
            nonlocal conflicts
            try:
                return real_save(*events, **kwargs)
            except IntegrityError:
                conflicts += 1
                raise

        app.save = save  # type: ignore[method-assign]
        try:
            app.exists(Store, "store")  # connected before the start signal
            if barrier is not None:
                barrier.wait(timeout=TIMEOUT)
            for method, kwargs in steps:
                try:
                    outcomes.append(("ok", getattr(app, method)(**kwargs)))
                except DomainError as e:
                    outcomes.append((type(e).__name__, str(e)))
        finally:
            app.close()
    except BaseException as e:  # noqa: BLE001 -- reported, so that the test fails rather than waits
        outcomes.append(("crash", f"{type(e).__name__}: {e}"))
        if barrier is not None:
            barrier.abort()
    results.put((tag, outcomes, conflicts))


@dataclass
class Worker:
    tag: str
    start: datetime  # the worker's clock
    steps: list[Step]


@dataclass
class Workers:
    """Writer processes started together (released at once by a barrier)."""

    store: Any
    workers: list[Worker]
    barrier: bool = True
    extra_env: dict[str, str] | None = None
    processes: list[Any] = field(default_factory=list)
    conflicts: int = 0  # saves refused by the store over all workers (decided again)

    def start(self) -> Workers:
        self.results = SPAWN.Queue()
        # kept here until the workers are done: a spawned process opens it by name later
        self.released = SPAWN.Barrier(len(self.workers)) if self.barrier else None
        self.processes = [
            SPAWN.Process(target=run_steps, name=f"lrt-{w.tag}",
                          args=(self.store, w.start, self.released, self.results, w.tag,
                                w.steps, self.extra_env))
            for w in self.workers]
        for p in self.processes:
            p.start()
        return self

    def running(self) -> bool:
        return any(p.is_alive() for p in self.processes)

    def outcomes(self) -> dict[str, list[tuple[str, Any]]]:
        """Each worker's outcomes, once all have finished; a crash fails the test."""
        got: dict[str, list[tuple[str, Any]]] = {}
        try:
            for _ in self.processes:
                tag, outcomes, conflicts = self.results.get(timeout=TIMEOUT)
                got[tag] = outcomes
                self.conflicts += conflicts
        except queue.Empty:
            raise AssertionError(f"workers did not report within {TIMEOUT} s: "
                                 f"{sorted({w.tag for w in self.workers} - set(got))}") \
                from None
        finally:
            for p in self.processes:
                p.join(timeout=30)
                if p.is_alive():
                    p.terminate()
                    p.join()
        crashed = {tag: o for tag, o in got.items() if any(kind == "crash" for kind, _ in o)}
        assert not crashed, crashed
        assert [p.exitcode for p in self.processes] == [0] * len(self.processes)
        return got

    def run(self) -> dict[str, list[tuple[str, Any]]]:
        return self.start().outcomes()
