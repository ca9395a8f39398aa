"""Concurrent writers on one store: commands per second and latency per command.

    .venv/bin/python -m bench.concurrency                      # SQLite and PostgreSQL
    .venv/bin/python bench/concurrency.py --stores sqlite --writers 1 4 --commands 20

For each store and each number of writers (default 1, 4, 16), that many processes (spawned,
each with its own `Lrt` and connection, as separate `lrt` users would be) are released at
once by a barrier and each runs a fixed number of commands of one workload:

- `comment`:  members comment on one open comment round (since issue 16 each comment is
              a stream of its own: commenters no longer collide; before, the round's
              minutes were one hot aggregate, decided again up to lrt's 10 attempts);
- `register`: the secretariat registers persons (a new aggregate each: no collisions, but
              every write still waits for the store's lock).

Latency is the time of one application command, retries included (not the start-up of an
`lrt` process). Throughput is all commands over the time from release to the last writer's
end. PostgreSQL is a private server (tests/pg_server.py), on this machine, with fsync on
unless --no-fsync; SQLite is a file in a temporary directory. A command that gave up after
its attempts (a `Conflict`) counts as failed, and its latency is kept.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):  # lrt itself, and the tests' server and world
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

SPAWN = mp.get_context("spawn")
WORKLOADS = ("comment", "register")


def writer(env: dict[str, str], workload: str, index: int, commands: int, barrier: Any,
           results: Any) -> None:
    """One writer process: connect, wait for the others, run its commands, report."""
    from concurrency.world import DEADLINE, M1, MEMBERS

    from lrt_app.bootstrap import application
    from lrt_app.clock import SettableClock
    from lrt_domain.directory import Store
    from lrt_domain.errors import DomainError

    # the write path alone, as the numbers in the README were measured (no views written)
    app = application(env, clock=SettableClock(DEADLINE - timedelta(days=2)),
                      project_on_save=False)
    latencies, failed = [], 0
    try:
        app.exists(Store, "store")  # connected before the start signal
        barrier.wait()
        for i in range(commands):
            began = time.perf_counter()
            try:
                if workload == "comment":
                    member = list(MEMBERS)[index % len(MEMBERS)]
                    app.comment(member, M1, f"Opmerking {index}.{i}")
                else:
                    app.register_person("admin", f"Persoon {index}.{i}",
                                        person_key=f"persoon-{index}-{i}")
            except DomainError:
                failed += 1
            latencies.append(time.perf_counter() - began)
    finally:
        app.close()
        results.put((latencies, failed))


class Stores:
    """Fresh stores of one kind, one per run."""

    def __init__(self, kind: str, fsync: bool):
        self.kind = kind
        self.tmp = Path(tempfile.mkdtemp(prefix="lrt-bench-"))
        self.server = None
        if kind == "postgres":
            from pg_server import PostgresServer

            self.server = PostgresServer().start()
            if fsync:  # the tests' server runs without; a benchmark should not
                self.server.execute("ALTER SYSTEM SET fsync = on",
                                    "ALTER SYSTEM SET full_page_writes = on",
                                    "SELECT pg_reload_conf()")

    def new(self) -> dict[str, str]:
        from lrt_app.settings import store_env

        if self.server is None:
            url = str(self.tmp / f"{uuid4().hex[:8]}.sqlite")
        else:
            url = self.server.create_database(f"b{uuid4().hex[:12]}")
        return store_env(url, must_exist=False, create_tables=True)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def prepared(env: dict[str, str]) -> dict[str, str]:
    """The world of the tests (its minutes circulated, their round open); the env for the
    writers, which create nothing."""
    from concurrency.world import START, build

    from lrt_app.bootstrap import application
    from lrt_app.clock import SettableClock

    clock = SettableClock(START)
    app = application(env, clock=clock, project_on_save=False)
    try:
        build(app, clock)
    finally:
        app.close()
    return {**env, "CREATE_TABLE": "no"} if "POSTGRES_DBNAME" in env else env


def run(env: dict[str, str], workload: str, writers: int, commands: int) -> dict[str, Any]:
    barrier = SPAWN.Barrier(writers + 1)
    results = SPAWN.Queue()
    processes = [SPAWN.Process(target=writer, args=(env, workload, i, commands, barrier,
                                                    results)) for i in range(writers)]
    for p in processes:
        p.start()
    barrier.wait()
    began = time.perf_counter()
    latencies: list[float] = []
    failed = 0
    for _ in processes:
        got, n_failed = results.get(timeout=600)
        latencies += got
        failed += n_failed
    elapsed = time.perf_counter() - began
    for p in processes:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a writer failed (exit {p.exitcode})")
    latencies.sort()
    return {"commands": len(latencies), "failed": failed,
            "per_second": len(latencies) / elapsed,
            "p50": 1000 * statistics.median(latencies),
            "p99": 1000 * latencies[min(len(latencies) - 1,
                                        round(0.99 * (len(latencies) - 1)))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", nargs="+", choices=("sqlite", "postgres"),
                        default=["sqlite", "postgres"])
    parser.add_argument("--writers", nargs="+", type=int, default=[1, 4, 16])
    parser.add_argument("--commands", type=int, default=50, help="per writer")
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--no-fsync", dest="fsync", action="store_false",
                        help="PostgreSQL without fsync (as the tests run it)")
    args = parser.parse_args()

    print(f"# {platform.node()}: {os.cpu_count()} CPUs ({platform.processor() or '?'}), "
          f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
    print(f"# {args.commands} commands per writer; PostgreSQL fsync "
          f"{'on' if args.fsync else 'off'}")
    header = (f"{'store':<9} {'workload':<9} {'writers':>7} {'commands':>8} {'failed':>6} "
              f"{'commands/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    print(header)
    print("-" * len(header))
    for kind in args.stores:
        stores = Stores(kind, args.fsync)
        try:
            for workload in args.workloads:
                for writers in args.writers:
                    r = run(prepared(stores.new()), workload, writers, args.commands)
                    print(f"{kind:<9} {workload:<9} {writers:>7} {r['commands']:>8} "
                          f"{r['failed']:>6} {r['per_second']:>10.1f} {r['p50']:>8.1f} "
                          f"{r['p99']:>8.1f}", flush=True)
        finally:
            stores.close()


if __name__ == "__main__":
    main()
